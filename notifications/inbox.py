"""A person's inbox: their notifications newest first, how many are unread, marking them read.

The inbox shows a notification only while its recipient may still see what it names (``graph.notifications``:
no notice across a block, none about a post since hidden from them).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TypedDict

from neo4j import AsyncManagedTransaction

from auth.permissions import authorize, holds
from auth.viewer import Viewer
from core.errors import NotFoundError, Problems, UserInputError
from core.pagination import Page, PageRequest, keyset_kind
from core.runtime import Runtime
from graph import notifications as queries
from identity import views as identity_views
from identity.model import OrganizationView, PersonView

#: Cursors of notifications: (createdAt, id), scoped to the recipient and the unreadOnly filter
#: (``NOTIFICATIONS_CURSOR.scoped(me).for_filters(unreadOnly=...)``): a cursor of another person's inbox is refused.
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


@dataclass(frozen=True)
class InboxRead:
    """What one statement read of the inbox: a page, the unread count (None when not asked), the views of the
    page's actors (None: hidden from the viewer) and the viewer's relations to them, by actor id."""

    page: Page[NotificationItem]
    unread: int | None
    actors: dict[str, PersonView | OrganizationView | None]
    relations: dict[str, object]


def _actor_view(found: queries.ListedActor, viewer: Viewer) -> PersonView | OrganizationView | None:
    return identity_views.shown_actor(found.person, found.organization, viewer)


async def read_inbox(
    rt: Runtime,
    viewer: Viewer,
    request: PageRequest,
    unread_only: bool,
    *,
    with_count: bool,
    with_actors: bool,
    with_relations: bool,
) -> InboxRead:
    """A page of my notifications with, from the same statement, the unread count and the notifications' actors
    when the caller will show them."""
    me = authorize(viewer, "notifications.inbox.read")
    kind = NOTIFICATIONS_CURSOR.scoped(me).for_filters(unreadOnly=unread_only)
    found = await rt.graph.read(
        queries.inbox,
        me,
        unread_only,
        request.window(kind),
        with_count=with_count,
        with_actors=with_actors,
        with_relations=with_relations,
    )
    page = request.page([_item(n) for n in found.page], kind, lambda i: (i["createdAt"], i["id"]))
    shown = {i["actorId"] for i in page.items if i["actorId"]}
    return InboxRead(
        page=page,
        unread=found.unread,
        actors={
            i: _actor_view(record, viewer) if record is not None else None
            for i, (record, _) in found.actors.items()
            if i in shown and with_actors
        },
        relations={i: relation for i, (_, relation) in found.actors.items() if i in shown and with_relations},
    )


async def unread_count(rt: Runtime, viewer: Viewer) -> int:
    return await rt.graph.read(queries.unread_count, authorize(viewer, "notifications.inbox.read"))


async def notifications_by_ids(rt: Runtime, viewer: Viewer, ids: list[str]) -> list[NotificationItem | None]:
    """``node(id:)`` of notifications: each of ``ids`` the viewer's inbox shows, None for the others (someone
    else's, unknown, hidden since; everything for an anonymous caller). Never refuses: a node that is not
    yours is simply not there."""
    if not ids or not holds(viewer, "notifications.inbox.read"):
        return [None for _ in ids]
    me = authorize(viewer, "notifications.inbox.read")
    found = {n.id: _item(n) for n in await rt.graph.read(queries.notifications_by_ids, me, ids)}
    return [found.get(i) for i in ids]


#: The most notifications one notificationsMarkRead names (null names them all).
MAX_MARKED_IDS = 100


@dataclass(frozen=True)
class MarkedRead:
    """How many notifications were marked read, and how many of mine stay unread."""

    marked_count: int
    unread_count: int


async def mark_read(
    rt: Runtime, viewer: Viewer, notification_ids: list[str] | None, *, problems: Problems | None = None
) -> MarkedRead:
    """Mark these notifications read (``notification_ids``), or all of mine (None); each id must name one of mine
    (NOT_FOUND naming ``notificationIds.<i>`` otherwise, and nothing is marked). ``problems``: mistakes the caller
    found in the same input (malformed ids), reported with the size of the list."""
    me = authorize(viewer, "notifications.inbox.mark_read")
    problems = Problems() if problems is None else problems
    if notification_ids is not None and len(notification_ids) > MAX_MARKED_IDS:
        problems.add(
            UserInputError(
                "Name at most {most} notifications at once, or none to mark all read.",
                field="notificationIds",
                params={"most": MAX_MARKED_IDS},
            )
        )
    problems.raise_if_any()

    async def work(tx: AsyncManagedTransaction) -> MarkedRead:
        done = await queries.mark_read(tx, me, notification_ids)
        if notification_ids is not None:
            mine = set(done.found)
            for position, notification_id in enumerate(notification_ids):
                if notification_id not in mine:  # raised inside the transaction: nothing stays marked
                    raise NotFoundError("You have no notification with this id.", field=f"notificationIds.{position}")
        return MarkedRead(marked_count=done.marked, unread_count=await queries.unread_count(tx, me))

    return await rt.graph.write(work)
