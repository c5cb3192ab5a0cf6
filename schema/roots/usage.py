"""Root fields of partner apps' usage (``partners.usage``)."""

from __future__ import annotations

import strawberry

from resolvers import usage as usage_resolvers
from schema.usage import AppUsage


@strawberry.type
class UsageQuery:
    """Query fields of apps' usage; merged into the root Query by schema.assemble."""

    app_usage: AppUsage = strawberry.field(
        resolver=usage_resolvers.app_usage,
        description="An app's daily usage (requests, query cost, errors, rate-limited answers) over a range of Hà Nội "
        "days: for the owners and admins of its partner organisation, city officers, and the app itself with a "
        "client-credentials token holding `usage.read`.",
    )
