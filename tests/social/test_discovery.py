"""Discovery through the API: people you may know, trust paths, search of posts and communities.

Every relationship is made through the public mutations (connectionRequest / connectionAccept,
blockSet, socialPreferencesSet, profileAudienceSet, accountClose, postCreate), as a client app would.
Everyone registers as a resident of ward 00070 (Phường Hoàn Kiếm) unless said otherwise; a ward's
audience is CONNECTIONS by default, so a shared ward counts for a suggestion only when the candidate
made their ward PUBLIC.
"""

from __future__ import annotations

import itertools

from tests.identity.people import Someone, make_officer, make_verified, register
from tests.social.helpers import walk
from tests.support import error_codes, gql, raw_cursor

# --- documents ---------------------------------------------------------------------------------------------------

REQUEST = """
mutation Request($id: ID!) {
  connectionRequest(input: {actorId: $id}) { relation { connected requestSent } errors { code message } }
}
"""
ACCEPT = """
mutation Accept($id: ID!) { connectionAccept(input: {actorId: $id}) { relation { connected } errors { code message } } }
"""
BLOCK = """
mutation Block($id: ID!, $blocked: Boolean!) {
  blockSet(input: {actorId: $id, blocked: $blocked}) { relation { blocked } errors { code message } }
}
"""
OPT_OUT = """
mutation OptOut($optOut: Boolean!) {
  socialPreferencesSet(input: {suggestionsOptOut: $optOut}) { preferences { suggestionsOptOut } errors { code message } }
}
"""
AUDIENCE = """
mutation Audience($field: ProfileField!, $audience: Audience!) {
  profileAudienceSet(input: {field: $field, audience: $audience}) { errors { code message } }
}
"""
CLOSE = "mutation Close($password: String!) { accountClose(input: {password: $password}) { errors { code } } }"
POST = """
mutation Post($input: PostCreateInput!) { postCreate(input: $input) { post { id } errors { code field message } } }
"""
ORGANIZATION = """
mutation Org($input: OrganizationRegisterInput!) { organizationRegister(input: $input) { organization { id } errors { code message } } }
"""

SUGGESTIONS = """
query Suggestions($first: Int) {
  peopleYouMayKnow(first: $first) {
    person { id displayName ward { code } }
    score mutualCount sharedCommunities reason
  }
}
"""
TRUST_PATH = """
query Path($to: ID!) { trustPath(actorId: $to) { hops people { id displayName verificationLevel } } }
"""
POST_SEARCH = """
query Posts($text: String!, $first: Int, $after: String) {
  postSearch(text: $text, first: $first, after: $after) {
    edges { cursor node { id text visibility author { id } } }
    pageInfo { hasNextPage hasPreviousPage endCursor }
  }
}
"""
COMMUNITY_SEARCH = """
query Communities($text: String!, $first: Int) {
  communities(search: $text, first: $first) { edges { node { id name kind } } }
}
"""

WARD_NAME = "Phường Hoàn Kiếm"  # the community of ward 00070, where `register` puts everyone


# --- helpers -------------------------------------------------------------------------------------------------------


async def connect(client, a: Someone, b: Someone) -> None:
    asked = await gql(client, REQUEST, {"id": b.id}, headers=a.auth)
    assert asked["data"]["connectionRequest"]["errors"] == [], asked
    accepted = await gql(client, ACCEPT, {"id": a.id}, headers=b.auth)
    assert accepted["data"]["connectionAccept"]["relation"]["connected"] is True, accepted


async def chain(client, *people: Someone) -> None:
    for a, b in itertools.pairwise(people):
        await connect(client, a, b)


async def block(client, who: Someone, other: Someone, blocked: bool = True) -> None:
    body = await gql(client, BLOCK, {"id": other.id, "blocked": blocked}, headers=who.auth)
    assert body["data"]["blockSet"]["errors"] == [], body


async def show_ward(client, who: Someone) -> None:
    body = await gql(client, AUDIENCE, {"field": "WARD", "audience": "PUBLIC"}, headers=who.auth)
    assert body["data"]["profileAudienceSet"]["errors"] == [], body


async def show_connections(client, *people: Someone, audience: str = "PUBLIC") -> None:
    """Each of ``people`` shows their connection list to ``audience``: a trust path goes through a person only when
    their list is visible to the viewer."""
    for who in people:
        body = await gql(client, AUDIENCE, {"field": "CONNECTIONS", "audience": audience}, headers=who.auth)
        assert body["data"]["profileAudienceSet"]["errors"] == [], body


async def suggestions(client, who: Someone, first: int | None = None) -> list[dict]:
    body = await gql(client, SUGGESTIONS, {"first": first}, headers=who.auth)
    assert "errors" not in body, body
    return body["data"]["peopleYouMayKnow"]


async def trust_path(client, who: Someone, to: str) -> dict | None:
    body = await gql(client, TRUST_PATH, {"to": to}, headers=who.auth)
    assert "errors" not in body, body
    return body["data"]["trustPath"]


async def post(client, author: Someone, text: str, visibility: str = "PUBLIC") -> str:
    body = await gql(client, POST, {"input": {"text": text, "visibility": visibility}}, headers=author.auth)
    assert body["data"]["postCreate"]["errors"] == [], body
    return body["data"]["postCreate"]["post"]["id"]


async def found_posts(client, text: str, who: Someone | None = None) -> set[str]:
    body = await gql(client, POST_SEARCH, {"text": text}, headers=who.auth if who else None)
    assert "errors" not in body, body
    return {e["node"]["id"] for e in body["data"]["postSearch"]["edges"]}


# --- people you may know ---------------------------------------------------------------------------------------------


async def test_suggestions_are_ranked_by_mutual_connections_then_shared_ward_with_a_reason(client):
    me = await register(client, fullName="Nguyễn Văn An")
    bình = await register(client, fullName="Trần Thị Bình")
    cường = await register(client, fullName="Lê Văn Cường")
    xuân = await register(client, fullName="Phạm Thị Xuân")  # 2 mutual connections, shows her ward
    yên = await register(client, fullName="Hoàng Văn Yên")  # 1 mutual connection, ward hidden (default)
    dung = await register(client, fullName="Vũ Thị Dung")  # no mutual connection, shows her ward
    hidden = await register(client, fullName="Đỗ Văn Hiền")  # same ward but hides it: never suggested
    tourist = await register(client, fullName="Ngô Thị Tâm", roles=["TOURIST"], wardCode=None)
    await connect(client, me, bình)
    await connect(client, me, cường)
    await connect(client, bình, xuân)
    await connect(client, cường, xuân)
    await connect(client, bình, yên)
    await show_ward(client, xuân)
    await show_ward(client, dung)

    found = await suggestions(client, me)

    assert [s["person"]["id"] for s in found] == [xuân.id, yên.id, dung.id]
    first, second, third = found
    assert first == {
        "person": {"id": xuân.id, "displayName": "Phạm Thị Xuân", "ward": {"code": "00070"}},
        "score": 7,
        "mutualCount": 2,
        "sharedCommunities": [WARD_NAME],
        "reason": "2 mutual connections, same ward",
    }
    assert second == {
        "person": {"id": yên.id, "displayName": "Hoàng Văn Yên", "ward": None},
        "score": 3,
        "mutualCount": 1,
        "sharedCommunities": [],
        "reason": "1 mutual connection",
    }
    assert (third["score"], third["mutualCount"], third["sharedCommunities"], third["reason"]) == (
        1,
        0,
        [WARD_NAME],
        "same ward",
    )
    shown = {s["person"]["id"] for s in found}
    assert not shown & {me.id, bình.id, cường.id, hidden.id, tourist.id}
    assert [s["person"]["id"] for s in await suggestions(client, me, first=1)] == [xuân.id]


async def test_suggestions_leave_out_connections_requests_blocks_opt_outs_and_closed_accounts(client):
    me = await register(client, fullName="Nguyễn Văn An")
    friend = await register(client, fullName="Trần Thị Bình")
    names = ["Asked By Me", "Asked Me", "Blocked By Me", "Blocked Me", "Opted Out", "Closed", "Suggested"]
    people = {n: await register(client, fullName=f"Lê {n}") for n in names}
    await connect(client, me, friend)
    for person in people.values():
        await connect(client, friend, person)  # each is a friend of a friend: a candidate
    other_friend = await register(client, fullName="Phạm Văn Cường")
    await connect(client, me, other_friend)
    await connect(client, other_friend, friend)  # a connection of mine and of my friend

    asked = await gql(client, REQUEST, {"id": people["Asked By Me"].id}, headers=me.auth)
    assert asked["data"]["connectionRequest"]["relation"]["requestSent"] is True
    asked = await gql(client, REQUEST, {"id": me.id}, headers=people["Asked Me"].auth)
    assert asked["data"]["connectionRequest"]["relation"]["requestSent"] is True
    await block(client, me, people["Blocked By Me"])
    await block(client, people["Blocked Me"], me)
    opted = await gql(client, OPT_OUT, {"optOut": True}, headers=people["Opted Out"].auth)
    assert opted["data"]["socialPreferencesSet"] == {"preferences": {"suggestionsOptOut": True}, "errors": []}
    closed = await gql(client, CLOSE, {"password": people["Closed"].password}, headers=people["Closed"].auth)
    assert closed["data"]["accountClose"]["errors"] == []

    found = await suggestions(client, me)

    assert [(s["person"]["id"], s["reason"]) for s in found] == [(people["Suggested"].id, "1 mutual connection")]

    # Undoing the block and the opt-out brings them back; the rest stay out.
    await block(client, me, people["Blocked By Me"], blocked=False)
    await gql(client, OPT_OUT, {"optOut": False}, headers=people["Opted Out"].auth)
    back = {s["person"]["id"] for s in await suggestions(client, me)}
    assert back == {people["Suggested"].id, people["Blocked By Me"].id, people["Opted Out"].id}


async def test_suggestions_need_a_signed_in_person_and_a_sane_size(client):
    body = await gql(client, SUGGESTIONS, {"first": 5})
    assert error_codes(body) == ["UNAUTHENTICATED"]
    me = await register(client)
    assert await suggestions(client, me) == []
    too_many = await gql(client, SUGGESTIONS, {"first": 500}, headers=me.auth)
    assert error_codes(too_many) == ["INVALID_INPUT"]


# --- trust path ------------------------------------------------------------------------------------------------------


async def test_trust_path_goes_through_verified_people_only(app, client):
    officer = await make_officer(app, client)
    me = await register(client, fullName="Nguyễn Văn An")
    v1 = await make_verified(app, client, officer, fullName="Trần Thị Một")
    v2 = await make_verified(app, client, officer, fullName="Lê Văn Hai")
    unverified = await register(client, fullName="Phạm Chưa Xác")
    target = await register(client, fullName="Hoàng Đích Đến")  # the end need not be verified
    only_via_unverified = await register(client, fullName="Vũ Xa Lạ")
    await chain(client, me, unverified, target)  # 2 hops, but through an unverified person
    await chain(client, me, v1, v2, target)  # 3 hops through verified people
    await connect(client, unverified, only_via_unverified)
    await show_connections(client, v2, unverified)  # v1 is my connection: I see their list by default

    path = await trust_path(client, me, target.id)

    assert path["hops"] == 3
    assert [p["id"] for p in path["people"]] == [me.id, v1.id, v2.id, target.id]
    assert [p["verificationLevel"] for p in path["people"][1:-1]] == [2, 2]
    assert await trust_path(client, me, only_via_unverified.id) is None
    direct = await trust_path(client, me, unverified.id)  # a direct connection has no one in between
    assert (direct["hops"], [p["id"] for p in direct["people"]]) == (1, [me.id, unverified.id])


async def test_trust_path_is_at_most_four_hops(app, client):
    officer = await make_officer(app, client)
    me = await register(client, fullName="Nguyễn Văn An")
    verified = [await make_verified(app, client, officer, fullName=f"Trần Văn Số {n}") for n in "ABCD"]
    far = await register(client, fullName="Lê Xa Xôi")
    await chain(client, me, *verified, far)
    await show_connections(client, *verified[1:])

    four = await trust_path(client, me, verified[-1].id)
    assert four["hops"] == 4
    assert [p["id"] for p in four["people"]] == [me.id] + [v.id for v in verified]
    assert await trust_path(client, me, far.id) is None  # 5 hops


async def test_trust_path_is_hidden_across_a_block(app, client):
    officer = await make_officer(app, client)
    me = await register(client, fullName="Nguyễn Văn An")
    v1 = await make_verified(app, client, officer, fullName="Trần Thị Một")
    v2 = await make_verified(app, client, officer, fullName="Lê Văn Hai")
    target = await register(client, fullName="Hoàng Đích Đến")
    await chain(client, me, v1, v2, target)
    await show_connections(client, v2)
    assert (await trust_path(client, me, target.id))["hops"] == 3

    await block(client, me, v2)  # someone in between blocked by me: no path through them
    assert await trust_path(client, me, target.id) is None
    await block(client, me, v2, blocked=False)
    assert (await trust_path(client, me, target.id))["hops"] == 3

    await block(client, v2, me)  # ... nor through someone who blocked me
    assert await trust_path(client, me, target.id) is None
    await block(client, v2, me, blocked=False)

    await block(client, target, me)  # the target blocked me: hidden
    assert await trust_path(client, me, target.id) is None
    anonymous = await gql(client, TRUST_PATH, {"to": target.id})
    assert error_codes(anonymous) == ["UNAUTHENTICATED"]


async def test_trust_path_to_an_organization_ends_at_a_representative(app, client):
    officer = await make_officer(app, client)
    me = await register(client, fullName="Nguyễn Văn An")
    v1 = await make_verified(app, client, officer, fullName="Trần Thị Một")
    owner = await make_verified(app, client, officer, fullName="Lê Chủ Doanh")
    created = await gql(
        client,
        ORGANIZATION,
        {"input": {"name": "Công ty TNHH Phở Hà Nội", "kind": "BUSINESS", "taxCode": "0101234567"}},
        headers=owner.auth,
    )
    organization = created["data"]["organizationRegister"]["organization"]["id"]
    await chain(client, me, v1, owner)

    path = await trust_path(client, me, organization)

    assert path["hops"] == 2
    assert [p["id"] for p in path["people"]] == [me.id, v1.id, owner.id]
    mine = await trust_path(client, owner, organization)
    assert (mine["hops"], [p["id"] for p in mine["people"]]) == (0, [owner.id])


REPRESENTATIVE_SET = """
mutation Set($org: ID!, $person: ID!, $role: RepresentativeRole!) {
  representativeSet(input: {organizationId: $org, personId: $person, role: $role}) { errors { code message } }
}
"""
INVITATION_ACCEPT = """
mutation Accept($input: RepresentativeInvitationAcceptInput!) {
  representativeInvitationAccept(input: $input) { errors { code message } }
}
"""


async def test_an_unaccepted_invitation_does_not_shorten_a_trust_path(app, client):
    """A scam organisation invites a verified person as OWNER: until that person accepts, the organisation is not
    one hop from them, and people they know are not led to it; suggestions do not change either."""
    officer = await make_officer(app, client)
    me = await register(client, fullName="Nguyễn Văn An")
    trusted = await make_verified(app, client, officer, fullName="Trần Thị Tin Cậy")
    scammer = await make_verified(app, client, officer, fullName="Lừa Đảo Văn")
    created = await gql(
        client,
        ORGANIZATION,
        {"input": {"name": "Công ty Đầu tư Siêu Lãi", "kind": "BUSINESS", "taxCode": "0109876543"}},
        headers=scammer.auth,
    )
    scam = created["data"]["organizationRegister"]["organization"]["id"]
    await connect(client, me, trusted)
    suggestions_before = (await gql(client, SUGGESTIONS, {"first": 20}, headers=me.auth))["data"]["peopleYouMayKnow"]

    invited = await gql(
        client, REPRESENTATIVE_SET, {"org": scam, "person": trusted.id, "role": "OWNER"}, headers=scammer.auth
    )
    assert invited["data"]["representativeSet"]["errors"] == []

    assert await trust_path(client, me, scam) is None
    assert await trust_path(client, trusted, scam) is None, "not 0 hops: the invitation is not accepted"
    suggestions_after = (await gql(client, SUGGESTIONS, {"first": 20}, headers=me.auth))["data"]["peopleYouMayKnow"]
    assert suggestions_after == suggestions_before

    accepted = await gql(client, INVITATION_ACCEPT, {"input": {"organizationId": scam}}, headers=trusted.auth)
    assert accepted["data"]["representativeInvitationAccept"]["errors"] == []
    path = await trust_path(client, me, scam)
    assert (path["hops"], [p["id"] for p in path["people"]]) == (1, [me.id, trusted.id]), "an accepted role counts"


async def test_trust_path_goes_only_through_people_whose_connection_list_i_may_see(app, client):
    """A path me–v1–v2–target reveals that v2 is connected to target: v2 is on it only when v2's connection list
    (profile field CONNECTIONS) is visible to me. v1 is my own connection, whose list I see by default."""
    officer = await make_officer(app, client)
    me = await register(client, fullName="Nguyễn Văn An")
    v1 = await make_verified(app, client, officer, fullName="Trần Thị Một")
    v2 = await make_verified(app, client, officer, fullName="Lê Văn Hai")
    target = await register(client, fullName="Hoàng Đích Đến")
    await chain(client, me, v1, v2, target)

    assert await trust_path(client, me, target.id) is None, "v2's list is CONNECTIONS by default, I am not one"
    await show_connections(client, v2)
    assert [p["id"] for p in (await trust_path(client, me, target.id))["people"]] == [me.id, v1.id, v2.id, target.id]

    await show_connections(client, v1, audience="ONLY_ME")  # even my own connection may hide their list from me
    assert await trust_path(client, me, target.id) is None
    assert (await trust_path(client, me, v2.id)) is None, "v1 would reveal that they know v2"
    assert (await trust_path(client, me, v1.id))["hops"] == 1, "my own connection needs no one's list"
    await show_connections(client, v1, audience="PUBLIC")
    assert (await trust_path(client, me, target.id))["hops"] == 3

    await show_connections(client, v2, audience="ONLY_ME")
    assert await trust_path(client, me, target.id) is None
    await show_connections(client, v2, audience="PUBLIC")
    assert (await trust_path(client, me, target.id))["hops"] == 3


# --- search ------------------------------------------------------------------------------------------------------------


async def test_post_search_matches_with_or_without_diacritics_and_only_visible_posts(client):
    author = await register(client, fullName="Trần Thị Bình")
    friend = await register(client, fullName="Lê Văn Cường")
    stranger = await register(client, fullName="Phạm Văn Dũng")
    await connect(client, author, friend)
    public = await post(client, author, "Gặp Nguyễn Văn An ở quán phở Hàng Bạc")
    private = await post(client, author, "Nguyễn Văn An: họp tổ dân phố tối nay", visibility="CONNECTIONS")
    await post(client, author, "Trời mưa to ở Hồ Tây")

    for text in ("Nguyen Van An", "nguyễn văn an", "NGUYỄN VĂN AN", "nguyen van"):
        assert await found_posts(client, text, stranger) == {public}, text
        assert await found_posts(client, text, friend) == {public, private}, text
        assert await found_posts(client, text) == {public}, text  # anonymous
    assert await found_posts(client, "pho hang bac", stranger) == {public}
    assert await found_posts(client, "Hàng Bạc phở", stranger) == {public}
    assert await found_posts(client, "ho tay", stranger) != set()
    assert await found_posts(client, "Nguyễn Văn Bình", stranger) == set()


async def test_post_search_hides_posts_of_blocked_people_either_way(client):
    author = await register(client, fullName="Trần Thị Bình")
    blocker = await register(client, fullName="Lê Văn Cường")
    blocked = await register(client, fullName="Phạm Văn Dũng")
    bystander = await register(client, fullName="Vũ Thị Em")
    post_id = await post(client, author, "Bán xe máy cũ ở Cầu Giấy, liên hệ Nguyễn Văn An")
    assert await found_posts(client, "xe may cau giay", blocker) == {post_id}

    await block(client, blocker, author)  # I blocked the author
    await block(client, author, blocked)  # the author blocked me

    assert await found_posts(client, "xe may cau giay", blocker) == set()
    assert await found_posts(client, "xe máy cầu giấy", blocked) == set()
    assert await found_posts(client, "xe máy cầu giấy", bystander) == {post_id}


async def test_post_search_pages_with_cursors(client):
    author = await register(client)
    ids = {await post(client, author, f"Chợ phiên Hàng Đào số {n}") for n in range(3)}
    variables = {"text": "cho phien hang dao", "first": 2}
    first = (await gql(client, POST_SEARCH, variables, headers=author.auth))["data"]["postSearch"]
    assert len(first["edges"]) == 2 and first["pageInfo"]["hasNextPage"] is True
    rest = (
        await gql(client, POST_SEARCH, {**variables, "after": first["pageInfo"]["endCursor"]}, headers=author.auth)
    )["data"]["postSearch"]
    assert len(rest["edges"]) == 1
    assert rest["pageInfo"] == {"hasNextPage": False, "hasPreviousPage": True, "endCursor": rest["edges"][0]["cursor"]}
    assert {e["node"]["id"] for e in first["edges"] + rest["edges"]} == ids
    empty = await gql(client, POST_SEARCH, {"text": "  !? "})
    assert error_codes(empty) == ["INVALID_INPUT"]


async def test_community_search_matches_with_or_without_diacritics(client):
    for text in ("Phường Hoàn Kiếm", "phuong hoan kiem", "hoàn kiếm", "hoan kiem", "HOAN KIEM"):
        body = await gql(client, COMMUNITY_SEARCH, {"text": text, "first": 3})
        assert "errors" not in body, body
        names = [e["node"]["name"] for e in body["data"]["communities"]["edges"]]
        assert names and names[0] == WARD_NAME, (text, names)
    body = await gql(client, COMMUNITY_SEARCH, {"text": "hoan kiem zzz"})
    assert body["data"]["communities"]["edges"] == []


SEARCH_PAGE = """
query Posts($text: String!, $first: Int, $after: String, $last: Int, $before: String) {
  postSearch(text: $text, first: $first, after: $after, last: $last, before: $before) {
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { id } }
  }
}
"""
ACTORS_PAGE = """
query Actors($search: String!, $first: Int, $after: String, $last: Int, $before: String) {
  actors(search: $search, first: $first, after: $after, last: $last, before: $before) {
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { id } }
  }
}
"""


async def _pages_both_ways(client, document, field, variables, headers) -> list[str]:
    forwards, pages = await walk(client, document, [field], variables, headers, backwards=False)
    backwards, _ = await walk(client, document, [field], variables, headers, backwards=True)
    assert forwards == backwards and len(set(forwards)) == len(forwards) and pages >= 3, (forwards, backwards)
    first = (await gql(client, document, {**variables, "first": 4}, headers=headers))["data"][field]["edges"]
    between = await gql(
        client, document, {**variables, "after": first[0]["cursor"], "before": first[3]["cursor"]}, headers=headers
    )
    assert [e["node"]["id"] for e in between["data"][field]["edges"]] == [e["node"]["id"] for e in first[1:3]]
    last = (await gql(client, document, {**variables, "last": 2}, headers=headers))["data"][field]
    assert [e["node"]["id"] for e in last["edges"]] == forwards[-2:]
    assert last["pageInfo"]["hasPreviousPage"] is True and last["pageInfo"]["hasNextPage"] is False
    return forwards


async def test_post_search_pages_both_ways_and_refuses_another_lists_cursor(client):
    author, reader = await register(client), await register(client)
    written = {await post(client, author, f"Chợ phiên Hàng Đào số {n}") for n in range(5)}
    variables = {"text": "cho phien hang dao"}
    assert set(await _pages_both_ways(client, SEARCH_PAGE, "postSearch", variables, reader.auth)) == written
    actors = (await gql(client, ACTORS_PAGE, {"search": "Nguyễn", "first": 1}, headers=reader.auth))["data"]
    foreign = actors["actors"]["edges"][0]["cursor"]
    for paging, field in (({"after": foreign}, "after"), ({"last": 1, "before": foreign}, "before")):
        refused = await gql(client, SEARCH_PAGE, {**variables, **paging}, headers=reader.auth)
        assert error_codes(refused) == ["INVALID_INPUT"] and refused["errors"][0]["extensions"]["field"] == field
    # a cursor of another search is a position in another ranking: refused
    other = (await gql(client, SEARCH_PAGE, {"text": "cho phien", "first": 1}, headers=reader.auth))["data"]
    other_cursor = other["postSearch"]["edges"][0]["cursor"]
    for paging, field in (({"after": other_cursor}, "after"), ({"last": 1, "before": other_cursor}, "before")):
        refused = await gql(client, SEARCH_PAGE, {**variables, **paging}, headers=reader.auth)
        assert error_codes(refused) == ["INVALID_INPUT"] and refused["errors"][0]["extensions"]["field"] == field


async def test_actor_search_pages_both_ways(client):
    viewer = await register(client, fullName="Lý Thị Xem")
    people = {(await register(client, fullName=f"Đặng Thu Hà {chr(65 + i)}")).id for i in range(5)}
    found = await _pages_both_ways(client, ACTORS_PAGE, "actors", {"search": "dang thu ha"}, viewer.auth)
    assert set(found) == people
    post_search_cursor = raw_cursor(["postSearch", 0])  # the shape postSearch issues
    refused = await gql(
        client, ACTORS_PAGE, {"search": "dang thu ha", "after": post_search_cursor}, headers=viewer.auth
    )
    assert error_codes(refused) == ["INVALID_INPUT"] and refused["errors"][0]["extensions"]["field"] == "after"
