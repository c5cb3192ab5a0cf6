"""Notifications are written in the transaction of what caused them; other domains (communities,
moderation) notify through ``notify`` so the Notification shape lives in one place."""

from __future__ import annotations

import uuid

from neo4j import AsyncManagedTransaction

from graph import social as queries


async def notify(
    tx: AsyncManagedTransaction,
    recipient: str,
    kind: str,
    *,
    actor: str | None,
    subject: str,
    subject_type: str,
    reason: str | None = None,
    id: str | None = None,
) -> None:
    """Tell ``recipient`` that ``kind`` happened to ``subject`` (a node of GraphQL type ``subject_type``).
    ``actor`` None means the city's moderation rather than a person the recipient should see; ``id`` is the
    notification's id when the caller recorded it beforehand."""
    await queries.create_notification(
        tx,
        id=id or str(uuid.uuid4()),
        recipient_id=recipient,
        kind=kind,
        actor_id=actor,
        subject_id=subject,
        subject_type=subject_type,
        reason=reason,
    )


#: A repeatable notice (a connection request, an invitation to represent an organisation) is sent at most once in
#: this many days per sender and recipient, and never while the sender's last such notice is unread: request /
#: withdraw (invite / withdraw) cycles do not stack notifications.
REPEATED_NOTICE_DAYS = 1


async def notify_unless_repeated(
    tx: AsyncManagedTransaction,
    recipient: str,
    kind: str,
    *,
    sender: str,
    actor: str | None,
    subject: str,
    subject_type: str,
) -> bool:
    """``notify`` for a kind of ``queries.REPEATED_NOTICE_MARKERS`` unless ``sender`` told ``recipient`` of it in the
    last ``REPEATED_NOTICE_DAYS`` days or that notice is unread (the marker is claimed in this transaction; the
    caller holds a write lock on ``sender``, so parallel calls notify once). True if a notification was written."""
    notice_id = str(uuid.uuid4())
    if not await queries.claim_repeated_notice(tx, kind, sender, recipient, notice_id, REPEATED_NOTICE_DAYS):
        return False
    await notify(tx, recipient, kind, actor=actor, subject=subject, subject_type=subject_type, id=notice_id)
    return True
