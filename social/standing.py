"""A person's standing in a community: the leaf that reads it for ``authorize(viewer, "...", on=membership)``.

``membership`` reads, inside the caller's transaction, the person's role in the community as an
``auth.permissions.Membership``; ``authorize`` then applies the rule (``auth.rules.runs_community``, mirror
``graph.rules.runs_community``). A change of membership reads it under the community's lock instead
(``membership_under_lock``), so a role changed between the check and the change cannot slip through.

Nobody signed in is no member, and the community is not looked up for them: ``authorize`` answers UNAUTHENTICATED
first, as it would before anything else. For a person, NOT_FOUND when there is no such community (naming
``field``, the input field that holds the community's id, when a mutation asks).
"""

from __future__ import annotations

from neo4j import AsyncManagedTransaction

from auth.permissions import Membership
from core.errors import NotFoundError
from graph import communities as queries
from graph.communities import LockedCommunity

NOT_FOUND = "No community has this id."


def _membership(
    community_id: str, person_id: str | None, role: str | None, *, exists: bool, field: str | None
) -> Membership:
    if person_id is None:
        return Membership(community_id, None)
    if not exists:
        raise NotFoundError(NOT_FOUND, field=field)
    return Membership(community_id, role)


async def membership(tx: AsyncManagedTransaction, community_id: str, person_id: str | None) -> Membership:
    """The person's role in the community, read in the caller's transaction (see the module's docstring)."""
    if person_id is None:
        return Membership(community_id, None)
    found = await queries.role_in_community(tx, community_id, person_id)
    return _membership(community_id, person_id, found.role if found else None, exists=found is not None, field=None)


def membership_under_lock(
    community_id: str, person_id: str | None, locked: LockedCommunity | None, *, field: str | None = None
) -> Membership:
    """The person's role in the community from what ``graph.communities.lock_community`` read under its lock
    (``locked`` is None when there is no such community)."""
    mine = locked.people.get(person_id) if locked is not None and person_id is not None else None
    return _membership(community_id, person_id, mine.role if mine else None, exists=locked is not None, field=field)
