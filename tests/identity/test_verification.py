"""Assurance levels: officers work the level-2 queue; operations declare a minimum level; roles."""

from __future__ import annotations

import asyncio

from tests.identity.people import APPROVE, REQUEST, make_officer, make_verified, register
from tests.support import error_codes, gql

QUEUE = """
query Queue($status: VerificationStatus!, $first: Int, $after: String) {
  verificationRequests(status: $status, first: $first, after: $after) {
    pageInfo { hasNextPage endCursor }
    edges { node { id status applicantFullName applicantDateOfBirth documentKind documentLast4 applicant { id displayName } } }
  }
}
"""
REJECT = """
mutation Reject($id: ID!, $reason: String!) {
  verificationRequestReject(id: $id, reason: $reason) { request { status reason decidedBy } errors { code field message } }
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
  officerRoleSet(personId: $id, granted: $granted) { person { roles } errors { code field message } }
}
"""


async def test_the_officer_queue_approves_to_level_2(client, app):
    officer = await make_officer(app, client)
    resident = await register(client, fullName="Phạm Minh Đức")
    created = (await gql(client, REQUEST, headers=resident.auth))["data"]["verificationRequestCreate"]
    assert created["request"]["status"] == "PENDING"
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
    assert approved["request"]["status"] == "APPROVED"
    mine = (await gql(client, MINE, headers=resident.auth))["data"]["me"]
    assert mine["verificationLevel"] == 2
    assert mine["verificationRequests"][0]["status"] == "APPROVED"
    assert mine["verificationRequests"][0]["decidedBy"] == "Trần Thị Cán Bộ"
    twice = (await gql(client, APPROVE, {"id": node["id"]}, headers=officer.auth))["data"]["verificationRequestApprove"]
    assert twice["errors"][0]["code"] == "CONFLICT"


async def test_a_rejection_carries_a_reason_the_person_sees(client, app):
    officer = await make_officer(app, client)
    resident = await register(client)
    request_id = (await gql(client, REQUEST, headers=resident.auth))["data"]["verificationRequestCreate"]["request"][
        "id"
    ]
    no_reason = (await gql(client, REJECT, {"id": request_id, "reason": "  "}, headers=officer.auth))["data"][
        "verificationRequestReject"
    ]
    assert no_reason["errors"][0]["field"] == "reason"
    reason = "Ảnh giấy tờ bị mờ; vui lòng mang CCCD đến UBND phường."
    rejected = (await gql(client, REJECT, {"id": request_id, "reason": reason}, headers=officer.auth))["data"][
        "verificationRequestReject"
    ]
    assert rejected["request"] == {"status": "REJECTED", "reason": reason, "decidedBy": "Trần Thị Cán Bộ"}
    mine = (await gql(client, MINE, headers=resident.auth))["data"]["me"]
    assert mine["verificationLevel"] == 0
    assert mine["verificationRequests"][0]["reason"] == reason and mine["verificationRequests"][0]["decidedAt"]
    retry = (await gql(client, REQUEST, headers=resident.auth))["data"]["verificationRequestCreate"]
    assert retry["errors"] == [], "after a rejection the person may ask again"


async def test_residents_cannot_work_the_queue_or_decide(client, app):
    resident = await register(client)
    other = await register(client)
    request_id = (await gql(client, REQUEST, headers=other.auth))["data"]["verificationRequestCreate"]["request"]["id"]
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


CLOSE = "mutation Close($password: String!) { accountClose(password: $password) { ok errors { code message } } }"
DECIDED_QUEUE = """
query Decided($status: VerificationStatus!) {
  verificationRequests(status: $status) { edges { node { id status decidedBy decidedAt applicant { id } } } }
}
"""


async def test_an_officer_may_not_decide_their_own_request(client, app):
    officer = await make_officer(app, client)
    request_id = (await gql(client, REQUEST, headers=officer.auth))["data"]["verificationRequestCreate"]["request"][
        "id"
    ]
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
    request_id = (await gql(client, REQUEST, headers=officer.auth))["data"]["verificationRequestCreate"]["request"][
        "id"
    ]
    bodies = await asyncio.gather(*(gql(client, APPROVE, {"id": request_id}, headers=officer.auth) for _ in range(40)))
    assert all(error_codes(b) == ["FORBIDDEN"] for b in bodies)
    assert (await gql(client, MINE, headers=officer.auth))["data"]["me"]["verificationLevel"] == 0


async def test_a_closed_accounts_request_cannot_be_decided_and_leaves_the_queue(client, app):
    officer = await make_officer(app, client)
    resident = await register(client, fullName="Phạm Minh Đức")
    request_id = (await gql(client, REQUEST, headers=resident.auth))["data"]["verificationRequestCreate"]["request"][
        "id"
    ]
    closed = await gql(client, CLOSE, {"password": resident.password}, headers=resident.auth)
    assert closed["data"]["accountClose"]["ok"] is True

    approved = (await gql(client, APPROVE, {"id": request_id}, headers=officer.auth))["data"][
        "verificationRequestApprove"
    ]
    assert approved["request"] is None
    (error,) = approved["errors"]
    assert error["code"] == "CONFLICT" and "closed" in error["message"]
    rejected = await gql(client, REJECT, {"id": request_id, "reason": "Không rõ"}, headers=officer.auth)
    assert [e["code"] for e in rejected["data"]["verificationRequestReject"]["errors"]] == ["CONFLICT"]
    status = await gql(client, NODE, {"id": request_id}, headers=officer.auth)
    assert status["data"]["node"]["status"] == "PENDING", "nothing was decided"
    queue = (await gql(client, QUEUE, {"status": "PENDING"}, headers=officer.auth))["data"]["verificationRequests"]
    assert queue["edges"] == [], "a request no officer may decide does not sit at the head of the queue"
