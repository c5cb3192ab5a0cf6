"""The moderators' queue: reports waiting for (or given) a decision, for whoever may decide them: city officers
see every report; a community's moderators and admins those about its posts and comments."""

from __future__ import annotations

from auth.permissions import Membership, authorize, holds
from auth.viewer import Viewer
from core.errors import UserInputError
from core.pagination import Page, PageRequest, keyset_kind
from core.runtime import Runtime
from graph import moderation as queries
from moderation.model import REPORT_STATUSES, ReportView
from moderation.reports import report_key, report_page

#: Cursors of moderationQueue: (createdAt, id), scoped to the queue's scope and status (``for_filters``): a cursor
#: taken under another status is refused.
QUEUE_CURSOR = keyset_kind("moderationQueue")


async def moderation_queue(rt: Runtime, viewer: Viewer, status: str, request: PageRequest) -> Page[ReportView]:
    """Reports with ``status``, oldest first: all of them for officers, those about posts and comments
    of their communities for community moderators and admins."""
    if holds(viewer, "moderation.queue.read_all"):
        me, scope = authorize(viewer, "moderation.queue.read_all"), "all"
    else:
        run = await rt.graph.read(queries.community_run_by, viewer.actor_id)
        standing = Membership(run.community_id, run.role) if run else None
        me, scope = authorize(viewer, "moderation.queue.read_community", on=standing), "communities"
    # ReportStatus is an enum of the schema: this guards other callers, after the check of who asks.
    if status not in REPORT_STATUSES:
        raise UserInputError("A report is OPEN, RESOLVED or DISMISSED.", field="status")
    # A community moderator's queue is their own (the communities they run): scoped to them as well.
    kind = QUEUE_CURSOR.for_filters(scope=scope, status=status, moderator=me if scope == "communities" else None)
    rows = await rt.graph.read(queries.report_queue, scope, me, status, request.window(kind))
    return await report_page(rt, viewer, request.page(rows, kind, report_key))
