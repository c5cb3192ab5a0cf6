"""Social actions through the public API, shared by the social tests (and by other folders': the documents keep
their variables, ``$id``/``$on`` for relations, ``$post``/``$text``/``$parent`` for comments)."""

from __future__ import annotations

from typing import Any

from tests.identity.people import Someone
from tests.support import gql

REQUEST = """
mutation R($id: ID!) {
  connectionRequest(input: {actorId: $id}) { relation { connected requestSent } errors { code field message } }
}
"""
ACCEPT = """
mutation A($id: ID!) { connectionAccept(input: {actorId: $id}) { relation { connected } errors { code field message } } }
"""
FOLLOW = """
mutation F($id: ID!, $on: Boolean!) {
  followSet(input: {actorId: $id, following: $on}) { relation { following } errors { code field message } }
}
"""
BLOCK = """
mutation B($id: ID!, $on: Boolean!) {
  blockSet(input: {actorId: $id, blocked: $on}) { relation { blocked } errors { code field message } }
}
"""
MUTE = """
mutation M($id: ID!, $on: Boolean!) {
  muteSet(input: {actorId: $id, muted: $on}) { relation { muted } errors { code field message } }
}
"""
POST = """
mutation P($input: PostCreateInput!) { postCreate(input: $input) { post { id text visibility } errors { code field message } } }
"""
COMMENT = """
mutation C($post: ID!, $text: String!, $parent: ID) {
  commentCreate(input: {postId: $post, text: $text, parentCommentId: $parent}) {
    comment { id text } errors { code field message }
  }
}
"""
REACT = """
mutation R($post: ID!, $kind: ReactionKind) {
  reactionSet(input: {postId: $post, kind: $kind}) {
    reactions { total mine counts { kind count } } errors { code field message }
  }
}
"""
#: Who sees a profile field, CONNECTIONS included (the audience of a person's lists of relations). Identity's
#: mutation: the one place the social tests call it.
AUDIENCE = """
mutation Audience($field: ProfileField!, $audience: Audience!) {
  profileAudienceSet(input: {field: $field, audience: $audience}) { errors { code field message } }
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


async def set_audience(client, who: Someone, field: str, audience: str) -> None:
    """Who sees ``field`` of ``who``'s profile (``CONNECTIONS``: their lists of relations)."""
    body = await gql(client, AUDIENCE, {"field": field, "audience": audience}, headers=who.auth)
    assert body["data"]["profileAudienceSet"]["errors"] == [], body


def payload_errors(body: dict[str, Any], mutation: str) -> list[tuple[str, list[str] | None]]:
    """(code, field) of each payload error of ``mutation`` in a response."""
    assert "errors" not in body, body
    return [(e["code"], e["field"]) for e in body["data"][mutation]["errors"]]


async def walk(client, document: str, path: list[str], variables: dict, headers, *, backwards: bool, size: int = 2):
    """Every item of a list, page by page of ``size``: forwards with ``first``/``after`` from the start, or backwards
    with ``last``/``before`` from the end; (node ids in display order, pages read). ``path`` leads from ``data``
    to the connection, which selects ``pageInfo { hasNextPage hasPreviousPage startCursor endCursor }`` and
    ``edges { node { id } }``."""
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        paging = {"last": size, "before": cursor} if backwards else {"first": size, "after": cursor}
        body = await gql(client, document, {**variables, **paging}, headers=headers)
        assert "errors" not in body, body
        connection = body["data"]
        for key in path:
            connection = connection[key]
        ids = [e["node"]["id"] for e in connection["edges"]]
        pages += 1
        info = connection["pageInfo"]
        assert len(ids) <= size
        if backwards:
            seen = ids + seen
            if not info["hasPreviousPage"]:
                return seen, pages
            cursor = info["startCursor"]
        else:
            seen += ids
            if not info["hasNextPage"]:
                return seen, pages
            cursor = info["endCursor"]
        assert pages < 100, "the list never ends"
