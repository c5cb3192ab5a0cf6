"""Use cases of the health domain. Public information: any viewer may read it."""

from __future__ import annotations

import asyncio
from importlib.metadata import PackageNotFoundError, version

from core.errors import UnavailableError
from core.pagination import INT, CursorKind, Page, PageRequest
from graph import health as queries
from graph.driver import Graph
from graph.health import MigrationRow
from health.model import DatabaseStatus, MigrationRecord, Readiness

#: A readiness probe must answer even while the driver would keep retrying a dead server, yet leave
#: room for the one retry (about a second) the driver makes on a stale pooled connection after a restart.
READINESS_TIMEOUT_SECONDS = 5.0


def api_version() -> str:
    try:
        return version("hanoismart")
    except PackageNotFoundError:  # running from a checkout that is not installed
        return "0.0.0+local"


async def database_status(graph: Graph) -> DatabaseStatus:
    try:
        components = await asyncio.wait_for(graph.read(queries.server_components), READINESS_TIMEOUT_SECONDS)
    except (UnavailableError, TimeoutError):
        return DatabaseStatus(reachable=False, version=None, edition=None)
    return DatabaseStatus(reachable=True, version=components.version, edition=components.edition)


async def readiness(graph: Graph) -> Readiness:
    known = queries.migrations_known()
    try:
        applied = await asyncio.wait_for(graph.read(queries.migrations_applied), READINESS_TIMEOUT_SECONDS)
    except (UnavailableError, TimeoutError):
        return Readiness(database_reachable=False, migrations_applied=0, migrations_known=known)
    return Readiness(database_reachable=True, migrations_applied=applied, migrations_known=known)


def _record(row: MigrationRow) -> MigrationRecord:
    return MigrationRecord(
        id=row.id,
        number=row.number,
        name=row.name,
        description=row.description,
        checksum=row.checksum,
        applied_at=row.applied_at.to_native(),
    )


#: Cursors of schemaMigrations: the migration's number.
MIGRATION_CURSOR = CursorKind("schemaMigrations", (INT,))


async def list_migrations(graph: Graph, request: PageRequest) -> Page[MigrationRecord]:
    """Applied migrations in number order."""
    rows, total = await graph.read(queries.migrations_page, request.window(MIGRATION_CURSOR))
    return request.page([_record(row) for row in rows], MIGRATION_CURSOR, lambda m: (m.number,), total_count=total)


async def migrations_by_ids(graph: Graph, ids: list[str]) -> list[MigrationRecord | None]:
    found = {row.id: _record(row) for row in await graph.read(queries.migrations_by_ids, ids)}
    return [found.get(i) for i in ids]
