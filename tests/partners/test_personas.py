"""Test personas of sandbox apps: made by the partner's owners and admins, stored as people with the TestPersona
label, signing in only on their own app's sign-in page (never with sessionLogin), and never found by real people."""

from __future__ import annotations

import pytest

from auth import sign_in
from core.errors import UserInputError
from tests.identity.people import register, uuid_of
from tests.partners.support import make_partner
from tests.partners.test_apps import APPROVE, create_app, read
from tests.support import error_codes, gql

PERSONA_CREATE = """
mutation Persona($input: AppPersonaCreateInput!) {
  appPersonaCreate(input: $input) {
    persona { personId displayName dateOfBirth wardCode verificationLevel signInIdentifier createdAt }
    password
    errors { code field message }
  }
}
"""
PERSONAS = """
query($id: ID!, $first: Int, $after: String, $last: Int, $before: String) {
  node(id: $id) { ... on App { personas(first: $first, after: $after, last: $last, before: $before) {
    totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { personId displayName signInIdentifier } }
  } } }
}
"""
LOGIN = """
mutation Login($identifier: String!, $password: String!) {
  sessionLogin(input: {identifier: $identifier, password: $password}) { tokens { accessToken } errors { code field } }
}
"""
SEARCH = "query($q: String!) { actors(search: $q, first: 10) { edges { node { id displayName } } } }"


def persona_input(app_id: str, **overrides) -> dict:
    data = {
        "appId": app_id,
        "displayName": "Lê Thị Thử Nghiệm",
        "dateOfBirth": "1999-09-02",
        "wardCode": "00070",
        "verificationLevel": 2,
        "sex": "FEMALE",
    }
    data.update(overrides)
    return data


async def test_personas_are_people_of_their_sandbox_app_only(client, app, graph):
    partner = await make_partner(app, client)
    created = await create_app(client, partner.owner, partner.organization_id)
    app_id = created["app"]["id"]
    made = (await gql(client, PERSONA_CREATE, {"input": persona_input(app_id)}, headers=partner.owner.auth))["data"][
        "appPersonaCreate"
    ]
    assert made["errors"] == []
    persona, password = made["persona"], made["password"]
    assert password and len(password) >= 20
    assert persona["signInIdentifier"] == f"persona-1@{uuid_of(app_id)}.sandbox.invalid"
    assert (persona["displayName"], persona["dateOfBirth"], persona["wardCode"], persona["verificationLevel"]) == (
        "Lê Thị Thử Nghiệm",
        "1999-09-02",
        "00070",
        2,
    )
    second = await gql(
        client, PERSONA_CREATE, {"input": persona_input(app_id, displayName="Phạm Văn Thử", wardCode=None,
                                                        verificationLevel=0)}, headers=partner.owner.auth,
    )  # fmt: skip
    assert second["data"]["appPersonaCreate"]["persona"]["signInIdentifier"].startswith("persona-2@")

    stored = await read(
        graph,
        "MATCH (p:Person {id: $id})-[:PERSONA_OF]->(a:App) RETURN labels(p) AS labels, p.personaOfAppId AS of, "
        "a.id AS app, p.assuranceLevel AS level, p.passwordHash STARTS WITH '$argon2id$' AS hashed, "
        "p.status AS status, [(p)-[:LIVES_IN]->(c) | c.code] AS wards",
        id=uuid_of(persona["personId"]),
    )
    assert stored == [{"labels": stored[0]["labels"], "of": uuid_of(app_id), "app": uuid_of(app_id), "level": 2,
                       "hashed": True, "status": "active", "wards": ["00070"]}]  # fmt: skip
    assert {"Actor", "Person", "TestPersona"} <= set(stored[0]["labels"])

    # sessionLogin refuses it as it refuses a wrong password; only its own app's sign-in page signs it in.
    refused = (await gql(client, LOGIN, {"identifier": persona["signInIdentifier"], "password": password}))["data"]
    assert refused["sessionLogin"] == {"tokens": None, "errors": [{"code": "INVALID_CREDENTIALS",
                                                                   "field": ["input", "password"]}]}  # fmt: skip
    runtime = app.state.runtime
    tokens = await sign_in.login(runtime, persona["signInIdentifier"], password, user_agent=None, address=None,
                                 persona_of_app=uuid_of(app_id))  # fmt: skip
    assert tokens.access_token
    other = await create_app(client, partner.owner, partner.organization_id, name="Ứng dụng Khác")
    for identifier, of_app in ((persona["signInIdentifier"], uuid_of(other["app"]["id"])),
                               (persona["signInIdentifier"].upper(), None)):  # fmt: skip
        with pytest.raises(UserInputError) as wrong:
            await sign_in.login(runtime, identifier, password, user_agent=None, address=None, persona_of_app=of_app)
        assert wrong.value.code == "INVALID_CREDENTIALS"
    resident = await register(client, fullName="Lê Thị Thử Nghiệm")
    with pytest.raises(UserInputError):  # a real person cannot sign in to a sandbox app
        await sign_in.login(runtime, resident.document, resident.password, user_agent=None, address=None,
                            persona_of_app=uuid_of(app_id))  # fmt: skip

    # Real people never find it; they find the resident of the same name.
    found = (await gql(client, SEARCH, {"q": "Le Thi Thu Nghiem"}, headers=resident.auth))["data"]["actors"]["edges"]
    assert [e["node"]["id"] for e in found] == [resident.id]

    # The app's representatives list its personas; nobody else does.
    listed = (await gql(client, PERSONAS, {"id": app_id, "first": 10}, headers=partner.owner.auth))["data"]["node"]
    assert listed["personas"]["totalCount"] == 2
    assert [e["node"]["displayName"] for e in listed["personas"]["edges"]] == ["Phạm Văn Thử", "Lê Thị Thử Nghiệm"]
    assert (await gql(client, PERSONAS, {"id": app_id, "first": 10}, headers=resident.auth))["data"]["node"][
        "personas"
    ] is None


async def test_personas_are_refused_for_production_apps_outsiders_and_wrong_input(client, app):
    partner = await make_partner(app, client)
    created = await create_app(client, partner.owner, partner.organization_id)
    app_id = created["app"]["id"]
    wrong = await gql(
        client,
        PERSONA_CREATE,
        {"input": persona_input(app_id, displayName="", dateOfBirth="1850-01-01", verificationLevel=3)},
        headers=partner.owner.auth,
    )
    assert sorted(e["field"][1] for e in wrong["data"]["appPersonaCreate"]["errors"]) == [
        "dateOfBirth",
        "displayName",
        "verificationLevel",
    ]
    ward = await gql(client, PERSONA_CREATE, {"input": persona_input(app_id, wardCode="99999")},
                     headers=partner.owner.auth)  # fmt: skip
    assert [e["field"] for e in ward["data"]["appPersonaCreate"]["errors"]] == [["input", "wardCode"]]
    stranger = await register(client)
    assert error_codes(await gql(client, PERSONA_CREATE, {"input": persona_input(app_id)}, headers=stranger.auth)) == [
        "FORBIDDEN"
    ]
    officer = partner.owner.extra["officer"]
    assert (await gql(client, APPROVE, {"id": app_id}, headers=officer.auth))["data"]["appApprove"]["errors"] == []
    production = await gql(client, PERSONA_CREATE, {"input": persona_input(app_id)}, headers=partner.owner.auth)
    assert production["data"]["appPersonaCreate"]["errors"] == [
        {
            "code": "CONFLICT",
            "field": ["input", "appId"],
            "message": production["data"]["appPersonaCreate"]["errors"][0]["message"],
        }
    ]
