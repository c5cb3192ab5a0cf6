"""Legacy: the old acting-for check, kept only until marketplace moves to ``identity.acting`` (issue 11).

Every use case of identity lives in its own module now (``identity.account``, ``identity.registration``, ...).
"""

from __future__ import annotations

from neo4j import AsyncManagedTransaction

from auth.permissions import require_level
from auth.viewer import Viewer
from core.errors import ForbiddenError, NotFoundError
from core.runtime import Runtime
from graph import identity as queries

ACTING_ROLES = ("owner", "admin")
"""Representative roles that may act for an organisation (sell, buy, pay); members only represent it."""


async def act_for(
    tx: AsyncManagedTransaction, viewer: Viewer, organization_id: str | None, *, level: int, action: str
) -> str:
    """The actor a request acts as: the signed-in person (verified at ``level``), or the organisation they own or
    administer when ``organization_id`` is given. Runs inside the caller's transaction, so a revoked role cannot
    slip between the check and the change. FORBIDDEN names what is missing."""
    person_id = require_level(viewer, level, action)
    if organization_id is None:
        return person_id
    row = await queries.acting_role(tx, person_id, organization_id)
    if row is None or row.status != "active":
        raise NotFoundError("No active organisation has this id.")
    if row.role not in ACTING_ROLES:
        raise ForbiddenError(
            f"To {action} for this organisation you must be its owner or admin.",
            extensions={"requiredRepresentativeRole": list(ACTING_ROLES)},
        )
    return organization_id


async def acting_actor(rt: Runtime, viewer: Viewer, organization_id: str | None, *, level: int, action: str) -> str:
    """``act_for`` in a read transaction of its own, for reads (statements, my listings)."""
    return await rt.graph.read(lambda tx: act_for(tx, viewer, organization_id, level=level, action=action))
