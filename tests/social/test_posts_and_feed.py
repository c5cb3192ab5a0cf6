"""Posts, their visibility on every path, comments, reactions, the feed and notifications."""

from __future__ import annotations

import base64

from tests import statements
from tests.identity.people import Someone, register, uuid_of
from tests.social.helpers import (
    BLOCK,
    COMMENT,
    FOLLOW,
    MUTE,
    POST,
    REACT,
    comment,
    connect,
    payload_errors,
    post,
    set_edge,
    walk,
)
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
  postUpdate(input: {postId: $id, text: $text, visibility: $visibility}) {
    post { text visibility } errors { code field message }
  }
}
"""
DELETE = "mutation D($id: ID!) { postDelete(input: {postId: $id}) { deletedPostId errors { code field } } }"
NOTIFICATIONS = "{ unreadNotificationCount notifications { edges { node { id kind actor { id } readAt } } } }"
MARK = """
mutation M($ids: [ID!]) {
  notificationsMarkRead(input: {notificationIds: $ids}) { markedCount unreadCount errors { code field message } }
}
"""
NESTED_FEED = (
    """
query Nested($first: Int) {
  feed(first: $first) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { ...PostFields } } }
}
"""
    + statements.POST
)
NESTED_POSTS_OF = (
    """
query NestedPosts($id: ID!, $first: Int) {
  node(id: $id) { ... on Actor { posts(first: $first) { totalCount edges { node { ...PostFields } } } } }
}
"""
    + statements.POST
)
NESTED_POST_SEARCH = (
    """
query NestedSearch($search: String!, $first: Int) {
  postSearch(text: $search, first: $first) { totalCount edges { node { ...PostFields } } }
}
"""
    + statements.POST
)
#: Statements of a page of posts with every field (tests.statements.POST), whatever its length. The feed, an actor's
#: posts and a search are one compiled statement each (``graph.posts``: authors, relations, reactions, first
#: comments, replies, communities and wards primed from it; the actors by identity's ``actor_map``, which reads what
#: only I see of myself on my own posts too: contacts, verification requests, organisations): the session, the root
#: (``node``), the list.
FEED_STATEMENTS = 2
POSTS_STATEMENTS = {"node": 3, "postSearch": 2}
WARD_COMMUNITY = (
    "query W($search: String!) { communities(kind: WARD, search: $search, first: 1) { edges { node { id } } } }"
)


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
    assert payload_errors(refused, "commentCreate") == [("NOT_FOUND", ["input", "postId"])]
    react = await gql(client, REACT, {"post": secret, "kind": "LIKE"}, headers=stranger.auth)
    assert payload_errors(react, "reactionSet") == [("NOT_FOUND", ["input", "postId"])]


async def test_visibility_changes_apply_to_posts_already_written(client):
    author, follower = await register(client), await register(client)
    await set_edge(client, FOLLOW, follower, author)
    written = await post(client, author, "Ban đầu công khai")
    assert written in ids(await gql(client, FEED, headers=follower.auth))
    edited = await gql(
        client, EDIT, {"id": written, "visibility": "CONNECTIONS", "text": "Giờ chỉ bạn bè"}, headers=author.auth
    )
    assert edited["data"]["postUpdate"]["post"] == {"text": "Giờ chỉ bạn bè", "visibility": "CONNECTIONS"}
    assert written not in ids(await gql(client, FEED, headers=follower.auth))
    other = await gql(client, EDIT, {"id": written, "text": "hacked"}, headers=follower.auth)
    assert payload_errors(other, "postUpdate") == [("NOT_FOUND", ["input", "postId"])], "hidden from the follower now"
    public = await post(client, author, "Công khai")
    visible = await gql(client, EDIT, {"id": public, "text": "hacked"}, headers=follower.auth)
    assert error_codes(visible) == ["FORBIDDEN"], "a post they see is refused as not theirs"


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
    assert payload_errors(deeper, "commentCreate") == [("INVALID_INPUT", ["input", "parentCommentId"])]
    empty = await gql(client, COMMENT, {"post": written, "text": "   "}, headers=reader.auth)
    assert payload_errors(empty, "commentCreate") == [("INVALID_INPUT", ["input", "text"])]
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
    assert (await gql(client, DELETE, {"id": written}, headers=author.auth))["data"]["postDelete"] == {
        "deletedPostId": written,
        "errors": [],
    }
    again = await gql(client, DELETE, {"id": written}, headers=author.auth)
    assert payload_errors(again, "postDelete") == [("NOT_FOUND", ["input", "postId"])]
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
        assert [e["field"] for e in result["errors"]] == [["input", field]], (variables, result)
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
    marked = (await gql(client, MARK, {"ids": [first_id]}, headers=an.auth))["data"]["notificationsMarkRead"]
    assert marked == {"markedCount": 1, "unreadCount": 3, "errors": []}
    assert (await gql(client, NOTIFICATIONS, headers=an.auth))["data"]["unreadNotificationCount"] == 3
    again = (await gql(client, MARK, {"ids": [first_id]}, headers=an.auth))["data"]["notificationsMarkRead"]
    assert again == {"markedCount": 0, "unreadCount": 3, "errors": []}, "marking a read one again changes nothing"
    assert (await gql(client, MARK, {}, headers=an.auth))["data"]["notificationsMarkRead"] == {
        "markedCount": 3,
        "unreadCount": 0,
        "errors": [],
    }
    accepted = (await gql(client, NOTIFICATIONS, headers=binh.auth))["data"]["notifications"]["edges"]
    assert [e["node"]["kind"] for e in accepted] == ["CONNECTION_ACCEPTED"]


async def _busy_neighbourhood(client, authors: list[Someone], readers: list[Someone], posts: int) -> None:
    """``posts`` posts by ``authors`` in turn, each about a ward, every other one in their ward's community; each
    with two comments, a reply to the first and two reactions by ``readers``."""
    found = await gql(client, WARD_COMMUNITY, {"search": "Hoàn Kiếm"}, headers=authors[0].auth)
    community = found["data"]["communities"]["edges"][0]["node"]["id"]
    for i in range(posts):
        visibility = ("PUBLIC", "COMMUNITY")[i % 2]
        extra = {"communityId": community} if visibility == "COMMUNITY" else {}
        written = await post(
            client,
            authors[i % len(authors)],
            f"Tin số {i}",
            visibility,
            wardCode=WARDS[i % 3],
            tags=["pho-co"],
            **extra,
        )
        first = await comment(client, readers[0], written, f"Ý kiến về tin {i}")
        await comment(client, readers[1], written, f"Tôi đồng ý, tin {i}")
        await comment(client, authors[i % len(authors)], written, "Cảm ơn!", first)
        for who in readers[:2]:
            await gql(client, REACT, {"post": written, "kind": "LIKE"}, headers=who.auth)


WARDS = ("00070", "00004", "00008")


async def test_a_feed_page_with_every_field_costs_the_same_for_any_length(client):
    viewer = await register(client)
    friends = [await register(client) for _ in range(3)]
    for friend in friends:
        await connect(client, viewer, friend)
    # My own posts are in my feed too: their author is me, whose contacts and requests only I see.
    await _busy_neighbourhood(client, [viewer, *friends], friends[1:], 12)
    small, _ = await statements.counted(client, NESTED_FEED, {"first": 4}, headers=viewer.auth)
    large, body = await statements.counted(client, NESTED_FEED, {"first": 12}, headers=viewer.auth)
    edges = body["data"]["feed"]["edges"]
    assert len(edges) == 12 and all(len(e["node"]["comments"]["edges"]) == 2 for e in edges)
    assert all(e["node"]["reactions"]["total"] == 2 for e in edges)
    assert all((e["node"]["author"]["relation"] is None) == (e["node"]["author"]["id"] == viewer.id) for e in edges)
    assert all(e["node"]["ward"] and e["node"]["comments"]["edges"][0]["node"]["replies"] for e in edges)
    assert sum(1 for e in edges if e["node"]["community"]) == 6
    print(f"feed, every field: {small} statements for 4 posts, {large} for 12")
    assert statements.same_for_any_length(small, large, FEED_STATEMENTS), (small, large)


async def test_posts_of_an_actor_and_post_search_with_every_field_cost_the_same_for_any_length(client):
    viewer, author, reader, other = [await register(client) for _ in range(4)]
    await connect(client, viewer, author)
    await _busy_neighbourhood(client, [author], [reader, other], 10)
    for document, variables, field in (
        (NESTED_POSTS_OF, {"id": author.id}, "node"),
        (NESTED_POST_SEARCH, {"search": "tin so"}, "postSearch"),
    ):
        small, few = await statements.counted(client, document, {**variables, "first": 3}, headers=viewer.auth)
        large, body = await statements.counted(client, document, {**variables, "first": 10}, headers=viewer.auth)
        # Both pages hold a community post and a public one (equal search matches come newest first), so both
        # need the same loaders: a page without a community post rightly reads no community.
        for page in (few, body):
            shown = page["data"][field]["posts"] if field == "node" else page["data"][field]
            assert {e["node"]["community"] is None for e in shown["edges"]} == {True, False}, field
        found = body["data"][field]["posts"] if field == "node" else body["data"][field]
        assert len(found["edges"]) == 10
        assert all(e["node"]["author"]["relation"]["connected"] and e["node"]["ward"] for e in found["edges"])
        print(f"{field}, every field: {small} statements for 3 posts, {large} for 10")
        assert statements.same_for_any_length(small, large, POSTS_STATEMENTS[field]), (field, small, large)


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
            {
                "code": "NOT_FOUND",
                "field": ["input", "parentCommentId"],
                "message": "This post has no comment with this id.",
            }
        ], "the same answer as for an unknown comment: the block is not revealed"
    assert (
        await gql(client, COMMENT, {"post": written, "text": "Cảm ơn", "parent": blockers_comment}, headers=host.auth)
    )["data"]["commentCreate"]["errors"] == []


# --- paging both ways -------------------------------------------------------------------------------------------------

PAGE_INFO = "pageInfo { hasNextPage hasPreviousPage startCursor endCursor }"
FEED_PAGE = f"""
query Feed($first: Int, $after: String, $last: Int, $before: String) {{
  feed(first: $first, after: $after, last: $last, before: $before) {{ {PAGE_INFO} edges {{ cursor node {{ id }} }} }}
}}
"""
POSTS_PAGE = f"""
query Posts($id: ID!, $first: Int, $after: String, $last: Int, $before: String) {{
  node(id: $id) {{ ... on Actor {{
    posts(first: $first, after: $after, last: $last, before: $before) {{ {PAGE_INFO} edges {{ cursor node {{ id }} }} }}
  }} }}
}}
"""
COMMENTS_PAGE = f"""
query Comments($id: ID!, $first: Int, $after: String, $last: Int, $before: String) {{
  node(id: $id) {{ ... on Post {{
    comments(first: $first, after: $after, last: $last, before: $before) {{
      totalCount {PAGE_INFO} edges {{ cursor node {{ id }} }}
    }}
  }} }}
}}
"""


async def _both_ways(client, document, path, variables, headers, expected: list[str]) -> list[dict]:
    """Forwards by 2 to the end and backwards by 2 from the end give ``expected``; a first page of 4 is returned."""
    forwards, _ = await walk(client, document, path, variables, headers, backwards=False)
    backwards, _ = await walk(client, document, path, variables, headers, backwards=True)
    assert forwards == backwards == expected
    body = await gql(client, document, {**variables, "first": 4}, headers=headers)
    page = body["data"]
    for key in path:
        page = page[key]
    edges = page["edges"]
    between = await gql(
        client, document, {**variables, "after": edges[0]["cursor"], "before": edges[3]["cursor"]}, headers=headers
    )
    found = between["data"]
    for key in path:
        found = found[key]
    assert [e["node"]["id"] for e in found["edges"]] == [e["node"]["id"] for e in edges[1:3]], "the items between"
    assert found["pageInfo"]["hasPreviousPage"] is True and found["pageInfo"]["hasNextPage"] is False
    return edges


def _refused(body: dict, field: str) -> bool:
    return error_codes(body) == ["INVALID_INPUT"] and body["errors"][0]["extensions"]["field"] == field


async def test_the_feed_pages_both_ways_and_refuses_another_lists_cursor(client):
    me, friend = await register(client), await register(client)
    await connect(client, me, friend)
    written = [await post(client, (me, friend)[i % 2], f"Tin phường số {i}") for i in range(7)]
    await _both_ways(client, FEED_PAGE, ["feed"], {}, me.auth, list(reversed(written)))
    theirs = (await gql(client, POSTS_PAGE, {"id": friend.id, "first": 1}, headers=me.auth))["data"]["node"]["posts"]
    assert _refused(await gql(client, FEED_PAGE, {"after": theirs["edges"][0]["cursor"]}, headers=me.auth), "after")
    assert _refused(
        await gql(client, FEED_PAGE, {"last": 2, "before": theirs["edges"][0]["cursor"]}, headers=me.auth), "before"
    )
    # the same list of another viewer: my friend's feed holds the same posts, its cursors are still not mine
    their_feed = (await gql(client, FEED_PAGE, {"first": 1}, headers=friend.auth))["data"]["feed"]["edges"]
    assert _refused(await gql(client, FEED_PAGE, {"after": their_feed[0]["cursor"]}, headers=me.auth), "after")
    assert _refused(
        await gql(client, FEED_PAGE, {"last": 2, "before": their_feed[0]["cursor"]}, headers=me.auth), "before"
    )


async def test_an_actors_posts_page_both_ways_and_refuse_another_actors_cursor(client):
    author, other, reader = [await register(client) for _ in range(3)]
    written = [await post(client, author, f"Ghi chép số {i}") for i in range(5)]
    await post(client, other, "Bài của người khác")
    await _both_ways(client, POSTS_PAGE, ["node", "posts"], {"id": author.id}, reader.auth, list(reversed(written)))
    anonymous, _ = await walk(client, POSTS_PAGE, ["node", "posts"], {"id": author.id}, None, backwards=True)
    assert anonymous == list(reversed(written)), "public posts stay visible to anonymous callers"
    theirs = (await gql(client, POSTS_PAGE, {"id": other.id, "first": 1}, headers=reader.auth))["data"]["node"]
    foreign = theirs["posts"]["edges"][0]["cursor"]
    assert _refused(await gql(client, POSTS_PAGE, {"id": author.id, "after": foreign}, headers=reader.auth), "after")
    feed = (await gql(client, FEED_PAGE, {"first": 1}, headers=author.auth))["data"]["feed"]["edges"][0]["cursor"]
    assert _refused(
        await gql(client, POSTS_PAGE, {"id": author.id, "last": 1, "before": feed}, headers=reader.auth), "before"
    )


async def test_a_posts_comments_page_both_ways_and_refuse_another_posts_cursor(client):
    author, reader = await register(client), await register(client)
    written = await post(client, author, "Góp ý về chợ Đồng Xuân")
    other = await post(client, author, "Bài khác")
    said = [await comment(client, (author, reader)[i % 2], written, f"Ý kiến số {i}") for i in range(5)]
    await comment(client, reader, other, "Ở bài khác")
    await comment(client, author, written, "Một câu trả lời", parent=said[1])  # replies are not top-level comments
    await _both_ways(client, COMMENTS_PAGE, ["node", "comments"], {"id": written}, reader.auth, said)
    last = (await gql(client, COMMENTS_PAGE, {"id": written, "last": 2}, headers=None))["data"]["node"]["comments"]
    assert [e["node"]["id"] for e in last["edges"]] == said[3:] and last["totalCount"] == 5
    assert last["pageInfo"]["hasPreviousPage"] is True and last["pageInfo"]["hasNextPage"] is False
    theirs = (await gql(client, COMMENTS_PAGE, {"id": other, "first": 1}, headers=reader.auth))["data"]["node"]
    foreign = theirs["comments"]["edges"][0]["cursor"]
    assert _refused(await gql(client, COMMENTS_PAGE, {"id": written, "after": foreign}, headers=reader.auth), "after")
    assert _refused(
        await gql(client, COMMENTS_PAGE, {"id": written, "last": 1, "before": foreign}, headers=reader.auth), "before"
    )


# --- every mistake at once, in the caller's language -----------------------------------------------------------------

UPDATE = """
mutation U($input: PostUpdateInput!) { postUpdate(input: $input) { post { id } errors { code field message } } }
"""
COMMENT_INPUT = """
mutation C($input: CommentCreateInput!) { commentCreate(input: $input) { comment { id } errors { code field } } }
"""


async def test_every_format_mistake_of_an_input_is_reported_at_once(client):
    me = await register(client)
    two = await gql(
        client,
        POST,
        {"input": {"text": " ", "visibility": "PUBLIC", "tags": ["không hợp lệ!"], "communityId": "rác"}},
        headers=me.auth,
    )
    assert payload_errors(two, "postCreate") == [
        ("INVALID_INPUT", ["input", "communityId"]),
        ("INVALID_INPUT", ["input", "text"]),
        ("INVALID_INPUT", ["input", "tags"]),
    ]
    written = await post(client, me, "Bài gốc")
    update = await gql(client, UPDATE, {"input": {"postId": "rác", "text": "x" * 5001}}, headers=me.auth)
    assert payload_errors(update, "postUpdate") == [
        ("INVALID_INPUT", ["input", "postId"]),
        ("INVALID_INPUT", ["input", "text"]),
    ]
    reply = await gql(
        client,
        COMMENT_INPUT,
        {"input": {"postId": written, "text": "", "parentCommentId": written}},  # a post's id is not a comment's
        headers=me.auth,
    )
    assert payload_errors(reply, "commentCreate") == [
        ("INVALID_INPUT", ["input", "parentCommentId"]),
        ("INVALID_INPUT", ["input", "text"]),
    ]
    unchanged = (await gql(client, NODE, {"id": written}, headers=me.auth))["data"]["node"]
    assert unchanged["text"] == "Bài gốc" and unchanged["comments"]["totalCount"] == 0, "nothing was written"


async def test_messages_come_in_vietnamese_when_asked_and_the_codes_stay(client):
    me, friend = await register(client), await register(client)
    await connect(client, me, friend)
    vietnamese = {**me.auth, "Accept-Language": "vi-VN,vi;q=0.9,en;q=0.5"}
    again = await gql(client, REQUEST_ONE, {"id": friend.id}, headers=vietnamese)
    assert again["data"]["connectionRequest"]["errors"] == [
        {"code": "CONFLICT", "field": ["input", "actorId"], "message": "Hai bạn đã kết nối với nhau rồi."}
    ]
    missing = await gql(client, UPDATE, {"input": {"postId": _unknown_post(), "text": "Mới"}}, headers=vietnamese)
    assert missing["data"]["postUpdate"]["errors"] == [
        {"code": "NOT_FOUND", "field": ["input", "postId"], "message": "Không có bài viết nào có mã này."}
    ]
    english = await gql(client, REQUEST_ONE, {"id": friend.id}, headers=me.auth)
    assert english["data"]["connectionRequest"]["errors"][0]["message"] == "You are connected already."


REQUEST_ONE = """
mutation R($id: ID!) { connectionRequest(input: {actorId: $id}) { errors { code field message } } }
"""


def _unknown_post() -> str:
    return base64.b64encode(b"Post:00000000-0000-4000-8000-000000000000").decode()


COMMENT_NODE = "query N($id: ID!) { node(id: $id) { __typename id ... on Comment { text author { id } } } }"
DELETE_COMMENT = "mutation D($id: ID!) { commentDelete(input: {commentId: $id}) { deletedCommentId errors { code } } }"


async def test_a_comment_is_a_node_for_whoever_may_see_its_post(client):
    author, friend, stranger = [await register(client) for _ in range(3)]
    await connect(client, author, friend)
    secret = await post(client, author, "Chỉ bạn bè", "CONNECTIONS")
    said = await comment(client, friend, secret, "Bình luận riêng")
    seen = (await gql(client, COMMENT_NODE, {"id": said}, headers=author.auth))["data"]["node"]
    assert seen == {"__typename": "Comment", "id": said, "text": "Bình luận riêng", "author": {"id": friend.id}}
    for headers in (stranger.auth, None):
        assert (await gql(client, COMMENT_NODE, {"id": said}, headers=headers))["data"]["node"] is None
    await set_edge(client, BLOCK, author, friend)
    assert (await gql(client, COMMENT_NODE, {"id": said}, headers=author.auth))["data"]["node"] is None, "a block"
    public = await post(client, author, "Công khai")
    mine = await comment(client, stranger, public, "Của tôi")
    assert (await gql(client, COMMENT_NODE, {"id": mine}, headers=None))["data"]["node"]["text"] == "Của tôi"
    deleted = await gql(client, DELETE_COMMENT, {"id": mine}, headers=stranger.auth)
    assert deleted["data"]["commentDelete"] == {"deletedCommentId": mine, "errors": []}
    assert (await gql(client, COMMENT_NODE, {"id": mine}, headers=stranger.auth))["data"]["node"] is None


LAST_COMMENTS_OF_FEED = """
query F($first: Int) {
  feed(first: $first) { edges { node { id comments(last: 2) { totalCount pageInfo { hasPreviousPage } edges { node { text } } } } } }
}
"""


async def test_the_last_comments_of_every_feed_post_are_read_in_one_batch(client):
    me = await register(client)
    for i in range(6):
        written = await post(client, me, f"Bài {i}")
        for n in range(3):
            await comment(client, me, written, f"Bình luận {n} của bài {i}")
    small, _ = await statements.counted(client, LAST_COMMENTS_OF_FEED, {"first": 2}, headers=me.auth)
    large, body = await statements.counted(client, LAST_COMMENTS_OF_FEED, {"first": 6}, headers=me.auth)
    edges = body["data"]["feed"]["edges"]
    assert [[c["node"]["text"] for c in e["node"]["comments"]["edges"]] for e in edges] == [
        [f"Bình luận 1 của bài {i}", f"Bình luận 2 của bài {i}"] for i in reversed(range(6))
    ]
    assert all(e["node"]["comments"]["pageInfo"]["hasPreviousPage"] for e in edges)
    assert small == large, (small, large)


async def test_changing_a_post_or_comment_hidden_from_me_is_refused_as_an_unknown_id(client):
    """postUpdate, postDelete and commentDelete never tell "hidden" from "does not exist": a post (or a comment on
    a post) the caller may not see answers the payload NOT_FOUND of an unknown id, not FORBIDDEN."""
    author, friend, stranger = [await register(client) for _ in range(3)]
    await connect(client, author, friend)
    secret = await post(client, author, "Chỉ bạn bè", "CONNECTIONS")
    said = await comment(client, friend, secret, "Bình luận riêng")
    across = await post(client, author, "Công khai, nhưng tôi đã chặn bạn")
    await set_edge(client, BLOCK, author, stranger)
    unknown = _unknown_post()
    unknown_comment = base64.b64encode(b"Comment:00000000-0000-4000-8000-000000000000").decode()

    def refusals(post_id: str, comment_id: str) -> list:
        return [
            ("postUpdate", {"id": post_id, "text": "hacked"}, EDIT),
            ("postDelete", {"id": post_id}, DELETE),
            ("commentDelete", {"id": comment_id}, DELETE_COMMENT),
        ]

    expected = {}
    for name, variables, document in refusals(unknown, unknown_comment):
        body = await gql(client, document, variables, headers=stranger.auth)
        expected[name] = body["data"][name]["errors"]
        assert [e["code"] for e in expected[name]] == ["NOT_FOUND"], body
    for hidden_post in (secret, across):
        for name, variables, document in refusals(hidden_post, said):
            body = await gql(client, document, variables, headers=stranger.auth)
            assert "errors" not in body, body
            assert body["data"][name]["errors"] == expected[name], (name, hidden_post)
    assert (await gql(client, NODE, {"id": secret}, headers=author.auth))["data"]["node"]["comments"]["totalCount"] == 1
    assert (await gql(client, NODE, {"id": across}, headers=author.auth))["data"]["node"]["text"] == (
        "Công khai, nhưng tôi đã chặn bạn"
    ), "nothing was changed"
