"""Discovery and a stock relying party; client authentication, client credentials and rotated secrets."""

from __future__ import annotations

import hashlib
import secrets
import warnings

import httpx
from authlib.deprecate import AuthlibDeprecationWarning
from authlib.oidc.core import CodeIDToken
from authlib.oidc.discovery import OpenIDProviderMetadata
from joserfc import jwt as jose_jwt
from joserfc.jwk import KeySet

from tests.identity.people import register
from tests.partners import oauth_flow
from tests.partners.oauth_flow import ISSUER, basic
from tests.partners.support import make_partner, seed_app

with warnings.catch_warnings():  # authlib 1.9 asks RPs to move to its httpx2 module; this is the stock httpx client
    warnings.simplefilter("ignore", AuthlibDeprecationWarning)
    from authlib.integrations.httpx_client import AsyncOAuth2Client


async def test_discovery_validates_and_a_stock_relying_party_signs_in_from_it(app, client):
    partner = await make_partner(app, client)
    seeded = await seed_app(app, partner, scopes=("openid", "profile.basic"))
    person = await register(client)
    found = (await client.get("/.well-known/openid-configuration")).json()
    OpenIDProviderMetadata(found).validate()
    assert found["issuer"] == ISSUER and found["code_challenge_methods_supported"] == ["S256"]

    transport = httpx.ASGITransport(app=app)
    async with AsyncOAuth2Client(
        client_id=seeded.client_id,
        client_secret=seeded.client_secret,
        scope="openid profile.basic",
        redirect_uri=seeded.redirect_uris[0],
        code_challenge_method="S256",
        transport=transport,
    ) as rp:
        config = (await rp.request("GET", f"{ISSUER}/.well-known/openid-configuration", withhold_token=True)).json()
        verifier, nonce = secrets.token_urlsafe(48), secrets.token_urlsafe(16)
        url, state = rp.create_authorization_url(config["authorization_endpoint"], code_verifier=verifier, nonce=nonce)
        request = oauth_flow.Request({}, verifier)
        who = oauth_flow.browser(app)
        try:
            page = await who.get(url)
            signed = await who.submit(page, {"identifier": person.document, "password": person.password})
            consent = await who.get(signed.headers["location"])
            back = oauth_flow.redirect_of(await who.submit(consent, {"decision": "approve"}))
        finally:
            await who.aclose()
        assert back.params["state"] == state and back.params["iss"] == config["issuer"]
        token = await rp.fetch_token(
            config["token_endpoint"], authorization_response=back.location, code_verifier=verifier
        )
        jwks = KeySet.import_key_set((await rp.request("GET", config["jwks_uri"], withhold_token=True)).json())
        decoded = jose_jwt.decode(token["id_token"], jwks, algorithms=config["id_token_signing_alg_values_supported"])
        claims = CodeIDToken(
            decoded.claims,
            decoded.header,
            options={"iss": {"value": config["issuer"]}, "aud": {"values": [seeded.client_id]}},
            params={"nonce": nonce, "access_token": token["access_token"]},
        )
        claims.validate()
        info = (await rp.get(config["userinfo_endpoint"])).json()
        assert info == {"sub": claims["sub"], "name": person.name}
    assert request.verifier == verifier


async def test_client_credentials_scopes_secrets_and_rotation(app, client, graph):
    partner = await make_partner(app, client)
    seeded = await seed_app(app, partner, scopes=("openid", "places.read"))

    async def credentials(secret: str | None = None, **data: str) -> httpx.Response:
        return await client.post(
            "/oauth/token", data={"grant_type": "client_credentials", **data}, headers=basic(seeded, secret)
        )

    ok = await credentials()
    assert ok.status_code == 200 and ok.json()["scope"] == "places.read" and "refresh_token" not in ok.json()
    assert ok.json()["expires_in"] == 600
    wrong = await credentials("hs_sk_" + secrets.token_urlsafe(32))
    assert wrong.status_code == 401 and wrong.json()["error"] == "invalid_client"
    assert wrong.headers["www-authenticate"].startswith("Basic ")
    for scope in ("openid", "usage.read", "contact.read", "nonsense"):
        refused = await credentials(scope=scope)
        assert refused.status_code == 400 and refused.json()["error"] == "invalid_scope", (scope, refused.text)
    person_only = await seed_app(app, partner, name="Chỉ người dùng", scopes=("openid",))
    refused = await client.post("/oauth/token", data={"grant_type": "client_credentials"},
                                headers=basic(person_only))  # fmt: skip
    assert refused.json()["error"] == "invalid_scope" and "no app scope" in refused.json()["error_description"]

    # Rotation: the old secret keeps working until its expiresAt, then not.
    new_secret = "hs_sk_" + secrets.token_urlsafe(32)

    async def rotate(tx):
        await tx.run(
            "MATCH (s:ClientSecret)-[:OF_CLIENT]->(c:Client {clientId: $clientId}) "
            "SET s.expiresAt = datetime() + duration({days: 7}) "
            "CREATE (:ClientSecret {sha256: $sha, last4: $last4, createdAt: datetime(), expiresAt: null})"
            "-[:OF_CLIENT]->(c)",
            clientId=seeded.client_id, sha=hashlib.sha256(new_secret.encode()).hexdigest(), last4=new_secret[-4:],
        )  # fmt: skip

    await graph.write(rotate)
    assert (await credentials()).status_code == 200
    assert (await credentials(new_secret)).status_code == 200

    async def overlap_ends(tx):
        await tx.run(
            "MATCH (s:ClientSecret {sha256: $sha}) SET s.expiresAt = datetime() - duration({seconds: 1})",
            sha=hashlib.sha256(seeded.client_secret.encode()).hexdigest(),
        )

    await graph.write(overlap_ends)
    ended = await credentials()
    assert ended.status_code == 401 and ended.json()["error"] == "invalid_client"
    assert (await credentials(new_secret)).status_code == 200
    # client_secret_post is refused for a client registered with client_secret_basic, precisely.
    posted = await client.post("/oauth/token", data={"grant_type": "client_credentials", "client_id": seeded.client_id,
                                                     "client_secret": new_secret})  # fmt: skip
    assert posted.status_code == 401 and "client_secret_basic" in posted.json()["error_description"]


async def test_a_public_client_redeems_with_pkce_alone_and_gets_no_client_credentials(app, client):
    partner = await make_partner(app, client)
    seeded = await seed_app(app, partner, kind="public", scopes=("openid", "places.read"))
    person = await register(client)
    tokens = await oauth_flow.tokens_for(app, client, seeded, person, ("openid",))
    assert tokens["id_token"] and "refresh_token" not in tokens
    refused = await client.post(
        "/oauth/token", data={"grant_type": "client_credentials", "client_id": seeded.client_id}
    )
    assert refused.status_code == 401 and refused.json()["error"] == "invalid_client"


async def test_malformed_token_requests_are_400_invalid_request(app, client):
    partner = await make_partner(app, client)
    seeded = await seed_app(app, partner)
    for body, kind in (
        (b"grant_type=client_credentials&grant_type=client_credentials", "application/x-www-form-urlencoded"),
        (b"grant_type=%FF%FE", "application/x-www-form-urlencoded"),
        (b"grant_type=" + b"a" * 20000, "application/x-www-form-urlencoded"),
        (b'{"grant_type": "client_credentials"}', "application/json"),
    ):
        response = await client.post("/oauth/token", content=body, headers={"content-type": kind, **basic(seeded)})
        assert response.status_code == 400 and response.json()["error"] == "invalid_request", body[:40]
    for grant_type in ("password", 'x"\\ \u0111'):
        unknown = await client.post("/oauth/token", data={"grant_type": grant_type}, headers=basic(seeded))
        assert unknown.status_code == 400 and unknown.json()["error"] == "unsupported_grant_type"
    for data in ({"grant_type": "authorization_code"}, {"grant_type": "refresh_token"},
                 {"grant_type": "authorization_code", "code": 'x"\\', "code_verifier": "v" * 50,
                  "redirect_uri": seeded.redirect_uris[0]}):  # fmt: skip
        refused = await client.post("/oauth/token", data=data, headers=basic(seeded))
        assert refused.status_code == 400 and refused.json()["error"] in ("invalid_request", "invalid_grant"), data
    garbled = await client.post("/oauth/token", data={"grant_type": "client_credentials"},
                                headers={"authorization": "Basic %%%"})  # fmt: skip
    assert garbled.status_code == 401 and garbled.json()["error"] == "invalid_client"
