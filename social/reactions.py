"""Reactions to posts: one per person per post; the author hears of it once per reactor and post, ever."""

from __future__ import annotations

from neo4j import AsyncManagedTransaction

from auth.permissions import authorize
from auth.viewer import Viewer
from core.errors import UserInputError
from core.runtime import Runtime
from graph import social as queries
from notifications import notify
from social.model import REACTION_KINDS, ReactionSummary
from social.posts import visible_post


async def react(rt: Runtime, viewer: Viewer, post_id: str, kind: str | None) -> None:
    """One reaction per person per post: a new kind replaces the old; None takes it back.

    The author hears of it once per (reactor, post), ever: when the reaction is new and they were not told
    of this person's reaction to this post before (``notifications``). Changing the kind, or taking it back and
    reacting again, notifies no one (the reactor is write-locked for the decision, so parallel calls notify once)."""
    me = authorize(viewer, "social.reaction.set")
    if kind is not None and kind not in REACTION_KINDS:
        raise UserInputError("A reaction is one of {kinds}.", field="kind", params={"kinds": ", ".join(REACTION_KINDS)})
    post = await visible_post(rt, viewer, post_id)

    async def work(tx: AsyncManagedTransaction) -> None:
        created = await queries.react(tx, me, post_id, kind)
        if created and post.author_id != me:
            await notify(tx, rt, post.author_id, "reaction", actor=me, subject=post_id, subject_type="Post")

    await rt.graph.write(work)


def reaction_summary(counts: tuple[queries.ReactionCount, ...], mine: str | None) -> ReactionSummary:
    return ReactionSummary(counts={c.kind: c.count for c in counts}, mine=mine)


async def reactions_of_posts(rt: Runtime, viewer: Viewer, post_ids: list[str]) -> list[ReactionSummary]:
    """Each post's reaction counts (none across a block) and the viewer's own reaction."""
    found = {r.post_id: r for r in await rt.graph.read(queries.reactions_of_posts, post_ids, viewer.actor_id)}
    return [reaction_summary(found[p].counts, found[p].mine) if p in found else ReactionSummary() for p in post_ids]
