"""Idempotency keys: a money-moving request repeated with the same key has its effect once.

``once`` runs inside the mutation's write transaction. The key node is MERGEd under a uniqueness constraint on
``scope`` (owner + ':' + key), so a concurrent duplicate blocks until the first transaction commits and then reads
its stored result. If ``work`` raises, the whole transaction rolls back and the key is not stored: a later retry
with the same key runs afresh (e.g. after topping up, a payout refused for INSUFFICIENT_FUNDS can be retried).
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from collections.abc import Awaitable, Callable

from neo4j import AsyncManagedTransaction

from core.errors import ConflictError, UserInputError
from graph import ledger as queries

KEY_PATTERN = re.compile(r"^[A-Za-z0-9_\-:.]{8,100}$")


def check_key(key: str) -> str:
    if not isinstance(key, str) or not KEY_PATTERN.match(key):
        raise UserInputError(
            "An idempotency key is 8 to 100 characters of letters, digits and _ - : . (e.g. a UUID).",
            field="idempotencyKey",
        )
    return key


def fingerprint(operation: str, request: dict) -> str:
    """sha256 of the canonical JSON of the request (sorted keys, no spaces)."""
    canonical = json.dumps(request, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _replay(stored: dict, operation: str, request: dict) -> dict:
    if stored["operation"] != operation or stored["fingerprint"] != fingerprint(operation, request):
        raise ConflictError(
            "This idempotency key was already used for a different request; use a new key for a new request.",
            field="idempotencyKey",
        )
    return json.loads(stored["result"])


async def stored_result(tx: AsyncManagedTransaction, *, owner: str, key: str, operation: str,
                        request: dict) -> dict | None:
    """The result stored under (owner, key) for this same request, None if the key is unused, CONFLICT if it was
    used for another request. A read: lets a use case skip an outside call (the provider) for a repeat."""
    stored = await queries.stored_key(tx, f"{owner}:{check_key(key)}")
    return None if stored is None else _replay(stored, operation, request)


async def once(tx: AsyncManagedTransaction, *, owner: str, key: str, operation: str, request: dict,
               work: Callable[[AsyncManagedTransaction], Awaitable[dict]]) -> dict:
    """Run ``work(tx)`` once per (owner, key) and return its result (a small JSON-able dict); a repeat of the same
    request returns the stored result without running ``work``; another request under the key is a CONFLICT."""
    scope = f"{owner}:{check_key(key)}"
    claim = str(uuid.uuid4())
    row = await queries.claim_key(tx, scope, claim)
    if not row["created"]:
        return _replay(row, operation, request)
    result = await work(tx)
    await queries.finish_key(tx, scope, operation, fingerprint(operation, request),
                             json.dumps(result, sort_keys=True, ensure_ascii=False))
    return result
