"""Helpers shared by tests: GraphQL calls over HTTP and the graph wipe."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
from argon2 import PasswordHasher
from neo4j import AsyncManagedTransaction

from graph.driver import run

#: Labels the wipe between tests keeps: migration records and reference data loaded by migrations.
PRESERVED_LABELS = ["SchemaMigration", "ReferenceData"]

COUNT_FOREIGN = """
MATCH (n) WHERE none(label IN labels(n) WHERE label IN $preserved)
RETURN count(n) AS total
"""


async def count_foreign_nodes(tx: AsyncManagedTransaction) -> int:
    return (await run(tx, COUNT_FOREIGN, preserved=PRESERVED_LABELS))[0]["total"]


def refusal_message(count: int) -> str:
    return (
        f"The test database already holds {count} nodes that are not migrations or reference data. "
        "Tests wipe the graph, so they refuse to run here. Point NEO4J_URI at an empty database, or set "
        "HANOISMART_TEST_ALLOW_NONEMPTY_DATABASE=1 if losing that data is fine."
    )


WIPE = """
MATCH (n) WHERE none(label IN labels(n) WHERE label IN $preserved)
DETACH DELETE n
"""


async def wipe(tx: AsyncManagedTransaction) -> None:
    await run(tx, WIPE, preserved=PRESERVED_LABELS)


async def gql(
    client: httpx.AsyncClient,
    query: str,
    variables: dict[str, Any] | None = None,
    *,
    headers: dict[str, str] | None = None,
    expect_status: int = 200,
) -> dict[str, Any]:
    """POST a GraphQL document with variables and return the decoded JSON body."""
    response = await client.post("/graphql", json={"query": query, "variables": variables or {}}, headers=headers)
    assert response.status_code == expect_status, response.text
    return response.json()


@contextmanager
def settings_changed(app, **changes) -> Iterator[Any]:
    """Run with some settings changed (the runtime reads its settings on every call, so a limit is shortened for one
    test instead of sleeping); yields the changed settings and puts the original ones back afterwards."""
    runtime = app.state.runtime
    original = runtime.settings
    runtime.settings = original.model_copy(update=changes)
    try:
        yield runtime.settings
    finally:
        runtime.settings = original


def error_codes(body: dict[str, Any]) -> list[str]:
    return [e.get("extensions", {}).get("code") for e in body.get("errors", [])]


def raw_cursor(value: Any) -> str:
    """A cursor built by hand (``value`` as JSON, URL-safe base64): what a client tampering with one would send."""
    import base64
    import json

    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


class CountingHasher(PasswordHasher):
    """argon2-cffi's hasher with the parameters of ``like`` (the app's) counting the passwords it hashes and verifies: tests that
    limits and cheap checks come before any argon2 work use it through the ``argon2`` fixture."""

    def __init__(self, like: PasswordHasher) -> None:
        super().__init__(
            time_cost=like.time_cost,
            memory_cost=like.memory_cost,
            parallelism=like.parallelism,
            hash_len=like.hash_len,
            salt_len=like.salt_len,
        )
        self.hashed = 0
        self.verified = 0

    def hash(self, password: str | bytes, *, salt: bytes | None = None) -> str:
        self.hashed += 1
        return super().hash(password, salt=salt)

    def verify(self, hash: str | bytes, password: str | bytes) -> bool:
        self.verified += 1
        return super().verify(hash, password)
