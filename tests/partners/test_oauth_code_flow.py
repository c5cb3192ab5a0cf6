"""Authorization code + PKCE over HTTP: the whole flow with an ID token checked against the JWKS, and its refusals."""

from __future__ import annotations

import asyncio
import json

import jwt
import pytest

from tests.identity.people import register, uuid_of
from tests.partners import oauth_flow
from tests.partners.oauth_flow import ISSUER, redeem, redirect_of, request_for, sign_in_and_consent
from tests.partners.support import make_partner, seed_app


@pytest.fixture
async def seeded(app, client):
    partner = await make_partner(app, client)
    return await seed_app(app, partner, scopes=("openid", "profile.basic", "contact.read", "offline_access"))


def verify_id_token(jwks: dict, token: str, audience: str) -> dict:
    header = jwt.get_unverified_header(token)
    key = next(k for k in jwks["keys"] if k["kid"] == header["kid"])
    assert header["alg"] == "RS256" and key["kty"] == "RSA"
    public = jwt.PyJWK(key).key
    return jwt.decode(token, public, algorithms=["RS256"], audience=audience, issuer=ISSUER)


async def test_code_flow_with_pkce_gives_tokens_and_an_id_token_the_jwks_verifies(app, client, seeded):
    person = await register(client)
    request = request_for(seeded, ("openid", "profile.basic", "contact.read"))
    back = await sign_in_and_consent(app, seeded, person, request)
    assert back.location.startswith(seeded.redirect_uris[0] + "?")
    assert back.params["state"] == request.params["state"] and back.params["iss"] == ISSUER

    response = await redeem(client, seeded, back.code, request.verifier)
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 600
    assert set(body["scope"].split()) == {"openid", "profile.basic", "contact.read"}
    assert "refresh_token" not in body  # no offline_access asked

    jwks = (await client.get("/.well-known/jwks.json")).json()
    claims = verify_id_token(jwks, body["id_token"], seeded.client_id)
    assert claims["nonce"] == request.params["nonce"] and claims["azp"] == seeded.client_id
    assert claims["acr"] == "0" and claims["exp"] - claims["iat"] <= 300 and "at_hash" in claims
    internal = uuid_of(person.id)
    assert internal not in json.dumps(body) and claims["sub"] != internal

    info = await client.get("/oauth/userinfo", headers={"authorization": f"Bearer {body['access_token']}"})
    assert info.status_code == 200, info.text
    assert info.json()["sub"] == claims["sub"] and info.json()["name"] == person.name
    assert info.json()["phone_number"] == "+84" + person.phone[1:] and internal not in info.text  # E.164


async def test_a_second_authorization_skips_consent_and_prompt_consent_asks_again(app, client, seeded):
    person = await register(client)
    who = oauth_flow.browser(app)
    try:
        first = await sign_in_and_consent(app, seeded, person, request_for(seeded, ("openid",)), who=who)
        assert "code" in first.params
        again = await who.get(request_for(seeded, ("openid",)).url)
        assert again.status_code == 303 and "code=" in again.headers["location"]  # signed in, consent held
        asked = await who.get(request_for(seeded, ("openid",), prompt="consent").url)
        assert asked.status_code == 200 and 'name="decision"' in asked.text
        more = await who.get(request_for(seeded, ("openid", "contact.read")).url)
        assert more.status_code == 200 and 'name="decision"' in more.text  # a new scope: asked
        denied = redirect_of(await who.submit(more, {"decision": "deny"}))
        assert denied.params["error"] == "access_denied" and denied.params["iss"] == ISSUER
        assert denied.params["state"]
        silent = await who.get(request_for(seeded, ("openid", "contact.read"), prompt="none").url)
        assert redirect_of(silent).params["error"] == "consent_required"
    finally:
        await who.aclose()


async def test_plain_or_missing_challenge_is_refused_with_state_and_iss(app, client, seeded):
    for overrides in ({"code_challenge_method": "plain"}, {"code_challenge": None, "code_challenge_method": None}):
        request = request_for(seeded, ("openid",), **overrides)
        back = redirect_of(await client.get(request.url))
        assert back.params["error"] == "invalid_request", back
        assert back.params["state"] == request.params["state"] and back.params["iss"] == ISSUER
    for response_type, error in (("token", "unsupported_response_type"), ('code"\\ \u0111', "invalid_request")):
        wrong_type = request_for(seeded, ("openid",), response_type=response_type)
        assert redirect_of(await client.get(wrong_type.url)).params["error"] == error
    foreign = request_for(seeded, ("openid", "birthdate.read"))
    back = redirect_of(await client.get(foreign.url))
    assert back.params["error"] == "invalid_scope" and "birthdate.read" in back.params["error_description"]
    app_scope = request_for(seeded, ("places.read",))
    assert redirect_of(await client.get(app_scope.url)).params["error"] == "invalid_scope"
    odd = request_for(seeded, ("openid", 'x"\\ \u0111'), prompt="none login")
    assert redirect_of(await client.get(odd.url)).params["error"] in ("invalid_scope", "invalid_request")
    silent = request_for(seeded, ("openid",), prompt="none")
    assert redirect_of(await client.get(silent.url)).params["error"] == "login_required"


async def test_a_bad_client_or_redirect_uri_gets_a_page_never_a_redirect(app, client, seeded):
    cases = [
        request_for(seeded, ("openid",), redirect_uri="https://evil.example/callback"),
        request_for(seeded, ("openid",), redirect_uri=seeded.redirect_uris[0] + "/more"),
        request_for(seeded, ("openid",), redirect_uri=None),
        request_for(seeded, ("openid",), client_id="hsc_unknown"),
    ]
    for request in cases:
        response = await client.get(request.url)
        assert response.status_code == 400 and "location" not in response.headers, request.params
        assert response.headers["content-type"].startswith("text/html")
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    # Malformed parameters: repeated, not UTF-8, too long.
    url = oauth_flow.request_for(seeded, ("openid",)).url
    for bad in (url + "&state=again", url + "&nonce=%FF%FE", url + "&nonce=" + "a" * 9000):
        response = await client.get(bad)
        assert response.status_code == 400 and "location" not in response.headers
    english = await client.get(cases[0].url + "&ui_locales=en")
    vietnamese = await client.get(cases[0].url)
    assert "did not register" in english.text and "did not register" not in vietnamese.text


async def test_each_wrong_redemption_is_invalid_grant(app, client, seeded):
    person = await register(client)
    who = oauth_flow.browser(app)
    try:

        async def code_of(**overrides) -> tuple[str, str]:
            request = request_for(seeded, ("openid",), **overrides)
            return (await sign_in_and_consent(app, seeded, person, request, who=who)).code, request.verifier

        code, verifier = await code_of()
        wrong = await redeem(client, seeded, code, verifier[:-1] + ("A" if verifier[-1] != "A" else "B"))
        assert wrong.json()["error"] == "invalid_grant" and "code_verifier" in wrong.json()["error_description"]
        again = await redeem(client, seeded, code, verifier)  # the first attempt burnt the code
        assert again.status_code == 400 and again.json()["error"] == "invalid_grant"

        code, verifier = await code_of()
        assert (await redeem(client, seeded, code, verifier)).status_code == 200
        reused = await redeem(client, seeded, code, verifier)
        assert reused.json() == {"error": "invalid_grant", "error_description": reused.json()["error_description"]}
        assert "already used" in reused.json()["error_description"]

        code, verifier = await code_of()
        moved = await redeem(client, seeded, code, verifier, redirect_uri="https://app.example/other")
        assert moved.json()["error"] == "invalid_grant" and "redirect_uri" in moved.json()["error_description"]

        code, verifier = await code_of()
        await expire_codes(app)
        expired = await redeem(client, seeded, code, verifier)
        assert expired.json()["error"] == "invalid_grant" and "expired" in expired.json()["error_description"]

        partner = await make_partner(app, client, name="Công ty Khác")
        other = await seed_app(app, partner, name="Ứng dụng khác", scopes=("openid",))
        code, verifier = await code_of()
        stolen = await redeem(client, other, code, verifier, redirect_uri=seeded.redirect_uris[0])
        assert stolen.json()["error"] == "invalid_grant" and "another client" in stolen.json()["error_description"]
    finally:
        await who.aclose()


async def test_a_code_redeemed_twice_ends_the_tokens_issued_from_it(app, client, seeded):
    """RFC 6749 4.1.2: the second redemption is refused and the first one's tokens die (a stolen code, raced)."""
    person = await register(client)
    request = request_for(seeded, ("openid", "profile.basic", "offline_access"))
    back = await sign_in_and_consent(app, seeded, person, request)
    first = await redeem(client, seeded, back.code, request.verifier)
    assert first.status_code == 200, first.text
    tokens = first.json()
    me = {"query": "query { me { displayName } }"}
    bearer = {"authorization": f"Bearer {tokens['access_token']}"}
    assert (await client.post("/graphql", json=me, headers=bearer)).json()["data"]["me"]["displayName"]

    second = await redeem(client, seeded, back.code, request.verifier)
    assert second.status_code == 400 and second.json()["error"] == "invalid_grant"
    assert "revoked" in second.json()["error_description"]
    assert (await client.post("/graphql", json=me, headers=bearer)).status_code == 401
    refreshed = await oauth_flow.refresh(client, seeded, tokens["refresh_token"])
    assert refreshed.status_code == 400 and refreshed.json()["error"] == "invalid_grant"


async def expire_codes(app) -> None:
    async def work(tx):
        await tx.run("MATCH (c:AuthorizationCode) SET c.expiresAt = datetime() - duration({seconds: 1})")

    await app.state.runtime.graph.write(work)


async def test_forty_parallel_redemptions_of_one_code_give_one_token(app, client, seeded):
    person = await register(client)
    request = request_for(seeded, ("openid",))
    back = await sign_in_and_consent(app, seeded, person, request)
    answers = await asyncio.gather(*(redeem(client, seeded, back.code, request.verifier) for _ in range(40)))
    assert sorted(a.status_code for a in answers) == [200] + [400] * 39
    assert {a.json()["error"] for a in answers if a.status_code == 400} == {"invalid_grant"}


LIVE_GRANTS = """
MATCH (:Person {id: $person})-[:GAVE]->(g:Grant)-[:TO]->(:App {id: $app})
WHERE g.revokedAt IS NULL AND g.expiresAt > datetime()
RETURN g.id AS id, g.scopes AS scopes
"""


async def test_forty_parallel_consents_leave_one_live_grant_and_every_code_works_on_it(app, client, seeded):
    # A person double-clicking "approve" (or a replayed form): the approvals run under a lock on the person, so they
    # end in one live grant to the app, whatever their number; each code issued redeems to tokens of that grant.
    person = await register(client)
    request = request_for(seeded, ("openid", "contact.read"))
    who = oauth_flow.browser(app)
    try:
        page = await who.get(request.url)
        signed = await who.submit(page, {"identifier": person.document, "password": person.password})
        consent = await who.get(signed.headers["location"])
        assert 'name="decision"' in consent.text
        answers = await asyncio.gather(*(who.submit(consent, {"decision": "approve"}) for _ in range(40)))
    finally:
        await who.aclose()
    assert all(a.status_code < 500 for a in answers), sorted({a.status_code for a in answers})
    codes = [redirect_of(a).params.get("code") for a in answers if a.status_code == 303]
    codes = [c for c in codes if c]
    assert codes, "at least one approval gets through"

    async def work(tx):
        result = await tx.run(LIVE_GRANTS, person=uuid_of(person.id), app=seeded.app_id)
        return [record.data() async for record in result]

    live = await app.state.runtime.graph.read(work)
    assert len(live) == 1 and sorted(live[0]["scopes"]) == ["contact.read", "openid"], live
    for code in codes[:3]:
        answer = await redeem(client, seeded, code, request.verifier)
        assert answer.status_code == 200, answer.text
        claims = jwt.decode(answer.json()["access_token"], options={"verify_signature": False})
        assert claims["gid"] == live[0]["id"]
