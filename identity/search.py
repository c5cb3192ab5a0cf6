"""Finding people and organisations by name, with or without diacritics. Anyone may search; every person found
is shown through ``identity.views``, so search shows no field the viewer may not see."""

from __future__ import annotations

from auth.viewer import Viewer
from core.pagination import INT, CursorKind, Page, PageRequest
from core.runtime import Runtime
from core.text import fulltext_query
from graph import identity as queries
from identity.model import OrganizationView, PersonView
from identity.views import organizations_by_ids, persons_by_ids

#: Cursors of actors(search:): the position in the ranked list of matches.
ACTOR_SEARCH_CURSOR = CursorKind("actors", (INT,))


async def search_actors(
    rt: Runtime, viewer: Viewer, text: str, request: PageRequest
) -> Page[PersonView | OrganizationView]:
    """People and organisations by name, with or without diacritics; every person through person_view."""
    query = fulltext_query(text, field="search")
    key = request.after_key(ACTOR_SEARCH_CURSOR)
    offset = key[0] + 1 if key else 0
    hits = await rt.graph.read(queries.search_actors, query, offset, request.size + 1)
    page = hits[: request.size]
    person_ids = [h.id for h in page if h.kind == "person"]
    org_ids = [h.id for h in page if h.kind == "organization"]
    views: dict[str, PersonView | OrganizationView | None] = dict(
        zip(person_ids, await persons_by_ids(rt, viewer, person_ids), strict=False)
    )
    views.update(zip(org_ids, await organizations_by_ids(rt, viewer, org_ids), strict=False))
    shown = [(h, view) for h in page if (view := views.get(h.id)) is not None]
    return Page(
        items=[view for _, view in shown],
        cursors=[ACTOR_SEARCH_CURSOR.encode(h.position) for h, _ in shown],
        has_next_page=len(hits) > request.size,
        has_previous_page=offset > 0,
    )
