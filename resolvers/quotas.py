"""Resolver of the ``rateLimit`` query."""

from __future__ import annotations

import strawberry

from quotas.cost import rate_limit_status
from resolvers.common import client_address, runtime, viewer
from schema.quotas import RateLimit


async def rate_limit(info: strawberry.Info) -> RateLimit:
    cost = getattr(info.context.request.state, "query_cost", 0)
    return RateLimit.of(await rate_limit_status(runtime(info), viewer(info), client_address(info), cost))
