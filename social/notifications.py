"""Notifications are written in the transaction of what caused them; other domains (communities,
moderation) notify through ``notify`` so the Notification shape lives in one place."""

from __future__ import annotations

import uuid

from neo4j import AsyncManagedTransaction

from graph import social as queries


async def notify(
    tx: AsyncManagedTransaction, recipient: str, kind: str, *, actor: str | None, subject: str, subject_type: str,
    reason: str | None = None, id: str | None = None,
) -> None:
    """Tell ``recipient`` that ``kind`` happened to ``subject`` (a node of GraphQL type ``subject_type``).
    ``actor`` None means the city's moderation rather than a person the recipient should see; ``id`` is the
    notification's id when the caller recorded it beforehand."""
    await queries.create_notification(
        tx, id=id or str(uuid.uuid4()), recipient_id=recipient, kind=kind, actor_id=actor, subject_id=subject,
        subject_type=subject_type, reason=reason,
    )
