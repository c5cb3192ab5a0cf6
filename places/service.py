"""Use cases of reference geography. Public data: any viewer may read it."""

from __future__ import annotations

from core.pagination import TEXT, CursorKind, Page, PageRequest
from core.text import fold
from graph import places as queries
from graph.driver import Graph
from places.model import Commune

KINDS = {"ward": "phường", "commune": "xã"}
#: Cursors of communes: the official code.
COMMUNE_CURSOR = CursorKind("communes", (TEXT,))


async def list_communes(graph: Graph, request: PageRequest, *, search: str | None, kind: str | None) -> Page[Commune]:
    """Communes in code order, optionally filtered by kind and by name (with or without diacritics)."""
    folded = fold(search) if search else None
    rows, total = await graph.read(
        queries.communes_page,
        kind=KINDS.get(kind) if kind else None,
        search=folded or None,
        window=request.window(COMMUNE_CURSOR),
    )
    return request.page([Commune.from_record(r) for r in rows], COMMUNE_CURSOR, lambda c: (c.code,), total_count=total)


async def communes_by_ids(graph: Graph, ids: list[str]) -> list[Commune | None]:
    found = {c.id: c for c in map(Commune.from_record, await graph.read(queries.communes_by_ids, ids))}
    return [found.get(i) for i in ids]


async def commune_by_code(graph: Graph, code: str) -> Commune | None:
    row = await graph.read(queries.commune_by_code, code)
    return Commune.from_record(row) if row else None
