"""Interest-group communities through the API: creating (level 2), joining open and approval groups,
deciding requests, roles with at least one admin, ward communities that nobody joins by hand, and the
paged directory with member counts."""

from __future__ import annotations

import asyncio
import base64

from core.text import fold
from tests.both_ways import refuses_cursor, walk_both_ways
from tests.identity.people import make_officer, make_verified, register
from tests.support import error_codes, gql, raw_cursor

CREATE = """
mutation Create($input: CommunityCreateInput!) {
  communityCreate(input: $input) {
    community { id name kind myRole description joinPolicy memberCount myJoinRequestPending createdAt }
    errors { code field message }
  }
}
"""
JOIN = """
mutation Join($id: ID!) {
  communityJoin(input: {communityId: $id}) {
    community { id myRole memberCount myJoinRequestPending }
    errors { code field message }
  }
}
"""
LEAVE = """
mutation Leave($id: ID!) {
  communityLeave(input: {communityId: $id}) {
    community { id myRole memberCount myJoinRequestPending }
    errors { code field message }
  }
}
"""
REQUESTS = """
query Requests($id: ID!, $first: Int, $after: String, $last: Int, $before: String) {
  communityJoinRequests(communityId: $id, first: $first, after: $after, last: $last, before: $before) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { requestedAt person { id displayName } } }
  }
}
"""
DECIDE = """
mutation Decide($communityId: ID!, $personId: ID!, $approve: Boolean!) {
  communityJoinDecide(input: {communityId: $communityId, personId: $personId, approve: $approve}) {
    member { role since person { id } }
    errors { code field message }
  }
}
"""
ROLE_SET = """
mutation RoleSet($communityId: ID!, $personId: ID!, $role: CommunityRole!) {
  communityRoleSet(input: {communityId: $communityId, personId: $personId, role: $role}) {
    member { role person { id displayName } }
    errors { code field message }
  }
}
"""
LIST = """
query List($search: String, $kind: CommunityKind, $first: Int, $after: String, $last: Int, $before: String) {
  communities(search: $search, kind: $kind, first: $first, after: $after, last: $last, before: $before) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { id name kind myRole joinPolicy memberCount } }
  }
}
"""
ONE = "query One($id: ID!) { community(id: $id) { name myRole memberCount joinPolicy myJoinRequestPending } }"
POST = """
mutation Post($input: PostCreateInput!) { postCreate(input: $input) { post { id } errors { code field message } } }
"""
NOTICES = "{ notifications { edges { node { kind subjectId actor { id } } } } }"
NOBODY = "00000000-0000-4000-8000-000000000000"


def global_id(type_name: str, uuid: str) -> str:
    return base64.b64encode(f"{type_name}:{uuid}".encode()).decode()


def group(
    name: str = "Câu lạc bộ xe đạp Hồ Tây",
    policy: str = "OPEN",
    description: str | None = "Đạp xe quanh hồ mỗi sáng Chủ nhật.",
) -> dict:
    return {"input": {"name": name, "description": description, "joinPolicy": policy}}


async def create_group(client, founder, **kwargs) -> dict:
    created = (await gql(client, CREATE, group(**kwargs), headers=founder.auth))["data"]["communityCreate"]
    assert created["errors"] == [], created["errors"]
    return created["community"]


async def test_a_verified_person_creates_a_group_and_becomes_its_admin(client, app):
    founder = await make_verified(app, client, fullName="Lê Thu Hà")
    details = await create_group(client, founder)
    assert details["name"] == "Câu lạc bộ xe đạp Hồ Tây"
    assert details["kind"] == "GROUP" and details["myRole"] == "ADMIN"
    assert details["description"] == "Đạp xe quanh hồ mỗi sáng Chủ nhật."
    assert details["joinPolicy"] == "OPEN" and details["memberCount"] == 1 and details["myJoinRequestPending"] is False

    # found without diacritics, only among groups; anonymous visitors see it with no role
    listed = (await gql(client, LIST, {"search": "xe dap ho tay", "kind": "GROUP"}))["data"]["communities"]
    assert listed["totalCount"] == 1
    (edge,) = listed["edges"]
    assert edge["node"]["id"] == details["id"]
    assert edge["node"]["myRole"] is None and edge["node"]["memberCount"] == 1
    # the Community node is the same object everywhere
    node = (
        await gql(
            client, "query N($id: ID!) { node(id: $id) { ... on Community { name kind } } }", {"id": details["id"]}
        )
    )["data"]["node"]
    assert node == {"name": "Câu lạc bộ xe đạp Hồ Tây", "kind": "GROUP"}


async def test_creating_needs_level_2_and_valid_input(client, app):
    level0 = await register(client)
    refused = await gql(client, CREATE, group(), headers=level0.auth)
    assert error_codes(refused) == ["FORBIDDEN"]
    assert refused["errors"][0]["extensions"]["requiredLevel"] == 2
    assert "create a community" in refused["errors"][0]["message"]
    anonymous = await gql(client, CREATE, group())
    assert error_codes(anonymous) == ["UNAUTHENTICATED"]

    founder = await make_verified(app, client)
    short = (await gql(client, CREATE, group(name=" ab "), headers=founder.auth))["data"]["communityCreate"]
    assert short["community"] is None and short["errors"][0]["code"] == "INVALID_INPUT"
    assert short["errors"][0]["field"] == ["input", "name"]
    automatic = (await gql(client, CREATE, group(policy="AUTOMATIC"), headers=founder.auth))["data"]["communityCreate"]
    assert automatic["errors"][0]["field"] == ["input", "joinPolicy"]
    too_long = (await gql(client, CREATE, group(description="x" * 2001), headers=founder.auth))["data"][
        "communityCreate"
    ]
    assert too_long["errors"][0]["field"] == ["input", "description"]
    listed = (await gql(client, LIST, {"kind": "GROUP"}))["data"]["communities"]
    assert listed["totalCount"] == 0, "nothing was created by refused attempts"


async def test_an_open_group_takes_members_at_once_and_they_may_leave(client, app):
    founder = await make_verified(app, client)
    group_id = (await create_group(client, founder))["id"]
    resident = await register(client, fullName="Phạm Minh Đức")

    joined = (await gql(client, JOIN, {"id": group_id}, headers=resident.auth))["data"]["communityJoin"]
    assert joined["errors"] == []
    assert joined["community"]["myRole"] == "MEMBER" and joined["community"]["memberCount"] == 2
    again = (await gql(client, JOIN, {"id": group_id}, headers=resident.auth))["data"]["communityJoin"]
    assert again["errors"][0]["code"] == "CONFLICT"

    # members post in the group
    posted = (
        await gql(
            client,
            POST,
            {
                "input": {
                    "text": "Chủ nhật này 6h ở Thanh Niên nhé!",
                    "visibility": "COMMUNITY",
                    "communityId": group_id,
                }
            },
            headers=resident.auth,
        )
    )["data"]["postCreate"]
    assert posted["errors"] == []

    left = (await gql(client, LEAVE, {"id": group_id}, headers=resident.auth))["data"]["communityLeave"]
    assert left["errors"] == [] and left["community"]["myRole"] is None
    assert left["community"]["memberCount"] == 1
    twice = (await gql(client, LEAVE, {"id": group_id}, headers=resident.auth))["data"]["communityLeave"]
    assert twice["errors"][0]["code"] == "CONFLICT"
    anonymous = await gql(client, JOIN, {"id": group_id})
    assert error_codes(anonymous) == ["UNAUTHENTICATED"]


async def test_unknown_and_malformed_community_ids(client, app):
    resident = await register(client)
    post_id = global_id("Post", NOBODY)
    wrong_type = (await gql(client, JOIN, {"id": post_id}, headers=resident.auth))["data"]["communityJoin"]
    assert wrong_type["errors"][0] == {
        "code": "INVALID_INPUT",
        "field": ["input", "communityId"],
        "message": "This id is not the id of a Community.",
    }
    unknown_id = global_id("Community", NOBODY)
    unknown = (await gql(client, JOIN, {"id": unknown_id}, headers=resident.auth))["data"]["communityJoin"]
    assert unknown == {
        "community": None,
        "errors": [{"code": "NOT_FOUND", "field": ["input", "communityId"], "message": "No community has this id."}],
    }
    assert (await gql(client, ONE, {"id": unknown_id}))["data"]["community"] is None


async def test_an_approval_group_takes_requests_that_moderators_decide(client, app):
    officer = await make_officer(app, client)
    founder = await make_verified(app, client, officer=officer, fullName="Lê Thu Hà")
    group_id = (await create_group(client, founder, name="Hội những người nuôi mèo", policy="APPROVAL"))["id"]
    asker = await register(client, fullName="Phạm Minh Đức")
    other = await register(client, fullName="Đỗ Thị Lan")

    asked = (await gql(client, JOIN, {"id": group_id}, headers=asker.auth))["data"]["communityJoin"]
    assert asked["errors"] == []
    assert asked["community"]["myRole"] is None and asked["community"]["myJoinRequestPending"] is True
    assert asked["community"]["memberCount"] == 1, "a request is not a membership"
    again = (await gql(client, JOIN, {"id": group_id}, headers=asker.auth))["data"]["communityJoin"]
    assert again["errors"][0]["code"] == "CONFLICT" and "asked" in again["errors"][0]["message"]
    await gql(client, JOIN, {"id": group_id}, headers=other.auth)

    # not a member yet: cannot post there
    refused_post = await gql(
        client,
        POST,
        {"input": {"text": "Xin chào", "visibility": "COMMUNITY", "communityId": group_id}},
        headers=asker.auth,
    )
    assert error_codes(refused_post) == ["FORBIDDEN"]

    listed = (await gql(client, REQUESTS, {"id": group_id}, headers=founder.auth))["data"]["communityJoinRequests"]
    assert listed["totalCount"] == 2
    assert [e["node"]["person"]["id"] for e in listed["edges"]] == [asker.id, other.id], "oldest first"
    first_page = (await gql(client, REQUESTS, {"id": group_id, "first": 1}, headers=founder.auth))["data"][
        "communityJoinRequests"
    ]
    assert first_page["pageInfo"]["hasNextPage"] is True
    second_page = (
        await gql(
            client,
            REQUESTS,
            {"id": group_id, "first": 1, "after": first_page["pageInfo"]["endCursor"]},
            headers=founder.auth,
        )
    )["data"]["communityJoinRequests"]
    assert [e["node"]["person"]["id"] for e in second_page["edges"]] == [other.id]

    approved = (
        await gql(
            client, DECIDE, {"communityId": group_id, "personId": asker.id, "approve": True}, headers=founder.auth
        )
    )["data"]["communityJoinDecide"]
    assert approved["errors"] == [] and approved["member"]["role"] == "MEMBER"
    assert approved["member"]["person"]["id"] == asker.id

    # a plain member neither reads nor decides the requests
    as_member = await gql(client, REQUESTS, {"id": group_id}, headers=asker.auth)
    assert error_codes(as_member) == ["FORBIDDEN"]
    member_decides = await gql(
        client, DECIDE, {"communityId": group_id, "personId": other.id, "approve": True}, headers=asker.auth
    )
    assert error_codes(member_decides) == ["FORBIDDEN"]
    outsider = await gql(client, REQUESTS, {"id": group_id}, headers=other.auth)
    assert error_codes(outsider) == ["FORBIDDEN"]

    declined = (
        await gql(
            client, DECIDE, {"communityId": group_id, "personId": other.id, "approve": False}, headers=founder.auth
        )
    )["data"]["communityJoinDecide"]
    assert declined == {"member": None, "errors": []}
    # each applicant hears the decision, from the moderator who made it, about the group
    for who, kind in ((asker, "COMMUNITY_JOIN_APPROVED"), (other, "COMMUNITY_JOIN_DECLINED")):
        (notice,) = [
            e["node"] for e in (await gql(client, NOTICES, headers=who.auth))["data"]["notifications"]["edges"]
        ]
        assert notice == {"kind": kind, "subjectId": group_id, "actor": {"id": founder.id}}
    mine = (await gql(client, ONE, {"id": group_id}, headers=other.auth))["data"]["community"]
    assert mine["myRole"] is None
    assert mine["myJoinRequestPending"] is False and mine["memberCount"] == 2
    nothing_pending = (
        await gql(
            client, DECIDE, {"communityId": group_id, "personId": other.id, "approve": True}, headers=founder.auth
        )
    )["data"]["communityJoinDecide"]
    assert nothing_pending["errors"][0]["code"] == "CONFLICT"
    assert nothing_pending["errors"][0]["field"] == ["input", "personId"]

    # asking again and leaving withdraws the request
    await gql(client, JOIN, {"id": group_id}, headers=other.auth)
    withdrawn = (await gql(client, LEAVE, {"id": group_id}, headers=other.auth))["data"]["communityLeave"]
    assert withdrawn["errors"] == [] and withdrawn["community"]["myJoinRequestPending"] is False
    empty = (await gql(client, REQUESTS, {"id": group_id}, headers=founder.auth))["data"]["communityJoinRequests"]
    assert empty["totalCount"] == 0 and empty["edges"] == []


async def test_admins_set_roles_and_a_group_keeps_one_admin(client, app):
    founder = await make_verified(app, client, fullName="Lê Thu Hà")
    group_id = (await create_group(client, founder, policy="APPROVAL"))["id"]
    member = await register(client, fullName="Phạm Minh Đức")
    helper = await register(client, fullName="Đỗ Thị Lan")
    asker = await register(client, fullName="Vũ Quang Huy")
    outsider = await register(client, fullName="Ngô Bảo Châu")
    for person in (member, helper):
        await gql(client, JOIN, {"id": group_id}, headers=person.auth)
        await gql(
            client, DECIDE, {"communityId": group_id, "personId": person.id, "approve": True}, headers=founder.auth
        )
    await gql(client, JOIN, {"id": group_id}, headers=asker.auth)

    # only admins set roles: a member and a moderator are refused
    by_member = await gql(
        client, ROLE_SET, {"communityId": group_id, "personId": helper.id, "role": "MODERATOR"}, headers=member.auth
    )
    assert error_codes(by_member) == ["FORBIDDEN"]
    made = (
        await gql(
            client,
            ROLE_SET,
            {"communityId": group_id, "personId": helper.id, "role": "MODERATOR"},
            headers=founder.auth,
        )
    )["data"]["communityRoleSet"]
    assert made["errors"] == [] and made["member"]["role"] == "MODERATOR"
    by_moderator = await gql(
        client, ROLE_SET, {"communityId": group_id, "personId": member.id, "role": "ADMIN"}, headers=helper.auth
    )
    assert error_codes(by_moderator) == ["FORBIDDEN"]

    # a moderator runs the requests
    seen = (await gql(client, REQUESTS, {"id": group_id}, headers=helper.auth))["data"]["communityJoinRequests"]
    assert [e["node"]["person"]["id"] for e in seen["edges"]] == [asker.id]
    decided = (
        await gql(client, DECIDE, {"communityId": group_id, "personId": asker.id, "approve": True}, headers=helper.auth)
    )["data"]["communityJoinDecide"]
    assert decided["errors"] == []

    not_member = (
        await gql(
            client,
            ROLE_SET,
            {"communityId": group_id, "personId": outsider.id, "role": "MODERATOR"},
            headers=founder.auth,
        )
    )["data"]["communityRoleSet"]
    assert not_member["errors"][0]["code"] == "CONFLICT"
    assert not_member["errors"][0]["field"] == ["input", "personId"]

    # the only admin can neither step down nor leave
    step_down = (
        await gql(
            client, ROLE_SET, {"communityId": group_id, "personId": founder.id, "role": "MEMBER"}, headers=founder.auth
        )
    )["data"]["communityRoleSet"]
    assert step_down["errors"][0]["code"] == "CONFLICT" and "admin" in step_down["errors"][0]["message"]
    leave = (await gql(client, LEAVE, {"id": group_id}, headers=founder.auth))["data"]["communityLeave"]
    assert leave["errors"][0]["code"] == "CONFLICT" and "only admin" in leave["errors"][0]["message"]

    # with a second admin, the founder may go
    promoted = (
        await gql(
            client, ROLE_SET, {"communityId": group_id, "personId": member.id, "role": "ADMIN"}, headers=founder.auth
        )
    )["data"]["communityRoleSet"]
    assert promoted["member"]["role"] == "ADMIN"
    left = (await gql(client, LEAVE, {"id": group_id}, headers=founder.auth))["data"]["communityLeave"]
    assert left["errors"] == [] and left["community"]["memberCount"] == 3
    last = (
        await gql(
            client, ROLE_SET, {"communityId": group_id, "personId": member.id, "role": "MODERATOR"}, headers=member.auth
        )
    )["data"]["communityRoleSet"]
    assert last["errors"][0]["code"] == "CONFLICT", "the new admin is now the last one"


async def test_two_admins_stepping_down_at_once_leave_one_admin(client, app):
    founder = await make_verified(app, client)
    group_id = (await create_group(client, founder))["id"]
    second = await register(client)
    await gql(client, JOIN, {"id": group_id}, headers=second.auth)
    promoted = await gql(
        client, ROLE_SET, {"communityId": group_id, "personId": second.id, "role": "ADMIN"}, headers=founder.auth
    )
    assert promoted["data"]["communityRoleSet"]["member"]["role"] == "ADMIN"

    results = await asyncio.gather(
        gql(client, LEAVE, {"id": group_id}, headers=founder.auth),
        gql(client, ROLE_SET, {"communityId": group_id, "personId": second.id, "role": "MEMBER"}, headers=second.auth),
    )
    outcomes = [results[0]["data"]["communityLeave"]["errors"], results[1]["data"]["communityRoleSet"]["errors"]]
    assert sorted(len(errors) for errors in outcomes) == [0, 1], outcomes
    assert next(e for errors in outcomes for e in errors)["code"] == "CONFLICT"
    left = await gql(client, ONE, {"id": group_id}, headers=second.auth)
    founder_view = await gql(client, ONE, {"id": group_id}, headers=founder.auth)
    roles = {left["data"]["community"]["myRole"], founder_view["data"]["community"]["myRole"]}
    assert "ADMIN" in roles, "one admin remains"


async def _ward_community(client, viewer) -> dict:
    listed = (await gql(client, LIST, {"search": "Hoàn Kiếm", "kind": "WARD"}, headers=viewer.auth))["data"][
        "communities"
    ]
    (edge,) = listed["edges"]
    return edge["node"]


async def test_ward_communities_are_joined_by_residence_not_by_hand(client, app):
    resident = await register(client, fullName="Phạm Minh Đức")  # lives in Hoàn Kiếm (00070)
    elsewhere = await register(client, fullName="Đỗ Thị Lan", wardCode="00004")  # Ba Đình
    ward = await _ward_community(client, resident)
    assert ward["name"] == "Phường Hoàn Kiếm" and ward["kind"] == "WARD"
    assert ward["myRole"] == "MEMBER" and ward["joinPolicy"] == "AUTOMATIC"
    assert ward["memberCount"] == 1
    ward_id = ward["id"]

    leave = (await gql(client, LEAVE, {"id": ward_id}, headers=resident.auth))["data"]["communityLeave"]
    assert leave["community"] is None and leave["errors"][0]["code"] == "CONFLICT"
    assert "Ward communities cannot be joined or left by hand" in leave["errors"][0]["message"]
    join = (await gql(client, JOIN, {"id": ward_id}, headers=elsewhere.auth))["data"]["communityJoin"]
    assert join["errors"][0]["code"] == "CONFLICT" and "ward" in join["errors"][0]["message"].lower()
    still = (await gql(client, ONE, {"id": ward_id}, headers=resident.auth))["data"]["community"]
    assert still["myRole"] == "MEMBER" and still["memberCount"] == 1

    # a ward has no admin: city officers appoint its moderators, residents cannot
    officer = await make_officer(app, client, wardCode="00004")
    by_resident = await gql(
        client, ROLE_SET, {"communityId": ward_id, "personId": resident.id, "role": "MODERATOR"}, headers=resident.auth
    )
    assert error_codes(by_resident) == ["FORBIDDEN"]
    appointed = (
        await gql(
            client,
            ROLE_SET,
            {"communityId": ward_id, "personId": resident.id, "role": "MODERATOR"},
            headers=officer.auth,
        )
    )["data"]["communityRoleSet"]
    assert appointed["errors"] == [] and appointed["member"]["role"] == "MODERATOR"
    admin = (
        await gql(
            client, ROLE_SET, {"communityId": ward_id, "personId": resident.id, "role": "ADMIN"}, headers=officer.auth
        )
    )["data"]["communityRoleSet"]
    assert admin["errors"][0]["field"] == ["input", "role"]
    not_resident = (
        await gql(
            client,
            ROLE_SET,
            {"communityId": ward_id, "personId": elsewhere.id, "role": "MODERATOR"},
            headers=officer.auth,
        )
    )["data"]["communityRoleSet"]
    assert not_resident["errors"][0]["code"] == "CONFLICT"


async def test_the_directory_pages_by_name_with_member_counts(client, app):
    officer = await make_officer(app, client)
    founder = await make_verified(app, client, officer=officer)
    names = ["Yoga công viên Thống Nhất", "Bóng đá phủi Cầu Giấy", "Đọc sách Phố cổ"]
    ids = {}
    for name in names:
        ids[name] = (await create_group(client, founder, name=name))["id"]
    joiner = await register(client)
    await gql(client, JOIN, {"id": ids["Đọc sách Phố cổ"]}, headers=joiner.auth)

    first = (await gql(client, LIST, {"kind": "GROUP", "first": 2}, headers=joiner.auth))["data"]["communities"]
    assert first["totalCount"] == 3 and first["pageInfo"]["hasNextPage"] is True
    rest = (
        await gql(
            client, LIST, {"kind": "GROUP", "first": 2, "after": first["pageInfo"]["endCursor"]}, headers=joiner.auth
        )
    )["data"]["communities"]
    assert rest["pageInfo"]["hasNextPage"] is False
    nodes = [e["node"] for e in first["edges"] + rest["edges"]]
    # by name without diacritics: "bong da", "doc sach", "yoga"
    assert [n["name"] for n in nodes] == ["Bóng đá phủi Cầu Giấy", "Đọc sách Phố cổ", "Yoga công viên Thống Nhất"]
    counts = {n["name"]: (n["memberCount"], n["myRole"]) for n in nodes}
    assert counts["Đọc sách Phố cổ"] == (2, "MEMBER") and counts["Yoga công viên Thống Nhất"] == (1, None)

    wards = (await gql(client, LIST, {"kind": "WARD", "first": 5}))["data"]["communities"]
    assert wards["totalCount"] == 126 and all(e["node"]["kind"] == "WARD" for e in wards["edges"])
    everything = (await gql(client, LIST, {"first": 1}))["data"]["communities"]
    assert everything["totalCount"] == 129
    too_many = await gql(client, LIST, {"first": 101})
    assert error_codes(too_many) == ["INVALID_INPUT"]


CLOSE_ACCOUNT = "mutation Close($password: String!) { accountClose(input: {password: $password}) { errors { code } } }"


async def test_a_group_whose_only_admin_closes_the_account_keeps_an_admin(client, app):
    founder = await make_verified(app, client, fullName="Người Sáng Lập")
    early, late = await register(client, fullName="Thành Viên Sớm"), await register(client, fullName="Thành Viên Muộn")
    created = await gql(
        client, CREATE, {"input": {"name": "Câu lạc bộ cờ tướng", "joinPolicy": "OPEN"}}, headers=founder.auth
    )
    group = created["data"]["communityCreate"]["community"]["id"]
    for member in (early, late):
        assert (await gql(client, JOIN, {"id": group}, headers=member.auth))["data"]["communityJoin"]["errors"] == []
    moderator = await gql(
        client, ROLE_SET, {"communityId": group, "personId": late.id, "role": "MODERATOR"}, headers=founder.auth
    )
    assert moderator["data"]["communityRoleSet"]["errors"] == []
    closed = await gql(client, CLOSE_ACCOUNT, {"password": founder.password}, headers=founder.auth)
    assert closed["data"]["accountClose"]["errors"] == []
    heir = (await gql(client, ONE, {"id": group}, headers=late.auth))["data"]["community"]
    assert heir["myRole"] == "ADMIN", "the moderator takes over before older plain members"
    assert heir["memberCount"] == 2, "the closed account is no longer a member"
    plain = (await gql(client, ONE, {"id": group}, headers=early.auth))["data"]["community"]["myRole"]
    assert plain == "MEMBER"


async def test_community_names_follow_the_one_name_rule(client, app):
    """Names shown next to posts: no direction overrides, zero-width characters, markup or stacked accents,
    but the punctuation group names use (digits, ':', '#', '!') is fine."""
    founder = await make_verified(app, client)
    spoofing = [
        "Hội cư dân \u202egnaht gnoc\u202c",  # right-to-left override
        "Câu lạc bộ\u200b cờ vua",  # zero-width space
        "Nhóm <b>chính thức</b>",  # markup
        "{{ admin }} Ba Đình",
        "Z\u0301\u0302\u0303\u0304algo club",  # stacked combining marks
        "12345",  # no letter
    ]
    for name in spoofing:
        refused = (await gql(client, CREATE, group(name=name), headers=founder.auth))["data"]["communityCreate"]
        assert refused["community"] is None, name
        assert [(e["code"], e["field"]) for e in refused["errors"]] == [("INVALID_INPUT", ["input", "name"])], name
    listed = await gql(client, "{ communities(kind: GROUP, first: 10) { totalCount } }", headers=founder.auth)
    assert listed["data"]["communities"]["totalCount"] == 0
    created = await create_group(client, founder, name="  CLB   Yoga #2: buổi sáng!  ")
    assert created["name"] == "CLB Yoga #2: buổi sáng!"


async def test_every_mistake_of_a_new_group_is_reported_at_once_in_the_callers_language(client, app):
    founder = await make_verified(app, client)
    refused = (
        await gql(client, CREATE, group(name="ab", description="x" * 2001, policy="AUTOMATIC"), headers=founder.auth)
    )["data"]["communityCreate"]
    assert refused["community"] is None
    assert [(e["code"], e["field"]) for e in refused["errors"]] == [
        ("INVALID_INPUT", ["input", "name"]),
        ("INVALID_INPUT", ["input", "description"]),
        ("INVALID_INPUT", ["input", "joinPolicy"]),
    ]
    english = refused["errors"][2]["message"]
    assert english == "A new community is OPEN or needs APPROVAL to join."
    vietnamese = (
        await gql(
            client,
            CREATE,
            group(policy="AUTOMATIC"),
            headers={**founder.auth, "Accept-Language": "vi-VN,vi;q=0.9,en;q=0.5"},
        )
    )["data"]["communityCreate"]
    assert [(e["code"], e["field"]) for e in vietnamese["errors"]] == [("INVALID_INPUT", ["input", "joinPolicy"])]
    assert (
        vietnamese["errors"][0]["message"] == "Cộng đồng mới phải là MỞ (OPEN) hoặc CẦN DUYỆT (APPROVAL) khi gia nhập."
    )

    # two malformed ids of one input are two errors with their two paths
    decided = (
        await gql(client, DECIDE, {"communityId": "nonsense", "personId": "x", "approve": True}, headers=founder.auth)
    )["data"]["communityJoinDecide"]
    assert [(e["code"], e["field"]) for e in decided["errors"]] == [
        ("INVALID_INPUT", ["input", "communityId"]),
        ("INVALID_INPUT", ["input", "personId"]),
    ]


async def test_the_directory_pages_both_ways(client, app):
    officer = await make_officer(app, client)
    founder = await make_verified(app, client, officer=officer)
    names = ["Yoga công viên Thống Nhất", "Bóng đá phủi Cầu Giấy", "Đọc sách Phố cổ", "Cờ tướng Hàng Buồm", "An toàn"]
    for name in names:
        await create_group(client, founder, name=name)
    expected = sorted(names, key=fold)

    def connection(data):
        return data["communities"]

    groups = await walk_both_ways(client, LIST, connection, {"kind": "GROUP"}, key=lambda n: n["name"])
    assert groups == expected
    every = await walk_both_ways(client, LIST, connection, {}, size=50, key=lambda n: n["name"])
    assert len(every) == 131 and [n for n in every if n in names] == expected
    found = await walk_both_ways(client, LIST, connection, {"search": "phu"}, size=1, key=lambda n: n["name"])
    assert "Bóng đá phủi Cầu Giấy" in found and len(found) == len(set(found))

    # a cursor of another list is refused
    requests_cursor = raw_cursor(["communityJoinRequests:" + NOBODY, "2026-01-01T00:00:00Z", NOBODY])
    await refuses_cursor(client, LIST, requests_cursor, {"kind": "GROUP"})


async def test_join_requests_page_both_ways_and_refuse_another_communitys_cursor(client, app):
    officer = await make_officer(app, client)
    founder = await make_verified(app, client, officer=officer)
    first_group = (await create_group(client, founder, name="Hội những người nuôi mèo", policy="APPROVAL"))["id"]
    other_group = (await create_group(client, founder, name="Hội những người nuôi chó", policy="APPROVAL"))["id"]
    askers = [await register(client) for _ in range(5)]
    for asker in askers:
        await gql(client, JOIN, {"id": first_group}, headers=asker.auth)
    await gql(client, JOIN, {"id": other_group}, headers=askers[0].auth)

    def connection(data):
        return data["communityJoinRequests"]

    listed = await walk_both_ways(
        client, REQUESTS, connection, {"id": first_group}, headers=founder.auth, key=lambda n: n["person"]["id"]
    )
    assert listed == [a.id for a in askers], "oldest first"

    other = (await gql(client, REQUESTS, {"id": other_group}, headers=founder.auth))["data"]["communityJoinRequests"]
    await refuses_cursor(client, REQUESTS, other["edges"][0]["cursor"], {"id": first_group}, headers=founder.auth)
