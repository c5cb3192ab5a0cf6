"""Every text and list a client sends to be stored is bounded (core.text.checked_text / checked_words): past the
bound it is INVALID_INPUT naming the field, and nothing is stored."""

from __future__ import annotations

from tests.identity.people import make_officer, make_verified, register, registration_input
from tests.social.helpers import post
from tests.support import gql

PROFILE = """
mutation($input: ProfileUpdateInput!) { profileUpdate(input: $input) { person { investorSectors } errors { code field } } }
"""
REGISTER = """
mutation($input: PersonRegisterInput!) { personRegister(input: $input) { person { id } errors { code field } } }
"""
ORG = """
mutation($input: OrganizationRegisterInput!) { organizationRegister(input: $input) { organization { id } errors { code field } } }
"""
REQUEST = "mutation { verificationRequestCreate(input: {}) { verificationRequest { id } errors { code } } }"
REJECT = """
mutation($id: ID!, $reason: String!) {
  verificationRequestReject(input: {verificationRequestId: $id, reason: $reason}) {
    verificationRequest { status } errors { code field }
  }
}
"""
DELETE = "mutation($id: ID!, $reason: String) { postDelete(input: {postId: $id, reason: $reason}) { errors { code field } } }"
ME = "query { me { investorSectors } }"


def _errors(body: dict, name: str) -> list[tuple[str, str]]:
    """(code, field path after ``input``) of each payload error."""
    assert "errors" not in body, body
    errors = body["data"][name]["errors"]
    assert all(e["field"][0] == "input" for e in errors), errors
    return [(e["code"], ".".join(e["field"][1:])) for e in errors]


async def test_investor_sectors_are_bounded_in_number_and_length(client):
    investor = await register(client, roles=["INVESTOR"])
    for sectors in (["x" * 500_000], ["a"] * 100_000, [f"ngành {i}" for i in range(21)], ["y" * 101]):
        body = await gql(client, PROFILE, {"input": {"investorSectors": sectors}}, headers=investor.auth)
        assert _errors(body, "profileUpdate") == [("INVALID_INPUT", "investorSectors")]
    assert (await gql(client, ME, headers=investor.auth))["data"]["me"]["investorSectors"] in (None, [])
    fine = [f"ngành {i}" for i in range(20)]
    body = await gql(client, PROFILE, {"input": {"investorSectors": fine}}, headers=investor.auth)
    assert _errors(body, "profileUpdate") == []
    huge = registration_input(roles=["INVESTOR"], investorSectors=["z" * 100_000])
    assert _errors(await gql(client, REGISTER, {"input": huge}), "personRegister") == [
        ("INVALID_INPUT", "investorSectors")
    ]


async def test_organisation_sector_rejection_reason_and_removal_reason_are_bounded(app, client):
    officer = await make_officer(app, client)
    owner = await make_verified(app, client, officer)
    org = {"name": "Công ty Sen Vàng", "kind": "BUSINESS", "taxCode": "0101234567", "sector": "s" * 101}
    assert _errors(await gql(client, ORG, {"input": org}, headers=owner.auth), "organizationRegister") == [
        ("INVALID_INPUT", "sector")
    ]
    applicant = await register(client)
    request_id = (await gql(client, REQUEST, headers=applicant.auth))["data"]["verificationRequestCreate"][
        "verificationRequest"
    ]["id"]
    rejected = await gql(client, REJECT, {"id": request_id, "reason": "r" * 1001}, headers=officer.auth)
    assert _errors(rejected, "verificationRequestReject") == [("INVALID_INPUT", "reason")]
    post_id = await post(client, owner, "Bài viết cần gỡ")
    removed = await gql(client, DELETE, {"id": post_id, "reason": "q" * 1001}, headers=officer.auth)
    assert _errors(removed, "postDelete") == [("INVALID_INPUT", "reason")]
