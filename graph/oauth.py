"""Cypher of the OpenID Provider: clients and their secrets, the OP sign-in session, grants as consent upserts
them, authorization codes, app refresh tokens, housekeeping. Whether an app access token still holds is
``graph.app_access.grant_viewer``'s to say; every statement here that asks whether a grant still stands splices the
same fragment (``graph.rules.app_grant_holds``).

Codes and refresh tokens are stored as SHA-256 hex only. A code or a refresh token is used under a write lock
(``SET x.lock = true`` first, then read), so parallel redemptions of one are serialised and exactly one wins.
Times are the database's (``datetime()``); ``tokensNotBefore`` is in epoch seconds like a token's ``iat``.
"""

from __future__ import annotations

from dataclasses import dataclass

from neo4j import AsyncManagedTransaction

from graph.driver import run
from graph.rows import row
from graph.rules import app_grant_holds

# --- clients ------------------------------------------------------------------------------------------------------

CLIENT = """
MATCH (a:App)-[:HAS_CLIENT]->(c:Client {clientId: $clientId})
OPTIONAL MATCH (o:Organization)-[:OWNS_APP]->(a)
RETURN c.clientId AS clientId, c.kind AS kind, c.redirectUris AS redirectUris, c.grantTypes AS grantTypes,
       c.authMethod AS authMethod, coalesce(c.allowedOrigins, []) AS allowedOrigins,
       [(s:ClientSecret)-[:OF_CLIENT]->(c) WHERE s.expiresAt IS NULL OR s.expiresAt > datetime() | s.sha256]
         AS secretHashes,
       [(s:ClientSecret)-[:OF_CLIENT]->(c) WHERE s.expiresAt <= datetime() | s.sha256] AS expiredSecretHashes,
       a.id AS appId, a.name AS name, coalesce(a.description, '') AS description,
       coalesce(a.homepageUrl, '') AS homepageUrl, coalesce(a.privacyPolicyUrl, '') AS privacyPolicyUrl,
       a.logoUrl AS logoUrl, a.environment AS environment, a.status AS status, a.sectorId AS sectorId,
       coalesce(a.scopes, []) AS scopes, coalesce(a.purposes, '{}') AS purposes,
       o.displayName AS partnerName, head([(o)-[:PROVED_BY]->(d:IdentityDocument) | d.last4]) AS partnerTaxLast4
"""


@dataclass(frozen=True)
class ClientRow:
    """An OAuth client with its app and the app's partner (``CLIENT``); ``secret_hashes`` are the live secrets'."""

    client_id: str
    kind: str  # confidential | public
    redirect_uris: list[str]
    grant_types: list[str]
    auth_method: str  # client_secret_basic | client_secret_post | none
    allowed_origins: list[str]
    secret_hashes: list[str]
    #: Rotated secrets whose overlap has ended: a precise ``invalid_client`` for a partner still sending one.
    expired_secret_hashes: list[str]
    app_id: str
    name: str
    description: str
    homepage_url: str
    privacy_policy_url: str
    logo_url: str | None
    environment: str  # sandbox | production
    status: str  # active | suspended
    sector_id: str
    scopes: list[str]
    purposes: str  # JSON {scope: {"vi": ..., "en": ...}}
    partner_name: str | None
    partner_tax_last4: str | None


async def client(tx: AsyncManagedTransaction, client_id: str) -> ClientRow | None:
    found = await run(tx, CLIENT, clientId=client_id)
    return row(ClientRow, found[0]) if found else None


# --- the OP sign-in session -----------------------------------------------------------------------------------------
# Signing in at the OP opens an ordinary person Session (auth.sessions: listed in mySessions, closed by sessionRevoke
# or sign-out everywhere) and stamps it with the hash of the OP cookie's secret.

MARK_OP_SESSION = """
MATCH (s:Session {id: $sessionId})
SET s.opSecretHash = $secretHash, s.opAuthTime = datetime()
RETURN s.id AS id
"""


async def mark_op_session(tx: AsyncManagedTransaction, session_id: str, secret_hash: str) -> bool:
    return bool(await run(tx, MARK_OP_SESSION, sessionId=session_id, secretHash=secret_hash))


OP_SESSION = """
MATCH (p:Person)-[:HAS_SESSION]->(s:Session {id: $sessionId})
WHERE s.opSecretHash = $secretHash AND s.revokedAt IS NULL AND s.expiresAt > datetime() AND p.status = 'active'
RETURN p.id AS personId, s.id AS sessionId, coalesce(p.displayName, '') AS displayName,
       coalesce(p.assuranceLevel, 0) AS level, s.opAuthTime.epochSeconds AS authTime,
       p:TestPersona AS persona, p.personaOfAppId AS personaOfAppId
"""


@dataclass(frozen=True)
class OpSessionRow:
    """The person signed in at the OP (``OP_SESSION``)."""

    person_id: str
    session_id: str
    display_name: str
    level: int
    auth_time: int  # epoch seconds of the sign-in
    persona: bool  # a test persona (:TestPersona)
    persona_of_app_id: str | None


async def op_session(tx: AsyncManagedTransaction, session_id: str, secret_hash: str) -> OpSessionRow | None:
    found = await run(tx, OP_SESSION, sessionId=session_id, secretHash=secret_hash)
    return row(OpSessionRow, found[0]) if found else None


# --- grants and codes -------------------------------------------------------------------------------------------------

LIVE_GRANT = """
MATCH (p:Person {id: $personId})-[:GAVE]->(g:Grant)-[:TO]->(:App {id: $appId})
WHERE g.revokedAt IS NULL AND g.expiresAt > datetime()
RETURN g.id AS id, g.sub AS sub, g.scopes AS scopes, coalesce(g.purposes, '{}') AS purposes
ORDER BY g.createdAt DESC
LIMIT 1
"""

LOCK_PERSON = "MATCH (p:Person {id: $personId, status: 'active'}) SET p.grantLock = true RETURN p.id AS id"


@dataclass(frozen=True)
class GrantRow:
    """A person's live grant to an app (``LIVE_GRANT``)."""

    id: str
    sub: str
    scopes: list[str]
    purposes: str  # JSON, as App.purposes, for the granted scopes


async def live_grant(tx: AsyncManagedTransaction, person_id: str, app_id: str) -> GrantRow | None:
    found = await run(tx, LIVE_GRANT, personId=person_id, appId=app_id)
    return row(GrantRow, found[0]) if found else None


async def lock_person(tx: AsyncManagedTransaction, person_id: str) -> bool:
    """A write lock on the person, so two consents of theirs to one app cannot both create a grant."""
    return bool(await run(tx, LOCK_PERSON, personId=person_id))


UPDATE_GRANT = """
MATCH (g:Grant {id: $grantId})
SET g.scopes = $scopes, g.purposes = $purposes, g.updatedAt = datetime(),
    g.expiresAt = datetime() + duration({days: $ttlDays})
RETURN g.expiresAt.epochSeconds AS expiresAt
"""

CREATE_GRANT = """
MATCH (p:Person {id: $personId}), (a:App {id: $appId})
CREATE (p)-[:GAVE]->(g:Grant {id: $grantId, personId: $personId, appId: $appId, sub: $sub, scopes: $scopes,
        purposes: $purposes, createdAt: datetime(), updatedAt: datetime(),
        expiresAt: datetime() + duration({days: $ttlDays}), revokedAt: null, revokedBy: null, tokensNotBefore: 0})
       -[:TO]->(a)
RETURN g.expiresAt.epochSeconds AS expiresAt
"""


async def update_grant(
    tx: AsyncManagedTransaction, grant_id: str, scopes: list[str], purposes: str, ttl_days: int
) -> int:
    found = await run(tx, UPDATE_GRANT, grantId=grant_id, scopes=scopes, purposes=purposes, ttlDays=ttl_days)
    expires: int = found[0]["expiresAt"]
    return expires


async def create_grant(
    tx: AsyncManagedTransaction,
    *,
    grant_id: str,
    person_id: str,
    app_id: str,
    sub: str,
    scopes: list[str],
    purposes: str,
    ttl_days: int,
) -> int:
    found = await run(tx, CREATE_GRANT, grantId=grant_id, personId=person_id, appId=app_id, sub=sub, scopes=scopes,
                      purposes=purposes, ttlDays=ttl_days)  # fmt: skip
    expires: int = found[0]["expiresAt"]
    return expires


CREATE_CODE = """
MATCH (g:Grant {id: $grantId})
CREATE (:AuthorizationCode {hash: $hash, clientId: $clientId, redirectUri: $redirectUri, challenge: $challenge,
        challengeMethod: 'S256', nonce: $nonce, acr: $acr, authTime: $authTime, scopes: $scopes,
        createdAt: datetime(), expiresAt: datetime() + duration({seconds: $ttlSeconds}), usedAt: null})
       -[:FOR_GRANT]->(g)
"""


async def create_code(
    tx: AsyncManagedTransaction,
    *,
    code_hash: str,
    grant_id: str,
    client_id: str,
    redirect_uri: str,
    challenge: str,
    nonce: str | None,
    acr: str,
    auth_time: int,
    scopes: list[str],
    ttl_seconds: int,
) -> None:
    await run(tx, CREATE_CODE, hash=code_hash, grantId=grant_id, clientId=client_id, redirectUri=redirect_uri,
              challenge=challenge, nonce=nonce, acr=acr, authTime=auth_time, scopes=scopes,
              ttlSeconds=ttl_seconds)  # fmt: skip


# What a code or a refresh token leads to: its grant, its app and client, the person (all checked by the service);
# ``grantHolds`` is the one liveness rule (``graph.rules.app_grant_holds``), the other columns name what failed.
_GRANT_STATE = f"""
       g.id AS grantId, g.sub AS sub, {app_grant_holds("g", "a", "p")} AS grantHolds,
       coalesce(g.tokensNotBefore, 0) AS tokensNotBefore, a.id AS appId, a.status AS appStatus,
       a.environment AS environment, p.id AS personId, p.status AS personStatus,
       coalesce(p.assuranceLevel, 0) AS level, (p:TestPersona AND p.personaOfAppId = a.id) AS personaOfApp,
       p:TestPersona AS persona
"""

USE_CODE = f"""
MATCH (c:AuthorizationCode {{hash: $hash}})
SET c.lock = true
WITH c
MATCH (c)-[:FOR_GRANT]->(g:Grant)-[:TO]->(a:App), (p:Person {{id: g.personId}})
WITH c, g, a, p, c.usedAt IS NOT NULL AS used, c.expiresAt <= datetime() AS expired
SET c.usedAt = coalesce(c.usedAt, datetime())
RETURN used, expired, c.clientId AS clientId, c.redirectUri AS redirectUri, c.challenge AS challenge,
       c.challengeMethod AS challengeMethod, c.nonce AS nonce, c.acr AS acr, c.authTime AS authTime,
       c.scopes AS scopes, {_GRANT_STATE}
"""


@dataclass(frozen=True)
class GrantState:
    """The grant behind a code or refresh token, its app and person (the ``_GRANT_STATE`` columns): whether it still
    holds (``graph.rules.app_grant_holds``) and, when not, what to tell the client."""

    grant_id: str
    sub: str
    grant_holds: bool
    tokens_not_before: int
    app_id: str
    app_status: str
    environment: str
    person_id: str
    person_status: str
    level: int
    persona_of_app: bool
    persona: bool


@dataclass(frozen=True)
class UsedCode(GrantState):
    """An authorization code just used up (``USE_CODE``): ``used`` tells whether it had been used before."""

    used: bool
    expired: bool
    client_id: str
    redirect_uri: str
    challenge: str
    challenge_method: str
    nonce: str | None
    acr: str
    auth_time: int
    scopes: list[str]


async def use_code(tx: AsyncManagedTransaction, code_hash: str) -> UsedCode | None:
    """Use the code up under its write lock: of parallel redemptions, one sees ``used`` false."""
    found = await run(tx, USE_CODE, hash=code_hash)
    return row(UsedCode, found[0]) if found else None


# --- app refresh tokens ------------------------------------------------------------------------------------------------

CREATE_REFRESH_TOKEN = """
MATCH (g:Grant {id: $grantId})
CREATE (:AppRefreshToken {hash: $hash, scopes: $scopes, createdAt: datetime(),
        expiresAt: datetime() + duration({days: $ttlDays}), usedAt: null})-[:OF_GRANT]->(g)
"""


async def create_refresh_token(
    tx: AsyncManagedTransaction, grant_id: str, token_hash: str, scopes: list[str], ttl_days: int
) -> None:
    await run(tx, CREATE_REFRESH_TOKEN, grantId=grant_id, hash=token_hash, scopes=scopes, ttlDays=ttl_days)


LOCK_REFRESH_TOKEN = f"""
MATCH (t:AppRefreshToken {{hash: $hash}})
SET t.lock = true
WITH t
MATCH (t)-[:OF_GRANT]->(g:Grant)-[:TO]->(a:App)-[:HAS_CLIENT]->(c:Client), (p:Person {{id: g.personId}})
RETURN t.usedAt IS NOT NULL AS used, t.revokedAt IS NOT NULL AS revoked, t.expiresAt <= datetime() AS expired,
       t.scopes AS scopes, c.clientId AS clientId, {_GRANT_STATE}
"""


@dataclass(frozen=True)
class LockedRefreshToken(GrantState):
    """An app refresh token under its write lock, with its grant (``LOCK_REFRESH_TOKEN``); ``revoked``: by
    ``/oauth/revoke`` or by a reuse detection (not a reuse when presented again)."""

    used: bool
    revoked: bool
    expired: bool
    scopes: list[str]
    client_id: str


async def lock_refresh_token(tx: AsyncManagedTransaction, token_hash: str) -> LockedRefreshToken | None:
    found = await run(tx, LOCK_REFRESH_TOKEN, hash=token_hash)
    return row(LockedRefreshToken, found[0]) if found else None


USE_REFRESH_TOKEN = "MATCH (t:AppRefreshToken {hash: $hash}) SET t.usedAt = datetime()"


async def use_refresh_token(tx: AsyncManagedTransaction, token_hash: str) -> None:
    await run(tx, USE_REFRESH_TOKEN, hash=token_hash)


END_GRANT_TOKENS = """
MATCH (g:Grant {id: $grantId})
SET g.tokensNotBefore = CASE WHEN coalesce(g.tokensNotBefore, 0) > $notBefore THEN g.tokensNotBefore
                             ELSE $notBefore END
WITH g
OPTIONAL MATCH (t:AppRefreshToken)-[:OF_GRANT]->(g)
WHERE $refreshTokens AND t.usedAt IS NULL
SET t.usedAt = datetime(), t.revokedAt = datetime()
RETURN count(t) AS ended
"""


async def end_grant_tokens(tx: AsyncManagedTransaction, grant_id: str, not_before: int, *, refresh_tokens: bool) -> int:
    """Refuse the grant's access tokens issued before ``not_before`` (epoch s) and, with ``refresh_tokens``, use up
    every refresh token of the grant; how many refresh tokens ended."""
    found = await run(tx, END_GRANT_TOKENS, grantId=grant_id, notBefore=not_before, refreshTokens=refresh_tokens)
    ended: int = found[0]["ended"] if found else 0
    return ended


REFRESH_TOKEN = f"""
MATCH (t:AppRefreshToken {{hash: $hash}})-[:OF_GRANT]->(g:Grant)-[:TO]->(a:App)-[:HAS_CLIENT]->(c:Client),
      (p:Person {{id: g.personId}})
RETURN c.clientId AS clientId, g.id AS grantId, g.sub AS sub, t.scopes AS scopes,
       t.createdAt.epochSeconds AS issuedAt, t.expiresAt.epochSeconds AS expiresAt,
       t.usedAt IS NULL AND t.expiresAt > datetime() AND {app_grant_holds("g", "a", "p")} AS active
"""


@dataclass(frozen=True)
class RefreshTokenState:
    """A refresh token as introspection and revocation see it (``REFRESH_TOKEN``)."""

    client_id: str
    grant_id: str
    sub: str
    scopes: list[str]
    issued_at: int
    expires_at: int
    active: bool


async def refresh_token(tx: AsyncManagedTransaction, token_hash: str) -> RefreshTokenState | None:
    found = await run(tx, REFRESH_TOKEN, hash=token_hash)
    return row(RefreshTokenState, found[0]) if found else None


REVOKE_REFRESH_TOKEN = """
MATCH (t:AppRefreshToken {hash: $hash})
SET t.usedAt = coalesce(t.usedAt, datetime()), t.revokedAt = coalesce(t.revokedAt, datetime())
"""


async def revoke_refresh_token(tx: AsyncManagedTransaction, token_hash: str) -> None:
    await run(tx, REVOKE_REFRESH_TOKEN, hash=token_hash)


# --- housekeeping --------------------------------------------------------------------------------------------------------

PURGE_CODES = """
MATCH (c:AuthorizationCode)
WHERE c.expiresAt < datetime()
WITH c LIMIT $batch
DETACH DELETE c
RETURN count(*) AS purged
"""

PURGE_REFRESH_TOKENS = """
MATCH (t:AppRefreshToken)
WHERE t.expiresAt < datetime()
WITH t LIMIT $batch
DETACH DELETE t
RETURN count(*) AS purged
"""


async def purge_codes(tx: AsyncManagedTransaction, batch: int) -> int:
    """Delete expired authorization codes (used ones too: a used code is kept until it expires, so a second
    redemption is told the code was already used)."""
    purged: int = (await run(tx, PURGE_CODES, batch=batch))[0]["purged"]
    return purged


async def purge_refresh_tokens(tx: AsyncManagedTransaction, batch: int) -> int:
    """Delete expired app refresh tokens (used ones are kept until then, for reuse detection)."""
    purged: int = (await run(tx, PURGE_REFRESH_TOKENS, batch=batch))[0]["purged"]
    return purged
