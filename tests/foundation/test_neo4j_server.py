"""The Neo4j the project starts itself: bolt:// and neo4j:// both work; readiness follows the server."""

from __future__ import annotations

import asyncio

import pytest

from graph.driver import Graph
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
