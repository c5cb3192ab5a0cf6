"""Finding people and organisations by name, with or without diacritics. Every person found is shown through
``identity.views``, so search shows no field the viewer may not see.

A real-name network does not let strangers look residents up: signed-out callers find organisations only; people
are found by signed-in callers (``may_find_people``). A sandbox app's test persona (``partners.personas``) is not a
resident: search never finds it (``graph.identity.SEARCH_ACTORS`` leaves ``TestPersona`` out).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from auth.viewer import Viewer
from core.pagination import INT, CursorKind, Page, PageRequest
from core.runtime import Runtime
from core.text import fulltext_query
from graph import identity as queries
from graph.identity import ActorHit, ActorRecord, ActorShape
from identity.model import OrganizationView, PersonView
from identity.views import organizations_by_ids, persons_by_ids

#: Search pages through this many best matches (positions 0 to ACTOR_SEARCH_WINDOW - 1).
ACTOR_SEARCH_WINDOW = 1000
#: Cursors of actors(search:): the position in the ranked list of matches, scoped to the search (the query the
#: text became, ``for_filters``): a cursor of another search is refused.
ACTOR_SEARCH_CURSOR = CursorKind("actors", (INT,), max_int=ACTOR_SEARCH_WINDOW)


def may_find_people(viewer: Viewer) -> bool:
    """People are found by name only by signed-in callers; anyone finds organisations."""
    return not viewer.is_anonymous and viewer.actor_id is not None


async def search_actors(
    rt: Runtime,
    viewer: Viewer,
    text: str,
    request: PageRequest,
    shape: ActorShape | None = None,
    views_of: Callable[[list[ActorRecord]], Mapping[str, PersonView | OrganizationView | None]] | None = None,
) -> Page[PersonView | OrganizationView]:
    """Organisations, and for a signed-in caller people, by name, with or without diacritics, best match first;
    paged either way by position among the ``ACTOR_SEARCH_WINDOW`` best matches. With ``shape`` and ``views_of`` (the
    resolver's, which primes the nested fields), the page and its actors are one statement."""
    query = fulltext_query(text, field="search")
    kind = ACTOR_SEARCH_CURSOR.for_filters(search=query)
    after, before = request.positions(kind)
    found = await rt.graph.read(
        queries.search_actors,
        query,
        people=may_find_people(viewer),
        after=after,
        before=before,
        size=request.size,
        backwards=request.backwards,
        window=ACTOR_SEARCH_WINDOW,
        viewer_id=viewer.actor_id,
        shape=shape if views_of is not None else None,
    )
    page = request.ranked_page(found.hits, found.start, kind)
    if views_of is not None and shape is not None:
        read = views_of([h.actor for h in page.items if h.actor is not None])
        return _shown(page, read)
    person_ids = [h.id for h in page.items if h.kind == "person"]
    org_ids = [h.id for h in page.items if h.kind == "organization"]
    views: dict[str, PersonView | OrganizationView | None] = dict(
        zip(person_ids, await persons_by_ids(rt, viewer, person_ids), strict=False)
    )
    views.update(zip(org_ids, await organizations_by_ids(rt, viewer, org_ids), strict=False))
    return _shown(page, views)


def _shown(
    page: Page[ActorHit], views: Mapping[str, PersonView | OrganizationView | None]
) -> Page[PersonView | OrganizationView]:
    shown = [(view, cursor) for h, cursor in zip(page.items, page.cursors, strict=True) if (view := views.get(h.id))]
    return Page(
        items=[view for view, _ in shown],
        cursors=[cursor for _, cursor in shown],
        has_next_page=page.has_next_page,
        has_previous_page=page.has_previous_page,
    )
