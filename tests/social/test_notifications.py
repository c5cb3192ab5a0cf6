"""Notifications never tell anyone about a post they may not see (mentions, comments, reactions), and
repeated actions do not flood an inbox: one REACTION per (reactor, post) ever, and one
CONNECTION_REQUESTED per (requester, target) a day, never while an unread one waits."""

from __future__ import annotations

import asyncio

from tests.identity.people import make_verified, register, uuid_of
from tests.social.helpers import BLOCK, REACT, REQUEST, comment, connect, post, set_edge
from tests.support import gql

NOTICES = "{ unreadNotificationCount notifications { edges { node { kind subjectId actor { id } } } } }"
EDIT = """
mutation E($id: ID!, $visibility: PostVisibility) {
  postUpdate(input: {postId: $id, visibility: $visibility}) { errors { code } }
}
"""
CANCEL = "mutation C($id: ID!) { connectionCancel(input: {actorId: $id}) { errors { code } } }"
MARK = """
mutation M($ids: [ID!]) {
  notificationsMarkRead(input: {notificationIds: $ids}) { markedCount unreadCount errors { code field message } }
}
"""
CREATE_GROUP = """
mutation Create($input: CommunityCreateInput!) { communityCreate(input: $input) { community { id } errors { code } } }
"""
JOIN = (
    "mutation Join($id: ID!) { communityJoin(id: $id) { community { myRole myJoinRequestPending } errors { code } } }"
)
DECIDE = """
mutation Decide($communityId: ID!, $personId: ID!) {
  communityJoinDecide(communityId: $communityId, personId: $personId, approve: true) { errors { code } }
}
"""


def mention(someone) -> str:
    return f"@[{uuid_of(someone.id)}]"


async def notices(client, who) -> list[tuple[str, str, str | None]]:
    body = (await gql(client, NOTICES, headers=who.auth))["data"]
    edges = body["notifications"]["edges"]
    assert body["unreadNotificationCount"] == len(edges), "the count agrees with the list"
    return [(e["node"]["kind"], e["node"]["subjectId"], (e["node"]["actor"] or {}).get("id")) for e in edges]


async def stored_mentions(graph, recipient) -> int:
    async def count(tx):
        result = await tx.run(
            "MATCH (n:Notification {recipientId: $id, kind: 'mention'}) RETURN count(n) AS n", id=uuid_of(recipient.id)
        )
        return (await result.single())["n"]

    return await graph.read(count)


async def test_a_mention_on_a_connections_only_post_reaches_only_who_may_see_it(client, graph):
    author, friend, other_friend, stranger = [await register(client) for _ in range(4)]
    await connect(client, author, friend)
    await connect(client, author, other_friend)
    secret = await post(client, author, "Chỉ bạn bè mới thấy", "CONNECTIONS")
    await comment(client, friend, secret, f"{mention(stranger)} {mention(other_friend)} xem này")
    assert await notices(client, stranger) == [], "the stranger may not see the post"
    assert await stored_mentions(graph, stranger) == 0, "nothing is even written"
    assert ("MENTION", secret, friend.id) in await notices(client, other_friend)
    # a mention in the post itself follows the same rule
    await post(client, author, f"Hẹn {mention(stranger)} và {mention(friend)}", "CONNECTIONS")
    assert await notices(client, stranger) == []
    assert [k for k, _, _ in await notices(client, friend)].count("MENTION") == 1


async def test_a_mention_on_a_group_post_skips_a_pending_applicant(client, app, graph):
    admin = await make_verified(app, client)
    member, applicant = await register(client), await register(client)
    created = await gql(
        client, CREATE_GROUP, {"input": {"name": "Hội nuôi mèo Ba Đình", "joinPolicy": "APPROVAL"}}, headers=admin.auth
    )
    group_id = created["data"]["communityCreate"]["community"]["id"]
    await gql(client, JOIN, {"id": group_id}, headers=member.auth)
    await gql(client, DECIDE, {"communityId": group_id, "personId": member.id}, headers=admin.auth)
    asked = await gql(client, JOIN, {"id": group_id}, headers=applicant.auth)
    assert asked["data"]["communityJoin"]["community"]["myJoinRequestPending"] is True
    in_group = await post(client, admin, "Lịch tiêm phòng cho mèo", "COMMUNITY", communityId=group_id)
    await comment(client, member, in_group, f"{mention(applicant)} {mention(admin)} đăng ký nhé")
    assert await notices(client, applicant) == []
    assert await stored_mentions(graph, applicant) == 0
    assert ("MENTION", in_group, member.id) in await notices(client, admin)


async def test_no_mention_about_a_post_by_someone_i_blocked(client, graph):
    author, commenter, me = [await register(client) for _ in range(3)]
    await set_edge(client, BLOCK, me, author)
    written = await post(client, author, "Bài công khai")
    await comment(client, commenter, written, f"{mention(me)} bạn thấy sao?")
    assert await notices(client, me) == []
    assert await stored_mentions(graph, me) == 0


async def test_a_mention_disappears_when_the_post_is_hidden_later(client):
    author, commenter, reader = [await register(client) for _ in range(3)]
    await connect(client, author, commenter)
    written = await post(client, author, "Ban đầu công khai")
    await comment(client, commenter, written, f"{mention(reader)} xem này")
    assert await notices(client, reader) == [("MENTION", written, commenter.id)]
    edited = await gql(client, EDIT, {"id": written, "visibility": "CONNECTIONS"}, headers=author.auth)
    assert edited["data"]["postUpdate"]["errors"] == []
    assert await notices(client, reader) == [], "the notification no longer names a post the reader may not see"
    assert ("COMMENT", written, commenter.id) in await notices(client, author), "the author still sees their own post"


async def test_reactions_notify_once_per_reactor_and_post(client):
    author, reader = await register(client), await register(client)
    written = await post(client, author, "Ảnh hoa sữa")
    for kind in ("LIKE", "LOVE", None, "LIKE", "HAHA", None, "WOW", "SAD", "ANGRY", None, "LIKE", "LOVE", "LOVE"):
        result = await gql(client, REACT, {"post": written, "kind": kind}, headers=reader.auth)
        assert result["data"]["reactionSet"]["errors"] == []
    assert await notices(client, author) == [("REACTION", written, reader.id)]


async def test_forty_parallel_reactions_make_one_reaction_and_one_notification(client):
    author, reader = await register(client), await register(client)
    written = await post(client, author, "Chợ hoa Quảng An")
    kinds = ["LIKE", "LOVE", "HAHA", "WOW"]
    results = await asyncio.gather(
        *(gql(client, REACT, {"post": written, "kind": kinds[i % 4]}, headers=reader.auth) for i in range(40))
    )
    assert all(r["data"]["reactionSet"]["errors"] == [] for r in results), results
    assert await notices(client, author) == [("REACTION", written, reader.id)]
    final = await gql(client, REACT, {"post": written, "kind": "LIKE"}, headers=reader.auth)
    assert final["data"]["reactionSet"]["reactions"]["total"] == 1


async def test_request_and_withdraw_cycles_notify_once(client):
    asker, target = await register(client), await register(client)
    for _ in range(5):
        asked = await gql(client, REQUEST, {"id": target.id}, headers=asker.auth)
        assert asked["data"]["connectionRequest"]["errors"] == []
        cancelled = await gql(client, CANCEL, {"id": target.id}, headers=asker.auth)
        assert cancelled["data"]["connectionCancel"]["errors"] == []
    assert await notices(client, target) == [("CONNECTION_REQUESTED", asker.id, asker.id)]
    # read or not, a new request the same day does not notify again
    await gql(client, MARK, headers=target.auth)
    await gql(client, REQUEST, {"id": target.id}, headers=asker.auth)
    edges = (await gql(client, NOTICES, headers=target.auth))["data"]["notifications"]["edges"]
    assert [e["node"]["kind"] for e in edges] == ["CONNECTION_REQUESTED"]
    # others are told on their own
    other = await register(client)
    await gql(client, REQUEST, {"id": target.id}, headers=other.auth)
    body = (await gql(client, NOTICES, headers=target.auth))["data"]
    assert [e["node"]["actor"]["id"] for e in body["notifications"]["edges"]] == [other.id, asker.id]
    assert body["unreadNotificationCount"] == 1


PAGE = """
query Page($first: Int, $after: String) {
  notifications(first: $first, after: $after) {
    pageInfo { hasNextPage endCursor }
    edges { cursor node { createdAt actor { id } } }
  }
}
"""


async def test_notification_pages_come_newest_first_with_hidden_ones_left_out(client):
    me = await register(client)
    askers = [await register(client) for _ in range(6)]
    for asker in askers:
        assert (await gql(client, REQUEST, {"id": me.id}, headers=asker.auth))["data"]["connectionRequest"][
            "errors"
        ] == []
    for blocked in (askers[1], askers[4]):  # their notices are filtered out by NOTIFICATION_SHOWN
        await set_edge(client, BLOCK, me, blocked)
    seen, times, after = [], [], None
    for expected_next in (True, False):
        page = (await gql(client, PAGE, {"first": 2, "after": after}, headers=me.auth))["data"]["notifications"]
        assert page["pageInfo"]["hasNextPage"] is expected_next, page
        seen += [e["node"]["actor"]["id"] for e in page["edges"]]
        times += [e["node"]["createdAt"] for e in page["edges"]]
        after = page["pageInfo"]["endCursor"]
    assert seen == [askers[i].id for i in (5, 3, 2, 0)], "newest first, the blocked ones left out, none twice"
    assert times == sorted(times, reverse=True)
