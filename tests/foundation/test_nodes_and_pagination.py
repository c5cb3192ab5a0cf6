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


TYPES = "{ __schema { types { name kind possibleTypes { name } } } }"
NODE_TYPENAME = "query Node($id: ID!) { node(id: $id) { __typename id } }"


def global_id(type_name: str, node_id: str) -> str:
    return base64.b64encode(f"{type_name}:{node_id}".encode()).decode()


async def node_answer(client, raw_id: str) -> tuple[object, list[str]]:
    body = await gql(client, NODE_TYPENAME, {"id": raw_id})
    return (body.get("data") or {}).get("node"), error_codes(body)


async def test_node_of_every_type_name_is_null_or_a_user_error_never_internal(client):
    """An id naming a concrete node type that holds nothing is null; an id naming anything else (an interface such
    as Actor or Node, a payload, an input, an enum, a scalar, a root type) is the same INVALID_INPUT as any id that
    is not one of this API's."""
    types = (await gql(client, TYPES))["data"]["__schema"]["types"]
    node_types = {t["name"] for t in types if t["name"] == "Node"} | {
        p["name"] for t in types if t["name"] == "Node" for p in t["possibleTypes"]
    }
    concrete = {p["name"] for t in types if t["name"] == "Node" for p in t["possibleTypes"]}
    assert {"Person", "Organization", "Post", "SchemaMigration"} <= concrete
    abstract = {t["name"] for t in types if t["kind"] in ("INTERFACE", "UNION")}
    assert {"Actor", "Node"} <= abstract
    for name in concrete:
        for node_id in ("00000000-0000-0000-0000-000000000000", "not-a-uuid", "", "9" * 40, "x:y:z", "Actor:1"):
            node, codes = await node_answer(client, global_id(name, node_id))
            assert (node, codes) == (None, []), (name, node_id, node, codes)
    for name in {t["name"] for t in types} - concrete:
        for node_id in ("00000000-0000-0000-0000-000000000000", "x:y:z"):
            node, codes = await node_answer(client, global_id(name, node_id))
            assert node is None and codes == ["INVALID_INPUT"], (name, node_id, codes)
    assert node_types - concrete == {"Node"}


async def test_node_with_junk_ids_is_a_user_error_never_internal(client):
    junk = [
        "",
        " ",
        "Person",
        "Person:",
        ":abc",
        "==",
        base64.b64encode(b"\xff\xfe\x00garbage").decode(),
        base64.b64encode(b"no colon here").decode(),
        base64.b64encode(b"Nope:1").decode(),
        "%%%%",
        "A" * 200_000,
        base64.b64encode(b"Person:" + b"9" * 100_000).decode(),
        global_id("person", "1"),
        global_id(" Person", "1"),
    ]
    for raw in junk:
        node, codes = await node_answer(client, raw)
        assert node is None, raw[:40]
        assert codes in ([], ["INVALID_INPUT"]), (raw[:40], codes)
