"""Ward communities follow where residents live: the leaf identity calls, inside its transaction, when a person's
ward is set or changes (registration, profile update)."""

from __future__ import annotations

from neo4j import AsyncManagedTransaction

from graph import social as queries


async def join_ward_community(tx: AsyncManagedTransaction, person_id: str) -> None:
    """The person is a member of their ward's community and of no other ward's (social's rule)."""
    await queries.sync_ward_membership(tx, person_id)
