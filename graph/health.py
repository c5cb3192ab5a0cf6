"""Cypher of the health domain: the server's identity and the recorded migrations."""

from __future__ import annotations

from typing import Any

from neo4j import AsyncManagedTransaction

from graph.driver import run

SERVER_COMPONENTS = """
CALL dbms.components() YIELD name, versions, edition
RETURN name, versions[0] AS version, edition
"""


async def server_components(tx: AsyncManagedTransaction) -> dict[str, Any]:
    records = await run(tx, SERVER_COMPONENTS)
    kernel = next((r for r in records if r["name"] == "Neo4j Kernel"), records[0])
    return {"version": kernel["version"], "edition": kernel["edition"]}


MIGRATIONS_PAGE = """
MATCH (m:SchemaMigration)
WHERE $after IS NULL OR m.number > $after
RETURN m {.id, .number, .name, .description, .checksum, .appliedAt} AS migration
ORDER BY m.number
LIMIT $limit
"""

MIGRATION_COUNT = "MATCH (m:SchemaMigration) RETURN count(m) AS total"


async def migrations_page(tx: AsyncManagedTransaction, after: int | None, limit: int) -> tuple[list[dict], int]:
    rows = await run(tx, MIGRATIONS_PAGE, after=after, limit=limit)
    total = (await run(tx, MIGRATION_COUNT))[0]["total"]
    return [row["migration"] for row in rows], total


MIGRATIONS_BY_IDS = """
UNWIND $ids AS id
MATCH (m:SchemaMigration {id: id})
RETURN m {.id, .number, .name, .description, .checksum, .appliedAt} AS migration
"""


async def migrations_by_ids(tx: AsyncManagedTransaction, ids: list[str]) -> list[dict]:
    return [row["migration"] for row in await run(tx, MIGRATIONS_BY_IDS, ids=ids)]
