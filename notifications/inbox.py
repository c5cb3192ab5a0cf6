"""A person's inbox: their notifications newest first, how many are unread, marking them read.

The inbox shows a notification only while its recipient may still see what it names (``graph.notifications``:
no notice across a block, none about a post since hidden from them).
"""

from __future__ import annotations

from datetime import datetime
from typing import TypedDict

from auth.permissions import authorize
from auth.viewer import Viewer
from core.pagination import Page, PageRequest, keyset_kind
from core.runtime import Runtime
from graph import notifications as queries

NOTIFICATIONS_CURSOR = keyset_kind("notifications")


class NotificationItem(TypedDict):
    """One notification as the API shows it (``resolvers/social.py`` reads these keys)."""

    id: str
    kind: str
    actorId: str | None
    subjectId: str
    subjectType: str | None
    reason: str | None
    createdAt: datetime
    readAt: datetime | None


def _item(found: queries.NotificationRow) -> NotificationItem:
    return NotificationItem(
        id=found.id,
        kind=found.kind,
        actorId=found.actor_id,
        subjectId=found.subject_id,
        subjectType=found.subject_type,
        reason=found.reason,
        createdAt=found.created_at.to_native(),
        readAt=found.read_at.to_native() if found.read_at else None,
    )


async def notifications(rt: Runtime, viewer: Viewer, request: PageRequest, unread_only: bool) -> Page[NotificationItem]:
    me = authorize(viewer, "notifications.inbox.read")
    found = await rt.graph.read(queries.notifications, me, unread_only, request.window(NOTIFICATIONS_CURSOR))
    return request.page([_item(n) for n in found], NOTIFICATIONS_CURSOR, lambda i: (i["createdAt"], i["id"]))


async def unread_count(rt: Runtime, viewer: Viewer) -> int:
    return await rt.graph.read(queries.unread_count, authorize(viewer, "notifications.inbox.read"))


async def mark_read(rt: Runtime, viewer: Viewer, notification_id: str | None) -> int:
    """Mark one notification read (``notification_id``), or all of them (None); how many were marked."""
    return await rt.graph.write(queries.mark_read, authorize(viewer, "notifications.inbox.mark_read"), notification_id)
