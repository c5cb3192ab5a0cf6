"""Lists of people around an actor: connections, followers, following, requests in and out (the owner's only),
mutual connections. People leave as identity views (``identity.views``), and nobody appears across a block.

Who may see a list at all is ``social.visibility.may_see_relations`` (a person's ``connections`` audience, by
default their connections; an organisation's followers, whoever acts for it), applied inside the one statement
that reads the page (``graph.social.RELATIONS_SHOWN``) and checked again here on the facts it read: a list hidden
from the viewer is ``None`` (the API shows null), and none of its rows is read.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from auth.viewer import Viewer
from core.errors import ForbiddenError, NotFoundError, UserInputError
from core.pagination import Page, PageRequest, Window, keyset_kind
from core.runtime import Runtime
from graph import social as queries
from graph.social import PeopleList
from identity import privacy
from identity import views as identity_views
from identity.model import OrganizationView, PersonView
from identity.views import ActorRecord, ActorShape
from social.model import LIST_KINDS
from social.relations import NOT_FOUND
from social.visibility import RELATIONS_FIELD, RelationsFacts, may_see_relations

#: Cursors of every list, (time, id), named by list and scoped to its owner: one list's cursor (or another
#: owner's) is refused by another.
PEOPLE_CURSORS = {kind: keyset_kind(f"people.{kind}") for kind in LIST_KINDS}
#: The lists only their owner sees (FORBIDDEN to anyone else); the others follow ``may_see_relations``.
OWN_ONLY = ("requests_in", "requests_out")


ActorView = PersonView | OrganizationView


def list_window(viewer: Viewer, owner: str, kind: str, request: PageRequest) -> Window:
    """The bounds of the page ``request`` asks of the list ``kind`` of ``owner``: INVALID_INPUT for an unknown list
    or a cursor this list (of this owner) did not issue, FORBIDDEN for another's pending requests."""
    if kind not in LIST_KINDS:
        raise UserInputError("Unknown list.", field="kind")
    if kind in OWN_ONLY and viewer.actor_id != owner:
        raise ForbiddenError("Only the person themself sees their pending requests.")
    return request.window(PEOPLE_CURSORS[kind].scoped(owner))


def list_context(viewer: Viewer) -> dict[str, Any]:
    """What a list's statement reads of its viewer besides their id, as parameters: the default audience of a
    person's lists, whether the viewer is the person signed in (not an app acting for them), and a sandbox app's id
    (its token neither sees nor counts real people)."""
    return {
        "relationsAudienceDefault": privacy.DEFAULT_AUDIENCES[RELATIONS_FIELD].value,
        "viewerIsPerson": viewer.kind == "person",
        "sandboxAppId": identity_views.sandbox_app_id(viewer),
    }


async def list_actors(
    rt: Runtime,
    viewer: Viewer,
    owner: str,
    kind: str,
    request: PageRequest,
    shape: ActorShape | None = None,
    views_of: Callable[[list[ActorRecord]], Mapping[str, ActorView | None]] | None = None,
    read: PeopleList | None = None,
) -> Page[ActorView] | None:
    """Connections, followers, following, mutual connections (None when the owner does not show them to the
    viewer), requests in and out (the owner's only). An owner may hide how many follow them and how many they
    follow (``social.preferences``) from everyone else: ``total_count`` is then None.

    With ``shape`` and ``views_of`` the page's statement reads each listed actor as ``shape`` asks
    (``graph.social.list_query``) and ``views_of`` turns those records into views (the resolver's, which primes the
    nested fields from them): one statement for the page and its people; without them the views are read after.
    ``read``: the list as the owner's statement read it already (folded in, ``graph.identity.FoldedList``, with this
    page's bounds, ``list_window``, and ``shape``): no statement at all, the same checks."""
    window = list_window(viewer, owner, kind, request)
    cursor = PEOPLE_CURSORS[kind].scoped(owner)
    context = list_context(viewer)
    found = read or await rt.graph.read(
        queries.list_actors,
        kind,
        owner,
        viewer.actor_id,
        window,
        context["relationsAudienceDefault"],
        context["viewerIsPerson"],
        context["sandboxAppId"],
        shape if views_of is not None else None,
    )
    if found is None or found.blocked:
        raise NotFoundError(NOT_FOUND)
    facts = RelationsFacts(
        owner_id=owner,
        owner_is_person=found.owner_is_person,
        audience=found.audience,
        viewer_connected_to_owner=found.connected,
        viewer_role=found.viewer_role,
        owner_active=found.owner_active,
    )
    if kind not in OWN_ONLY and not (found.shown and may_see_relations(viewer, facts)):
        return None
    page = request.page(found.listed, cursor, lambda r: (r.at, r.id))
    if views_of is not None and shape is not None:
        known = views_of([r.actor for r in page.items if r.actor is not None])
        views = [known.get(r.id) for r in page.items]
    else:
        views = await identity_views.actors_by_ids(rt, viewer, [r.id for r in page.items])
    shown = [(v, c) for v, c in zip(views, page.cursors, strict=True) if v is not None]
    hidden = viewer.actor_id != owner and (
        (kind == "followers" and not found.show_follower_count)
        or (kind == "following" and not found.show_following_count)
    )
    return Page(
        items=[v for v, _ in shown],
        cursors=[c for _, c in shown],
        has_next_page=page.has_next_page,
        has_previous_page=page.has_previous_page,
        total_count=None if hidden else found.total,
    )
