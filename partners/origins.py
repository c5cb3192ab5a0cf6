"""The browser origins the API answers cross-origin requests from, beyond the configured ones: the allowed
origins of active public (browser) clients.

``api.middleware.AllowListCORSMiddleware`` keeps them in a small cache refreshed every few seconds; a change made in
this process (an app created, changed, suspended or reinstated) calls ``changed`` so the cache is read again at the
next request from an origin it does not know, without waiting.
"""

from __future__ import annotations

from core.runtime import Runtime
from graph import partners as queries

#: How many times ``changed`` was called in this process (a one-item list: a counter shared without a global).
_generation = [0]


def changed() -> None:
    """Some app's origins or status changed: the next unknown origin refreshes the cache at once."""
    _generation[0] += 1


def generation() -> int:
    """Bumped by ``changed``: a cache read at another generation may be stale."""
    return _generation[0]


async def active_public_origins(rt: Runtime) -> frozenset[str]:
    """Every origin an active public client registered."""
    return frozenset(await rt.graph.read(queries.active_public_origins))
