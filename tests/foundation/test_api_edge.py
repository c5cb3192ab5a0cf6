"""The HTTP edge under a fuzzer's junk: every refusal is a 4xx JSON error that says what is wrong,
never a 500; one operation per request; a field budget; request ids everywhere; CORS; Retry-After."""

from __future__ import annotations

import json
import logging
import time
from unittest.mock import ANY

import httpx
import pytest
import strawberry
from asgi_lifespan import LifespanManager
from starlette.requests import Request
from starlette.routing import Route

from api.app import create_app
from core.errors import RateLimitedError
from core.settings import Settings
from schema.assemble import build_schema
from tests.support import error_codes, gql

HEALTH = "{ health { ready } }"
SEARCH = "query Search($text: String!) { actors(search: $text) { totalCount } }"
JSON_HEADERS = {"content-type": "application/json"}
DIGITS = "1" * 4301


async def post_raw(client: httpx.AsyncClient, body: bytes) -> httpx.Response:
    return await client.post("/graphql", content=body, headers=JSON_HEADERS)


def assert_bad_request(response: httpx.Response, *words: str) -> str:
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("application/json")
    assert error_codes(response.json()) == ["BAD_REQUEST"]
    message = response.json()["errors"][0]["message"]
    for word in words:
        assert word in message, message
    return message


# --- 4. bodies and query strings that cannot be decoded ---------------------------------------------
async def test_invalid_utf8_is_400(client):
    assert_bad_request(await post_raw(client, b'{"query": "{ health { ready } }", "x": "\xff"}'), "UTF-8")


async def test_a_number_of_4301_digits_is_400(client):
    body = b'{"query": "{ health { ready } }", "variables": {"n": ' + DIGITS.encode() + b"}}"
    assert_bad_request(await post_raw(client, body), "4301 digits")


@pytest.mark.parametrize("depth", [100, 1000, 100_000])
async def test_deeply_nested_json_is_400(client, depth):
    body = b'{"query": "{ health { ready } }", "variables": {"v": ' + b"[" * depth + b"]" * depth + b"}}"
    assert_bad_request(await post_raw(client, body), "nests deeper")


@pytest.mark.parametrize(
    ("body", "kind"), [(b"null", "null"), (b"5", "a number"), (b'"x"', "a string"), (b"true", "a boolean")]
)
async def test_a_body_that_is_not_an_object_is_400(client, body, kind):
    assert_bad_request(await post_raw(client, body), "JSON object", kind)


async def test_nan_is_not_json(client):
    body = b'{"query": "query($n: Float) { health { ready } }", "variables": {"n": NaN}}'
    assert_bad_request(await post_raw(client, body), "NaN")


async def test_an_int_literal_of_4301_digits_in_the_document_is_400(client):
    response = await client.post("/graphql", json={"query": "{ communes(first: " + DIGITS + ") { totalCount } }"})
    assert_bad_request(response, "4300 digits")


async def test_a_non_string_operation_name_is_400(client):
    response = await client.post("/graphql", json={"query": HEALTH, "operationName": 5})
    assert_bad_request(response, "operationName")


@pytest.mark.parametrize(
    ("variables", "words"),
    [
        ("[" * 1000 + "]" * 1000, ["nests deeper"]),
        ('{"n": ' + DIGITS + "}", ["4301 digits"]),
        ('{"s": "\\ud800"}', ["lone UTF-16 surrogate", "s"]),
        ("{", ["JSON"]),
    ],
)
async def test_get_query_strings_with_the_same_junk_are_400(client, variables, words):
    response = await client.get("/graphql", params={"query": HEALTH, "variables": variables})
    assert_bad_request(response, *words)


async def test_get_with_null_variables_still_runs(client):
    response = await client.get("/graphql", params={"query": HEALTH, "variables": "null"})
    assert response.status_code == 200 and response.json()["data"]["health"]["ready"] is True


# --- 5. lone surrogates ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("body", "where"),
    [
        (
            b'{"query": "query Search($text: String!) { actors(search: $text) { totalCount } }", '
            b'"variables": {"text": "ph\\ud800"}}',
            "variables.text",
        ),
        (b'{"query": "{ health { ready } }", "operationName": "\\ud800"}', "operationName"),
        (b'{"query": "{ actors(search: \\"\\ud800\\") { totalCount } }"}', "query"),
        (b'{"query": "{ health { ready } }", "extensions": {"\\udc00": 1}}', "a key in extensions"),
        (b'{"query": "query($s: Sex) { health { ready } }", "variables": {"s": "MALE\\udfff"}}', "variables.s"),
        # the same code point written as (invalid) UTF-8 bytes
        (b'{"query": "{ health { ready } }", "operationName": "\xed\xa0\x80"}', "UTF-8"),
    ],
)
async def test_a_lone_surrogate_anywhere_is_refused_at_the_edge(client, body, where):
    response = await post_raw(client, body)
    assert_bad_request(response, where)
    echoed = json.dumps(response.json(), ensure_ascii=False)
    assert not any("\ud800" <= char <= "\udfff" for char in echoed), "the surrogate itself is never echoed"


LOGIN = "mutation($i: String!, $p: String!) { sessionLogin(input: {identifier: $i, password: $p}) { errors { code } } }"
REFRESH = "mutation($t: String!) { sessionRefresh(input: {refreshToken: $t}) { errors { code } } }"


async def test_sign_in_and_refresh_with_a_lone_surrogate_are_400_not_internal(client):
    body = json.dumps({"query": LOGIN, "variables": {"i": "001090123456", "p": "x\ud800"}}).encode()
    assert_bad_request(await post_raw(client, body), "variables.p")
    body = json.dumps({"query": REFRESH, "variables": {"t": "\udbff"}}).encode()
    assert_bad_request(await post_raw(client, body), "variables.t")
    # the same documents with valid text run (so the refusals above are the surrogate's, not a typo's)
    valid = await gql(client, LOGIN, {"i": "001090123456", "p": "x"})
    assert valid["data"]["sessionLogin"]["errors"][0]["code"] == "INVALID_CREDENTIALS"
    assert error_codes(await gql(client, REFRESH, {"t": "not-a-token"})) == ["UNAUTHENTICATED"]


async def test_a_surrogate_escape_inside_a_graphql_string_literal_is_a_syntax_error(client):
    # graphql-core's lexer refuses "\ud800" escapes (GraphQL spec, October 2021): a parse error naming the escape.
    body = await gql(client, '{ actors(search: "\\ud800") { totalCount } }')
    assert error_codes(body) == ["GRAPHQL_PARSE_FAILED"]
    assert "Invalid Unicode escape sequence" in body["errors"][0]["message"]
    paired = await gql(client, '{ actors(search: "xe \\ud83d\\ude00") { totalCount } }')
    assert "errors" not in paired, "a proper surrogate pair is an emoji, accepted"


@strawberry.type(description="Fields for these edge tests only.")
class EdgeQuery:
    @strawberry.field(description="Text holding a lone surrogate, as if stored before the edge refused them.")
    def broken_text(self) -> str:
        return "caf\ud800e"

    @strawberry.field(description="Always rate limited.")
    def throttled(self) -> str:
        raise RateLimitedError("Slow down.", retry_after_seconds=2.2)

    @strawberry.field(description="Always answers.")
    def fine(self) -> str:
        return "ok"


@pytest.fixture(scope="module")
async def edge_client(test_settings):
    app = create_app(test_settings, schema=build_schema(test_settings, query=EdgeQuery, mutation=None))

    async def crash(_request: Request):
        raise RuntimeError("outside GraphQL")

    app.router.routes.append(Route("/crash", crash))
    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            yield http


async def test_the_response_encoder_never_crashes_on_a_lone_surrogate(edge_client):
    response = await edge_client.post("/graphql", json={"query": "{ brokenText }"})
    assert response.status_code == 200
    assert response.json()["data"]["brokenText"] == "caf\ufffde"


# --- Retry-After (for `money`) ---------------------------------------------------------------------
async def test_retry_after_header_follows_retry_after_seconds(edge_client):
    response = await edge_client.post("/graphql", json={"query": "{ throttled }"})
    assert error_codes(response.json()) == ["RATE_LIMITED"]
    assert response.json()["errors"][0]["extensions"]["retryAfterSeconds"] == 2.2
    assert response.headers["retry-after"] == "3", "whole seconds, rounded up"
    calm = await edge_client.post("/graphql", json={"query": "{ fine }"})
    assert "retry-after" not in calm.headers


# --- 7. one operation per request --------------------------------------------------------------------
TWO_OPERATIONS = "query Ready { health { ready } } query Api { version { api } }"


async def test_several_operations_without_operation_name_are_refused(client):
    response = await client.post("/graphql", json={"query": TWO_OPERATIONS})
    assert_bad_request(response, "2 operations", "Ready", "Api", "operationName")
    anonymous = await client.post("/graphql", json={"query": "{ health { ready } } query Api { version { api } }"})
    assert_bad_request(anonymous, "an anonymous one", "Api")
    over_get = await client.get("/graphql", params={"query": TWO_OPERATIONS})
    assert_bad_request(over_get, "operationName")


async def test_operation_name_chooses_one_and_must_name_one(client):
    chosen = await client.post("/graphql", json={"query": TWO_OPERATIONS, "operationName": "Api"})
    assert chosen.json() == {
        "data": {"version": {"api": chosen.json()["data"]["version"]["api"]}},
        "extensions": {"cost": ANY},
    }
    unknown = await client.post("/graphql", json={"query": TWO_OPERATIONS, "operationName": "Nope"})
    assert_bad_request(unknown, '"Nope"', "Ready, Api")
    anonymous = await client.post("/graphql", json={"query": HEALTH, "operationName": "Nope"})
    assert_bad_request(anonymous, '"Nope"', "an anonymous one")


# --- 8. a field budget -------------------------------------------------------------------------------
def duplicated_me(copies: int) -> str:
    return "{ " + " ".join("me { id }" for _ in range(copies)) + " }"


async def test_field_duplication_is_refused_quickly_with_count_and_limit(client, test_settings):
    document = duplicated_me(480)  # ~4.8 KB, the fuzzer's request
    assert 4700 < len(document) < 4900
    started = time.perf_counter()
    body = await gql(client, document)
    elapsed = time.perf_counter() - started
    assert error_codes(body) == ["QUERY_TOO_COMPLEX"]
    message = body["errors"][0]["message"]
    assert "960 fields" in message and f"at most {test_settings.max_fields}" in message
    assert elapsed < 1.0, f"refused in {elapsed:.2f} s: the limit must act before the costly rules"


async def test_fields_are_counted_across_fragments(test_settings):
    settings = test_settings.model_copy(update={"max_fields": 10})
    app = create_app(settings)
    within = "query Within { ...Two ...Two health { ready } } fragment Two on Query { health { ready } }"  # 6 fields
    doubled = (
        "query Doubled { ...Four ...Four ...Four } fragment Four on Query { ...Two ...Two } "
        "fragment Two on Query { health { ready } }"
    )  # 3 x 2 x 2 = 12 fields from a 3-field fragment
    async with LifespanManager(app) as manager:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=manager.app), base_url="http://t") as http:
            assert "errors" not in await gql(http, within)
            body = await gql(http, doubled)
            assert error_codes(body) == ["QUERY_TOO_COMPLEX"]
            assert "'Doubled' selects 12 fields" in body["errors"][0]["message"]
            cycle = await gql(http, "query C { ...A } fragment A on Query { ...A health { ready } }")
            assert error_codes(cycle) == ["GRAPHQL_VALIDATION_FAILED"], "a fragment cycle is graphql-core's to report"


async def test_introspection_fits_within_the_default_field_budget(client):
    from graphql import get_introspection_query

    body = await gql(client, get_introspection_query(descriptions=True, input_value_deprecation=True))
    assert "errors" not in body and body["data"]["__schema"]["queryType"]["name"] == "Query"


# --- 11. a request id on every response and every log line -----------------------------------------
async def test_a_500_outside_graphql_carries_the_request_id_in_header_body_and_log(edge_client, caplog):
    caplog.set_level(logging.INFO)
    response = await edge_client.get("/crash", headers={"x-request-id": "crash-1"})
    assert response.status_code == 500
    assert response.headers["x-request-id"] == "crash-1"
    assert response.json()["errors"][0]["extensions"] == {"code": "INTERNAL", "requestId": "crash-1"}
    assert "outside GraphQL" not in response.text
    lines = [r.msg for r in caplog.records if isinstance(r.msg, dict) and r.name.startswith("api.")]
    assert any(line["event"] == "unhandled error outside GraphQL" for line in lines)
    assert lines and all(line.get("request_id") == "crash-1" for line in lines), lines


async def test_refusals_and_413_carry_the_request_id(client, test_settings):
    refused = await post_raw(client, b"null")
    assert refused.status_code == 400 and len(refused.headers["x-request-id"]) >= 16
    too_large = await client.post(
        "/graphql", json={"query": HEALTH, "pad": "x" * test_settings.max_body_bytes}, headers={"x-request-id": "big-1"}
    )
    assert too_large.status_code == 413 and too_large.headers["x-request-id"] == "big-1"
    wrong_method = await client.put("/graphql", json={"query": HEALTH})
    assert wrong_method.status_code == 405 and wrong_method.headers["x-request-id"]


# --- 13. no schema hints when introspection is off; production defaults ----------------------------
async def test_suggestions_are_dropped_when_introspection_is_off(test_settings, client):
    with_hints = await gql(client, "{ mee { id } }")
    assert "Did you mean 'me'" in with_hints["errors"][0]["message"], "development keeps the hints"
    settings = test_settings.model_copy(update={"introspection_enabled": False})
    app = create_app(settings)
    async with LifespanManager(app) as manager:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=manager.app), base_url="http://t") as http:
            body = await gql(http, "{ mee { id } }")
            assert body["errors"][0]["message"] == "Cannot query field 'mee' on type 'Query'."
            argument = await gql(http, "{ communes(frist: 1) { totalCount } }")
            assert "Did you mean" not in json.dumps(argument)
            enum = await gql(http, "query($s: Sex) { health { ready } }", {"s": "MALEE"})
            assert error_codes(enum) == ["GRAPHQL_VALIDATION_FAILED"]
            assert "Did you mean" not in json.dumps(enum) and "MALE'" not in json.dumps(enum)


def test_production_defaults_close_introspection_and_graphiql():
    production = Settings(environment="production")
    assert production.introspection_enabled is False and production.graphiql_enabled is False
    chosen = Settings(environment="production", introspection_enabled=True, graphiql_enabled=True)
    assert chosen.introspection_enabled and chosen.graphiql_enabled, "an explicit choice wins"
    development = Settings(environment="development")
    assert development.introspection_enabled and development.graphiql_enabled


# --- 15. CORS ------------------------------------------------------------------------------------------
ALLOWED = "https://app.hanoi.example"
PREFLIGHT = {"access-control-request-method": "POST", "access-control-request-headers": "content-type,authorization"}


async def test_cors_preflight_and_requests_from_an_allowed_origin(test_settings):
    settings = test_settings.model_copy(update={"cors_allowed_origins": [ALLOWED]})
    app = create_app(settings)
    async with LifespanManager(app) as manager:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=manager.app), base_url="http://t") as http:
            preflight = await http.options("/graphql", headers={"origin": ALLOWED, **PREFLIGHT})
            assert preflight.status_code == 200
            assert preflight.headers["access-control-allow-origin"] == ALLOWED
            assert "POST" in preflight.headers["access-control-allow-methods"]
            assert "authorization" in preflight.headers["access-control-allow-headers"].lower()
            call = await http.post("/graphql", json={"query": HEALTH}, headers={"origin": ALLOWED})
            assert call.headers["access-control-allow-origin"] == ALLOWED
            assert "x-request-id" in call.headers["access-control-expose-headers"].lower()
            other = "https://evil.example"
            refused = await http.options("/graphql", headers={"origin": other, **PREFLIGHT})
            assert refused.status_code == 400 and error_codes(refused.json()) == ["BAD_REQUEST"]
            assert not [h for h in refused.headers if h.startswith("access-control-")]
            sneaky = await http.post("/graphql", json={"query": HEALTH}, headers={"origin": other})
            assert not [h for h in sneaky.headers if h.startswith("access-control-")]


async def test_no_cross_origin_calls_by_default(client):
    preflight = await client.options("/graphql", headers={"origin": ALLOWED, **PREFLIGHT})
    assert preflight.status_code == 400
    assert not [h for h in preflight.headers if h.startswith("access-control-")]
    assert preflight.headers["x-request-id"]


async def test_shutdown_closes_neo4j_and_runs_on_shutdown_when_background_messages_hang_or_fail(
    test_settings, monkeypatch
):
    import asyncio

    import api.app as app_module

    async def hangs() -> None:
        await asyncio.Event().wait()

    async def fails() -> None:
        raise RuntimeError("simulated: the message sender broke")

    monkeypatch.setattr(app_module, "SHUTDOWN_SETTLE_SECONDS", 0.2, raising=False)
    settings = test_settings.model_copy(update={"payment_reconcile_interval_seconds": 0})
    for settle in (hangs, fails):
        monkeypatch.setattr(app_module, "settle", settle)
        done: list[str] = []
        app = create_app(settings, on_shutdown=lambda done=done: done.append("on_shutdown"))
        async with LifespanManager(app, startup_timeout=60, shutdown_timeout=5):
            graph_close = app.state.graph.close

            async def close(graph_close=graph_close, done=done) -> None:
                done.append("graph closed")
                await graph_close()

            app.state.graph.close = close
        assert done == ["graph closed", "on_shutdown"], settle.__name__


async def test_a_batch_of_operations_is_400(client):
    response = await post_raw(client, b'[{"query": "{ __typename }"}, {"query": "{ __typename }"}]')
    assert response.status_code == 400
    assert "__typename" not in response.text
