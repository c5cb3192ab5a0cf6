"""Keeping an actor away: blocking (nothing passes a block in either direction: ``auth.rules.blocked_either_way``)
and muting (private: only hides them from my feed).

Blocking removes connections, requests and follows in both directions. A blocked person may block back; each block
is lifted only by whoever made it, so the other one's stays."""

from __future__ import annotations

from neo4j import AsyncManagedTransaction

from auth.permissions import authorize
from auth.viewer import Viewer
from core.runtime import Runtime
from graph import social as queries
from social.relations import locked_relation, undo


async def set_blocked(rt: Runtime, viewer: Viewer, other: str, on: bool) -> None:
    """Block (on) or unblock (off); both pass a block by them (to block back, or to lift my own)."""
    me = authorize(viewer, "social.block.set")
    await rt.graph.write(_set_edge, "block", me, other, on)


async def set_muted(rt: Runtime, viewer: Viewer, other: str, on: bool) -> None:
    """Mute (on) or unmute (off)."""
    me = authorize(viewer, "social.mute.set")
    await rt.graph.write(_set_edge, "mute", me, other, on)


async def _set_edge(tx: AsyncManagedTransaction, kind: str, me: str, other: str, on: bool) -> None:
    await locked_relation(tx, me, other, past_their_block=kind == "block")
    if on:
        await queries.write_edge(tx, kind, me, other)
    else:
        await undo(tx, kind, me, other)
