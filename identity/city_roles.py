"""Roles the city grants (officer, administrator): never self-chosen. Administrators grant the officer role through
the API; the first administrator is made with the CLI (``hanoismart admin grant``)."""

from __future__ import annotations

from neo4j import AsyncManagedTransaction

from auth.permissions import authorize
from auth.viewer import Viewer
from core.errors import NotFoundError, UserInputError
from core.runtime import Runtime
from graph import identity as queries
from identity.model import GRANTED_ROLES, PersonView
from identity.views import persons_by_ids


async def grant_role(rt: Runtime, viewer: Viewer, person_id: str, role: str, *, grant: bool) -> PersonView | None:
    """Administrators grant and revoke the officer role."""
    authorize(viewer, "identity.officer.grant")
    if role != "officer":
        raise UserInputError(
            "Only the officer role is granted through the API; administrators use the CLI.", field="role"
        )
    await set_granted_role(rt, person_id, role, grant=grant)
    (view,) = await persons_by_ids(rt, viewer, [person_id])
    return view


async def set_granted_role(rt: Runtime, person_id: str, role: str, *, grant: bool) -> None:
    """Shared by the API (officer) and the CLI (administrator)."""
    if role not in GRANTED_ROLES:
        raise UserInputError("Unknown granted role {role}.", field="role", params={"role": role})

    async def work(tx: AsyncManagedTransaction) -> None:
        current = await queries.roles_of(tx, person_id)
        if current is None or current.status != "active":
            raise NotFoundError("No active person has this id.", field="personId")
        roles = set(current.roles or [])
        roles = roles | {role} if grant else roles - {role}
        await queries.update_person(tx, person_id, {"roles": sorted(roles)})

    await rt.graph.write(work)
