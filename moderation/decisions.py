"""Decisions: a moderator decides an open report with one recorded action.

Who decides what:
- city officers: every report, every action, and only they SUSPEND (1 to 365 days);
- a community's moderators and admins: reports about posts and comments of that community, with
  REMOVE_CONTENT, WARN or DISMISS;
- nobody decides a report about themself or their own content.
"""

from __future__ import annotations

import uuid

from neo4j import AsyncManagedTransaction

from auth.permissions import Membership, authorize, holds
from auth.viewer import Viewer
from core.errors import ConflictError, ForbiddenError, NotFoundError, Problems, UserInputError
from core.runtime import Runtime
from graph import moderation as queries
from moderation.enforcement import tell_outcome
from moderation.model import ACTIONS, COMMUNITY_ACTIONS, CONTENT_KINDS, SUSPENSION_DAYS, ReportView, check_reason
from moderation.reports import NOT_FOUND, report


def _check_action(action: str) -> None:
    if action not in ACTIONS:
        raise UserInputError("The action is REMOVE_CONTENT, WARN, SUSPEND or DISMISS.", field="action")


def _check_days(action: str, days: int | None) -> int | None:
    low, high = SUSPENSION_DAYS
    if action == "suspend":
        if days is None or not low <= days <= high:
            raise UserInputError(
                "A suspension lasts {low} to {high} days.", field="suspendDays", params={"low": low, "high": high}
            )
        return days
    if days is not None:
        raise UserInputError("Only SUSPEND takes suspendDays.", field="suspendDays")
    return None


async def act(
    rt: Runtime,
    viewer: Viewer,
    report_id: str | None,
    action: str,
    reason: str,
    suspend_days: int | None,
    *,
    problems: Problems | None = None,
) -> ReportView:
    """Decide an open report with one action, recorded with its reason, in one transaction:
    REMOVE_CONTENT (the post or comment is removed, and every other open report about it resolved),
    WARN (recorded against the one responsible), SUSPEND (officers; the person may not publish until
    the end) or DISMISS (nothing was wrong). ``problems`` holds what the caller found wrong in the same input
    already (a report id it could not read: ``report_id`` is then None); every mistake is reported at once."""
    me = authorize(viewer, "moderation.report.decide")
    problems = problems or Problems()
    problems.take(lambda: _check_action(action))
    cleaned = problems.take(lambda: check_reason(reason, "reason"))
    days = problems.take(lambda: _check_days(action, suspend_days))
    problems.raise_if_any()
    assert report_id is not None and cleaned is not None  # raise_if_any: both were read
    officer = holds(viewer, "moderation.report.decide_any")
    action_id = str(uuid.uuid4())

    async def work(tx: AsyncManagedTransaction) -> None:
        facts = await queries.lock_report(tx, report_id, me)
        if facts is None:
            raise NotFoundError(NOT_FOUND, field="reportId")
        if not officer:
            standing = Membership(facts.community_id, facts.viewer_role) if facts.community_id else None
            authorize(viewer, "moderation.report.decide_in_community", on=standing)
        if action not in COMMUNITY_ACTIONS:
            authorize(viewer, "moderation.account.suspend")
        if facts.target_id == me:
            raise ForbiddenError(
                "You cannot decide a report about yourself or your own content; another moderator will."
            )
        if facts.status == "dismissed":
            raise ConflictError("This report was dismissed already.", field="reportId")
        if facts.status != "open":
            raise ConflictError("This report was resolved already.", field="reportId")
        kind = facts.subject_kind
        if action == "remove_content":
            if kind not in CONTENT_KINDS:
                raise UserInputError(
                    "Only posts and comments are removed; warn or suspend an account instead.", field="action"
                )
            if facts.subject_status != "active":
                raise ConflictError(
                    "This content is deleted or removed already; warn its author or dismiss the report.", field="action"
                )
        if action == "suspend" and not facts.target_is_person:
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
            target_id=None if action == "dismiss" else facts.target_id,
        )
        if action == "remove_content":
            await queries.remove_content(tx, kind, facts.subject_id, me, cleaned)
            await queries.resolve_other_reports(tx, action_id)
        elif action == "suspend" and facts.target_id is not None:  # a person: checked above
            await queries.suspend(tx, facts.target_id, action_id)
        await tell_outcome(
            tx,
            rt,
            action,
            action_id,
            subject_id=facts.subject_id,
            subject_kind=kind,
            target_id=facts.target_id,
            target_is_person=facts.target_is_person,
            reason=cleaned,
        )

    await rt.graph.write(work)
    return await report(rt, viewer, report_id, field="reportId")
