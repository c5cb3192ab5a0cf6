"""``make bench``: the hot operations over real HTTP against the API under uvicorn, next to their floors.

For each operation of ``bench.operations`` (reads, then orderPlace and orderPay), at concurrency 1 and 16, rounds
of API requests (httpx, keep-alive) alternate with rounds of its floor (ONE hand-written Cypher statement through
``driver.execute_query``, read routing; write routing for the writes), so a busy moment of the machine falls on both.
Printed: p50/p95/p99 (ms), throughput (req/s), API/floor ratios and Cypher statements per request (the server's
``graph.driver.statement_counter``, returned by ``bench/server.py`` only); written: ``var/bench/<UTC>-<commit>.json``
(``bench.results``), which ``python -m bench.compare A.json B.json`` puts side by side.

The API runs as a subprocess (``bench/server.py``) on a free port against the configured Neo4j (``NEO4J_URI`` and
``NEO4J_PASSWORD``, else the local development server), with the code and the venv of ``--app-dir`` (default: this
checkout), and is always stopped at the end (also on Ctrl-C or an error). ``--url`` measures a server already
running instead (no statement counts then). The data: a seeded graph (``hanoismart seed --people 10000 --seed 1``;
``--demo`` for a tiny one); the samples are found with Cypher (``bench.samples``) and the bench signs in with a
verified e-mail or phone of a seeded person and the development password (``--password``).

    .venv/bin/python -m bench.run                     # full run (~5-10 minutes at 10k people)
    .venv/bin/python -m bench.run --quick             # smoke run, seconds
    .venv/bin/python -m bench.run --app-dir ../main   # the code of another checkout, same Neo4j and data

The write path adds orders to the graph (a listing of the seller's with a large stock, closed at the end; wallet
top-ups of the buyer); the floors' own writes (``BenchOrder`` nodes) are deleted at the end. ``--no-writes`` leaves
the graph as it was.
"""

from __future__ import annotations

import argparse
import asyncio
import atexit
import base64
import contextlib
import ctypes
import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import neo4j
from neo4j import AsyncGraphDatabase, RoutingControl

from bench import operations as ops
from bench import results, samples
from bench.operations import Operation

ROOT = Path(__file__).resolve().parent.parent
SERVER_SCRIPT = Path(__file__).resolve().parent / "server.py"
STATEMENTS_HEADER = "x-bench-statements"

#: How long the API subprocess may take to answer /readyz (imports, schema build, migrations).
READY_TIMEOUT = 120.0


#: The settings (``core.settings``) whose ceilings the bench's API lifts: rate limits and query-cost budgets.
BENCH_CEILINGS = (
    "RATE_LIMIT_APP",
    "RATE_LIMIT_SANDBOX_APP",
    "RATE_LIMIT_APP_PERSON",
    "RATE_LIMIT_PERSON",
    "RATE_LIMIT_ADDRESS",
    "QUERY_COST_BUDGET_ANONYMOUS",
    "QUERY_COST_BUDGET_PERSON",
    "QUERY_COST_BUDGET_APP",
    "QUERY_COST_BUDGET_SANDBOX_APP",
)


class BenchError(Exception):
    """A reason the bench cannot run, said plainly (exit status 2)."""


def default_password() -> str:
    """The development password of seeded people: ``HANOISMART_BENCH_PASSWORD``, else the seed's, else the demo's."""
    if os.environ.get("HANOISMART_BENCH_PASSWORD"):
        return os.environ["HANOISMART_BENCH_PASSWORD"]
    try:
        from sandbox.city import CITY_PASSWORD

        return CITY_PASSWORD
    except ImportError:
        from sandbox.demo_data import DEMO_PASSWORD

        return DEMO_PASSWORD


# --- the Neo4j the bench and the API use -----------------------------------------------------------------------------


def neo4j_target() -> tuple[str, str, str]:
    """(uri, password, database) from the settings of this checkout (``NEO4J_URI`` or the local server)."""
    from core.settings import get_settings
    from graph.local_neo4j import Neo4jStartError, connection_target

    settings = get_settings()
    try:
        uri, password = connection_target(settings)
    except Neo4jStartError as exc:
        raise BenchError(str(exc)) from exc
    return uri, password, settings.neo4j_database


async def neo4j_facts(driver: neo4j.AsyncDriver, database: str) -> dict[str, Any]:
    facts: dict[str, Any] = {}
    records, _, _ = await driver.execute_query(
        "CALL dbms.components() YIELD name, versions, edition", database_=database
    )
    for record in records:
        facts["version"] = record["versions"][0]
        facts["edition"] = record["edition"]
    with contextlib.suppress(neo4j.exceptions.Neo4jError):
        records, _, _ = await driver.execute_query(
            "SHOW SETTINGS YIELD name, value WHERE name IN $names RETURN name, value",
            {
                "names": [
                    "server.memory.heap.max_size",
                    "server.memory.pagecache.size",
                    "server.jvm.additional",
                ]
            },
            database_=database,
        )
        facts["settings"] = {r["name"]: r["value"] for r in records}
    return facts


# --- the API subprocess --------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _die_with_parent() -> None:
    """In the child before exec: get SIGTERM when the bench dies, even by SIGKILL (Linux), so no server outlives it."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


class Server:
    """``bench/server.py`` under the Python of ``app_dir``, on a free port, logging to ``log_path``."""

    def __init__(self, app_dir: Path, uri: str, password: str, log_path: Path) -> None:
        self.app_dir = app_dir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        python = app_dir / ".venv" / "bin" / "python"
        self.python = str(python) if python.exists() else sys.executable
        self.env = {
            **os.environ,
            "NEO4J_URI": uri,
            "NEO4J_PASSWORD": password,
            "BENCH_APP_DIR": str(app_dir),
            # Keys and secrets from this checkout's var/ (where `hanoismart seed` wrote them), never the other
            # checkout's: a citizen ID signs in only under the HMAC key it was seeded with.
            "HANOISMART_VAR_DIR": os.environ.get("HANOISMART_VAR_DIR") or str(ROOT / "var"),
            "PYTHONPATH": str(app_dir),
            # A full run outlasts the default 10-minute access token.
            "HANOISMART_ACCESS_TOKEN_TTL_SECONDS": "3600",
            "HANOISMART_HOST": "127.0.0.1",
            "HANOISMART_PORT": str(self.port),
            # One client from one address sends thousands of requests a minute: the request windows and the
            # query-cost budgets stay on (their cost is part of every figure) with their ceilings out of reach.
            **{f"HANOISMART_{name}": "1000000000" for name in BENCH_CEILINGS},
        }
        if app_dir != ROOT:
            self.env["PYTHONDONTWRITEBYTECODE"] = "1"  # leave the other checkout as it was
        self.process: subprocess.Popen[bytes] | None = None

    def facts(self) -> dict[str, Any]:
        """Python and driver of the API's venv (the checkout under test may pin others)."""
        probe = (
            "import sys, json, importlib.metadata as m\n"
            "def v(p):\n"
            "    try: return m.version(p)\n"
            "    except m.PackageNotFoundError: return None\n"
            "print(json.dumps({'python': sys.version.split()[0], 'neo4j_driver': v('neo4j'),"
            " 'neo4j_rust_ext': v('neo4j-rust-ext'), 'strawberry': v('strawberry-graphql'),"
            " 'uvicorn': v('uvicorn'), 'uvloop': v('uvloop')}))"
        )
        try:
            done = subprocess.run([self.python, "-c", probe], capture_output=True, text=True, timeout=30)
            return {"python_executable": self.python, **json.loads(done.stdout)}
        except (OSError, ValueError, subprocess.SubprocessError):
            return {"python_executable": self.python}

    def start(self) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            [self.python, str(SERVER_SCRIPT), "--port", str(self.port)],
            cwd=self.app_dir,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # Ctrl-C reaches the bench only; the bench stops the server itself
            preexec_fn=_die_with_parent,
        )
        log.close()

    def wait_ready(self, timeout: float = READY_TIMEOUT, path: str = "/readyz") -> None:
        deadline = time.monotonic() + timeout
        last = "no answer"
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise BenchError(
                    f"The API exited with status {self.process.returncode} before it was ready.\n{self.tail()}"
                )
            try:
                answer = httpx.get(self.url + path, timeout=2)
                if answer.status_code == 200:
                    return
                last = f"{answer.status_code} {answer.text[:200]}"
            except httpx.HTTPError as exc:
                last = str(exc) or type(exc).__name__
            time.sleep(0.25)
        raise BenchError(f"{self.url} did not get ready within {timeout:.0f} s (last: {last}).\n{self.tail()}")

    def tail(self, lines: int = 25) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:]
        except OSError:
            return ""
        return f"Last lines of {self.log_path}:\n" + "\n".join("  " + line for line in text)

    def stop(self) -> None:
        """SIGTERM to the server's process group, then SIGKILL after 15 s; idempotent."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)


GENERIC_DIR = Path(__file__).resolve().parent / "generic"
#: The documents of the four shared queries as the generic library answers them, sent by operation name.
GENERIC_DOCUMENTS = (GENERIC_DIR / "documents.graphql").read_text(encoding="utf-8")
#: The operations the generic library answers too, with their variables from the samples.
GENERIC_VARIABLES: dict[str, Callable[[dict[str, Any]], tuple[str, dict[str, Any]]]] = {
    "communes": lambda s: ("communes", {}),
    "person_posts": lambda s: ("person_posts", {"id": s["person"]}),
    "organization_posts": lambda s: (
        "organization_posts" if s["organization_type"] == "Organization" else "person_posts_20",
        {"id": s["organization"]},
    ),
    "listings_category": lambda s: ("listings_category", {"category": s["category"]}),
}


class GenericServer(Server):
    """``bench/generic/server.mjs`` (@neo4j/graphql on Node) on a free port, against the same Neo4j."""

    def __init__(self, uri: str, password: str, log_path: Path) -> None:
        self.app_dir = GENERIC_DIR
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self.env = {**os.environ, "NEO4J_URI": uri, "NEO4J_PASSWORD": password, "PORT": str(self.port)}
        self.process = None
        if not (GENERIC_DIR / "node_modules" / "@neo4j" / "graphql").exists():
            raise BenchError(f"--generic needs its Node packages: `npm ci --prefix {GENERIC_DIR}` (node 20+).")

    def facts(self) -> dict[str, Any]:
        try:
            package = json.loads((GENERIC_DIR / "node_modules" / "@neo4j" / "graphql" / "package.json").read_text())
            node = subprocess.run(["node", "--version"], capture_output=True, text=True, timeout=10).stdout.strip()
        except (OSError, ValueError, subprocess.SubprocessError):
            return {}
        return {"library": f"@neo4j/graphql {package.get('version')}", "node": node}

    def start(self) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            ["node", "server.mjs"],
            cwd=GENERIC_DIR,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            preexec_fn=_die_with_parent,
        )
        log.close()

    def wait_ready(self, timeout: float = READY_TIMEOUT, path: str = "/healthz") -> None:
        super().wait_ready(timeout, path)


# --- timing --------------------------------------------------------------------------------------------------------

#: One call: (seconds, error or None, statements or None, parsed body or None).
Call = Callable[[], Awaitable[tuple[float, str | None, int | None, Any]]]


async def batch(
    call: Call, count: int, concurrency: int, side: results.Side, statements: list[int] | None
) -> list[Any]:
    """``count`` calls by ``concurrency`` workers; latencies, errors and wall time into ``side``; the bodies back."""
    remaining = count
    bodies: list[Any] = []

    async def worker() -> None:
        nonlocal remaining
        while remaining > 0:
            remaining -= 1
            elapsed, error, counted, body = await call()
            if error is None:
                side.latencies.append(elapsed)
                bodies.append(body)
                if statements is not None and counted is not None:
                    statements.append(counted)
            else:
                side.errors += 1
                side.first_error = side.first_error or error

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(min(concurrency, count))))
    side.wall += time.perf_counter() - started
    return bodies


class Bench:
    def __init__(self, args: argparse.Namespace, client: httpx.AsyncClient, driver: neo4j.AsyncDriver, database: str):
        self.args = args
        self.client = client
        self.driver = driver
        self.database = database
        self.tokens: dict[str, str] = {}
        #: A client of the generic server (``--generic``), else None.
        self.generic: httpx.AsyncClient | None = None
        self.rows: list[dict[str, Any]] = []
        self.skipped: dict[str, str] = {}

    # calls ------------------------------------------------------------------------------------------------------
    def api_call(self, document: str, variables: dict[str, Any], who: str | None, *, parse: bool = False) -> Call:
        headers = {"Authorization": f"Bearer {self.tokens[who]}"} if who else {}
        payload = {"query": document, "variables": variables}

        async def call() -> tuple[float, str | None, int | None, Any]:
            started = time.perf_counter()
            try:
                response = await self.client.post("/graphql", json=payload, headers=headers)
            except httpx.HTTPError as exc:
                return time.perf_counter() - started, f"{type(exc).__name__}: {exc}", None, None
            elapsed = time.perf_counter() - started
            counted = response.headers.get(STATEMENTS_HEADER)
            if response.status_code != 200:
                return elapsed, f"HTTP {response.status_code}: {response.text[:300]}", None, None
            if parse:
                body = response.json()
                if body.get("errors"):
                    return elapsed, json.dumps(body["errors"])[:300], None, None
                return elapsed, None, int(counted) if counted else None, body
            if b'"errors"' in response.content:  # no read document selects a field named errors
                return elapsed, response.text[:300], None, None
            return elapsed, None, int(counted) if counted else None, None

        return call

    def generic_call(self, operation: str, variables: dict[str, Any]) -> Call:
        """The same read through @neo4j/graphql (``bench/generic``): one operation of its documents, by name."""
        assert self.generic is not None
        client = self.generic
        payload = {"query": GENERIC_DOCUMENTS, "operationName": operation, "variables": variables}

        async def call() -> tuple[float, str | None, int | None, Any]:
            started = time.perf_counter()
            try:
                response = await client.post("/graphql", json=payload)
            except httpx.HTTPError as exc:
                return time.perf_counter() - started, f"{type(exc).__name__}: {exc}", None, None
            elapsed = time.perf_counter() - started
            if response.status_code != 200 or b'"errors"' in response.content:
                return elapsed, f"HTTP {response.status_code}: {response.text[:300]}", None, None
            if b"[]" in response.content[:40]:  # the root list came back empty: wrong sample or mapping
                return elapsed, f"empty answer: {response.text[:200]}", None, None
            return elapsed, None, None, None

        return call

    def floor_call(self, query: str, params: dict[str, Any], *, write: bool = False) -> Call:
        routing = RoutingControl.WRITE if write else RoutingControl.READ

        async def call() -> tuple[float, str | None, int | None, Any]:
            started = time.perf_counter()
            try:
                records, _, _ = await self.driver.execute_query(
                    query, params, database_=self.database, routing_=routing
                )
            except (neo4j.exceptions.Neo4jError, neo4j.exceptions.DriverError) as exc:
                return time.perf_counter() - started, f"{type(exc).__name__}: {exc}", None, None
            return time.perf_counter() - started, None, None, records

        return call

    # sign in ----------------------------------------------------------------------------------------------------
    async def sign_in(self, role: str, identifier: str) -> None:
        body = (
            await self.client.post(
                "/graphql",
                json={
                    "query": ops.SIGN_IN,
                    "variables": {"input": {"identifier": identifier, "password": self.args.password}},
                },
            )
        ).json()
        payload = (body.get("data") or {}).get("sessionLogin") or {}
        if not payload.get("tokens"):
            problem = payload.get("errors") or body.get("errors")
            raise BenchError(
                f"Could not sign in as the {role} ({identifier}): {problem}. The bench signs in with the development "
                "password of the seed (--password or HANOISMART_BENCH_PASSWORD)."
            )
        self.tokens[role] = payload["tokens"]["accessToken"]

    # reads ------------------------------------------------------------------------------------------------------
    async def read(self, op: Operation, found: dict[str, Any]) -> None:
        missing = [need for need in op.needs if need not in found]
        if missing:
            self.skipped[op.title] = "no sample in this graph: " + ", ".join(missing)
            return
        who = "viewer" if op.signed_in else None
        api = self.api_call(op.document, op.variables(found), who)
        floor = self.floor_call(op.floor, op.floor_params(found))
        # One checked call each first: a failing operation is reported and skipped, not timed.
        elapsed, error, _, body = await self.api_call(op.document, op.variables(found), who, parse=True)()
        if error is None and op.expect:
            value = body["data"]
            for key in op.expect:
                value = value.get(key) if isinstance(value, dict) else None
            if value is None:
                error = f"data.{'.'.join(op.expect)} is null: {json.dumps(body['data'])[:200]}"
        if error is None:
            _, error, _, _ = await floor()
        if error is not None:
            self.skipped[op.title] = error
            return
        generic = None
        if self.generic is not None and op.name in GENERIC_VARIABLES:
            generic = self.generic_call(*GENERIC_VARIABLES[op.name](found))
            _, generic_error, _, _ = await generic()
            if generic_error is not None:
                self.skipped[op.title + " (generic)"] = generic_error
                generic = None
        await self.measure(op.name, op.title, api, floor, generic)

    async def measure(self, name: str, title: str, api: Call, floor: Call, generic: Call | None = None) -> None:
        started = time.perf_counter()
        calls = {"api": api, "floor": floor, **({"generic": generic} if generic is not None else {})}
        warm = results.Side()
        for call in calls.values():
            await batch(call, self.args.warmup, 1, warm, None)
        for concurrency in self.args.concurrency:
            sides = {side: results.Side() for side in calls}
            counted: list[int] = []
            total = self.args.requests if concurrency == 1 else self.args.per_worker * concurrency
            per_round = max(1, total // self.args.rounds)
            order = list(calls)
            for _ in range(self.args.rounds):
                for side in order:
                    await batch(calls[side], per_round, concurrency, sides[side], counted if side == "api" else None)
                order = order[1:] + order[:1]  # each side goes first in turn
            self.rows.append(
                results.row(name, title, concurrency, sides["api"], sides["floor"], counted, sides.get("generic"))
            )
        self.progress(f"{title}: {time.perf_counter() - started:.1f} s")

    def progress(self, text: str) -> None:
        print(f"  {text}", file=sys.stderr, flush=True)

    # writes -----------------------------------------------------------------------------------------------------
    async def writes(self, found: dict[str, Any], identifiers: dict[str, str]) -> None:
        if "buyer" not in found or "seller" not in found:
            self.skipped["orderPlace + orderPay"] = "no two level-2 people who can sign in (buyer and seller)"
            return
        await self.sign_in("buyer", identifiers["buyer"])
        await self.sign_in("seller", identifiers["seller"])
        created = await self.api_call(
            ops.LISTING_CREATE,
            {
                "input": {
                    "kind": "GOODS",
                    "title": "Bench: một món hàng thử tải",
                    "description": "Made by bench/run.py to buy from; closed at the end of the run.",
                    "priceDong": ops.BENCH_LISTING_PRICE,
                    "stock": ops.BENCH_LISTING_STOCK,
                    # never the browsed category: the bench's listing must not show in the measured pages
                    "category": self.args.write_category
                    if self.args.write_category != found.get("category")
                    else "household"
                    if found.get("category") != "household"
                    else "food",
                    "publish": True,
                }
            },
            "seller",
            parse=True,
        )()
        listing = created[3] and created[3]["data"]["listingCreate"]
        if created[1] or not listing or listing["errors"]:
            self.skipped["orderPlace + orderPay"] = f"the seller could not list: {created[1] or listing}"
            return
        listing_id = listing["listing"]["id"]
        try:
            await self._orders(found, listing_id)
        finally:
            await self.api_call(ops.LISTING_CLOSE, {"input": {"listingId": listing_id, "status": "CLOSED"}}, "seller")()
            while True:
                records, _, _ = await self.driver.execute_query(
                    ops.FLOOR_CLEANUP, database_=self.database, routing_=RoutingControl.WRITE
                )
                if not records or not records[0]["deleted"]:
                    break

    async def _orders(self, found: dict[str, Any], listing_global_id: str) -> None:
        started = time.perf_counter()
        listing_uuid = listing_global_id and _uuid_of(listing_global_id)
        largest = max(self.args.requests, self.args.per_worker * max(self.args.concurrency)) + 2 * self.args.warmup
        needed = largest * ops.BENCH_LISTING_PRICE * 3
        while needed > 0:
            amount = min(needed, ops.BENCH_TOP_UP)
            await self.api_call(
                ops.TOP_UP, {"input": {"amountDong": amount, "idempotencyKey": f"bench-{uuid.uuid4()}"}}, "buyer"
            )()
            needed -= amount

        def place() -> Call:
            async def call() -> tuple[float, str | None, int | None, Any]:
                variables = {
                    "input": {"listingId": listing_global_id, "quantity": 1, "idempotencyKey": f"bench-{uuid.uuid4()}"}
                }
                return await _payload_call(self.api_call(ops.ORDER_PLACE, variables, "buyer", parse=True), "orderPlace")

            return call

        def move(document: str, field: str, who: str, order_ids: list[str]) -> Call:
            pending = list(order_ids)

            async def call() -> tuple[float, str | None, int | None, Any]:
                order = pending.pop()
                variables = {"input": {"orderId": order, "idempotencyKey": f"bench-{uuid.uuid4()}"}}
                return await _payload_call(self.api_call(document, variables, who, parse=True), field)

            return call

        def floor_place() -> Call:
            return self.floor_call(
                ops.FLOOR_ORDER_PLACE, {"buyer": found["buyer"], "listing": listing_uuid, "quantity": 1}, write=True
            )

        def floor_pay(order_ids: list[str]) -> Call:
            pending = list(order_ids)

            async def call() -> tuple[float, str | None, int | None, Any]:
                return await self.floor_call(
                    ops.FLOOR_ORDER_PAY, {"buyer": found["buyer"], "order": pending.pop()}, write=True
                )()

            return call

        async def cycle(
            count: int, concurrency: int, sides: dict[str, results.Side], counted: dict[str, list[int]]
        ) -> None:
            """API: place ``count`` orders, the seller accepts them (not timed), pay them; floor: place, pay."""
            bodies = await batch(place(), count, concurrency, sides["place_api"], counted["place"])
            orders = [b["data"]["orderPlace"]["order"]["id"] for b in bodies]
            await batch(
                move(ops.ORDER_ACCEPT, "orderAccept", "seller", orders), len(orders), concurrency, results.Side(), None
            )
            await batch(
                move(ops.ORDER_PAY, "orderPay", "buyer", orders),
                len(orders),
                concurrency,
                sides["pay_api"],
                counted["pay"],
            )
            records = await batch(floor_place(), count, concurrency, sides["place_floor"], None)
            floor_orders = [r[0]["order"]["id"] for r in records if r]
            await batch(floor_pay(floor_orders), len(floor_orders), concurrency, sides["pay_floor"], None)

        # one checked cycle first
        probe = {k: results.Side() for k in ("place_api", "pay_api", "place_floor", "pay_floor")}
        await cycle(max(1, self.args.warmup), 1, probe, {"place": [], "pay": []})
        failed = {k: s.first_error for k, s in probe.items() if s.errors}
        if failed:
            self.skipped["orderPlace + orderPay"] = "; ".join(f"{k}: {v}" for k, v in failed.items())
            return
        for concurrency in self.args.concurrency:
            sides = {k: results.Side() for k in ("place_api", "pay_api", "place_floor", "pay_floor")}
            counted: dict[str, list[int]] = {"place": [], "pay": []}
            total = self.args.requests if concurrency == 1 else self.args.per_worker * concurrency
            per_round = max(1, total // self.args.rounds)
            for _ in range(self.args.rounds):
                await cycle(per_round, concurrency, sides, counted)
            self.rows.append(
                results.row(
                    "order_place", "orderPlace", concurrency, sides["place_api"], sides["place_floor"], counted["place"]
                )
            )
            self.rows.append(
                results.row(
                    "order_pay",
                    "orderPay (after the seller accepts)",
                    concurrency,
                    sides["pay_api"],
                    sides["pay_floor"],
                    counted["pay"],
                )
            )
        self.progress(f"orderPlace + orderPay: {time.perf_counter() - started:.1f} s")


def _uuid_of(global_id_value: str) -> str:
    return base64.b64decode(global_id_value).decode().split(":", 1)[1]


async def _payload_call(call: Call, field: str) -> tuple[float, str | None, int | None, Any]:
    """A mutation call whose payload's ``errors`` must be empty."""
    elapsed, error, counted, body = await call()
    if error is None:
        payload = body["data"][field]
        if payload.get("errors"):
            error = json.dumps(payload["errors"])[:300]
    return elapsed, error, counted, body


# --- the run -------------------------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.run", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="Smoke run: a few requests per operation (seconds).")
    parser.add_argument("--app-dir", type=Path, default=ROOT, help="Checkout whose code (and .venv) the API runs.")
    parser.add_argument(
        "--url", help="Measure an API already running at this URL (no subprocess; no statement counts)."
    )
    parser.add_argument("--password", default=None, help="Password of the seeded people (default: the seed's).")
    parser.add_argument(
        "--viewer", help="Sign in as this person (e-mail, phone or citizen ID) instead of the sampled resident."
    )
    parser.add_argument("--requests", type=int, help="Requests per side at concurrency 1 (default 200; quick 6).")
    parser.add_argument("--per-worker", type=int, help="Requests per worker at concurrency > 1 (default 30; quick 1).")
    parser.add_argument("--rounds", type=int, help="Interleaved API/floor rounds per concurrency (default 4; quick 1).")
    parser.add_argument("--warmup", type=int, help="Untimed calls per side first (default 20; quick 2).")
    parser.add_argument("--concurrency", default="1,16", help="Comma-separated concurrencies (default 1,16).")
    parser.add_argument("--only", help="Comma-separated operation names to run (see --list).")
    parser.add_argument("--no-writes", action="store_true", help="Leave out orderPlace/orderPay (no writes).")
    parser.add_argument(
        "--write-category", default="other", help="Category of the listing the bench buys from (default other)."
    )
    parser.add_argument("--label", default="", help="Free text kept in the result file (e.g. 'before, 10k').")
    parser.add_argument("--out-dir", type=Path, default=ROOT / "var" / "bench", help="Where the JSON file goes.")
    parser.add_argument(
        "--generic",
        action="store_true",
        help="Also measure the four shared queries through @neo4j/graphql (bench/generic; needs node and npm ci).",
    )
    parser.add_argument("--list", action="store_true", help="List the operations and exit.")
    args = parser.parse_args(argv)
    quick = args.quick
    args.requests = args.requests or (6 if quick else 200)
    args.per_worker = args.per_worker or (1 if quick else 30)
    args.rounds = args.rounds or (1 if quick else 4)
    args.warmup = args.warmup if args.warmup is not None else (2 if quick else 20)
    args.concurrency = [int(c) for c in args.concurrency.split(",") if c.strip()]
    args.only = {name.strip() for name in args.only.split(",")} if args.only else None
    args.password = args.password or default_password()
    args.app_dir = args.app_dir.resolve()
    return args


async def run(args: argparse.Namespace) -> dict[str, Any]:
    uri, password, database = neo4j_target()
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    driver = AsyncGraphDatabase.driver(uri, auth=("neo4j", password), notifications_min_severity="OFF")
    server: Server | None = None
    generic_server: GenericServer | None = None
    client: httpx.AsyncClient | None = None
    bench: Bench | None = None
    try:
        try:
            await driver.verify_connectivity()
        except (neo4j.exceptions.Neo4jError, neo4j.exceptions.DriverError, OSError) as exc:
            raise BenchError(
                f"Neo4j at {uri} does not answer ({type(exc).__name__}: {exc}). Start it (`make neo4j-start`) or set "
                "NEO4J_URI and NEO4J_PASSWORD."
            ) from exc
        records, _, _ = await driver.execute_query(
            "MATCH (p:Person) RETURN count(p) AS people", database_=database, routing_=RoutingControl.READ
        )
        if not records[0]["people"]:
            raise BenchError(samples.NO_PEOPLE)
        if args.url:
            url = args.url.rstrip("/")
            server_facts: dict[str, Any] = {"url": url, "external": True}
        else:
            server = Server(args.app_dir, uri, password, args.out_dir / f"{stamp}-server.log")
            atexit.register(server.stop)
            server_facts = server.facts()
            print(f"Starting the API ({args.app_dir}) on {server.url} ...", file=sys.stderr, flush=True)
            server.start()
            await asyncio.to_thread(server.wait_ready)
            url = server.url
        if args.generic:
            generic_server = GenericServer(uri, password, args.out_dir / f"{stamp}-generic.log")
            atexit.register(generic_server.stop)
            server_facts["generic"] = generic_server.facts()
            print(f"Starting the generic server on {generic_server.url} ...", file=sys.stderr, flush=True)
            generic_server.start()
            await asyncio.to_thread(generic_server.wait_ready)
        limits = httpx.Limits(max_connections=256, max_keepalive_connections=256)
        client = httpx.AsyncClient(base_url=url, timeout=60, limits=limits)
        bench = Bench(args, client, driver, database)
        if generic_server is not None:
            bench.generic = httpx.AsyncClient(base_url=generic_server.url, timeout=60, limits=limits)
        viewer_id = None
        if args.viewer:
            await bench.sign_in("viewer", args.viewer)
            me = await bench.api_call(ops.ME, {}, "viewer", parse=True)()
            if me[1] or not me[3]["data"]["me"]:
                raise BenchError(f"Signed in as {args.viewer} but `me` failed: {me[1] or me[3]}")
            viewer_id = _uuid_of(me[3]["data"]["me"]["id"])
        try:
            found = await samples.find(
                driver, database, quick=args.quick, viewer_id=viewer_id, viewer_identifier=args.viewer
            )
        except samples.NoData as exc:
            raise BenchError(str(exc)) from exc
        meta: dict[str, Any] = {
            "started": stamp,
            "label": args.label,
            "quick": args.quick,
            "settings": {
                "requests_at_1": args.requests,
                "per_worker": args.per_worker,
                "rounds": args.rounds,
                "warmup": args.warmup,
                "concurrency": args.concurrency,
            },
            "code": results.git_facts(args.app_dir),
            "bench": results.git_facts(ROOT),
            "machine": results.machine_facts(),
            "client": {"python": sys.version.split()[0], "neo4j_driver": neo4j.__version__, "httpx": httpx.__version__},
            "neo4j": {"uri": uri, **(await neo4j_facts(driver, database))},
            "server": server_facts,
            "graph": found.facts.pop("graph"),
            "samples": {"ids": found.ids, **found.facts},
        }
        g = meta["graph"]
        print(
            f"Graph: {g['people']} people, {g['connections']} connections, {g['posts']} posts, {g['listings']} listings; "
            f"viewer with {found.facts.get('viewer_connections')} connections.",
            file=sys.stderr,
            flush=True,
        )
        started = time.perf_counter()
        if "viewer" not in bench.tokens:
            await bench.sign_in("viewer", found.identifiers["viewer"])
        for op in ops.READS:
            if args.only is None or op.name in args.only:
                await bench.read(op, found.ids)
        if not args.no_writes and (args.only is None or {"order_place", "order_pay", "orders"} & args.only):
            await bench.writes(found.ids, found.identifiers)
        meta["seconds"] = round(time.perf_counter() - started, 1)
        meta["machine"]["load_average_after"] = results.load_average()
        return {"meta": meta, "rows": bench.rows, "skipped": bench.skipped}
    finally:
        if client is not None:
            await client.aclose()
        if bench is not None and bench.generic is not None:
            await bench.generic.aclose()
        if server is not None:
            server.stop()
        if generic_server is not None:
            generic_server.stop()
        await driver.close()


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.list:
        for op in ops.READS:
            print(f"{op.name:<22} {op.title}")
        print(f"{'orders':<22} orderPlace + orderPay (order_place, order_pay)")
        return 0
    previous = signal.signal(signal.SIGTERM, _exit_on_sigterm)
    try:
        result = asyncio.run(run(args))
    except BenchError as exc:
        print(f"bench: {exc}", file=sys.stderr)
        return 2
    finally:
        signal.signal(signal.SIGTERM, previous)
    meta = result["meta"]
    path = results.write(result, args.out_dir, meta["started"], meta["code"]["short"])
    code = meta["code"]
    print()
    print(
        f"HanoiSmart bench {meta['started']}  code {code['short']}{' (dirty)' if code['dirty'] else ''} "
        f"[{code['branch']}]  {meta['graph']['people']} people  "
        f"{meta['machine']['cpu_count']} x {meta['machine']['cpu_model']}  Neo4j {meta['neo4j'].get('version')}  "
        f"load {meta['machine']['load_average']} -> {meta['machine']['load_average_after']}"
    )
    print(
        "ms; x = API / floor (p50: lower is better, 1.0 = as fast as one hand-written statement); stmts = Cypher per request"
    )
    print(results.table(result["rows"], result["skipped"]))
    print(f"\n{len(result['rows'])} rows in {meta['seconds']} s; written {path}")
    errors = sum(r["api"]["errors"] + r["floor"]["errors"] for r in result["rows"])
    return 1 if errors or not result["rows"] else 0


def _exit_on_sigterm(signum: int, frame: object) -> None:
    """A SIGTERM unwinds through ``finally`` (the API subprocess is stopped) like Ctrl-C."""
    raise SystemExit(128 + signum)


if __name__ == "__main__":
    sys.exit(main())
