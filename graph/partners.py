"""Cypher of partner apps, their OAuth clients and secrets, test personas and people's grants.

The shape written here is the partner platform's data model (docs/partners.md, "Data model";
``tests/partners/support.py`` ``seed_app`` writes the same one).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from neo4j import AsyncManagedTransaction
from neo4j.time import Date, DateTime

from core.pagination import Window
from graph.driver import run, window_keyset
from graph.paging import both_ways
from graph.rows import row, rows

# --- partner organisations and apps ---------------------------------------------------------------------------

PARTNER_STANDING = """
MATCH (o:Organization {id: $orgId})
RETURN o.status AS status, o.orgKind AS kind, head([(:Person {id: $personId})-[r:REPRESENTS]->(o) | r.role]) AS role
"""


@dataclass(frozen=True)
class PartnerStanding:
    """An organisation's status and kind, and the person's representative role in it (None: none)."""

    status: str | None
    kind: str | None
    role: str | None


async def partner_standing(tx: AsyncManagedTransaction, person_id: str, org_id: str) -> PartnerStanding | None:
    found = await run(tx, PARTNER_STANDING, personId=person_id, orgId=org_id)
    return row(PartnerStanding, found[0]) if found else None


CREATE_APP = """
MATCH (o:Organization {id: $organizationId})
CREATE (o)-[:OWNS_APP]->(a:App {id: $appId, name: $app.name, description: $app.description,
        homepageUrl: $app.homepageUrl, privacyPolicyUrl: $app.privacyPolicyUrl, logoUrl: $app.logoUrl,
        environment: 'sandbox', status: 'active', sectorId: $appId, persistedOnly: false, scopes: $app.scopes,
        purposes: $app.purposes, createdAt: datetime()})
CREATE (a)-[:HAS_CLIENT]->(c:Client {clientId: $clientId, kind: $kind, redirectUris: $client.redirectUris,
        grantTypes: $grantTypes, authMethod: $authMethod, idTokenAlg: 'RS256',
        allowedOrigins: $client.allowedOrigins, createdAt: datetime()})
FOREACH (_ IN CASE WHEN $secretSha256 IS NULL THEN [] ELSE [1] END |
  CREATE (:ClientSecret {sha256: $secretSha256, last4: $last4, createdAt: datetime(), expiresAt: null})
         -[:OF_CLIENT]->(c))
RETURN a.id AS id
"""


async def create_app(
    tx: AsyncManagedTransaction,
    *,
    organization_id: str,
    app_id: str,
    app: dict[str, Any],
    client_id: str,
    kind: str,
    client: dict[str, Any],
    grant_types: list[str],
    auth_method: str,
    secret_sha256: str | None,
    last4: str | None,
) -> bool:
    found = await run(
        tx,
        CREATE_APP,
        organizationId=organization_id,
        appId=app_id,
        app=app,
        clientId=client_id,
        kind=kind,
        client=client,
        grantTypes=grant_types,
        authMethod=auth_method,
        secretSha256=secret_sha256,
        last4=last4,
    )
    return bool(found)


# The write lock on the app is taken before anything of it is read (``SET ... REMOVE``: no property is left), so
# parallel changes of one app (two rotations, two personas) run one after the other.
LOCK_APP = """
MATCH (o:Organization)-[:OWNS_APP]->(a:App {id: $appId})
SET a.appLock = true
REMOVE a.appLock
WITH o, a
OPTIONAL MATCH (a)-[:HAS_CLIENT]->(c:Client)
RETURN a.id AS id, o.id AS organizationId, o.status AS organizationStatus, a.environment AS environment,
       a.status AS status, a.scopes AS scopes, a.purposes AS purposes, c.kind AS kind,
       c.redirectUris AS redirectUris, c.allowedOrigins AS allowedOrigins,
       head([(:Person {id: $personId})-[r:REPRESENTS]->(o) | r.role]) AS role
"""


@dataclass(frozen=True)
class LockedApp:
    """An app read under its write lock, with its partner and the person's representative role there."""

    id: str
    organization_id: str
    organization_status: str | None
    environment: str
    status: str
    scopes: list[str]
    purposes: str
    kind: str
    redirect_uris: list[str]
    allowed_origins: list[str]
    role: str | None


async def lock_app(tx: AsyncManagedTransaction, app_id: str, person_id: str) -> LockedApp | None:
    found = await run(tx, LOCK_APP, appId=app_id, personId=person_id)
    return row(LockedApp, found[0]) if found else None


#: Who stands where towards an app, for the reads its partner and the city see (its webhooks, usage, token failures):
#: its partner organisation, the person's representative role there, and its OAuth client.
APP_STANDING = """
MATCH (o:Organization)-[:OWNS_APP]->(a:App {id: $appId})
RETURN a.id AS appId, o.id AS organizationId, o.status AS organizationStatus,
       head([(:Person {id: $personId})-[r:REPRESENTS]->(o) | r.role]) AS role,
       head([(a)-[:HAS_CLIENT]->(c:Client) | c.clientId]) AS clientId
"""


@dataclass(frozen=True)
class AppStanding:
    """An app's partner, the person's representative role there (None: none), and the app's OAuth client."""

    app_id: str
    organization_id: str
    organization_status: str | None
    role: str | None
    client_id: str | None


async def app_standing(tx: AsyncManagedTransaction, app_id: str, person_id: str | None) -> AppStanding | None:
    found = await run(tx, APP_STANDING, appId=app_id, personId=person_id)
    return row(AppStanding, found[0]) if found else None


UPDATE_APP = """
MATCH (a:App {id: $appId})-[:HAS_CLIENT]->(c:Client)
SET a += $app, c += $client
"""


async def update_app(tx: AsyncManagedTransaction, app_id: str, app: dict[str, Any], client: dict[str, Any]) -> None:
    await run(tx, UPDATE_APP, appId=app_id, app=app, client=client)


#: Rotation: rotated secrets still in their overlap end now, the current one gets its overlap, a new one is current.
ROTATE_SECRET = """
MATCH (:App {id: $appId})-[:HAS_CLIENT]->(c:Client)
CALL (c) {
  MATCH (old:ClientSecret)-[:OF_CLIENT]->(c)
  WHERE old.expiresAt IS NOT NULL AND old.expiresAt > datetime()
  SET old.expiresAt = datetime()
}
CALL (c) {
  MATCH (current:ClientSecret)-[:OF_CLIENT]->(c)
  WHERE current.expiresAt IS NULL
  SET current.expiresAt = datetime() + duration({days: $overlapDays})
  RETURN max(current.expiresAt) AS previousExpiresAt
}
CREATE (:ClientSecret {sha256: $sha256, last4: $last4, createdAt: datetime(), expiresAt: null})-[:OF_CLIENT]->(c)
RETURN previousExpiresAt
"""


async def rotate_secret(
    tx: AsyncManagedTransaction, app_id: str, sha256: str, last4: str, overlap_days: int
) -> DateTime | None:
    """Rotate the client secret of the app (locked by the caller); when the previous one expires (None: none)."""
    found = await run(tx, ROTATE_SECRET, appId=app_id, sha256=sha256, last4=last4, overlapDays=overlap_days)
    previous: DateTime | None = found[0]["previousExpiresAt"] if found else None
    return previous


#: Approval: production, and the test personas' grants end (revoked by the officer, their access tokens refused from
#: ``$notBefore``, their refresh tokens deleted): a persona's token must never see real residents.
APPROVE_APP = """
MATCH (a:App {id: $appId})
SET a.environment = 'production', a.approvedAt = datetime(), a.approvedBy = $officerId
WITH a
CALL (a) {
  MATCH (:TestPersona)-[:GAVE]->(g:Grant)-[:TO]->(a)
  WITH g, g.revokedAt IS NULL AS live
  SET g.revokedAt = coalesce(g.revokedAt, datetime()), g.revokedBy = coalesce(g.revokedBy, 'officer'),
      g.updatedAt = datetime(),
      g.tokensNotBefore = CASE WHEN coalesce(g.tokensNotBefore, 0) > $notBefore THEN g.tokensNotBefore
                               ELSE $notBefore END
  WITH g, live
  CALL (g) {
    MATCH (t:AppRefreshToken)-[:OF_GRANT]->(g)
    DETACH DELETE t
  }
  RETURN count(g) AS ended, collect(CASE WHEN live THEN {id: g.id, personId: g.personId} END) AS revoked
}
RETURN ended, revoked
"""


@dataclass(frozen=True)
class Approved:
    """What approving an app ended: how many persona grants it touched, and those it revoked now (``{id,
    personId}`` each)."""

    ended: int
    revoked: list[dict[str, str]]


async def approve_app(tx: AsyncManagedTransaction, app_id: str, officer_id: str, not_before: int) -> Approved:
    """Take the app to production and end its test personas' grants and tokens."""
    found = await run(tx, APPROVE_APP, appId=app_id, officerId=officer_id, notBefore=not_before)
    return row(Approved, found[0]) if found else Approved(0, [])


#: Suspension ends every token of the app for good: access tokens issued before ``$notBefore`` are refused even after
#: a reinstatement, refresh tokens are deleted; the grants themselves stay (a person signs in again without consent).
SUSPEND_APP = """
MATCH (a:App {id: $appId})
SET a.status = 'suspended', a.suspendedAt = datetime(), a.suspendedBy = $officerId, a.suspendReason = $reason
WITH a
CALL (a) {
  MATCH (g:Grant)-[:TO]->(a)
  SET g.tokensNotBefore = CASE WHEN coalesce(g.tokensNotBefore, 0) > $notBefore THEN g.tokensNotBefore
                               ELSE $notBefore END
  WITH g
  CALL (g) {
    MATCH (t:AppRefreshToken)-[:OF_GRANT]->(g)
    DETACH DELETE t
  }
  RETURN count(g) AS ended
}
RETURN ended
"""


async def suspend_app(tx: AsyncManagedTransaction, app_id: str, officer_id: str, reason: str, not_before: int) -> int:
    """Suspend the app and end every token of its grants; how many grants that touched."""
    found = await run(tx, SUSPEND_APP, appId=app_id, officerId=officer_id, reason=reason, notBefore=not_before)
    ended: int = found[0]["ended"] if found else 0
    return ended


REINSTATE_APP = """
MATCH (a:App {id: $appId})
SET a.status = 'active', a.suspendedAt = null, a.suspendedBy = null, a.suspendReason = null
"""


async def reinstate_app(tx: AsyncManagedTransaction, app_id: str) -> None:
    await run(tx, REINSTATE_APP, appId=app_id)


# --- reading apps ---------------------------------------------------------------------------------------------------

APP_PROJECTION = """
a {.id, .name, .description, .homepageUrl, .privacyPolicyUrl, .logoUrl, .environment, .status, .createdAt,
   .approvedAt, .scopes, .purposes, .persistedOnly} AS app,
o.id AS partnerId, o.status AS partnerStatus,
head([(:Person {id: $viewerId})-[r:REPRESENTS]->(o) | r.role]) AS viewerRole,
head([(a)-[:HAS_CLIENT]->(c:Client) | c {.clientId, .kind, .redirectUris, .allowedOrigins,
  secrets: [(s:ClientSecret)-[:OF_CLIENT]->(c) WHERE s.expiresAt IS NULL OR s.expiresAt > datetime()
            | s {.last4, .createdAt, .expiresAt}]}]) AS client
"""


@dataclass(frozen=True)
class AppRow:
    """An app as stored, its partner, the viewer's representative role there and its client."""

    app: dict[str, Any]
    partner_id: str
    partner_status: str | None
    viewer_role: str | None
    client: dict[str, Any] | None


APPS_BY_IDS = f"""
UNWIND $ids AS wanted
MATCH (o:Organization)-[:OWNS_APP]->(a:App {{id: wanted}})
RETURN {APP_PROJECTION}
"""


async def apps_by_ids(tx: AsyncManagedTransaction, ids: list[str], viewer_id: str | None) -> list[AppRow]:
    return rows(AppRow, await run(tx, APPS_BY_IDS, ids=ids, viewerId=viewer_id))


#: Newest first; read either way (``graph.paging.both_ways``).
APPS_OF_ORGANIZATION = both_ways(f"""
MATCH (o:Organization {{id: $orgId}})-[:OWNS_APP]->(a:App)
WHERE ($afterTime IS NULL OR [a.createdAt, a.id] < [datetime($afterTime), $afterId])
  AND ($beforeTime IS NULL OR [a.createdAt, a.id] > [datetime($beforeTime), $beforeId])
WITH o, a ORDER BY a.createdAt {{DESC}}, a.id {{DESC}} LIMIT $limit
RETURN {APP_PROJECTION}
""")
APP_COUNT = "MATCH (:Organization {id: $orgId})-[:OWNS_APP]->(a:App) RETURN count(a) AS total"


async def apps_of_organization(
    tx: AsyncManagedTransaction, org_id: str, viewer_id: str | None, window: Window
) -> tuple[list[AppRow], int]:
    """One page of the organisation's apps (newest first; in reading order), and how many it has."""
    found = await run(
        tx,
        APPS_OF_ORGANIZATION.of(window.backwards),
        orgId=org_id,
        viewerId=viewer_id,
        limit=window.limit,
        **window_keyset(window),
    )
    total = await run(tx, APP_COUNT, orgId=org_id)
    return rows(AppRow, found), int(total[0]["total"])


#: Oldest first; read either way.
APPS_FOR_REVIEW = both_ways(f"""
MATCH (o:Organization)-[:OWNS_APP]->(a:App {{environment: 'sandbox'}})
WHERE ($afterTime IS NULL OR [a.createdAt, a.id] > [datetime($afterTime), $afterId])
  AND ($beforeTime IS NULL OR [a.createdAt, a.id] < [datetime($beforeTime), $beforeId])
WITH o, a ORDER BY a.createdAt {{ASC}}, a.id {{ASC}} LIMIT $limit
RETURN {APP_PROJECTION}
""")
REVIEW_COUNT = "MATCH (a:App {environment: 'sandbox'}) RETURN count(a) AS total"


async def apps_for_review(
    tx: AsyncManagedTransaction, viewer_id: str | None, window: Window
) -> tuple[list[AppRow], int]:
    """One page of the sandbox apps waiting for an officer (oldest first; in reading order), and how many wait."""
    found = await run(
        tx, APPS_FOR_REVIEW.of(window.backwards), viewerId=viewer_id, limit=window.limit, **window_keyset(window)
    )
    total = await run(tx, REVIEW_COUNT)
    return rows(AppRow, found), int(total[0]["total"])


ACTIVE_PUBLIC_ORIGINS = """
MATCH (:App {status: 'active'})-[:HAS_CLIENT]->(c:Client {kind: 'public'})
UNWIND c.allowedOrigins AS origin
RETURN collect(DISTINCT origin) AS origins
"""


async def active_public_origins(tx: AsyncManagedTransaction) -> list[str]:
    """Every origin a public client of an active app registered (CORS)."""
    found = await run(tx, ACTIVE_PUBLIC_ORIGINS)
    origins: list[str] = found[0]["origins"] if found else []
    return origins


# --- test personas ----------------------------------------------------------------------------------------------

#: A person in the shape identity stores one (``graph.identity.CREATE_PERSON``), labelled ``TestPersona``, with no
#: identity document, signing in with the e-mail-like identifier made for it (a verified contact: sign-in's key).
CREATE_PERSONA = """
MATCH (a:App {id: $appId})
WITH a, COUNT { (:TestPersona)-[:PERSONA_OF]->(a) } + 1 AS serial
WITH a, serial, 'persona-' + toString(serial) + '@' + a.id + '.sandbox.invalid' AS identifier
CREATE (p:Actor:Person:TestPersona {id: $id, createdAt: datetime(), status: 'active', passwordVersion: 0,
        personaOfAppId: a.id})
SET p += $props, p.dateOfBirth = date($dateOfBirth)
CREATE (p)-[:PERSONA_OF]->(a)
CREATE (p)-[:HAS_CONTACT]->(:Contact {id: $contactId, kind: 'email', value: identifier,
        verifiedKey: 'email:' + identifier, verifiedAt: datetime(), createdAt: datetime()})
WITH p, identifier
CALL (p) {
  MATCH (c:Commune {code: $wardCode})
  CREATE (p)-[:LIVES_IN {since: datetime()}]->(c)
}
RETURN identifier
"""


async def create_persona(
    tx: AsyncManagedTransaction,
    *,
    app_id: str,
    id: str,
    contact_id: str,
    props: dict[str, Any],
    date_of_birth: str,
    ward_code: str | None,
) -> str:
    """The new persona's sign-in identifier (``persona-<n>@<appId>.sandbox.invalid``)."""
    found = await run(
        tx,
        CREATE_PERSONA,
        appId=app_id,
        id=id,
        contactId=contact_id,
        props=props,
        dateOfBirth=date_of_birth,
        wardCode=ward_code,
    )
    identifier: str = found[0]["identifier"]
    return identifier


PERSONA_PROJECTION = """
p.id AS id, p.displayName AS displayName, p.dateOfBirth AS dateOfBirth,
head([(p)-[:LIVES_IN]->(c:Commune) | c.code]) AS wardCode, p.assuranceLevel AS verificationLevel,
head([(p)-[:HAS_CONTACT]->(k:Contact {kind: 'email'}) | k.value]) AS signInIdentifier, p.createdAt AS createdAt
"""


@dataclass(frozen=True)
class PersonaRow:
    id: str
    display_name: str
    date_of_birth: Date
    ward_code: str | None
    verification_level: int
    sign_in_identifier: str
    created_at: DateTime


PERSONA = f"MATCH (p:TestPersona {{id: $id}}) RETURN {PERSONA_PROJECTION}"


async def persona(tx: AsyncManagedTransaction, person_id: str) -> PersonaRow | None:
    found = await run(tx, PERSONA, id=person_id)
    return row(PersonaRow, found[0]) if found else None


#: Newest first; read either way.
PERSONAS_OF_APP = both_ways(f"""
MATCH (p:TestPersona)-[:PERSONA_OF]->(:App {{id: $appId}})
WHERE ($afterTime IS NULL OR [p.createdAt, p.id] < [datetime($afterTime), $afterId])
  AND ($beforeTime IS NULL OR [p.createdAt, p.id] > [datetime($beforeTime), $beforeId])
WITH p ORDER BY p.createdAt {{DESC}}, p.id {{DESC}} LIMIT $limit
RETURN {PERSONA_PROJECTION}
""")
PERSONA_COUNT = "MATCH (:App {id: $appId}) RETURN COUNT { (:TestPersona)-[:PERSONA_OF]->(:App {id: $appId}) } AS total"


async def personas_of_app(tx: AsyncManagedTransaction, app_id: str, window: Window) -> tuple[list[PersonaRow], int]:
    found = await run(
        tx, PERSONAS_OF_APP.of(window.backwards), appId=app_id, limit=window.limit, **window_keyset(window)
    )
    total = await run(tx, PERSONA_COUNT, appId=app_id)
    return rows(PersonaRow, found), int(total[0]["total"]) if total else 0


# --- grants -------------------------------------------------------------------------------------------------------

GRANT_PROJECTION = f"""
g {{.id, .personId, .scopes, .purposes, .createdAt, .expiresAt, .revokedAt}} AS grant,
{APP_PROJECTION}
"""


@dataclass(frozen=True)
class GrantRow:
    """A grant as stored, with its app (as ``AppRow`` reads it)."""

    grant: dict[str, Any]
    app: dict[str, Any]
    partner_id: str
    partner_status: str | None
    viewer_role: str | None
    client: dict[str, Any] | None


#: Newest first; read either way. Revoked grants only when asked for.
GRANTS_OF_PERSON = both_ways(f"""
MATCH (:Person {{id: $personId}})-[:GAVE]->(g:Grant)-[:TO]->(a:App)<-[:OWNS_APP]-(o:Organization)
WHERE ($includeRevoked OR g.revokedAt IS NULL)
  AND ($afterTime IS NULL OR [g.createdAt, g.id] < [datetime($afterTime), $afterId])
  AND ($beforeTime IS NULL OR [g.createdAt, g.id] > [datetime($beforeTime), $beforeId])
WITH g, a, o ORDER BY g.createdAt {{DESC}}, g.id {{DESC}} LIMIT $limit
RETURN {GRANT_PROJECTION}
""")
GRANT_COUNT = """
MATCH (p:Person {id: $personId})
RETURN COUNT { (p)-[:GAVE]->(g:Grant) WHERE $includeRevoked OR g.revokedAt IS NULL } AS total
"""


async def grants_of_person(
    tx: AsyncManagedTransaction, person_id: str, include_revoked: bool, window: Window
) -> tuple[list[GrantRow], int]:
    """One page of the person's grants (newest first; in reading order), and how many there are."""
    found = await run(
        tx,
        GRANTS_OF_PERSON.of(window.backwards),
        personId=person_id,
        viewerId=person_id,
        includeRevoked=include_revoked,
        limit=window.limit,
        **window_keyset(window),
    )
    total = await run(tx, GRANT_COUNT, personId=person_id, includeRevoked=include_revoked)
    return rows(GrantRow, found), int(total[0]["total"]) if total else 0


GRANTS_BY_IDS = f"""
UNWIND $ids AS wanted
MATCH (:Person {{id: $viewerId}})-[:GAVE]->(g:Grant {{id: wanted}})-[:TO]->(a:App)<-[:OWNS_APP]-(o:Organization)
RETURN {GRANT_PROJECTION}
"""


async def grants_by_ids(tx: AsyncManagedTransaction, ids: list[str], person_id: str) -> list[GrantRow]:
    """The person's own grants among ``ids`` (anyone else's are not read)."""
    return rows(GrantRow, await run(tx, GRANTS_BY_IDS, ids=ids, viewerId=person_id))


#: Revoking ends the grant now and deletes its refresh tokens not used yet (used ones stay for reuse detection).
REVOKE_GRANTS = """
MATCH (:Person {id: $personId})-[:GAVE]->(g:Grant)
WHERE ($grantId IS NULL OR g.id = $grantId) AND g.revokedAt IS NULL
SET g.revokedAt = datetime(), g.revokedBy = $by, g.updatedAt = datetime()
WITH g
CALL (g) {
  MATCH (t:AppRefreshToken)-[:OF_GRANT]->(g)
  WHERE t.usedAt IS NULL
  DETACH DELETE t
}
RETURN g.id AS id, g.appId AS appId
"""


@dataclass(frozen=True)
class RevokedGrant:
    """A grant just revoked, and its app."""

    id: str
    app_id: str


async def revoke_grants(
    tx: AsyncManagedTransaction, person_id: str, grant_id: str | None, by: str
) -> list[RevokedGrant]:
    """Revoke the person's grant ``grant_id`` (or every live one when None); the grants revoked."""
    found = await run(tx, REVOKE_GRANTS, personId=person_id, grantId=grant_id, by=by)
    return rows(RevokedGrant, found)


GRANT_STATE = """
MATCH (:Person {id: $personId})-[:GAVE]->(g:Grant {id: $grantId})
SET g.grantLock = true
REMOVE g.grantLock
RETURN g.revokedAt IS NOT NULL AS revoked
"""


async def grant_revoked(tx: AsyncManagedTransaction, person_id: str, grant_id: str) -> bool | None:
    """Whether the person's grant is revoked already, read under its write lock (None: not theirs, or none)."""
    found = await run(tx, GRANT_STATE, personId=person_id, grantId=grant_id)
    revoked: bool | None = found[0]["revoked"] if found else None
    return revoked


# --- persisted operations (partners.operations) ---------------------------------------------------------------------
# (:App)-[:HAS_OPERATION]->(:PersistedOperation {id: "sha256:<hex>", appId, name, document, cost, createdAt}): the
# documents an app registered. The id is content-addressed (the SHA-256 of the document's UTF-8 bytes), so it is the
# same for two apps that register the same text: an operation is named by (app, id). Registering runs under the app's
# write lock (``LOCK_APP``), so parallel registrations of one document MERGE one node.

OPERATION_PROJECTION = "op {.id, .name, .document, .cost, .createdAt} AS operation"


@dataclass(frozen=True)
class OperationRow:
    """A persisted operation as stored (``OPERATION_PROJECTION``)."""

    operation: dict[str, Any]


REGISTER_OPERATION = f"""
MATCH (a:App {{id: $appId}})
WITH a, COUNT {{ (a)-[:HAS_OPERATION]->(:PersistedOperation) }} AS held,
     EXISTS {{ (a)-[:HAS_OPERATION]->(:PersistedOperation {{id: $id}}) }} AS known
WHERE known OR held < $maxOperations
MERGE (a)-[:HAS_OPERATION]->(op:PersistedOperation {{id: $id}})
  ON CREATE SET op.appId = a.id, op.name = $name, op.document = $document, op.cost = $cost, op.createdAt = datetime()
RETURN {OPERATION_PROJECTION}, NOT known AS created
"""


@dataclass(frozen=True)
class RegisteredOperation:
    """The operation registered (or found registered already: ``created`` False)."""

    operation: dict[str, Any]
    created: bool


async def register_operation(
    tx: AsyncManagedTransaction,
    app_id: str,
    *,
    id: str,
    name: str,
    document: str,
    cost: int | None,
    max_operations: int,
) -> RegisteredOperation | None:
    """Register the document with the app (locked by the caller), or find it registered; None when the app holds
    ``max_operations`` already."""
    found = await run(
        tx,
        REGISTER_OPERATION,
        appId=app_id,
        id=id,
        name=name,
        document=document,
        cost=cost,
        maxOperations=max_operations,
    )
    return row(RegisteredOperation, found[0]) if found else None


DELETE_OPERATION = """
MATCH (:App {id: $appId})-[:HAS_OPERATION]->(op:PersistedOperation {id: $id})
DETACH DELETE op
RETURN count(*) AS deleted
"""


async def delete_operation(tx: AsyncManagedTransaction, app_id: str, id: str) -> bool:
    """Delete the app's operation ``id``; whether there was one."""
    found = await run(tx, DELETE_OPERATION, appId=app_id, id=id)
    return bool(found and found[0]["deleted"])


OPERATION_DOCUMENT = """
MATCH (:App {id: $appId})-[:HAS_OPERATION]->(op:PersistedOperation {id: $id})
RETURN op.document AS document
"""


async def operation_document(tx: AsyncManagedTransaction, app_id: str, id: str) -> str | None:
    """The document the app registered under ``id`` (None: none)."""
    found = await run(tx, OPERATION_DOCUMENT, appId=app_id, id=id)
    document: str | None = found[0]["document"] if found else None
    return document


#: Newest first; read either way.
OPERATIONS_OF_APP = both_ways(f"""
MATCH (:App {{id: $appId}})-[:HAS_OPERATION]->(op:PersistedOperation)
WHERE ($afterTime IS NULL OR [op.createdAt, op.id] < [datetime($afterTime), $afterId])
  AND ($beforeTime IS NULL OR [op.createdAt, op.id] > [datetime($beforeTime), $beforeId])
WITH op ORDER BY op.createdAt {{DESC}}, op.id {{DESC}} LIMIT $limit
RETURN {OPERATION_PROJECTION}
""")
OPERATION_COUNT = """
MATCH (a:App {id: $appId})
RETURN COUNT { (a)-[:HAS_OPERATION]->(:PersistedOperation) } AS total
"""


async def operations_of_app(tx: AsyncManagedTransaction, app_id: str, window: Window) -> tuple[list[OperationRow], int]:
    """One page of the app's operations (newest first; in reading order), and how many it has."""
    found = await run(
        tx, OPERATIONS_OF_APP.of(window.backwards), appId=app_id, limit=window.limit, **window_keyset(window)
    )
    total = await run(tx, OPERATION_COUNT, appId=app_id)
    return rows(OperationRow, found), int(total[0]["total"]) if total else 0
