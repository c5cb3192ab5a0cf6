"""Figures of a Neo4j outage, as a client sees it.

1. Neo4j down: how long a request takes to come back ``UNAVAILABLE`` (the first one, then the next ones),
   and how long ``/readyz`` takes to say 503.
2. Neo4j killed (``kill -9``) and restarted at once while a small load of writes runs: how long until the
   first write succeeds again, next to how long Neo4j itself took to come back.

It starts its own throwaway Neo4j (a temporary folder, a free port on 127.0.0.1) and runs the API
in-process (httpx on the ASGI app), so it talks to nothing but that Neo4j on 127.0.0.1. Every loop has a
deadline; the server and its folder are removed at the end.

Run: ``.venv/bin/python -m bench.neo4j_outage`` (two to four minutes; the JVM starts twice or three times).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import shutil
import signal
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
from asgi_lifespan import LifespanManager

from api.app import create_app
from core.settings import Settings
from graph.local_neo4j import LocalNeo4j

REGISTER = """
mutation R($input: PersonRegisterInput!) {
  personRegister(input: $input) { tokens { accessToken } errors { code message } }
}
"""
POST = "mutation P($input: PostCreateInput!) { postCreate(input: $input) { post { id } errors { code } } }"
READ = "{ schemaMigrations { totalCount } }"


@dataclass
class Outcome:
    started: float
    ended: float
    code: str  # "OK" or the error code the client saw

    @property
    def seconds(self) -> float:
        return self.ended - self.started


def code_of(response: httpx.Response) -> str:
    if response.status_code >= 500 and "json" not in response.headers.get("content-type", ""):
        return f"HTTP {response.status_code}"
    body = response.json()
    errors = body.get("errors") or []
    if errors:
        return errors[0].get("extensions", {}).get("code", "?")
    payload = next(iter((body.get("data") or {}).values()), None)
    if isinstance(payload, dict) and payload.get("errors"):
        return payload["errors"][0]["code"]
    return "OK"


async def register(client: httpx.AsyncClient, n: int) -> str:
    birth_year = 1980 + n % 20
    variables = {
        "input": {
            "fullName": "Nguyễn Văn Tải",
            "dateOfBirth": f"{birth_year}-05-17",
            "sex": "MALE",
            "roles": ["RESIDENT"],
            "document": {
                "kind": "CCCD",
                "number": f"001{(birth_year - 1900) // 100 * 2}{birth_year % 100:02d}{700000 + n:06d}",
            },
            "password": "Hồ Gươm mùa thu lá vàng 2026",
            "wardCode": "00070",
        }
    }
    body = (await client.post("/graphql", json={"query": REGISTER, "variables": variables})).json()
    result = body["data"]["personRegister"]
    assert result["errors"] == [], result
    return result["tokens"]["accessToken"]


async def write(client: httpx.AsyncClient, token: str, text: str) -> Outcome:
    started = time.monotonic()
    response = await client.post(
        "/graphql",
        json={"query": POST, "variables": {"input": {"text": text, "visibility": "PUBLIC"}}},
        headers={"authorization": f"Bearer {token}"},
    )
    return Outcome(started, time.monotonic(), code_of(response))


async def read(client: httpx.AsyncClient) -> Outcome:
    started = time.monotonic()
    response = await client.post("/graphql", json={"query": READ})
    return Outcome(started, time.monotonic(), code_of(response))


def kill_hard(server: LocalNeo4j) -> None:
    """``kill -9`` the server; reap it ourselves (we are its parent), as a supervisor would."""
    pid = int(server.pid_file.read_text())
    os.kill(pid, signal.SIGKILL)
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, 0)
    server.pid_file.unlink(missing_ok=True)


async def outage(client: httpx.AsyncClient, app, server: LocalNeo4j, token: str, requests: int) -> None:
    print(f"-- Neo4j down (kill -9), {requests} sequential requests of each kind")
    kill_hard(server)
    writes = [await write(client, token, f"down {i}") for i in range(requests)]
    reads = [await read(client) for _ in range(requests)]
    started = time.monotonic()
    ready = await client.get("/readyz")
    readyz_seconds = time.monotonic() - started
    for name, outcomes in (("write (postCreate)", writes), ("read (schemaMigrations)", reads)):
        rest = [o.seconds for o in outcomes[1:]]
        print(
            f"{name:<26} first {outcomes[0].seconds:6.2f} s {outcomes[0].code:<12} "
            f"next {min(rest):5.2f}-{max(rest):5.2f} s (median {statistics.median(rest):5.2f}) "
            f"{sorted({o.code for o in outcomes[1:]})}"
        )
    print(f"{'/readyz':<26} {readyz_seconds:6.2f} s HTTP {ready.status_code}")
    restarted = time.monotonic()
    await asyncio.to_thread(server.start)
    ready_at = time.monotonic()
    firsts = {}
    for name, call in (("read", lambda: read(client)), ("write", lambda: write(client, token, "back"))):
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            outcome = await call()
            if outcome.code == "OK":
                firsts[name] = f"{outcome.ended - ready_at:5.2f} s (that request {outcome.seconds:5.2f} s)"
                break
            await asyncio.sleep(0.05)
    print(
        f"Neo4j restart took {ready_at - restarted:5.2f} s; after it was ready, first successful read "
        f"{firsts.get('read', 'never (60 s)')}, then first successful write {firsts.get('write', 'never (60 s)')}"
    )


async def under_load(client: httpx.AsyncClient, server: LocalNeo4j, tokens: list[str], warmup: float) -> None:
    print(f"-- kill -9 under load: {len(tokens)} writers, each a postCreate loop (0.1 s pause after an error)")
    outcomes: list[Outcome] = []
    stop = asyncio.Event()
    hard_deadline = time.monotonic() + 240

    async def writer(token: str, n: int) -> None:
        i = 0
        while not stop.is_set() and time.monotonic() < hard_deadline:
            outcome = await write(client, token, f"load {n}.{i}")
            outcomes.append(outcome)
            i += 1
            if outcome.code != "OK":
                await asyncio.sleep(0.1)

    tasks = [asyncio.create_task(writer(token, n)) for n, token in enumerate(tokens)]
    await asyncio.sleep(warmup)
    before = [o for o in outcomes if o.code == "OK"]
    killed = time.monotonic()
    kill_hard(server)
    await asyncio.to_thread(server.start)
    ready = time.monotonic()
    while time.monotonic() < min(ready + 60, hard_deadline):
        if any(o.code == "OK" and o.ended > ready for o in outcomes):
            break
        await asyncio.sleep(0.05)
    await asyncio.sleep(2)
    stop.set()
    await asyncio.gather(*tasks)

    after_kill = [o for o in outcomes if o.ended > killed]
    first_ok = min((o.ended for o in after_kill if o.code == "OK"), default=None)
    failed = [o for o in after_kill if o.code != "OK"]
    during = [o for o in outcomes if o.started < ready and o.ended > killed]
    print(f"writes before the kill: {len(before)} in {warmup:.0f} s ({len(before) / warmup:.0f}/s)")
    print(f"Neo4j down and restarted in {ready - killed:5.2f} s (kill -9 -> ready)")
    if first_ok is None:
        print("first successful write: none within 60 s of Neo4j being ready")
    else:
        print(
            f"first successful write {first_ok - killed:5.2f} s after the kill, "
            f"{first_ok - ready:5.2f} s after Neo4j was ready"
        )
    if failed:
        print(
            f"failed writes after the kill: {len(failed)} {sorted({o.code for o in failed})}, each answered in "
            f"median {statistics.median(o.seconds for o in failed):5.2f} s, slowest {max(o.seconds for o in failed):5.2f} s"
        )
    if during:
        print(
            f"requests in flight or started during the outage: {len(during)}, slowest {max(o.seconds for o in during):5.2f} s"
        )


async def main(args: argparse.Namespace) -> None:
    home = Path(tempfile.mkdtemp(prefix="hanoismart-bench-outage-"))
    server = LocalNeo4j.throwaway(Settings(environment="test", neo4j_start_timeout_seconds=180), home)
    try:
        await asyncio.to_thread(server.start)
        settings = Settings(
            environment="test",
            neo4j_uri=server.uri,
            neo4j_password=server.password,
            var_dir=home / "var",
            log_level="ERROR",
            log_format="json",
        )
        app = create_app(settings)
        logging.getLogger("neo4j").setLevel(logging.CRITICAL)  # the driver's retry chatter, not figures
        async with LifespanManager(app, startup_timeout=120) as manager:
            transport = httpx.ASGITransport(app=manager.app, raise_app_exceptions=False)  # a crash is an HTTP 500
            async with httpx.AsyncClient(transport=transport, base_url="http://bench", timeout=120) as client:
                tokens = [await register(client, n) for n in range(args.writers)]
                for i in range(20):  # Neo4j plans each query once: measure outages, not first plans
                    await write(client, tokens[i % len(tokens)], f"warm-up {i}")
                await outage(client, app, server, tokens[0], args.requests)
                await under_load(client, server, tokens, args.warmup)
    finally:
        server.stop()
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--writers", type=int, default=6, help="concurrent writers in the load phase")
    parser.add_argument("--requests", type=int, default=3, help="sequential requests while Neo4j is down")
    parser.add_argument("--warmup", type=float, default=5.0, help="seconds of load before the kill")
    asyncio.run(main(parser.parse_args()))
