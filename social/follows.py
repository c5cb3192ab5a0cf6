"""Following an actor (a person or an organisation): their posts reach my feed. One does not follow across one's
own block; whoever blocked me does not exist for me (``social.relations``)."""

from __future__ import annotations

from neo4j import AsyncManagedTransaction

from auth.permissions import authorize
from auth.viewer import Viewer
from core.errors import ConflictError
from core.runtime import Runtime
from graph import social as queries
from social.relations import locked_relation, undo


async def set_following(rt: Runtime, viewer: Viewer, other: str, on: bool) -> None:
    """Follow (on) or unfollow (off)."""
    me = authorize(viewer, "social.follow.set")

    async def work(tx: AsyncManagedTransaction) -> None:
        relation = await locked_relation(tx, me, other)
        if not on:
            await undo(tx, "follow", me, other)
            return
        if relation.blocked_by_me:
            raise ConflictError("You blocked this actor; unblock them first.", field="actorId")
        await queries.write_edge(tx, "follow", me, other)

    await rt.graph.write(work)
