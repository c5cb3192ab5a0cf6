"""Idempotency keys: a money-moving request repeated with the same key has its effect once.

``once`` runs inside the mutation's write transaction. The key node is MERGEd under a uniqueness constraint on
``scope`` (owner + ':' + key), so a concurrent duplicate blocks until the first transaction commits and then reads
its stored result. If ``work`` raises, the whole transaction rolls back and the key is not stored: a later retry
with the same key runs afresh (e.g. after topping up, a payout refused for INSUFFICIENT_FUNDS can be retried).

Retention: a key is kept ``idempotency_key_retention_seconds`` (24 h by default, as Stripe does) from its first use.
After that a request under the same key is a new request (the old result is neither replayed nor a CONFLICT), and
``purge_expired`` (run by the periodic job of ``api.app``, with ``marketplace.reconciliation.reconcile``) deletes expired keys in bounded batches.
The key of a top-up still pending at the provider is kept until the top-up is settled or failed.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar, cast

from neo4j import AsyncManagedTransaction

from core.errors import ConflictError, UserInputError
from graph import ledger as queries
from graph.driver import Graph
from graph.ledger import KeyClaim, StoredKey

KEY_PATTERN = re.compile(r"^[A-Za-z0-9_\-:.]{8,100}$")
#: The default retention (core.settings.Settings.idempotency_key_retention_seconds): 24 hours.
RETENTION_SECONDS = 24 * 3600

#: What a request asked (its fingerprint says whether a repeat is the same request).
Request = Mapping[str, object]
#: What ``work`` returns and a repeat gets back: a small JSON-able map (a TypedDict, or a dict).
Result = TypeVar("Result", bound=Mapping[str, Any])


def check_key(key: str) -> str:
    if not isinstance(key, str) or not KEY_PATTERN.match(key):
        raise UserInputError(
            "An idempotency key is 8 to 100 characters of letters, digits and _ - : . (e.g. a UUID).",
            field="idempotencyKey",
        )
    return key


def fingerprint(operation: str, request: Request) -> str:
    """sha256 of the canonical JSON of the request (sorted keys, no spaces)."""
    canonical = json.dumps(request, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def check_same_request(stored: KeyClaim | StoredKey, operation: str, request: Request) -> None:
    """CONFLICT unless the key ``stored`` was used for this same operation and request."""
    if stored.operation != operation or stored.fingerprint != fingerprint(operation, request):
        raise ConflictError(
            "This idempotency key was already used for a different request; use a new key for a new request.",
            field="idempotencyKey",
        )


def _replay(stored: KeyClaim | StoredKey, operation: str, request: Request) -> Any:
    """The result stored under the key (JSON-decoded), after checking it was stored for this same request."""
    check_same_request(stored, operation, request)
    if stored.result is None:
        raise ConflictError(
            "A request with this idempotency key is still in progress; try again shortly.", field="idempotencyKey"
        )
    return json.loads(stored.result)


async def stored_result(
    tx: AsyncManagedTransaction,
    *,
    owner: str,
    key: str,
    operation: str,
    request: Request,
    retention_seconds: float = RETENTION_SECONDS,
) -> dict[str, Any] | None:
    """The result stored under (owner, key) for this same request, None if the key is unused (or expired),
    CONFLICT if it was used for another request. A read: lets a use case skip a repeat's writes."""
    stored = await queries.stored_key(tx, f"{owner}:{check_key(key)}", retention_seconds)
    return None if stored is None else cast(dict[str, Any], _replay(stored, operation, request))


async def claim(
    tx: AsyncManagedTransaction, *, owner: str, key: str, retention_seconds: float = RETENTION_SECONDS
) -> tuple[str, KeyClaim]:
    """Claim (owner, key) in this transaction: (scope, claim) where ``claim.created`` says the key is new to us (or
    expired, hence new again); otherwise the claim holds the key's operation, fingerprint, result and intent id."""
    scope = f"{owner}:{check_key(key)}"
    return scope, await queries.claim_key(tx, scope, str(uuid.uuid4()), retention_seconds)


async def once(
    tx: AsyncManagedTransaction,
    *,
    owner: str,
    key: str,
    operation: str,
    request: Request,
    work: Callable[[AsyncManagedTransaction], Awaitable[Result]],
    retention_seconds: float = RETENTION_SECONDS,
) -> Result:
    """Run ``work(tx)`` once per (owner, key) and return its result (a small JSON-able dict); a repeat of the same
    request within the retention returns the stored result without running ``work``; another request under the key
    is a CONFLICT."""
    scope, claimed = await claim(tx, owner=owner, key=key, retention_seconds=retention_seconds)
    if not claimed.created:
        # What ``work`` returned the first time, through JSON: the same map.
        return cast(Result, _replay(claimed, operation, request))
    result = await work(tx)
    await queries.finish_key(
        tx, scope, operation, fingerprint(operation, request), json.dumps(result, sort_keys=True, ensure_ascii=False)
    )
    return result


async def purge_expired(graph: Graph, *, retention_seconds: float, batch: int, max_batches: int) -> int:
    """Delete keys past their retention, ``batch`` per transaction, at most ``max_batches`` transactions (the rest
    waits for the next run); returns how many were deleted."""
    purged = 0
    for _ in range(max_batches):
        count = await graph.write(queries.purge_keys, retention_seconds, batch)
        purged += count
        if count < batch:
            break
    return purged
