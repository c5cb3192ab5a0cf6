"""Migrations: numbered, idempotent, recorded in the graph, deterministic names, edits refused."""

from __future__ import annotations

import pytest
from neo4j import AsyncManagedTransaction

from graph.driver import run
from graph.migrations import MigrationError, apply_migrations, load_migrations

SHOW_CONSTRAINTS = "SHOW CONSTRAINTS YIELD name RETURN 'constraint:' + name AS name"
SHOW_INDEXES = "SHOW INDEXES YIELD name, owningConstraint WHERE owningConstraint IS NULL RETURN 'index:' + name AS name"


async def schema_names(tx: AsyncManagedTransaction) -> list[str]:
    rows = await run(tx, SHOW_CONSTRAINTS) + await run(tx, SHOW_INDEXES)
    return sorted(r["name"] for r in rows)


async def recorded(tx: AsyncManagedTransaction) -> list[tuple[int, str]]:
    rows = await run(tx, "MATCH (m:SchemaMigration) RETURN m.number AS n, m.id AS id ORDER BY n")
    return [(r["n"], r["id"]) for r in rows]


async def test_applying_twice_changes_nothing(graph):
    before_names = await graph.read(schema_names)
    before_records = await graph.read(recorded)
    assert await apply_migrations(graph) == []
    assert await apply_migrations(graph) == []
    assert await graph.read(schema_names) == before_names
    assert await graph.read(recorded) == before_records
    assert [n for n, _ in before_records] == [m.number for m in load_migrations()]


async def test_a_lost_record_is_reapplied_with_the_same_names(graph):
    before_names = await graph.read(schema_names)
    last = load_migrations()[-1].number

    async def forget(tx):
        await run(tx, "MATCH (m:SchemaMigration {number: $n}) DELETE m", n=last)

    await graph.write(forget)
    assert await apply_migrations(graph) == [last]
    assert await graph.read(schema_names) == before_names
    assert "constraint:schema_migration_number_unique" in before_names


async def test_editing_an_applied_migration_is_refused(graph):
    async def tamper(tx):
        await run(tx, "MATCH (m:SchemaMigration {number: 1}) SET m.checksum = 'edited'")

    async def restore(tx):
        await run(tx, "MATCH (m:SchemaMigration {number: 1}) SET m.checksum = $c", c=load_migrations()[0].checksum)

    await graph.write(tamper)
    try:
        with pytest.raises(MigrationError, match="edited after it was applied"):
            await apply_migrations(graph)
    finally:
        await graph.write(restore)


def test_migration_numbers_are_contiguous_and_statements_idempotent():
    migrations = load_migrations()
    assert [m.number for m in migrations] == list(range(1, len(migrations) + 1))
    for migration in migrations:
        for statement in migration.statements:
            assert "IF NOT EXISTS" in statement, statement


async def test_the_suite_refuses_a_database_that_holds_data(graph, test_settings):
    import os
    import subprocess
    import sys

    from core.settings import REPO_ROOT

    async def plant(tx):
        await run(tx, "CREATE (:SomeoneElsesData {important: true})")

    await graph.write(plant)
    env = {
        **os.environ,
        "NEO4J_URI": test_settings.neo4j_uri,
        "NEO4J_PASSWORD": test_settings.neo4j_password.get_secret_value(),
    }
    env.pop("HANOISMART_TEST_ALLOW_NONEMPTY_DATABASE", None)
    # A test that reaches Neo4j (a pure one never connects, so it has nothing to refuse: clean_graph wipes only
    # before tests whose fixtures reach the server).
    target = "tests/foundation/test_migrations.py::test_applying_twice_changes_nothing"
    refused = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", target],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert refused.returncode == 2, refused.stdout[-2000:]
    assert "refuse to run here" in refused.stdout + refused.stderr

    async def still_there(tx):
        return (await run(tx, "MATCH (n:SomeoneElsesData) RETURN count(n) AS c"))[0]["c"]

    assert await graph.read(still_there) == 1, "nothing was wiped"
    allowed = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", target],
        cwd=REPO_ROOT,
        env={**env, "HANOISMART_TEST_ALLOW_NONEMPTY_DATABASE": "1"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert allowed.returncode == 0, allowed.stdout[-2000:]
