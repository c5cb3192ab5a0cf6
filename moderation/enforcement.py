"""Moderation's enforcement: the leaf other domains import to refuse a suspended person inside their own transaction."""

from __future__ import annotations

from datetime import UTC

from neo4j import AsyncManagedTransaction

from core.errors import ForbiddenError
from graph import moderation as queries


async def assert_not_suspended(tx: AsyncManagedTransaction, person_id: str) -> None:
    """FORBIDDEN while the person's suspension runs, saying until when. Call it inside the write
    transaction that publishes (a post, a comment, a community), before writing anything."""
    until = await queries.suspended_until(tx, person_id)
    if until is None:
        return
    stamp = until.to_native().astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    raise ForbiddenError(
        f"Your account is suspended until {stamp} (UTC) by a city officer; until then you cannot post, "
        "comment or create communities.",
        extensions={"suspendedUntil": stamp},
    )
