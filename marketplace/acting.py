"""Acting for an organisation in a marketplace mutation: ``identity.acting.act_for`` with the organisation named by
the input's ``asOrganization`` field.

``act_for`` answers NOT_FOUND for an organisation that does not exist (or is not active); in a mutation that is a
mistake of the input, so it must say which field holds the id (``core.errors``: a NOT_FOUND names its field).
"""

from __future__ import annotations

from neo4j import AsyncManagedTransaction

from auth.viewer import Viewer
from core.errors import NotFoundError
from identity.acting import act_for

#: The input field of every marketplace mutation that may act for an organisation.
AS_ORGANIZATION = "asOrganization"


async def act_as(tx: AsyncManagedTransaction, viewer: Viewer, action: str, organization_id: str | None) -> str:
    """The actor the viewer does ``action`` as (``act_for``); an unknown organisation is NOT_FOUND naming
    ``asOrganization``."""
    try:
        return await act_for(tx, viewer, action, organization_id)
    except NotFoundError as error:
        if error.field is not None:
            raise
        raise NotFoundError(error.template, field=AS_ORGANIZATION, params=error.params) from error
