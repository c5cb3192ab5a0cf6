"""Resolvers of "who read my data": thin glue from fields to ``partners.access_log``."""

from __future__ import annotations

import strawberry

from core.pagination import PageRequest
from partners import access_log
from resolvers.common import runtime, viewer
from schema.access_log import DataAccessLogEntry, DataAccessLogEntryConnection
from schema.common import AFTER, BEFORE, FIRST, LAST


async def my_data_access_log(
    info: strawberry.Info, first: FIRST = None, after: AFTER = None, last: LAST = None, before: BEFORE = None
) -> DataAccessLogEntryConnection:
    request = PageRequest.from_args(first=first, after=after, last=last, before=before)
    page = await access_log.my_access_log(runtime(info), viewer(info), request)
    return DataAccessLogEntryConnection.from_page(page, DataAccessLogEntry.of)


async def entries_by_ids(info: strawberry.Info, ids: list[str]) -> list[DataAccessLogEntry | None]:
    """``node(id:)`` of log entries: only the person they are about sees them."""
    found = await access_log.entries_by_ids(runtime(info), viewer(info), ids)
    return [DataAccessLogEntry.of(v) if v else None for v in found]
