"""Cypher of sign-in: credentials and sign-in identifiers, sessions, refresh tokens, one-time codes, counted
limits and login throttles."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypedDict

from neo4j import AsyncManagedTransaction
from neo4j.time import DateTime

from graph.driver import run
from graph.rows import row, rows

# --- credentials and sign-in identifiers -------------------------------------------------------------------------
# A person signs in with an identity document (its digest) or a contact they verified (its ``verifiedKey``,
# ``<kind>:<value>``, set when the contact is verified), and a password.

# Credentials: the hash to verify, and ``passwordVersion``, which every real password change (change, reset) bumps
# and a rehash of the same password does not (accounts from before it have none: version 0).
CREDENTIALS = (
    "p.id AS id, p.passwordHash AS passwordHash, coalesce(p.passwordVersion, 0) AS passwordVersion, p.status AS status,"
    " p.personaOfAppId AS personaOfAppId"
)


@dataclass(frozen=True)
class Credentials:
    """What a password is checked against (``CREDENTIALS``); ``password_hash`` is None once the account is closed."""

    id: str
    password_hash: str | None
    password_version: int
    status: str
    persona_of_app_id: str | None = None  # a test persona of this sandbox app (partners.personas)


CREDENTIALS_BY_DOCUMENT = f"""
MATCH (p:Person)-[:PROVED_BY]->(:IdentityDocument {{digest: $digest}})
RETURN {CREDENTIALS}
"""

CREDENTIALS_BY_CONTACT = f"""
MATCH (p:Person)-[:HAS_CONTACT]->(:Contact {{verifiedKey: $verifiedKey}})
RETURN {CREDENTIALS}
"""


async def credentials_by_document(tx: AsyncManagedTransaction, digest: str) -> Credentials | None:
    found = await run(tx, CREDENTIALS_BY_DOCUMENT, digest=digest)
    return row(Credentials, found[0]) if found else None


async def credentials_by_contact(tx: AsyncManagedTransaction, verified_key: str) -> Credentials | None:
    found = await run(tx, CREDENTIALS_BY_CONTACT, verifiedKey=verified_key)
    return row(Credentials, found[0]) if found else None


CREDENTIALS_BY_ID = f"MATCH (p:Person {{id: $id}}) RETURN {CREDENTIALS}"


async def credentials_by_id(tx: AsyncManagedTransaction, person_id: str) -> Credentials | None:
    found = await run(tx, CREDENTIALS_BY_ID, id=person_id)
    return row(Credentials, found[0]) if found else None


# The write lock on the person is taken before its credentials are read, so a password change committing
# meanwhile is either seen or waits for the caller's transaction to end.
LOCKED_CREDENTIALS_BY_ID = f"""
MATCH (p:Person {{id: $id}})
SET p.passwordLock = true
REMOVE p.passwordLock
RETURN {CREDENTIALS}
"""


async def locked_credentials_by_id(tx: AsyncManagedTransaction, person_id: str) -> Credentials | None:
    """The person's credentials read under their write lock (held until the transaction ends)."""
    found = await run(tx, LOCKED_CREDENTIALS_BY_ID, id=person_id)
    return row(Credentials, found[0]) if found else None


SET_PASSWORD_HASH = """
MATCH (p:Person {id: $id})
SET p.passwordHash = $hash, p.passwordChangedAt = datetime(), p.passwordVersion = coalesce(p.passwordVersion, 0) + 1
"""


async def set_password_hash(tx: AsyncManagedTransaction, person_id: str, password_hash: str) -> None:
    """A new password (change, reset): a new ``passwordVersion``, so checks of the old one in flight fail."""
    await run(tx, SET_PASSWORD_HASH, id=person_id, hash=password_hash)


REHASH_PASSWORD = """
MATCH (p:Person {id: $id})
WHERE p.passwordHash = $oldHash
SET p.passwordHash = $hash
RETURN count(p) AS rehashed
"""


async def rehash_password(tx: AsyncManagedTransaction, person_id: str, old_hash: str, new_hash: str) -> bool:
    """The same password hashed anew (parameters changed, or an NFC form): only while the stored hash is still
    ``old_hash`` (a password changed meanwhile, or a parallel rehash, wins); the version stays."""
    return bool((await run(tx, REHASH_PASSWORD, id=person_id, oldHash=old_hash, hash=new_hash))[0]["rehashed"])


ASSURANCE_LEVEL = "MATCH (p:Person {id: $id}) RETURN p.assuranceLevel AS level"


async def assurance_level(tx: AsyncManagedTransaction, person_id: str) -> int:
    """The person's assurance level, written into the access tokens of a new session."""
    level: int = (await run(tx, ASSURANCE_LEVEL, id=person_id))[0]["level"]
    return level


VERIFIED_CONTACT_OWNER = """
MATCH (p:Person)-[:HAS_CONTACT]->(c:Contact {verifiedKey: $verifiedKey})
RETURN p.id AS personId, c.id AS contactId
"""


@dataclass(frozen=True)
class ContactOwner:
    """The account that verified a phone or e-mail, and that contact."""

    person_id: str
    contact_id: str


async def verified_contact_owner(tx: AsyncManagedTransaction, verified_key: str) -> ContactOwner | None:
    found = await run(tx, VERIFIED_CONTACT_OWNER, verifiedKey=verified_key)
    return row(ContactOwner, found[0]) if found else None


# --- sessions -----------------------------------------------------------------------------------------

CREATE_SESSION = """
MATCH (p:Person {id: $personId, status: 'active'})
CREATE (p)-[:HAS_SESSION]->(s:Session {id: $sessionId, userAgent: $userAgent, createdAt: datetime(),
                                       lastUsedAt: datetime(), expiresAt: datetime() + duration({days: $ttlDays})})
CREATE (t:RefreshToken {hash: $tokenHash, createdAt: datetime()})-[:OF_SESSION]->(s)
RETURN s.id AS id
"""


async def create_session(
    tx: AsyncManagedTransaction,
    *,
    person_id: str,
    session_id: str,
    user_agent: str | None,
    token_hash: str,
    ttl_days: int,
) -> bool:
    return bool(
        await run(
            tx,
            CREATE_SESSION,
            personId=person_id,
            sessionId=session_id,
            userAgent=user_agent,
            tokenHash=token_hash,
            ttlDays=ttl_days,
        )
    )


# A session lives at most $maxLifetimeDays from its creation (its absolute lifetime), however often it is
# refreshed; a rotated token keeps its successor sealed (auth.tokens.seal_successor) and a ROTATED_TO link
# to it, for the retry grace window.

LOCK_REFRESH_TOKEN = """
MATCH (t:RefreshToken {hash: $tokenHash})-[:OF_SESSION]->(s:Session)<-[:HAS_SESSION]-(p:Person)
SET t.lock = true
WITH t, s, p
OPTIONAL MATCH (t)-[:ROTATED_TO]->(next:RefreshToken)
RETURN t.usedAt IS NOT NULL AS used, s.id AS sessionId, s.revokedAt IS NOT NULL AS revoked,
       s.expiresAt < datetime() AS expired,
       s.createdAt + duration({days: $maxLifetimeDays}) < datetime() AS pastLifetime,
       coalesce(t.usedAt > datetime() - duration({seconds: $graceSeconds}), false) AS withinGrace,
       t.rotatedForAgent AS rotatedForAgent, t.sealedSuccessor AS sealedSuccessor,
       next IS NOT NULL AND next.usedAt IS NULL AS successorUnused,
       p.id AS personId, p.status AS status, p.assuranceLevel AS assuranceLevel
"""


@dataclass(frozen=True)
class LockedRefreshToken:
    """A refresh token under its write lock, its session and its person (``LOCK_REFRESH_TOKEN``)."""

    used: bool
    session_id: str
    revoked: bool
    expired: bool
    past_lifetime: bool
    within_grace: bool
    rotated_for_agent: str | None
    sealed_successor: str | None
    successor_unused: bool
    person_id: str
    status: str
    assurance_level: int


async def lock_refresh_token(
    tx: AsyncManagedTransaction, token_hash: str, *, grace_seconds: int, max_lifetime_days: int
) -> LockedRefreshToken | None:
    """Lock the token first (a write lock), so two parallel refreshes with it are serialised."""
    found = await run(
        tx, LOCK_REFRESH_TOKEN, tokenHash=token_hash, graceSeconds=grace_seconds, maxLifetimeDays=max_lifetime_days
    )
    return row(LockedRefreshToken, found[0]) if found else None


ROTATE_REFRESH_TOKEN = """
MATCH (old:RefreshToken {hash: $oldHash})-[:OF_SESSION]->(s:Session)
WITH old, s, datetime() + duration({days: $ttlDays}) AS renewed, s.createdAt + duration({days: $maxLifetimeDays}) AS last
SET old.usedAt = datetime(), old.rotatedForAgent = $userAgent, old.sealedSuccessor = $sealedSuccessor,
    s.lastUsedAt = datetime(), s.expiresAt = CASE WHEN renewed < last THEN renewed ELSE last END
SET s.userAgent = coalesce($userAgent, s.userAgent)
CREATE (old)-[:ROTATED_TO]->(:RefreshToken {hash: $newHash, createdAt: datetime()})-[:OF_SESSION]->(s)
WITH old
OPTIONAL MATCH (previous:RefreshToken)-[:ROTATED_TO]->(old)
REMOVE previous.sealedSuccessor
"""


async def rotate_refresh_token(
    tx: AsyncManagedTransaction,
    old_hash: str,
    new_hash: str,
    *,
    sealed_successor: str,
    ttl_days: int,
    max_lifetime_days: int,
    user_agent: str | None,
) -> None:
    """Use ``old_hash`` up for ``new_hash``, keeping the successor sealed on the old token; the token before
    it loses its own seal (its grace window is over once its successor is rotated)."""
    await run(
        tx,
        ROTATE_REFRESH_TOKEN,
        oldHash=old_hash,
        newHash=new_hash,
        sealedSuccessor=sealed_successor,
        ttlDays=ttl_days,
        maxLifetimeDays=max_lifetime_days,
        userAgent=user_agent,
    )


REVOKE_SESSIONS = """
MATCH (p:Person {id: $personId})-[:HAS_SESSION]->(s:Session)
WHERE s.revokedAt IS NULL
  AND ($sessionIds IS NULL OR s.id IN $sessionIds)
  AND ($exceptId IS NULL OR s.id <> $exceptId)
SET s.revokedAt = datetime(), s.revokedReason = $reason
RETURN count(s) AS revoked
"""


async def revoke_sessions(
    tx: AsyncManagedTransaction,
    person_id: str,
    *,
    reason: str,
    session_ids: list[str] | None = None,
    except_id: str | None = None,
) -> int:
    found = await run(
        tx, REVOKE_SESSIONS, personId=person_id, sessionIds=session_ids, exceptId=except_id, reason=reason
    )
    revoked: int = found[0]["revoked"]
    return revoked


ACTIVE_SESSIONS = """
MATCH (:Person {id: $personId})-[:HAS_SESSION]->(s:Session)
WHERE s.revokedAt IS NULL AND s.expiresAt > datetime() AND ($sessionIds IS NULL OR s.id IN $sessionIds)
RETURN s {.id, .userAgent, .createdAt, .lastUsedAt} AS session
ORDER BY s.lastUsedAt DESC
"""


@dataclass(frozen=True)
class SessionRow:
    """An open session (the ``session`` map of ``ACTIVE_SESSIONS``)."""

    id: str
    user_agent: str | None
    created_at: DateTime
    last_used_at: DateTime


async def active_sessions(
    tx: AsyncManagedTransaction, person_id: str, session_ids: list[str] | None = None
) -> list[SessionRow]:
    """The person's open sessions, most recently used first (only those of ``session_ids`` when given)."""
    found = await run(tx, ACTIVE_SESSIONS, personId=person_id, sessionIds=session_ids)
    return rows(SessionRow, [r["session"] for r in found])


VIEWER = """
MATCH (p:Person {id: $personId})-[:HAS_SESSION]->(s:Session {id: $sessionId})
WHERE p.status = 'active' AND s.revokedAt IS NULL
RETURN p.roles AS roles, p.assuranceLevel AS assuranceLevel
"""


@dataclass(frozen=True)
class SessionViewer:
    """What a request's viewer carries from the graph: the person's roles and assurance level."""

    roles: list[str] | None
    assurance_level: int


async def viewer_of_session(tx: AsyncManagedTransaction, person_id: str, session_id: str) -> SessionViewer | None:
    found = await run(tx, VIEWER, personId=person_id, sessionId=session_id)
    return row(SessionViewer, found[0]) if found else None


# --- one-time codes ----------------------------------------------------------------------------------------
# A code is bound to the account and the contact it was issued for: a check for (person, contact)
# only ever sees that pair's codes. The destination is kept as a keyed digest (``destinationKey``),
# never in clear, so a request for an unknown phone or e-mail stores nothing readable. A reset
# request for an unknown destination stores a blank code (no person, no hash) that nothing matches,
# so both cases run the same statements.

CREATE_CODE = """
CREATE (o:OneTimeCode {id: $id, purpose: $purpose, destinationKey: $destinationKey, codeHash: $codeHash,
                       personId: $personId, contactId: $contactId, attempts: 0, createdAt: datetime(),
                       expiresAt: datetime() + duration({seconds: $ttlSeconds})})
"""


async def create_code(
    tx: AsyncManagedTransaction,
    *,
    id: str,
    purpose: str,
    destination_key: str,
    code_hash: str | None,
    person_id: str | None,
    contact_id: str | None,
    ttl_seconds: int,
) -> None:
    await run(
        tx,
        CREATE_CODE,
        id=id,
        purpose=purpose,
        destinationKey=destination_key,
        codeHash=code_hash,
        personId=person_id,
        contactId=contact_id,
        ttlSeconds=ttl_seconds,
    )


LOCK_LIVE_CODE = """
MATCH (o:OneTimeCode {personId: $personId, purpose: $purpose})
WHERE o.contactId = $contactId AND o.destinationKey = $destinationKey
  AND o.usedAt IS NULL AND o.expiresAt > datetime() AND o.attempts < $maxAttempts
WITH o ORDER BY o.createdAt DESC LIMIT 1
SET o.lock = true
RETURN o {.id, .codeHash, .attempts, .personId, .contactId} AS code
"""


@dataclass(frozen=True)
class LiveCode:
    """A live one-time code under its write lock (the ``code`` map); ``code_hash`` is None for a blank code."""

    id: str
    code_hash: str | None
    attempts: int
    person_id: str | None
    contact_id: str | None


async def lock_live_code(
    tx: AsyncManagedTransaction,
    *,
    person_id: str,
    contact_id: str,
    destination_key: str,
    purpose: str,
    max_attempts: int,
) -> LiveCode | None:
    """The newest live code of this (person, contact, destination, purpose), write-locked."""
    found = await run(
        tx,
        LOCK_LIVE_CODE,
        personId=person_id,
        contactId=contact_id,
        destinationKey=destination_key,
        purpose=purpose,
        maxAttempts=max_attempts,
    )
    return row(LiveCode, found[0]["code"]) if found else None


LOCK_LIVE_BLANK_CODE = """
MATCH (o:OneTimeCode {destinationKey: $destinationKey, purpose: $purpose})
WHERE o.personId IS NULL AND o.usedAt IS NULL AND o.expiresAt > datetime() AND o.attempts < $maxAttempts
WITH o ORDER BY o.createdAt DESC LIMIT 1
SET o.lock = true
RETURN o {.id, .codeHash, .attempts, .personId, .contactId} AS code
"""


async def lock_live_blank_code(
    tx: AsyncManagedTransaction, *, destination_key: str, purpose: str, max_attempts: int
) -> LiveCode | None:
    """The newest live blank code (no account) of this destination and purpose, write-locked."""
    found = await run(
        tx, LOCK_LIVE_BLANK_CODE, destinationKey=destination_key, purpose=purpose, maxAttempts=max_attempts
    )
    return row(LiveCode, found[0]["code"]) if found else None


USE_CODE = "MATCH (o:OneTimeCode {id: $id}) SET o.usedAt = datetime()"
FAIL_CODE = "MATCH (o:OneTimeCode {id: $id}) SET o.attempts = o.attempts + 1 RETURN o.attempts AS attempts"


async def use_code(tx: AsyncManagedTransaction, code_id: str) -> None:
    await run(tx, USE_CODE, id=code_id)


async def fail_code(tx: AsyncManagedTransaction, code_id: str) -> int:
    """Count a wrong guess on the code; its attempts so far."""
    attempts: int = (await run(tx, FAIL_CODE, id=code_id))[0]["attempts"]
    return attempts


# --- rate limits: counted windows claimed atomically ------------------------------------------------------------
# One (:RateLimit {key}) node per limited thing (a destination digest, an account, a client address
# digest, the whole platform), unique on ``key``, so parallel MERGEs meet on one node. Its write lock
# serialises the claims: read the counts, decide, add one to each, all in the caller's transaction.
# A window starts at the first claim and resets when it has passed (fixed windows).

LOCK_LIMITS = """
UNWIND $keys AS key
WITH key ORDER BY key
MERGE (l:RateLimit {key: key})
ON CREATE SET l.count = 0, l.windowStart = datetime()
SET l.lock = true, l.windowSeconds = $windowSeconds[l.key]
WITH l, l.windowStart <= datetime() - duration({seconds: $windowSeconds[l.key]}) AS passed
SET l.count = CASE WHEN passed THEN 0 ELSE l.count END,
    l.windowStart = CASE WHEN passed THEN datetime() ELSE l.windowStart END
RETURN l.key AS key, l.count AS count,
       duration.inSeconds(datetime(), l.windowStart + duration({seconds: $windowSeconds[l.key]})).seconds AS resetsIn
"""


@dataclass(frozen=True)
class LimitState:
    """A counted limit under its write lock: its count in the current window, and the seconds until it resets."""

    key: str
    count: int
    resets_in: int


async def lock_limits(tx: AsyncManagedTransaction, windows: dict[str, int]) -> dict[str, LimitState]:
    """Lock the limits of ``windows`` (key -> window in seconds), in key order so two claims never
    deadlock; returns each key's current count and the seconds until its window resets."""
    found = rows(LimitState, await run(tx, LOCK_LIMITS, keys=sorted(windows), windowSeconds=windows))
    return {state.key: state for state in found}


ADD_TO_LIMITS = """
UNWIND $keys AS key
MATCH (l:RateLimit {key: key})
SET l.count = l.count + 1
"""


async def add_to_limits(tx: AsyncManagedTransaction, keys: list[str]) -> None:
    await run(tx, ADD_TO_LIMITS, keys=sorted(keys))


# --- login throttles ------------------------------------------------------------------------------------------
# One (:LoginThrottle {key}) per counted thing (an account, a client address, an account from one address):
# failures (in-flight attempts included), pending (attempts in flight, forgotten after pendingUntil),
# lockedUntil (the wait after the last failure), signedInAt (a success through this key).
# A password check first claims an attempt on every key in one short transaction: LOCK_THROTTLES takes the
# write locks (keys in sorted order, so parallel claims never deadlock) and reads the state under them;
# when every key allows it CLAIM_THROTTLES counts the attempt as a failure in flight. After the check
# (outside any transaction) SETTLE_FAILURE starts the wait, or SETTLE_SUCCESS gives the attempt back.

LOCK_THROTTLES = """
UNWIND $keys AS key
MERGE (t:LoginThrottle {key: key})
ON CREATE SET t.failures = 0, t.pending = 0, t.created = true
SET t.lock = true
WITH t, datetime() AS now, t.created IS NOT NULL AS created
REMOVE t.created
RETURN t.key AS key, created,
       CASE WHEN t.lastFailureAt < now - duration({seconds: $forgetSeconds[t.key]}) THEN 0 ELSE t.failures END AS failures,
       CASE WHEN t.pendingUntil > now THEN t.pending ELSE 0 END AS pending,
       t.lockedUntil AS lockedUntil, t.signedInAt IS NOT NULL AS known, now
"""


@dataclass(frozen=True)
class ThrottleState:
    """A login throttle read under its write lock (``LOCK_THROTTLES``); ``now`` is the database's clock."""

    key: str
    created: bool
    failures: int
    pending: int
    locked_until: DateTime | None
    known: bool
    now: DateTime


async def lock_throttles(
    tx: AsyncManagedTransaction, keys: list[str], forget_seconds: dict[str, int]
) -> list[ThrottleState]:
    """Lock (creating when missing: ``created``) the throttles of ``keys``, in that order, and read them under the
    lock: failures not yet forgotten (``forget_seconds``: key -> seconds), attempts in flight, the end of the
    current wait."""
    return rows(ThrottleState, await run(tx, LOCK_THROTTLES, keys=keys, forgetSeconds=forget_seconds))


DELETE_THROTTLES = """
UNWIND $keys AS key
MATCH (t:LoginThrottle {key: key})
DELETE t
"""


async def delete_throttles(tx: AsyncManagedTransaction, keys: list[str]) -> None:
    """Delete throttles this transaction created (a refused claim): nothing of it is committed."""
    if keys:
        await run(tx, DELETE_THROTTLES, keys=keys)


CLAIM_THROTTLES = """
UNWIND $keys AS key
MATCH (t:LoginThrottle {key: key})
SET t.failures = CASE WHEN t.lastFailureAt < datetime() - duration({seconds: $forgetSeconds[key]})
                      THEN 1 ELSE t.failures + 1 END,
    t.lastFailureAt = datetime(),
    t.pending = CASE WHEN t.pendingUntil > datetime() THEN t.pending + 1 ELSE 1 END,
    t.pendingUntil = datetime() + duration({seconds: $inFlightSeconds})
"""


async def claim_throttles(
    tx: AsyncManagedTransaction, keys: list[str], forget_seconds: dict[str, int], in_flight_seconds: int
) -> None:
    """Count one attempt, in flight, on each key (locked by ``lock_throttles`` first)."""
    await run(tx, CLAIM_THROTTLES, keys=keys, forgetSeconds=forget_seconds, inFlightSeconds=in_flight_seconds)


SETTLE_FAILURE = """
UNWIND $entries AS entry
MATCH (t:LoginThrottle {key: entry.key})
SET t.pending = CASE WHEN t.pending > 0 AND t.pendingUntil > datetime() THEN t.pending - 1 ELSE 0 END
SET t.lockedUntil = CASE WHEN t.failures >= entry.free
    THEN datetime() + duration({seconds: toInteger(
           CASE WHEN entry.firstDelay * 2.0 ^ (t.failures - entry.free) > entry.maxDelay THEN entry.maxDelay
                ELSE entry.firstDelay * 2.0 ^ (t.failures - entry.free) END)})
    ELSE t.lockedUntil END
"""


class FailureEntry(TypedDict):
    """A throttle key to settle as failed, with its policy (``auth.throttle.ThrottleKey``)."""

    key: str
    free: int
    firstDelay: int
    maxDelay: int


async def settle_failure(tx: AsyncManagedTransaction, entries: list[FailureEntry]) -> None:
    """A claimed attempt failed: from ``free`` failures on, wait ``firstDelay`` seconds, twice that, four times
    ... up to ``maxDelay``, from now."""
    await run(tx, SETTLE_FAILURE, entries=entries)


SETTLE_SUCCESS = """
UNWIND $entries AS entry
MATCH (t:LoginThrottle {key: entry.key})
SET t.pending = CASE WHEN t.pending > 0 AND t.pendingUntil > datetime() THEN t.pending - 1 ELSE 0 END
SET t.failures = CASE WHEN entry.reset THEN t.pending WHEN t.failures < 1 THEN 0 ELSE t.failures - 1 END
SET t.lockedUntil = CASE WHEN t.failures < entry.free THEN null ELSE t.lockedUntil END,
    t.signedInAt = CASE WHEN entry.reset THEN datetime() ELSE t.signedInAt END
"""


class SuccessEntry(TypedDict):
    """A throttle key to settle as succeeded: its free failures, and whether a success starts it over."""

    key: str
    free: int
    reset: bool


async def settle_success(tx: AsyncManagedTransaction, entries: list[SuccessEntry]) -> None:
    """A claimed attempt had the right password: ``reset`` keys start over from the attempts still in flight
    (and remember the success), the others lose the one failure the claim counted."""
    await run(tx, SETTLE_SUCCESS, entries=entries)


# --- housekeeping: records that no longer hold anything are deleted in bounded batches ------------------------------
# A throttle is spent when its failures are forgotten, nothing is in flight, no wait runs and it marks no recent
# sign-in (a known address); a limit when its window has passed (``windowSeconds``, stored by each claim; a day for
# limits claimed before it was); a one-time code a day after it was issued, once used or expired.

# Each purge checks its records again once it holds their write locks: a claim committing in between (a fresh
# failure on a throttle, a new window on a limit) keeps the record.

SPENT_THROTTLE = """
coalesce(t.lastFailureAt < datetime() - duration({seconds: $forgetSeconds}), true)
  AND coalesce(t.pendingUntil < datetime(), true) AND coalesce(t.lockedUntil < datetime(), true)
  AND coalesce(t.signedInAt < datetime() - duration({days: $knownDays}), true)
"""

PURGE_THROTTLES = f"""
MATCH (t:LoginThrottle)
WHERE {SPENT_THROTTLE}
WITH t LIMIT $batch
SET t.lock = true
WITH t WHERE {SPENT_THROTTLE}
DELETE t
RETURN count(*) AS purged
"""


async def purge_throttles(tx: AsyncManagedTransaction, forget_seconds: int, known_days: int, batch: int) -> int:
    found = await run(tx, PURGE_THROTTLES, forgetSeconds=forget_seconds, knownDays=known_days, batch=batch)
    purged: int = found[0]["purged"]
    return purged


PASSED_WINDOW = "l.windowStart < datetime() - duration({seconds: coalesce(l.windowSeconds, 86400)})"

PURGE_LIMITS = f"""
MATCH (l:RateLimit)
WHERE {PASSED_WINDOW}
WITH l LIMIT $batch
SET l.lock = true
WITH l WHERE {PASSED_WINDOW}
DELETE l
RETURN count(*) AS purged
"""


async def purge_limits(tx: AsyncManagedTransaction, batch: int) -> int:
    purged: int = (await run(tx, PURGE_LIMITS, batch=batch))[0]["purged"]
    return purged


PURGE_CODES = """
MATCH (o:OneTimeCode)
WHERE o.createdAt < datetime() - duration({days: 1}) AND (o.usedAt IS NOT NULL OR o.expiresAt < datetime())
WITH o LIMIT $batch
DETACH DELETE o
RETURN count(*) AS purged
"""


async def purge_codes(tx: AsyncManagedTransaction, batch: int) -> int:
    purged: int = (await run(tx, PURGE_CODES, batch=batch))[0]["purged"]
    return purged
