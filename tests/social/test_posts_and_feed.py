"""Posts, their visibility on every path, comments, reactions, the feed and notifications."""

from __future__ import annotations

from graph.driver import statement_counter
from tests.identity.people import register, uuid_of
from tests.social.helpers import BLOCK, COMMENT, FOLLOW, MUTE, POST, REACT, comment, connect, post, set_edge
from tests.support import error_codes, gql

FEED = """
query Feed($first: Int, $after: String) {
  feed(first: $first, after: $after) {
    pageInfo { hasNextPage endCursor }
    edges { node { id text author { id displayName } } }
  }
}
"""
NODE = "query N($id: ID!) { node(id: $id) { ... on Post { id text visibility comments { totalCount edges { node { text } } } } } }"
POSTS_OF = "query P($id: ID!) { node(id: $id) { ... on Person { posts { edges { node { id } } } } } }"
EDIT = """
mutation E($id: ID!, $text: String, $visibility: PostVisibility) {
  postEdit(id: $id, text: $text, visibility: $visibility) { post { text visibility } errors { code field message } }
}
"""
DELETE = "mutation D($id: ID!) { postDelete(id: $id) { errors { code } } }"
NOTIFICATIONS = "{ unreadNotificationCount notifications { edges { node { id kind actor { id } readAt } } } }"
MARK = "mutation M($id: ID) { notificationsMarkRead(id: $id) }"
NESTED_FEED = """
query Nested($first: Int) {
  feed(first: $first) {
    edges { node {
      id text
      author { id displayName }
      reactions { total counts { kind count } }
      comments(first: 3) { totalCount edges { node { text author { id displayName } } } }
    } }
  }
}
"""


def ids(feed: dict) -> list[str]:
    return [e["node"]["id"] for e in feed["data"]["feed"]["edges"]]


async def test_the_feed_has_connections_followed_and_my_posts_newest_first(client):
    me, friend, business_owner, stranger = [await register(client) for _ in range(4)]
    await connect(client, me, friend)
    await set_edge(client, FOLLOW, me, business_owner)
    mine = await post(client, me, "Sáng nay Hồ Gươm đẹp quá")
    from_friend = await post(client, friend, "Phố cổ đông vui", "CONNECTIONS")
    followed = await post(client, business_owner, "Khai trương quán mới!")
    await post(client, stranger, "Not for my feed")
    assert ids(await gql(client, FEED, headers=me.auth)) == [followed, from_friend, mine]


async def test_the_feed_pages_with_cursors(client):
    me = await register(client)
    written = [await post(client, me, f"Bài số {i}") for i in range(5)]
    seen, after = [], None
    while True:
        page = await gql(client, FEED, {"first": 2, "after": after}, headers=me.auth)
        seen += ids(page)
        info = page["data"]["feed"]["pageInfo"]
        if not info["hasNextPage"]:
            break
        after = info["endCursor"]
    assert seen == list(reversed(written))


async def test_a_connections_only_post_is_invisible_to_a_stranger_everywhere(client):
    author, friend, stranger = [await register(client) for _ in range(3)]
    await connect(client, author, friend)
    secret = await post(client, author, "Chỉ bạn bè mới thấy", "CONNECTIONS")
    await set_edge(client, FOLLOW, stranger, author)
    await comment(client, friend, secret, "Hay quá")
    assert secret in ids(await gql(client, FEED, headers=friend.auth))
    assert secret not in ids(await gql(client, FEED, headers=stranger.auth)), "following is not enough"
    assert (await gql(client, NODE, {"id": secret}, headers=stranger.auth))["data"]["node"] is None
    assert (await gql(client, NODE, {"id": secret}))["data"]["node"] is None
    assert (await gql(client, NODE, {"id": secret}, headers=friend.auth))["data"]["node"]["comments"]["totalCount"] == 1
    assert (await gql(client, POSTS_OF, {"id": author.id}, headers=stranger.auth))["data"]["node"]["posts"][
        "edges"
    ] == []
    refused = await gql(client, COMMENT, {"post": secret, "text": "Xin chào"}, headers=stranger.auth)
    assert error_codes(refused) == ["NOT_FOUND"]
    react = await gql(client, REACT, {"post": secret, "kind": "LIKE"}, headers=stranger.auth)
    assert error_codes(react) == ["NOT_FOUND"]


async def test_visibility_changes_apply_to_posts_already_written(client):
    author, follower = await register(client), await register(client)
    await set_edge(client, FOLLOW, follower, author)
    written = await post(client, author, "Ban đầu công khai")
    assert written in ids(await gql(client, FEED, headers=follower.auth))
    edited = await gql(
        client, EDIT, {"id": written, "visibility": "CONNECTIONS", "text": "Giờ chỉ bạn bè"}, headers=author.auth
    )
    assert edited["data"]["postEdit"]["post"] == {"text": "Giờ chỉ bạn bè", "visibility": "CONNECTIONS"}
    assert written not in ids(await gql(client, FEED, headers=follower.auth))
    other = await gql(client, EDIT, {"id": written, "text": "hacked"}, headers=follower.auth)
    assert error_codes(other) == ["FORBIDDEN"]


async def test_blocked_and_muted_authors_leave_the_feed(client):
    me, loud, rude = [await register(client) for _ in range(3)]
    await connect(client, me, loud)
    await connect(client, me, rude)
    from_loud = await post(client, loud, "Spam spam")
    from_rude = await post(client, rude, "Rude words")
    mine = await post(client, me, "Bài của tôi")
    await comment(client, rude, mine, "Bình luận của người bị chặn")
    await set_edge(client, MUTE, me, loud)
    await set_edge(client, BLOCK, rude, me)  # rude blocks me: hidden both ways
    assert ids(await gql(client, FEED, headers=me.auth)) == [mine]
    assert (await gql(client, NODE, {"id": from_rude}, headers=me.auth))["data"]["node"] is None
    assert (await gql(client, NODE, {"id": from_loud}, headers=me.auth))["data"]["node"]["id"] == from_loud, (
        "mute hides from the feed only"
    )
    comments = (await gql(client, NODE, {"id": mine}, headers=me.auth))["data"]["node"]["comments"]
    assert comments == {"totalCount": 0, "edges": []}, "the blocker's comments are hidden from me"


async def test_comments_one_level_of_replies_and_deletion(client):
    author, reader = await register(client), await register(client)
    written = await post(client, author, "Góp ý về đường Tràng Tiền")
    top = await comment(client, reader, written, "Nên làm phố đi bộ")
    reply = await comment(client, author, written, "Đồng ý!", parent=top)
    deeper = await gql(client, COMMENT, {"post": written, "text": "Sâu quá", "parent": reply}, headers=reader.auth)
    assert deeper["data"]["commentCreate"]["errors"][0]["field"] == "parentId"
    empty = await gql(client, COMMENT, {"post": written, "text": "   "}, headers=reader.auth)
    assert empty["data"]["commentCreate"]["errors"][0]["field"] == "text"
    thread = await gql(
        client,
        "query N($id: ID!) { node(id: $id) { ... on Post { comments { edges { node { text replies { text } } } } } } }",
        {"id": written},
        headers=reader.auth,
    )
    (edge,) = thread["data"]["node"]["comments"]["edges"]
    assert edge["node"] == {"text": "Nên làm phố đi bộ", "replies": [{"text": "Đồng ý!"}]}
    deleted = await gql(client, DELETE, {"id": written}, headers=reader.auth)
    assert error_codes(deleted) == ["FORBIDDEN"]
    assert (await gql(client, DELETE, {"id": written}, headers=author.auth))["data"]["postDelete"]["errors"] == []
    assert (await gql(client, NODE, {"id": written}, headers=author.auth))["data"]["node"] is None


async def test_one_reaction_per_person_per_post(client):
    author, reader, other = [await register(client) for _ in range(3)]
    written = await post(client, author, "Ảnh hoa sữa")
    first = (await gql(client, REACT, {"post": written, "kind": "LIKE"}, headers=reader.auth))["data"]["reactionSet"]
    assert first["reactions"]["total"] == 1 and first["reactions"]["mine"] == "LIKE"
    changed = (await gql(client, REACT, {"post": written, "kind": "LOVE"}, headers=reader.auth))["data"]["reactionSet"]
    assert changed["reactions"]["total"] == 1 and changed["reactions"]["counts"] == [{"kind": "LOVE", "count": 1}]
    await gql(client, REACT, {"post": written, "kind": "LOVE"}, headers=other.auth)
    taken_back = (await gql(client, REACT, {"post": written, "kind": None}, headers=reader.auth))["data"]["reactionSet"]
    assert taken_back["reactions"]["total"] == 1 and taken_back["reactions"]["mine"] is None


async def test_bad_posts_are_refused_with_the_field(client):
    me = await register(client)
    for variables, field in (
        ({"text": "", "visibility": "PUBLIC"}, "text"),
        ({"text": "x" * 5001, "visibility": "PUBLIC"}, "text"),
        ({"text": "ok", "visibility": "COMMUNITY"}, "communityId"),
        ({"text": "ok", "visibility": "PUBLIC", "wardCode": "99999"}, "wardCode"),
        (
            {
                "text": "ok",
                "visibility": "PUBLIC",
                "tags": ["a b c d e f g h i j k l m n o p q r s t u v w x y z aa bb cc dd"],
            },
            "tags",
        ),
    ):
        result = (await gql(client, POST, {"input": variables}, headers=me.auth))["data"]["postCreate"]
        assert result["errors"][0]["field"] == field, (variables, result)
    assert error_codes(await gql(client, POST, {"input": {"text": "hi", "visibility": "PUBLIC"}})) == [
        "UNAUTHENTICATED"
    ]


async def test_notifications_for_requests_comments_reactions_and_mentions(client):
    an, binh = await register(client), await register(client)
    await connect(client, binh, an)
    written = await post(client, an, "Ai đi xem hoa sen không?")
    await comment(client, binh, written, "Mình đi!")
    await gql(client, REACT, {"post": written, "kind": "LIKE"}, headers=binh.auth)
    await post(client, binh, f"Rủ @[{uuid_of(an.id)}] đi Hồ Tây")
    body = (await gql(client, NOTIFICATIONS, headers=an.auth))["data"]
    kinds = [e["node"]["kind"] for e in body["notifications"]["edges"]]
    assert kinds == ["MENTION", "REACTION", "COMMENT", "CONNECTION_REQUESTED"]
    assert body["unreadNotificationCount"] == 4
    assert all(e["node"]["actor"]["id"] == binh.id for e in body["notifications"]["edges"])
    first_id = body["notifications"]["edges"][0]["node"]["id"]
    assert (await gql(client, MARK, {"id": first_id}, headers=an.auth))["data"]["notificationsMarkRead"] == 1
    assert (await gql(client, NOTIFICATIONS, headers=an.auth))["data"]["unreadNotificationCount"] == 3
    assert (await gql(client, MARK, {}, headers=an.auth))["data"]["notificationsMarkRead"] == 3
    accepted = (await gql(client, NOTIFICATIONS, headers=binh.auth))["data"]["notifications"]["edges"]
    assert [e["node"]["kind"] for e in accepted] == ["CONNECTION_ACCEPTED"]


async def _statements_for_nested_feed(client, viewer, first: int) -> tuple[int, dict]:
    counter = [0]
    token = statement_counter.set(counter)
    try:
        body = await gql(client, NESTED_FEED, {"first": first}, headers=viewer.auth)
    finally:
        statement_counter.reset(token)
    assert "errors" not in body, body
    return counter[0], body


async def test_nested_feed_queries_do_not_grow_with_list_lengths(client):
    viewer = await register(client)
    authors = [await register(client) for _ in range(4)]
    commenters = [await register(client) for _ in range(4)]
    for author in authors:
        await connect(client, viewer, author)
    for i in range(20):
        written = await post(client, authors[i % 4], f"Tin số {i}")
        for who in commenters:
            await comment(client, who, written, f"Ý kiến của {who.name} về tin {i}")
            await gql(client, REACT, {"post": written, "kind": "LIKE"}, headers=who.auth)
    small, _ = await _statements_for_nested_feed(client, viewer, 5)
    large, body = await _statements_for_nested_feed(client, viewer, 20)
    edges = body["data"]["feed"]["edges"]
    assert len(edges) == 20 and all(len(e["node"]["comments"]["edges"]) == 3 for e in edges)
    assert all(e["node"]["reactions"]["total"] == 4 and e["node"]["author"] for e in edges)
    assert large == small, f"round trips grew with the page: {small} for 5 posts, {large} for 20"
    # One statement authenticates the session; the feed's one query projects the selected authors, reaction
    # counts and first comments of its posts; one more batch reads the comments' authors. Three levels of
    # lists (posts, their fields, their comments' fields), three statements.
    assert large <= 3, large


FEED_WITH_DETAILS = """
query Feed($comments: Int) {
  feed(first: 5) { edges { node { ...Details } } }
}
fragment Details on Post {
  id author { id displayName ... on Person { phone } }
  reactions { total mine counts { kind count } }
  comments(first: $comments) { totalCount pageInfo { hasNextPage } edges { node { id text author { id } } } }
}
"""
POST_DETAILS = """
query One($id: ID!, $comments: Int) {
  node(id: $id) { ... on Post {
    id author { id displayName ... on Person { phone } }
    reactions { total mine counts { kind count } }
    comments(first: $comments) { totalCount pageInfo { hasNextPage } edges { node { id text author { id } } } }
  } }
}
"""


async def test_what_the_feed_projects_equals_what_each_post_shows(client):
    # The feed's one query reads authors, reactions and first comments itself (through fragments and
    # variables too); each post read on its own, through the loaders, must look exactly the same.
    viewer, friend, stranger = await register(client), await register(client), await register(client)
    await connect(client, viewer, friend)
    written = await post(client, friend, "Chợ phiên cuối tuần ở Hàng Da")
    for who in (viewer, stranger):
        await comment(client, who, written, f"Tôi sẽ đến — {who.name}")
        await gql(client, REACT, {"post": written, "kind": "LOVE"}, headers=who.auth)
    await set_edge(client, BLOCK, viewer, stranger)  # the stranger's comment and reaction vanish for me
    await post(client, viewer, "Bài của tôi, không bình luận")
    feed = await gql(client, FEED_WITH_DETAILS, {"comments": 1}, headers=viewer.auth)
    assert "errors" not in feed, feed
    nodes = [e["node"] for e in feed["data"]["feed"]["edges"]]
    assert len(nodes) == 2
    for node in nodes:
        alone = await gql(client, POST_DETAILS, {"id": node["id"], "comments": 1}, headers=viewer.auth)
        assert alone["data"]["node"] == node
    friends_post = next(n for n in nodes if n["id"] == written)
    assert friends_post["reactions"] == {"total": 1, "mine": "LOVE", "counts": [{"kind": "LOVE", "count": 1}]}
    assert friends_post["comments"]["totalCount"] == 1


async def test_a_blocked_person_cannot_reply_to_the_blockers_comments(client):
    host, blocker, blocked = [await register(client) for _ in range(3)]
    written = await post(client, host, "Hỏi đường đến Văn Miếu")
    blockers_comment = await comment(client, blocker, written, "Đi thẳng phố Quốc Tử Giám")
    blocked_comment = await comment(client, blocked, written, "Hỏi gì mà lắm thế")
    await set_edge(client, BLOCK, blocker, blocked)
    for who, parent in ((blocked, blockers_comment), (blocker, blocked_comment)):
        refused = await gql(client, COMMENT, {"post": written, "text": "Trả lời", "parent": parent}, headers=who.auth)
        assert refused["data"]["commentCreate"]["errors"] == [
            {"code": "INVALID_INPUT", "field": "parentId", "message": "Reply to an existing comment of the same post."}
        ], "the same answer as for an unknown comment: the block is not revealed"
    assert (
        await gql(client, COMMENT, {"post": written, "text": "Cảm ơn", "parent": blockers_comment}, headers=host.auth)
    )["data"]["commentCreate"]["errors"] == []
