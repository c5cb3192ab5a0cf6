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


async def test_hit_and_window_counts_and_reads_as_the_limiters_hit_then_window_stats(clock: Clock) -> None:
    """``hit_and_window`` (the request windows' and budgets' one call on this storage) against the library's limiter
    on another storage of the same kind, step by step: taken or not, the window's start and count, as the clock
    moves, costs above one, a cost above the limit, a full window, a window that frees."""
    ours, theirs = SweptMemoryStorage(), SweptMemoryStorage()
    limiter = MovingWindowRateLimiter(theirs)
    item = parse("5/minute")
    key = item.key_for("app")
    steps = [1, 1, 2, 9, 1, 1, "wait 20", 1, "wait 45", 3, 1, 0, "wait 61", 5, 1]
    for step in steps:
        if isinstance(step, str):
            clock.now += int(step.split()[1])
            continue
        if step == 0:
            assert ours.window(key, item.get_expiry()) == await theirs.get_moving_window(key, 5, 60)
            continue
        taken, start, count = ours.hit_and_window(key, item.amount, item.get_expiry(), step)
        expected = await limiter.hit(item, "app", cost=step)
        stats = await limiter.get_window_stats(item, "app")
        assert (taken, start + item.get_expiry(), item.amount - count) == (expected, *stats), step
        clock.now += 1


async def test_admissions_and_spending_are_the_same_on_this_storage_and_on_any_other(clock: Clock) -> None:
    """``quotas.requests.admit`` and ``quotas.cost.spend`` take a path of their own on this storage
    (``hit_and_window``); on any other storage (Redis) the limiter's: both give the same admissions, windows and
    standings, refusals and retry times included (an app acting for a person: two windows, the app's checked first)."""
    from typing import Any, cast

    from auth.viewer import Viewer
    from core.runtime import Runtime
    from core.settings import Settings
    from quotas import cost, requests

    settings = Settings(environment="test", rate_limit_app=6, rate_limit_app_person=4, rate_limit_window_seconds=60)
    viewers = [
        Viewer(kind="partner_app", actor_id="p1", app_id="a"),
        Viewer(kind="partner_app", actor_id="p2", app_id="a"),
        Viewer(kind="person", actor_id="p1"),
    ]
    runtimes = [
        Runtime(settings=settings, graph=cast(Any, None), identity_key=b"k", keyring=cast(Any, None),
                sender=cast(Any, None), quota_storage=storage)
        for storage in (SweptMemoryStorage(), library_memory.MemoryStorage())
    ]  # fmt: skip
    budget = cost.Budget("app", "a", 10, 60)
    for step in range(14):
        viewer = viewers[step % 3] if step < 9 else viewers[0]
        admissions = [await requests.admit(rt, viewer, None) for rt in runtimes]
        assert admissions[0] == admissions[1], step
        standings = [await cost.spend(rt.quota_storage, budget, step % 4) for rt in runtimes]
        assert standings[0] == standings[1], step
        clock.now += 3
    assert not admissions[0].allowed and admissions[0].retry_after is not None, "the last ones were refused"
