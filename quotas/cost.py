"""Query-cost budgets: the points each caller may spend in a moving window (docs/partners.md, "Query cost").

Whose budget a request spends (``budget_for``):

- a partner app's request: the app's (all its tokens, persons and client credentials together):
  ``query_cost_budget_app`` points per window in production, ``query_cost_budget_sandbox_app`` in its sandbox;
- a signed-in person's request through the city's own clients: the person's (``query_cost_budget_person``);
- an anonymous request: its client address's (``query_cost_budget_anonymous``), so anonymous callers are bounded
  too and ``extensions.cost.remaining`` is never null; counted under a keyed digest of the address
  (``auth.limits.address_key``, as the request windows do), never the address itself.

Each budget is a ``limits`` moving window (``MovingWindowRateLimiter``) on the one storage of the process
(``Runtime.quota_storage``): ``spend`` takes the operation's whole cost in one ``hit(..., cost=n)``, which is all
or nothing and atomic in the storage (one lock per key in memory, one script in Redis), so 40 requests in parallel
spend a budget exactly. The window's size and the budget's points are part of its key (``limits`` puts them
there), so changing a setting starts a fresh window.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache

from limits import RateLimitItem, RateLimitItemPerSecond
from limits.aio.storage import Storage
from limits.aio.strategies import MovingWindowRateLimiter

from auth.limits import address_key
from auth.viewer import Viewer
from core.runtime import Runtime
from quotas.requests import Window, request_window
from quotas.storage import SweptMemoryStorage

#: The namespace of the budgets' keys in the storage (the request windows use their own).
NAMESPACE = "cost"


@dataclass(frozen=True)
class Budget:
    """One caller's budget: who (``kind``: app, sandbox_app, person or address; ``key``), how many points per
    window."""

    kind: str
    key: str
    points: int
    window_seconds: int

    @property
    def item(self) -> RateLimitItem:
        return _item(self.points, self.window_seconds)


@lru_cache(maxsize=64)
def _item(points: int, seconds: int) -> RateLimitItem:
    return RateLimitItemPerSecond(points, seconds, namespace=NAMESPACE)


@dataclass(frozen=True)
class Standing:
    """Where a budget stands: whether this spending was taken, the points left in the window and when the oldest
    points spent in it come back (Unix time; ``reset_at`` is now when nothing is spent)."""

    allowed: bool
    remaining: int
    reset_at: float

    def retry_after(self, now: float | None = None) -> float:
        """Seconds until the oldest points spent come back (at least one)."""
        return max(1.0, self.reset_at - (time.time() if now is None else now))


def budget_for(rt: Runtime, viewer: Viewer, address: str | None) -> Budget:
    """The budget a request by ``viewer`` (from client ``address``) spends."""
    settings = rt.settings
    window = settings.query_cost_window_seconds
    if viewer.is_app and viewer.app_id is not None:
        if viewer.sandbox:
            return Budget("sandbox_app", viewer.app_id, settings.query_cost_budget_sandbox_app, window)
        return Budget("app", viewer.app_id, settings.query_cost_budget_app, window)
    if viewer.kind == "person" and viewer.actor_id is not None:
        return Budget("person", viewer.actor_id, settings.query_cost_budget_person, window)
    return Budget("address", address_key(rt, address), settings.query_cost_budget_anonymous, window)


async def spend(storage: Storage, budget: Budget, cost: int) -> Standing:
    """Take ``cost`` points from ``budget`` if they are all there (nothing is taken otherwise); a cost of 0 takes
    nothing and is always allowed."""
    item = budget.item
    if isinstance(storage, SweptMemoryStorage):  # the same count and read in one call, no coroutine (its doc)
        key, expiry = item.key_for(budget.kind, budget.key), item.get_expiry()
        if cost > 0:
            allowed, start, count = storage.hit_and_window(key, item.amount, expiry, cost)
        else:
            allowed, (start, count) = True, storage.window(key, expiry)
        return Standing(allowed=allowed, remaining=max(0, item.amount - count), reset_at=start + expiry)
    limiter = MovingWindowRateLimiter(storage)
    allowed = True
    if cost > 0:
        allowed = await limiter.hit(item, budget.kind, budget.key, cost=cost)
    stats = await limiter.get_window_stats(item, budget.kind, budget.key)
    return Standing(allowed=allowed, remaining=max(0, stats.remaining), reset_at=stats.reset_time)


async def standing(storage: Storage, budget: Budget) -> Standing:
    """Where ``budget`` stands, spending nothing."""
    return await spend(storage, budget, 0)


@dataclass(frozen=True)
class RateLimitStatus:
    """Where a caller stands (the ``rateLimit`` query): its cost budget after this request's ``cost`` was taken,
    and its tightest request window."""

    limit: int
    cost: int
    remaining: int
    reset_at: datetime | None
    window_seconds: int
    requests: Window

    @property
    def used(self) -> int:
        return self.limit - self.remaining


async def rate_limit_status(rt: Runtime, viewer: Viewer, address: str | None, cost: int) -> RateLimitStatus:
    """``viewer``'s cost budget and request window as they stand (nothing spent: this request's own cost was
    taken before it ran, ``cost`` says how much)."""
    if rt.quota_storage is None:
        raise RuntimeError("The runtime has no quota storage (api.app.build_runtime builds it).")
    budget = budget_for(rt, viewer, address)
    found = await standing(rt.quota_storage, budget)
    spent = found.remaining < budget.points
    return RateLimitStatus(
        limit=budget.points,
        cost=cost,
        remaining=found.remaining,
        reset_at=datetime.fromtimestamp(found.reset_at, UTC) if spent else None,
        window_seconds=budget.window_seconds,
        requests=await request_window(rt, viewer, address=address),
    )
