"""The graph side of an app token at ``/graphql``: one read per request that says whether the token still holds.

``grant_viewer`` is the app twin of ``graph.auth.viewer_of_session``: by the token's grant id it checks, in one
statement, that the grant is live (not revoked, not expired, ``tokensNotBefore <= iat``), the app active, the
token's client the app's, and the person active (``graph.rules.app_grant_holds``, the one fragment every OAuth
statement shares); and it returns what the viewer carries. ``client_app`` does the
same for a client-credentials token (no person): the client's app, active.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypedDict

from neo4j import AsyncManagedTransaction
from neo4j.time import DateTime

from graph.driver import run
from graph.rows import row
from graph.rules import app_grant_holds

GRANT_VIEWER = f"""
MATCH (p:Person)-[:GAVE]->(g:Grant {{id: $grantId}})-[:TO]->(a:App)-[:HAS_CLIENT]->(:Client {{clientId: $clientId}})
WHERE {app_grant_holds("g", "a", "p", issued_at="$issuedAt")} AND p.id = g.personId
RETURN p.id AS personId, coalesce(p.assuranceLevel, 0) AS assuranceLevel, a.id AS appId,
       a.environment = 'sandbox' AS sandbox, g.scopes AS scopes, coalesce(a.persistedOnly, false) AS persistedOnly
"""


@dataclass(frozen=True)
class GrantViewer:
    """What an app viewer carries from the graph: the grant's person and their current level, the app, whether it
    is still in its sandbox, and the scopes the person granted."""

    person_id: str
    assurance_level: int
    app_id: str
    sandbox: bool
    scopes: list[str]
    persisted_only: bool


async def grant_viewer(
    tx: AsyncManagedTransaction, grant_id: str, client_id: str, issued_at: int
) -> GrantViewer | None:
    """The viewer of a live grant reached with the token of ``client_id`` issued at ``issued_at`` (epoch seconds);
    None when anything no longer holds."""
    found = await run(tx, GRANT_VIEWER, grantId=grant_id, clientId=client_id, issuedAt=issued_at)
    return row(GrantViewer, found[0]) if found else None


CLIENT_APP = """
MATCH (a:App)-[:HAS_CLIENT]->(:Client {clientId: $clientId})
WHERE a.status = 'active'
RETURN a.id AS appId, a.environment = 'sandbox' AS sandbox, coalesce(a.scopes, []) AS scopes,
       coalesce(a.persistedOnly, false) AS persistedOnly
"""


@dataclass(frozen=True)
class ClientApp:
    """The active app of a client (client credentials): its id, sandbox flag, the scopes it registered and whether
    it runs registered operations only."""

    app_id: str
    sandbox: bool
    scopes: list[str]
    persisted_only: bool


async def client_app(tx: AsyncManagedTransaction, client_id: str) -> ClientApp | None:
    found = await run(tx, CLIENT_APP, clientId=client_id)
    return row(ClientApp, found[0]) if found else None


# --- what an app holds (``appAuthorization``) and apps by id ----------------------------------------------------

APP_FIELDS = """
a {.id, .name, .description, .homepageUrl, .privacyPolicyUrl, .logoUrl, .environment, .status, .createdAt,
   .approvedAt, partnerId: head([(o:Organization)-[:OWNS_APP]->(a) | o.id])} AS app"""


class AppMap(TypedDict):
    """An app as ``APP_FIELDS`` reads it."""

    id: str
    name: str
    description: str
    homepageUrl: str
    privacyPolicyUrl: str
    logoUrl: str | None
    environment: str
    status: str
    createdAt: DateTime
    approvedAt: DateTime | None
    partnerId: str


AUTHORIZATION = f"""
MATCH (a:App {{id: $appId}})
OPTIONAL MATCH (g:Grant {{id: $grantId}})-[:TO]->(a)
RETURN {APP_FIELDS}, coalesce(g.purposes, a.purposes) AS purposes, g.expiresAt AS expiresAt
"""


@dataclass(frozen=True)
class AppAuthorizationRow:
    """An app (its map, as ``APP_FIELDS`` reads it), the purposes JSON of the grant (the app's own for client
    credentials) and the grant's expiry (None for client credentials)."""

    app: AppMap
    purposes: str | None
    expires_at: DateTime | None


async def authorization(tx: AsyncManagedTransaction, app_id: str, grant_id: str | None) -> AppAuthorizationRow | None:
    found = await run(tx, AUTHORIZATION, appId=app_id, grantId=grant_id)
    return row(AppAuthorizationRow, found[0]) if found else None
