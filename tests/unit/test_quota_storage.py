"""The in-process storage of rate-limit and cost windows (``quotas.storage.SweptMemoryStorage``): it counts exactly as
``limits``' own, forgets expired entries in its periodic sweep, and never starts the library's per-key thread hops."""

from __future__ import annotations

import asyncio

import pytest
from limits import parse
from limits.aio.storage import memory as library_memory
from limits.aio.strategies import MovingWindowRateLimiter

from quotas import storage as quota_storage_module
from quotas.storage import SweptMemoryStorage, quota_storage


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """Wall time for the library's entries and the sweep (the sweep's own schedule uses the monotonic clock)."""
    at = Clock(1_800_000_000.0)
    monkeypatch.setattr(library_memory.time, "time", at)
    return at


def test_async_memory_uris_get_the_swept_storage_and_others_are_refused() -> None:
    assert isinstance(quota_storage("async+memory://"), SweptMemoryStorage)
    with pytest.raises(ValueError, match="async storage"):
        quota_storage("memory://")


async def test_a_moving_window_counts_exactly_and_frees_after_its_span(clock: Clock) -> None:
    storage = SweptMemoryStorage()
    limiter = MovingWindowRateLimiter(storage)
    five = parse("5/minute")
    assert [await limiter.hit(five, "app") for _ in range(6)] == [True] * 5 + [False]
    assert await limiter.hit(five, "other app")
    assert await limiter.hit(parse("20/minute"), "budget", cost=15)
    assert not await limiter.hit(parse("20/minute"), "budget", cost=6)
    clock.now += 61
    assert await limiter.hit(five, "app")


async def test_forty_parallel_counts_let_exactly_the_limit_through(clock: Clock) -> None:
    limiter = MovingWindowRateLimiter(SweptMemoryStorage())
    twenty = parse("20/minute")
    passed = await asyncio.gather(*(limiter.hit(twenty, "app") for _ in range(40)))
    assert passed.count(True) == 20


async def test_the_sweep_forgets_what_expired_and_keeps_what_did_not(clock: Clock) -> None:
    storage = SweptMemoryStorage()
    limiter = MovingWindowRateLimiter(storage)
    await limiter.hit(parse("10/minute"), "old")
    clock.now += 30
    await limiter.hit(parse("10/minute"), "recent")
    await storage.incr("counter", 10)
    clock.now += 31  # "old" is 61 s old, "recent" 31 s, the counter expired 51 s ago
    with pytest.MonkeyPatch.context() as patched:
        patched.setattr(quota_storage_module.time, "time", clock)
        storage.sweep()
    assert not any("old" in key for key in storage.events)
    assert any("recent" in key for key in storage.events)
    assert "counter" not in storage.storage


async def test_counting_never_starts_the_librarys_thread_hopping_clean_up(clock: Clock) -> None:
    storage = SweptMemoryStorage()
    limiter = MovingWindowRateLimiter(storage)
    for _ in range(50):
        await limiter.hit(parse("100/minute"), "app")
    assert storage.timer is None  # the library's clean-up task was never created
