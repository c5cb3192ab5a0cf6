"""Relay: ``node(id:)`` resolves every type that implements ``Node``; ``nodes(ids:)`` answers many ids at once, in
the order asked, one read per type (``resolvers/node.py``)."""

from __future__ import annotations

import base64
from unittest.mock import ANY

from graph.driver import statement_counter
from resolvers import node as node_resolvers
from schema.assemble import build_schema
from tests.identity.people import register
from tests.social.helpers import BLOCK, REQUEST, comment, post, set_edge
from tests.support import error_codes, gql

NODE = """
query Node($id: ID!) {
  node(id: $id) { __typename id ... on Comment { text author { id } } ... on Post { text } }
}
"""
NODES = """
query Nodes($ids: [ID!]!) {
  nodes(ids: $ids) {
    __typename id
    ... on Comment { text }
    ... on Post { text }
    ... on Person { displayName }
    ... on SchemaMigration { number }
  }
}
"""
MIGRATIONS = "{ schemaMigrations(first: 3) { nodes { id number } } }"


def global_id(type_name: str, node_id: str) -> str:
    return base64.b64encode(f"{type_name}:{node_id}".encode()).decode()


def test_every_node_type_of_the_schema_is_resolved_by_node(test_settings):
    """A type that implements Node and is not wired in resolvers/node.py BY_IDS fails here: wire its by-ids
    function there (the viewer's visibility rules applied, None for what the viewer may not see)."""
    schema = build_schema(test_settings)._schema
    node_types = node_resolvers.node_type_names(schema)
    assert {"Person", "Post", "Comment", "SchemaMigration"} <= node_types
    assert sorted(node_types - set(node_resolvers.BY_IDS)) == [], "Node types not wired in resolvers/node.py BY_IDS"
    assert sorted(set(node_resolvers.BY_IDS) - node_types) == [], "BY_IDS names types that are not Node types"


async def test_node_returns_a_comment_to_whoever_may_see_its_post(client):
    author = await register(client, fullName="Lê Thị Hoa")
    reader = await register(client, fullName="Trần Văn Bình")
    stranger = await register(client, fullName="Phạm An")
    public = await post(client, author, "Chợ phiên cuối tuần", "PUBLIC")
    said = await comment(client, reader, public, "Mấy giờ mở cửa ạ?")

    seen = (await gql(client, NODE, {"id": said}, headers=stranger.auth))["data"]["node"]
    assert seen == {"__typename": "Comment", "id": said, "text": "Mấy giờ mở cửa ạ?", "author": {"id": reader.id}}
    anonymous = (await gql(client, NODE, {"id": said}))["data"]["node"]
    assert anonymous is not None and anonymous["text"] == "Mấy giờ mở cửa ạ?"


async def test_node_hides_a_comment_on_a_hidden_post_or_across_a_block(client):
    author = await register(client, fullName="Lê Thị Hoa")
    reader = await register(client, fullName="Trần Văn Bình")
    stranger = await register(client, fullName="Phạm An")
    private = await post(client, author, "Chỉ mình tôi", "CONNECTIONS")
    own = await comment(client, author, private, "Ghi chú")
    assert (await gql(client, NODE, {"id": own}, headers=author.auth))["data"]["node"]["text"] == "Ghi chú"
    for someone in (stranger, None):
        body = await gql(client, NODE, {"id": own}, headers=someone.auth if someone else None)
        assert body == {"data": {"node": None}, "extensions": {"cost": ANY}}, (
            "a comment on a post hidden from the viewer is null"
        )

    public = await post(client, author, "Công khai", "PUBLIC")
    said = await comment(client, reader, public, "Xin chào")
    blocked = await set_edge(client, BLOCK, stranger, reader)
    assert "errors" not in blocked, blocked
    assert (await gql(client, NODE, {"id": said}, headers=stranger.auth))["data"]["node"] is None
    assert (await gql(client, NODE, {"id": said}, headers=author.auth))["data"]["node"]["text"] == "Xin chào"


async def test_nodes_answers_in_the_order_asked_with_null_for_unknown_or_hidden_ids(client):
    author = await register(client, fullName="Lê Thị Hoa")
    stranger = await register(client, fullName="Phạm An")
    public = await post(client, author, "Công khai", "PUBLIC")
    private = await post(client, author, "Riêng tư", "CONNECTIONS")
    said = await comment(client, author, public, "Bình luận")
    migration = (await gql(client, MIGRATIONS))["data"]["schemaMigrations"]["nodes"][0]
    unknown_post = global_id("Post", "00000000-0000-0000-0000-000000000000")
    ids = [said, unknown_post, author.id, public, private, migration["id"], said]

    body = await gql(client, NODES, {"ids": ids}, headers=stranger.auth)
    assert "errors" not in body, body
    assert body["data"]["nodes"] == [
        {"__typename": "Comment", "id": said, "text": "Bình luận"},
        None,
        {"__typename": "Person", "id": author.id, "displayName": "Lê Thị Hoa"},
        {"__typename": "Post", "id": public, "text": "Công khai"},
        None,  # hidden from a stranger
        {"__typename": "SchemaMigration", "id": migration["id"], "number": migration["number"]},
        {"__typename": "Comment", "id": said, "text": "Bình luận"},
    ]
    mine = (await gql(client, NODES, {"ids": [private]}, headers=author.auth))["data"]["nodes"]
    assert mine == [{"__typename": "Post", "id": private, "text": "Riêng tư"}]
    assert (await gql(client, NODES, {"ids": []}))["data"]["nodes"] == []


async def test_nodes_refuses_an_id_it_did_not_issue_at_its_position_only(client):
    author = await register(client, fullName="Lê Thị Hoa")
    public = await post(client, author, "Công khai", "PUBLIC")
    foreign = [
        "not a global id",
        global_id("Actor", "00000000-0000-0000-0000-000000000000"),  # an interface
        global_id("UserError", "1"),  # not a Node
        global_id("Nope", "1"),
    ]
    body = await gql(client, NODES, {"ids": [public, *foreign]})
    assert body["data"]["nodes"] == [{"__typename": "Post", "id": public, "text": "Công khai"}, None, None, None, None]
    assert error_codes(body) == ["INVALID_INPUT"] * 4
    assert sorted(e["path"] for e in body["errors"]) == [["nodes", 1], ["nodes", 2], ["nodes", 3], ["nodes", 4]]
    assert {e["extensions"]["field"] for e in body["errors"]} == {"ids"}


async def test_node_with_a_foreign_id_is_invalid_input(client):
    for raw in ("not a global id", global_id("Actor", "1"), global_id("PostCreatePayload", "1")):
        body = await gql(client, NODE, {"id": raw})
        assert body["data"] == {"node": None}
        assert error_codes(body) == ["INVALID_INPUT"], (raw, body)
        assert body["errors"][0]["extensions"]["field"] == "id"


async def test_nodes_takes_at_most_100_ids(client):
    ids = [global_id("Post", f"00000000-0000-0000-0000-{n:012d}") for n in range(101)]
    body = await gql(client, NODES, {"ids": ids})
    assert error_codes(body) == ["INVALID_INPUT"] and body["data"] is None
    assert body["errors"][0]["extensions"]["field"] == "ids" and "100" in body["errors"][0]["message"]
    assert len((await gql(client, NODES, {"ids": ids[:100]}))["data"]["nodes"]) == 100


async def test_nodes_reads_one_batch_per_type_never_one_object_at_a_time(client):
    author = await register(client, fullName="Lê Thị Hoa")
    posts = [await post(client, author, f"Bài {n}", "PUBLIC") for n in range(6)]
    comments = [await comment(client, author, posts[0], f"Ý {n}") for n in range(6)]
    plain = "query Nodes($ids: [ID!]!) { nodes(ids: $ids) { id } }"

    async def statements(ids: list[str]) -> int:
        counter = [0]
        token = statement_counter.set(counter)
        try:
            body = await gql(client, plain, {"ids": ids}, headers=author.auth)
        finally:
            statement_counter.reset(token)
        assert "errors" not in body and all(body["data"]["nodes"]), body
        return counter[0]

    one_each = await statements([posts[0], comments[0]])
    six_each = await statements(posts + comments)
    assert six_each == one_each, (one_each, six_each)


OWN = """
query Own($id: ID!, $ids: [ID!]!) {
  node(id: $id) { __typename id }
  nodes(ids: $ids) {
    __typename id
    ... on Contact { kind value }
    ... on Session { current }
    ... on Notification { notificationKind: kind subjectId }
  }
}
"""


async def test_contacts_sessions_and_notifications_are_nodes_of_their_owner_only(client):
    """``node(id:)`` and ``nodes(ids:)`` return my contacts, my sessions and my notifications to me, and null to
    another signed-in person and to an anonymous caller."""
    me = await register(client, fullName="Lê Thị Hoa")
    asker = await register(client, fullName="Trần Văn Bình")
    stranger = await register(client, fullName="Phạm An")
    assert "errors" not in await gql(client, REQUEST, {"id": me.id}, headers=asker.auth)
    contacts = (await gql(client, "{ me { contacts { id kind value } } }", headers=me.auth))["data"]["me"]["contacts"]
    phone = next(c for c in contacts if c["kind"] == "PHONE")
    notices = await gql(client, "{ notifications { nodes { id kind } } }", headers=me.auth)
    (notice,) = notices["data"]["notifications"]["nodes"]
    ids = [phone["id"], me.session_id, notice["id"]]

    for one in ids:
        body = await gql(client, OWN, {"id": one, "ids": [one]}, headers=me.auth)
        assert "errors" not in body, body
        assert body["data"]["node"]["id"] == one and body["data"]["nodes"][0]["id"] == one
    mine = await gql(client, OWN, {"id": phone["id"], "ids": ids}, headers=me.auth)
    assert mine["data"]["nodes"] == [
        {"__typename": "Contact", "id": phone["id"], "kind": "PHONE", "value": phone["value"]},
        {"__typename": "Session", "id": me.session_id, "current": True},
        {
            "__typename": "Notification",
            "id": notice["id"],
            "notificationKind": "CONNECTION_REQUESTED",
            "subjectId": asker.id,
        },
    ]
    for headers in (stranger.auth, asker.auth, None):  # another person (the asker included), anonymous
        for one in ids:
            body = await gql(client, OWN, {"id": one, "ids": ids}, headers=headers)
            assert body == {"data": {"node": None, "nodes": [None, None, None]}, "extensions": {"cost": ANY}}, (
                one,
                body,
            )
