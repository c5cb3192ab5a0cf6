"""Organisations: registration (level 2 only), tax codes, representatives and their recorded history."""

from __future__ import annotations

import asyncio
import itertools
from datetime import date

import pytest

from tests.identity.paging import assert_pages_both_ways
from tests.identity.people import Someone, make_officer, make_verified, register, uuid_of
from tests.support import error_codes, gql

ORG_REGISTER = """
mutation Register($input: OrganizationRegisterInput!) {
  organizationRegister(input: $input) {
    organization {
      id displayName kind organizationKind sector taxCodeMasked myRole verificationLevel
      representatives { role person { id } }
    }
    errors { code field message }
  }
}
"""

ORGANIZATION = """
query Org($id: ID!) {
  node(id: $id) {
    id
    ... on Organization { displayName taxCodeMasked myRole representatives { role since person { id displayName } } }
  }
}
"""

HISTORY = """
query History($id: ID!) {
  node(id: $id) {
    id
    ... on Organization { representationHistory { action role at by { id displayName } person { id displayName } } }
  }
}
"""

MY_ORGANIZATIONS = "{ me { id organizations { role organization { id displayName } } } }"

REPRESENTATIVE_SET = """
mutation Set($org: ID!, $person: ID!, $role: RepresentativeRole!) {
  representativeSet(input: {organizationId: $org, personId: $person, role: $role}) {
    representatives { role person { id } }
    invitation: representativeInvitation { role createdAt organization { id } person { id } invitedBy { id } }
    errors { code field message }
  }
}
"""

INVITATION_ACCEPT = """
mutation Accept($input: RepresentativeInvitationAcceptInput!) {
  representativeInvitationAccept(input: $input) {
    representation { role organization { id myRole } }
    errors { code field message }
  }
}
"""

INVITATION_DECLINE = """
mutation Decline($input: RepresentativeInvitationDeclineInput!) {
  representativeInvitationDecline(input: $input) { organization { id myRole } errors { code field message } }
}
"""

INVITATION_WITHDRAW = """
mutation Withdraw($input: RepresentativeInvitationWithdrawInput!) {
  representativeInvitationWithdraw(input: $input) { organization { id } errors { code field message } }
}
"""

MY_INVITATIONS = """
query Invitations($first: Int, $after: String, $last: Int, $before: String) {
  myRepresentativeInvitations(first: $first, after: $after, last: $last, before: $before) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { role createdAt organization { id displayName myRole } person { id } invitedBy { id } } }
  }
}
"""

REPRESENTATIVE_REVOKE = """
mutation Revoke($org: ID!, $person: ID!) {
  representativeRevoke(input: {organizationId: $org, personId: $person}) {
    representatives { role person { id } }
    errors { code field message }
  }
}
"""

TAX_CODE = "0101234567"

_phones = itertools.count(1)


def phone() -> str:
    """A valid Vietnamese mobile number, unique in this run (people.unique_phone may draw an invalid 0992...)."""
    return f"0913{next(_phones):06d}"


def org_input(**overrides) -> dict:
    data = {"name": "Công ty TNHH Du lịch Hồ Tây", "kind": "BUSINESS", "taxCode": TAX_CODE, "sector": "Du lịch"}
    data.update(overrides)
    return data


async def verified(app, client, officer: Someone | None = None, **overrides) -> Someone:
    officer = officer or await make_officer(app, client, phone=phone())
    return await make_verified(app, client, officer, phone=phone(), **overrides)


async def register_org(client, owner: Someone, **overrides) -> dict:
    body = await gql(client, ORG_REGISTER, {"input": org_input(**overrides)}, headers=owner.auth)
    assert "errors" not in body, body["errors"]
    return body["data"]["organizationRegister"]


async def registered_org(client, owner: Someone, **overrides) -> str:
    result = await register_org(client, owner, **overrides)
    assert result["errors"] == [], result["errors"]
    return result["organization"]["id"]


async def set_role(client, by: Someone, org_id: str, person: Someone, role: str) -> dict:
    """representativeSet: changes a representative's role, or only invites someone who is not one yet."""
    return await gql(client, REPRESENTATIVE_SET, {"org": org_id, "person": person.id, "role": role}, headers=by.auth)


async def accept(client, person: Someone, org_id: str) -> dict:
    return await gql(client, INVITATION_ACCEPT, {"input": {"organizationId": org_id}}, headers=person.auth)


async def decline(client, person: Someone, org_id: str) -> dict:
    return await gql(client, INVITATION_DECLINE, {"input": {"organizationId": org_id}}, headers=person.auth)


async def withdraw(client, by: Someone, org_id: str, person: Someone) -> dict:
    return await gql(
        client, INVITATION_WITHDRAW, {"input": {"organizationId": org_id, "personId": person.id}}, headers=by.auth
    )


async def add_representative(client, owner: Someone, org_id: str, person: Someone, role: str) -> None:
    """Make ``person`` a representative the way the product does: the owner invites, the person accepts."""
    invited = (await set_role(client, owner, org_id, person, role))["data"]["representativeSet"]
    assert invited["errors"] == [] and invited["invitation"]["role"] == role, invited
    accepted = (await accept(client, person, org_id))["data"]["representativeInvitationAccept"]
    assert accepted["errors"] == [] and accepted["representation"]["role"] == role, accepted


def roles_of(representatives: list[dict]) -> dict[str, str]:
    return {r["person"]["id"]: r["role"] for r in representatives}


async def representatives(client, org_id: str, viewer: Someone) -> dict[str, str]:
    """The representatives and their roles, as ``viewer`` reads them (signed-in callers only: null signed out)."""
    body = await gql(client, ORGANIZATION, {"id": org_id}, headers=viewer.auth)
    assert "errors" not in body, body["errors"]
    return roles_of(body["data"]["node"]["representatives"])


# --- registration ----------------------------------------------------------------------------------------------------


async def test_a_level_0_person_may_not_register_an_organisation_and_is_told_level_2(client):
    someone = await register(client, phone=phone())
    body = await gql(client, ORG_REGISTER, {"input": org_input()}, headers=someone.auth)
    assert error_codes(body) == ["FORBIDDEN"]
    assert "level 2" in body["errors"][0]["message"]
    assert not (body.get("data") or {}).get("organizationRegister")
    me = (await gql(client, MY_ORGANIZATIONS, headers=someone.auth))["data"]["me"]
    assert me["organizations"] == [], "nothing was registered"


async def test_an_anonymous_caller_may_not_register_an_organisation(client):
    body = await gql(client, ORG_REGISTER, {"input": org_input()})
    assert error_codes(body) == ["UNAUTHENTICATED"]
    assert not (body.get("data") or {}).get("organizationRegister")


async def test_a_level_2_person_registers_an_organisation_and_owns_it(client, app):
    owner = await verified(app, client, fullName="Lê Văn Chủ")
    result = await register_org(client, owner)
    assert result["errors"] == []
    org = result["organization"]
    assert org["displayName"] == "Công ty TNHH Du lịch Hồ Tây" and org["kind"] == "ORGANIZATION"
    assert org["organizationKind"] == "BUSINESS" and org["sector"] == "Du lịch"
    assert org["myRole"] == "OWNER"
    assert org["taxCodeMasked"].endswith(TAX_CODE[-4:])
    assert TAX_CODE not in org["taxCodeMasked"] and TAX_CODE[:6] not in org["taxCodeMasked"]
    assert roles_of(org["representatives"]) == {owner.id: "OWNER"}

    mine = (await gql(client, MY_ORGANIZATIONS, headers=owner.auth))["data"]["me"]["organizations"]
    assert mine == [{"role": "OWNER", "organization": {"id": org["id"], "displayName": org["displayName"]}}]

    public = (await gql(client, ORGANIZATION, {"id": org["id"]}))["data"]["node"]
    assert public["displayName"] == org["displayName"] and public["myRole"] is None
    assert public["taxCodeMasked"] == org["taxCodeMasked"]


async def test_the_tax_code_is_never_echoed_in_full(client, app):
    owner = await verified(app, client)
    response = await client.post(
        "/graphql", json={"query": ORG_REGISTER, "variables": {"input": org_input()}}, headers=owner.auth
    )
    assert response.json()["data"]["organizationRegister"]["errors"] == []
    assert TAX_CODE not in response.text


@pytest.mark.parametrize("tax_code", ["12345", "0101234567-01", "01012345678", "010123456A", "0101234567-0011", ""])
async def test_an_invalid_tax_code_is_refused_on_the_tax_code_field(client, app, tax_code):
    owner = await verified(app, client)
    result = await register_org(client, owner, taxCode=tax_code)
    assert result["organization"] is None
    (error,) = result["errors"]
    assert error["code"] == "INVALID_INPUT" and error["field"] == ["input", "taxCode"]
    assert "10 digits" in error["message"]
    mine = (await gql(client, MY_ORGANIZATIONS, headers=owner.auth))["data"]["me"]["organizations"]
    assert mine == [], "a refused registration writes nothing"


async def test_a_branch_tax_code_is_accepted_next_to_its_head_office(client, app):
    owner = await verified(app, client)
    branch = await register_org(client, owner, taxCode="0101234567-001", name="Chi nhánh Hồ Tây")
    assert branch["errors"] == []
    masked = branch["organization"]["taxCodeMasked"]
    assert masked.endswith("7001") and "0101234567" not in masked and "-001" not in masked
    head = await register_org(client, owner, taxCode=TAX_CODE)
    assert head["errors"] == [], "the head office and its branch are different organisations"
    assert head["organization"]["id"] != branch["organization"]["id"]


async def test_a_tax_code_registers_only_once(client, app):
    officer = await make_officer(app, client, phone=phone())
    first = await verified(app, client, officer)
    second = await verified(app, client, officer, fullName="Phạm Thị Bình", sex="FEMALE", birth=date(1994, 11, 3))
    assert (await register_org(client, first))["errors"] == []
    again = await register_org(client, second, name="Another name")
    assert again["organization"] is None
    (error,) = again["errors"]
    assert error["code"] == "CONFLICT" and error["field"] == ["input", "taxCode"]
    assert "Hồ Tây" not in error["message"], "the conflict does not reveal who holds the tax code"
    mine = (await gql(client, MY_ORGANIZATIONS, headers=second.auth))["data"]["me"]["organizations"]
    assert mine == []


# --- representatives ---------------------------------------------------------------------------------------------------


async def test_the_owner_makes_someone_an_admin(client, app):
    owner = await verified(app, client, fullName="Lê Văn Chủ")
    b = await register(client, fullName="Phạm Thị Bình", sex="FEMALE", birth=date(1994, 11, 3), phone=phone())
    org_id = await registered_org(client, owner)
    result = (await set_role(client, owner, org_id, b, "ADMIN"))["data"]["representativeSet"]
    assert result["errors"] == []
    assert roles_of(result["representatives"]) == {owner.id: "OWNER"}, "only invited so far"
    accepted = (await accept(client, b, org_id))["data"]["representativeInvitationAccept"]
    assert accepted == {
        "representation": {"role": "ADMIN", "organization": {"id": org_id, "myRole": "ADMIN"}},
        "errors": [],
    }
    assert await representatives(client, org_id, owner) == {owner.id: "OWNER", b.id: "ADMIN"}
    seen_by_b = (await gql(client, ORGANIZATION, {"id": org_id}, headers=b.auth))["data"]["node"]
    assert seen_by_b["myRole"] == "ADMIN"
    listed = {r["person"]["id"]: r["person"]["displayName"] for r in seen_by_b["representatives"]}
    assert listed[b.id] == "Phạm Thị Bình" and listed[owner.id] == "Lê Văn Chủ"
    mine = (await gql(client, MY_ORGANIZATIONS, headers=b.auth))["data"]["me"]["organizations"]
    assert [(o["role"], o["organization"]["id"]) for o in mine] == [("ADMIN", org_id)]


async def test_an_admin_who_is_not_owner_may_not_change_representatives(client, app):
    owner = await verified(app, client, fullName="Lê Văn Chủ")
    b = await register(client, fullName="Phạm Thị Bình", sex="FEMALE", birth=date(1994, 11, 3), phone=phone())
    c = await register(client, fullName="Đỗ Minh Châu", birth=date(1988, 2, 14), phone=phone())
    org_id = await registered_org(client, owner)
    await add_representative(client, owner, org_id, b, "ADMIN")

    for attempt in (set_role(client, b, org_id, c, "MEMBER"), set_role(client, b, org_id, b, "OWNER")):
        body = await attempt
        assert error_codes(body) == ["FORBIDDEN"]
        assert not (body.get("data") or {}).get("representativeSet")
    revoke = await gql(client, REPRESENTATIVE_REVOKE, {"org": org_id, "person": owner.id}, headers=b.auth)
    assert error_codes(revoke) == ["FORBIDDEN"]
    assert await representatives(client, org_id, owner) == {owner.id: "OWNER", b.id: "ADMIN"}, "nothing changed"


async def test_an_outsider_may_not_change_representatives(client, app):
    owner = await verified(app, client)
    outsider = await register(client, fullName="Đỗ Minh Châu", birth=date(1988, 2, 14), phone=phone())
    org_id = await registered_org(client, owner)
    assert error_codes(await set_role(client, outsider, org_id, outsider, "OWNER")) == ["FORBIDDEN"]
    anonymous = await gql(client, REPRESENTATIVE_SET, {"org": org_id, "person": outsider.id, "role": "OWNER"})
    assert error_codes(anonymous) == ["UNAUTHENTICATED"]
    assert await representatives(client, org_id, owner) == {owner.id: "OWNER"}


async def test_the_only_owner_cannot_be_revoked_or_demoted(client, app):
    owner = await verified(app, client)
    org_id = await registered_org(client, owner)
    revoked = await gql(client, REPRESENTATIVE_REVOKE, {"org": org_id, "person": owner.id}, headers=owner.auth)
    (error,) = revoked["data"]["representativeRevoke"]["errors"]
    assert error["code"] == "CONFLICT" and error["field"] == ["input", "personId"]
    demoted = (await set_role(client, owner, org_id, owner, "ADMIN"))["data"]["representativeSet"]
    assert [e["code"] for e in demoted["errors"]] == ["CONFLICT"]
    assert await representatives(client, org_id, owner) == {owner.id: "OWNER"}


async def test_an_owner_may_step_down_once_there_is_another_owner(client, app):
    owner = await verified(app, client, fullName="Lê Văn Chủ")
    b = await register(client, fullName="Phạm Thị Bình", sex="FEMALE", birth=date(1994, 11, 3), phone=phone())
    org_id = await registered_org(client, owner)
    await add_representative(client, owner, org_id, b, "OWNER")
    revoked = await gql(client, REPRESENTATIVE_REVOKE, {"org": org_id, "person": owner.id}, headers=owner.auth)
    result = revoked["data"]["representativeRevoke"]
    assert result["errors"] == [] and roles_of(result["representatives"]) == {b.id: "OWNER"}


# --- history -------------------------------------------------------------------------------------------------------------


async def test_representation_history_records_grants_and_revocations_for_owners_and_admins(client, app):
    owner = await verified(app, client, fullName="Lê Văn Chủ")
    b = await register(client, fullName="Phạm Thị Bình", sex="FEMALE", birth=date(1994, 11, 3), phone=phone())
    c = await register(client, fullName="Đỗ Minh Châu", birth=date(1988, 2, 14), phone=phone())
    org_id = await registered_org(client, owner)
    await add_representative(client, owner, org_id, b, "ADMIN")
    await add_representative(client, owner, org_id, c, "MEMBER")
    revoked = await gql(client, REPRESENTATIVE_REVOKE, {"org": org_id, "person": c.id}, headers=owner.auth)
    assert revoked["data"]["representativeRevoke"]["errors"] == []

    body = await gql(client, HISTORY, {"id": org_id}, headers=owner.auth)
    assert "errors" not in body, body["errors"]
    history = body["data"]["node"]["representationHistory"]
    assert [(h["action"], h["role"], h["person"]["id"], h["by"]["id"]) for h in history] == [
        ("revoke", "MEMBER", c.id, owner.id),
        ("grant", "MEMBER", c.id, owner.id),
        ("grant", "ADMIN", b.id, owner.id),
        ("grant", "OWNER", owner.id, owner.id),
    ], "newest first, each change with who made it and whose role changed"
    assert [h["at"] for h in history] == sorted((h["at"] for h in history), reverse=True)
    assert history[0]["by"]["displayName"] == "Lê Văn Chủ" and history[0]["person"]["displayName"] == "Đỗ Minh Châu"

    by_admin = await gql(client, HISTORY, {"id": org_id}, headers=b.auth)
    assert "errors" not in by_admin, by_admin["errors"]
    assert len(by_admin["data"]["node"]["representationHistory"]) == 4, "admins see the history too"


async def test_representation_history_is_forbidden_to_outsiders_and_plain_members(client, app):
    owner = await verified(app, client, fullName="Lê Văn Chủ")
    outsider = await register(client, fullName="Phạm Thị Bình", sex="FEMALE", birth=date(1994, 11, 3), phone=phone())
    member = await register(client, fullName="Đỗ Minh Châu", birth=date(1988, 2, 14), phone=phone())
    org_id = await registered_org(client, owner)
    await add_representative(client, owner, org_id, member, "MEMBER")

    for viewer in (outsider, member):
        body = await gql(client, HISTORY, {"id": org_id}, headers=viewer.auth)
        assert error_codes(body) == ["FORBIDDEN"], viewer.name
        assert body["errors"][0]["path"][-1] == "representationHistory"
        node = (body.get("data") or {}).get("node")
        assert not (node or {}).get("representationHistory"), "no history leaks next to the error"

    anonymous = await gql(client, HISTORY, {"id": org_id})
    assert error_codes(anonymous) == ["UNAUTHENTICATED"]

    # The organisation itself stays readable to the outsider; only its history is refused.
    assert await representatives(client, org_id, outsider) == {owner.id: "OWNER", member.id: "MEMBER"}


# --- invitations -----------------------------------------------------------------------------------------------------

WALLET_FOR = "query Wallet($org: ID) { myWallet(asOrganization: $org) { owner { id } } }"
NOTIFICATIONS = "{ notifications { edges { node { kind subjectId actor { id } } } } }"


async def org_and_newcomer(app, client) -> tuple[Someone, str, Someone]:
    owner = await verified(app, client, fullName="Lê Văn Chủ")
    newcomer = await register(client, fullName="Phạm Thị Bình", sex="FEMALE", birth=date(1994, 11, 3), phone=phone())
    return owner, await registered_org(client, owner), newcomer


async def invitations(client, person: Someone, **page) -> dict:
    body = await gql(client, MY_INVITATIONS, page, headers=person.auth)
    assert "errors" not in body, body["errors"]
    return body["data"]["myRepresentativeInvitations"]


async def test_representative_set_only_invites_and_grants_nothing_until_accepted(client, app):
    owner, org_id, b = await org_and_newcomer(app, client)
    result = (await set_role(client, owner, org_id, b, "OWNER"))["data"]["representativeSet"]
    assert result["errors"] == []
    assert roles_of(result["representatives"]) == {owner.id: "OWNER"}
    invitation = result["invitation"]
    assert invitation["role"] == "OWNER" and invitation["person"]["id"] == b.id
    assert invitation["organization"]["id"] == org_id and invitation["invitedBy"]["id"] == owner.id

    # Nothing is granted or shown: not a representative, no organisation, no acting for it.
    assert await representatives(client, org_id, owner) == {owner.id: "OWNER"}
    assert await representatives(client, org_id, b) == {owner.id: "OWNER"}
    seen_by_b = (await gql(client, ORGANIZATION, {"id": org_id}, headers=b.auth))["data"]["node"]
    assert seen_by_b["myRole"] is None
    assert (await gql(client, MY_ORGANIZATIONS, headers=b.auth))["data"]["me"]["organizations"] == []
    acting = await gql(client, WALLET_FOR, {"org": org_id}, headers=b.auth)
    assert error_codes(acting) == ["FORBIDDEN"]
    revoke = await gql(client, REPRESENTATIVE_REVOKE, {"org": org_id, "person": owner.id}, headers=b.auth)
    assert error_codes(revoke) == ["FORBIDDEN"], "an invited owner is no owner yet"
    history = (await gql(client, HISTORY, {"id": org_id}, headers=owner.auth))["data"]["node"]["representationHistory"]
    assert [(h["action"], h["person"]["id"]) for h in history] == [("grant", owner.id)]

    # The invited person is told, and sees the invitation.
    notes = (await gql(client, NOTIFICATIONS, headers=b.auth))["data"]["notifications"]["edges"]
    assert [(n["node"]["kind"], n["node"]["subjectId"], n["node"]["actor"]["id"]) for n in notes] == [
        ("REPRESENTATIVE_INVITED", org_id, owner.id)
    ]
    pending = await invitations(client, b)
    assert pending["totalCount"] == 1
    (edge,) = pending["edges"]
    assert edge["node"]["role"] == "OWNER" and edge["node"]["organization"]["id"] == org_id
    assert edge["node"]["invitedBy"]["id"] == owner.id and edge["node"]["person"]["id"] == b.id
    exported = (await gql(client, "{ myData }", headers=b.auth))["data"]["myData"]
    assert [(i["organizationId"], i["role"]) for i in exported["representativeInvitations"]] == [
        (uuid_of(org_id), "owner")
    ]
    assert exported["representations"] == []

    # Accepting grants the role offered, in one step, recorded as granted by the inviter.
    accepted = (await accept(client, b, org_id))["data"]["representativeInvitationAccept"]
    assert accepted["errors"] == [] and accepted["representation"]["role"] == "OWNER"
    assert await representatives(client, org_id, owner) == {owner.id: "OWNER", b.id: "OWNER"}
    wallet = await gql(client, WALLET_FOR, {"org": org_id}, headers=b.auth)
    assert "errors" not in wallet and wallet["data"]["myWallet"]["owner"]["id"] == org_id
    assert (await invitations(client, b))["totalCount"] == 0
    history = (await gql(client, HISTORY, {"id": org_id}, headers=owner.auth))["data"]["node"]["representationHistory"]
    assert [(h["action"], h["role"], h["person"]["id"], h["by"]["id"]) for h in history][0] == (
        "grant",
        "OWNER",
        b.id,
        owner.id,
    )
    again = (await accept(client, b, org_id))["data"]["representativeInvitationAccept"]
    assert [e["code"] for e in again["errors"]] == ["CONFLICT"]


async def test_a_declined_invitation_leaves_nothing(client, app):
    owner, org_id, b = await org_and_newcomer(app, client)
    assert (await set_role(client, owner, org_id, b, "ADMIN"))["data"]["representativeSet"]["errors"] == []
    declined = (await decline(client, b, org_id))["data"]["representativeInvitationDecline"]
    assert declined == {"organization": {"id": org_id, "myRole": None}, "errors": []}
    assert (await invitations(client, b))["edges"] == []
    late = (await accept(client, b, org_id))["data"]["representativeInvitationAccept"]
    assert late["representation"] is None
    (error,) = late["errors"]
    assert error["code"] == "CONFLICT" and error["field"] == ["input", "organizationId"]
    assert await representatives(client, org_id, owner) == {owner.id: "OWNER"}
    twice = (await decline(client, b, org_id))["data"]["representativeInvitationDecline"]
    assert [e["code"] for e in twice["errors"]] == ["CONFLICT"]


async def test_owners_withdraw_a_pending_invitation_and_nobody_else_may(client, app):
    owner, org_id, b = await org_and_newcomer(app, client)
    outsider = await register(client, fullName="Đỗ Minh Châu", birth=date(1988, 2, 14), phone=phone())
    assert (await set_role(client, owner, org_id, b, "MEMBER"))["data"]["representativeSet"]["errors"] == []
    assert error_codes(await withdraw(client, outsider, org_id, b)) == ["FORBIDDEN"]
    assert error_codes(await withdraw(client, b, org_id, b)) == ["FORBIDDEN"], "the invitee declines instead"
    stolen = (await accept(client, outsider, org_id))["data"]["representativeInvitationAccept"]
    assert [e["code"] for e in stolen["errors"]] == ["CONFLICT"], "an invitation is accepted only by its invitee"
    withdrawn = (await withdraw(client, owner, org_id, b))["data"]["representativeInvitationWithdraw"]
    assert withdrawn == {"organization": {"id": org_id}, "errors": []}
    assert (await invitations(client, b))["totalCount"] == 0
    assert [
        e["code"] for e in (await accept(client, b, org_id))["data"]["representativeInvitationAccept"]["errors"]
    ] == ["CONFLICT"]
    again = (await withdraw(client, owner, org_id, b))["data"]["representativeInvitationWithdraw"]
    (error,) = again["errors"]
    assert error["code"] == "CONFLICT" and error["field"] == ["input", "personId"]
    assert await representatives(client, org_id, owner) == {owner.id: "OWNER"}
    anonymous = await gql(client, INVITATION_ACCEPT, {"input": {"organizationId": org_id}})
    assert error_codes(anonymous) == ["UNAUTHENTICATED"]
    assert error_codes(await gql(client, MY_INVITATIONS, {})) == ["UNAUTHENTICATED"]


async def test_a_person_who_blocked_the_owner_cannot_be_invited(client, app):
    owner, org_id, b = await org_and_newcomer(app, client)
    block = "mutation B($id: ID!) { blockSet(input: {actorId: $id, blocked: true}) { errors { code } } }"
    assert (await gql(client, block, {"id": owner.id}, headers=b.auth))["data"]["blockSet"]["errors"] == []
    refused = (await set_role(client, owner, org_id, b, "ADMIN"))["data"]["representativeSet"]
    assert [(e["code"], e["field"]) for e in refused["errors"]] == [("NOT_FOUND", ["input", "personId"])]
    assert (await invitations(client, b))["totalCount"] == 0
    notes = (await gql(client, NOTIFICATIONS, headers=b.auth))["data"]["notifications"]["edges"]
    assert notes == []


async def test_a_representatives_role_still_changes_at_once_and_a_reinvitation_updates_the_pending_one(client, app):
    owner, org_id, b = await org_and_newcomer(app, client)
    c = await register(client, fullName="Đỗ Minh Châu", birth=date(1988, 2, 14), phone=phone())
    await add_representative(client, owner, org_id, b, "MEMBER")
    promoted = (await set_role(client, owner, org_id, b, "ADMIN"))["data"]["representativeSet"]
    assert promoted["errors"] == [] and promoted["invitation"] is None
    assert roles_of(promoted["representatives"]) == {owner.id: "OWNER", b.id: "ADMIN"}

    assert (await set_role(client, owner, org_id, c, "MEMBER"))["data"]["representativeSet"]["errors"] == []
    assert (await set_role(client, owner, org_id, c, "ADMIN"))["data"]["representativeSet"]["invitation"][
        "role"
    ] == "ADMIN"
    pending = await invitations(client, c)
    assert [(e["node"]["role"]) for e in pending["edges"]] == ["ADMIN"], "one invitation per organisation, latest role"
    notes = (await gql(client, NOTIFICATIONS, headers=c.auth))["data"]["notifications"]["edges"]
    assert len(notes) == 1, "re-inviting does not notify again"


async def test_my_invitations_page_newest_first_both_ways_and_refuse_another_persons_cursor(client, app):
    officer = await make_officer(app, client, phone=phone())
    b = await register(client, fullName="Phạm Thị Bình", sex="FEMALE", birth=date(1994, 11, 3), phone=phone())
    c = await register(client, fullName="Đỗ Minh Châu", birth=date(1988, 2, 14), phone=phone())
    owner = await verified(app, client, officer, fullName="Chủ Nhiều Công Ty")
    org_ids = []
    for i, tax in enumerate(("0101234567", "0109876543", "0105555555", "0104444444", "0103333333")):
        org_ids.append(await registered_org(client, owner, taxCode=tax, name=f"Công ty {i}"))
        assert (await set_role(client, owner, org_ids[-1], b, "MEMBER"))["data"]["representativeSet"]["errors"] == []
    assert (await set_role(client, owner, org_ids[0], c, "MEMBER"))["data"]["representativeSet"]["errors"] == []
    first = await invitations(client, b, first=2)
    assert first["totalCount"] == 5 and first["pageInfo"]["hasNextPage"] is True

    async def fetch(**page) -> dict:
        return await invitations(client, b, **page)

    await assert_pages_both_ways(fetch, list(reversed(org_ids)), lambda n: n["organization"]["id"])
    foreign = (await invitations(client, c, first=1))["pageInfo"]["endCursor"]
    for argument in ("after", "before"):
        body = await gql(client, MY_INVITATIONS, {argument: foreign}, headers=b.auth)
        assert [(e["extensions"]["code"], e["extensions"]["field"]) for e in body["errors"]] == [
            ("INVALID_INPUT", argument)
        ], "a cursor of another person's invitations"


async def test_parallel_accepts_grant_once(client, app):
    owner, org_id, b = await org_and_newcomer(app, client)
    assert (await set_role(client, owner, org_id, b, "ADMIN"))["data"]["representativeSet"]["errors"] == []
    bodies = await asyncio.gather(*(accept(client, b, org_id) for _ in range(40)))
    results = [body["data"]["representativeInvitationAccept"] for body in bodies]
    assert sum(r["errors"] == [] for r in results) == 1
    assert all([e["code"] for e in r["errors"]] == ["CONFLICT"] for r in results if r["errors"])
    assert await representatives(client, org_id, owner) == {owner.id: "OWNER", b.id: "ADMIN"}
    history = (await gql(client, HISTORY, {"id": org_id}, headers=owner.auth))["data"]["node"]["representationHistory"]
    assert len(history) == 2, "one grant recorded for one acceptance"


async def test_parallel_accepts_declines_and_withdrawals_settle_on_one_answer(client, app):
    owner, org_id, b = await org_and_newcomer(app, client)
    assert (await set_role(client, owner, org_id, b, "MEMBER"))["data"]["representativeSet"]["errors"] == []
    calls = [accept(client, b, org_id) for _ in range(14)] + [decline(client, b, org_id) for _ in range(13)]
    calls += [withdraw(client, owner, org_id, b) for _ in range(13)]
    bodies = await asyncio.gather(*calls)
    results = [next(iter(body["data"].values())) for body in bodies]
    winners = [i for i, r in enumerate(results) if r["errors"] == []]
    assert len(winners) == 1, results
    assert all([e["code"] for e in r["errors"]] == ["CONFLICT"] for r in results if r["errors"])
    accepted = winners[0] < 14
    assert await representatives(client, org_id, owner) == (
        {owner.id: "OWNER", b.id: "MEMBER"} if accepted else {owner.id: "OWNER"}
    )
    assert (await invitations(client, b))["totalCount"] == 0


async def test_an_organisation_name_with_a_direction_override_or_markup_is_refused(app, client):
    owner = await verified(app, client)
    for name in ("Công ty \u202eTNHH", "<i>Công ty</i>", "\u200b\u200b\u200b"):
        result = await register_org(client, owner, name=name)
        assert [(e["code"], e["field"]) for e in result["errors"]] == [("INVALID_INPUT", ["input", "name"])], name
        assert result["organization"] is None
    assert (await register_org(client, owner, name="Công ty Cổ phần A & B (Hà Nội)"))["errors"] == []


# --- invitations follow their inviter's ownership; owners list them; promotions to owner are invitations ---------

PENDING = """
query Pending($id: ID!, $first: Int, $after: String, $last: Int, $before: String) {
  node(id: $id) {
    ... on Organization {
      pendingInvitations(first: $first, after: $after, last: $last, before: $before) {
        totalCount
        pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
        edges { cursor node { role person { id } invitedBy { id } organization { id } } }
      }
    }
  }
}
"""


async def pending_of(client, viewer: Someone, org_id: str, **page) -> dict:
    return await gql(client, PENDING, {"id": org_id, **page}, headers=viewer.auth)


async def test_an_owner_who_is_demoted_or_revoked_takes_their_pending_invitations_along(client, app):
    owner, org_id, b = await org_and_newcomer(app, client)
    c, d, e = [await register(client, fullName=f"Người Số {i}", phone=phone()) for i in range(3)]
    await add_representative(client, owner, org_id, b, "OWNER")
    for invitee in (c, d):
        assert (await set_role(client, b, org_id, invitee, "ADMIN"))["data"]["representativeSet"]["errors"] == []
    assert (await set_role(client, owner, org_id, e, "MEMBER"))["data"]["representativeSet"]["errors"] == []

    demoted = (await set_role(client, owner, org_id, b, "MEMBER"))["data"]["representativeSet"]
    assert demoted["errors"] == [] and roles_of(demoted["representatives"])[b.id] == "MEMBER"
    late = (await accept(client, c, org_id))["data"]["representativeInvitationAccept"]
    assert late["representation"] is None and [(x["code"], x["field"]) for x in late["errors"]] == [
        ("CONFLICT", ["input", "organizationId"])
    ], "gone, as if withdrawn"
    assert (await invitations(client, d))["totalCount"] == 0
    listed = (await pending_of(client, owner, org_id))["data"]["node"]["pendingInvitations"]
    assert [(x["node"]["person"]["id"], x["node"]["invitedBy"]["id"]) for x in listed["edges"]] == [(e.id, owner.id)]
    assert (await accept(client, e, org_id))["data"]["representativeInvitationAccept"]["errors"] == [], (
        "another owner's invitation stands"
    )

    # Revoked: the same.
    await add_representative(client, owner, org_id, b, "OWNER")
    assert (await set_role(client, b, org_id, c, "ADMIN"))["data"]["representativeSet"]["errors"] == []
    revoked = await gql(client, REPRESENTATIVE_REVOKE, {"org": org_id, "person": b.id}, headers=owner.auth)
    assert revoked["data"]["representativeRevoke"]["errors"] == []
    assert [
        x["code"] for x in (await accept(client, c, org_id))["data"]["representativeInvitationAccept"]["errors"]
    ] == ["CONFLICT"]
    assert await representatives(client, org_id, owner) == {owner.id: "OWNER", e.id: "MEMBER"}


async def test_owners_and_admins_page_through_pending_invitations_and_nobody_else_sees_them(client, app):
    owner, org_id, admin = await org_and_newcomer(app, client)
    member, outsider = [await register(client, fullName=f"Người Số {i}", phone=phone()) for i in range(2)]
    await add_representative(client, owner, org_id, admin, "ADMIN")
    await add_representative(client, owner, org_id, member, "MEMBER")
    invitees = [await register(client, fullName=f"Khách Số {i}", phone=phone()) for i in range(3)]
    for invitee in invitees:
        assert (await set_role(client, owner, org_id, invitee, "MEMBER"))["data"]["representativeSet"]["errors"] == []

    for viewer in (owner, admin):
        first = (await pending_of(client, viewer, org_id, first=2))["data"]["node"]["pendingInvitations"]
        assert first["totalCount"] == 3 and first["pageInfo"]["hasNextPage"] is True
        rest = await pending_of(client, viewer, org_id, first=2, after=first["pageInfo"]["endCursor"])
        rest = rest["data"]["node"]["pendingInvitations"]
        assert rest["pageInfo"]["hasNextPage"] is False
        seen = [x["node"]["person"]["id"] for x in first["edges"] + rest["edges"]]
        assert seen == [i.id for i in reversed(invitees)], "newest first"

    for viewer in (member, outsider):
        body = await pending_of(client, viewer, org_id)
        assert error_codes(body) == ["FORBIDDEN"], viewer.name
        assert body["errors"][0]["path"][-1] == "pendingInvitations"
        assert not ((body.get("data") or {}).get("node") or {}).get("pendingInvitations")
    assert error_codes(await gql(client, PENDING, {"id": org_id})) == ["UNAUTHENTICATED"]

    # An owner finds one there and withdraws it.
    assert (await withdraw(client, owner, org_id, invitees[0]))["data"]["representativeInvitationWithdraw"][
        "errors"
    ] == []
    after = (await pending_of(client, owner, org_id))["data"]["node"]["pendingInvitations"]
    assert after["totalCount"] == 2 and invitees[0].id not in [x["node"]["person"]["id"] for x in after["edges"]]


async def test_invite_and_withdraw_cycles_notify_once(client, app):
    owner, org_id, b = await org_and_newcomer(app, client)
    for role in ("MEMBER", "ADMIN", "MEMBER", "OWNER"):
        assert (await set_role(client, owner, org_id, b, role))["data"]["representativeSet"]["errors"] == []
        assert (await withdraw(client, owner, org_id, b))["data"]["representativeInvitationWithdraw"]["errors"] == []
    notes = (await gql(client, NOTIFICATIONS, headers=b.auth))["data"]["notifications"]["edges"]
    assert [n["node"]["kind"] for n in notes] == ["REPRESENTATIVE_INVITED"]
    # read or not, a new invitation the same day does not notify again
    await gql(client, "mutation { notificationsMarkRead(input: {}) { markedCount } }", headers=b.auth)
    assert (await set_role(client, owner, org_id, b, "MEMBER"))["data"]["representativeSet"]["errors"] == []
    notes = (await gql(client, NOTIFICATIONS, headers=b.auth))["data"]["notifications"]["edges"]
    assert len(notes) == 1
    assert (await invitations(client, b))["totalCount"] == 1, "the invitation itself is there"


async def test_forty_parallel_invitations_and_withdrawals_notify_once(client, app):
    owner, org_id, b = await org_and_newcomer(app, client)
    calls = [
        set_role(client, owner, org_id, b, "MEMBER") if i % 2 == 0 else withdraw(client, owner, org_id, b)
        for i in range(40)
    ]
    bodies = await asyncio.gather(*calls)
    assert all("errors" not in body for body in bodies), bodies
    assert all(
        next(iter(body["data"].values()))["errors"]
        in (
            [],
            [
                {
                    "code": "CONFLICT",
                    "field": ["input", "personId"],
                    "message": "This person has no pending invitation from this organisation.",
                }
            ],
        )
        for body in bodies
    )
    notes = (await gql(client, NOTIFICATIONS, headers=b.auth))["data"]["notifications"]["edges"]
    assert [n["node"]["kind"] for n in notes] == ["REPRESENTATIVE_INVITED"]


async def test_a_promotion_to_owner_is_an_invitation_and_demotions_stay_immediate(client, app):
    owner, org_id, b = await org_and_newcomer(app, client)
    await add_representative(client, owner, org_id, b, "MEMBER")
    promoted = (await set_role(client, owner, org_id, b, "OWNER"))["data"]["representativeSet"]
    assert promoted["errors"] == [] and promoted["invitation"]["role"] == "OWNER"
    assert roles_of(promoted["representatives"]) == {owner.id: "OWNER", b.id: "MEMBER"}, "nothing granted yet"
    revoke = await gql(client, REPRESENTATIVE_REVOKE, {"org": org_id, "person": owner.id}, headers=b.auth)
    assert error_codes(revoke) == ["FORBIDDEN"]
    assert [
        (e["node"]["role"], e["node"]["organization"]["myRole"]) for e in (await invitations(client, b))["edges"]
    ] == [("OWNER", "MEMBER")]
    declined = (await decline(client, b, org_id))["data"]["representativeInvitationDecline"]
    assert declined == {"organization": {"id": org_id, "myRole": "MEMBER"}, "errors": []}, "declining keeps my role"

    assert (await set_role(client, owner, org_id, b, "OWNER"))["data"]["representativeSet"]["invitation"][
        "role"
    ] == "OWNER"
    accepted = (await accept(client, b, org_id))["data"]["representativeInvitationAccept"]
    assert accepted["errors"] == [] and accepted["representation"]["role"] == "OWNER"
    assert await representatives(client, org_id, owner) == {owner.id: "OWNER", b.id: "OWNER"}

    demoted = (await set_role(client, owner, org_id, b, "ADMIN"))["data"]["representativeSet"]
    assert demoted["errors"] == [] and demoted["invitation"] is None
    assert roles_of(demoted["representatives"]) == {owner.id: "OWNER", b.id: "ADMIN"}, "a demotion applies at once"


async def test_pending_invitations_page_both_ways_and_refuse_another_organisations_cursor(client, app):
    owner, org_id, _ = await org_and_newcomer(app, client)
    other_org = await registered_org(client, owner, taxCode="0109876543", name="Công ty Khác")
    invitees = [await register(client, fullName=f"Khách Số {i}", phone=phone()) for i in range(5)]
    for invitee in invitees:
        assert (await set_role(client, owner, org_id, invitee, "MEMBER"))["data"]["representativeSet"]["errors"] == []
    assert (await set_role(client, owner, other_org, invitees[0], "ADMIN"))["data"]["representativeSet"]["errors"] == []

    async def fetch(**page) -> dict:
        body = await pending_of(client, owner, org_id, **page)
        assert "errors" not in body, body["errors"]
        return body["data"]["node"]["pendingInvitations"]

    await assert_pages_both_ways(fetch, [i.id for i in reversed(invitees)], lambda n: n["person"]["id"])
    foreign = (await pending_of(client, owner, other_org, first=1))["data"]["node"]["pendingInvitations"]
    for argument in ("after", "before"):
        body = await pending_of(client, owner, org_id, **{argument: foreign["pageInfo"]["endCursor"]})
        assert [(e["extensions"]["code"], e["extensions"]["field"]) for e in body["errors"]] == [
            ("INVALID_INPUT", argument)
        ], "a cursor of another organisation's invitations"
