"""GraphQL shapes of a caller's quotas: its query-cost budget and its request window (the ``rateLimit`` query)."""

from __future__ import annotations

from datetime import datetime

import strawberry

from quotas.cost import RateLimitStatus
from quotas.requests import Window


@strawberry.type(description="A caller's request window: how many GraphQL requests it may still send in it.")
class RequestWindow:
    limit: int = strawberry.field(description="Requests allowed in any window of `windowSeconds` seconds.")
    remaining: int = strawberry.field(description="Requests left in the window now (this request counted).")
    reset_at: datetime = strawberry.field(
        description="When the oldest request counted leaves the window, so one more is free (UTC; now when empty)."
    )
    window_seconds: int = strawberry.field(description="Length of the moving window, in seconds.")

    @classmethod
    def of(cls, window: Window) -> RequestWindow:
        return cls(
            limit=window.limit,
            remaining=window.remaining,
            reset_at=window.reset_at,
            window_seconds=window.window_seconds,
        )


@strawberry.type(
    description=(
        "Where the caller stands (as GitHub's `rateLimit`): its query-cost budget, the points it may spend in any "
        "window of `windowSeconds` seconds (a partner app's: the app's, all its tokens together; a signed-in "
        "person's; anonymous callers': their address's), and its request window. Every answer also carries "
        "`extensions.cost` `{requested, remaining, resetAt}`."
    )
)
class RateLimit:
    limit: int = strawberry.field(description="Points the caller may spend in any window of `windowSeconds`.")
    cost: int = strawberry.field(description="Points this request cost (taken before it ran).")
    remaining: int = strawberry.field(description="Points left in the window, this request's cost taken.")
    used: int = strawberry.field(description="Points spent in the window (`limit - remaining`).")
    reset_at: datetime | None = strawberry.field(
        description="When the oldest points spent in the window come back (UTC); null when none are spent."
    )
    window_seconds: int = strawberry.field(description="Length of the moving window, in seconds.")
    requests: RequestWindow = strawberry.field(
        description="The caller's tightest request window (the one the `RateLimit-*` headers describe)."
    )

    @classmethod
    def of(cls, status: RateLimitStatus) -> RateLimit:
        return cls(
            limit=status.limit,
            cost=status.cost,
            remaining=status.remaining,
            used=status.used,
            reset_at=status.reset_at,
            window_seconds=status.window_seconds,
            requests=RequestWindow.of(status.requests),
        )
