"""GraphQL over HTTP: methods, status codes, content types, GraphiQL, request ids, limits."""

from __future__ import annotations

import pytest

from tests.support import error_codes, gql

VERSION_QUERY = "query Version { version { api neo4j neo4jEdition } }"
MUTATION = "mutation Nothing { __typename }"


async def test_post_query_reads_the_real_neo4j(client):
    body = await gql(client, VERSION_QUERY)
    assert "errors" not in body
    assert body["data"]["version"]["neo4j"].startswith("5.26.")
    assert body["data"]["version"]["neo4jEdition"] == "community"


async def test_get_query_works(client):
    response = await client.get("/graphql", params={"query": VERSION_QUERY})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["data"]["version"]["neo4jEdition"] == "community"


async def test_mutation_over_get_is_refused_with_405(client):
    response = await client.get("/graphql", params={"query": MUTATION})
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    assert error_codes(response.json()) == ["BAD_REQUEST"]


async def test_malformed_json_gives_400_with_json_body(client):
    response = await client.post("/graphql", content=b'{"query": ', headers={"content-type": "application/json"})
    assert response.status_code == 400
    body = response.json()
    assert error_codes(body) == ["BAD_REQUEST"]
    assert "JSON" in body["errors"][0]["message"]


async def test_missing_query_gives_400(client):
    response = await client.post("/graphql", json={"variables": {}})
    assert response.status_code == 400
    assert error_codes(response.json()) == ["BAD_REQUEST"]


async def test_unsupported_content_type_gives_400(client):
    response = await client.post(
        "/graphql", content=b"query { version { api } }", headers={"content-type": "text/plain"}
    )
    assert response.status_code == 400
    assert error_codes(response.json()) == ["BAD_REQUEST"]


async def test_other_methods_are_405(client):
    response = await client.put("/graphql", json={"query": VERSION_QUERY})
    assert response.status_code == 405
    assert error_codes(response.json()) == ["BAD_REQUEST"]


async def test_browser_get_serves_graphiql(client):
    response = await client.get("/graphql", headers={"accept": "text/html"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "graphiql" in response.text.lower()


async def test_graphql_response_json_media_type_and_400_for_invalid_documents(client):
    accept = {"accept": "application/graphql-response+json"}
    ok = await client.post("/graphql", json={"query": VERSION_QUERY}, headers=accept)
    assert ok.status_code == 200
    assert ok.headers["content-type"].startswith("application/graphql-response+json")
    invalid = await client.post("/graphql", json={"query": "{ noSuchField }"}, headers=accept)
    assert invalid.status_code == 400
    assert invalid.headers["content-type"].startswith("application/graphql-response+json")
    assert "data" not in invalid.json()
    assert error_codes(invalid.json()) == ["GRAPHQL_VALIDATION_FAILED"]


async def test_legacy_json_keeps_200_for_validation_errors(client):
    body = await gql(client, "{ noSuchField }")
    assert error_codes(body) == ["GRAPHQL_VALIDATION_FAILED"]
    assert "data" not in body


async def test_syntax_error_is_coded(client):
    body = await gql(client, "{ version { ")
    assert error_codes(body) == ["GRAPHQL_PARSE_FAILED"]


async def test_request_id_is_generated_and_echoed(client):
    generated = await client.post("/graphql", json={"query": VERSION_QUERY})
    assert len(generated.headers["x-request-id"]) >= 16
    echoed = await client.post("/graphql", json={"query": VERSION_QUERY}, headers={"x-request-id": "trace-42"})
    assert echoed.headers["x-request-id"] == "trace-42"
    hostile = await client.get("/healthz", headers={"x-request-id": "bad id\nwith newline"})
    assert hostile.headers["x-request-id"] != "bad id\nwith newline"


async def test_body_over_the_limit_is_413(client, test_settings):
    padding = "x" * (test_settings.max_body_bytes + 10)
    response = await client.post("/graphql", json={"query": VERSION_QUERY, "variables": {"pad": padding}})
    assert response.status_code == 413
    assert error_codes(response.json()) == ["PAYLOAD_TOO_LARGE"]


async def test_streamed_body_over_the_limit_is_413(client, test_settings):
    chunk = b" " * 65536

    async def chunks():
        yield b'{"query": "{ version { api } }", "pad": "'
        for _ in range(test_settings.max_body_bytes // len(chunk) + 2):
            yield chunk
        yield b'"}'

    response = await client.post("/graphql", content=chunks(), headers={"content-type": "application/json"})
    assert response.status_code == 413


async def test_healthz_is_alive(client):
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_readyz_when_neo4j_is_up(client):
    response = await client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ready" and body["databaseReachable"] is True
    assert body["migrationsApplied"] == body["migrationsKnown"] >= 1


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b'{"query": 5}', "The GraphQL operation's `query` must be a string or null, if provided."),
        (b'{"query": "{ __typename }", "variables": []}', "`variables` must be an object or null"),
        (b'{"query": "{ __typename }", "extensions": "x"}', "`extensions` must be an object or null"),
        (b"[]", "Batching is not enabled"),
        (b'"{ __typename }"', "The request body must be a JSON object"),
    ],
)
async def test_a_json_post_is_checked_as_strawberry_checks_it(client, body, reason):
    # api.graphql_view decodes a POST of application/json itself (GraphQLView._json_post): the same refusals
    response = await client.post("/graphql", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 400, response.text
    assert reason in response.json()["errors"][0]["message"]


@pytest.mark.parametrize(
    "content_type", ["application/json", "application/json; charset=utf-8", "application/json;charset=UTF-8"]
)
async def test_a_json_post_runs_whatever_the_content_types_parameters(client, content_type):
    body = b'{"query": "query Q { __typename }", "operationName": "Q"}'
    response = await client.post("/graphql", content=body, headers={"content-type": content_type})
    assert response.json()["data"] == {"__typename": "Query"}
