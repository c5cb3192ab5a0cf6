"""The access log ("who read my data") as the tests read it, and the app path until the scopes engineer's field
extension and app viewer are merged.

- ``access_log_of(client, person)``: every entry of a person's log (``myDataAccessLog``), newest first, read as the
  person through the API. The enumeration test over the real scoped fields is short with it: read a field as an app,
  then ``assert logged_fields(await access_log_of(client, person)) == [...]``.
- ``count_entries(app)``: every ``AccessLogEntry`` in the graph (nothing half-written after a failed write).
- ``RecordsPersonReads``: a test-only schema extension that records an app viewer's non-null personal ``Person``
  fields in ``context.reads`` the way the scopes engineer's field extension does (same coordinates, same scopes).
- ``app_viewer_stand_in``: ``GraphQLView._viewer`` for app tokens as the brief describes it (verify the token, read
  the grant), for this branch only: the scopes engineer's ``_viewer`` does it for real after merge.
"""

from __future__ import annotations

import inspect
from typing import Any

import httpx
from neo4j import AsyncManagedTransaction
from strawberry.extensions import SchemaExtension

from api.graphql_view import GraphQLView
from auth import app_tokens
from auth.viewer import Viewer
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


#: The personal fields of Person an app reads, with the scope each needs (as partners/scopes.py describes them).
PERSON_SCOPES = {
    "phone": "contact.read",
    "email": "contact.read",
    "dateOfBirth": "birthdate.read",
    "sex": "birthdate.read",
    "ward": "ward.read",
}


class RecordsPersonReads(SchemaExtension):
    """For an app viewer: each non-null personal field of a ``Person`` recorded as ``Person.<field>`` under its scope,
    once per request whatever the aliases (``ReadSet`` is a set)."""

    def resolve(self, _next, root, info, *args, **kwargs):  # type: ignore[no-untyped-def]
        result = _next(root, info, *args, **kwargs)
        context = info.context
        scope = PERSON_SCOPES.get(info.field_name)
        if not context.viewer.is_app or info.parent_type.name != "Person" or scope is None:
            return result

        def record(value: Any) -> Any:
            if value is not None:
                context.reads.record(root.uuid, f"Person.{info.field_name}", scope=scope)
            return value

        if inspect.isawaitable(result):

            async def later() -> Any:
                return record(await result)

            return later()
        return record(result)


GRANT_OF = """
MATCH (p:Person)-[:GAVE]->(g:Grant {id: $grantId})-[:TO]->(a:App)
RETURN p.id AS personId, a.id AS appId, g.scopes AS scopes
"""


async def _grant(tx: AsyncManagedTransaction, grant_id: str) -> dict[str, Any] | None:
    record = await (await tx.run(GRANT_OF, grantId=grant_id)).single()
    return dict(record) if record else None


def app_viewer_stand_in(original):  # type: ignore[no-untyped-def]
    """A ``GraphQLView._viewer`` that turns an app access token into the partner-app viewer (others: ``original``)."""

    async def viewer(self: GraphQLView, request) -> Viewer:  # type: ignore[no-untyped-def]
        token = request.headers.get("authorization", "").partition(" ")[2].strip()
        if not token or not app_tokens.is_app_token(token):
            return await original(self, request)
        runtime = request.app.state.runtime
        claims = app_tokens.verify(runtime.keyring, token, issuer=runtime.settings.oauth_issuer)
        assert claims.grant_id is not None, "the stand-in serves tokens of a person's grant"
        grant = await runtime.graph.read(_grant, claims.grant_id)
        assert grant is not None
        return Viewer(
            kind="partner_app",
            actor_id=grant["personId"],
            assurance_level=claims.assurance_level,
            scopes=claims.scopes & frozenset(grant["scopes"]),
            app_id=grant["appId"],
            client_id=claims.client_id,
            grant_id=claims.grant_id,
        )

    return viewer
