"""The health list through the API: applied schema migrations paged both ways (``first``/``after`` and
``last``/``before``), a cursor of another list refused."""

from __future__ import annotations

from tests.both_ways import refuses_cursor, walk_both_ways
from tests.support import gql

MIGRATIONS = """
query Migrations($first: Int, $after: String, $last: Int, $before: String) {
  schemaMigrations(first: $first, after: $after, last: $last, before: $before) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { id number } }
  }
}
"""
COMMUNES = "query C($first: Int) { communes(first: $first) { edges { cursor } } }"


async def test_schema_migrations_page_both_ways_and_refuse_another_lists_cursor(client):
    numbers = await walk_both_ways(client, MIGRATIONS, lambda d: d["schemaMigrations"], key=lambda n: n["number"])
    total = (await gql(client, MIGRATIONS, {"first": 1}))["data"]["schemaMigrations"]["totalCount"]
    assert numbers == list(range(1, total + 1))
    commune = (await gql(client, COMMUNES, {"first": 1}))["data"]["communes"]["edges"][0]["cursor"]
    await refuses_cursor(client, MIGRATIONS, commune)
