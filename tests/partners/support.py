"""Partners and their apps for the partner-platform tests.

``make_partner`` builds a partner organisation through the public API (a level-2 person registers it).
``seed_app`` writes an app, its OAuth client, a client secret and its requested scopes in the shape the
partner platform stores them (docs/partners.md, "Data model"), so the OAuth and scope tests can start from an app
in a known state; the app-management tests create apps through ``appCreate`` and check the same shape.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import secrets
import uuid
from dataclasses import dataclass, field

import httpx
from neo4j import AsyncManagedTransaction

from partners.scopes import BY_NAME
from tests.identity.people import Someone, make_verified, uuid_of
from tests.support import gql

REDIRECT_URI = "https://app.example/callback"
_tax_codes = itertools.count(1_000_000)

ORG_REGISTER = """
mutation Register($input: OrganizationRegisterInput!) {
  organizationRegister(input: $input) { organization { id displayName } errors { code field message } }
}
"""


@dataclass
class Partner:
    owner: Someone  # a level-2 person, owner of the organisation
    organization_id: str  # global id
    name: str

    @property
    def organization_uuid(self) -> str:
        return uuid_of(self.organization_id)


@dataclass
class SeededApp:
    app_id: str  # internal id (App.id)
    client_id: str
    client_secret: str | None  # None for a public client
    sector_id: str
    redirect_uris: tuple[str, ...]
    scopes: tuple[str, ...]
    environment: str
    extra: dict = field(default_factory=dict)


def tax_code() -> str:
    return f"0108{next(_tax_codes) % 1_000_000:06d}"


async def make_partner(app, client: httpx.AsyncClient, name: str = "Công ty Cổ phần Đỗ Xe Thông Minh") -> Partner:
    owner = await make_verified(app, client)
    body = await gql(
        client,
        ORG_REGISTER,
        {"input": {"name": name, "kind": "PARTNER", "taxCode": tax_code(), "sector": "Giao thông"}},
        headers=owner.auth,
    )
    payload = body["data"]["organizationRegister"]
    assert payload["errors"] == [], payload
    return Partner(owner=owner, organization_id=payload["organization"]["id"], name=name)


SEED_APP = """
MATCH (o:Organization {id: $organizationId})
CREATE (o)-[:OWNS_APP]->(a:App {id: $appId, name: $name, description: $description, homepageUrl: $homepageUrl,
        privacyPolicyUrl: $privacyPolicyUrl, logoUrl: null, environment: $environment, status: 'active',
        sectorId: $appId, persistedOnly: false, scopes: $scopes, purposes: $purposes, createdAt: datetime(),
        approvedAt: CASE WHEN $environment = 'production' THEN datetime() END})
CREATE (a)-[:HAS_CLIENT]->(c:Client {clientId: $clientId, kind: $kind, redirectUris: $redirectUris,
        grantTypes: $grantTypes, authMethod: $authMethod, idTokenAlg: 'RS256', allowedOrigins: $origins,
        createdAt: datetime()})
FOREACH (_ IN CASE WHEN $secretSha256 IS NULL THEN [] ELSE [1] END |
  CREATE (:ClientSecret {sha256: $secretSha256, last4: $last4, createdAt: datetime(), expiresAt: null})
         -[:OF_CLIENT]->(c))
RETURN a.id AS id
"""


async def seed_app(
    app,
    partner: Partner,
    *,
    name: str = "Đỗ Xe Hà Nội",
    kind: str = "confidential",
    redirect_uris: tuple[str, ...] = (REDIRECT_URI,),
    scopes: tuple[str, ...] = ("openid", "profile.basic"),
    environment: str = "production",
    origins: tuple[str, ...] = (),
) -> SeededApp:
    """An app of ``partner`` (production by default: as if an officer had approved it)."""
    unknown = [s for s in scopes if s not in BY_NAME]
    assert not unknown, f"not in partners.scopes: {unknown}"
    app_id, client_id = str(uuid.uuid4()), "hsc_" + secrets.token_urlsafe(16)
    secret = "hs_sk_" + secrets.token_urlsafe(32) if kind == "confidential" else None
    grant_types = ["authorization_code", "refresh_token"] + (["client_credentials"] if secret else [])
    params = {
        "organizationId": partner.organization_uuid,
        "appId": app_id,
        "name": name,
        "description": "Tìm và trả tiền chỗ đỗ xe ở Hà Nội.",
        "homepageUrl": "https://app.example",
        "privacyPolicyUrl": "https://app.example/privacy",
        "environment": environment,
        "clientId": client_id,
        "kind": kind,
        "redirectUris": list(redirect_uris),
        "grantTypes": grant_types,
        "authMethod": "client_secret_basic" if secret else "none",
        "origins": list(origins),
        "secretSha256": hashlib.sha256(secret.encode()).hexdigest() if secret else None,
        "last4": secret[-4:] if secret else None,
        "scopes": list(scopes),
        "purposes": purposes_json(scopes),
    }

    async def work(tx: AsyncManagedTransaction) -> None:
        created = await (await tx.run(SEED_APP, params)).single()
        assert created is not None, "the partner organisation does not exist"

    await app.state.runtime.graph.write(work)
    return SeededApp(app_id, client_id, secret, app_id, tuple(redirect_uris), tuple(scopes), environment)


def purposes_json(scopes: tuple[str, ...]) -> str:
    """The ``Grant.purposes`` snapshot seed_app's purposes give (JSON object scope -> {vi, en})."""
    return json.dumps(
        {s: {"vi": f"Để phục vụ bạn ({s}).", "en": f"To serve you ({s})."} for s in scopes}, ensure_ascii=False
    )


SEED_GRANT = """
MATCH (p:Person {id: $personId}), (a:App {id: $appId})
CREATE (p)-[:GAVE]->(g:Grant {id: $grantId, personId: $personId, appId: $appId, sub: $sub, scopes: $scopes,
        purposes: $purposes, createdAt: datetime(), updatedAt: datetime(),
        expiresAt: datetime() + duration({days: 365}), revokedAt: null, revokedBy: null, tokensNotBefore: 0})-[:TO]->(a)
RETURN g.id AS id
"""


@dataclass
class SeededGrant:
    grant_id: str
    sub: str  # the person's pairwise subject for the app
    person_id: str
    scopes: tuple[str, ...]


async def seed_grant(app, seeded: SeededApp, person_id: str, scopes: tuple[str, ...] | None = None) -> SeededGrant:
    """A live grant of ``person_id`` (internal id: ``uuid_of(someone.id)``) to ``seeded``, as consent stores it."""
    from partners.pairwise import subject

    scopes = scopes if scopes is not None else seeded.scopes
    sub = subject(app.state.runtime.pairwise_key, seeded.sector_id, person_id)
    grant_id = str(uuid.uuid4())

    async def work(tx: AsyncManagedTransaction) -> None:
        params = {"personId": person_id, "appId": seeded.app_id, "grantId": grant_id, "sub": sub,
                  "scopes": list(scopes), "purposes": purposes_json(scopes)}  # fmt: skip
        created = await (await tx.run(SEED_GRANT, params)).single()
        assert created is not None, "no such person or app"

    await app.state.runtime.graph.write(work)
    return SeededGrant(grant_id, sub, person_id, tuple(scopes))


def app_token(app, seeded: SeededApp, grant: SeededGrant | None, *, scopes: tuple[str, ...] | None = None,
              level: int = 2) -> dict[str, str]:  # fmt: skip
    """The ``Authorization`` header of an app access token as ``/oauth/token`` issues it: for ``grant``'s person, or
    for the app itself (client credentials) when ``grant`` is None."""
    from auth import app_tokens

    runtime = app.state.runtime
    token, _ = app_tokens.issue(
        runtime.keyring,
        issuer=runtime.settings.oauth_issuer,
        subject=grant.sub if grant else seeded.client_id,
        client_id=seeded.client_id,
        scopes=set(scopes if scopes is not None else (grant.scopes if grant else seeded.scopes)),
        grant_id=grant.grant_id if grant else None,
        assurance_level=level if grant else 0,
        ttl_seconds=runtime.settings.app_access_token_ttl_seconds,
    )
    return {"authorization": f"Bearer {token}"}


def app_person_id(app, seeded: SeededApp, person: str) -> str:
    """The global id under which ``seeded``'s tokens see a person (``partners.app_ids``), from the person's internal
    id or the global id a person viewer sees."""
    import base64

    from partners.pairwise import person_handle

    if not _is_uuid(person):
        person = uuid_of(person)
    handle = person_handle(app.state.runtime.pairwise_key, seeded.sector_id, person)
    return base64.b64encode(f"Person:{handle}".encode()).decode()


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True
