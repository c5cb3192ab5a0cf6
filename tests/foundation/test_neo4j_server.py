"""The Neo4j the project starts itself: bolt:// and neo4j:// both work; readiness follows the server; a
crashed server counts as stopped at once; `serve` restarts it when it dies and stops it when it stops."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from core.settings import REPO_ROOT
from graph.driver import Graph
from graph.local_neo4j import LocalNeo4j, free_port
from tests.identity.people import register
from tests.support import error_codes, gql


async def test_bolt_and_neo4j_schemes_both_work(test_settings):
    uri = test_settings.neo4j_uri
    password = test_settings.neo4j_password.get_secret_value()
    host = uri.split("://", 1)[1]
    for scheme in ("bolt", "neo4j"):
        graph = Graph.connect(test_settings, uri=f"{scheme}://{host}", password=password)
        try:
            assert await graph.ping() is True
        finally:
            await graph.close()


async def test_wrong_password_is_not_ready(test_settings):
    graph = Graph.connect(test_settings, uri=test_settings.neo4j_uri, password="wrong-password")
    try:
        assert await graph.ping() is False
    finally:
        await graph.close()


@pytest.mark.restarts_neo4j
async def test_readiness_follows_neo4j_down_and_back(client, neo4j_target):
    _uri, _password, server = neo4j_target
    if server is None:
        pytest.fail("this test stops and restarts Neo4j; run it against the server the suite starts (unset NEO4J_URI)")
    assert (await client.get("/readyz")).status_code == 200
    someone = await register(client)
    server.stop()
    try:
        down = await client.get("/readyz")
        assert down.status_code == 503
        assert down.json()["databaseReachable"] is False
        assert (await client.get("/healthz")).status_code == 200
        body = await gql(client, "{ version { neo4j } }")
        assert body["data"]["version"]["neo4j"] is None
        body = await gql(client, "{ schemaMigrations { totalCount } }")
        assert error_codes(body) == ["UNAVAILABLE"]
        signed_in = await client.post(
            "/graphql", json={"query": "{ me { id } }"}, headers={"authorization": f"Bearer {someone.access_token}"}
        )
        assert (signed_in.status_code, error_codes(signed_in.json())) == (503, ["UNAVAILABLE"]), signed_in.text
    finally:
        server.start()
    # The first requests after a restart may meet stale pooled connections; the driver retries them.
    statuses = []
    for _ in range(30):
        statuses.append((await client.get("/readyz")).status_code)
        if statuses[-1] == 200:
            break
        await asyncio.sleep(1)
    assert statuses[-1] == 200, statuses
    assert (await gql(client, "{ health { ready } }"))["data"]["health"]["ready"] is True


def _state(pid: int) -> str | None:
    """The /proc state letter of ``pid`` (Z for a zombie), None once it is gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):  # gone before the open, or reaped between open and read
        return None


def _wait_for_state(pid: int, wanted: set[str | None], seconds: float = 5.0) -> str | None:
    deadline = time.monotonic() + seconds
    while (state := _state(pid)) not in wanted and time.monotonic() < deadline:
        time.sleep(0.02)
    return state


def _cli(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "api.cli", *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=60
    )


def test_a_crashed_neo4j_counts_as_stopped_before_anyone_reaps_it(tmp_path, test_settings):
    """A dead server left as a zombie (its parent has not reaped it yet) is not running: `neo4j status`
    says so, `start` would start it, `stop` returns at once."""
    env = {**os.environ, "HANOISMART_VAR_DIR": str(tmp_path)}
    local = LocalNeo4j.for_development(test_settings.model_copy(update={"var_dir": tmp_path}))
    local.home.mkdir(parents=True)
    # Our own dead child, and a dead child of another process (`sh` then `exec sleep`, which never reaps).
    ours = subprocess.Popen(["sleep", "600"])
    theirs_parent = subprocess.Popen(
        ["sh", "-c", "sleep 600 & echo $!; exec sleep 600"], stdout=subprocess.PIPE, text=True
    )
    theirs = int(theirs_parent.stdout.readline())
    try:
        for pid in (ours.pid, theirs):
            os.kill(pid, signal.SIGKILL)
            assert _wait_for_state(pid, {"Z"}) == "Z"
            local.pid_file.write_text(str(pid))
            status = _cli("neo4j", "status", env=env, cwd=tmp_path)
            assert (status.returncode, status.stdout.strip()) == (1, "Neo4j is not running"), status.stdout
            local.pid_file.write_text(str(pid))
            assert local.running_pid() is None
            assert not local.pid_file.exists(), "a stale PID file is removed"
            local.pid_file.write_text(str(pid))
            started = time.monotonic()
            local.stop()
            assert time.monotonic() - started < 5
        assert _state(ours.pid) is None, "our own dead child is reaped"
    finally:
        for process in (ours, theirs_parent):
            process.kill()
            process.wait()


def _serve_env(var_dir: Path, api_port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEO4J_", "HANOISMART_"))}
    return {
        **env,
        "HANOISMART_VAR_DIR": str(var_dir),
        "HANOISMART_HOST": "127.0.0.1",
        "HANOISMART_PORT": str(api_port),
        "HANOISMART_NEO4J_BOLT_PORT": str(free_port()),
        "HANOISMART_NEO4J_HEAP": "512m",
        "HANOISMART_NEO4J_PAGECACHE": "128m",
        "HANOISMART_NEO4J_FAST_START": "true",
        "HANOISMART_NEO4J_START_TIMEOUT_SECONDS": "240",
        "HANOISMART_LOG_FORMAT": "json",
    }


async def _until_ready(http: httpx.AsyncClient, serve: subprocess.Popen, log: Path, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert serve.poll() is None, f"serve exited with {serve.returncode}:\n{log.read_text()[-3000:]}"
        try:
            if (await http.get("/readyz")).status_code == 200:
                return
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.5)
    pytest.fail(f"serve not ready within {seconds:.0f} s:\n{log.read_text()[-3000:]}")


def _gone(pid: int) -> bool:
    return _wait_for_state(pid, {None, "Z"}, seconds=10) in (None, "Z")


@pytest.mark.restarts_neo4j
async def test_serve_restarts_a_crashed_neo4j_and_stops_it_on_sigterm(tmp_path):
    """`hanoismart serve` (a real process): Neo4j killed -9 is reaped at once and started again, the API
    recovers by itself; SIGTERM to serve stops its Neo4j (uvicorn re-raises the signal after shutdown)."""
    var_dir = tmp_path / "var"
    var_dir.mkdir()
    (var_dir / "cache").symlink_to(REPO_ROOT / "var" / "cache")  # Neo4j's jars, fetched once
    api_port = free_port()
    env = _serve_env(var_dir, api_port)
    log = tmp_path / "serve.log"
    pid_file = var_dir / "neo4j" / "neo4j.pid"
    hanoismart = str(Path(sys.executable).parent / "hanoismart")
    with open(log, "wb") as out:
        serve = subprocess.Popen([hanoismart, "serve"], env=env, cwd=tmp_path, stdout=out, stderr=subprocess.STDOUT)
    pids: list[int] = []
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{api_port}", timeout=30) as http:
            await _until_ready(http, serve, log, 300)
            crashed = int(pid_file.read_text())
            pids.append(crashed)
            os.kill(crashed, signal.SIGKILL)
            assert _wait_for_state(crashed, {None}) is None, "serve reaps its dead Neo4j (no zombie left)"
            status = _cli("neo4j", "status", env=env, cwd=tmp_path)
            assert f"(pid {crashed})" not in status.stdout, status.stdout
            await _until_ready(http, serve, log, 300)
            restarted = int(pid_file.read_text())
            pids.append(restarted)
            assert restarted != crashed
            body = await gql(http, "{ health { ready } }")
            assert body["data"]["health"]["ready"] is True, body

        serve.send_signal(signal.SIGTERM)
        serve.wait(timeout=120)
        assert _gone(restarted), f"Neo4j {restarted} outlived serve:\n{log.read_text()[-3000:]}"
        assert not pid_file.exists()
    finally:
        if serve.poll() is None:
            serve.kill()
            serve.wait()
        for pid in pids:
            if _state(pid) not in (None, "Z"):
                os.kill(pid, signal.SIGKILL)
        shutil.rmtree(var_dir / "neo4j", ignore_errors=True)
