"""Resolvers of reference geography."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated

import strawberry
from strawberry.dataloader import DataLoader

from core.pagination import PageRequest
from places import service
from places.model import Commune as CommuneModel
from schema.common import AFTER, BEFORE, FIRST, LAST
from schema.places import Commune, CommuneConnection, CommuneKind


async def communes(
    info: strawberry.Info,
    search: Annotated[
        str | None,
        strawberry.argument(description="Part of the name, with or without diacritics: 'hoan kiem', 'Hoàn'."),
    ] = None,
    kind: Annotated[CommuneKind | None, strawberry.argument(description="Only wards or only communes.")] = None,
    first: FIRST = None,
    after: AFTER = None,
    last: LAST = None,
    before: BEFORE = None,
) -> CommuneConnection:
    page = await service.list_communes(
        info.context.graph,
        PageRequest.from_args(first=first, after=after, last=last, before=before),
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


# --- loaders ---------------------------------------------------------------------------------------------------------


def _commune_loader(context) -> DataLoader[str, CommuneModel | None]:
    async def load(ids: list[str]) -> list[CommuneModel | None]:
        return await service.communes_by_ids(context.graph, ids)

    return DataLoader(load_fn=load)


async def commune_by_id(info: strawberry.Info, commune_id: str) -> Commune | None:
    """The ward or commune of an item of a list (a post, a listing): one statement for all of the request's."""
    found = await info.context.loader("CommuneByIdLoader", _commune_loader).load(commune_id)
    return Commune.of(found) if found else None


async def communes_by_ids(info: strawberry.Info, ids: list[str]) -> list[Commune | None]:
    found = await info.context.loader("CommuneByIdLoader", _commune_loader).load_many(ids)
    return [Commune.of(c) if c else None for c in found]


def prime_communes(info: strawberry.Info, communes: Mapping[str, CommuneModel]) -> None:
    """Hand the request's CommuneByIdLoader the communes a compiled list read (``resolvers.social``)."""
    loader = info.context.loader("CommuneByIdLoader", _commune_loader)
    for commune_id, commune in communes.items():
        loader.prime(commune_id, commune)
