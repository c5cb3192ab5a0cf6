"""Notifications never tell anyone about a post they may not see (mentions, comments, reactions), and
repeated actions do not flood an inbox: one REACTION per (reactor, post) ever, and one
CONNECTION_REQUESTED per (requester, target) a day, never while an unread one waits."""

from __future__ import annotations

import asyncio
import base64

from tests.identity.people import make_verified, register, uuid_of
from tests.social.helpers import BLOCK, REACT, REQUEST, comment, connect, payload_errors, post, set_edge, walk
from tests.support import error_codes, gql

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
JOIN = "mutation Join($id: ID!) { communityJoin(input: {communityId: $id}) { community { myRole myJoinRequestPending } errors { code } } }"
DECIDE = """
mutation Decide($communityId: ID!, $personId: ID!) {
  communityJoinDecide(input: {communityId: $communityId, personId: $personId, approve: true}) { errors { code } }
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


BOTH_WAYS = """
query Page($first: Int, $after: String, $last: Int, $before: String, $unread: Boolean) {
  notifications(first: $first, after: $after, last: $last, before: $before, unreadOnly: $unread) {
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { id actor { id } } }
  }
}
"""
NODE = """
query N($id: ID!) { node(id: $id) { __typename id ... on Notification { kind subjectId readAt actor { id } } } }
"""
FEED = "query F($first: Int) { feed(first: $first) { edges { cursor } } }"


async def test_notification_pages_read_both_ways_alike_and_refuse_another_lists_cursor(client):
    me = await register(client)
    askers = [await register(client) for _ in range(7)]
    for asker in askers:
        await gql(client, REQUEST, {"id": me.id}, headers=asker.auth)
    await set_edge(client, BLOCK, me, askers[2])  # left out either way
    expected = [askers[i].id for i in (6, 5, 4, 3, 1, 0)]

    def actors(ids_by_node: list[str]) -> list[str]:
        return [by_id[i] for i in ids_by_node]

    forwards, pages = await walk(client, BOTH_WAYS, ["notifications"], {}, me.auth, backwards=False)
    backwards, _ = await walk(client, BOTH_WAYS, ["notifications"], {}, me.auth, backwards=True)
    everything = (await gql(client, BOTH_WAYS, {"first": 20}, headers=me.auth))["data"]["notifications"]["edges"]
    by_id = {e["node"]["id"]: e["node"]["actor"]["id"] for e in everything}
    assert actors(forwards) == actors(backwards) == expected and pages == 3
    edges = everything[:4]
    between = await gql(client, BOTH_WAYS, {"after": edges[0]["cursor"], "before": edges[3]["cursor"]}, headers=me.auth)
    assert [e["node"]["id"] for e in between["data"]["notifications"]["edges"]] == [e["node"]["id"] for e in edges[1:3]]
    await post(client, askers[0], "Một bài trong bảng tin")
    foreign = (await gql(client, FEED, {"first": 1}, headers=askers[0].auth))["data"]["feed"]["edges"][0]["cursor"]
    for variables, field in (({"after": foreign}, "after"), ({"last": 2, "before": foreign}, "before")):
        refused = await gql(client, BOTH_WAYS, variables, headers=me.auth)
        assert error_codes(refused) == ["INVALID_INPUT"] and refused["errors"][0]["extensions"]["field"] == field
    # the inbox of another person is another list: their notifications cursor is not mine
    await gql(client, REQUEST, {"id": askers[1].id}, headers=askers[0].auth)
    theirs = (await gql(client, BOTH_WAYS, {"first": 1}, headers=askers[1].auth))["data"]["notifications"]["edges"]
    assert theirs, "the other person has a notification"
    for variables, field in (
        ({"after": theirs[0]["cursor"]}, "after"),
        ({"last": 2, "before": theirs[0]["cursor"]}, "before"),
    ):
        refused = await gql(client, BOTH_WAYS, variables, headers=me.auth)
        assert error_codes(refused) == ["INVALID_INPUT"] and refused["errors"][0]["extensions"]["field"] == field


async def test_a_notification_is_a_node_only_its_recipient_sees(client):
    me, asker, someone = await register(client), await register(client), await register(client)
    await gql(client, REQUEST, {"id": me.id}, headers=asker.auth)
    (edge,) = (await gql(client, BOTH_WAYS, {"first": 5}, headers=me.auth))["data"]["notifications"]["edges"]
    notification_id = edge["node"]["id"]
    assert base64.b64decode(notification_id).decode().startswith("Notification:"), "a global id"
    mine = (await gql(client, NODE, {"id": notification_id}, headers=me.auth))["data"]["node"]
    assert mine == {
        "__typename": "Notification",
        "id": notification_id,
        "kind": "CONNECTION_REQUESTED",
        "subjectId": asker.id,
        "readAt": None,
        "actor": {"id": asker.id},
    }
    for headers in (someone.auth, asker.auth, None):
        assert (await gql(client, NODE, {"id": notification_id}, headers=headers))["data"]["node"] is None
    await set_edge(client, BLOCK, me, asker)
    assert (await gql(client, NODE, {"id": notification_id}, headers=me.auth))["data"]["node"] is None, (
        "hidden from the inbox, hidden as a node"
    )


async def test_marking_read_names_my_notifications_or_refuses_them_all(client):
    me, asker, other = await register(client), await register(client), await register(client)
    await gql(client, REQUEST, {"id": me.id}, headers=asker.auth)
    await gql(client, REQUEST, {"id": other.id}, headers=asker.auth)
    (mine,) = (await gql(client, BOTH_WAYS, {"first": 5}, headers=me.auth))["data"]["notifications"]["edges"]
    (theirs,) = (await gql(client, BOTH_WAYS, {"first": 5}, headers=other.auth))["data"]["notifications"]["edges"]
    mine_id, theirs_id = mine["node"]["id"], theirs["node"]["id"]

    someone_elses = await gql(client, MARK, {"ids": [mine_id, theirs_id]}, headers=me.auth)
    assert payload_errors(someone_elses, "notificationsMarkRead") == [("NOT_FOUND", ["input", "notificationIds", "1"])]
    assert someone_elses["data"]["notificationsMarkRead"]["markedCount"] is None
    malformed = await gql(client, MARK, {"ids": ["rác", mine_id, asker.id]}, headers=me.auth)
    assert payload_errors(malformed, "notificationsMarkRead") == [
        ("INVALID_INPUT", ["input", "notificationIds", "0"]),
        ("INVALID_INPUT", ["input", "notificationIds", "2"]),
    ]
    too_many = await gql(client, MARK, {"ids": [mine_id] * 101}, headers=me.auth)
    assert payload_errors(too_many, "notificationsMarkRead") == [("INVALID_INPUT", ["input", "notificationIds"])]
    body = (await gql(client, NOTICES, headers=me.auth))["data"]
    assert body["unreadNotificationCount"] == 1, "nothing was marked by a refused call"

    done = await gql(client, MARK, {"ids": [mine_id]}, headers=me.auth)
    assert done["data"]["notificationsMarkRead"] == {"markedCount": 1, "unreadCount": 0, "errors": []}
    assert (await gql(client, NOTICES, headers=other.auth))["data"]["unreadNotificationCount"] == 1, "theirs stays"
    assert error_codes(await gql(client, MARK, {"ids": None})) == ["UNAUTHENTICATED"]
