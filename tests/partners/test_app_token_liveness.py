"""One rule for "this app token still holds": /graphql (``partners.app_access.viewer_from_app_token``), userinfo (which
goes through it), token introspection (likewise for access tokens; ``graph.rules.app_grant_holds`` for refresh
tokens) and refresh-token redemption (``app_grant_holds`` in ``graph.oauth``) refuse alike a revoked grant, an
expired grant and a suspended app; a grant whose ``tokensNotBefore`` is after an access token's ``iat`` ends that
access token everywhere it is presented. A refresh token is not an access token: it has no ``iat`` and is ended by
its own ``usedAt`` (revoking an access token leaves the grant's refresh tokens alive, RFC 7009), so the
``tokensNotBefore`` case checks that refresh still works, as ``partners.authorization`` documents."""

from __future__ import annotations

import time
from dataclasses import dataclass

import httpx

from partners.authorization import new_refresh_token
from tests.identity.people import register, uuid_of
from tests.partners.oauth_flow import basic, refresh
from tests.partners.support import SeededApp, SeededGrant, app_token, make_partner, seed_app, seed_grant

SCOPES = ("openid", "profile.basic", "offline_access")
ME = "query { me { displayName } }"


@dataclass
class Tokens:
    grant: SeededGrant
    access: dict[str, str]  # the Authorization header
    refresh_token: str


async def _tokens(app, seeded: SeededApp, person_id: str) -> Tokens:
    grant = await seed_grant(app, seeded, person_id)
    refresh_token = await new_refresh_token(app.state.runtime, grant.grant_id, list(SCOPES))
    return Tokens(grant, app_token(app, seeded, grant), refresh_token)


async def _set(app, query: str, **params) -> None:
    async def work(tx):
        await tx.run(query, params)

    await app.state.runtime.graph.write(work)


async def _revoke(app, tokens: Tokens) -> None:
    await _set(app, "MATCH (g:Grant {id: $id}) SET g.revokedAt = datetime(), g.revokedBy = 'person'",
               id=tokens.grant.grant_id)  # fmt: skip


async def _answers(client: httpx.AsyncClient, seeded: SeededApp, tokens: Tokens) -> dict[str, bool]:
    """Whether each door accepts the tokens: /graphql, userinfo, introspection (access, refresh), refresh. Refresh
    last: it uses the refresh token up when it succeeds."""
    graphql = await client.post("/graphql", json={"query": ME}, headers=tokens.access)
    assert graphql.status_code in (200, 401), graphql.text
    if graphql.status_code == 401:
        assert graphql.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    userinfo = await client.get("/oauth/userinfo", headers=tokens.access)
    assert userinfo.status_code in (200, 401), userinfo.text
    if userinfo.status_code == 401:
        assert userinfo.json()["error"] == "invalid_token" and userinfo.json()["error_description"]
        assert userinfo.headers["www-authenticate"].startswith('Bearer error="invalid_token"')
    access = tokens.access["authorization"].removeprefix("Bearer ")
    introspected = {}
    for kind, token in (("access", access), ("refresh", tokens.refresh_token)):
        response = await client.post("/oauth/introspect", data={"token": token}, headers=basic(seeded))
        if response.status_code == 401:  # a suspended app's client cannot even authenticate
            assert response.json()["error"] == "invalid_client", response.text
            introspected[kind] = False
            continue
        assert response.status_code == 200, response.text
        introspected[kind] = response.json()["active"]
    refreshed = await refresh(client, seeded, tokens.refresh_token)
    assert refreshed.status_code in (200, 400, 401), refreshed.text
    if refreshed.status_code != 200:
        assert refreshed.json()["error"] == ("invalid_grant" if refreshed.status_code == 400 else "invalid_client")
    return {
        "graphql": graphql.status_code == 200,
        "userinfo": userinfo.status_code == 200,
        "introspect_access": introspected["access"],
        "introspect_refresh": introspected["refresh"],
        "refresh": refreshed.status_code == 200,
    }


ALL = {"graphql": True, "userinfo": True, "introspect_access": True, "introspect_refresh": True, "refresh": True}
NONE = dict.fromkeys(ALL, False)


async def test_a_revoked_or_expired_grant_ended_tokens_or_a_suspended_app_are_refused_at_every_door(app, client):
    partner = await make_partner(app, client)
    seeded = await seed_app(app, partner, scopes=SCOPES)
    person = await register(client, fullName="Ngô Thị Lan")
    person_id = uuid_of(person.id)

    live = await _tokens(app, seeded, person_id)
    assert await _answers(client, seeded, live) == ALL
    await _revoke(app, live)  # one live grant per (person, app) at a time, as consent keeps it

    revoked = await _tokens(app, seeded, person_id)
    await _revoke(app, revoked)
    assert await _answers(client, seeded, revoked) == NONE

    expired = await _tokens(app, seeded, person_id)
    await _set(app, "MATCH (g:Grant {id: $id}) SET g.expiresAt = datetime() - duration({seconds: 1})",
               id=expired.grant.grant_id)  # fmt: skip
    assert await _answers(client, seeded, expired) == NONE

    # Access tokens issued before tokensNotBefore end at every door; the grant's refresh token still works.
    cut_off = await _tokens(app, seeded, person_id)
    await _set(app, "MATCH (g:Grant {id: $id}) SET g.tokensNotBefore = $at",
               id=cut_off.grant.grant_id, at=int(time.time()) + 2)  # fmt: skip
    assert await _answers(client, seeded, cut_off) == {**NONE, "introspect_refresh": True, "refresh": True}
    await _revoke(app, cut_off)

    suspended = await _tokens(app, seeded, person_id)
    await _set(app, "MATCH (a:App {id: $id}) SET a.status = 'suspended', a.suspendedAt = datetime()",
               id=seeded.app_id)  # fmt: skip
    assert await _answers(client, seeded, suspended) == NONE
