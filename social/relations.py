"""How two actors relate: the viewer's answer to ``Actor.relation``, and the locked read every change of a
relationship (connections, follows, blocks, mutes) starts from."""

from __future__ import annotations

from neo4j import AsyncManagedTransaction

from auth.viewer import Viewer
from core.errors import NotFoundError, UserInputError
from core.runtime import Runtime
from graph import social as queries

NOT_FOUND = "No person or organisation has this id."


async def relations_to(rt: Runtime, viewer: Viewer, others: list[str]) -> list[queries.Relation | None]:
    """How I relate to each of ``others``, in one statement; None for anonymous viewers, myself and unknown ids.
    Across a block by them it shows only my own edges (all that a block leaves: my block and mute), so it
    reveals nothing of theirs (the resolver shows my edges and their request, which a block removed)."""
    me = viewer.actor_id
    if viewer.is_anonymous or me is None:
        return [None for _ in others]
    wanted = list({other for other in others if other != me})
    found = await rt.graph.read(queries.relations, me, wanted) if wanted else {}
    return [found.get(other) if other != me else None for other in others]


async def locked_relation(
    tx: AsyncManagedTransaction, me: str, other: str, *, past_their_block: bool = False
) -> queries.Relation:
    """Lock both and read how we relate. A blocker is invisible to whom they blocked (the same answer as an
    unknown id), except to block them back or lift that block (``past_their_block``)."""
    if me == other:
        raise UserInputError("That is you.", field="actorId")
    found = await queries.lock_relation(tx, me, other)
    if found is None or found.status != "active" or (found.blocked_by_them and not past_their_block):
        raise NotFoundError(NOT_FOUND, field="actorId")
    return found


async def undo(tx: AsyncManagedTransaction, kind: str, me: str, other: str) -> None:
    """Take back my follow, block or mute (``kind``). Idempotent, as every ``...Set``: when there is none (never made,
    already taken back, or only the other's block stands) nothing is written and it is no mistake; the caller
    answers the relation as it now is."""
    await queries.delete_edge(tx, "un" + kind, me, other)
