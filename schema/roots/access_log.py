"""Root fields of "who read my data" (``partners.access_log``)."""

from __future__ import annotations

import strawberry

from resolvers import access_log as access_log_resolvers
from schema.access_log import DataAccessLogEntryConnection


@strawberry.type
class AccessLogQuery:
    """Query fields of the access log; merged into the root Query by schema.assemble."""

    my_data_access_log: DataAccessLogEntryConnection = strawberry.field(
        resolver=access_log_resolvers.my_data_access_log,
        description="Who read my personal data, newest first: each request of an app under my consent, and each "
        "read by a city officer on duty, with what was read, when and by whom. Only I see it (signed in as myself; "
        "never through an app).",
    )
