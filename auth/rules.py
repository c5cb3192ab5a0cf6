"""The rules behind the permissions, as pure functions of facts the graph holds.

Each rule here has exactly one Cypher mirror in ``graph.rules`` (named the same) that queries use to filter and
project, and a test in ``tests/rules`` that seeds every combination of the facts and checks the two agree. Change
a rule in both places or the test fails.
"""

from __future__ import annotations

from typing import Final

ACTING_ROLES: Final = ("owner", "admin")
"""Representative roles that may act for an organisation (sell, buy, pay, answer); members only represent it."""

COMMUNITY_RUNNING_ROLES: Final = ("moderator", "admin")
"""Community roles that run a community (decide requests to join, remove content, work its reports)."""


def acts_for(person_id: str, actor_id: str, role: str | None, organization_active: bool) -> bool:
    """The person acts for the actor: it is themself, or an active organisation they own or administer
    (``role`` is their REPRESENTS role in it, None when they have none). Mirror: ``graph.rules.acts_for``."""
    if person_id == actor_id:
        return True
    return organization_active and role in ACTING_ROLES


def runs_community(role: str | None) -> bool:
    """The person runs the community: they are one of its moderators or admins (``role`` is their MEMBER_OF
    role, None when not a member). Mirror: ``graph.rules.runs_community``."""
    return role in COMMUNITY_RUNNING_ROLES


def blocked_either_way(blocks: frozenset[tuple[str, str]], a: str, b: str) -> bool:
    """One of the two blocked the other (``blocks`` holds (blocker, blocked) pairs). Nothing passes a block in
    either direction: no post, listing, message, request or suggestion. Mirror: ``graph.rules.blocked_either_way``."""
    return (a, b) in blocks or (b, a) in blocks
