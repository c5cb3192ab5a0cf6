"""Organisations: registration (level 2 only), tax codes, representatives and their recorded history."""

from __future__ import annotations

import itertools
from datetime import date

import pytest

from tests.identity.people import Someone, make_officer, make_verified, register
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
  representativeSet(organizationId: $org, personId: $person, role: $role) {
    representatives { role person { id } }
    errors { code field message }
  }
}
"""

REPRESENTATIVE_REVOKE = """
mutation Revoke($org: ID!, $person: ID!) {
  representativeRevoke(organizationId: $org, personId: $person) {
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
    return await gql(client, REPRESENTATIVE_SET, {"org": org_id, "person": person.id, "role": role}, headers=by.auth)


def roles_of(representatives: list[dict]) -> dict[str, str]:
    return {r["person"]["id"]: r["role"] for r in representatives}


async def representatives(client, org_id: str, viewer: Someone | None = None) -> dict[str, str]:
    body = await gql(client, ORGANIZATION, {"id": org_id}, headers=viewer.auth if viewer else None)
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
    response = await client.post("/graphql", json={"query": ORG_REGISTER, "variables": {"input": org_input()}},
                                 headers=owner.auth)
    assert response.json()["data"]["organizationRegister"]["errors"] == []
    assert TAX_CODE not in response.text


@pytest.mark.parametrize("tax_code", ["12345", "0101234567-01", "01012345678", "010123456A", "0101234567-0011", ""])
async def test_an_invalid_tax_code_is_refused_on_the_tax_code_field(client, app, tax_code):
    owner = await verified(app, client)
    result = await register_org(client, owner, taxCode=tax_code)
    assert result["organization"] is None
    (error,) = result["errors"]
    assert error["code"] == "INVALID_INPUT" and error["field"] == "taxCode"
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
    assert error["code"] == "CONFLICT" and error["field"] == "taxCode"
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
    assert roles_of(result["representatives"]) == {owner.id: "OWNER", b.id: "ADMIN"}
    assert await representatives(client, org_id) == {owner.id: "OWNER", b.id: "ADMIN"}
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
    assert (await set_role(client, owner, org_id, b, "ADMIN"))["data"]["representativeSet"]["errors"] == []

    for attempt in (set_role(client, b, org_id, c, "MEMBER"), set_role(client, b, org_id, b, "OWNER")):
        body = await attempt
        assert error_codes(body) == ["FORBIDDEN"]
        assert not (body.get("data") or {}).get("representativeSet")
    revoke = await gql(client, REPRESENTATIVE_REVOKE, {"org": org_id, "person": owner.id}, headers=b.auth)
    assert error_codes(revoke) == ["FORBIDDEN"]
    assert await representatives(client, org_id) == {owner.id: "OWNER", b.id: "ADMIN"}, "nothing changed"


async def test_an_outsider_may_not_change_representatives(client, app):
    owner = await verified(app, client)
    outsider = await register(client, fullName="Đỗ Minh Châu", birth=date(1988, 2, 14), phone=phone())
    org_id = await registered_org(client, owner)
    assert error_codes(await set_role(client, outsider, org_id, outsider, "OWNER")) == ["FORBIDDEN"]
    anonymous = await gql(client, REPRESENTATIVE_SET, {"org": org_id, "person": outsider.id, "role": "OWNER"})
    assert error_codes(anonymous) == ["UNAUTHENTICATED"]
    assert await representatives(client, org_id) == {owner.id: "OWNER"}


async def test_the_only_owner_cannot_be_revoked_or_demoted(client, app):
    owner = await verified(app, client)
    org_id = await registered_org(client, owner)
    revoked = await gql(client, REPRESENTATIVE_REVOKE, {"org": org_id, "person": owner.id}, headers=owner.auth)
    (error,) = revoked["data"]["representativeRevoke"]["errors"]
    assert error["code"] == "CONFLICT" and error["field"] == "personId"
    demoted = (await set_role(client, owner, org_id, owner, "ADMIN"))["data"]["representativeSet"]
    assert [e["code"] for e in demoted["errors"]] == ["CONFLICT"]
    assert await representatives(client, org_id) == {owner.id: "OWNER"}


async def test_an_owner_may_step_down_once_there_is_another_owner(client, app):
    owner = await verified(app, client, fullName="Lê Văn Chủ")
    b = await register(client, fullName="Phạm Thị Bình", sex="FEMALE", birth=date(1994, 11, 3), phone=phone())
    org_id = await registered_org(client, owner)
    assert (await set_role(client, owner, org_id, b, "OWNER"))["data"]["representativeSet"]["errors"] == []
    revoked = await gql(client, REPRESENTATIVE_REVOKE, {"org": org_id, "person": owner.id}, headers=owner.auth)
    result = revoked["data"]["representativeRevoke"]
    assert result["errors"] == [] and roles_of(result["representatives"]) == {b.id: "OWNER"}


# --- history -------------------------------------------------------------------------------------------------------------

async def test_representation_history_records_grants_and_revocations_for_owners_and_admins(client, app):
    owner = await verified(app, client, fullName="Lê Văn Chủ")
    b = await register(client, fullName="Phạm Thị Bình", sex="FEMALE", birth=date(1994, 11, 3), phone=phone())
    c = await register(client, fullName="Đỗ Minh Châu", birth=date(1988, 2, 14), phone=phone())
    org_id = await registered_org(client, owner)
    assert (await set_role(client, owner, org_id, b, "ADMIN"))["data"]["representativeSet"]["errors"] == []
    assert (await set_role(client, owner, org_id, c, "MEMBER"))["data"]["representativeSet"]["errors"] == []
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
    assert (await set_role(client, owner, org_id, member, "MEMBER"))["data"]["representativeSet"]["errors"] == []

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


async def test_an_organisation_name_with_a_direction_override_or_markup_is_refused(app, client):
    owner = await verified(app, client)
    for name in ("Công ty \u202eTNHH", "<i>Công ty</i>", "\u200b\u200b\u200b"):
        result = await register_org(client, owner, name=name)
        assert [(e["code"], e["field"]) for e in result["errors"]] == [("INVALID_INPUT", "name")], name
        assert result["organization"] is None
    assert (await register_org(client, owner, name="Công ty Cổ phần A & B (Hà Nội)"))["errors"] == []
