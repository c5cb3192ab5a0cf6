"""How two actors relate: the viewer's answer to ``Actor.relation``, and the locked read every change of a
relationship (connections, follows, blocks, mutes) starts from."""

from __future__ import annotations

from typing import TypedDict

from neo4j import AsyncManagedTransaction

from auth.viewer import Viewer
from core.errors import NotFoundError, UserInputError
from core.runtime import Runtime
from graph import social as queries

NOT_FOUND = "No person or organisation has this id."


class RelationAnswer(TypedDict):
    """How I relate to another actor, as ``resolvers/social.py`` reads it: my own edges, and their request to me."""

    connected: bool
    requestedByMe: bool
    requestedByThem: bool
    following: bool
    blockedByMe: bool
    muted: bool


async def relation_to(rt: Runtime, viewer: Viewer, other: str) -> RelationAnswer | None:
    """How I relate to another actor; None for anonymous viewers and myself. Across a block by them it shows
    only my own edges (all that a block leaves: my block and mute), so it reveals nothing of theirs."""
    if viewer.is_anonymous or viewer.actor_id is None or viewer.actor_id == other:
        return None
    found = await rt.graph.read(queries.relation, viewer.actor_id, other)
    if found is None:
        return None
    return RelationAnswer(
        connected=found.connected,
        requestedByMe=found.requested_by_me,
        requestedByThem=found.requested_by_them,
        following=found.following,
        blockedByMe=found.blocked_by_me,
        muted=found.muted,
    )


async def locked_relation(
    tx: AsyncManagedTransaction, me: str, other: str, *, past_their_block: bool = False
) -> queries.Relation:
    """Lock both and read how we relate. A blocker is invisible to whom they blocked (the same answer as an
    unknown id), except to block them back or lift that block (``past_their_block``)."""
    if me == other:
        raise UserInputError("That is you.", field="actorId")
    found = await queries.lock_relation(tx, me, other)
    if found is None or found.status != "active" or (found.blocked_by_them and not past_their_block):
        raise NotFoundError(NOT_FOUND)
    return found


async def undo(tx: AsyncManagedTransaction, kind: str, me: str, other: str) -> None:
    """Take back my follow, block or mute (``kind``); a CONFLICT when there was none."""
    if not await queries.delete_edge(tx, "un" + kind, me, other):
        raise UserInputError(f"There was nothing to undo ({kind}).", code="CONFLICT", field="actorId")
