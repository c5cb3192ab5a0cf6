"""Resolvers of the health fields."""

from __future__ import annotations

import strawberry

from core.pagination import PageRequest
from health import service
from schema.common import AFTER, BEFORE, FIRST, LAST
from schema.health import Health, SchemaMigration, SchemaMigrationConnection, Version


async def version(info: strawberry.Info) -> Version:
    return Version.of(service.api_version(), await service.database_status(info.context.graph))


async def health(info: strawberry.Info) -> Health:
    return Health.of(await service.readiness(info.context.graph))


async def schema_migrations(
    info: strawberry.Info,
    first: FIRST = None,
    after: AFTER = None,
    last: LAST = None,
    before: BEFORE = None,
) -> SchemaMigrationConnection:
    request = PageRequest.from_args(first=first, after=after, last=last, before=before)
    page = await service.list_migrations(info.context.graph, request)
    return SchemaMigrationConnection.from_page(page, SchemaMigration.of)


async def migrations_by_ids(info: strawberry.Info, ids: list[str]) -> list[SchemaMigration | None]:
    records = await service.migrations_by_ids(info.context.graph, ids)
    return [SchemaMigration.of(r) if r else None for r in records]
