"""Cypher of partner usage: per-app daily counters and the last failures at the OAuth token endpoint.

Model (migration ``m0013_usage``)::

    (:UsageDay {appId, day: date (Hà Nội), requests, cost, errors, rateLimited, createdAt, updatedAt})
        unique on (appId, day): one node per app and day, made by the first flush that counts for it
    (:UsageFlush {id, at})
        one per flush that added counts: created in the flush's transaction, so a flush run twice (the driver
        retries a transaction function; a flush whose commit was not confirmed is tried again) adds nothing the
        second time; purged after ``FLUSH_MARKER_DAYS``
    (:TokenFailure {id, clientId, seq, at, error, description, grantType})
        the failures of one OAuth client at the token endpoint, numbered by ``Client.tokenFailureSeq`` under the
        client's write lock; only the newest ``keep`` stay (older ones deleted in the same transaction)

Nothing here stores a secret, a code or a token: ``description`` is the endpoint's own ``error_description``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from neo4j import AsyncManagedTransaction

from graph.driver import run
from graph.paging import both_ways
from graph.rows import rows

# --- daily counters -------------------------------------------------------------------------------------------

#: How long a flush's marker is kept: far longer than a flush is ever retried (the next pass, a minute later).
FLUSH_MARKER_DAYS = 2

#: One statement for every app and day of a flush. Nothing is added when the flush's marker exists already.
FLUSH_USAGE = """
OPTIONAL MATCH (done:UsageFlush {id: $flushId})
WITH done WHERE done IS NULL
CREATE (:UsageFlush {id: $flushId, at: datetime()})
WITH 1 AS go
UNWIND $rows AS r
MERGE (u:UsageDay {appId: r.appId, day: r.day})
ON CREATE SET u.requests = 0, u.cost = 0, u.errors = 0, u.rateLimited = 0, u.createdAt = datetime()
SET u.requests = u.requests + r.requests, u.cost = u.cost + r.cost, u.errors = u.errors + r.errors,
    u.rateLimited = u.rateLimited + r.rateLimited, u.updatedAt = datetime()
RETURN count(u) AS days
"""

PURGE_FLUSH_MARKERS = """
MATCH (f:UsageFlush) WHERE f.at < datetime() - duration({days: $days})
WITH f LIMIT 1000
DELETE f
"""


async def flush_usage(tx: AsyncManagedTransaction, flush_id: str, counts: list[dict[str, Any]]) -> int:
    """Add ``counts`` (``{appId, day, requests, cost, errors, rateLimited}`` each) to the apps' usage days, once per
    ``flush_id``; returns the number of days changed (0: this flush was applied before). Old markers are purged in
    the same transaction."""
    found = await run(tx, FLUSH_USAGE, flushId=flush_id, rows=counts)
    await run(tx, PURGE_FLUSH_MARKERS, days=FLUSH_MARKER_DAYS)
    return int(found[0]["days"]) if found else 0


USAGE_DAYS = """
MATCH (u:UsageDay {appId: $appId})
WHERE u.day >= $start AND u.day <= $end
RETURN u.day AS day, u.requests AS requests, u.cost AS cost, u.errors AS errors, u.rateLimited AS rateLimited
ORDER BY day
"""


@dataclass(frozen=True)
class UsageDayRow:
    day: Any  # neo4j.time.Date
    requests: int
    cost: int
    errors: int
    rate_limited: int


async def usage_days(tx: AsyncManagedTransaction, app_id: str, start: date, end: date) -> list[UsageDayRow]:
    """The app's usage days from ``start`` to ``end`` (Hà Nội dates, both included) that have counts, oldest first."""
    found = await run(tx, USAGE_DAYS, appId=app_id, start=start, end=end)
    return rows(UsageDayRow, found)


# --- token-endpoint failures ------------------------------------------------------------------------------------

#: The client's write lock first (``SET ... REMOVE``), so parallel failures of one client are numbered one after
#: the other and the cap sees every failure before it.
RECORD_TOKEN_FAILURE = """
MATCH (c:Client {clientId: $clientId})
SET c.tokenFailureLock = true
REMOVE c.tokenFailureLock
WITH c, coalesce(c.tokenFailureSeq, 0) + 1 AS seq
SET c.tokenFailureSeq = seq
CREATE (:TokenFailure {id: $id, clientId: c.clientId, seq: seq, at: datetime(), error: $error,
        description: $description, grantType: $grantType})
WITH c, seq
CALL (c, seq) {
  MATCH (old:TokenFailure {clientId: c.clientId}) WHERE old.seq <= seq - $keep
  DELETE old
}
RETURN seq
"""


async def record_token_failure(
    tx: AsyncManagedTransaction,
    *,
    failure_id: str,
    client_id: str,
    error: str,
    description: str | None,
    grant_type: str | None,
    keep: int,
) -> bool:
    """Record a failure of a known client (False: no client has this id, nothing written), keeping its newest
    ``keep``."""
    found = await run(
        tx,
        RECORD_TOKEN_FAILURE,
        id=failure_id,
        clientId=client_id,
        error=error,
        description=description,
        grantType=grant_type,
        keep=keep,
    )
    return bool(found)


#: Newest first (by number); read either way.
TOKEN_FAILURES = both_ways("""
MATCH (f:TokenFailure {clientId: $clientId})
WHERE f.seq >= 0 AND ($afterSeq IS NULL OR f.seq < $afterSeq) AND ($beforeSeq IS NULL OR f.seq > $beforeSeq)
WITH f ORDER BY f.seq {DESC} LIMIT $limit
RETURN f.id AS id, f.seq AS seq, f.at AS at, f.error AS error, f.description AS description,
       f.grantType AS grantType
""")
TOKEN_FAILURE_COUNT = "RETURN COUNT { (f:TokenFailure {clientId: $clientId}) WHERE f.seq >= 0 } AS total"


@dataclass(frozen=True)
class TokenFailureRow:
    id: str
    seq: int
    at: Any  # neo4j.time.DateTime
    error: str
    description: str | None
    grant_type: str | None


async def token_failures(
    tx: AsyncManagedTransaction,
    client_id: str,
    *,
    after_seq: int | None,
    before_seq: int | None,
    backwards: bool,
    limit: int,
) -> tuple[list[TokenFailureRow], int]:
    found = await run(
        tx,
        TOKEN_FAILURES.of(backwards),
        clientId=client_id,
        afterSeq=after_seq,
        beforeSeq=before_seq,
        limit=limit,
    )
    total = await run(tx, TOKEN_FAILURE_COUNT, clientId=client_id)
    return rows(TokenFailureRow, found), int(total[0]["total"]) if total else 0
