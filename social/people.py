"""Lists of people around an actor: connections, followers, following, requests in and out (the owner's only),
mutual connections. People leave as identity views (``identity.views``), and nobody appears across a block."""

from __future__ import annotations

from auth.viewer import Viewer
from core.errors import ForbiddenError, NotFoundError, UserInputError
from core.pagination import Page, PageRequest, keyset_kind
from core.runtime import Runtime
from graph import social as queries
from identity import views as identity_views
from identity.model import OrganizationView, PersonView
from social.model import LIST_KINDS
from social.relations import NOT_FOUND

#: Cursors of every list, (time, id), named by list so one list's cursor is refused by another.
PEOPLE_CURSORS = {kind: keyset_kind(f"people.{kind}") for kind in LIST_KINDS}


async def list_actors(
    rt: Runtime, viewer: Viewer, owner: str, kind: str, request: PageRequest
) -> Page[PersonView | OrganizationView]:
    """Connections, followers, following, requests in and out (owner only), mutual connections. An owner may hide
    how many follow them and how many they follow (``social.preferences``) from everyone else."""
    if kind not in LIST_KINDS:
        raise UserInputError("Unknown list.", field="kind")
    if kind in ("requests_in", "requests_out") and viewer.actor_id != owner:
        raise ForbiddenError("Only the person themself sees their pending requests.")
    if kind == "mutual" and viewer.is_anonymous:
        return Page(items=[], cursors=[], has_next_page=False, has_previous_page=False, total_count=0)
    (owner_view,) = await identity_views.actors_by_ids(rt, viewer, [owner])
    if owner_view is None:
        raise NotFoundError(NOT_FOUND)
    after = request.keyset(PEOPLE_CURSORS[kind])
    listed, total = await rt.graph.read(queries.list_actors, kind, owner, viewer.actor_id, after, request.size + 1)
    page_rows = listed[: request.size]
    views = await identity_views.actors_by_ids(rt, viewer, [r.id for r in page_rows])
    pairs = [(v, r) for v, r in zip(views, page_rows, strict=False) if v is not None]
    settings = await rt.graph.read(queries.social_settings, owner)
    hidden = (
        viewer.actor_id != owner
        and settings is not None
        and (
            (kind == "followers" and not settings.show_follower_count)
            or (kind == "following" and not settings.show_following_count)
        )
    )
    return Page(
        items=[v for v, _ in pairs],
        cursors=[PEOPLE_CURSORS[kind].encode(r.at, r.id) for _, r in pairs],
        has_next_page=len(listed) > request.size,
        has_previous_page=after is not None,
        total_count=None if hidden else total,
    )
