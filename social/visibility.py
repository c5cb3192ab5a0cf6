"""Who may see a post: the rule in words and code. ``graph.social.POST_VISIBLE`` is its Cypher mirror,
used by every query that returns posts; ``may_see_post`` re-checks each post a service hands out."""

from __future__ import annotations

from dataclasses import dataclass

from auth.viewer import Viewer

VISIBILITIES = ("public", "connections", "community")


@dataclass(frozen=True)
class PostFacts:
    status: str
    visibility: str
    author_id: str
    blocked_either_way: bool  # the viewer and the author blocked one another
    viewer_connected_to_author: bool
    viewer_member_of_community: bool


def may_see_post(viewer: Viewer, facts: PostFacts) -> bool:
    """Active posts only; never across a block; public to all, connections to the author's connections,
    community posts to the community's members; authors always see their own."""
    if facts.status != "active" or facts.blocked_either_way:
        return False
    if facts.visibility == "public" or viewer.actor_id == facts.author_id:
        return True
    if viewer.is_anonymous:
        return False
    if facts.visibility == "connections":
        return facts.viewer_connected_to_author
    return facts.visibility == "community" and facts.viewer_member_of_community
