"""Invitations to represent an organisation: sent by its owners, answered by the invitee."""

from __future__ import annotations

import uuid

from neo4j import AsyncManagedTransaction

from auth.permissions import authorize
from auth.viewer import Viewer
from core.errors import ConflictError, NotFoundError
from core.pagination import CursorKind, Page, PageRequest, keyset_kind
from core.runtime import Runtime
from graph import identity as queries
from graph.identity import InvitationRow
from identity.acting import acting_actor
from identity.model import OrganizationView, PersonView, RepresentativeInvitationView
from identity.ownership import require_owner
from identity.views import organizations_by_ids, persons_by_ids


async def invitation_views(
    rt: Runtime, viewer: Viewer, found: list[InvitationRow]
) -> list[RepresentativeInvitationView]:
    """Views of invitations whose organisation and invitee the viewer may see (the inviter may be hidden)."""
    org_ids = list({r.org_id for r in found})
    person_ids = list({r.person_id for r in found} | {r.invited_by_id for r in found if r.invited_by_id})
    orgs = dict(zip(org_ids, await organizations_by_ids(rt, viewer, org_ids), strict=False))
    people: dict[str, PersonView | None] = dict(
        zip(person_ids, await persons_by_ids(rt, viewer, person_ids), strict=False)
    )
    views = []
    for r in found:
        organization, person = orgs.get(r.org_id), people.get(r.person_id)
        if organization is not None and person is not None:
            views.append(
                RepresentativeInvitationView(
                    organization=organization,
                    person=person,
                    role=r.role,
                    invited_by=people.get(r.invited_by_id) if r.invited_by_id else None,
                    created_at=r.created_at.to_native(),
                )
            )
    return views


async def _invitation_page(
    rt: Runtime,
    viewer: Viewer,
    request: PageRequest,
    found: list[InvitationRow],
    total: int,
    cursor: CursorKind,
    by_organization: bool,
) -> Page[RepresentativeInvitationView]:
    """A page of invitations as the graph read it for ``request.window(cursor)``, keyed by the organisation
    (``by_organization``, a person's invitations) or the invitee (an organisation's); rows the viewer may not see
    are left out."""

    def key(r: InvitationRow) -> str:
        return r.org_id if by_organization else r.person_id

    page = request.page(found, cursor, lambda r: (r.created_at, key(r)), total_count=total)
    views = {
        (view.organization.id if by_organization else view.person.id): view
        for view in await invitation_views(rt, viewer, page.items)
    }
    kept = [(views[key(r)], c) for r, c in zip(page.items, page.cursors, strict=True) if key(r) in views]
    return Page(
        items=[view for view, _ in kept],
        cursors=[c for _, c in kept],
        has_next_page=page.has_next_page,
        has_previous_page=page.has_previous_page,
        total_count=total,
    )


#: Cursors of myRepresentativeInvitations (createdAt, organisation id), scoped to the invitee.
MY_INVITATIONS_CURSOR = keyset_kind("myRepresentativeInvitations")


async def my_representative_invitations(
    rt: Runtime, viewer: Viewer, request: PageRequest
) -> Page[RepresentativeInvitationView]:
    """Invitations to represent an organisation that wait for my answer, newest first."""
    person_id = authorize(viewer, "identity.invitation.read")
    kind = MY_INVITATIONS_CURSOR.scoped(person_id)
    found, total = await rt.graph.read(queries.invitations_of_person, person_id, request.window(kind))
    return await _invitation_page(rt, viewer, request, found, total, kind, True)


#: Cursors of Organization.pendingInvitations (createdAt, invitee id), scoped to the organisation.
PENDING_INVITATIONS_CURSOR = keyset_kind("pendingInvitations")


async def pending_invitations(
    rt: Runtime, viewer: Viewer, org_id: str, request: PageRequest
) -> Page[RepresentativeInvitationView]:
    """The organisation's invitations that wait for an answer, newest first: for its owners and admins, so an
    owner can find one to withdraw."""
    await acting_actor(rt, viewer, "identity.invitation.list", org_id, field=None)
    kind = PENDING_INVITATIONS_CURSOR.scoped(org_id)
    found, total = await rt.graph.read(queries.pending_invitations, org_id, request.window(kind))
    return await _invitation_page(rt, viewer, request, found, total, kind, False)


NO_PENDING_INVITATION = "There is no pending invitation from this organisation: it was answered or withdrawn."


async def accept_representative_invitation(
    rt: Runtime, viewer: Viewer, org_id: str
) -> tuple[OrganizationView | None, str]:
    """I accept an owner's invitation: from now on I represent the organisation with the role offered."""
    person_id = authorize(viewer, "identity.invitation.answer")

    async def work(tx: AsyncManagedTransaction) -> str:
        if await queries.lock_organization(tx, org_id) != "active":
            raise NotFoundError("No active organisation has this id.", field="organizationId")
        role = await queries.accept_invitation(tx, org_id, person_id, str(uuid.uuid4()))
        if role is None:
            raise ConflictError(NO_PENDING_INVITATION, field="organizationId")
        return role

    role = await rt.graph.write(work)
    (organization,) = await organizations_by_ids(rt, viewer, [org_id])
    return organization, role


async def decline_representative_invitation(rt: Runtime, viewer: Viewer, org_id: str) -> OrganizationView | None:
    """I decline an owner's invitation: it is gone, and nothing was ever granted."""
    person_id = authorize(viewer, "identity.invitation.answer")

    async def work(tx: AsyncManagedTransaction) -> None:
        if await queries.lock_organization(tx, org_id) is None:
            raise NotFoundError("No organisation has this id.", field="organizationId")
        if await queries.delete_invitation(tx, org_id, person_id) is None:
            raise ConflictError(NO_PENDING_INVITATION, field="organizationId")

    await rt.graph.write(work)
    return (await organizations_by_ids(rt, viewer, [org_id]))[0]


async def withdraw_representative_invitation(
    rt: Runtime, viewer: Viewer, org_id: str, person_id: str
) -> OrganizationView | None:
    """Owners (the inviter among them) take back an invitation that has not been answered yet."""
    actor = authorize(viewer, "identity.invitation.withdraw")

    async def work(tx: AsyncManagedTransaction) -> None:
        if await queries.lock_organization(tx, org_id) is None:
            raise NotFoundError("No organisation has this id.", field="organizationId")
        require_owner("identity.invitation.withdraw", await queries.representative_role(tx, actor, org_id))
        if await queries.delete_invitation(tx, org_id, person_id) is None:
            raise ConflictError("This person has no pending invitation from this organisation.", field="personId")

    await rt.graph.write(work)
    return (await organizations_by_ids(rt, viewer, [org_id]))[0]
