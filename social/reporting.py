"""What social tells moderation when someone reports a post or a comment: whether they may see the post. The leaf
``moderation`` imports (it imports nothing of moderation, so the two domains form no cycle)."""

from __future__ import annotations

from auth.viewer import Viewer
from core.runtime import Runtime
from graph import social as queries
from social.visibility import PostFacts, may_see_post


async def may_see_post_but_for_my_blocks(rt: Runtime, viewer: Viewer, post_id: str) -> bool:
    """The visibility rule (``may_see_post``) with the viewer's own block of the author left aside: a block by
    the author still hides the post. For reporting: one may report what one blocked."""
    facts = await rt.graph.read(queries.post_facts_for_viewer, post_id, viewer.actor_id)
    if facts is None:
        return False
    return may_see_post(
        viewer,
        PostFacts(
            status=facts.status,
            visibility=facts.visibility,
            author_id=facts.author_id,
            blocked_either_way=facts.author_blocked_viewer,
            viewer_connected_to_author=facts.connected,
            viewer_member_of_community=facts.member,
        ),
    )
