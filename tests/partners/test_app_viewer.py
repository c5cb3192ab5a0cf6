"""An app's access token at /graphql: it reads for the person of its grant, within the scopes granted, and is refused
(401, saying the app's access ended) on the very next request once anything it stands for no longer holds: the
grant revoked or expired, its tokens cut off (``tokensNotBefore``), the app suspended, another app's client, the
person's account closed. A client-credentials token acts for no person. An app sees another person as a stranger
would, even the grant person's connection. A sandbox app sees only its own test personas."""

from __future__ import annotations

import uuid
from unittest.mock import ANY

from auth import app_tokens
from tests.identity.people import register, uuid_of
from tests.partners.support import app_person_id, app_token, make_partner, seed_app, seed_grant
from tests.social.helpers import connect
from tests.support import gql

ME = "query { me { displayName } }"
AUTHORIZATION = """
query { appAuthorization { app { id name environment } scopes { name title purpose } expiresAt sandbox } }
"""


async def _set(app, query: str, **params) -> None:
    async def work(tx):
        await tx.run(query, params)

    await app.state.runtime.graph.write(work)


async def _refused(client, headers, language: str = "en") -> str:
    response = await client.post("/graphql", json={"query": ME}, headers={**headers, "accept-language": language})
    assert response.status_code == 401, response.text
    assert response.headers["www-authenticate"].startswith("Bearer")
    (error,) = response.json()["errors"]
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
    assert "data" not in response.json()
    return error["message"]


async def test_an_app_reads_for_its_person_and_a_revoked_grant_is_refused_on_the_next_request(app, client):
    partner = await make_partner(app, client)
    seeded = await seed_app(app, partner, scopes=("openid", "profile.basic", "contact.read"))
    person = await register(client, fullName="Đỗ Thị Hoa")
    grant = await seed_grant(app, seeded, uuid_of(person.id), scopes=("openid", "profile.basic"))
    headers = app_token(app, seeded, grant)

    body = await gql(client, ME, headers=headers)
    assert body == {"data": {"me": {"displayName": "Đỗ Thị Hoa"}}, "extensions": {"cost": ANY}}

    # the app sees what it holds: the token's scopes that the grant holds, with the purposes the person was shown
    held = (await gql(client, AUTHORIZATION, headers={**headers, "accept-language": "vi"}))["data"]["appAuthorization"]
    assert held["app"]["name"] == "Đỗ Xe Hà Nội" and held["app"]["environment"] == "PRODUCTION"
    assert [s["name"] for s in held["scopes"]] == ["openid", "profile.basic"]
    assert held["scopes"][1]["title"] == "Tên hiển thị và vai trò của bạn"
    assert held["scopes"][1]["purpose"] == "Để phục vụ bạn (profile.basic)."
    assert held["expiresAt"] is not None and held["sandbox"] is False
    # a token asking for more than the grant holds gets only what the grant holds
    wider = app_token(app, seeded, grant, scopes=("openid", "profile.basic", "contact.read"))
    held = (await gql(client, AUTHORIZATION, headers=wider))["data"]["appAuthorization"]
    assert [s["name"] for s in held["scopes"]] == ["openid", "profile.basic"]
    # the person's own token is no app's: appAuthorization is null for them
    assert (await gql(client, AUTHORIZATION, headers=person.auth))["data"] == {"appAuthorization": None}

    await _set(app, "MATCH (g:Grant {id: $id}) SET g.revokedAt = datetime(), g.revokedBy = 'person'", id=grant.grant_id)
    message = await _refused(client, headers)
    assert "revoked or has expired" in message
    assert "đã bị thu hồi hoặc đã hết hạn" in await _refused(client, headers, "vi")


async def test_an_expired_grant_cut_off_tokens_a_suspended_app_another_client_or_a_closed_account_are_refused(
    app, client
):
    partner = await make_partner(app, client)
    seeded = await seed_app(app, partner)
    other = await seed_app(app, partner, name="Ứng dụng khác")
    person = await register(client)
    grant = await seed_grant(app, seeded, uuid_of(person.id))
    headers = app_token(app, seeded, grant)
    assert (await gql(client, ME, headers=headers))["data"]["me"] is not None

    states = [
        ("MATCH (g:Grant {id: $id}) SET g.expiresAt = datetime() - duration({seconds: 1})",
         "MATCH (g:Grant {id: $id}) SET g.expiresAt = datetime() + duration({days: 1})", grant.grant_id),
        ("MATCH (g:Grant {id: $id}) SET g.tokensNotBefore = datetime().epochSeconds + 5",
         "MATCH (g:Grant {id: $id}) SET g.tokensNotBefore = 0", grant.grant_id),
        ("MATCH (a:App {id: $id}) SET a.status = 'suspended'", "MATCH (a:App {id: $id}) SET a.status = 'active'",
         seeded.app_id),
        ("MATCH (p:Person {id: $id}) SET p.status = 'closed'", "MATCH (p:Person {id: $id}) SET p.status = 'active'",
         uuid_of(person.id)),
    ]  # fmt: skip
    for cut, restore, id_ in states:
        await _set(app, cut, id=id_)
        await _refused(client, headers)
        await _set(app, restore, id=id_)
        assert (await gql(client, ME, headers=headers))["data"]["me"] is not None, cut

    # a token of another app's client naming this grant; an unknown grant; a token from another issuer
    await _refused(client, app_token(app, other, grant))
    ghost = type(grant)(str(uuid.uuid4()), grant.sub, grant.person_id, grant.scopes)
    await _refused(client, app_token(app, seeded, ghost))
    runtime = app.state.runtime
    foreign, _ = app_tokens.issue(runtime.keyring, issuer="https://elsewhere.example", subject=grant.sub,
                                  client_id=seeded.client_id, scopes={"openid"}, grant_id=grant.grant_id,
                                  assurance_level=0, ttl_seconds=60)  # fmt: skip
    await _refused(client, {"authorization": f"Bearer {foreign}"})
    # a person's own token still works as theirs (never as an app's)
    assert (await gql(client, ME, headers=person.auth))["data"]["me"] is not None


async def test_a_client_credentials_token_reads_the_catalogue_but_no_person(app, client):
    partner = await make_partner(app, client)
    seeded = await seed_app(app, partner, scopes=("openid", "profile.basic", "places.read"))
    headers = app_token(app, seeded, None, scopes=("places.read", "profile.basic"))

    body = await gql(client, "query { me { displayName } communes(first: 1) { totalCount } }", headers=headers)
    assert body["data"]["me"] is None and body["data"]["communes"]["totalCount"] > 0
    (error,) = body["errors"]
    assert error["path"] == ["me"] and error["extensions"]["code"] == "FORBIDDEN"
    assert "client-credentials" in error["message"]
    held = (await gql(client, AUTHORIZATION, headers=headers))["data"]["appAuthorization"]
    assert [s["name"] for s in held["scopes"]] == ["places.read"]  # a person scope is never the app's own
    assert held["expiresAt"] is None
    # a person-bound predicate is refused too
    body = await gql(client, "query { isAdult }", headers=headers)
    assert body["data"] == {"isAdult": None} and body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    # a suspended app's own token is refused
    await _set(app, "MATCH (a:App {id: $id}) SET a.status = 'suspended'", id=seeded.app_id)
    await _refused(client, headers)


PERSON_FIELDS = """
query ($id: ID!) {
  node(id: $id) { ... on Person { displayName ward { code } phone connections(first: 5) { totalCount } } }
}
"""


async def test_an_app_sees_its_persons_connection_as_a_stranger_would(app, client):
    partner = await make_partner(app, client)
    scopes = ("openid", "profile.basic", "ward.read", "contact.read", "connections.read")
    seeded = await seed_app(app, partner, scopes=scopes)
    person = await register(client, fullName="Nguyễn Văn Chủ")
    friend = await register(client, fullName="Trần Thị Bạn", wardCode="00004")
    await connect(client, person, friend)
    # the person sees their connection's ward and connections (both for connections by default); not the phone
    mine = (await gql(client, PERSON_FIELDS, {"id": friend.id}, headers=person.auth))["data"]["node"]
    assert mine["ward"] == {"code": "00004"} and mine["connections"]["totalCount"] == 1 and mine["phone"] is None

    grant = await seed_grant(app, seeded, uuid_of(person.id))
    body = await gql(
        client, PERSON_FIELDS, {"id": app_person_id(app, seeded, friend.id)}, headers=app_token(app, seeded, grant)
    )
    assert "errors" not in body, body
    assert body["data"]["node"] == {"displayName": "Trần Thị Bạn", "ward": None, "phone": None, "connections": None}
    # what the person made public, the app sees as anyone would
    await gql(
        client,
        "mutation { profileAudienceSet(input: {field: WARD, audience: PUBLIC}) { errors { code } } }",
        headers=friend.auth,
    )
    body = await gql(
        client, PERSON_FIELDS, {"id": app_person_id(app, seeded, friend.id)}, headers=app_token(app, seeded, grant)
    )
    assert body["data"]["node"]["ward"] == {"code": "00004"}
    # and its own person as they see themself
    body = await gql(
        client, PERSON_FIELDS, {"id": app_person_id(app, seeded, person.id)}, headers=app_token(app, seeded, grant)
    )
    own = body["data"]["node"]
    assert own["phone"] == "+84" + str(person.phone)[1:] and own["connections"]["totalCount"] == 1


PERSONA = """
MATCH (a:App {id: $appId})
CREATE (p:Actor:Person:TestPersona {id: $id, displayName: $name, status: 'active', createdAt: datetime(),
        roles: ['resident'], assuranceLevel: 2, personaOfAppId: $appId})-[:PERSONA_OF]->(a)
"""


async def test_a_sandbox_app_sees_only_its_own_test_personas(app, client):
    partner = await make_partner(app, client)
    sandbox = await seed_app(app, partner, environment="sandbox", scopes=("openid", "profile.basic"))
    other = await seed_app(app, partner, name="Ứng dụng khác", environment="sandbox")
    persona, sibling, strangers = str(uuid.uuid4()), str(uuid.uuid4()), str(uuid.uuid4())
    await _set(app, PERSONA, appId=sandbox.app_id, id=persona, name="Nhân vật Thử")
    await _set(app, PERSONA, appId=sandbox.app_id, id=sibling, name="Nhân vật Thử Hai")
    await _set(app, PERSONA, appId=other.app_id, id=strangers, name="Nhân vật của ứng dụng khác")
    real = await register(client, fullName="Người Thật")

    grant = await seed_grant(app, sandbox, persona)
    headers = app_token(app, sandbox, grant)
    assert (await gql(client, ME, headers=headers))["data"]["me"] == {"displayName": "Nhân vật Thử"}
    held = (await gql(client, AUTHORIZATION, headers=headers))["data"]["appAuthorization"]
    assert held["sandbox"] is True and held["app"]["environment"] == "SANDBOX"

    query = "query ($ids: [ID!]!) { nodes(ids: $ids) { ... on Person { displayName } } }"
    ids = [app_person_id(app, sandbox, p) for p in (real.id, sibling, strangers, persona)]  # the ids it would see
    body = await gql(client, query, {"ids": ids}, headers=headers)
    assert body["data"]["nodes"] == [None, {"displayName": "Nhân vật Thử Hai"}, None, {"displayName": "Nhân vật Thử"}]
    # the same real person is there for a production app's token
    production = await seed_app(app, partner, name="Ứng dụng thật")
    production_grant = await seed_grant(app, production, uuid_of(real.id))
    body = await gql(client, query, {"ids": [app_person_id(app, production, real.id)]},
                     headers=app_token(app, production, production_grant))  # fmt: skip
    assert body["data"]["nodes"] == [{"displayName": "Người Thật"}]
