"""The examples of docs/app-developers.md run as a developer runs them: ``python docs/examples/flow.py`` and
``node docs/examples/flow.mjs`` against a real server (uvicorn on a free port, on the test Neo4j) holding the demo
data; and every code excerpt the guide shows is the text of those files.

The examples are written to API contract v1 (one ``input:`` per mutation); a mutation they call that loses that
shape fails the run here before any request is sent.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import httpx
import pytest
from graphql import build_schema as parse_sdl
from graphql import parse, validate

from core.settings import REPO_ROOT, Settings
from sandbox import demo_data
from sandbox.demo import seed_demo

GUIDE = REPO_ROOT / "docs" / "app-developers.md"
EXAMPLES = REPO_ROOT / "docs" / "examples"
#: The mutations the examples call, each with the one ``input`` argument of contract v1.
MUTATIONS = (
    "personRegister", "sessionLogin", "sessionRefresh", "contactVerificationStart", "contactVerificationComplete",
    "connectionRequest", "connectionAccept", "postCreate", "commentCreate", "reactionSet", "listingCreate",
    "orderPlace", "orderAccept", "walletTopUp", "orderPay",
)  # fmt: skip
#: What both examples print, in this order (the output of a run is checked against it).
EXPECTED = (
    "refused: INVALID_INPUT input.fullName",
    "registered Đỗ Minh Khoa at level 0",
    "-> level 1",
    "signed in with the phone; refreshed the session",
    "connected with Nguyễn Văn An",
    "posted in Phường Hoàn Kiếm : Xin chào Hà Nội!",
    "An's feed, newest first:",
    "my post: 1 reaction,",
    "Chào mừng Khoa đến Hoàn Kiếm!",
    "posts found:",
    "Đỗ Minh Khoa",
    "listings found:",
    "Bộ ấm chén men lam Bát Tràng",
    "ordered Nón lá làng Chuông for 120000 đồng",
    ": PAID",
    "second payment refused: CONFLICT",
    "without a token: UNAUTHENTICATED",
)


def mutations_without_input() -> list[str]:
    """The example's mutations that do not take contract v1's one ``input: <Op>Input!`` yet (schema.graphql)."""
    mutation = parse_sdl((REPO_ROOT / "schema.graphql").read_text()).mutation_type
    assert mutation is not None

    def shaped(name: str) -> bool:
        field = mutation.fields.get(name)
        wanted = f"{name[0].upper()}{name[1:]}Input!"
        return field is not None and list(field.args) == ["input"] and str(field.args["input"].type) == wanted

    return [name for name in MUTATIONS if not shaped(name)]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def live_api(test_settings: Settings, graph) -> Iterator[str]:
    """A real API server (uvicorn, its own process) on the test Neo4j and var folder; its GraphQL URL."""
    assert mutations_without_input() == [], "the examples are written to contract v1: one `input: <Op>Input!`"
    port = _free_port()
    env = {
        **os.environ,
        "NEO4J_URI": str(test_settings.neo4j_uri),
        "NEO4J_PASSWORD": test_settings.neo4j_password.get_secret_value() if test_settings.neo4j_password else "",
        "HANOISMART_ENVIRONMENT": "test",
        "HANOISMART_VAR_DIR": str(test_settings.var_dir),
        "HANOISMART_PASSWORD_HASH_PROFILE": "test",
        "HANOISMART_LOG_FORMAT": "json",
        "HANOISMART_LOG_LEVEL": "WARNING",
        "HANOISMART_MIGRATE_ON_START": "false",
        "HANOISMART_PAYMENT_RECONCILE_INTERVAL_SECONDS": "0",
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            "api.app:create_app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the API did not start: {server.stderr.read().decode() if server.stderr else ''}")
            time.sleep(0.2)
        yield f"http://127.0.0.1:{port}/graphql"
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def assert_ran_the_flow(result: subprocess.CompletedProcess[str]) -> None:
    assert result.returncode == 0, result.stdout + result.stderr
    position = 0
    for expected in EXPECTED:
        found = result.stdout.find(expected, position)
        assert found >= 0, f"{expected!r} missing (in order) from:\n{result.stdout}\n{result.stderr}"
        position = found


async def test_the_python_example_runs_the_whole_flow(app, live_api) -> None:
    await seed_demo(app.state.runtime)
    result = subprocess.run(
        [sys.executable, str(EXAMPLES / "flow.py")],
        env={**os.environ, "HANOISMART_API": live_api},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert_ran_the_flow(result)


async def test_the_javascript_example_runs_the_whole_flow(app, live_api) -> None:
    node = shutil.which("node")
    assert node is not None, "Node.js 18 or later runs the JavaScript example (Debian: apt install nodejs)"
    await seed_demo(app.state.runtime)
    result = subprocess.run(
        [node, str(EXAMPLES / "flow.mjs")],
        env={**os.environ, "HANOISMART_API": live_api},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert_ran_the_flow(result)


_EXCERPT = re.compile(r"<!-- example: (?P<file>[\w.]+)#(?P<region>[\w-]+) -->\n```\w+\n(?P<code>.*?)```", re.DOTALL)


def region(path: Path, name: str) -> str:
    """The lines between ``[name]`` and ``[/name]`` markers of an example file, dedented."""
    lines = path.read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() in (f"# [{name}]", f"// [{name}]"))
    end = next(i for i, line in enumerate(lines) if line.strip() in (f"# [/{name}]", f"// [/{name}]"))
    body = lines[start + 1 : end]
    indent = min(len(line) - len(line.lstrip()) for line in body if line.strip())
    return "\n".join(line[indent:] for line in body).strip() + "\n"


def test_every_excerpt_in_the_guide_is_the_code_of_an_example() -> None:
    excerpts = list(_EXCERPT.finditer(GUIDE.read_text()))
    assert len(excerpts) >= 10
    for excerpt in excerpts:
        expected = region(EXAMPLES / excerpt["file"], excerpt["region"])
        assert excerpt["code"].strip() + "\n" == expected, (
            f"{excerpt['file']}#{excerpt['region']} differs from the file"
        )


def python_flow() -> ModuleType:
    """docs/examples/flow.py as a module (its ``main`` is not run)."""
    spec = importlib.util.spec_from_file_location("flow_example", EXAMPLES / "flow.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def python_documents() -> dict[str, str]:
    """The GraphQL documents of flow.py (its upper-case string constants that are operations)."""
    return {
        name: value.strip()
        for name, value in vars(python_flow()).items()
        if name.isupper() and isinstance(value, str) and re.match(r"\s*(query|mutation) ", value)
    }


def javascript_documents() -> dict[str, str]:
    found = re.findall(r'^const ([A-Z_]+) = (?:`([^`]*)`|"([^"]*)");', (EXAMPLES / "flow.mjs").read_text(), re.M)
    return {
        name: (template or plain).strip()
        for name, template, plain in found
        if (template or plain).strip()[:5] in ("query", "mutat")
    }


def test_both_examples_send_the_same_documents() -> None:
    assert javascript_documents() == python_documents()


def test_the_documents_of_the_examples_are_valid_against_the_schema() -> None:
    """Checked without a server; a document of a mutation still waiting for contract v1 may fail until it has it."""
    schema = parse_sdl((REPO_ROOT / "schema.graphql").read_text())
    waiting = mutations_without_input()
    invalid = {}
    for name, document in python_documents().items():
        errors = [e.message for e in validate(schema, parse(document))]
        if errors and not any(re.search(rf"\b{m}\(", document) for m in waiting):
            invalid[name] = errors
    assert invalid == {}


def test_the_guide_and_the_examples_name_the_demo_accounts_as_the_seed_makes_them() -> None:
    guide = GUIDE.read_text()
    assert f"`{demo_data.DEMO_PASSWORD}`" in guide
    rows = {line.split("|")[1].strip(): line for line in guide.splitlines() if line.startswith("| ")}
    for person in demo_data.PEOPLE:
        row = rows[person.full_name]
        identifiers = [person.document_identifier] + (
            [c for c in (person.phone, person.email) if c] if person.level else []
        )
        assert all(f"`{i}`" in row for i in identifiers), row
        assert f"| {person.level} |" in row, row
    flow = python_flow()
    assert flow.DEMO_PASSWORD == demo_data.DEMO_PASSWORD
    levels = {p.email: p.level for p in demo_data.PEOPLE}
    assert levels[flow.SELLER] == levels[flow.BUYER] == 2
    javascript = (EXAMPLES / "flow.mjs").read_text()
    assert all(f'"{value}"' in javascript for value in (flow.DEMO_PASSWORD, flow.SELLER, flow.BUYER))


def test_the_graphql_of_the_guide_is_valid_against_the_schema() -> None:
    schema = parse_sdl((REPO_ROOT / "schema.graphql").read_text())
    assert schema.query_type is not None
    blocks = re.findall(r"```graphql\n(.*?)```", GUIDE.read_text(), re.DOTALL)
    assert blocks
    for block in blocks:
        assert [e.message for e in validate(schema, parse(block))] == [], block
