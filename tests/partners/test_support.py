"""The partner fixtures build what the partner-platform tests start from: a partner organisation (through the API)
and an app stored in the data model's shape."""

from __future__ import annotations

import hashlib

from tests.partners.support import make_partner, seed_app


async def test_a_seeded_app_belongs_to_a_partner_organisation_with_a_hashed_secret(client, app, graph):
    partner = await make_partner(app, client)
    seeded = await seed_app(app, partner, scopes=("openid", "contact.read"))

    async def read(tx):
        result = await tx.run(
            "MATCH (o:Organization {id: $org})-[:OWNS_APP]->(a:App {id: $app})-[:HAS_CLIENT]->(c:Client)"
            "<-[:OF_CLIENT]-(s:ClientSecret) RETURN o.orgKind AS kind, a.scopes AS scopes, c.clientId AS clientId, "
            "s.sha256 AS sha256, s.last4 AS last4",
            org=partner.organization_uuid,
            app=seeded.app_id,
        )
        return await result.single()

    row = await graph.read(read)
    assert row["kind"] == "partner" and row["scopes"] == ["openid", "contact.read"]
    assert row["clientId"] == seeded.client_id
    assert seeded.client_secret is not None and seeded.client_secret.startswith("hs_sk_")
    assert row["sha256"] == hashlib.sha256(seeded.client_secret.encode()).hexdigest()
    assert row["last4"] == seeded.client_secret[-4:]


async def test_a_seeded_grant_gives_the_person_a_pairwise_subject_for_the_app(client, app, graph):
    from auth import app_tokens
    from tests.identity.people import register, uuid_of
    from tests.partners.support import app_token, seed_grant

    partner = await make_partner(app, client)
    seeded = await seed_app(app, partner, scopes=("openid", "contact.read"))
    person = await register(client)
    grant = await seed_grant(app, seeded, uuid_of(person.id))
    assert uuid_of(person.id) not in grant.sub
    header = app_token(app, seeded, grant)["authorization"].removeprefix("Bearer ")
    runtime = app.state.runtime
    claims = app_tokens.verify(runtime.keyring, header, issuer=runtime.settings.oauth_issuer)
    assert (claims.grant_id, claims.subject, claims.scopes) == (grant.grant_id, grant.sub, {"openid", "contact.read"})
