"""``make bench`` works: a quick run on a tiny graph starts the API under uvicorn, prints the table and writes the
JSON (commit, machine facts, figures, statements per request); ``bench.compare`` reads two such files; a missing
graph is said plainly. Figures are never asserted (DESIGN.md: statement counts are, in the statement tests)."""

from __future__ import annotations

import asyncio
import json
import os
import re
import sys
from pathlib import Path

import httpx
import pytest

from bench import compare
from core.settings import REPO_ROOT
from tests.identity.people import PASSWORD, register
from tests.social.helpers import connect, post


async def _bench(test_settings, out_dir: Path, *args: str) -> tuple[int, str, str]:
    """``python -m bench.run`` as ``make bench`` runs it, against the test's Neo4j and keys."""
    env = {
        **os.environ,
        "NEO4J_URI": test_settings.neo4j_uri,
        "NEO4J_PASSWORD": test_settings.neo4j_password.get_secret_value(),
        # the API under test signs in with the citizen IDs of this session: its HMAC key
        "HANOISMART_VAR_DIR": str(test_settings.var_dir),
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bench.run",
        *args,
        "--out-dir",
        str(out_dir),
        cwd=REPO_ROOT,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), 300)
    return process.returncode or 0, stdout.decode(), stderr.decode()


async def test_a_quick_run_prints_the_table_and_writes_the_result_file(client, test_settings, tmp_path) -> None:
    viewer = await register(client, fullName="Nguyễn Văn Xem")
    friend = await register(client, fullName="Trần Thị Bạn")
    await connect(client, viewer, friend)
    for number in range(3):
        await post(client, friend, f"Bài viết số {number} của bạn")

    status, out, err = await _bench(
        test_settings,
        tmp_path,
        "--quick",
        "--warmup",
        "0",
        "--requests",
        "2",
        "--no-writes",
        "--only",
        "typename,me,person_posts,feed",
        "--concurrency",
        "1,2",
        "--viewer",
        viewer.document,
        "--password",
        PASSWORD,
        "--label",
        "test",
    )
    assert status == 0, out + err

    lines = out.splitlines()
    for title in ("{ __typename }", "me (profile)", "person: 10 posts, authors, reactions", "feed (20)"):
        assert sum(line.startswith(title) for line in lines) == 2, out  # concurrency 1 and 2
    [path] = tmp_path.glob("*.json")
    result = json.loads(path.read_text(encoding="utf-8"))
    meta = result["meta"]
    assert meta["code"]["commit"] and path.name.endswith(f"-{meta['code']['short']}.json")
    assert meta["machine"]["cpu_count"] and meta["neo4j"]["version"].startswith("5.")
    assert meta["graph"]["people"] == 2 and meta["samples"]["viewer_connections"] == 1
    rows = {(r["operation"], r["concurrency"]): r for r in result["rows"]}
    assert set(rows) == {(name, c) for name in ("typename", "me", "person_posts", "feed") for c in (1, 2)}
    for r in rows.values():
        assert r["api"]["n"] > 0 and r["floor"]["n"] > 0 and r["api"]["errors"] == r["floor"]["errors"] == 0, r
        assert r["api"]["p50"] <= r["api"]["p95"] <= r["api"]["p99"] and r["ratio_p50"] > 0
    assert rows[("typename", 1)]["statements"]["max"] == 0  # the server's counter, through the bench-only header
    assert rows[("person_posts", 1)]["statements"]["min"] >= 1

    # the API subprocess was stopped: its port no longer answers
    url = re.search(r"Starting the API \(.*\) on (http://[\d.:]+)", err)
    assert url, err
    with pytest.raises(httpx.ConnectError):
        httpx.get(url[1] + "/healthz", timeout=5)
    assert "written " + str(path) in out

    printed = compare.compare(result, result)
    assert "feed (20)" in printed and "1.00x" in printed


async def test_an_empty_graph_is_refused_plainly(test_settings, wiped_graph, tmp_path) -> None:
    status, out, err = await _bench(test_settings, tmp_path, "--quick")
    assert status == 2
    assert "The graph holds no people. Seed it first" in err
    assert not list(tmp_path.glob("*.json"))
