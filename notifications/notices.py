"""Telling people what happened: ``notify(tx, ...)`` is the one way any domain writes a notification.

It runs inside the transaction of what caused it, so a notification exists exactly when its cause committed (an
outbox for deliveries outside the graph attaches here later, without touching callers). What each kind of notice
takes before it is written is decided here, by kind, not by the caller:

- about a post (``comment``, ``reaction``, ``mention``): written only if the recipient, as the viewer, may see the
  post (``graph.social.POST_VISIBLE``) and no block stands between them and the actor: a notification never tells
  anyone about content they may not see. A reaction is told once per reactor and post, ever (changing it, or taking
  it back and reacting again, tells no one);
- repeatable (``connection_requested``, ``representative_invited``): at most once in ``REPEATED_NOTICE_DAYS`` days
  per sender and recipient, and never while the sender's last such notice is unread, so request / withdraw (invite /
  withdraw) cycles do not stack notifications. Callers hold a write lock on the sender, so parallel calls notify once;
- every other kind is written as asked. Only people have an inbox: a notice to an organisation is not written.

A notification written is also a webhook event, ``notification.created`` (``webhooks.outbox.emit``, in the same
transaction), for the apps the recipient granted ``notifications.read``.
"""

from __future__ import annotations

import uuid
from typing import Final

from neo4j import AsyncManagedTransaction

from core.runtime import Runtime
from graph import notifications as queries
from webhooks.events import PersonRef, global_id
from webhooks.outbox import emit

#: Every kind of notification (the GraphQL enum ``NotificationKind`` lists the same, a test holds them together).
KINDS: Final = (
    "connection_requested",
    "connection_accepted",
    "comment",
    "reaction",
    "mention",
    "community_join_approved",
    "community_join_declined",
    "report_decided",
    "content_removed",
    "warned",
    "account_suspended",
    "order_placed",
    "order_updated",
    "investment_interest",
    "investment_interest_answered",
    "representative_invited",
)

#: Kinds about a post someone else wrote: told (and later shown) only while the recipient may see it.
ABOUT_A_POST: Final = frozenset(queries.POST_NOTICE_KINDS)
#: Kinds told once per actor and post, ever.
ONCE_PER_POST: Final = frozenset({"reaction"})
#: Kinds told at most once in ``REPEATED_NOTICE_DAYS`` days per sender and recipient, and not while the last is unread.
REPEATABLE: Final = frozenset(queries.REPEATED_NOTICE_MARKERS)
REPEATED_NOTICE_DAYS: Final = 1


async def notify(
    tx: AsyncManagedTransaction,
    rt: Runtime,
    recipient: str,
    kind: str,
    *,
    actor: str | None,
    subject: str,
    subject_type: str,
    reason: str | None = None,
    sender: str | None = None,
) -> None:
    """Tell ``recipient`` that ``kind`` happened to ``subject`` (a node of GraphQL type ``subject_type``), under the
    rule of its kind (above). ``actor`` None means the city's moderation rather than a person the recipient should
    see; ``reason`` is shown with moderation outcomes and orders. ``sender`` is whom a repeatable notice is counted
    against (the organisation that invites; by default the actor)."""
    if kind not in KINDS:
        raise LookupError(f"no notification kind is named {kind!r}; declare it in notifications/notices.py")
    if kind in ABOUT_A_POST:
        if actor is None or subject_type != "Post":
            raise ValueError(f"a {kind} notice names its actor and a post")
        if kind in ONCE_PER_POST and not await queries.claim_reaction_notice(tx, actor, subject):
            return
        post_notice_id = str(uuid.uuid4())
        if await queries.notify_about_post(
            tx, id=post_notice_id, recipient_id=recipient, kind=kind, actor_id=actor, post_id=subject
        ):
            await _told(tx, rt, post_notice_id, recipient, kind, actor, subject, subject_type, None)
        return
    notice_id = str(uuid.uuid4())
    if kind in REPEATABLE:
        counted_against = sender or actor
        if counted_against is None:
            raise ValueError(f"a {kind} notice names its sender")
        if not await queries.claim_repeated_notice(
            tx, kind, counted_against, recipient, notice_id, REPEATED_NOTICE_DAYS
        ):
            return
    await queries.create_notification(
        tx,
        id=notice_id,
        recipient_id=recipient,
        kind=kind,
        actor_id=actor,
        subject_id=subject,
        subject_type=subject_type,
        reason=reason,
    )
    await _told(tx, rt, notice_id, recipient, kind, actor, subject, subject_type, reason)


async def _told(
    tx: AsyncManagedTransaction,
    rt: Runtime,
    notice_id: str,
    recipient: str,
    kind: str,
    actor: str | None,
    subject: str,
    subject_type: str,
    reason: str | None,
) -> None:
    """The webhook event of a notification written (none for an organisation: only people have an inbox, and the
    event is about the recipient, whose grants alone admit it). Its fields are the ``Notification``'s as the app
    reads them: a person named by the app's ids (``subjectId`` too when it is a person)."""
    subject_id: PersonRef | str = (
        PersonRef(subject, id_only=True) if subject_type == "Person" else global_id(subject_type, subject)
    )
    data = {
        "notification": global_id("Notification", notice_id),
        "kind": kind.upper(),
        "recipient": PersonRef(recipient),
        "actor": PersonRef(actor) if actor is not None else None,
        "subjectType": subject_type,
        "subjectId": subject_id,
        "reason": reason,
    }
    await emit(tx, rt, "notification.created", about=[recipient], data=data)
