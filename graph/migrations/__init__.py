"""Numbered, idempotent migrations, recorded in the graph as ``(:SchemaMigration)`` nodes.

Each module ``mNNNN_<name>.py`` in this package is one migration. It defines
- ``DESCRIPTION``: one line saying what it does;
- ``STATEMENTS``: schema commands (constraints, indexes, full-text indexes), each written with
  ``IF NOT EXISTS`` and a deterministic name, run one per auto-commit transaction;
- optionally ``async def apply(graph)``: a data step (reference data), itself idempotent (MERGE).

``apply_migrations`` runs every migration in number order; running it twice changes nothing.
The checksum of an applied migration's statements is recorded; editing an applied migration is
refused with a clear error (add a new one instead).
"""

from __future__ import annotations

import hashlib
import importlib
import pkgutil
import re
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from neo4j import AsyncManagedTransaction

from core.logs import get_logger
from graph.driver import Graph, run

log = get_logger(__name__)

_MODULE_NAME = re.compile(r"^m(\d{4})_(\w+)$")


class MigrationError(RuntimeError):
    """The recorded migrations and the code disagree (an applied migration was edited)."""


@dataclass(frozen=True)
class Migration:
    number: int
    name: str
    description: str
    statements: tuple[str, ...]
    apply: Callable[[Graph], Awaitable[Any]] | None

    @property
    def checksum(self) -> str:
        digest = hashlib.sha256()
        for statement in self.statements:
            digest.update(" ".join(statement.split()).encode())
            digest.update(b"\0")
        return digest.hexdigest()


def load_migrations() -> list[Migration]:
    """All migrations of this package, in number order (numbers must be unique and contiguous)."""
    found: list[Migration] = []
    for info in pkgutil.iter_modules(__path__):
        match = _MODULE_NAME.match(info.name)
        if not match:
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        found.append(
            Migration(
                number=int(match.group(1)),
                name=match.group(2),
                description=module.DESCRIPTION,
                statements=tuple(getattr(module, "STATEMENTS", ())),
                apply=getattr(module, "apply", None),
            )
        )
    found.sort(key=lambda m: m.number)
    expected = list(range(1, len(found) + 1))
    if [m.number for m in found] != expected:
        raise MigrationError(f"migration numbers must run 1..N without gaps, found {[m.number for m in found]}")
    return found


APPLIED = """
MATCH (m:SchemaMigration)
RETURN m.number AS number, m.checksum AS checksum
ORDER BY number
"""


async def applied_migrations(tx: AsyncManagedTransaction) -> dict[int, str]:
    return {record["number"]: record["checksum"] for record in await run(tx, APPLIED)}


RECORD = """
MERGE (m:SchemaMigration {number: $number})
ON CREATE SET m.id = $id, m.name = $name, m.description = $description,
              m.checksum = $checksum, m.appliedAt = datetime()
RETURN m.checksum AS checksum
"""


async def record_migration(tx: AsyncManagedTransaction, migration: Migration) -> str:
    records = await run(
        tx,
        RECORD,
        number=migration.number,
        id=str(uuid.uuid4()),
        name=migration.name,
        description=migration.description,
        checksum=migration.checksum,
    )
    return str(records[0]["checksum"])


LATEST = "MATCH (m:SchemaMigration) RETURN max(m.number) AS latest"


async def latest_applied(tx: AsyncManagedTransaction) -> int:
    records = await run(tx, LATEST)
    return records[0]["latest"] or 0


async def apply_migrations(graph: Graph) -> list[int]:
    """Apply every pending migration; returns the numbers applied now (empty when up to date)."""
    migrations = load_migrations()
    done = await graph.read(applied_migrations)
    newly: list[int] = []
    for migration in migrations:
        recorded = done.get(migration.number)
        if recorded is not None and recorded != migration.checksum:
            raise MigrationError(
                f"migration {migration.number:04d}_{migration.name} was edited after it was applied "
                "(checksum differs); add a new migration instead of changing an applied one"
            )
        # A migration without a record runs whole again; its statements are idempotent, so one
        # interrupted between a statement and its record is completed here.
        if recorded is None:
            for statement in migration.statements:
                await graph.schema_command(statement)
            if migration.apply is not None:
                await migration.apply(graph)
            await graph.write(record_migration, migration)
            newly.append(migration.number)
            log.info("migration applied", number=migration.number, migration=migration.name)
    return newly


async def is_up_to_date(graph: Graph) -> bool:
    return await graph.read(latest_applied) >= len(load_migrations())
