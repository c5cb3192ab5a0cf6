"""The access log ("who read my data") as the tests read it.

- ``access_log_of(client, person)``: every entry of a person's log (``myDataAccessLog``), newest first, read as the
  person through the API. The enumeration test over the real scoped fields is short with it: read a field as an app,
  then ``assert logged_fields(await access_log_of(client, person)) == [...]``.
- ``count_entries(app)``: every ``AccessLogEntry`` in the graph (nothing half-written after a failed write).
"""

from __future__ import annotations

from typing import Any

import httpx
from neo4j import AsyncManagedTransaction

from tests.identity.people import Someone
from tests.support import gql

LOG = """
query Log($first: Int, $after: String, $last: Int, $before: String) {
  myDataAccessLog(first: $first, after: $after, last: $last, before: $before) {
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges {
      cursor
      node {
        id at fields scopes basis duty
        app { id name }
        grant { id scopes { name } }
        officer { id displayName }
      }
    }
  }
}
"""


async def access_log_of(client: httpx.AsyncClient, person: Someone) -> list[dict[str, Any]]:
    """Every entry of ``person``'s log, newest first, as they read it."""
    body = await gql(client, LOG, {"first": 100}, headers=person.auth)
    assert "errors" not in body, body
    return [edge["node"] for edge in body["data"]["myDataAccessLog"]["edges"]]


def logged_fields(entries: list[dict[str, Any]]) -> list[str]:
    """Every field coordinate of ``entries``, as many times as logged (one request reading a field once: once)."""
    return sorted(field for entry in entries for field in entry["fields"])


async def _count(tx: AsyncManagedTransaction) -> int:
    record = await (await tx.run("MATCH (l:AccessLogEntry) RETURN count(l) AS n")).single()
    return int(record["n"]) if record else 0


async def count_entries(app) -> int:
    return await app.state.runtime.graph.read(_count)
