"""The navigation a city app needs first, through the API: "what's new in my ward" in one query
(``me.ward.community.posts``), a community's posts and members (who may see them, privacy and blocks), the
communities I belong to, a commune's ward community, and a ward post's ward. Each list pages both ways and refuses
a cursor of another list; the hot lists cost the same number of statements for any page length."""

from __future__ import annotations

from auth.viewer import Viewer
from identity.profile import set_audience
from tests import statements
from tests.both_ways import refuses_cursor, walk_both_ways
from tests.identity.people import Someone, make_officer, make_verified, register, uuid_of
from tests.social.helpers import BLOCK, comment, connect, post, set_edge
from tests.support import error_codes, gql

HOAN_KIEM, BA_DINH = "00070", "00004"

WHATS_NEW = """
query WhatsNew {
  me { ward { code community { name myRole posts(first: 5) { nodes { text ward { code } community { name } } } } } }
}
"""
WARD_COMMUNITY = "query W($code: String!) { commune(code: $code) { community { id name kind joinPolicy myRole } } }"
COMMUNES_WITH_COMMUNITIES = (
    "query C($first: Int) { communes(first: $first) { nodes { code fullName community { name kind } } } }"
)
COMMUNITY_POSTS = """
query Posts($id: ID!, $first: Int, $after: String, $last: Int, $before: String) {
  community(id: $id) {
    posts(first: $first, after: $after, last: $last, before: $before) {
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      edges { cursor node { id text ward { code } } }
    }
  }
}
"""
MEMBERS = """
query Members($id: ID!, $first: Int, $after: String, $last: Int, $before: String) {
  community(id: $id) {
    members(first: $first, after: $after, last: $last, before: $before) {
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      edges { cursor node { role since person { id displayName phone ward { code } } } }
    }
  }
}
"""
MY_COMMUNITIES = """
query Mine($first: Int, $after: String, $last: Int, $before: String) {
  myCommunities(first: $first, after: $after, last: $last, before: $before) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { id name kind myRole } }
  }
}
"""
POSTS_OF = """
query P($id: ID!) { node(id: $id) { ... on Actor { posts(first: 1) { edges { cursor } } } } }
"""
NODE_POST = "query N($id: ID!) { node(id: $id) { ... on Post { text ward { code name } community { name } } } }"
CREATE = """
mutation Create($input: CommunityCreateInput!) {
  communityCreate(input: $input) { community { id } errors { code field message } }
}
"""
JOIN = "mutation Join($id: ID!) { communityJoin(input: {communityId: $id}) { errors { code message } } }"
NESTED_COMMUNITY_POSTS = (
    """
query NestedCommunityPosts($id: ID!, $first: Int) {
  community(id: $id) { posts(first: $first) { edges { node { ...PostFields } } } }
}
"""
    + statements.POST
)
NESTED_MEMBERS = (
    """
query NestedMembers($id: ID!, $first: Int) {
  community(id: $id) { members(first: $first) { edges { node { role since person { ...ActorFields } } } } }
}
"""
    + statements.ACTOR
)
#: Statements of a page of a community's posts with every field (tests.statements.POST), whatever its length: the
#: session, the community, the page (one compiled statement, ``graph.posts``, priming every nested loader, the
#: viewer's own contacts, verification requests and organisations too, as the author of comments on the page).
COMMUNITY_POSTS_STATEMENTS = 3
#: Statements of a page of members with every field of each person (tests.statements.ACTOR), whatever its length: the
#: session, the community, who may see its members, the page, the people (identity.views), the relations to them.
MEMBERS_STATEMENTS = 6


async def ward_community_id(client, viewer: Someone | None = None, code: str = HOAN_KIEM) -> str:
    found = await gql(client, WARD_COMMUNITY, {"code": code}, headers=viewer.auth if viewer else None)
    return found["data"]["commune"]["community"]["id"]


async def group(client, founder: Someone, name: str, policy: str = "OPEN") -> str:
    created = await gql(client, CREATE, {"input": {"name": name, "joinPolicy": policy}}, headers=founder.auth)
    assert created["data"]["communityCreate"]["errors"] == [], created
    return created["data"]["communityCreate"]["community"]["id"]


async def audience(app, person: Someone, field: str, chosen: str) -> None:
    """``person`` chooses who sees ``field`` (identity's service, as the profile mutation calls it)."""
    await set_audience(app.state.runtime, Viewer(kind="person", actor_id=uuid_of(person.id)), field, chosen)


# --- what's new in my ward ------------------------------------------------------------------------------------------


async def test_whats_new_in_my_ward_is_one_query(client):
    me = await register(client, fullName="Phạm Minh Đức")  # Hoàn Kiếm
    neighbour = await register(client, fullName="Đỗ Thị Lan")
    rude = await register(client, fullName="Vũ Văn Thô")
    elsewhere = await register(client, fullName="Ngô Bảo Châu", wardCode=BA_DINH)
    hoan_kiem = await ward_community_id(client, me)
    ba_dinh = await ward_community_id(client, elsewhere, BA_DINH)

    await post(client, me, "Tin của tôi", "COMMUNITY", communityId=hoan_kiem)
    for i in range(3):
        await post(client, neighbour, f"Tin phường số {i}", "COMMUNITY", communityId=hoan_kiem)
    await post(client, rude, "Lời lẽ thô tục", "COMMUNITY", communityId=hoan_kiem)
    await post(client, elsewhere, "Tin Ba Đình", "COMMUNITY", communityId=ba_dinh)
    await post(client, neighbour, "Bài công khai, không trong cộng đồng")
    await set_edge(client, BLOCK, me, rude)

    body = await gql(client, WHATS_NEW, headers=me.auth)
    assert "errors" not in body, body["errors"]
    ward = body["data"]["me"]["ward"]
    assert ward["code"] == HOAN_KIEM
    assert ward["community"]["name"] == "Phường Hoàn Kiếm" and ward["community"]["myRole"] == "MEMBER"
    nodes = ward["community"]["posts"]["nodes"]
    assert [n["text"] for n in nodes] == ["Tin phường số 2", "Tin phường số 1", "Tin phường số 0", "Tin của tôi"]
    assert all(n["ward"] == {"code": HOAN_KIEM} for n in nodes), "a ward community's post tells its ward"
    assert all(n["community"] == {"name": "Phường Hoàn Kiếm"} for n in nodes)

    # the rude neighbour sees their own post, not mine across the block; an outsider and a signed-out visitor
    # see none of the ward's posts (a community's posts are for its members)
    rude_sees = await gql(client, COMMUNITY_POSTS, {"id": hoan_kiem, "first": 10}, headers=rude.auth)
    assert [e["node"]["text"] for e in rude_sees["data"]["community"]["posts"]["edges"]] == [
        "Lời lẽ thô tục",
        "Tin phường số 2",
        "Tin phường số 1",
        "Tin phường số 0",
    ]
    for outsider in (elsewhere.auth, None):
        seen = await gql(client, COMMUNITY_POSTS, {"id": hoan_kiem, "first": 10}, headers=outsider)
        assert seen["data"]["community"]["posts"]["edges"] == []


async def test_a_post_in_a_ward_community_reports_its_ward(client):
    author = await register(client)
    hoan_kiem = await ward_community_id(client, author)
    in_ward = await post(client, author, "Chợ đêm phố cổ mở lại", "COMMUNITY", communityId=hoan_kiem)
    about_other = await post(client, author, "Tin về Ba Đình", "COMMUNITY", communityId=hoan_kiem, wardCode=BA_DINH)
    plain = await post(client, author, "Không về phường nào")
    found = {
        pid: (await gql(client, NODE_POST, {"id": pid}, headers=author.auth))["data"]["node"]
        for pid in (in_ward, about_other, plain)
    }
    assert found[in_ward]["ward"] == {"code": HOAN_KIEM, "name": "Hoàn Kiếm"}
    assert found[about_other]["ward"]["code"] == BA_DINH, "a ward named on the post wins"
    assert found[plain]["ward"] is None and found[plain]["community"] is None


async def test_a_communes_community_is_its_ward_community(client):
    found = (await gql(client, WARD_COMMUNITY, {"code": HOAN_KIEM}))["data"]["commune"]["community"]
    assert found["name"] == "Phường Hoàn Kiếm" and found["kind"] == "WARD" and found["joinPolicy"] == "AUTOMATIC"
    assert found["myRole"] is None
    resident = await register(client)
    mine = (await gql(client, WARD_COMMUNITY, {"code": HOAN_KIEM}, headers=resident.auth))["data"]["commune"]
    assert mine["community"]["myRole"] == "MEMBER"
    # a whole page of communes reads their communities in one statement
    small, _ = await statements.counted(client, COMMUNES_WITH_COMMUNITIES, {"first": 3}, headers=None)
    large, body = await statements.counted(client, COMMUNES_WITH_COMMUNITIES, {"first": 60}, headers=None)
    nodes = body["data"]["communes"]["nodes"]
    assert len(nodes) == 60
    assert all(n["community"] == {"name": n["fullName"], "kind": "WARD"} for n in nodes), "each its own ward's"
    assert small == large == 3, (small, large)  # the page, its count, the communities


# --- a community's posts --------------------------------------------------------------------------------------------


async def test_community_posts_page_both_ways_and_refuse_another_lists_cursor(client, app):
    founder = await make_verified(app, client)
    first_group = await group(client, founder, "Câu lạc bộ xe đạp Hồ Tây")
    second_group = await group(client, founder, "Đọc sách Phố cổ")
    texts = [f"Hẹn đạp xe lần {i}" for i in range(5)]
    for text in texts:
        await post(client, founder, text, "COMMUNITY", communityId=first_group)
    await post(client, founder, "Sách tháng này", "COMMUNITY", communityId=second_group)

    def connection(data):
        return data["community"]["posts"]

    listed = await walk_both_ways(
        client, COMMUNITY_POSTS, connection, {"id": first_group}, headers=founder.auth, key=lambda n: n["text"]
    )
    assert listed == texts[::-1], "newest first"

    other = (await gql(client, COMMUNITY_POSTS, {"id": second_group, "first": 1}, headers=founder.auth))["data"]
    await refuses_cursor(
        client,
        COMMUNITY_POSTS,
        other["community"]["posts"]["edges"][0]["cursor"],
        {"id": first_group},
        headers=founder.auth,
    )
    authors_posts = (await gql(client, POSTS_OF, {"id": founder.id}, headers=founder.auth))["data"]["node"]["posts"]
    await refuses_cursor(
        client, COMMUNITY_POSTS, authors_posts["edges"][0]["cursor"], {"id": first_group}, headers=founder.auth
    )


async def test_a_page_of_community_posts_with_every_field_costs_the_same_for_any_length(client, app):
    founder = await make_verified(app, client)
    reader, other = await register(client), await register(client)
    community = await group(client, founder, "Hội phụ huynh Phố cổ")
    for who in (reader, other):
        await gql(client, JOIN, {"id": community}, headers=who.auth)
    for i in range(10):
        written = await post(
            client, (founder, other)[i % 2], f"Tin số {i}", "COMMUNITY", communityId=community, wardCode=HOAN_KIEM
        )
        first = await comment(client, reader, written, f"Ý kiến về tin {i}")
        await comment(client, other, written, "Đồng ý", first)
    small, _ = await statements.counted(
        client, NESTED_COMMUNITY_POSTS, {"id": community, "first": 3}, headers=reader.auth
    )
    large, body = await statements.counted(
        client, NESTED_COMMUNITY_POSTS, {"id": community, "first": 10}, headers=reader.auth
    )
    edges = body["data"]["community"]["posts"]["edges"]
    assert len(edges) == 10 and all(e["node"]["comments"]["edges"][0]["node"]["replies"] for e in edges)
    assert all(e["node"]["ward"]["code"] == HOAN_KIEM and e["node"]["community"] for e in edges)
    print(f"community posts, every field: {small} statements for 3 posts, {large} for 10")
    assert statements.same_for_any_length(small, large, COMMUNITY_POSTS_STATEMENTS), (small, large)


# --- a community's members ------------------------------------------------------------------------------------------


def member_ids(body: dict) -> list[str]:
    return [e["node"]["person"]["id"] for e in body["data"]["community"]["members"]["edges"]]


async def test_an_open_groups_members_are_shown_to_everyone_signed_in_but_never_across_a_block(client, app):
    founder = await make_verified(app, client, fullName="Lê Thu Hà")
    member, outsider, blocker = await register(client), await register(client), await register(client)
    community = await group(client, founder, "Câu lạc bộ cờ tướng")
    for who in (member, blocker):
        await gql(client, JOIN, {"id": community}, headers=who.auth)

    seen = await gql(client, MEMBERS, {"id": community}, headers=outsider.auth)
    assert member_ids(seen) == [blocker.id, member.id, founder.id], "newest member first"
    roles = [e["node"]["role"] for e in seen["data"]["community"]["members"]["edges"]]
    assert roles == ["MEMBER", "MEMBER", "ADMIN"]
    people = [e["node"]["person"] for e in seen["data"]["community"]["members"]["edges"]]
    assert all(p["phone"] is None and p["ward"] is None for p in people), "each person as their privacy allows"
    assert people[2]["displayName"] == "Lê Thu Hà"

    await set_edge(client, BLOCK, blocker, outsider)
    assert member_ids(await gql(client, MEMBERS, {"id": community}, headers=outsider.auth)) == [member.id, founder.id]
    assert blocker.id not in member_ids(await gql(client, MEMBERS, {"id": community}, headers=outsider.auth))
    await set_edge(client, BLOCK, outsider, member)
    assert member_ids(await gql(client, MEMBERS, {"id": community}, headers=outsider.auth)) == [founder.id]
    assert outsider.id not in member_ids(await gql(client, MEMBERS, {"id": community}, headers=member.auth))

    signed_out = await gql(client, MEMBERS, {"id": community})
    assert error_codes(signed_out) == ["UNAUTHENTICATED"] and signed_out["data"]["community"] is None


async def test_an_approval_groups_members_are_for_its_members(client, app):
    founder = await make_verified(app, client)
    member, asker, outsider = await register(client), await register(client), await register(client)
    community = await group(client, founder, "Hội những người nuôi mèo", "APPROVAL")
    decide = """
    mutation D($c: ID!, $p: ID!) {
      communityJoinDecide(input: {communityId: $c, personId: $p, approve: true}) { errors { code } }
    }
    """
    await gql(client, JOIN, {"id": community}, headers=member.auth)
    await gql(client, decide, {"c": community, "p": member.id}, headers=founder.auth)
    await gql(client, JOIN, {"id": community}, headers=asker.auth)

    assert member_ids(await gql(client, MEMBERS, {"id": community}, headers=member.auth)) == [member.id, founder.id]
    for who in (outsider, asker):
        refused = await gql(client, MEMBERS, {"id": community}, headers=who.auth)
        assert error_codes(refused) == ["FORBIDDEN"], "a request to join is not a membership"
        assert refused["errors"][0]["message"] == "Only its members see who belongs to this community."
    in_vietnamese = await gql(client, MEMBERS, {"id": community}, headers={**outsider.auth, "Accept-Language": "vi"})
    assert (
        in_vietnamese["errors"][0]["message"] == "Chỉ thành viên của cộng đồng này mới xem được danh sách thành viên."
    )


async def test_a_ward_lists_a_resident_only_to_whoever_may_see_their_ward(client, app):
    me = await register(client, fullName="Phạm Minh Đức")
    hidden = await register(client, fullName="Người Kín Đáo")  # default audience of the ward: connections
    friend = await register(client, fullName="Bạn Của Tôi")  # default, connected to me
    open_person = await register(client, fullName="Người Cởi Mở")
    private_friend = await register(client, fullName="Bạn Rất Kín")  # only me, even to connections
    elsewhere = await register(client, fullName="Ở Ba Đình", wardCode=BA_DINH)
    await connect(client, me, friend)
    await connect(client, me, private_friend)
    await audience(app, open_person, "ward", "public")
    await audience(app, private_friend, "ward", "only_me")
    ward = await ward_community_id(client, me)

    listed = member_ids(await gql(client, MEMBERS, {"id": ward, "first": 50}, headers=me.auth))
    assert listed == [open_person.id, friend.id, me.id]
    friends_view = member_ids(await gql(client, MEMBERS, {"id": ward, "first": 50}, headers=friend.auth))
    assert friends_view == [open_person.id, friend.id, me.id], "I am the friend's connection"
    hidden_view = member_ids(await gql(client, MEMBERS, {"id": ward, "first": 50}, headers=hidden.auth))
    assert hidden_view == [open_person.id, hidden.id], "each sees themself"
    refused = await gql(client, MEMBERS, {"id": ward}, headers=elsewhere.auth)
    assert error_codes(refused) == ["FORBIDDEN"], "a ward's members are for its residents"
    # the member count stays the count of every resident
    count = await gql(client, "query C($id: ID!) { community(id: $id) { memberCount } }", {"id": ward})
    assert count["data"]["community"]["memberCount"] == 5


async def test_members_page_both_ways_and_refuse_another_communitys_cursor(client, app):
    officer = await make_officer(app, client)
    founder = await make_verified(app, client, officer=officer)
    joiners = [await register(client) for _ in range(4)]
    community = await group(client, founder, "Yoga công viên Thống Nhất")
    other = await group(client, founder, "Bóng đá phủi Cầu Giấy")
    for who in joiners:
        await gql(client, JOIN, {"id": community}, headers=who.auth)

    def connection(data):
        return data["community"]["members"]

    listed = await walk_both_ways(
        client, MEMBERS, connection, {"id": community}, headers=founder.auth, key=lambda n: n["person"]["id"]
    )
    assert listed == [j.id for j in joiners[::-1]] + [founder.id]
    others = (await gql(client, MEMBERS, {"id": other}, headers=founder.auth))["data"]["community"]["members"]
    await refuses_cursor(client, MEMBERS, others["edges"][0]["cursor"], {"id": community}, headers=founder.auth)


async def test_a_page_of_members_with_every_field_costs_the_same_for_any_length(client, app):
    founder = await make_verified(app, client)
    viewer = await register(client)  # not a member: an open group's members are shown to anyone signed in
    community = await group(client, founder, "Hội cư dân phố Hàng Bạc")
    for _ in range(9):
        joiner = await register(client)
        await gql(client, JOIN, {"id": community}, headers=joiner.auth)
        await connect(client, viewer, joiner)
    small, _ = await statements.counted(client, NESTED_MEMBERS, {"id": community, "first": 3}, headers=viewer.auth)
    large, body = await statements.counted(client, NESTED_MEMBERS, {"id": community, "first": 10}, headers=viewer.auth)
    edges = body["data"]["community"]["members"]["edges"]
    assert len(edges) == 10 and all(e["node"]["person"]["displayName"] for e in edges)
    assert sum(1 for e in edges if e["node"]["person"]["relation"]["connected"]) == 9
    print(f"members, every field: {small} statements for 3 members, {large} for 10")
    assert statements.same_for_any_length(small, large, MEMBERS_STATEMENTS), (small, large)


# --- my communities -------------------------------------------------------------------------------------------------


async def test_my_communities_are_my_ward_and_my_groups_with_my_role(client, app):
    founder = await make_verified(app, client)
    me = await register(client)
    names = ["Yoga công viên Thống Nhất", "Bóng đá phủi Cầu Giấy", "Đọc sách Phố cổ"]
    ids = [await group(client, founder, name) for name in names]
    closed = await group(client, founder, "Hội những người nuôi mèo", "APPROVAL")
    for community in ids[:2]:
        await gql(client, JOIN, {"id": community}, headers=me.auth)
    await gql(client, JOIN, {"id": closed}, headers=me.auth)  # a pending request is no membership

    def connection(data):
        return data["myCommunities"]

    mine = await walk_both_ways(
        client, MY_COMMUNITIES, connection, headers=me.auth, size=1, key=lambda n: (n["name"], n["kind"], n["myRole"])
    )
    assert mine == [
        ("Bóng đá phủi Cầu Giấy", "GROUP", "MEMBER"),
        ("Phường Hoàn Kiếm", "WARD", "MEMBER"),
        ("Yoga công viên Thống Nhất", "GROUP", "MEMBER"),
    ], "by name"
    founders = (await gql(client, MY_COMMUNITIES, {"first": 10}, headers=founder.auth))["data"]["myCommunities"]
    assert founders["totalCount"] == 5 and {e["node"]["myRole"] for e in founders["edges"]} == {"ADMIN", "MEMBER"}

    await refuses_cursor(client, MY_COMMUNITIES, founders["edges"][0]["cursor"], headers=me.auth)
    directory = await gql(client, "query { communities(first: 1) { edges { cursor } } }")
    await refuses_cursor(
        client, MY_COMMUNITIES, directory["data"]["communities"]["edges"][0]["cursor"], headers=me.auth
    )
    assert error_codes(await gql(client, MY_COMMUNITIES)) == ["UNAUTHENTICATED"]
