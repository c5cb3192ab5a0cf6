"""Housekeeping of sign-in records: throttles, counted limits and one-time codes that hold nothing any more are
deleted in bounded batches by the periodic job of ``api.app`` (so guessing from fresh identifiers or addresses,
registrations and code requests do not grow the graph without end)."""

from __future__ import annotations

from auth.throttle import throttle_keys
from core.runtime import Runtime
from graph import auth as queries

#: Transactions of one kind of record per pass at most; the rest waits for the next pass.
MAX_BATCHES = 10


async def purge_expired(rt: Runtime, *, max_batches: int = MAX_BATCHES) -> dict[str, int]:
    """Delete spent login throttles (failures forgotten, nothing in flight, no wait, no sign-in within a session's
    lifetime), rate limits whose window has passed, and one-time codes used or expired and older than a day;
    ``idempotency_purge_batch`` per transaction. Returns how many of each were deleted."""
    settings = rt.settings
    batch = settings.idempotency_purge_batch
    forget = max(key.forget_after for key in throttle_keys(settings, "account:any", "any"))  # the longest memory
    jobs = {
        "throttles": lambda tx: queries.purge_throttles(tx, forget, settings.session_max_lifetime_days, batch),
        "limits": lambda tx: queries.purge_limits(tx, batch),
        "codes": lambda tx: queries.purge_codes(tx, batch),
    }
    purged = {}
    for name, job in jobs.items():
        purged[name] = 0
        for _ in range(max_batches):
            count = await rt.graph.write(job)
            purged[name] += count
            if count < batch:
                break
    return purged
