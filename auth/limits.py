"""Counted limits (codes, registrations, reset attempts): claimed atomically in the caller's write
transaction, in the same transaction as the decision they limit (DESIGN.md, "Limits hold in
parallel"). Each limit is a key, a most-per-window and a window; see graph/auth.py for the counters.
"""

from __future__ import annotations

import hashlib
import hmac

from neo4j import AsyncManagedTransaction

from core.errors import RateLimitedError
from core.runtime import Runtime
from graph import auth as queries

HOUR = 3600
DAY = 86400


def address_key(rt: Runtime, address: str | None) -> str:
    """A keyed digest of a client address: limits count addresses without storing them."""
    return hmac.new(rt.identity_key, f"address:{address or 'unknown'}".encode(), hashlib.sha256).hexdigest()


async def claim(
    tx: AsyncManagedTransaction, limits: dict[str, tuple[int, int]], message: str, *, count: bool = True
) -> dict[str, int]:
    """Claim one unit of each limit (key -> (most per window, window in seconds)), all or none, and
    return each key's count before the claim.

    RATE_LIMITED, with the time until the latest full window resets, when any is spent. With
    ``count`` False, lock and check only (the caller adds to the limits later, in the same
    transaction, when the outcome is one it counts)."""
    state = await queries.lock_limits(tx, {key: window for key, (_most, window) in limits.items()})
    full = [state[key].resets_in for key, (most, _window) in limits.items() if state[key].count >= most]
    if full:
        raise RateLimitedError(message, retry_after_seconds=max(1.0, float(max(full))))
    if count:
        await queries.add_to_limits(tx, list(limits))
    return {key: state[key].count for key in limits}


async def add(tx: AsyncManagedTransaction, limits: dict[str, tuple[int, int]]) -> None:
    """Count one more on limits locked earlier in this transaction by ``claim(..., count=False)``."""
    await queries.add_to_limits(tx, list(limits))
