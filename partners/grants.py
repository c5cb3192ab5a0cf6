"""People's grants: the consent a person gave an app, listed and revoked by that person only.

Revoking sets ``revokedAt`` and ``revokedBy`` and deletes the grant's refresh tokens not used yet; the app viewer
(``api.graphql_view``) reads ``Grant.revokedAt`` on every request, so the revocation bites on the app's very next
call. Closing an account revokes every grant of the person (``revoke_every_grant``, called by identity inside the
closing transaction). Each revocation tells the app: the webhook event ``grant.revoked`` (``revoked_event``), in
the same transaction.
"""

from __future__ import annotations

from neo4j import AsyncManagedTransaction

from auth.permissions import authorize
from auth.viewer import Viewer
from core.errors import ConflictError, NotFoundError
from core.pagination import Page, PageRequest, keyset_kind
from core.runtime import Runtime
from graph import partners as queries
from partners.model import GrantView
from partners.views import grant_view
from webhooks.events import PersonRef
from webhooks.outbox import emit

NO_GRANT = "You gave no app a grant with this id."

#: Cursors of myGrants (createdAt, grant id), scoped to the person and to whether revoked grants are included.
MY_GRANTS_CURSOR = keyset_kind("myGrants")


async def my_grants(rt: Runtime, viewer: Viewer, request: PageRequest, include_revoked: bool) -> Page[GrantView]:
    """My grants to apps, newest first (the revoked ones only when asked for)."""
    person_id = authorize(viewer, "partners.grant.read")
    kind = MY_GRANTS_CURSOR.scoped(person_id).for_filters(includeRevoked=include_revoked)
    found, total = await rt.graph.read(queries.grants_of_person, person_id, include_revoked, request.window(kind))
    page = request.page(found, kind, lambda r: (r.grant["createdAt"], r.grant["id"]), total_count=total)
    return Page(
        items=[grant_view(r) for r in page.items],
        cursors=page.cursors,
        has_next_page=page.has_next_page,
        has_previous_page=page.has_previous_page,
        total_count=total,
    )


async def grants_by_ids(rt: Runtime, viewer: Viewer, ids: list[str]) -> list[GrantView | None]:
    """``Grant`` nodes: only the person who gave them sees them (None for anyone else's, or for an app)."""
    if viewer.kind != "person" or viewer.actor_id is None:
        return [None] * len(ids)
    found = await rt.graph.read(queries.grants_by_ids, ids, viewer.actor_id)
    by_id = {r.grant["id"]: grant_view(r) for r in found}
    return [by_id.get(i) for i in ids]


async def revoke_grant(rt: Runtime, viewer: Viewer, grant_id: str) -> GrantView:
    """I take back an app's access: the grant ends now, and the app's next request under it is refused."""
    person_id = authorize(viewer, "partners.grant.revoke")

    async def work(tx: AsyncManagedTransaction) -> None:
        revoked = await queries.grant_revoked(tx, person_id, grant_id) if grant_id else None
        if revoked is None:
            raise NotFoundError(NO_GRANT, field="grantId")
        if revoked:
            raise ConflictError("This grant is revoked already.", field="grantId")
        for ended in await queries.revoke_grants(tx, person_id, grant_id, "person"):
            await revoked_event(tx, rt, ended.app_id, ended.id, person_id, "person")

    await rt.graph.write(work)
    (view,) = await grants_by_ids(rt, viewer, [grant_id])
    assert view is not None, "a grant is never deleted"
    return view


async def revoke_every_grant(tx: AsyncManagedTransaction, rt: Runtime, person_id: str) -> int:
    """Inside the caller's transaction (closing the account): every live grant of the person revoked
    (``revokedBy: 'account_closed'``), each app told; how many."""
    revoked = await queries.revoke_grants(tx, person_id, None, "account_closed")
    for grant in revoked:
        await revoked_event(tx, rt, grant.app_id, grant.id, person_id, "account_closed")
    return len(revoked)


async def revoked_event(
    tx: AsyncManagedTransaction, rt: Runtime, app_id: str, grant_id: str, person_id: str, by: str
) -> None:
    """The webhook event ``grant.revoked`` to the app whose grant ``grant_id`` of ``person_id`` was revoked ``by``
    the person, by closing their account, or by an officer (an app-level event: the grant no longer admits anything).
    ``grantId`` is the value of the ``gid`` claim of the grant's access tokens."""
    data = {"grantId": grant_id, "person": PersonRef(person_id), "revokedBy": by.upper()}
    await emit(tx, rt, "grant.revoked", about=[person_id], data=data, app_id=app_id)
