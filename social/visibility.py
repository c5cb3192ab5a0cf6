"""Who may see what of the social graph: a post, and an actor's lists of relations. The rules in words and code;
``graph.social.POST_VISIBLE`` and ``graph.social.RELATIONS_SHOWN`` are their Cypher mirrors, used by every query
that returns posts or lists people around an actor; ``tests/rules`` holds each pair together."""

from __future__ import annotations

from dataclasses import dataclass

from auth import rules
from auth.viewer import Viewer
from identity import privacy

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


#: The profile field whose audience decides who sees a person's lists of relations (``identity.privacy``).
RELATIONS_FIELD = "connections"


@dataclass(frozen=True)
class RelationsFacts:
    """What decides whether a viewer sees an actor's lists of relations (connections, followers, following,
    mutual connections)."""

    owner_id: str
    owner_is_person: bool
    #: the person's stored audience of their relations (``audience_connections``), None when never chosen
    audience: str | None
    viewer_connected_to_owner: bool
    #: the viewer's role in the organisation (REPRESENTS), None when none; for an organisation only
    viewer_role: str | None
    owner_active: bool


def may_see_relations(viewer: Viewer, facts: RelationsFacts) -> bool:
    """A person's lists of relations are a personal field with an audience they choose (profile field
    CONNECTIONS; by default their connections): they always see their own, everyone sees them when PUBLIC, their
    connections when CONNECTIONS, nobody else when ONLY_ME. An organisation has no connections and no audience: who
    follows it is seen by whoever acts for it (``auth.rules.acts_for``: its owners and admins), as each follower's
    own list of whom they follow is theirs to show. (A block, either way, hides the owner altogether: the caller
    answers NOT_FOUND before asking this.)"""
    if facts.owner_is_person:
        relation = privacy.relation_of(viewer, facts.owner_id, connected=facts.viewer_connected_to_owner)
        return privacy.may_see(
            privacy.audience_of({privacy.audience_property(RELATIONS_FIELD): facts.audience}, RELATIONS_FIELD), relation
        )
    if viewer.kind != "person" or viewer.actor_id is None:
        return False
    return rules.acts_for(viewer.actor_id, facts.owner_id, facts.viewer_role, facts.owner_active)
