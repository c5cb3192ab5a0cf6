"""Error convention and abuse limits: INTERNAL without internals, depth/alias/token limits, introspection."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from urllib.parse import urlsplit

import httpx
import pytest
import strawberry
from asgi_lifespan import LifespanManager

from api.app import create_app
from core.errors import ForbiddenError, UnavailableError
from schema.assemble import build_schema
from tests.identity.people import register
from tests.social.helpers import post
from tests.support import error_codes, gql

SECRET = "neo4j-password-hunter2-do-not-leak"


@strawberry.type(description="Query with fields that fail on purpose, for these tests only.")
class FailingQuery:
    @strawberry.field(description="Raises an unexpected exception.")
    def boom(self) -> str:
        raise RuntimeError(f"database credentials {SECRET} in a crash")

    @strawberry.field(description="Raises a deliberate FORBIDDEN error.")
    def forbidden(self) -> str:
        raise ForbiddenError("Officers only: this needs the officer role.")


@pytest.fixture(scope="module")
async def failing_client(test_settings):
    app = create_app(test_settings, schema=build_schema(test_settings, query=FailingQuery))
    async with LifespanManager(app) as manager:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=manager.app), base_url="http://t") as http:
            yield http


async def test_unexpected_exception_is_internal_without_internals(failing_client, caplog):
    caplog.set_level(logging.ERROR)
    response = await failing_client.post("/graphql", json={"query": "{ boom }"}, headers={"x-request-id": "req-boom-1"})
    assert response.status_code == 200
    text = response.text
    assert SECRET not in text and "Traceback" not in text and "RuntimeError" not in text
    error = response.json()["errors"][0]
    assert error["extensions"] == {"code": "INTERNAL", "requestId": "req-boom-1"}
    assert error["path"] == ["boom"]
    logged = [r for r in caplog.records if r.name == "api.errors"]
    assert logged, "the unexpected error must be logged"
    event = logged[0].msg  # structlog's event dict
    assert event["request_id"] == "req-boom-1"
    assert event["exc_info"][0] is RuntimeError, "the log keeps the stack trace the client never sees"


async def test_app_error_keeps_its_message_and_code(failing_client):
    response = await failing_client.post("/graphql", json={"query": "{ forbidden }"})
    error = response.json()["errors"][0]
    assert error["message"] == "Officers only: this needs the officer role."
    assert error["extensions"]["code"] == "FORBIDDEN"


DEPTH_4 = "{ schemaMigrations { edges { node { number } } } }"
DEPTH_2 = "{ health { ready } }"


async def test_depth_limit_refuses_a_deep_query(test_settings):
    # Today's schema is shallow, so the limit is lowered to show the refusal; the social graph's
    # recursive fields (friends of friends ...) meet the production limit the same way.
    settings = test_settings.model_copy(update={"max_query_depth": 2})
    app = create_app(settings)
    async with LifespanManager(app) as manager:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=manager.app), base_url="http://t") as http:
            assert "errors" not in await gql(http, DEPTH_2)
            body = await gql(http, DEPTH_4)
            assert error_codes(body) == ["QUERY_TOO_COMPLEX"]
            assert "depth" in body["errors"][0]["message"]


async def test_alias_limit_refuses_alias_flooding(client, test_settings):
    aliases = " ".join(f"a{i}: version {{ api }}" for i in range(test_settings.max_aliases + 1))
    body = await gql(client, f"{{ {aliases} }}")
    assert error_codes(body) == ["QUERY_TOO_COMPLEX"]
    within = " ".join(f"a{i}: health {{ ready }}" for i in range(3))
    assert "errors" not in await gql(client, f"{{ {within} }}")


REPEATED = "query Repeated($first: Int) { communes(first: $first) { totalCount edges { node { id name } } } }"


def _validation_cache(app):
    route = next(r for r in app.routes if getattr(r, "path", None) == "/graphql")
    return route.endpoint.view.schema.plan.validate


async def test_a_repeated_document_is_validated_once(app, client, test_settings):
    # The validation cache is keyed by (schema, document's text, rules): rules built per request would make every
    # request miss it and re-run ~30 rules (0.75 ms of a `{ __typename }`, 3-4 ms of a listings query).
    cache = _validation_cache(app)
    assert "errors" not in await gql(client, REPEATED, {"first": 2})
    before = cache.cache_info()
    for first in (1, 3, 5):  # the same document, other variables: validated already
        assert "errors" not in await gql(client, REPEATED, {"first": first})
    after = cache.cache_info()
    assert (after.hits - before.hits, after.misses - before.misses) == (3, 0)
    # A refused document stays refused when it comes again from the cache.
    aliases = " ".join(f"a{i}: version {{ api }}" for i in range(test_settings.max_aliases + 1))
    for _ in range(2):
        assert error_codes(await gql(client, f"{{ {aliases} }}")) == ["QUERY_TOO_COMPLEX"]


async def test_token_limit_refuses_huge_documents(client, test_settings):
    fields = " ".join("__typename" for _ in range(test_settings.max_tokens + 10))
    body = await gql(client, f"{{ {fields} }}")
    assert error_codes(body) == ["QUERY_TOO_COMPLEX"]


async def test_introspection_can_be_switched_off(test_settings):
    settings = test_settings.model_copy(update={"introspection_enabled": False})
    app = create_app(settings)
    async with LifespanManager(app) as manager:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=manager.app), base_url="http://t") as http:
            body = await gql(http, "{ __schema { queryType { name } } }")
            codes = error_codes(body)
            assert codes and set(codes) == {"INTROSPECTION_DISABLED"}
            assert "errors" not in await gql(http, "{ health { ready } }")


async def test_introspection_is_on_by_default(client):
    body = await gql(client, "{ __schema { queryType { name } } }")
    assert body["data"]["__schema"]["queryType"]["name"] == "Query"


WITH_PAGE_SIZE = "query Communes($first: Int) { communes(first: $first) { totalCount } }"


async def test_a_variable_of_the_wrong_type_is_a_validation_error_not_internal(client):
    # graphql-core wraps the scalar's own GraphQLError; it must come back as the client's mistake.
    body = await gql(client, WITH_PAGE_SIZE, {"first": 1.5})
    assert error_codes(body) == ["GRAPHQL_VALIDATION_FAILED"]
    assert "Int cannot represent non-integer value: 1.5" in body["errors"][0]["message"]
    assert "requestId" not in body["errors"][0]["extensions"]


# --- overload: the admission gate in front of the pool (graph/driver.py) ------------------------------------------

COMMUNES_PAGE = "query Page { communes(first: 50) { totalCount edges { node { code name } } } }"


async def _burst(settings, count: int) -> list[httpx.Response]:
    app = create_app(settings)
    async with LifespanManager(app, startup_timeout=60) as manager:
        transport = httpx.ASGITransport(app=manager.app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            return await asyncio.gather(*(http.post("/graphql", json={"query": COMMUNES_PAGE}) for _ in range(count)))


async def test_pool_exhaustion_sheds_load_with_a_retry_time_never_internal(test_settings):
    # Two connections, a short acquisition timeout, and room for 3 waiting: a burst of 40 must be served or refused
    # as UNAVAILABLE with a retry time, never INTERNAL or HTTP 500.
    settings = test_settings.model_copy(
        update={
            "neo4j_max_pool_size": 2,
            "neo4j_connect_timeout_seconds": 0.2,
            "neo4j_admission_queue": 3,
            "neo4j_admission_wait_seconds": 0.2,
            "migrate_on_start": False,
        }
    )
    responses = await _burst(settings, 40)
    assert {r.status_code for r in responses} == {200}, [r.text for r in responses if r.status_code != 200][:2]
    outcomes = Counter()
    for response in responses:
        body = response.json()
        if "errors" in body:
            (error,) = body["errors"]
            assert error["extensions"]["code"] == "UNAVAILABLE", error
            assert error["extensions"]["retryAfterSeconds"] >= 1, error
            outcomes["UNAVAILABLE"] += 1
        else:
            assert body["data"]["communes"]["totalCount"] == 126
            outcomes["OK"] += 1
    assert outcomes["UNAVAILABLE"] > 0 and outcomes["OK"] >= 1, outcomes


async def test_a_burst_within_the_queue_waits_its_turn(test_settings):
    settings = test_settings.model_copy(
        update={
            "neo4j_max_pool_size": 2,
            "neo4j_admission_queue": 100,
            "neo4j_admission_wait_seconds": 20,
            "migrate_on_start": False,
        }
    )
    responses = await _burst(settings, 40)
    assert all(r.status_code == 200 and "errors" not in r.json() for r in responses)


async def test_signed_in_requests_refused_at_the_gate_carry_a_retry_time(test_settings):
    # With no room to wait, a burst of signed-in requests is refused even while the caller's token is checked
    # (HTTP 503 before GraphQL runs) or inside GraphQL: either way UNAVAILABLE with retryAfterSeconds.
    settings = test_settings.model_copy(
        update={
            "neo4j_max_pool_size": 2,
            "neo4j_admission_queue": 0,
            "neo4j_admission_wait_seconds": 0.2,
            "migrate_on_start": False,
        }
    )
    app = create_app(settings)
    async with LifespanManager(app, startup_timeout=60) as manager:
        transport = httpx.ASGITransport(app=manager.app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            someone = await register(http)
            responses = await asyncio.gather(
                *(
                    http.post("/graphql", json={"query": "{ me { id displayName } }"}, headers=someone.auth)
                    for _ in range(40)
                )
            )
    outcomes = Counter()
    for response in responses:
        assert response.status_code in (200, 503), response.text
        body = response.json()
        if "errors" in body:
            (error,) = body["errors"]
            assert error["extensions"]["code"] == "UNAVAILABLE", error
            assert error["extensions"]["retryAfterSeconds"] >= 1, error
            outcomes[f"{response.status_code} UNAVAILABLE"] += 1
        else:
            assert body["data"]["me"]["id"] == someone.id
            outcomes["OK"] += 1
    assert outcomes["503 UNAVAILABLE"] > 0 and outcomes["OK"] >= 1, outcomes


class BoltProxy:
    """A TCP proxy on 127.0.0.1 in front of the test Neo4j: ``down()`` makes the database vanish (open
    connections cut, new ones refused) and ``up()`` brings it back, without restarting Neo4j."""

    def __init__(self, uri: str) -> None:
        target = urlsplit(uri)
        self.target = (target.hostname, target.port)
        self.port = 0
        self.server: asyncio.Server | None = None
        self.open: set[asyncio.StreamWriter] = set()
        self.delay = 0.0  # seconds added to every answer of the server: a slow database

    @property
    def uri(self) -> str:
        return f"bolt://127.0.0.1:{self.port}"

    async def up(self) -> None:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", self.port)
        self.port = self.server.sockets[0].getsockname()[1]

    async def down(self) -> None:
        if self.server is not None:
            self.server.close()
            self.server = None
        for writer in list(self.open):
            writer.transport.abort()
        self.open.clear()

    async def _serve(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        try:
            server_reader, server_writer = await asyncio.open_connection(*self.target)
        except OSError:
            client_writer.transport.abort()
            return
        self.open |= {client_writer, server_writer}
        await asyncio.gather(
            self._pipe(client_reader, server_writer),
            self._pipe(server_reader, client_writer, slow=True),
            return_exceptions=True,
        )

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, slow: bool = False) -> None:
        try:
            while data := await reader.read(65536):
                if slow and self.delay:
                    await asyncio.sleep(self.delay)
                writer.write(data)
                await writer.drain()
        finally:
            writer.transport.abort()
            self.open.discard(writer)


MIGRATIONS = "{ schemaMigrations { totalCount } }"


async def test_while_the_database_is_down_requests_answer_at_once_and_it_recovers_by_itself(test_settings):
    proxy = BoltProxy(test_settings.neo4j_uri)
    await proxy.up()
    settings = test_settings.model_copy(update={"neo4j_uri": proxy.uri, "neo4j_down_probe_seconds": 0.5})
    try:
        app = create_app(settings)
        async with LifespanManager(app) as manager:
            transport = httpx.ASGITransport(app=manager.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://t", timeout=60) as http:
                someone = await register(http)
                assert "errors" not in await gql(http, MIGRATIONS)
                await proxy.down()

                # The first request finds out (the driver alone would retry for 15-20 s).
                started = time.monotonic()
                first = await gql(http, MIGRATIONS)
                assert error_codes(first) == ["UNAVAILABLE"], first
                assert time.monotonic() - started < 2.5
                assert first["errors"][0]["extensions"]["retryAfterSeconds"] == 0.5

                # Known down: 40 parallel requests, anonymous and signed in, all answer at once.
                started = time.monotonic()
                anonymous, signed_in = await asyncio.gather(
                    asyncio.gather(*(gql(http, MIGRATIONS) for _ in range(20))),
                    asyncio.gather(
                        *(
                            http.post("/graphql", json={"query": "{ me { id } }"}, headers=someone.auth)
                            for _ in range(20)
                        )
                    ),
                )
                assert time.monotonic() - started < 2.0
                assert {tuple(error_codes(body)) for body in anonymous} == {("UNAVAILABLE",)}
                assert {body["errors"][0]["extensions"]["retryAfterSeconds"] for body in anonymous} == {0.5}
                assert {(r.status_code, r.headers["retry-after"]) for r in signed_in} == {(503, "1")}
                assert {r.json()["errors"][0]["extensions"]["retryAfterSeconds"] for r in signed_in} == {0.5}
                started = time.monotonic()
                ready = await http.get("/readyz")
                assert (ready.status_code, ready.json()["databaseReachable"]) == (503, False)
                assert time.monotonic() - started < 1.0

                # Back: the breaker's own probe notices; /readyz alone never touches Neo4j while it is open.
                await proxy.up()
                statuses = []
                deadline = time.monotonic() + 10
                while time.monotonic() < deadline:
                    statuses.append((await http.get("/readyz")).status_code)
                    if statuses[-1] == 200:
                        break
                    await asyncio.sleep(0.1)
                assert statuses[-1] == 200, statuses
                await post(http, someone, "Điện đã có lại.")
    finally:
        await proxy.down()


async def test_a_slow_database_is_not_a_down_one(test_settings):
    """Calls slower than the suspicion threshold make the breaker probe Neo4j; it answers (slowly), so
    the calls go on and succeed."""
    proxy = BoltProxy(test_settings.neo4j_uri)
    await proxy.up()
    settings = test_settings.model_copy(update={"neo4j_uri": proxy.uri, "neo4j_suspect_after_seconds": 0.2})
    try:
        app = create_app(settings)
        async with LifespanManager(app) as manager:
            transport = httpx.ASGITransport(app=manager.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://t", timeout=60) as http:
                proxy.delay = 0.3
                started = time.monotonic()
                bodies = await asyncio.gather(*(gql(http, MIGRATIONS) for _ in range(40)))
                assert time.monotonic() - started > 0.6, "the proxy did slow every call down"
                assert [error_codes(body) for body in bodies] == [[]] * 40
                assert (await http.get("/readyz")).status_code == 200
                assert app.state.graph.breaker.is_open is False
    finally:
        await proxy.down()


async def test_a_database_slower_than_the_probe_timeout_is_not_declared_down(test_settings):
    """Every answer takes longer than a probe's connect timeout (a CPU-starved but alive Neo4j): the probe's
    timeouts are not connection failures, so the breaker stays closed and the calls in flight succeed."""
    proxy = BoltProxy(test_settings.neo4j_uri)
    await proxy.up()
    settings = test_settings.model_copy(
        update={"neo4j_uri": proxy.uri, "neo4j_suspect_after_seconds": 0.2, "neo4j_probe_timeout_seconds": 0.3}
    )
    try:
        app = create_app(settings)
        async with LifespanManager(app) as manager:
            transport = httpx.ASGITransport(app=manager.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://t", timeout=60) as http:
                proxy.delay = 0.6  # above the probe timeout: each probe connect/handshake times out
                bodies = await asyncio.gather(*(gql(http, MIGRATIONS) for _ in range(40)))
                breaker = app.state.graph.breaker
                assert breaker._probe is not None, "the slow calls did make the breaker probe"
                deadline = time.monotonic() + 10  # its two attempts time out (an open breaker would probe forever)
                while not (breaker._probe.done() or breaker.is_open) and time.monotonic() < deadline:
                    await asyncio.sleep(0.05)
                assert [error_codes(body) for body in bodies] == [[]] * 40
                assert breaker.is_open is False
                assert "errors" not in await gql(http, MIGRATIONS)
    finally:
        await proxy.down()


async def test_requests_refused_or_queued_at_the_gate_do_not_make_the_breaker_probe(test_settings):
    """Overload is not an outage: requests queued longer than the suspicion threshold, and requests the gate
    refuses after waiting, never start a probe (the breaker's suspicion timer starts at admission)."""
    proxy = BoltProxy(test_settings.neo4j_uri)
    await proxy.up()
    settings = test_settings.model_copy(
        update={
            "neo4j_uri": proxy.uri,
            "neo4j_max_pool_size": 2,
            "neo4j_admission_queue": 100,
            "neo4j_admission_wait_seconds": 3.0,
            "neo4j_suspect_after_seconds": 1.5,
            "migrate_on_start": False,
        }
    )
    try:
        app = create_app(settings)
        async with LifespanManager(app, startup_timeout=60) as manager:
            transport = httpx.ASGITransport(app=manager.app, raise_app_exceptions=False)
            async with httpx.AsyncClient(transport=transport, base_url="http://t", timeout=60) as http:
                breaker = app.state.graph.breaker
                assert "errors" not in await gql(http, MIGRATIONS)
                assert breaker._probe is None
                proxy.delay = 0.1  # each call holds its connection a few round trips: 40 of them queue for seconds
                bodies = await asyncio.gather(*(gql(http, MIGRATIONS) for _ in range(40)))
                outcomes = Counter(tuple(error_codes(body)) for body in bodies)
                assert set(outcomes) == {(), ("UNAVAILABLE",)} and outcomes[()] >= 8, outcomes
                assert breaker._probe is None, "queueing or a refusal at the gate made the breaker probe Neo4j"
                assert breaker.is_open is False
    finally:
        await proxy.down()


async def test_credentials_refused_are_unavailable_and_open_the_breaker(test_settings):
    """A restarted local Neo4j opens Bolt before its password is set: Neo4j refuses our credentials
    (Neo.ClientError.Security.Unauthorized). That is UNAVAILABLE with a retry time, never INTERNAL, and the
    breaker probes, so later requests answer at once. (An unknown user, not a wrong password for the real one,
    so Neo4j's lock after failed attempts does not lock the test user.)"""
    settings = test_settings.model_copy(
        update={"neo4j_username": "not-yet-a-user", "neo4j_down_probe_seconds": 0.5, "migrate_on_start": False}
    )
    app = create_app(settings)
    async with LifespanManager(app, startup_timeout=60) as manager:
        transport = httpx.ASGITransport(app=manager.app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://t", timeout=60) as http:
            first = await gql(http, MIGRATIONS)
            assert error_codes(first) == ["UNAVAILABLE"], first
            assert first["errors"][0]["extensions"]["retryAfterSeconds"] == 0.5
            breaker = app.state.graph.breaker
            deadline = time.monotonic() + 10
            while not breaker.is_open and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            assert breaker.is_open, "refused credentials made the breaker probe and mark Neo4j unusable"
            bodies = await asyncio.gather(*(gql(http, MIGRATIONS) for _ in range(40)))
            assert {tuple(error_codes(body)) for body in bodies} == {("UNAVAILABLE",)}


def test_a_retryable_unavailable_is_built_one_way():
    error = UnavailableError("Try again.", retry_after_seconds=2.5)
    assert (error.code, error.extensions, error.retry_after_seconds) == ("UNAVAILABLE", {"retryAfterSeconds": 2.5}, 2.5)
    assert UnavailableError("Try again.").extensions == {}
