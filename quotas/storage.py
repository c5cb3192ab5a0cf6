"""The one storage of the API's rate-limit and query-cost windows (``Settings.quota_storage_uri``)."""

from __future__ import annotations

import bisect
import time

from limits.aio.storage import MemoryStorage, Storage
from limits.aio.storage.memory import Entry
from limits.storage import storage_from_string

#: How often the in-memory storage forgets expired entries (at most; only when a window is counted).
SWEEP_SECONDS = 5.0


class SweptMemoryStorage(MemoryStorage):
    """``limits``' in-process storage (``async+memory://``) with a cheaper clean-up of expired entries.

    The library's own clean-up starts after every count whenever the previous one has ended, and visits every key
    with one hop to a worker thread each: about half of a rate-limit check's CPU (measured: 27 → 12 µs for a bare
    count without it), and a clean-up that never stops once there are thousands of keys. Here it runs at most every
    ``SWEEP_SECONDS``, inline: a binary search per key, with no await, so no count can interleave with it (the
    asyncio loop runs one thing at a time). Counting does not depend on it: a moving window compares entries' times
    with its own span; the clean-up only returns memory."""

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options: str) -> None:
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self._next_sweep = 0.0

    async def _MemoryStorage__schedule_expiry(self) -> None:  # replaces the library's (name-mangled) scheduler
        self._sweep_when_due()

    def _sweep_when_due(self) -> None:
        now = time.monotonic()
        if now >= self._next_sweep:
            self._next_sweep = now + SWEEP_SECONDS
            self.sweep()

    def hit_and_window(self, key: str, limit: int, expiry: int, amount: int = 1) -> tuple[bool, float, int]:
        """The library's ``acquire_entry`` then ``get_moving_window`` of ``key``, in one call with no await: (whether
        the ``amount`` entries were taken, the time of the oldest entry in the window, how many entries it holds).

        What the moving-window limiter's ``hit`` then ``get_window_stats`` do in two storage calls (``quotas.requests``
        and ``quotas.cost`` use this when the storage is this one): the same code on the same lists, without the two
        coroutines, the key's lock (nothing here awaits, so nothing can interleave: the asyncio loop runs one thing
        at a time; the library's lock only orders coroutines that await inside it) and the limiter around them."""
        taken = False
        if amount <= limit:  # else never taken, as the library
            self._sweep_when_due()
            events = self.events.setdefault(key, [])
            entry = events[limit - amount] if len(events) > limit - amount else None
            if not (entry and entry.atime >= time.time() - expiry):
                events[:0] = [Entry(expiry)] * amount
                taken = True
        start, count = self.window(key, expiry)
        return taken, start, count

    def window(self, key: str, expiry: int) -> tuple[float, int]:
        """The library's ``get_moving_window`` without its coroutine: (time of the oldest entry in the window, how
        many entries it holds; now and 0 when it holds none)."""
        timestamp = time.time()
        if events := self.events.get(key):
            oldest = bisect.bisect_left(events, -(timestamp - expiry), key=lambda entry: -entry.atime)
            return events[oldest - 1].atime, oldest
        return timestamp, 0

    def sweep(self) -> None:
        """Forget the entries and counters whose time is over (what the library's clean-up does, in one pass)."""
        now = time.time()
        for key in list(self.events):
            events = self.events[key]
            kept = events[: bisect.bisect_left(events, -now, key=lambda event: -event.expiry)]
            if kept:
                self.events[key] = kept
            else:
                self.events.pop(key, None)
                self.locks.pop(key, None)
        for key in [key for key, at in self.expirations.items() if at <= now]:
            self.storage.pop(key, None)
            self.expirations.pop(key, None)
            self.locks.pop(key, None)


def quota_storage(uri: str) -> Storage:
    """The ``limits`` storage at ``uri``: ``async+memory://`` (one process, exact) or a shared one such as
    ``async+redis://host:6379`` for several API processes. A URI of the wrong kind is refused at start."""
    if uri.split("://", 1)[0] == "async+memory":
        return SweptMemoryStorage(uri)
    storage = storage_from_string(uri)
    if not isinstance(storage, Storage):
        raise ValueError(f"HANOISMART_QUOTA_STORAGE_URI must name an async storage (async+...), not {uri!r}.")
    return storage
