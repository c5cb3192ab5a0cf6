"""Social actions through the public API, shared by the social tests."""

from __future__ import annotations

from tests.identity.people import Someone
from tests.support import gql

REQUEST = """
mutation R($id: ID!) { connectionRequest(actorId: $id) { relation { connected requestSent } errors { code field message } } }
"""
ACCEPT = """
mutation A($id: ID!) { connectionAccept(actorId: $id) { relation { connected } errors { code field message } } }
"""
FOLLOW = """
mutation F($id: ID!, $on: Boolean!) { followSet(actorId: $id, following: $on) { relation { following } errors { code message } } }
"""
BLOCK = """
mutation B($id: ID!, $on: Boolean!) { blockSet(actorId: $id, blocked: $on) { relation { blocked } errors { code message } } }
"""
MUTE = """
mutation M($id: ID!, $on: Boolean!) { muteSet(actorId: $id, muted: $on) { relation { muted } errors { code message } } }
"""
POST = """
mutation P($input: PostCreateInput!) { postCreate(input: $input) { post { id text visibility } errors { code field message } } }
"""
COMMENT = """
mutation C($post: ID!, $text: String!, $parent: ID) {
  commentCreate(postId: $post, text: $text, parentId: $parent) { comment { id text } errors { code field message } }
}
"""
REACT = """
mutation R($post: ID!, $kind: ReactionKind) {
  reactionSet(postId: $post, kind: $kind) { reactions { total mine counts { kind count } } errors { code field message } }
}
"""


async def connect(client, a: Someone, b: Someone) -> None:
    asked = await gql(client, REQUEST, {"id": b.id}, headers=a.auth)
    assert asked["data"]["connectionRequest"]["errors"] == [], asked
    accepted = await gql(client, ACCEPT, {"id": a.id}, headers=b.auth)
    assert accepted["data"]["connectionAccept"]["relation"]["connected"] is True, accepted


async def post(client, author: Someone, text: str, visibility: str = "PUBLIC", **extra) -> str:
    body = await gql(client, POST, {"input": {"text": text, "visibility": visibility, **extra}}, headers=author.auth)
    result = body["data"]["postCreate"]
    assert result["errors"] == [], result
    return result["post"]["id"]


async def comment(client, who: Someone, post_id: str, text: str, parent: str | None = None) -> str:
    body = await gql(client, COMMENT, {"post": post_id, "text": text, "parent": parent}, headers=who.auth)
    assert body["data"]["commentCreate"]["errors"] == [], body
    return body["data"]["commentCreate"]["comment"]["id"]


async def set_edge(client, document: str, who: Someone, other: Someone, on: bool = True) -> dict:
    return await gql(client, document, {"id": other.id, "on": on}, headers=who.auth)
