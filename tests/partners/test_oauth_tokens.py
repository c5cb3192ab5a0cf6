"""Refresh rotation and reuse detection, revocation, introspection, pairwise subjects, userinfo by scope, suspended
and sandbox apps, the sign-in form's refusals."""

from __future__ import annotations

import jwt

from api.app import purge_oauth_records
from tests.identity.people import register, uuid_of
from tests.partners import oauth_flow
from tests.partners.oauth_flow import basic, redirect_of, request_for
from tests.partners.support import make_partner, seed_app


def bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


async def test_refresh_rotates_and_a_reused_refresh_token_kills_the_grants_tokens(app, client):
    partner = await make_partner(app, client)
    seeded = await seed_app(app, partner, scopes=("openid", "profile.basic", "offline_access"))
    person = await register(client)
    first = await oauth_flow.tokens_for(app, client, seeded, person)
    assert first["refresh_token"]
    rotated = await oauth_flow.refresh(client, seeded, first["refresh_token"])
    assert rotated.status_code == 200, rotated.text
    second = rotated.json()
    assert second["refresh_token"] != first["refresh_token"] and "id_token" not in second
    assert (await client.get("/oauth/userinfo", headers=bearer(second["access_token"]))).status_code == 200
    narrowed = await oauth_flow.refresh(client, seeded, second["refresh_token"])
    third = narrowed.json()

    reused = await oauth_flow.refresh(client, seeded, first["refresh_token"])  # a stolen copy
    assert reused.status_code == 400 and reused.json()["error"] == "invalid_grant"
    assert "already used" in reused.json()["error_description"]
    for token in (first["access_token"], second["access_token"], third["access_token"]):
        refused = await client.get("/oauth/userinfo", headers=bearer(token))
        assert refused.status_code == 401 and refused.json()["error"] == "invalid_token"
        assert refused.headers["www-authenticate"].startswith("Bearer ")
    latest = await oauth_flow.refresh(client, seeded, third["refresh_token"])
    assert latest.json()["error"] == "invalid_grant"  # every refresh token of the grant is used up


async def test_revocation_and_introspection_and_housekeeping(app, client, graph):
    partner = await make_partner(app, client)
    seeded = await seed_app(app, partner, scopes=("openid", "offline_access", "places.read"))
    other = await seed_app(app, partner, name="Ứng dụng thứ hai", scopes=("openid",))
    person = await register(client)
    tokens = await oauth_flow.tokens_for(app, client, seeded, person, ("openid", "offline_access"))

    async def introspect(token: str, as_app=seeded) -> dict:
        response = await client.post("/oauth/introspect", data={"token": token}, headers=basic(as_app))
        assert response.status_code == 200, response.text
        return response.json()

    about = await introspect(tokens["access_token"])
    assert about["active"] is True and about["client_id"] == seeded.client_id and about["scope"]
    assert (await introspect(tokens["refresh_token"]))["token_type"] == "refresh_token"
    assert await introspect(tokens["access_token"], other) == {"active": False}  # not its token
    assert await introspect("nonsense") == {"active": False}

    foreign = await client.post("/oauth/revoke", data={"token": tokens["refresh_token"]}, headers=basic(other))
    assert foreign.status_code == 400 and foreign.json()["error"] == "unauthorized_client"
    revoked = await client.post("/oauth/revoke", data={"token": tokens["refresh_token"],
                                "token_type_hint": "refresh_token"}, headers=basic(seeded))  # fmt: skip
    assert revoked.status_code == 200
    assert await introspect(tokens["refresh_token"]) == {"active": False}
    assert (await oauth_flow.refresh(client, seeded, tokens["refresh_token"])).json()["error"] == "invalid_grant"
    assert (await client.post("/oauth/revoke", data={"token": "unknown"}, headers=basic(seeded))).status_code == 200

    assert (await client.get("/oauth/userinfo", headers=bearer(tokens["access_token"]))).status_code == 200
    ended = await client.post("/oauth/revoke", data={"token": tokens["access_token"]}, headers=basic(seeded))
    assert ended.status_code == 200
    assert (await client.get("/oauth/userinfo", headers=bearer(tokens["access_token"]))).status_code == 401
    assert await introspect(tokens["access_token"]) == {"active": False}

    # Housekeeping deletes expired codes and refresh tokens (used ones stay until they expire, for reuse detection).
    async def expire_all(tx):
        await tx.run("MATCH (n) WHERE n:AuthorizationCode OR n:AppRefreshToken SET n.expiresAt = datetime() - "
                     "duration({seconds: 1})")  # fmt: skip

    async def remaining(tx):
        found = await tx.run("MATCH (n) WHERE n:AuthorizationCode OR n:AppRefreshToken RETURN count(n) AS n")
        return (await found.single())["n"]

    assert await graph.read(remaining) == 2
    await graph.write(expire_all)
    await purge_oauth_records(app.state.runtime)
    assert await graph.read(remaining) == 0

    app_token = await client.post("/oauth/token", data={"grant_type": "client_credentials"}, headers=basic(seeded))
    assert (await introspect(app_token.json()["access_token"]))["sub"] == seeded.client_id
    no_person = await client.get("/oauth/userinfo", headers=bearer(app_token.json()["access_token"]))
    assert no_person.status_code == 401 and "no person" in no_person.json()["error_description"]


async def test_pairwise_subjects_differ_between_apps_and_stay_stable_for_one(app, client):
    partner = await make_partner(app, client)
    first = await seed_app(app, partner, scopes=("openid",))
    second = await seed_app(app, partner, name="Ứng dụng thứ hai", scopes=("openid",))
    person = await register(client)
    internal = uuid_of(person.id)

    def sub_of(tokens: dict) -> str:
        subs = {jwt.decode(tokens[k], options={"verify_signature": False})["sub"] for k in ("access_token", "id_token")}
        assert len(subs) == 1 and internal not in tokens["access_token"] + tokens["id_token"]
        return subs.pop()

    who = oauth_flow.browser(app)
    try:
        one = sub_of(await oauth_flow.tokens_for(app, client, first, person, who=who))
        again = sub_of(await oauth_flow.tokens_for(app, client, first, person, who=who))
        two = sub_of(await oauth_flow.tokens_for(app, client, second, person, who=who))
    finally:
        await who.aclose()
    assert one == again and one != two and internal not in (one, two)


async def test_userinfo_answers_by_granted_scope(app, client):
    partner = await make_partner(app, client)
    scopes = ("openid", "profile.basic", "contact.read", "birthdate.read", "ward.read", "profile.verification")
    seeded = await seed_app(app, partner, scopes=scopes)
    person = await register(client)
    who = oauth_flow.browser(app)
    try:
        full = await oauth_flow.tokens_for(app, client, seeded, person, who=who)
        narrow = await oauth_flow.tokens_for(app, client, seeded, person, ("openid",), who=who)
    finally:
        await who.aclose()
    info = (await client.post("/oauth/userinfo", headers=bearer(full["access_token"]))).json()
    assert info["birthdate"] == "1990-05-17" and info["ward"]["code"] == "00070"
    assert info["verification_level"] == 0 and info["email"] == person.email and info["email_verified"] is False
    assert (await client.get("/oauth/userinfo", headers=bearer(narrow["access_token"]))).json() == {"sub": info["sub"]}


async def test_a_suspended_app_is_refused_at_authorize_and_token(app, client, graph):
    partner = await make_partner(app, client)
    seeded = await seed_app(app, partner, scopes=("openid", "places.read"))
    person = await register(client)
    request = request_for(seeded, ("openid",))
    back = await oauth_flow.sign_in_and_consent(app, seeded, person, request)

    async def suspend(tx):
        await tx.run("MATCH (a:App {id: $id}) SET a.status = 'suspended', a.suspendedAt = datetime()",
                     id=seeded.app_id)  # fmt: skip

    await graph.write(suspend)
    page = await client.get(request_for(seeded, ("openid",)).url)
    assert page.status_code == 400 and "location" not in page.headers
    redeemed = await oauth_flow.redeem(client, seeded, back.code, request.verifier)
    assert redeemed.status_code == 401 and redeemed.json()["error"] == "invalid_client"
    assert "suspended" in redeemed.json()["error_description"]
    credentials = await client.post("/oauth/token", data={"grant_type": "client_credentials"}, headers=basic(seeded))
    assert credentials.status_code == 401


async def test_a_sandbox_app_refuses_a_real_person_with_a_page_and_serves_its_persona(app, client, graph):
    partner = await make_partner(app, client)
    seeded = await seed_app(app, partner, scopes=("openid", "profile.basic"), environment="sandbox")
    person = await register(client)
    who = oauth_flow.browser(app)
    try:
        page = await who.get(request_for(seeded, ("openid",), ui_locales="en").url)
        assert "test accounts can sign in to it" in page.text
        # A real person is refused at sign-in exactly like a wrong password (auth.sign_in.login with persona_of_app):
        # no session opens, and the page says again who may sign in.
        refused = await who.submit(page, {"identifier": person.document, "password": person.password})
        assert refused.status_code == 400 and "location" not in refused.headers
        assert "test accounts can sign in to it" in refused.text and "hs_op" not in refused.cookies
    finally:
        await who.aclose()

    persona = await register(client, fullName="Người Thử Nghiệm")

    async def make_persona(tx):  # the shape the apps engineer's persona mutation stores
        await tx.run("MATCH (p:Person {id: $person}), (a:App {id: $app}) SET p:TestPersona, p.personaOfAppId = a.id "
                     "CREATE (p)-[:PERSONA_OF]->(a)", person=uuid_of(persona.id), app=seeded.app_id)  # fmt: skip

    await graph.write(make_persona)
    tokens = await oauth_flow.tokens_for(app, client, seeded, persona)
    info = await client.get("/oauth/userinfo", headers=bearer(tokens["access_token"]))
    assert info.json()["name"] == "Người Thử Nghiệm"
    production = await seed_app(app, partner, name="Ứng dụng thật", scopes=("openid",))
    who = oauth_flow.browser(app)
    try:
        page = await who.get(request_for(production, ("openid",)).url)
        signed = await who.submit(page, {"identifier": persona.document, "password": persona.password})
        assert signed.status_code == 400 and "location" not in signed.headers  # a persona stays in its sandbox
    finally:
        await who.aclose()


async def test_the_sign_in_form_refuses_a_wrong_password_and_a_forged_form(app, client):
    partner = await make_partner(app, client)
    seeded = await seed_app(app, partner, scopes=("openid",))
    person = await register(client)
    who = oauth_flow.browser(app)
    try:
        page = await who.get(request_for(seeded, ("openid",), ui_locales="en").url)
        # The sign-in form may lead to the app: a person whose grant covers the scopes goes straight back to it.
        assert "form-action 'self' https://app.example/callback;" in page.headers["content-security-policy"]
        wrong = await who.submit(page, {"identifier": person.document, "password": "not the password"})
        assert wrong.status_code == 400 and 'role="alert"' in wrong.text and "hs_op=" not in str(wrong.headers)
        forged = await who.submit(page, {"identifier": person.document, "password": person.password,
                                         "csrf_token": "forged"})  # fmt: skip
        assert forged.status_code == 403 and "hs_op=" not in forged.headers.get("set-cookie", "")
        signed = await who.submit(page, {"identifier": person.document, "password": person.password})
        cookie = signed.headers["set-cookie"]
        assert signed.status_code == 303 and "httponly" in cookie.lower() and "samesite=lax" in cookie.lower()
        consent = await who.get(signed.headers["location"])
        assert "https://app.example/callback" in consent.headers["content-security-policy"]
        forged_consent = await who.submit(consent, {"decision": "approve", "csrf_token": "forged"})
        assert forged_consent.status_code == 403 and "location" not in forged_consent.headers
        approved = redirect_of(await who.submit(consent, {"decision": "approve"}))
        assert approved.code
    finally:
        await who.aclose()
