"""What an officer's review does to an app's tokens: approval ends the test personas' grants and tokens (and waits
until the sandbox-only loopback addresses are gone); a suspension ends every token of the app for good, so a
reinstatement does not revive them, while a fresh sign-in works."""

from __future__ import annotations

import base64
from datetime import timedelta
from types import SimpleNamespace

from tests.identity.people import make_verified, uuid_of
from tests.partners import oauth_flow
from tests.partners.support import make_partner, seed_app
from tests.partners.test_apps import APP_UPDATE, APPROVE, REINSTATE, SUSPEND, read
from tests.partners.test_personas import PERSONA_CREATE, persona_input
from tests.support import gql

ME = "query { me { displayName } }"
SCOPES = ("openid", "profile.basic", "offline_access")


def app_global_id(app_id: str) -> str:
    return base64.b64encode(f"App:{app_id}".encode()).decode()


def bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


async def me_status(client, token: str) -> int:
    return (await client.post("/graphql", json={"query": ME}, headers=bearer(token))).status_code


async def test_approval_waits_for_https_addresses_and_ends_the_test_personas_tokens(client, app, graph):
    partner = await make_partner(app, client)
    officer = partner.owner.extra["officer"]
    seeded = await seed_app(app, partner, environment="sandbox", scopes=SCOPES,
                            redirect_uris=("https://app.example/callback", "http://127.0.0.1:8765/cb"))  # fmt: skip
    app_id = app_global_id(seeded.app_id)
    made = await gql(client, PERSONA_CREATE, {"input": persona_input(app_id)}, headers=partner.owner.auth)
    persona = made["data"]["appPersonaCreate"]
    signing_in = SimpleNamespace(document=persona["persona"]["signInIdentifier"], password=persona["password"])
    tokens = await oauth_flow.tokens_for(app, client, seeded, signing_in, SCOPES)  # type: ignore[arg-type]
    assert (await gql(client, ME, headers=bearer(tokens["access_token"])))["data"]["me"] == {
        "displayName": "Lê Thị Thử Nghiệm"
    }

    # A loopback redirect URI remains: refused, nothing changed (the persona's token still works).
    refused = await gql(client, APPROVE, {"id": app_id}, headers=officer.auth)
    assert refused["data"]["appApprove"]["errors"] == [{"code": "CONFLICT", "field": ["input", "appId"]}]
    vietnamese = await client.post("/graphql", json={"query": APPROVE.replace("errors { code field }",
                                                                              "errors { message }"),
                                                     "variables": {"id": app_id}},
                                   headers={**officer.auth, "accept-language": "vi"})  # fmt: skip
    assert "Hãy thay các redirect URI" in vietnamese.json()["data"]["appApprove"]["errors"][0]["message"]
    assert (await read(graph, "MATCH (a:App {id: $id}) RETURN a.environment AS e", id=seeded.app_id)) == [
        {"e": "sandbox"}
    ]
    assert await me_status(client, tokens["access_token"]) == 200

    updated = await gql(client, APP_UPDATE, {"input": {"appId": app_id, "redirectUris": ["https://app.example/callback"]}},
                        headers=partner.owner.auth)  # fmt: skip
    assert updated["data"]["appUpdate"]["errors"] == []
    approved = (await gql(client, APPROVE, {"id": app_id}, headers=officer.auth))["data"]["appApprove"]
    assert approved["errors"] == [] and approved["app"]["environment"] == "PRODUCTION"

    # The persona's access token dies at its next request, its refresh token is gone, its grant revoked by the officer.
    assert await me_status(client, tokens["access_token"]) == 401
    refreshed = await oauth_flow.refresh(client, seeded, tokens["refresh_token"])
    assert (refreshed.status_code, refreshed.json()["error"]) == (400, "invalid_grant")
    stored = await read(graph, "MATCH (:TestPersona)-[:GAVE]->(g:Grant)-[:TO]->(:App {id: $id}) "
                               "RETURN g.revokedBy AS by, g.revokedAt IS NOT NULL AS revoked, "
                               "COUNT { (:AppRefreshToken)-[:OF_GRANT]->(g) } AS refreshTokens",
                        id=seeded.app_id)  # fmt: skip
    assert stored == [{"by": "officer", "revoked": True, "refreshTokens": 0}]


async def test_a_suspension_ends_every_token_for_good_and_a_fresh_sign_in_works_after_reinstatement(
    client, app, graph, monkeypatch
):
    partner = await make_partner(app, client)
    officer = partner.owner.extra["officer"]
    seeded = await seed_app(app, partner, scopes=SCOPES)
    app_id = app_global_id(seeded.app_id)
    person = await make_verified(app, client, officer)
    who = oauth_flow.browser(app)  # the person stays signed in at the OP throughout
    try:
        tokens = await oauth_flow.tokens_for(app, client, seeded, person, SCOPES, who=who)
        assert await me_status(client, tokens["access_token"]) == 200

        suspended = await gql(client, SUSPEND, {"id": app_id, "reason": "Kiểm tra."}, headers=officer.auth)
        assert suspended["data"]["appSuspend"]["errors"] == []
        assert await me_status(client, tokens["access_token"]) == 401
        reinstated = await gql(client, REINSTATE, {"id": app_id}, headers=officer.auth)
        assert reinstated["data"]["appReinstate"] == {"app": {"status": "ACTIVE"}, "errors": []}

        # Reinstated: the tokens from before the suspension stay dead.
        assert await me_status(client, tokens["access_token"]) == 401
        refreshed = await oauth_flow.refresh(client, seeded, tokens["refresh_token"])
        assert (refreshed.status_code, refreshed.json()["error"]) == (400, "invalid_grant")
        assert (await read(graph, "MATCH (t:AppRefreshToken)-[:OF_GRANT]->(:Grant)-[:TO]->(:App {id: $id}) "
                                  "RETURN count(t) AS n", id=seeded.app_id)) == [{"n": 0}]  # fmt: skip

        # A fresh sign-in (a second later: iat has whole seconds) gives tokens that work; the grant is still there.
        keyring = app.state.runtime.keyring
        real = keyring._clock
        monkeypatch.setattr(keyring, "_clock", lambda: real() + timedelta(seconds=2))
        again = await oauth_flow.tokens_for(app, client, seeded, person, SCOPES, who=who)
        assert await me_status(client, again["access_token"]) == 200
        assert (await oauth_flow.refresh(client, seeded, again["refresh_token"])).status_code == 200
    finally:
        await who.aclose()
    assert (await read(graph, "MATCH (p:Person {id: $id})-[:GAVE]->(g:Grant) RETURN count(g) AS n",
                       id=uuid_of(person.id))) == [{"n": 1}]  # fmt: skip


async def test_a_loopback_origin_also_holds_the_approval_back(client, app):
    partner = await make_partner(app, client)
    officer = partner.owner.extra["officer"]
    seeded = await seed_app(app, partner, kind="public", environment="sandbox", scopes=("openid",),
                            origins=("https://spa.example", "http://localhost:3000"))  # fmt: skip
    app_id = app_global_id(seeded.app_id)
    refused = await gql(client, APPROVE, {"id": app_id}, headers=officer.auth)
    assert refused["data"]["appApprove"] == {"app": None, "errors": [{"code": "CONFLICT", "field": ["input", "appId"]}]}
    updated = await gql(client, APP_UPDATE, {"input": {"appId": app_id, "allowedOrigins": ["https://spa.example"]}},
                        headers=partner.owner.auth)  # fmt: skip
    assert updated["data"]["appUpdate"]["errors"] == []
    assert (await gql(client, APPROVE, {"id": app_id}, headers=officer.auth))["data"]["appApprove"]["errors"] == []
