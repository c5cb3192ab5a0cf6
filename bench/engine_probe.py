"""Server CPU per GraphQL request, in process: microseconds of CPU the ASGI app spends on a few documents.

The app is the real one (``api.app.create_app``: middleware, view, schema with its extensions and per-field
wrappers, JSON, the access log line), called directly as an ASGI application (no HTTP client, no socket), so the
figure is the server's own work. ``{ __typename }`` needs no Neo4j; ``--neo4j`` adds documents that read the
graph (``NEO4J_URI``/``NEO4J_PASSWORD``, or the local development server), whose figure then includes the driver
(but not Neo4j's own time: CPU of this process only).

The viewer is set without a token (the probe replaces the view's token check): anonymous, a person, and a partner
app acting for a person with every scope, so the per-field wrappers of ``schema.app_scope`` and ``schema.app_ids``
are measured for each kind of caller. Log lines go to /dev/null (rendered all the same)::

    .venv/bin/python -m bench.engine_probe                 # { __typename } and friends, no Neo4j
    .venv/bin/python -m bench.engine_probe --neo4j         # + communes pages read from the graph
    .venv/bin/python -m bench.engine_probe --profile       # + a pyinstrument profile of { __typename } (if installed)
    .venv/bin/python -m bench.engine_probe --bolt          # Bolt: managed transactions, BEGIN pipelined or not
    .venv/bin/python -m bench.engine_probe --cost          # what the query cost adds (schema.cost), A/B in process
    .venv/bin/python -m bench.engine_probe --reads         # the bench's compiled reads on a seeded graph (below)
    .venv/bin/python -m bench.engine_probe --fields        # per-field cost: 20 listings in memory, lean or not

``--bolt`` (needs Neo4j) times ``Graph.read`` of small statements through the real ``graph.driver.Graph``: wall
and CPU per transaction at concurrency 1 and 16, BEGIN sent alone versus with the first statement; and a request
of three reads (as three loaders would run them) in three parallel transactions versus one shared transaction
(statements one after the other, as a lock would serialise them).

``--cost`` times the query cost on its own (``schema.cost.operation_cost`` per document, the variables' coercion,
a budget's ``spend`` on the memory storage with a budget kept full as production's 10,000 points would be) and then
each document end to end twice in the same process: as built, and with the request stage's ``charge`` replaced by
a no-op (the difference is what pricing and budgets add per request). The probe's budgets and request windows are
out of reach (a window of one second), so every request is served.

``--reads`` (needs a seeded Neo4j: ``hanoismart seed --people 2000 --seed 1``) runs the bench's hot reads
(``bench.operations``: listings of a category, listing search, a person's and a community's posts, the feed, ``me``)
and two wide ones (``READS_WIDE``: 20 listings with 15 fields each and their sellers; 20 posts of a community with
their authors) in process, as the bench's viewer (``bench.samples``: a resident) and as a partner app acting for
them: the CPU of the whole request in this process, the driver's included (what Strawberry, our wrappers and the
Bolt client cost per request; Neo4j's own time is not in it).

Prints, per document and viewer: µs of CPU per request (the best of ``--rounds`` rounds of ``--requests``
requests, after a warm-up: other processes sharing the CPU only ever add to it).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import strawberry
from asgi_lifespan import LifespanManager

from api.app import create_app
from api.graphql_view import GraphQLView
from auth.viewer import ANONYMOUS, Viewer
from core.settings import Settings
from graph.driver import Graph, run
from partners.scopes import BY_NAME
from schema import assemble
from schema.common import Dong
from schema.listings import Listing, ListingKind, ListingStatus, SellerRating

PERSON = Viewer(kind="person", actor_id="00000000-0000-4000-8000-000000000001", session_id="s", assurance_level=1)
APP = Viewer(
    kind="partner_app",
    actor_id=PERSON.actor_id,
    scopes=frozenset(BY_NAME),
    app_id="a",
    client_id="c",
    grant_id="g",
)
VIEWERS = {"anonymous": ANONYMOUS, "person": PERSON, "app": APP}

#: Over the maximum cost (schema.cost): 1 + 100 × (1 + 1 + 1 + 100 × 2) points, with a fragment.
TOO_COSTLY = """
query Costly { version { api } communes(first: 100) { nodes { ...Members } } }
fragment Members on Commune { community { members(first: 100) { nodes { __typename } } } }
"""
#: Documents priced by ``--cost`` alone (no request): name -> (document, variables).
PRICED: dict[str, tuple[str, dict[str, Any] | None]] = {
    "typename": ("{ __typename }", {}),
    "communes-20": ("{ communes(first: 20) { edges { cursor node { id code name } } pageInfo { endCursor } } }", {}),
    "variables": ("query ($n: Int, $s: Boolean!) { communes(first: $n) @skip(if: $s) { nodes { id } } }", None),
    "interface": (
        "query ($id: ID!) { node(id: $id) { id ... on Post { comments(first: 5) { nodes { id } } } } }",
        None,
    ),
    "cost-refused": (TOO_COSTLY, {}),
}

#: (name, document, needs Neo4j)
DOCUMENTS = [
    ("typename", "{ __typename }", False),
    ("typename-named", "query Probe { __typename }", False),
    ("invalid", "{ nope }", False),
    ("communes-20", "{ communes(first: 20) { edges { cursor node { id code name } } pageInfo { endCursor } } }", True),
    (
        "communes-100",
        "{ communes(first: 100) { edges { cursor node { id code name } } pageInfo { endCursor } } }",
        True,
    ),
    # priced at 20,301 points and refused (QUERY_TOO_COMPLEX) before any resolver: no Neo4j
    ("cost-refused", TOO_COSTLY, False),
]


#: ``--reads``: wide selections, to see the per-field cost (name, document, variables from the samples).
LISTINGS_WIDE = """
query ListingsWide($category: String!) {
  listings(filter: {category: $category}, first: 20) {
    edges { cursor node {
      id kind title description priceDong priceMinDong priceMaxDong priceOnRequest stock category wardCode photoUrls
      status createdAt updatedAt
      seller { id displayName kind verificationLevel }
    } }
  }
}
"""
POSTS_WIDE = """
query PostsWide($id: ID!) {
  community(id: $id) {
    id
    posts(first: 20) { edges { cursor node { id text createdAt author { id displayName kind verificationLevel } } } }
  }
}
"""
#: ``--reads``: the bench's operations measured (bench.operations.READS by name), then the wide ones.
READ_OPERATIONS = ("me", "person_posts", "community_posts", "feed", "listings_category", "listing_search")


#: Documents answered without ``data``: a document the schema refuses, an operation refused by its cost.
REFUSED_BY_COST = frozenset({"cost-refused"})
NO_DATA = frozenset({"invalid"}) | REFUSED_BY_COST


async def _no_cost(execution_context: Any) -> None:
    """``schema.cost.charge`` replaced for the A/B of ``--cost``: nothing priced, nothing spent."""


def _patch_viewer() -> None:
    """The view's token check replaced by a header naming the probe's viewer."""

    async def viewer(self: GraphQLView, request: Any) -> Viewer:
        return VIEWERS[request.headers.get("x-probe-viewer", "anonymous")]

    GraphQLView._viewer = viewer  # type: ignore[method-assign]


def _scope(body: bytes, viewer: str) -> dict[str, Any]:
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/graphql",
        "raw_path": b"/graphql",
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", b"probe"),
            (b"content-type", b"application/json"),
            (b"accept", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (b"x-probe-viewer", viewer.encode()),
        ],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }


async def _request(app: Any, state: dict[str, Any], body: bytes, viewer: str) -> tuple[int, bytes]:
    scope = _scope(body, viewer)
    scope["state"] = state
    sent = False
    status = 0
    chunks: list[bytes] = []

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if sent:
            await asyncio.sleep(3600)
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, send)
    return status, b"".join(chunks)


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """Log lines (rendered as in production) go to /dev/null."""
    saved = sys.stderr
    with open(os.devnull, "w") as sink:
        sys.stderr = sink
        try:
            yield
        finally:
            sys.stderr = saved


async def _measure(app: Any, state: dict[str, Any], body: bytes, viewer: str, requests: int, rounds: int) -> float:
    for _ in range(max(50, requests // 10)):  # warm-up: caches, plans, pool
        await _request(app, state, body, viewer)
    figures = []
    for _ in range(rounds):
        started = time.process_time()
        for _ in range(requests):
            await _request(app, state, body, viewer)
        figures.append((time.process_time() - started) / requests * 1e6)
    return min(figures)


def _settings(var_dir: Path, neo4j: bool) -> Settings:
    # Without --neo4j the driver points nowhere: it connects lazily, and { __typename } never asks it.
    extra: dict[str, Any] = {"neo4j_uri": "bolt://127.0.0.1:9", "neo4j_password": "unused"}
    if neo4j and os.environ.get("NEO4J_URI"):
        extra = {"neo4j_uri": os.environ["NEO4J_URI"], "neo4j_password": os.environ.get("NEO4J_PASSWORD", "")}
    elif neo4j:
        extra = {}
    return Settings(
        environment="test",
        var_dir=var_dir,
        log_format="json",
        log_level="INFO",
        migrate_on_start=False,
        payment_reconcile_interval_seconds=0,
        # every request served: request windows and cost budgets out of reach, windows of one second
        rate_limit_window_seconds=1,
        rate_limit_app=10**9,
        rate_limit_sandbox_app=10**9,
        rate_limit_app_person=10**9,
        rate_limit_person=10**9,
        rate_limit_address=10**9,
        query_cost_window_seconds=1,
        query_cost_budget_app=10**9,
        query_cost_budget_person=10**9,
        query_cost_budget_anonymous=10**9,
        **extra,
    )


def _without_rate_limits() -> None:
    """``--no-rate-limits``: the view's check replaced by one that counts nothing (the same headers are set), so the
    difference with a normal run is what the request windows cost."""
    from quotas import requests as request_windows

    let_through = request_windows.Admission(
        request_windows.Window(limit=10**9, remaining=10**9, reset_at=datetime.now(UTC), kind="address")
    )

    async def admit(rt: Any, viewer: Viewer, address: str | None) -> request_windows.Admission:
        return let_through

    request_windows.admit = admit


def _price(rounds: int, calls: int) -> None:
    """µs per call of the query cost's parts, without a request around them."""
    from graphql import get_operation_ast, parse
    from graphql.execution.values import get_variable_values

    from schema.assemble import build_schema
    from schema.cost import operation_cost

    schema = build_schema(Settings(environment="test"))._schema
    variables: dict[str, dict[str, Any]] = {"variables": {"n": 100, "s": False}, "interface": {"id": "UG9zdDp4"}}

    def best(call: Any) -> float:
        figures = []
        for _ in range(rounds):
            started = time.process_time()
            for _ in range(calls):
                call()
            figures.append((time.process_time() - started) / calls * 1e6)
        return min(figures)

    for name, (text, given) in PRICED.items():
        document = parse(text)
        raw = given if given is not None else variables[name]
        operation = get_operation_ast(document, None)
        assert operation is not None
        coerced = get_variable_values(schema, operation.variable_definitions or (), raw)
        assert not isinstance(coerced, list), coerced
        points = operation_cost(schema, document, coerced.coerced, None)
        price = best(lambda d=document, c=coerced.coerced: operation_cost(schema, d, c, None))
        coerce = best(lambda o=operation, r=raw: get_variable_values(schema, o.variable_definitions or (), r))
        print(f"price {name:14} {points:6} points   operation_cost {price:6.1f} µs   coercion {coerce:5.1f} µs")


async def _budget_figures(rounds: int) -> None:
    """µs per ``quotas.cost.spend`` on the memory storage with production's budget (10,000 points a minute): taken
    while the window fills (0 to 10,000 entries in it), and refused once it is full."""
    from quotas.cost import Budget, spend
    from quotas.storage import SweptMemoryStorage

    storage = SweptMemoryStorage()
    budget = Budget("app", "probe", 10_000, 60)
    for cost in (0, 20, 400):
        taken, refused = [], []
        for _ in range(rounds):
            await storage.reset()
            calls = 10_000 // cost if cost else 500
            started = time.process_time()
            for _ in range(calls):
                await spend(storage, budget, cost)
            taken.append((time.process_time() - started) / calls * 1e6)
            started = time.process_time()
            for _ in range(200):
                await spend(storage, budget, cost or 1)
            refused.append((time.process_time() - started) / 200 * 1e6)
        print(f"spend cost={cost:<4} taken {min(taken):6.1f} µs   refused (window full) {min(refused):6.1f} µs")


ONE = "MATCH (c:Commune) WITH c ORDER BY c.code LIMIT 1 RETURN c.code AS code"
SOME = "MATCH (c:Commune) WITH c ORDER BY c.code LIMIT $n RETURN c.code AS code, c.name AS name"


async def _one(tx: Any) -> Any:
    return await run(tx, ONE)


async def _some(tx: Any, n: int) -> Any:
    return await run(tx, SOME, n=n)


async def _three_in_one(tx: Any) -> Any:
    return [await run(tx, SOME, n=n) for n in (5, 10, 20)]


async def _timed(calls: int, concurrency: int, call: Any) -> tuple[float, float]:
    """(wall µs per call, CPU µs per call) of ``calls`` calls, ``concurrency`` at a time."""
    pending = iter(range(calls))

    async def worker() -> None:
        for _ in pending:
            await call()

    wall, cpu = time.perf_counter(), time.process_time()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return (time.perf_counter() - wall) / calls * 1e6, (time.process_time() - cpu) / calls * 1e6


async def bolt(settings: Settings, calls: int, rounds: int) -> None:
    """Graph.read through the real driver: BEGIN pipelined or not; three reads in three transactions or one."""
    uri = os.environ.get("NEO4J_URI") or settings.neo4j_uri
    graph = Graph.connect(settings, uri=uri, password=settings.neo4j_password.get_secret_value())
    try:
        plain = Graph(graph.driver, graph.database, graph.tx_timeout, pipeline_begin=False)
        cases = {
            "1 statement, BEGIN alone": lambda: plain.read(_one),
            "1 statement, BEGIN pipelined": lambda: graph.read(_one),
            "3 reads, 3 parallel tx, BEGIN alone": lambda: asyncio.gather(*(plain.read(_some, n) for n in (5, 10, 20))),
            "3 reads, 3 parallel tx, pipelined": lambda: asyncio.gather(*(graph.read(_some, n) for n in (5, 10, 20))),
            "3 reads, 1 shared tx, pipelined": lambda: graph.read(_three_in_one),
        }
        for concurrency in (1, 16):
            for name, call in cases.items():
                await _timed(max(50, calls // 10), concurrency, call)  # warm-up: plans, pool
                figures = [await _timed(calls, concurrency, call) for _ in range(rounds)]
                wall = min(f[0] for f in figures)
                cpu = min(f[1] for f in figures)
                print(f"c={concurrency:<3} {name:38} wall {wall:8.0f} µs/call   CPU {cpu:6.0f} µs/call", flush=True)
    finally:
        await graph.close()


async def _read_documents(app: Any) -> list[tuple[str, bytes]]:
    """``--reads``: the bench's samples in this graph, the probe's viewers set to its viewer, and the bodies of the
    reads to measure (the operations whose samples are missing are left out, said on stderr)."""
    from bench import operations, samples

    found = await samples.find(app.state.graph.driver, app.state.settings.neo4j_database)
    viewer = found.ids["viewer"]
    VIEWERS["person"] = Viewer(kind="person", actor_id=viewer, session_id="s", assurance_level=2)
    VIEWERS["app"] = Viewer(
        kind="partner_app",
        actor_id=viewer,
        scopes=frozenset(BY_NAME),
        app_id="a",
        client_id="c",
        grant_id="g",
    )
    by_name = {operation.name: operation for operation in operations.READS}
    chosen: list[tuple[str, str, dict[str, Any]]] = []
    for name in READ_OPERATIONS:
        operation = by_name[name]
        if any(need not in found.ids for need in operation.needs):
            print(f"{name}: no sample in this graph, left out", file=sys.__stderr__)
            continue
        chosen.append((name, operation.document, operation.variables(found.ids)))
    if "category" in found.ids:
        chosen.append(("listings-wide", LISTINGS_WIDE, {"category": found.ids["category"]}))
    if "community" in found.ids:
        chosen.append(("posts-wide", POSTS_WIDE, {"id": operations.global_id("Community", found.ids["community"])}))
    return [(name, json.dumps({"query": text, "variables": given}).encode()) for name, text, given in chosen]


async def _measure_reads(
    app: Any, state: dict[str, Any], viewers: list[str], requests: int, rounds: int, only: str | None
) -> dict[str, dict[str, float]]:
    """µs of CPU per request of each read (``--reads``; those whose name contains ``only``), for each viewer."""
    figures: dict[str, dict[str, float]] = {}
    for name, body in await _read_documents(app):
        if only and only not in name:
            continue
        for viewer in viewers:
            status, answer = await _request(app, state, body, viewer)
            if status != 200 or b'"errors"' in answer:
                print(f"{name} as {viewer}: HTTP {status} {answer[:300]!r}", file=sys.__stderr__)
                continue
            figure = await _measure(app, state, body, viewer, requests, rounds)
            figures.setdefault(name, {})[viewer] = figure
            print(f"{name:26} {viewer:10} {figure:8.1f} µs/request", file=sys.__stdout__, flush=True)
    return figures


def _listing(n: int, now: datetime) -> Listing:
    """A listing of ``--fields``, built in memory."""
    return Listing(
        uuid=f"00000000-0000-4000-8000-{n:012d}",
        kind=ListingKind.GOODS,
        title=f"Xe đạp {n}",
        description="Còn mới, giao tận nơi ở Hoàn Kiếm.",
        price_dong=Dong(1_500_000 + n),
        price_min_dong=None,
        price_max_dong=None,
        price_on_request=False,
        stock=n,
        category="vehicles",
        ward_code="00070",
        photo_urls=["https://example.vn/1.jpg"],
        status=ListingStatus.ACTIVE,
        created_at=now,
        updated_at=now,
        seller_rating=SellerRating(average=4.5, count=2),
        viewer_is_owner=False,
        seller_id="s",
        ward_id=None,
    )


@strawberry.type(description="The API's queries and the probe's listings (``--fields``).")
class FieldsQuery(assemble.Query):
    @strawberry.field(description="20 listings built in memory.")
    def probe_listings(self) -> list[Listing]:
        now = datetime.now(UTC)
        return [_listing(n, now) for n in range(20)]


def _fields_schemas() -> dict[str, Any]:
    """``--fields``: the API's schema with one more root field, ``probeListings``, answering 20 listings built in
    memory (no Neo4j, no request around): as built (``lean``) and with Strawberry's own resolvers (``strawberry``)."""
    settings = Settings(environment="test")
    return {
        "lean": assemble.build_schema(settings, query=FieldsQuery),
        "strawberry": assemble.build_schema(settings, query=FieldsQuery, lean=False),
    }


#: ``--fields``: 20 listings × 17 fields (15, the id, whether I own it) and their ratings (a field of the probe's own
#: schema only: tests/foundation/test_bench_documents.py checks the documents against the API's, so one line).
FIELDS_DOCUMENT = (
    "{ probeListings { id kind title description priceDong priceMinDong priceMaxDong priceOnRequest stock category "
    "wardCode photoUrls status createdAt updatedAt sellerRating { average count } viewerIsOwner } }"
)


async def _fields(requests: int, rounds: int) -> None:
    """µs of CPU per execution of ``FIELDS_DOCUMENT`` as a resident, each schema in turn, best of ``rounds``."""
    from types import SimpleNamespace

    context = SimpleNamespace(viewer=VIEWERS["person"])
    for name, schema in _fields_schemas().items():
        result = await schema.execute(FIELDS_DOCUMENT, context_value=context)
        if result.errors:
            raise SystemExit(f"--fields: {result.errors}")
        for _ in range(max(20, requests // 10)):
            await schema.execute(FIELDS_DOCUMENT, context_value=context)
        figures = []
        for _ in range(rounds):
            started = time.process_time()
            for _ in range(requests):
                await schema.execute(FIELDS_DOCUMENT, context_value=context)
            figures.append((time.process_time() - started) / requests * 1e6)
        print(f"fields 20 listings × 17 {name:10} {min(figures):8.1f} µs/execution", flush=True)


async def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--neo4j", action="store_true", help="also documents that read the graph")
    parser.add_argument("--requests", type=int, default=2000, help="requests per round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--only", help="only the documents whose name contains this")
    parser.add_argument("--viewers", default=",".join(VIEWERS), help="comma-separated: anonymous,person,app")
    parser.add_argument("--profile", action="store_true", help="pyinstrument profile of { __typename } (person)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON too")
    parser.add_argument(
        "--no-rate-limits",
        action="store_true",
        help="count no request window (quotas.requests): their cost, by difference",
    )
    parser.add_argument("--bolt", action="store_true", help="only the Bolt figures (needs Neo4j)")
    parser.add_argument("--cost", action="store_true", help="what the query cost adds: its parts, then A/B")
    parser.add_argument("--reads", action="store_true", help="only the bench's compiled reads (needs a seeded Neo4j)")
    parser.add_argument("--fields", action="store_true", help="only the per-field cost: 20 listings in memory, A/B")
    args = parser.parse_args(argv)
    if args.fields:
        await _fields(max(100, args.requests // 10), args.rounds)
        return
    if args.cost:
        _price(args.rounds, max(200, args.requests))
        await _budget_figures(args.rounds)
    if args.bolt:
        with tempfile.TemporaryDirectory(prefix="engine-probe-") as tmp:
            await bolt(_settings(Path(tmp), True), max(200, args.requests // 4), args.rounds)
        return
    _patch_viewer()
    if args.no_rate_limits:
        _without_rate_limits()
    with tempfile.TemporaryDirectory(prefix="engine-probe-") as tmp:
        app = create_app(_settings(Path(tmp), args.neo4j or args.reads))
        async with LifespanManager(app) as manager:
            state = dict(manager._state)
            figures: dict[str, dict[str, float]] = {}
            if args.reads:
                viewers = [v for v in args.viewers.split(",") if v != "anonymous"]
                with _quiet():
                    figures = await _measure_reads(
                        app, state, viewers, max(50, args.requests // 10), args.rounds, args.only
                    )
                if args.json:
                    print(json.dumps(figures, indent=2))
                return
            arms: list[tuple[str, Any]] = [("", None)]
            if args.cost:  # the same documents with the request stage's pricing and budget replaced by a no-op
                arms.append((" (no cost)", _no_cost))
            with _quiet():
                for arm, replacement in arms:
                    saved = assemble.charge
                    if replacement is not None:
                        assemble.charge = replacement
                    try:
                        for name, document, needs_neo4j in DOCUMENTS:
                            if (needs_neo4j and not args.neo4j) or (args.only and args.only not in name):
                                continue
                            if replacement is not None and name in REFUSED_BY_COST:
                                continue
                            body = json.dumps({"query": document}).encode()
                            for viewer in args.viewers.split(","):
                                status, answer = await _request(app, state, body, viewer)
                                if status >= 500 or b'"data"' not in answer and name not in NO_DATA:
                                    raise SystemExit(f"{name} as {viewer}: HTTP {status} {answer[:300]!r}")
                                requests = args.requests if not needs_neo4j else max(200, args.requests // 10)
                                figure = await _measure(app, state, body, viewer, requests, args.rounds)
                                figures.setdefault(name + arm, {})[viewer] = figure
                                print(
                                    f"{name + arm:26} {viewer:10} {figure:8.1f} µs/request",
                                    file=sys.__stdout__,
                                    flush=True,
                                )
                    finally:
                        assemble.charge = saved
                if args.profile:
                    from pyinstrument import Profiler

                    body = json.dumps({"query": "{ __typename }"}).encode()
                    profiler = Profiler(interval=0.0001, async_mode="disabled")
                    profiler.start()
                    for _ in range(args.requests):
                        await _request(app, state, body, "person")
                    profiler.stop()
                    print(profiler.output_text(unicode=True, color=False, show_all=False), file=sys.__stdout__)
            if args.json:
                print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    asyncio.run(main())
