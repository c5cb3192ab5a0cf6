"""Cypher of notifications: writing them (plainly, about a post, once per reactor and post, or at most once a day per
sender and recipient) and the recipient's inbox (list, unread count, mark read).

A notification naming a post is written, and later shown, only while its recipient may see that post: the one
visibility rule, ``graph.social.POST_VISIBLE``; no notification crosses a block (``graph.rules.blocked_either_way``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from neo4j import AsyncManagedTransaction
from neo4j.time import DateTime

from core.pagination import Window
from graph.driver import run, window_keyset
from graph.paging import both_ways
from graph.posts import ListedActor, actors_call, listed_actors

__all__ = ["POST_NOTICE_KINDS", "Inbox", "ListedActor", "NotificationRow", "inbox"]
from graph.rows import row, rows
from graph.rules import blocked_either_way
from graph.social import POST_VISIBLE, Relation

# --- writing (in the transaction of what caused them) ---------------------------------------------------------------

#: Only people have an inbox: a notification for an organisation (a seller, an investor) is not written.
CREATE_NOTIFICATION = """
MATCH (:Person {id: $recipientId})
CREATE (:Notification {id: $id, recipientId: $recipientId, kind: $kind, actorId: $actorId, subjectId: $subjectId,
                       subjectType: $subjectType, reason: $reason, createdAt: datetime()})
"""


async def create_notification(
    tx: AsyncManagedTransaction,
    *,
    id: str,
    recipient_id: str,
    kind: str,
    actor_id: str | None,
    subject_id: str,
    subject_type: str | None = None,
    reason: str | None = None,
) -> None:
    await run(
        tx,
        CREATE_NOTIFICATION,
        id=id,
        recipientId=recipient_id,
        kind=kind,
        actorId=actor_id,
        subjectId=subject_id,
        subjectType=subject_type,
        reason=reason,
    )


#: A notification about a post (comment, reaction, mention) is written only when its recipient, as the viewer,
#: may see the post (``POST_VISIBLE``) and no block stands between them and the actor.
NOTIFY_ABOUT_POST = f"""
MATCH (post:Post {{id: $postId}})<-[:POSTED]-(author:Actor)
MATCH (viewer:Person {{id: $recipientId, status: 'active'}}), (actor:Actor {{id: $actorId}})
WHERE NOT {blocked_either_way("viewer", "actor")} AND {POST_VISIBLE}
CREATE (n:Notification {{id: $id, recipientId: $recipientId, kind: $kind, actorId: $actorId, subjectId: post.id,
                        subjectType: 'Post', createdAt: datetime()}})
RETURN count(n) AS written
"""


async def notify_about_post(
    tx: AsyncManagedTransaction, *, id: str, recipient_id: str, kind: str, actor_id: str, post_id: str
) -> bool:
    """Tell ``recipient_id`` about ``post_id`` if they may see it; True if a notification was written."""
    found = await run(
        tx, NOTIFY_ABOUT_POST, id=id, recipientId=recipient_id, kind=kind, actorId=actor_id, postId=post_id
    )
    return bool(found and found[0]["written"])


#: Markers that a notice was sent, so repeated actions do not notify again: ``(reactor)-[:REACTION_NOTICE]->(post)``
#: once ever, and ``(sender)-[:<marker> {at, notificationId}]->(recipient)`` at most once in ``$days`` days and not
#: while the last one is unread, for the repeatable kinds of ``REPEATED_NOTICE_MARKERS`` (a requester and the person
#: asked to connect, an organisation and the person invited to represent it). Callers hold a write lock on the
#: sender (so parallel calls claim once); each is an Expand(Into) between two nodes found by id, whatever the size
#: of the inbox.
CLAIM_REACTION_NOTICE = """
MATCH (me:Person {id: $me}), (post:Post {id: $postId})
OPTIONAL MATCH (me)-[old:REACTION_NOTICE]->(post)
FOREACH (_ IN CASE WHEN old IS NULL THEN [1] ELSE [] END | CREATE (me)-[:REACTION_NOTICE {at: datetime()}]->(post))
RETURN old IS NULL AS claimed
"""


async def claim_reaction_notice(tx: AsyncManagedTransaction, reactor_id: str, post_id: str) -> bool:
    """True (and marked) the first time ``reactor_id``'s reaction to ``post_id`` is to be told; False ever after."""
    found = await run(tx, CLAIM_REACTION_NOTICE, me=reactor_id, postId=post_id)
    return bool(found and found[0]["claimed"])


#: The allow-list of repeatable notification kinds and the relationship type that marks their last notice.
REPEATED_NOTICE_MARKERS = {"connection_requested": "REQUEST_NOTICE", "representative_invited": "INVITATION_NOTICE"}


def _claim_repeated_notice(marker: str) -> str:
    return f"""
MATCH (me:Actor {{id: $me}}), (other:Person {{id: $other}})
OPTIONAL MATCH (me)-[old:{marker}]->(other)
OPTIONAL MATCH (last:Notification {{id: old.notificationId}})
WITH me, other, old,
     old IS NULL OR (old.at < datetime() - duration({{days: $days}}) AND (last IS NULL OR last.readAt IS NOT NULL)) AS due
FOREACH (_ IN CASE WHEN due AND old IS NULL THEN [1] ELSE [] END |
  CREATE (me)-[:{marker} {{at: datetime(), notificationId: $notificationId}}]->(other))
FOREACH (_ IN CASE WHEN due AND old IS NOT NULL THEN [1] ELSE [] END |
  SET old.at = datetime(), old.notificationId = $notificationId)
RETURN due
"""


CLAIM_REPEATED_NOTICE = {kind: _claim_repeated_notice(marker) for kind, marker in REPEATED_NOTICE_MARKERS.items()}


async def claim_repeated_notice(
    tx: AsyncManagedTransaction, kind: str, sender_id: str, recipient_id: str, notification_id: str, days: int
) -> bool:
    """True (and marked with ``notification_id``) if the recipient is to be told of ``kind`` from this sender: no
    such notice from them in the last ``days`` days, and the last one read."""
    found = await run(
        tx, CLAIM_REPEATED_NOTICE[kind], me=sender_id, other=recipient_id, notificationId=notification_id, days=days
    )
    return bool(found and found[0]["due"])


# --- the inbox ------------------------------------------------------------------------------------------------------

#: Kinds of notification whose subject is a post someone else wrote; the inbox shows them only while the
#: recipient may still see that post (it may have been hidden, deleted or its author blocked since).
POST_NOTICE_KINDS = ["comment", "reaction", "mention"]

#: A notification is shown unless its actor and recipient block each other or it names a post hidden from them.
NOTIFICATION_SHOWN = f"""
NOT EXISTS {{ MATCH (actor:Actor {{id: n.actorId}}) WHERE {blocked_either_way("viewer", "actor")} }}
AND (NOT n.kind IN $postKinds
     OR EXISTS {{ MATCH (author:Actor)-[:POSTED]->(post:Post {{id: n.subjectId}}) WHERE {POST_VISIBLE} }})
"""


UNREAD_COUNT = f"""
OPTIONAL MATCH (viewer:Person {{id: $recipientId}})
OPTIONAL MATCH (n:Notification {{recipientId: $recipientId}})
WHERE viewer IS NOT NULL AND n.createdAt IS NOT NULL AND n.readAt IS NULL
  AND {NOTIFICATION_SHOWN}
RETURN count(n) AS unread
"""


async def unread_count(tx: AsyncManagedTransaction, recipient_id: str) -> int:
    return int((await run(tx, UNREAD_COUNT, recipientId=recipient_id, postKinds=POST_NOTICE_KINDS))[0]["unread"])


#: The recipient's notifications of ``$ids`` (all of them when ``$ids`` is null) that are unread are marked read;
#: ``found`` says which of ``$ids`` are the recipient's (the caller refuses the change, rolling it back, when one is
#: not), ``marked`` how many changed.
MARK_READ = """
MATCH (n:Notification {recipientId: $recipientId})
WHERE $ids IS NULL OR n.id IN $ids
WITH collect(n) AS mine
WITH mine, [x IN mine WHERE x.readAt IS NULL] AS unread
FOREACH (x IN unread | SET x.readAt = datetime())
RETURN CASE WHEN $ids IS NULL THEN [] ELSE [x IN mine | x.id] END AS found, size(unread) AS marked
"""


@dataclass(frozen=True)
class MarkedRead:
    found: list[str]
    marked: int


async def mark_read(tx: AsyncManagedTransaction, recipient_id: str, notification_ids: list[str] | None) -> MarkedRead:
    return row(MarkedRead, (await run(tx, MARK_READ, recipientId=recipient_id, ids=notification_ids))[0])


#: node(id:) of notifications: only their recipient sees them, and only while they are shown in the inbox.
NOTIFICATIONS_BY_IDS = f"""
MATCH (viewer:Person {{id: $recipientId}})
UNWIND $ids AS id
MATCH (n:Notification {{id: id}})
WHERE n.recipientId = $recipientId AND {NOTIFICATION_SHOWN}
RETURN n.id AS id, n.kind AS kind, n.actorId AS actorId, n.subjectId AS subjectId, n.subjectType AS subjectType,
       n.reason AS reason, n.createdAt AS createdAt, n.readAt AS readAt
"""


@dataclass(frozen=True)
class NotificationRow:
    """One notification of an inbox (``subject_type`` None: written before it was stored, see the resolver)."""

    id: str
    kind: str
    actor_id: str | None
    subject_id: str
    subject_type: str | None
    reason: str | None
    created_at: DateTime
    read_at: DateTime | None


async def notifications_by_ids(tx: AsyncManagedTransaction, recipient_id: str, ids: list[str]) -> list[NotificationRow]:
    """The recipient's notifications among ``ids`` that their inbox shows, in no particular order."""
    found = await run(tx, NOTIFICATIONS_BY_IDS, recipientId=recipient_id, ids=ids, postKinds=POST_NOTICE_KINDS)
    return rows(NotificationRow, found)


# --- the inbox compiled: a page, the unread count and the actors in one statement ------------------------------------


#: The inbox page: sorted first, then filtered by ``NOTIFICATION_SHOWN`` only until the page is full (``createdAt IS
#: NOT NULL`` lets the planner seek the (recipientId, createdAt) index): 6,429 db hits for a page of 21 out of 3,000
#: notifications, where filtering all of them before sorting cost 24,127 (57,108 with the post check). The final
#: ORDER BY (on at most ``$limit`` rows) is what guarantees the page's order: nothing promises that a filter and a
#: LIMIT after a sort keep its order.
@lru_cache(maxsize=16)
def inbox_query(with_count: bool, with_actors: bool, with_relations: bool) -> tuple[str, str]:
    """One statement for what a request asks of the inbox (``notifications`` and, when selected,
    ``unreadNotificationCount`` and each notification's actor with the viewer's relation to them): the page as
    comment above says, the count as ``UNREAD_COUNT`` does, the actors as identity projects them
    (``graph.posts.actors_call``). Forwards and backwards (``graph.paging.both_ways``)."""
    parts = [
        f"""MATCH (viewer:Person {{id: $recipientId}})
CALL (viewer) {{
  MATCH (n:Notification {{recipientId: $recipientId}})
  WHERE n.createdAt IS NOT NULL AND ($unreadOnly = false OR n.readAt IS NULL)
    AND ($afterTime IS NULL OR [n.createdAt, n.id] < [datetime($afterTime), $afterId])
    AND ($beforeTime IS NULL OR [n.createdAt, n.id] > [datetime($beforeTime), $beforeId])
  WITH viewer, n ORDER BY n.createdAt {{DESC}}, n.id {{DESC}}
  WHERE {NOTIFICATION_SHOWN}
  WITH n LIMIT $limit
  RETURN collect(n {{.id, .kind, .actorId, .subjectId, .subjectType, .reason, .createdAt, .readAt}}) AS page
}}"""
    ]
    returned = ["page"]
    if with_count:
        parts.append(f"""CALL (viewer) {{
  OPTIONAL MATCH (n:Notification {{recipientId: $recipientId}})
  WHERE n.createdAt IS NOT NULL AND n.readAt IS NULL AND {NOTIFICATION_SHOWN}
  RETURN count(n) AS unread
}}""")
        returned.append("unread")
    if with_actors or with_relations:
        kept = "viewer, page, unread" if with_count else "viewer, page"
        parts.append(f"WITH {kept}, [x IN page WHERE x.actorId IS NOT NULL | x.actorId] AS actorIds")
        parts.append(actors_call("actorIds", record=with_actors, relation=with_relations))
        returned.append("actors")
    parts.append("RETURN " + ", ".join(returned))
    both = both_ways("\n".join(parts))
    return both.forwards, both.backwards


@dataclass(frozen=True)
class Inbox:
    """A page of an inbox in reading order, the unread count (None when not asked) and the actors of the page
    (by id: identity's record, None when not read, and the viewer's relation to them)."""

    page: list[NotificationRow]
    unread: int | None
    actors: dict[str, tuple[ListedActor | None, Relation | None]]


async def inbox(
    tx: AsyncManagedTransaction,
    recipient_id: str,
    unread_only: bool,
    window: Window,
    *,
    with_count: bool,
    with_actors: bool,
    with_relations: bool,
) -> Inbox:
    forwards, backwards = inbox_query(with_count, with_actors, with_relations)
    found = await run(
        tx,
        backwards if window.backwards else forwards,
        recipientId=recipient_id,
        unreadOnly=unread_only,
        limit=window.limit,
        postKinds=POST_NOTICE_KINDS,
        viewerId=recipient_id,
        **window_keyset(window),
    )
    if not found:
        return Inbox(page=[], unread=0 if with_count else None, actors={})
    record = found[0]
    page = sorted(
        rows(NotificationRow, record["page"]), key=lambda n: (n.created_at, n.id), reverse=not window.backwards
    )
    return Inbox(
        page=page,
        unread=record["unread"] if with_count else None,
        actors=listed_actors(record["actors"]) if with_actors or with_relations else {},
    )
