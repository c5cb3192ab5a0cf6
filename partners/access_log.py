"""Who read my data: the access log of every read of a person's non-public data by a partner app (under the
person's grant) or by a city officer on duty, and the person's own view of it.

Writing. During a request the paths that hand out personal data record each non-null value they give in the
request's ``ReadSet`` (``partners.reads``): an app's scoped fields, an officer's duty fields
(``schema.access_log.DutyRead``). After execution and before the answer leaves, ``write_reads`` writes the set in
one statement of one transaction: one entry per person read (per duty, for an officer with two duties in one
request), with every field and scope once, the basis, the duty, the request id and the time; linked to the person
(``ABOUT``), to the app and the grant (``BY_APP``, ``UNDER``) or to the officer (``BY_OFFICER``). If it cannot be
written, nothing is (one statement) and the answer is 503 with no data (``schema.access_log.AccessLogWriter``):
nothing is disclosed that is not on record. An empty set writes nothing and costs nothing.

Reading. ``my_access_log`` pages the person's own entries newest first; only the person reads it (an app token
never: ``authorize`` takes a person). A field reads as its schema coordinate (``Person.phone``); a yes/no question
as its predicate (``Query.isAdult``), so the person sees that an app asked whether they are 18 or older, never that
it read their birth date.

Retention: entries stay when a grant is revoked, an app suspended or an account closed (the person, and the city,
may need to know afterwards who read what); nothing purges them yet.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime

from auth.permissions import authorize
from auth.viewer import Viewer
from core.pagination import Page, PageRequest, keyset_kind
from core.runtime import Runtime
from graph import access_log as queries
from graph.access_log import AppRow, EntryParams, EntryRow, GrantRow
from identity.model import PersonView
from identity.views import persons_by_ids
from partners.model import AppView, GrantView, ScopePurpose
from partners.reads import ReadSet
from partners.scopes import BY_NAME

#: Cursors of myDataAccessLog: (at, id), scoped to the person (a cursor of someone else's log is refused).
ACCESS_LOG_CURSOR = keyset_kind("myDataAccessLog")


@dataclass(frozen=True)
class AccessLogEntryView:
    """One entry of my log: what was read (schema coordinates, the scopes it was read under), when, and by whom:
    an app (with my grant, when it read under mine) or an officer on duty (their profile as I may see it)."""

    id: str
    at: datetime
    fields: tuple[str, ...]
    scopes: tuple[str, ...]
    basis: str  # grant | duty
    duty: str | None
    app: AppView | None
    grant: GrantView | None
    officer: PersonView | None


# --- writing ------------------------------------------------------------------------------------------------------


def entries_of(reads: ReadSet) -> list[EntryParams]:
    """The entries a request's reads make: one per person and basis (and duty), each field and scope once, sorted."""
    grouped: dict[tuple[str, str, str], tuple[set[str], set[str]]] = {}
    for read in reads.reads:
        fields, scopes = grouped.setdefault((read.person_id, read.basis, read.duty), (set(), set()))
        fields.add(read.field)
        if read.scope:
            scopes.add(read.scope)
    return [
        EntryParams(
            id=str(uuid.uuid4()),
            personId=person_id,
            fields=sorted(fields),
            scopes=sorted(scopes),
            basis=basis,
            duty=duty or None,
        )
        for (person_id, basis, duty), (fields, scopes) in sorted(grouped.items())
    ]


async def write_reads(rt: Runtime, viewer: Viewer, reads: ReadSet, *, request_id: str) -> int:
    """Write the access-log entries of ``reads`` for ``viewer``'s request in one transaction (all or nothing);
    the number written. Nothing to write: no transaction at all. Raises (``UnavailableError`` and the like) when
    the log cannot be written: the caller must then withhold the data (fail closed). Called by the access-log
    schema extension after every GraphQL request and by the OAuth userinfo endpoint."""
    if not reads:
        return 0
    entries = entries_of(reads)
    written = await rt.graph.write(
        queries.write_entries,
        entries,
        request_id=request_id,
        app_id=viewer.app_id if viewer.is_app else None,
        grant_id=viewer.grant_id if viewer.is_app else None,
        officer_id=None if viewer.is_app else viewer.actor_id,
    )
    return written.written


# --- reading ------------------------------------------------------------------------------------------------------


def _app_view(found: AppRow) -> AppView:
    return AppView(
        id=found.id,
        name=found.name,
        description=found.description,
        homepage_url=found.homepage_url,
        privacy_policy_url=found.privacy_policy_url,
        logo_url=found.logo_url,
        environment=found.environment,
        status=found.status,
        partner_id=found.partner_id or "",
        created_at=found.created_at.to_native(),
        approved_at=found.approved_at.to_native() if found.approved_at else None,
    )


def _grant_view(found: GrantRow, person_id: str, app: AppView) -> GrantView:
    purposes = json.loads(found.purposes) if found.purposes else {}

    def scope(name: str) -> ScopePurpose:
        known = BY_NAME.get(name)
        purpose = purposes.get(name) or {}
        return ScopePurpose(
            name=name,
            title_vi=known.title_vi if known else name,
            title_en=known.title_en if known else name,
            purpose_vi=purpose.get("vi", ""),
            purpose_en=purpose.get("en", ""),
        )

    return GrantView(
        id=found.id,
        person_id=person_id,
        app=app,
        scopes=tuple(scope(s) for s in found.scopes or ()),
        created_at=found.created_at.to_native(),
        expires_at=found.expires_at.to_native(),
        revoked_at=found.revoked_at.to_native() if found.revoked_at else None,
    )


async def _views(rt: Runtime, viewer: Viewer, me: str, found: list[EntryRow]) -> list[AccessLogEntryView]:
    officer_ids = sorted({r.officer_id for r in found if r.officer_id})
    officers = dict(zip(officer_ids, await persons_by_ids(rt, viewer, officer_ids), strict=True))
    views = []
    for r in found:
        app = _app_view(r.app) if r.app else None
        views.append(
            AccessLogEntryView(
                id=r.id,
                at=r.at.to_native(),
                fields=tuple(r.fields),
                scopes=tuple(r.scopes),
                basis=r.basis,
                duty=r.duty,
                app=app,
                grant=_grant_view(r.grant, me, app) if r.grant and app else None,
                officer=officers.get(r.officer_id) if r.officer_id else None,
            )
        )
    return views


async def my_access_log(rt: Runtime, viewer: Viewer, request: PageRequest) -> Page[AccessLogEntryView]:
    """Who read my personal data, newest first: only I read my log (an app token never)."""
    me = authorize(viewer, "partners.access_log.read")
    kind = ACCESS_LOG_CURSOR.scoped(me)
    found = await rt.graph.read(queries.access_log, me, request.window(kind))
    page = request.page(found, kind, lambda r: (r.at, r.id))
    views = await _views(rt, viewer, me, page.items)
    return Page(
        items=views,
        cursors=page.cursors,
        has_next_page=page.has_next_page,
        has_previous_page=page.has_previous_page,
    )


async def entries_by_ids(rt: Runtime, viewer: Viewer, ids: list[str]) -> list[AccessLogEntryView | None]:
    """``node(id:)`` of log entries: mine only; None for anyone else's, unknown ids and every caller but a person."""
    if not ids or viewer.kind != "person" or viewer.actor_id is None:
        return [None for _ in ids]
    me = authorize(viewer, "partners.access_log.read")
    found = await rt.graph.read(queries.entries_by_ids, me, ids)
    views = {v.id: v for v in await _views(rt, viewer, me, found)}
    return [views.get(i) for i in ids]
