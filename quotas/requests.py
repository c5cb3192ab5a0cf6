"""Request windows: how many GraphQL requests a caller may send per window (docs/partners.md, "Rate limits").

Every request to ``/graphql`` is counted, right after its caller (the viewer) is known and before anything of it
runs (``api.graphql_view``), in the windows that apply to that caller:

- a partner app: the app's window (``rate_limit_app``, or ``rate_limit_sandbox_app`` while the app is in its
  sandbox) and, when it acts for a person, the window of that app and person (``rate_limit_app_person``), so one
  busy person cannot spend the whole app's window;
- a person through a first-party client: the person's window (``rate_limit_person``);
- anyone else (anonymous): the window of the client address (``rate_limit_address``; the address as
  ``api.app.client_address_middleware`` sets it behind trusted proxies), counted under a keyed digest of the
  address (``auth.limits.address_key``), never the address itself.

Windows are moving windows (``limits.aio.strategies.MovingWindowRateLimiter`` on ``Runtime.quota_storage``): at
most N requests in ANY ``rate_limit_window_seconds`` seconds, not per clock minute. Measured against the sliding
window counter (the library's other cheap strategy, which weights the previous clock window): both let exactly
20 of 40 parallel requests through a limit of 20 in one process, but the sliding counter let 21 requests through
a 20-per-2-seconds limit within half a second across a window boundary (10 before it, 11 after), where the
moving window let 20; and its cost per request grew with the number of keys in the memory storage (25 µs with one
key, 250 µs with 2,000), where the moving window's stayed flat (55-100 µs).

A request is checked in every window before it is counted in any (narrowest first; a full window refuses without
counting, so the first one's count is its check), so a refused request normally spends nothing. The count itself is atomic per window (the memory storage counts under the key's lock, Redis in
one script), so no window ever lets more than its N through, whatever the parallelism (tested with 40 parallel
requests against 20). Parallel requests may all pass the check and then race for the last places: one that loses
at the app's window has been counted in its person's window already (only ever in a race, and only there).
``RateLimit-Remaining`` is read just after counting, so parallel requests may read the same figure.

The answer to every request carries the state of the tightest window that applies (the least remaining):
``RateLimit-Limit``, ``RateLimit-Remaining`` and ``RateLimit-Reset`` (seconds until a request is free again);
a refused one is HTTP 429 ``RATE_LIMITED`` with ``extensions.retryAfterSeconds`` and ``Retry-After``.

A request whose token is refused (401) is counted as an anonymous one, in its address's window, so a stream of
revoked or forged tokens is limited too. When the storage fails (Redis away, ...), the view refuses the request
with 503 UNAVAILABLE (``storage_unavailable``) and logs it: fail closed, never a request let through uncounted.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache

from limits import RateLimitItem, RateLimitItemPerSecond
from limits.aio.strategies import MovingWindowRateLimiter

from auth.limits import address_key
from auth.viewer import Viewer
from core.errors import RateLimitedError, UnavailableError
from core.runtime import Runtime
from quotas.storage import SweptMemoryStorage

#: The namespace of the request windows' keys in the storage (the cost budgets have their own).
NAMESPACE = "requests"

#: The refusals, by the window that refused (``Limit.kind``); ``retryAfterSeconds`` and ``Retry-After`` say how
#: long to wait.
APP_LIMITED = "This app sent too many requests just now; wait before trying again."
APP_PERSON_LIMITED = "This app sent too many requests for this person just now; wait before trying again."
PERSON_LIMITED = "You sent too many requests just now; wait before trying again."
ADDRESS_LIMITED = "Too many requests came from your address just now; wait before trying again."
#: The windows' storage failed (Redis away, ...): the request is refused (fail closed), 503 UNAVAILABLE.
STORAGE_UNAVAILABLE = "Requests cannot be counted right now; try again shortly."
#: Retry-After (seconds) of that refusal.
STORAGE_RETRY_AFTER_SECONDS = 5.0


@dataclass(frozen=True)
class Window:
    """The state of one request window of a caller: at most ``limit`` requests in ``window_seconds``,
    ``remaining`` of them free now; ``reset_at`` is when the next one frees (the oldest counted request leaves
    the window), or now when none is counted."""

    limit: int
    remaining: int
    reset_at: datetime
    kind: str = "app"  # app | app_person | person | address (Limit.kind)
    window_seconds: int = 60

    def reset_after(self, now: float | None = None) -> int:
        """Whole seconds until ``reset_at`` (0 when it has passed): ``RateLimit-Reset``."""
        now = time.time() if now is None else now
        return max(0, math.ceil(self.reset_at.timestamp() - now))

    def headers(self, now: float | None = None) -> dict[str, str]:
        """``RateLimit-Limit``, ``RateLimit-Remaining`` and ``RateLimit-Reset`` of this window."""
        return {
            "RateLimit-Limit": str(self.limit),
            "RateLimit-Remaining": str(self.remaining),
            "RateLimit-Reset": str(self.reset_after(now)),
        }


@dataclass(frozen=True)
class Limit:
    """One window a request is counted in: what it counts (``kind``: app | app_person | person | address) and the
    key of the counted one."""

    kind: str
    item: RateLimitItem
    identifiers: tuple[str, ...]


@dataclass(frozen=True)
class Admission:
    """The outcome of a request's check: ``window`` is the tightest window that applies (after counting this
    request when it was let through); ``retry_after`` is set (seconds) when it was refused."""

    window: Window
    retry_after: float | None = None

    @property
    def allowed(self) -> bool:
        return self.retry_after is None

    def refusal(self) -> RateLimitedError:
        """The RATE_LIMITED error of a refused request (its message names the window that refused it)."""
        seconds = max(1, math.ceil(self.retry_after or 1))
        kind = self.window.kind
        message = (
            APP_LIMITED
            if kind == "app"
            else APP_PERSON_LIMITED
            if kind == "app_person"
            else PERSON_LIMITED
            if kind == "person"
            else ADDRESS_LIMITED
        )
        return RateLimitedError(message, retry_after_seconds=float(seconds))


def storage_unavailable() -> UnavailableError:
    """The refusal of a request whose windows could not be counted (the storage failed): fail closed."""
    return UnavailableError(STORAGE_UNAVAILABLE, retry_after_seconds=STORAGE_RETRY_AFTER_SECONDS)


@lru_cache(maxsize=64)
def _item(amount: int, seconds: int) -> RateLimitItem:
    return RateLimitItemPerSecond(amount, seconds, namespace=NAMESPACE)


def limits_for(rt: Runtime, viewer: Viewer, address: str | None) -> list[Limit]:
    """The windows a request of ``viewer`` (from ``address``) is counted in, narrowest first."""
    settings = rt.settings
    seconds = settings.rate_limit_window_seconds
    if viewer.kind == "partner_app" and viewer.app_id is not None:
        app_amount = settings.rate_limit_sandbox_app if viewer.sandbox else settings.rate_limit_app
        app = Limit("app", _item(app_amount, seconds), ("app", viewer.app_id))
        if viewer.actor_id is None:  # client credentials: the app itself
            return [app]
        person = Limit(
            "app_person", _item(settings.rate_limit_app_person, seconds), ("app", viewer.app_id, viewer.actor_id)
        )
        return [person, app]
    if viewer.kind == "person" and viewer.actor_id is not None:
        return [Limit("person", _item(settings.rate_limit_person, seconds), ("person", viewer.actor_id))]
    return [Limit("address", _item(settings.rate_limit_address, seconds), ("address", address_key(rt, address)))]


def _limiter(rt: Runtime) -> MovingWindowRateLimiter:
    if rt.quota_storage is None:
        raise RuntimeError("The runtime has no quota storage (api.app.build_runtime builds it).")
    return MovingWindowRateLimiter(rt.quota_storage)


async def _state(limiter: MovingWindowRateLimiter, limit: Limit) -> Window:
    stats = await limiter.get_window_stats(limit.item, *limit.identifiers)
    return _window(limit, stats.reset_time, stats.remaining)


def _window(limit: Limit, reset_time: float, remaining: int) -> Window:
    """The window of ``limit`` from the library's figures (its reset time: the oldest entry's time plus the span)."""
    empty = remaining >= limit.item.amount  # the library's reset of an empty window is a window from now
    return Window(
        limit=limit.item.amount,
        remaining=max(0, remaining),
        reset_at=datetime.fromtimestamp(time.time() if empty else reset_time, UTC),
        kind=limit.kind,
        window_seconds=limit.item.get_expiry(),
    )


def _in_memory(limit: Limit, start: float, count: int) -> Window:
    """The window of ``limit`` from ``SweptMemoryStorage``'s figures (oldest entry's time, entries in the window)."""
    return _window(limit, start + limit.item.get_expiry(), limit.item.amount - count)


def _tightest(windows: list[Window]) -> Window:
    return min(windows, key=lambda w: (w.remaining, -w.reset_at.timestamp()))


async def admit(rt: Runtime, viewer: Viewer, address: str | None) -> Admission:
    """Count one request of ``viewer`` from ``address`` in each of its windows, or refuse it (counting nothing)
    when one of them is full."""
    limits = limits_for(rt, viewer, address)
    if isinstance(rt.quota_storage, SweptMemoryStorage):
        return _admit_in_memory(rt.quota_storage, limits)
    limiter = _limiter(rt)
    for limit in limits[1:]:  # the first refuses without counting when it is full: its check is its count
        if not await limiter.test(limit.item, *limit.identifiers):
            return await _refused(limiter, limit)
    for limit in limits:
        if not await limiter.hit(limit.item, *limit.identifiers):  # parallel requests took the last places
            return await _refused(limiter, limit)
    return Admission(_tightest([await _state(limiter, limit) for limit in limits]))


async def _refused(limiter: MovingWindowRateLimiter, limit: Limit) -> Admission:
    return _refusal(await _state(limiter, limit))


def _refusal(window: Window) -> Admission:
    return Admission(window, retry_after=max(1.0, window.reset_at.timestamp() - time.time()))


def _admit_in_memory(storage: SweptMemoryStorage, limits: list[Limit]) -> Admission:
    """``admit`` on the in-process storage: the same checks and counts in the same order, each window counted and
    read in one call (``SweptMemoryStorage.hit_and_window``) instead of the limiter's two coroutines."""
    for limit in limits[1:]:  # as admit: the first refuses without counting when it is full
        item = limit.item
        start, count = storage.window(item.key_for(*limit.identifiers), item.get_expiry())
        if count > item.amount - 1:
            return _refusal(_in_memory(limit, start, count))
    windows = []
    for limit in limits:
        item = limit.item
        taken, start, count = storage.hit_and_window(item.key_for(*limit.identifiers), item.amount, item.get_expiry())
        window = _in_memory(limit, start, count)
        if not taken:
            return _refusal(window)
        windows.append(window)
    return Admission(_tightest(windows))


async def request_window(rt: Runtime, viewer: Viewer, *, address: str | None = None) -> Window:
    """The tightest request window of ``viewer`` as it stands (nothing counted): for the ``rateLimit`` query. An
    anonymous caller's window is its address's (``address``: the request's client address)."""
    limiter = _limiter(rt)
    return _tightest([await _state(limiter, limit) for limit in limits_for(rt, viewer, address)])
