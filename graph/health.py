"""Cypher of the health domain: the server's identity and the recorded migrations."""

from __future__ import annotations

from dataclasses import dataclass

from neo4j import AsyncManagedTransaction
from neo4j.time import DateTime

from core.pagination import Window
from graph.driver import run
from graph.migrations import latest_applied, load_migrations
from graph.paging import both_ways
from graph.rows import row, rows

SERVER_COMPONENTS = """
CALL dbms.components() YIELD name, versions, edition
RETURN name, versions[0] AS version, edition
"""


@dataclass(frozen=True)
class ServerComponent:
    name: str
    version: str
    edition: str


async def server_components(tx: AsyncManagedTransaction) -> ServerComponent:
    """The Neo4j kernel's version and edition (the first component when no kernel is listed)."""
    records = await run(tx, SERVER_COMPONENTS)
    kernel = next((r for r in records if r["name"] == "Neo4j Kernel"), records[0])
    return row(ServerComponent, kernel)


@dataclass(frozen=True)
class MigrationRow:
    """A recorded migration (the ``migration`` map of the queries below)."""

    id: str
    number: int
    name: str
    description: str
    checksum: str
    applied_at: DateTime


#: Applied migrations in number order, read either way (``graph.paging``).
MIGRATIONS_PAGE = both_ways("""
MATCH (m:SchemaMigration)
WHERE ($after IS NULL OR m.number > $after) AND ($before IS NULL OR m.number < $before)
RETURN m {.id, .number, .name, .description, .checksum, .appliedAt} AS migration
ORDER BY m.number {ASC}
LIMIT $limit
""")

MIGRATION_COUNT = "MATCH (m:SchemaMigration) RETURN count(m) AS total"


async def migrations_page(tx: AsyncManagedTransaction, window: Window) -> tuple[list[MigrationRow], int]:
    """One page of applied migrations in reading order (``window.backwards``: from ``before``, newest first), and
    how many are applied."""
    found = await run(
        tx,
        MIGRATIONS_PAGE.of(window.backwards),
        after=window.after[0] if window.after else None,
        before=window.before[0] if window.before else None,
        limit=window.limit,
    )
    total: int = (await run(tx, MIGRATION_COUNT))[0]["total"]
    return rows(MigrationRow, [r["migration"] for r in found]), total


MIGRATIONS_BY_IDS = """
UNWIND $ids AS id
MATCH (m:SchemaMigration {id: id})
RETURN m {.id, .number, .name, .description, .checksum, .appliedAt} AS migration
"""


async def migrations_by_ids(tx: AsyncManagedTransaction, ids: list[str]) -> list[MigrationRow]:
    return rows(MigrationRow, [r["migration"] for r in await run(tx, MIGRATIONS_BY_IDS, ids=ids)])


def migrations_known() -> int:
    """How many migrations this code carries (``graph.migrations``), for readiness."""
    return len(load_migrations())


async def migrations_applied(tx: AsyncManagedTransaction) -> int:
    """The number of the newest migration the database has applied (0: none)."""
    return await latest_applied(tx)
