"""Partner apps' usage: per-app daily counters of the requests they make to ``/graphql`` (docs/partners.md, "Usage").

**Counting** (``UsageCounter.count``) is a dictionary update in process memory, done for every answer ``/graphql``
gives a partner app's token (``api.usage``): one request; its query cost (``request.state.query_cost``, 0 when the
request got none); an error when the answer carries any error (an HTTP refusal, a GraphQL error); rate limited when
it was refused as ``RATE_LIMITED`` (HTTP 429, or the error code). Days are Hà Nội days (UTC+7): a partner's
"today" is the city's.

**Flushing** (``UsageCounter.flush``): every ``usage_flush_interval_seconds`` a lifespan task, and once more at
shutdown, moves the counts into a batch with a fresh id and adds the batch to the ``(:UsageDay)`` nodes in one
statement for all apps and days (``graph.usage.flush_usage``). A batch that fails stays the pending batch and is
tried again, with the same id, by the next flush: the id's marker, written in the batch's transaction, makes a
batch count once even when its commit was not confirmed (or the driver ran the transaction function twice), so a
failed flush neither loses nor doubles counts. Counts made meanwhile wait in memory for the batch after it.

**Reading** (``app_usage``): the app's managers (owners and admins of its partner), city officers, and the app itself
through a client-credentials token with ``usage.read``; the figures are those flushed (up to a flush interval
behind).
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from auth.viewer import Viewer
from core.errors import ForbiddenError, UserInputError
from core.logs import get_logger
from core.runtime import Runtime
from graph import usage as queries
from graph.driver import Graph, native
from partners.apps import readable_app

log = get_logger(__name__)

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
#: The longest range ``appUsage`` answers at once (days, both ends included).
MAX_DAYS = 92
#: GraphQL's Int is 32-bit: a figure beyond it is shown as this (never reached at the default limits).
INT_MAX = 2**31 - 1
USAGE_SCOPE = "usage.read"

NOT_ITS_OWN = "An app reads only its own usage figures; this is another app's id."
RANGE_ORDER = "The first day of the range comes after its last day."
RANGE_LENGTH = "Ask for at most {limit} days at a time."


def hanoi_day(at: datetime) -> date:
    """The Hà Nội date at the instant ``at`` (an aware datetime)."""
    return at.astimezone(HANOI).date()


# --- counting and flushing ------------------------------------------------------------------------------------


class UsageCounter:
    """The process's usage counts not yet in the graph: ``(app id, Hà Nội day) -> [requests, cost, errors,
    rateLimited]``, and at most one pending batch (a flush that failed, kept with its id for the next flush)."""

    def __init__(self, clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.clock = clock
        self.counts: dict[tuple[str, date], list[int]] = {}
        self.pending: tuple[str, dict[tuple[str, date], list[int]]] | None = None
        self._flushing = asyncio.Lock()
        #: The Hà Nội day of the last count and the instants it starts and ends (a zone conversion per day only).
        self._day: tuple[date, datetime, datetime] | None = None

    def _today(self) -> date:
        now = self.clock()
        known = self._day
        if known is not None and known[1] <= now < known[2]:
            return known[0]
        day = hanoi_day(now)
        start = datetime.combine(day, time(), HANOI).astimezone(UTC)  # UTC like the clock's: a cheap comparison
        self._day = (day, start, start + timedelta(days=1))
        return day

    def count(self, app_id: str, *, cost: int = 0, error: bool = False, rate_limited: bool = False) -> None:
        """One answer to the app ``app_id``. No await: never interleaves with a flush's hand-over."""
        key = (app_id, self._today())
        tally = self.counts.get(key)
        if tally is None:
            tally = self.counts[key] = [0, 0, 0, 0]
        tally[0] += 1
        tally[1] += max(0, cost)
        tally[2] += int(error)
        tally[3] += int(rate_limited)

    async def flush(self, graph: Graph) -> int:
        """Write the pending batch (if a flush failed before), then the counts made since, each as one batch; returns
        the number of (app, day) rows written. A failure raises and keeps the batch pending (same id) for the next
        flush; the counts made meanwhile stay in memory. Flushes run one at a time."""
        async with self._flushing:
            written = 0
            for _ in range(2):  # the pending batch, then the counts made meanwhile (not more: they never stop)
                if self.pending is None:
                    if not self.counts:
                        break
                    self.pending, self.counts = (uuid.uuid4().hex, self.counts), {}
                flush_id, batch = self.pending
                rows = [
                    {"appId": app_id, "day": day, "requests": t[0], "cost": t[1], "errors": t[2], "rateLimited": t[3]}
                    for (app_id, day), t in batch.items()
                ]
                await graph.write(queries.flush_usage, flush_id, rows)
                self.pending = None
                written += len(rows)
            return written


async def flush_periodically(counter: UsageCounter, graph: Graph, interval: float) -> None:
    """The lifespan task: a flush every ``interval`` seconds until cancelled; a failed flush is logged and its counts
    wait for the next."""
    while True:
        await asyncio.sleep(interval)
        try:
            await counter.flush(graph)
        except Exception:
            log.warning("usage counts not flushed; kept for the next flush", exc_info=True)


# --- reading ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UsageFigures:
    """What an app did on one Hà Nội day (or over a range)."""

    requests: int
    cost: int
    errors: int
    rate_limited: int


@dataclass(frozen=True)
class UsageDayView:
    day: date
    figures: UsageFigures


@dataclass(frozen=True)
class AppUsageView:
    """An app's usage from ``start`` to ``end`` (Hà Nội days, both included): every day of the range, oldest first
    (a day without requests has zeros), and the totals."""

    app_id: str
    start: date
    end: date
    days: tuple[UsageDayView, ...]
    total: UsageFigures


def _capped(value: int) -> int:
    return min(int(value or 0), INT_MAX)


def check_range(start: date, end: date) -> None:
    if start > end:
        raise UserInputError(RANGE_ORDER, field="from")
    if (end - start).days + 1 > MAX_DAYS:
        raise UserInputError(RANGE_LENGTH, field="to", params={"limit": MAX_DAYS})


async def may_read_usage(rt: Runtime, viewer: Viewer, app_id: str) -> None:
    """The app itself (client credentials with ``usage.read``: ``schema.app_scope`` checked the scope), its
    partner's owners and admins (``partners.usage.read``) and city officers (``partners.usage.oversee``); NOT_FOUND
    naming ``appId`` when no app has this id, FORBIDDEN otherwise."""
    if viewer.is_app:
        if viewer.actor_id is not None or USAGE_SCOPE not in viewer.scopes or viewer.app_id != app_id:
            raise ForbiddenError(NOT_ITS_OWN)
        return
    await rt.graph.read(readable_app, viewer, "partners.usage.read", app_id, oversee="partners.usage.oversee")


async def app_usage(rt: Runtime, viewer: Viewer, app_id: str, start: date, end: date) -> AppUsageView:
    """The app's usage from ``start`` to ``end`` (Hà Nội days, both included; at most ``MAX_DAYS``)."""
    check_range(start, end)
    await may_read_usage(rt, viewer, app_id)
    found = {native(r.day): r for r in await rt.graph.read(queries.usage_days, app_id, start, end)}
    days = []
    totals = [0, 0, 0, 0]
    for offset in range((end - start).days + 1):
        day = start + timedelta(days=offset)
        r = found.get(day)
        values = (r.requests, r.cost, r.errors, r.rate_limited) if r is not None else (0, 0, 0, 0)
        totals = [t + int(v or 0) for t, v in zip(totals, values, strict=True)]
        days.append(UsageDayView(day, UsageFigures(*(_capped(v) for v in values))))
    return AppUsageView(app_id, start, end, tuple(days), UsageFigures(*(_capped(t) for t in totals)))
