"""Assurance levels: officers work the level-2 queue; operations declare a minimum level; roles."""

from __future__ import annotations

import asyncio

from strawberry.relay import GlobalID

from tests.identity.paging import assert_pages_both_ways
from tests.identity.people import APPROVE, REQUEST, make_officer, make_verified, register
from tests.support import error_codes, gql

QUEUE = """
query Queue($status: VerificationStatus!, $first: Int, $after: String, $last: Int, $before: String) {
  verificationRequests(status: $status, first: $first, after: $after, last: $last, before: $before) {
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges {
      cursor
      node {
        id status note applicantFullName applicantDateOfBirth documentKind documentLast4 applicant { id displayName }
      }
    }
  }
}
"""
REJECT = """
mutation Reject($id: ID!, $reason: String!) {
  verificationRequestReject(input: {verificationRequestId: $id, reason: $reason}) {
    verificationRequest { status reason decidedBy } errors { code field message }
  }
}
"""
MINE = "{ me { verificationLevel verificationRequests { id status reason decidedBy decidedAt } } }"
NODE = "query N($id: ID!) { node(id: $id) { ... on VerificationRequest { status documentLast4 applicantFullName } } }"
ORG = """
mutation Org($input: OrganizationRegisterInput!) {
  organizationRegister(input: $input) { organization { id } errors { code field message } }
}
"""
OFFICER_SET = """
mutation Officer($id: ID!, $granted: Boolean!) {
  officerRoleSet(input: {personId: $id, granted: $granted}) { person { roles } errors { code field message } }
}
"""


async def test_the_officer_queue_approves_to_level_2(client, app):
    officer = await make_officer(app, client)
    resident = await register(client, fullName="Phạm Minh Đức")
    created = (await gql(client, REQUEST, headers=resident.auth))["data"]["verificationRequestCreate"]
    assert created["verificationRequest"]["status"] == "PENDING"
    again = (await gql(client, REQUEST, headers=resident.auth))["data"]["verificationRequestCreate"]
    assert again["errors"][0]["code"] == "CONFLICT", "one pending request at a time"

    queue = (await gql(client, QUEUE, {"status": "PENDING"}, headers=officer.auth))["data"]["verificationRequests"]
    (edge,) = queue["edges"]
    node = edge["node"]
    assert node["applicantFullName"] == "Phạm Minh Đức" and node["documentKind"] == "CCCD"
    assert node["documentLast4"] == resident.document[-4:] and node["applicant"]["id"] == resident.id

    approved = (await gql(client, APPROVE, {"id": node["id"]}, headers=officer.auth))["data"][
        "verificationRequestApprove"
    ]
    assert approved["verificationRequest"]["status"] == "APPROVED"
    mine = (await gql(client, MINE, headers=resident.auth))["data"]["me"]
    assert mine["verificationLevel"] == 2
    assert mine["verificationRequests"][0]["status"] == "APPROVED"
    assert mine["verificationRequests"][0]["decidedBy"] == "Trần Thị Cán Bộ"
    twice = (await gql(client, APPROVE, {"id": node["id"]}, headers=officer.auth))["data"]["verificationRequestApprove"]
    assert twice["errors"][0]["code"] == "CONFLICT"


async def test_a_rejection_carries_a_reason_the_person_sees(client, app):
    officer = await make_officer(app, client)
    resident = await register(client)
    request_id = (await gql(client, REQUEST, headers=resident.auth))["data"]["verificationRequestCreate"][
        "verificationRequest"
    ]["id"]
    no_reason = (await gql(client, REJECT, {"id": request_id, "reason": "  "}, headers=officer.auth))["data"][
        "verificationRequestReject"
    ]
    assert no_reason["errors"][0]["field"] == ["input", "reason"]
    reason = "Ảnh giấy tờ bị mờ; vui lòng mang CCCD đến UBND phường."
    rejected = (await gql(client, REJECT, {"id": request_id, "reason": reason}, headers=officer.auth))["data"][
        "verificationRequestReject"
    ]
    assert rejected["verificationRequest"] == {"status": "REJECTED", "reason": reason, "decidedBy": "Trần Thị Cán Bộ"}
    mine = (await gql(client, MINE, headers=resident.auth))["data"]["me"]
    assert mine["verificationLevel"] == 0
    assert mine["verificationRequests"][0]["reason"] == reason and mine["verificationRequests"][0]["decidedAt"]
    retry = (await gql(client, REQUEST, headers=resident.auth))["data"]["verificationRequestCreate"]
    assert retry["errors"] == [], "after a rejection the person may ask again"


async def test_residents_cannot_work_the_queue_or_decide(client, app):
    resident = await register(client)
    other = await register(client)
    request_id = (await gql(client, REQUEST, headers=other.auth))["data"]["verificationRequestCreate"][
        "verificationRequest"
    ]["id"]
    queue = await gql(client, QUEUE, {"status": "PENDING"}, headers=resident.auth)
    assert error_codes(queue) == ["FORBIDDEN"] and "officer" in queue["errors"][0]["message"]
    assert error_codes(await gql(client, QUEUE, {"status": "PENDING"})) == ["UNAUTHENTICATED"]
    decide = await gql(client, APPROVE, {"id": request_id}, headers=resident.auth)
    assert error_codes(decide) == ["FORBIDDEN"]
    assert (await gql(client, MINE, headers=other.auth))["data"]["me"]["verificationLevel"] == 0
    hidden = await gql(client, NODE, {"id": request_id}, headers=resident.auth)
    assert hidden["data"]["node"] is None, "someone else's request is not visible through node(id:)"
    own = await gql(client, NODE, {"id": request_id}, headers=other.auth)
    assert own["data"]["node"]["status"] == "PENDING"


async def test_operations_declare_a_minimum_level(client, app):
    resident = await register(client)
    body = await gql(
        client,
        ORG,
        {"input": {"name": "Cà phê Giảng", "kind": "BUSINESS", "taxCode": "0101234567"}},
        headers=resident.auth,
    )
    assert error_codes(body) == ["FORBIDDEN"]
    assert "level 2" in body["errors"][0]["message"]
    assert body["errors"][0]["extensions"]["requiredLevel"] == 2
    verified = await make_verified(app, client)
    ok = await gql(
        client,
        ORG,
        {"input": {"name": "Cà phê Giảng", "kind": "BUSINESS", "taxCode": "0101234567"}},
        headers=verified.auth,
    )
    assert ok["data"]["organizationRegister"]["errors"] == []


async def test_only_administrators_grant_the_officer_role(client, app):
    officer = await make_officer(app, client)
    resident = await register(client)
    refused = await gql(client, OFFICER_SET, {"id": resident.id, "granted": True}, headers=officer.auth)
    assert error_codes(refused) == ["FORBIDDEN"]
    admin = await register(client, fullName="Quản Trị Viên")
    from identity.city_roles import set_granted_role  # the CLI's `hanoismart admin grant` calls this
    from tests.identity.people import uuid_of

    await set_granted_role(app.state.runtime, uuid_of(admin.id), "administrator", grant=True)
    granted = await gql(client, OFFICER_SET, {"id": resident.id, "granted": True}, headers=admin.auth)
    assert "OFFICER" in granted["data"]["officerRoleSet"]["person"]["roles"]
    queue = await gql(client, QUEUE, {"status": "PENDING"}, headers=resident.auth)
    assert "errors" not in queue, "the new officer works the queue at once"
    revoked = await gql(client, OFFICER_SET, {"id": resident.id, "granted": False}, headers=admin.auth)
    assert "OFFICER" not in revoked["data"]["officerRoleSet"]["person"]["roles"]
    assert error_codes(await gql(client, QUEUE, {"status": "PENDING"}, headers=resident.auth)) == ["FORBIDDEN"]


CLOSE = "mutation Close($password: String!) { accountClose(input: {password: $password}) { errors { code message } } }"
DECIDED_QUEUE = """
query Decided($status: VerificationStatus!) {
  verificationRequests(status: $status) { edges { node { id status decidedBy decidedAt applicant { id } } } }
}
"""


async def test_an_officer_may_not_decide_their_own_request(client, app):
    officer = await make_officer(app, client)
    request_id = (await gql(client, REQUEST, headers=officer.auth))["data"]["verificationRequestCreate"][
        "verificationRequest"
    ]["id"]
    for attempt in (
        gql(client, APPROVE, {"id": request_id}, headers=officer.auth),
        gql(client, REJECT, {"id": request_id, "reason": "Tự từ chối"}, headers=officer.auth),
    ):
        body = await attempt
        assert error_codes(body) == ["FORBIDDEN"]
        assert "your own" in body["errors"][0]["message"] and "another officer" in body["errors"][0]["message"]
    mine = (await gql(client, MINE, headers=officer.auth))["data"]["me"]
    assert mine["verificationLevel"] == 0, "nobody reaches level 2 by their own decision"
    assert mine["verificationRequests"] == [
        {"id": request_id, "status": "PENDING", "reason": None, "decidedBy": None, "decidedAt": None}
    ]

    colleague = await make_officer(app, client, fullName="Vũ Đình Kiểm Tra")
    approved = await gql(client, APPROVE, {"id": request_id}, headers=colleague.auth)
    assert approved["data"]["verificationRequestApprove"]["errors"] == []
    mine = (await gql(client, MINE, headers=officer.auth))["data"]["me"]
    assert mine["verificationLevel"] == 2
    (decided,) = mine["verificationRequests"]
    assert decided["status"] == "APPROVED" and decided["decidedBy"] == "Vũ Đình Kiểm Tra" and decided["decidedAt"]
    queue = (await gql(client, DECIDED_QUEUE, {"status": "APPROVED"}, headers=colleague.auth))["data"]
    (edge,) = queue["verificationRequests"]["edges"]
    assert edge["node"]["decidedBy"] == "Vũ Đình Kiểm Tra" and edge["node"]["decidedAt"] == decided["decidedAt"], (
        "officers see who decided and when"
    )


async def test_parallel_self_approvals_all_fail(client, app):
    officer = await make_officer(app, client)
    request_id = (await gql(client, REQUEST, headers=officer.auth))["data"]["verificationRequestCreate"][
        "verificationRequest"
    ]["id"]
    bodies = await asyncio.gather(*(gql(client, APPROVE, {"id": request_id}, headers=officer.auth) for _ in range(40)))
    assert all(error_codes(b) == ["FORBIDDEN"] for b in bodies)
    assert (await gql(client, MINE, headers=officer.auth))["data"]["me"]["verificationLevel"] == 0


async def test_a_closed_accounts_request_cannot_be_decided_and_leaves_the_queue(client, app):
    officer = await make_officer(app, client)
    resident = await register(client, fullName="Phạm Minh Đức")
    request_id = (await gql(client, REQUEST, headers=resident.auth))["data"]["verificationRequestCreate"][
        "verificationRequest"
    ]["id"]
    closed = await gql(client, CLOSE, {"password": resident.password}, headers=resident.auth)
    assert closed["data"]["accountClose"] == {"errors": []}

    approved = (await gql(client, APPROVE, {"id": request_id}, headers=officer.auth))["data"][
        "verificationRequestApprove"
    ]
    assert approved["verificationRequest"] is None
    (error,) = approved["errors"]
    assert error["code"] == "CONFLICT" and "closed" in error["message"]
    rejected = await gql(client, REJECT, {"id": request_id, "reason": "Không rõ"}, headers=officer.auth)
    assert [e["code"] for e in rejected["data"]["verificationRequestReject"]["errors"]] == ["CONFLICT"]
    status = await gql(client, NODE, {"id": request_id}, headers=officer.auth)
    assert status["data"]["node"]["status"] == "PENDING", "nothing was decided"
    queue = (await gql(client, QUEUE, {"status": "PENDING"}, headers=officer.auth))["data"]["verificationRequests"]
    assert queue["edges"] == [], "a request no officer may decide does not sit at the head of the queue"


async def test_a_note_for_the_officer_is_kept_and_shown_to_officers(client, app):
    officer = await make_officer(app, client)
    resident = await register(client, fullName="Phạm Minh Đức")
    too_long = (await gql(client, REQUEST, {"note": "x" * 501}, headers=resident.auth))["data"][
        "verificationRequestCreate"
    ]
    assert too_long["verificationRequest"] is None
    assert [(e["code"], e["field"]) for e in too_long["errors"]] == [("INVALID_INPUT", ["input", "note"])]
    note = "Tôi ở nhà buổi chiều; xin gọi trước khi đến. " * 10
    note = note[:500]
    created = (await gql(client, REQUEST, {"note": note}, headers=resident.auth))["data"]["verificationRequestCreate"]
    assert created["errors"] == [] and created["verificationRequest"]["note"] == note.strip()
    queue = (await gql(client, QUEUE, {"status": "PENDING"}, headers=officer.auth))["data"]["verificationRequests"]
    assert [e["node"]["note"] for e in queue["edges"]] == [note.strip()]
    without = await register(client)
    plain = (await gql(client, REQUEST, headers=without.auth))["data"]["verificationRequestCreate"]
    assert plain["errors"] == [] and plain["verificationRequest"]["note"] is None


async def test_a_rejection_with_two_mistakes_names_both(client, app):
    officer = await make_officer(app, client)
    body = await gql(client, REJECT, {"id": "not-an-id", "reason": " "}, headers=officer.auth)
    result = body["data"]["verificationRequestReject"]
    assert [(e["code"], e["field"]) for e in result["errors"]] == [
        ("INVALID_INPUT", ["input", "verificationRequestId"]),
        ("INVALID_INPUT", ["input", "reason"]),
    ]
    nobody = str(GlobalID("VerificationRequest", "00000000-0000-0000-0000-000000000000"))
    unknown = await gql(client, APPROVE, {"id": nobody}, headers=officer.auth)
    errors = unknown["data"]["verificationRequestApprove"]["errors"]
    assert [(e["code"], e["field"]) for e in errors] == [("NOT_FOUND", ["input", "verificationRequestId"])]


async def test_the_queue_pages_both_ways_and_refuses_a_cursor_of_another_status(client, app):
    officer = await make_officer(app, client)
    applicants = [await register(client, fullName=f"Người Nộp {i}") for i in range(5)]
    for person in applicants:
        assert (await gql(client, REQUEST, headers=person.auth))["data"]["verificationRequestCreate"]["errors"] == []

    async def fetch(status: str = "PENDING", **page) -> dict:
        body = await gql(client, QUEUE, {"status": status, **page}, headers=officer.auth)
        assert "errors" not in body, body["errors"]
        return body["data"]["verificationRequests"]

    await assert_pages_both_ways(fetch, [p.id for p in applicants], lambda n: n["applicant"]["id"])
    pending_cursor = (await fetch(first=1))["pageInfo"]["endCursor"]
    oldest = (await fetch(first=1))["edges"][0]["node"]["id"]
    approved = await gql(client, APPROVE, {"id": oldest}, headers=officer.auth)
    assert approved["data"]["verificationRequestApprove"]["errors"] == []
    for argument in ("after", "before"):
        body = await gql(client, QUEUE, {"status": "APPROVED", argument: pending_cursor}, headers=officer.auth)
        assert [(e["extensions"]["code"], e["extensions"]["field"]) for e in body["errors"]] == [
            ("INVALID_INPUT", argument)
        ]


async def test_refusals_are_told_in_vietnamese_when_asked(client):
    resident = await register(client)
    vi = {**resident.auth, "accept-language": "vi"}
    queue = await gql(client, QUEUE, {"status": "PENDING"}, headers=vi)
    assert error_codes(queue) == ["FORBIDDEN"]
    assert queue["errors"][0]["message"] == "Chỉ cán bộ thành phố mới được xử lý hàng đợi xác minh."
    body = await gql(
        client, ORG, {"input": {"name": "Cà phê Giảng", "kind": "BUSINESS", "taxCode": "0101234567"}}, headers=vi
    )
    assert error_codes(body) == ["FORBIDDEN"] and body["errors"][0]["message"].startswith("Để đăng ký tổ chức, ")
    anonymous = await gql(client, QUEUE, {"status": "PENDING"}, headers={"accept-language": "vi"})
    assert anonymous["errors"][0]["message"] == ("Vui lòng đăng nhập trước: gửi `Authorization: Bearer <accessToken>`.")
