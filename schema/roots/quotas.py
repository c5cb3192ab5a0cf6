"""Root field of a caller's quotas: ``rateLimit``."""

from __future__ import annotations

import strawberry

from resolvers import quotas as quota_resolvers
from schema.quotas import RateLimit


@strawberry.type
class QuotaQuery:
    """Query fields of quotas; merged into the root Query by schema.assemble."""

    rate_limit: RateLimit = strawberry.field(
        resolver=quota_resolvers.rate_limit,
        description=(
            "Where you stand: your query-cost budget (what this request cost, what is left, when it comes back) "
            "and your request window. Open to every caller, partner apps included; it tells nothing about anyone "
            "else."
        ),
    )
