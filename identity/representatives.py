"""Who represents an organisation, with which role, and the record of every change."""

from __future__ import annotations

import uuid

from neo4j import AsyncManagedTransaction

from auth.permissions import authorize
from auth.viewer import Viewer
from core.errors import ConflictError, NotFoundError, UserInputError
from core.runtime import Runtime
from graph import identity as queries
from identity.acting import acting_actor
from identity.invitations import invitation_views
from identity.model import REPRESENTATIVE_ROLES, RepresentationChangeView, Representative, RepresentativeInvitationView
from identity.ownership import require_owner
from identity.views import persons_by_ids
from notifications import notify


async def set_representative(
    rt: Runtime, viewer: Viewer, org_id: str, person_id: str, role: str | None
) -> tuple[list[Representative], RepresentativeInvitationView | None]:
    """Owners change (role) or revoke (None) a representative's role; every change is recorded. A person who does
    not represent the organisation yet is only invited, and so is a representative offered ownership (owners carry
    the organisation's legal weight): nothing is granted until they accept, and they are told (at most once a day
    per organisation and invitee, never while the last notice is unread). Demotions and other role changes apply at
    once. An owner who stops being one (revoked, demoted) takes their pending invitations with them, and a revoked
    representative loses any pending promotion."""
    actor = authorize(viewer, "identity.representative.set")
    if role is not None and role not in REPRESENTATIVE_ROLES:
        raise UserInputError("A representative is an owner, an admin or a member.", field="role")

    async def work(tx: AsyncManagedTransaction) -> bool:
        owners = await queries.lock_and_count_owners(tx, org_id)
        my_role = await queries.representative_role(tx, actor, org_id)
        if my_role is None and owners == 0:
            raise NotFoundError("No organisation has this id.", field="organizationId")
        require_owner("identity.representative.set", my_role)
        their_role = await queries.representative_role(tx, person_id, org_id)
        if their_role == "owner" and role != "owner" and owners <= 1:
            raise ConflictError(
                "An organisation keeps at least one owner; make someone else owner first.", field="personId"
            )
        if role is None:
            if their_role is None:
                raise UserInputError(
                    "This person does not represent the organisation.", code="CONFLICT", field="personId"
                )
            await queries.remove_representative(tx, org_id, person_id, actor, str(uuid.uuid4()))
            await queries.delete_invitation(tx, org_id, person_id)
            if their_role == "owner":
                await queries.drop_invitations_sent_by(tx, org_id, person_id)
            return False
        if their_role is not None and (role != "owner" or their_role == "owner"):
            if not await queries.set_representative(tx, org_id, person_id, role, actor, str(uuid.uuid4())):
                raise NotFoundError("No active person has this id.", field="personId")
            if their_role == "owner" and role != "owner":
                await queries.drop_invitations_sent_by(tx, org_id, person_id)
            return False
        created = await queries.invite_representative(tx, org_id, person_id, role, actor)
        if created is None:
            raise NotFoundError("No active person has this id.", field="personId")
        if created:
            await notify(
                tx,
                rt,
                person_id,
                "representative_invited",
                sender=org_id,
                actor=actor,
                subject=org_id,
                subject_type="Organization",
            )
        return True

    invited = await rt.graph.write(work)
    reps = (await representatives(rt, viewer, [org_id]))[0] or []  # signed in (authorized above): never None
    if not invited:
        return reps, None
    found = await rt.graph.read(queries.invitation, org_id, person_id)
    views = await invitation_views(rt, viewer, [found] if found else [])
    return reps, views[0] if views else None


async def representatives(rt: Runtime, viewer: Viewer, org_ids: list[str]) -> list[list[Representative] | None]:
    """Who acts for each organisation, with their role (each person as the viewer may see them, no one across a
    block). Signed-in callers only: a signed-out caller sees organisations, not the people behind them (issue 12,
    privacy defaults of a real-name network), so None for each, without reading the graph."""
    if viewer.is_anonymous:
        return [None for _ in org_ids]
    found = await rt.graph.read(queries.representatives_of, org_ids)
    person_ids = [r.person_id for r in found]
    people = dict(zip(person_ids, await persons_by_ids(rt, viewer, person_ids), strict=False))
    grouped: dict[str, list[Representative]] = {i: [] for i in org_ids}
    for r in found:
        person = people.get(r.person_id)
        if person is not None:
            grouped[r.org_id].append(Representative(person, r.org_id, r.role, r.since.to_native()))
    return [grouped[i] for i in org_ids]


async def representation_history(rt: Runtime, viewer: Viewer, org_id: str) -> list[RepresentationChangeView]:
    """Who granted or revoked which role, when: visible to those who act for the organisation (owners, admins)."""
    await acting_actor(rt, viewer, "identity.representation.read", org_id, field=None)
    found = await rt.graph.read(queries.representation_history, org_id)
    ids = list({r.by_id for r in found} | {r.of_id for r in found})
    people = dict(zip(ids, await persons_by_ids(rt, viewer, ids), strict=False))
    return [
        RepresentationChangeView(
            id=r.id,
            action=r.action,
            role=r.role,
            at=r.at.to_native(),
            reason=r.reason,
            by=people.get(r.by_id),
            of=people.get(r.of_id),
        )
        for r in found
    ]
