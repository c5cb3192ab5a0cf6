"""Reports: people report posts, comments, people and organisations they can see; a report as each viewer may see it.

What each side sees (``ReportView`` for a viewer): the reporter sees their report, its status and how it ended
(the action and when), never who decided; moderators (city officers, and a community's moderators and admins for
its posts and comments) see the reported content and who is responsible for it, never who reported it.
"""

from __future__ import annotations

import uuid

from neo4j import AsyncManagedTransaction
from neo4j.time import DateTime

from auth.permissions import authorize, holds
from auth.rules import runs_community
from auth.viewer import Viewer
from core.errors import ConflictError, NotFoundError, Problems, UserInputError
from core.pagination import Page, PageRequest, keyset_kind
from core.runtime import Runtime
from graph import moderation as queries
from graph.moderation import ReportRow, SubjectFacts
from identity import views as identity_views
from moderation.model import CONTENT_KINDS, SUBJECT_KINDS, OutcomeView, ReportView, check_reason
from partners.reads import Duty
from social import reporting

UNKNOWN_SUBJECT = "No post, comment, person or organisation you can see has this id."
NOT_FOUND = "No report has this id."

#: Cursors of myReports: (createdAt, id), scoped to the reporter.
MY_REPORTS_CURSOR = keyset_kind("myReports")


def report_key(row: ReportRow) -> tuple[DateTime, str]:
    """The sort key of a report in a list (its cursor's key)."""
    return (row.report.created_at, row.report.id)


async def report_page(rt: Runtime, viewer: Viewer, page: Page[ReportRow]) -> Page[ReportView]:
    """A page of stored reports as ``viewer`` may see them (a report that is none of their business is left out)."""
    return page.shown(await report_views(rt, viewer, page.items))


# --- views ---------------------------------------------------------------------------------------------------------------


async def report_views(rt: Runtime, viewer: Viewer, rows: list[ReportRow]) -> list[ReportView | None]:
    """Each stored report as ``viewer`` may see it; None for reports that are none of their business."""
    officer = holds(viewer, "moderation.report.decide_any")
    moderated = [officer or runs_community(r.viewer_role) for r in rows]
    targets = sorted({r.target_id for r, m in zip(rows, moderated, strict=False) if m and r.target_id})
    actors = dict(zip(targets, await identity_views.actors_by_ids(rt, viewer, targets), strict=False))
    views: list[ReportView | None] = []
    for row, for_moderator in zip(rows, moderated, strict=False):
        if not for_moderator and row.reporter_id != viewer.actor_id:
            views.append(None)
            continue
        report, subject, action = row.report, row.subject, row.action
        outcome = None
        if action is not None:
            outcome = OutcomeView(
                action=action.action,
                at=action.at.to_native(),
                reason=action.reason if for_moderator else None,
                until=action.until.to_native() if for_moderator and action.until is not None else None,
            )
        views.append(
            ReportView(
                id=report.id,
                status=report.status,
                reason=report.reason,
                subject_kind=report.subject_kind,
                subject_id=subject.id if subject else "",
                created_at=report.created_at.to_native(),
                outcome=outcome,
                for_moderator=for_moderator,
                post_id=row.post_id,
                subject_text=subject.text if for_moderator and subject else None,
                subject_status=((subject.status if subject else None) or "active") if for_moderator else None,
                subject_actor=actors.get(row.target_id) if for_moderator and row.target_id else None,
                community_id=row.community_id if for_moderator else None,
                # A city officer reads a person's post or comment, whoever it was shared with, on duty (the write
                # keeps only entries about people: an organisation's content is not logged).
                duty=Duty("moderation", row.target_id)
                if officer and row.target_id and row.target_id != viewer.actor_id
                else None,
            )
        )
    return views


async def reports_by_ids(rt: Runtime, viewer: Viewer, ids: list[str]) -> list[ReportView | None]:
    """Reports for ``node(id:)``: visible to their reporter and to whoever may decide them."""
    if viewer.is_anonymous or not ids:
        return [None] * len(ids)
    rows = await rt.graph.read(queries.reports_by_ids, ids, viewer.actor_id)
    views = await report_views(rt, viewer, rows)
    found = {r.report.id: v for r, v in zip(rows, views, strict=False) if v is not None}
    return [found.get(i) for i in ids]


async def report(rt: Runtime, viewer: Viewer, report_id: str, *, field: str | None = None) -> ReportView:
    """One report as ``viewer`` may see it (the reporter who filed it, a moderator who decided it); NOT_FOUND naming
    ``field`` (the input field that holds its id, in a mutation) otherwise."""
    (found,) = await reports_by_ids(rt, viewer, [report_id])
    if found is None:
        raise NotFoundError(NOT_FOUND, field=field)
    return found


# --- filing a report -------------------------------------------------------------------------------------------------------


async def _may_see_subject(rt: Runtime, viewer: Viewer, kind: str, subject_id: str, facts: SubjectFacts) -> bool:
    """What one may see one may report, and a block of one's own does not stop it: a person who blocked someone
    still reports them, their posts and comments (as far as they could see them but for that block); whoever
    blocked the viewer stays invisible to them."""
    if facts.blocked_viewer or (facts.status or "active") != "active":
        return False
    if kind in CONTENT_KINDS:
        post_id = subject_id if kind == "post" else facts.post_id
        return post_id is not None and await reporting.may_see_post_but_for_my_blocks(rt, viewer, post_id)
    return True


def _check_kind(kind: str) -> None:
    if kind not in SUBJECT_KINDS:
        raise UserInputError("Report a post, a comment, a person or an organisation.", field="subjectId")


async def create_report(
    rt: Runtime,
    viewer: Viewer,
    subject: tuple[str, str] | None,
    reason: str,
    *,
    problems: Problems | None = None,
) -> ReportView:
    """Report something I can see to the moderators (``subject``: its kind and id); one open report per subject and
    reporter. ``problems`` holds what the caller found wrong in the same input already (a subject id it could not
    read: ``subject`` is then None); every mistake is reported at once."""
    me = authorize(viewer, "moderation.report.create")
    problems = problems or Problems()
    if subject is not None:
        problems.take(lambda: _check_kind(subject[0]))
    cleaned = problems.take(lambda: check_reason(reason, "reason"))
    problems.raise_if_any()
    assert subject is not None and cleaned is not None  # raise_if_any: both were read
    kind, subject_id = subject
    facts = await rt.graph.read(queries.subject_facts, kind, subject_id, me)
    if facts is None or not await _may_see_subject(rt, viewer, kind, subject_id, facts):
        raise NotFoundError(UNKNOWN_SUBJECT, field="subjectId")
    if facts.author_id == me:
        raise UserInputError("You cannot report yourself or what you wrote.", field="subjectId")
    report_id = str(uuid.uuid4())
    open_key = f"{me}:{subject_id}"

    async def work(tx: AsyncManagedTransaction) -> None:
        if await queries.lock_reporter(tx, me, open_key):
            raise ConflictError("You reported this already; moderators will decide your report.", field="subjectId")
        await queries.create_report(
            tx,
            id=report_id,
            reporter_id=me,
            kind=kind,
            subject_id=subject_id,
            reason=cleaned,
            open_key=open_key,
            community_id=facts.community_id,
        )

    await rt.graph.write(work)
    return await report(rt, viewer, report_id, field="subjectId")


async def my_reports(rt: Runtime, viewer: Viewer, request: PageRequest) -> Page[ReportView]:
    """The reports I filed, newest first, with how each ended."""
    me = authorize(viewer, "moderation.report.read_own")
    kind = MY_REPORTS_CURSOR.scoped(me)
    rows = await rt.graph.read(queries.reports_of_reporter, me, request.window(kind))
    return await report_page(rt, viewer, request.page(rows, kind, report_key))
