"""Resolvers of the health fields."""

from __future__ import annotations

from typing import Annotated

import strawberry

from core.pagination import PageRequest
from health import service
from schema.health import Health, SchemaMigration, SchemaMigrationConnection, Version


async def version(info: strawberry.Info) -> Version:
    return Version.of(service.api_version(), await service.database_status(info.context.graph))


async def health(info: strawberry.Info) -> Health:
    return Health.of(await service.readiness(info.context.graph))


async def schema_migrations(
    info: strawberry.Info,
    first: Annotated[int | None, strawberry.argument(description="Page size (default 20, at most 100).")] = None,
    after: Annotated[str | None, strawberry.argument(description="Cursor from `pageInfo.endCursor`.")] = None,
) -> SchemaMigrationConnection:
    page = await service.list_migrations(info.context.graph, PageRequest.from_args(first=first, after=after))
    return SchemaMigrationConnection.from_page(page, SchemaMigration.of)


async def migrations_by_ids(info: strawberry.Info, ids: list[str]) -> list[SchemaMigration | None]:
    records = await service.migrations_by_ids(info.context.graph, ids)
    return [SchemaMigration.of(r) if r else None for r in records]
