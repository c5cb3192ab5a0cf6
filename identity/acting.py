"""Acting for an organisation: the leaf other domains import to learn which actor a request acts as.

``act_for(tx, viewer, action, organization_id)`` reads, inside the caller's transaction, what the graph says of
the person and the organisation (``auth.permissions.Representation``) and asks ``authorize``; so a role revoked
between the check and the change cannot slip through. The rule itself is ``auth.rules.acts_for`` (mirror:
``graph.rules.acts_for``).
"""

from __future__ import annotations

from neo4j import AsyncManagedTransaction

from auth.permissions import Representation, authorize
from auth.viewer import Viewer
from core.runtime import Runtime
from graph import identity as queries


async def representation(
    tx: AsyncManagedTransaction, person_id: str, organization_id: str, field: str | None = "asOrganization"
) -> Representation:
    """What the graph says of the person and the organisation they would act for (``field``: the input field or
    argument that names it, for NOT_FOUND)."""
    found = await queries.acting_role(tx, person_id, organization_id)
    if found is None:
        return Representation(organization_id, role=None, active=False, exists=False, field=field)
    return Representation(
        organization_id, role=found.role, active=(found.status or "active") == "active", field=field
    )  # as graph.rules.acts_for: unset means active


async def act_for(
    tx: AsyncManagedTransaction,
    viewer: Viewer,
    action: str,
    organization_id: str | None = None,
    *,
    field: str | None = "asOrganization",
) -> str:
    """The actor ``viewer`` does ``action`` as: themself, or the organisation ``organization_id`` when the
    permission may be done for one and they own or administer it. UNAUTHENTICATED / FORBIDDEN / NOT_FOUND say
    what is missing (NOT_FOUND names ``field``, the input field or argument that holds the organisation's id); the
    person's own standing (sign-in, level) is checked before the organisation is read."""
    person_id = authorize(viewer, action)
    if organization_id is None:
        return person_id
    return authorize(viewer, action, on=await representation(tx, person_id, organization_id, field))


async def acting_actor(
    rt: Runtime,
    viewer: Viewer,
    action: str,
    organization_id: str | None = None,
    *,
    field: str | None = "asOrganization",
) -> str:
    """``act_for`` in a read transaction of its own, for reads (statements, my listings)."""
    return await rt.graph.read(lambda tx: act_for(tx, viewer, action, organization_id, field=field))
