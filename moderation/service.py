"""Use cases of moderation: people report posts, comments, people and organisations; moderators
decide each report with one recorded action; suspended people may not publish.

Who moderates what:
- city officers: every report, every action, and only they SUSPEND (1 to 365 days);
- a community's moderators and admins: reports about posts and comments of that community, with
  REMOVE_CONTENT, WARN or DISMISS;
- nobody decides a report about themself or their own content.

What each side sees (``ReportView`` for a viewer): the reporter sees their report, its status and
how it ended (the action and when), never who decided; moderators see the reported content and who
is responsible for it, never who reported it.
"""

from __future__ import annotations

import uuid

from neo4j import AsyncManagedTransaction

from auth.permissions import require_person
from auth.viewer import Viewer
from core.errors import ConflictError, ForbiddenError, NotFoundError, UserInputError
from core.pagination import CursorKind, Page, PageRequest, keyset_kind
from core.runtime import Runtime
from core.text import checked_text
from graph import moderation as queries
from identity import views as identity_views
from moderation.model import (
    ACTIONS,
    COMMUNITY_ACTIONS,
    CONTENT_KINDS,
    MAX_REASON_LENGTH,
    REPORT_STATUSES,
    SUBJECT_KINDS,
    SUBJECT_TYPES,
    SUSPENSION_DAYS,
    OutcomeView,
    ReportView,
)
from notifications import notify
from social import reporting

UNKNOWN_SUBJECT = "No post, comment, person or organisation you can see has this id."
NOT_FOUND = "No report has this id."


# --- suspensions (called by every use case that publishes) ---------------------------------------------------------


# --- views ---------------------------------------------------------------------------------------------------------------


async def record_removal(
    tx: AsyncManagedTransaction, moderator_id: str, kind: str, subject_id: str, reason: str
) -> None:
    """A moderator removes a post or comment directly (postDelete / commentDelete by someone who is not its
    author): the content is removed, the removal logged as a ModerationAction, and open reports about it are
    resolved by that action. Runs inside the caller's write transaction. Its reporters and the author are told as
    for a decision on a report (``_tell_outcome``: REPORT_DECIDED, CONTENT_REMOVED with the reason, no moderator named)."""
    cleaned = _check_reason(reason, "reason")
    action_id = str(uuid.uuid4())
    await queries.remove_content(tx, kind, subject_id, moderator_id, cleaned)
    facts = await queries.record_direct_removal(
        tx, id=action_id, subject_id=subject_id, moderator_id=moderator_id, reason=cleaned
    )
    await queries.resolve_other_reports(tx, action_id)
    await _tell_outcome(tx, "remove_content", action_id, {**facts, "subjectKind": kind}, cleaned)


def _check_reason(reason: str, field: str) -> str:
    return (
        checked_text(reason, field=field, max_length=MAX_REASON_LENGTH, required=True, empty="Say why, in a few words.")
        or ""
    )


#: Cursors of myReports and of moderationQueue: (createdAt, id).
MY_REPORTS_CURSOR = keyset_kind("myReports")
QUEUE_CURSOR = keyset_kind("moderationQueue")


def _cursor(kind: CursorKind, row: dict) -> str:
    return kind.encode(row["report"]["createdAt"], row["report"]["id"])


def _native(value):
    return value.to_native() if value is not None else None


async def _views(rt: Runtime, viewer: Viewer, rows: list[dict]) -> list[ReportView | None]:
    """Each stored report as ``viewer`` may see it; None for reports that are none of their business."""
    officer = viewer.has_role("officer")
    moderated = [officer or r["viewerModerates"] for r in rows]
    targets = sorted({r["targetId"] for r, m in zip(rows, moderated, strict=False) if m and r["targetId"]})
    actors = dict(zip(targets, await identity_views.actors_by_ids(rt, viewer, targets), strict=False))
    views: list[ReportView | None] = []
    for row, for_moderator in zip(rows, moderated, strict=False):
        if not for_moderator and row["reporterId"] != viewer.actor_id:
            views.append(None)
            continue
        report, subject, action = row["report"], row["subject"] or {}, row["action"]
        outcome = None
        if action is not None:
            outcome = OutcomeView(
                action=action["action"],
                at=action["at"].to_native(),
                reason=action.get("reason") if for_moderator else None,
                until=_native(action.get("until")) if for_moderator else None,
            )
        views.append(
            ReportView(
                id=report["id"],
                status=report["status"],
                reason=report["reason"],
                subject_kind=report["subjectKind"],
                subject_id=subject.get("id", ""),
                created_at=report["createdAt"].to_native(),
                outcome=outcome,
                for_moderator=for_moderator,
                post_id=row["postId"],
                subject_text=subject.get("text") if for_moderator else None,
                subject_status=(subject.get("status") or "active") if for_moderator else None,
                subject_actor=actors.get(row["targetId"]) if for_moderator else None,
                community_id=row["communityId"] if for_moderator else None,
            )
        )
    return views


async def reports_by_ids(rt: Runtime, viewer: Viewer, ids: list[str]) -> list[ReportView | None]:
    """Reports for ``node(id:)``: visible to their reporter and to whoever may decide them."""
    if viewer.is_anonymous or not ids:
        return [None] * len(ids)
    rows = await rt.graph.read(queries.reports_by_ids, ids, viewer.actor_id)
    found = {r["report"]["id"]: v for r, v in zip(rows, await _views(rt, viewer, rows), strict=False) if v is not None}
    return [found.get(i) for i in ids]


# --- filing a report -------------------------------------------------------------------------------------------------------


async def _may_see_subject(rt: Runtime, viewer: Viewer, kind: str, subject_id: str, facts: dict | None) -> bool:
    """What one may see one may report, and a block of one's own does not stop it: a person who blocked someone
    still reports them, their posts and comments (as far as they could see them but for that block); whoever
    blocked the viewer stays invisible to them."""
    if facts is None or facts["blockedViewer"] or (facts["status"] or "active") != "active":
        return False
    if kind in CONTENT_KINDS:
        post_id = subject_id if kind == "post" else facts["postId"]
        return await reporting.may_see_post_but_for_my_blocks(rt, viewer, post_id)
    return True


async def create_report(rt: Runtime, viewer: Viewer, kind: str, subject_id: str, reason: str) -> ReportView:
    """Report something I can see to the moderators; one open report per subject and reporter."""
    me = require_person(viewer)
    if kind not in SUBJECT_KINDS:
        raise UserInputError("Report a post, a comment, a person or an organisation.", field="subjectId")
    cleaned = _check_reason(reason, "reason")
    facts = await rt.graph.read(queries.subject_facts, kind, subject_id, me)
    if not await _may_see_subject(rt, viewer, kind, subject_id, facts):
        raise UserInputError(UNKNOWN_SUBJECT, field="subjectId")
    if facts["authorId"] == me:
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
            community_id=facts["communityId"],
        )

    await rt.graph.write(work)
    return (await reports_by_ids(rt, viewer, [report_id]))[0]


async def my_reports(rt: Runtime, viewer: Viewer, request: PageRequest) -> Page[ReportView]:
    """The reports I filed, newest first, with how each ended."""
    me = require_person(viewer)
    after = request.keyset(MY_REPORTS_CURSOR)
    rows = await rt.graph.read(queries.reports_of_reporter, me, after, request.size + 1)
    page_rows = rows[: request.size]
    views = await _views(rt, viewer, page_rows)
    pairs = [(v, r) for v, r in zip(views, page_rows, strict=False) if v is not None]
    return Page(
        items=[v for v, _ in pairs],
        cursors=[_cursor(MY_REPORTS_CURSOR, r) for _, r in pairs],
        has_next_page=len(rows) > request.size,
        has_previous_page=after is not None,
    )


# --- the moderators' queue and their decisions --------------------------------------------------------------------------------


async def moderation_queue(rt: Runtime, viewer: Viewer, status: str, request: PageRequest) -> Page[ReportView]:
    """Reports with ``status``, oldest first: all of them for officers, those about posts and comments
    of their communities for community moderators and admins."""
    me = require_person(viewer)
    if status not in REPORT_STATUSES:
        raise UserInputError("A report is OPEN, RESOLVED or DISMISSED.", field="status")
    if viewer.has_role("officer"):
        scope = "all"
    elif await rt.graph.read(queries.moderates_any_community, me):
        scope = "communities"
    else:
        raise ForbiddenError("Only city officers and community moderators work the moderation queue.")
    after = request.keyset(QUEUE_CURSOR)
    rows = await rt.graph.read(queries.report_queue, scope, me, status, after, request.size + 1)
    page_rows = rows[: request.size]
    views = await _views(rt, viewer, page_rows)
    pairs = [(v, r) for v, r in zip(views, page_rows, strict=False) if v is not None]
    return Page(
        items=[v for v, _ in pairs],
        cursors=[_cursor(QUEUE_CURSOR, r) for _, r in pairs],
        has_next_page=len(rows) > request.size,
        has_previous_page=after is not None,
    )


def _check_days(action: str, days: int | None) -> int | None:
    low, high = SUSPENSION_DAYS
    if action == "suspend":
        if days is None or not low <= days <= high:
            raise UserInputError(f"A suspension lasts {low} to {high} days.", field="suspendDays")
        return days
    if days is not None:
        raise UserInputError("Only SUSPEND takes suspendDays.", field="suspendDays")
    return None


#: What the person responsible hears of an action (dismissing a report tells only its reporter).
_OUTCOME_NOTICES = {"remove_content": "content_removed", "warn": "warned", "suspend": "account_suspended"}


async def _tell_outcome(tx: AsyncManagedTransaction, action: str, action_id: str, facts: dict, reason: str) -> None:
    """Every reporter whose report the action decided hears of it; the person responsible learns what was
    done and why. Both come from "the city's moderation": no moderator is named (reporters learn what and
    when, never who), so no one is singled out."""
    for report_id, reporter in await queries.reporters_of_action(tx, action_id):
        await notify(tx, reporter, "report_decided", actor=None, subject=report_id, subject_type="Report")
    notice = _OUTCOME_NOTICES.get(action)
    if notice and facts["targetIsPerson"]:
        subject, subject_type = (
            (facts["subjectId"], SUBJECT_TYPES[facts["subjectKind"]])
            if action == "remove_content"
            else (facts["targetId"], "Person")
        )
        await notify(
            tx, facts["targetId"], notice, actor=None, subject=subject, subject_type=subject_type, reason=reason
        )


async def act(
    rt: Runtime, viewer: Viewer, report_id: str, action: str, reason: str, suspend_days: int | None
) -> ReportView:
    """Decide an open report with one action, recorded with its reason, in one transaction:
    REMOVE_CONTENT (the post or comment is removed, and every other open report about it resolved),
    WARN (recorded against the one responsible), SUSPEND (officers; the person may not publish until
    the end) or DISMISS (nothing was wrong)."""
    me = require_person(viewer)
    if action not in ACTIONS:
        raise UserInputError("The action is REMOVE_CONTENT, WARN, SUSPEND or DISMISS.", field="action")
    cleaned = _check_reason(reason, "reason")
    days = _check_days(action, suspend_days)
    officer = viewer.has_role("officer")
    action_id = str(uuid.uuid4())

    async def work(tx: AsyncManagedTransaction) -> None:
        facts = await queries.lock_report(tx, report_id, me)
        if facts is None:
            raise NotFoundError(NOT_FOUND)
        if not (officer or facts["viewerModerates"]):
            raise ForbiddenError(
                "Only city officers, and a community's moderators for its posts and comments, decide reports."
            )
        if not officer and action not in COMMUNITY_ACTIONS:
            raise ForbiddenError(
                "Only city officers suspend accounts; community moderators remove content, warn or dismiss."
            )
        if facts["targetId"] == me:
            raise ForbiddenError(
                "You cannot decide a report about yourself or your own content; another moderator will."
            )
        if facts["status"] != "open":
            raise ConflictError(f"This report was {facts['status']} already.", field="reportId")
        kind = facts["subjectKind"]
        if action == "remove_content":
            if kind not in CONTENT_KINDS:
                raise UserInputError(
                    "Only posts and comments are removed; warn or suspend an account instead.", field="action"
                )
            if facts["subjectStatus"] != "active":
                raise ConflictError(
                    "This content is deleted or removed already; warn its author or dismiss the report.", field="action"
                )
        if action == "suspend" and not facts["targetIsPerson"]:
            raise UserInputError("Only a person's account is suspended.", field="action")
        await queries.record_action(
            tx,
            id=action_id,
            report_id=report_id,
            moderator_id=me,
            action=action,
            reason=cleaned,
            status="dismissed" if action == "dismiss" else "resolved",
            days=days,
            target_id=None if action == "dismiss" else facts["targetId"],
        )
        if action == "remove_content":
            await queries.remove_content(tx, kind, facts["subjectId"], me, cleaned)
            await queries.resolve_other_reports(tx, action_id)
        elif action == "suspend":
            await queries.suspend(tx, facts["targetId"], action_id)
        await _tell_outcome(tx, action, action_id, facts, cleaned)

    await rt.graph.write(work)
    return (await reports_by_ids(rt, viewer, [report_id]))[0]
