"""Relay: node(id:) for stored objects, opaque cursors, capped page sizes."""

from __future__ import annotations

import base64

from tests.support import error_codes, gql

MIGRATIONS = """
query Migrations($first: Int, $after: String) {
  schemaMigrations(first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage endCursor }
    edges { cursor node { id number name appliedAt } }
  }
}
"""

NODE = """
query Node($id: ID!) { node(id: $id) { id ... on SchemaMigration { number name } } }
"""


async def test_schema_migrations_are_listed_from_the_graph(client):
    body = await gql(client, MIGRATIONS, {"first": 100})
    connection = body["data"]["schemaMigrations"]
    numbers = [edge["node"]["number"] for edge in connection["edges"]]
    assert numbers == list(range(1, connection["totalCount"] + 1))
    assert connection["pageInfo"]["hasNextPage"] is False


async def test_pages_follow_cursors(client):
    total = (await gql(client, MIGRATIONS, {"first": 100}))["data"]["schemaMigrations"]["totalCount"]
    seen, after = [], None
    while True:
        page = (await gql(client, MIGRATIONS, {"first": 1, "after": after}))["data"]["schemaMigrations"]
        seen += [edge["node"]["number"] for edge in page["edges"]]
        assert page["pageInfo"]["hasPreviousPage"] is (after is not None)
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == list(range(1, total + 1))


async def test_page_size_is_capped(client):
    body = await gql(client, MIGRATIONS, {"first": 101})
    assert error_codes(body) == ["INVALID_INPUT"]
    assert "100" in body["errors"][0]["message"]


async def test_garbage_cursor_is_a_clear_error(client):
    body = await gql(client, MIGRATIONS, {"first": 1, "after": "not-a-cursor!"})
    assert error_codes(body) == ["INVALID_INPUT"]
    assert body["errors"][0]["extensions"]["field"] == "after"


async def test_node_returns_a_stored_object_by_global_id(client):
    edge = (await gql(client, MIGRATIONS, {"first": 1}))["data"]["schemaMigrations"]["edges"][0]
    body = await gql(client, NODE, {"id": edge["node"]["id"]})
    assert body["data"]["node"] == {"id": edge["node"]["id"], "number": 1, "name": edge["node"]["name"]}


async def test_node_with_unknown_id_is_null_and_malformed_id_is_an_error(client):
    unknown = base64.b64encode(b"SchemaMigration:00000000-0000-0000-0000-000000000000").decode()
    assert (await gql(client, NODE, {"id": unknown}))["data"]["node"] is None
    body = await gql(client, NODE, {"id": "definitely not base64"})
    assert error_codes(body) == ["INVALID_INPUT"]
