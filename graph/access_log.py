"""Cypher of the access log ("who read my data"): writing a request's entries and a person's log, newest first.

Model (docs/partners.md, "Data model")::

    (:AccessLogEntry {id, personId, at, fields, scopes, basis, duty, requestId})
        -[:ABOUT]->(:Person)
        -[:BY_APP]->(:App), -[:UNDER]->(:Grant)      an app's read under a grant (basis 'grant')
        -[:BY_OFFICER]->(:Person)                    an officer's read on duty (basis 'duty')

Entries are never changed or deleted by the platform: they stay when the grant is revoked, the app suspended or
the account closed. The (personId, at) index of migration 11 serves the log's pages.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypedDict

from neo4j import AsyncManagedTransaction
from neo4j.time import DateTime

from core.pagination import Window
from graph.driver import run, window_keyset
from graph.paging import both_ways
from graph.rows import row

# --- writing (after a request's execution, before its answer leaves) ---------------------------------------------


class EntryParams(TypedDict):
    """One entry to write (``$entries`` of ``WRITE_ENTRIES``)."""

    id: str
    personId: str
    fields: list[str]
    scopes: list[str]
    basis: str  # grant | duty
    duty: str | None


#: Every entry of one request in one statement. An entry is about a person: a read recorded about an id that is no
#: person's (an organisation's post in a report) matches nothing and is not written. ``at`` is the transaction's
#: clock, the same for every entry of the request. The app and grant (apps) or the officer (duty) are matched by id
#: once, before the UNWIND.
WRITE_ENTRIES = """
OPTIONAL MATCH (app:App {id: $appId})
OPTIONAL MATCH (grant:Grant {id: $grantId})
OPTIONAL MATCH (officer:Person {id: $officerId})
WITH app, grant, officer, datetime() AS at
UNWIND $entries AS e
MATCH (person:Person {id: e.personId})
CREATE (entry:AccessLogEntry {id: e.id, personId: e.personId, at: at, fields: e.fields, scopes: e.scopes,
                              basis: e.basis, duty: e.duty, requestId: $requestId})-[:ABOUT]->(person)
FOREACH (_ IN CASE WHEN e.basis = 'grant' AND app IS NOT NULL THEN [1] ELSE [] END |
  CREATE (entry)-[:BY_APP]->(app))
FOREACH (_ IN CASE WHEN e.basis = 'grant' AND grant IS NOT NULL THEN [1] ELSE [] END |
  CREATE (entry)-[:UNDER]->(grant))
FOREACH (_ IN CASE WHEN e.basis = 'duty' AND officer IS NOT NULL THEN [1] ELSE [] END |
  CREATE (entry)-[:BY_OFFICER]->(officer))
RETURN count(entry) AS written
"""


@dataclass(frozen=True)
class Written:
    written: int


async def write_entries(
    tx: AsyncManagedTransaction,
    entries: list[EntryParams],
    *,
    request_id: str,
    app_id: str | None,
    grant_id: str | None,
    officer_id: str | None,
) -> Written:
    """Write the entries of one request (all or none: one statement of the caller's transaction)."""
    found = await run(
        tx,
        WRITE_ENTRIES,
        entries=entries,
        requestId=request_id,
        appId=app_id,
        grantId=grant_id,
        officerId=officer_id,
    )
    return Written(found[0]["written"] if found else 0)


# --- a person's log -----------------------------------------------------------------------------------------------

#: What a log entry shows of the app that read (``AppView``), with its partner organisation.
APP_PROJECTION = """app {.id, .name, .description, .homepageUrl, .privacyPolicyUrl, .logoUrl, .environment, .status,
     .createdAt, .approvedAt, partnerId: head([(org:Organization)-[:OWNS_APP]->(app) | org.id])}"""

#: One entry of ``$personId``'s log with the app, the grant (only the person's own: an app reading someone else under
#: its grant of another person does not show that person's consent) and the officer.
ENTRY_PROJECTION = f"""
l.id AS id, l.at AS at, l.fields AS fields, l.scopes AS scopes, l.basis AS basis, l.duty AS duty,
head([(l)-[:BY_APP]->(app:App) | {APP_PROJECTION}]) AS app,
head([(l)-[:UNDER]->(g:Grant) WHERE g.personId = $personId
      | g {{.id, .scopes, .purposes, .createdAt, .expiresAt, .revokedAt}}]) AS grant,
head([(l)-[:BY_OFFICER]->(o:Person) | o.id]) AS officerId
"""

#: Newest first on the (personId, at) index; ties on ``at`` (one request about one person under two duties) by id.
ACCESS_LOG = both_ways(f"""
MATCH (l:AccessLogEntry {{personId: $personId}})
WHERE l.at IS NOT NULL
  AND ($afterTime IS NULL OR [l.at, l.id] < [datetime($afterTime), $afterId])
  AND ($beforeTime IS NULL OR [l.at, l.id] > [datetime($beforeTime), $beforeId])
WITH l ORDER BY l.at {{DESC}}, l.id {{DESC}} LIMIT $limit
RETURN {ENTRY_PROJECTION}
ORDER BY at {{DESC}}, id {{DESC}}
""")


@dataclass(frozen=True)
class AppRow:
    """The app of an entry as stored (``APP_PROJECTION``)."""

    id: str
    name: str
    description: str
    homepage_url: str
    privacy_policy_url: str
    logo_url: str | None
    environment: str
    status: str
    created_at: DateTime
    approved_at: DateTime | None
    partner_id: str | None


@dataclass(frozen=True)
class GrantRow:
    """The person's own grant an app read under, as stored (``purposes``: JSON {scope: {"vi", "en"}})."""

    id: str
    scopes: list[str]
    purposes: str | None
    created_at: DateTime
    expires_at: DateTime
    revoked_at: DateTime | None


@dataclass(frozen=True)
class EntryRow:
    """One entry as stored, with the app that read, the person's own grant and the officer's id."""

    id: str
    at: DateTime
    fields: list[str]
    scopes: list[str]
    basis: str
    duty: str | None
    app: AppRow | None
    grant: GrantRow | None
    officer_id: str | None


def _entry_rows(found: list[Any]) -> list[EntryRow]:
    return [
        EntryRow(
            id=r["id"],
            at=r["at"],
            fields=list(r["fields"] or []),
            scopes=list(r["scopes"] or []),
            basis=r["basis"],
            duty=r["duty"],
            app=row(AppRow, r["app"]) if r["app"] is not None else None,
            grant=row(GrantRow, r["grant"]) if r["grant"] is not None else None,
            officer_id=r["officerId"],
        )
        for r in found
    ]


async def access_log(tx: AsyncManagedTransaction, person_id: str, window: Window) -> list[EntryRow]:
    """One page of ``person_id``'s log in reading order (``window.backwards``: oldest first from ``before``)."""
    found = await run(
        tx, ACCESS_LOG.of(window.backwards), personId=person_id, limit=window.limit, **window_keyset(window)
    )
    return _entry_rows(found)


ENTRIES_BY_IDS = f"""
UNWIND $ids AS wanted
MATCH (l:AccessLogEntry {{id: wanted}})
WHERE l.personId = $personId
RETURN {ENTRY_PROJECTION}
"""


async def entries_by_ids(tx: AsyncManagedTransaction, person_id: str, ids: list[str]) -> list[EntryRow]:
    """The entries of ``ids`` that are ``person_id``'s (``node(id:)``)."""
    return _entry_rows(await run(tx, ENTRIES_BY_IDS, personId=person_id, ids=ids))
