"""Resolvers of reference geography."""

from __future__ import annotations

from typing import Annotated

import strawberry

from core.pagination import PageRequest
from places import service
from schema.places import Commune, CommuneConnection, CommuneKind


async def communes(
    info: strawberry.Info,
    search: Annotated[
        str | None,
        strawberry.argument(description="Part of the name, with or without diacritics: 'hoan kiem', 'Hoàn'."),
    ] = None,
    kind: Annotated[CommuneKind | None, strawberry.argument(description="Only wards or only communes.")] = None,
    first: Annotated[int | None, strawberry.argument(description="Page size (default 20, at most 100).")] = None,
    after: Annotated[str | None, strawberry.argument(description="Cursor from `pageInfo.endCursor`.")] = None,
) -> CommuneConnection:
    page = await service.list_communes(
        info.context.graph,
        PageRequest.from_args(first=first, after=after),
        search=search,
        kind=kind.value if kind else None,
    )
    return CommuneConnection.from_page(page, Commune.of)


async def commune(
    info: strawberry.Info,
    code: Annotated[str, strawberry.argument(description="Official 5-digit code, e.g. 00004.")],
) -> Commune | None:
    found = await service.commune_by_code(info.context.graph, code)
    return Commune.of(found) if found else None


async def communes_by_ids(info: strawberry.Info, ids: list[str]) -> list[Commune | None]:
    return [Commune.of(c) if c else None for c in await service.communes_by_ids(info.context.graph, ids)]
