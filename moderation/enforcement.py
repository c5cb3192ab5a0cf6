"""Moderation's enforcement: the leaf other domains import, inside their own write transaction, to refuse a
suspended person (``assert_not_suspended``) and to log a moderator's direct removal of a post or comment
(``record_removal``); and how the people concerned hear of an action (``tell_outcome``, also used by
``moderation.decisions``)."""

from __future__ import annotations

import uuid
from datetime import UTC

from neo4j import AsyncManagedTransaction

from core.errors import ForbiddenError
from core.runtime import Runtime
from graph import moderation as queries
from moderation.model import SUBJECT_TYPES, check_reason
from notifications import notify
from webhooks.events import PersonRef, global_id
from webhooks.outbox import emit


async def assert_not_suspended(tx: AsyncManagedTransaction, person_id: str) -> None:
    """FORBIDDEN while the person's suspension runs, saying until when. Call it inside the write
    transaction that publishes (a post, a comment, a community), before writing anything."""
    until = await queries.suspended_until(tx, person_id)
    if until is None:
        return
    stamp = until.to_native().astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    raise ForbiddenError(
        "Your account is suspended until {until} (UTC) by a city officer; until then you cannot post, "
        "comment or create communities.",
        extensions={"suspendedUntil": stamp},
        params={"until": stamp},
    )


async def record_removal(
    tx: AsyncManagedTransaction, rt: Runtime, moderator_id: str, kind: str, subject_id: str, reason: str
) -> None:
    """A moderator removes a post or comment directly (postDelete / commentDelete by someone who is not its
    author): the content is removed, the removal logged as a ModerationAction, and open reports about it are
    resolved by that action. Runs inside the caller's write transaction. Its reporters and the author are told as
    for a decision on a report (``tell_outcome``: REPORT_DECIDED, CONTENT_REMOVED with the reason, no moderator
    named)."""
    cleaned = check_reason(reason, "reason")
    action_id = str(uuid.uuid4())
    await queries.remove_content(tx, kind, subject_id, moderator_id, cleaned)
    removal = await queries.record_direct_removal(
        tx, id=action_id, subject_id=subject_id, moderator_id=moderator_id, reason=cleaned
    )
    await queries.resolve_other_reports(tx, action_id)
    await tell_outcome(
        tx,
        rt,
        "remove_content",
        action_id,
        subject_id=removal.subject_id,
        subject_kind=kind,
        target_id=removal.target_id,
        target_is_person=removal.target_is_person,
        reason=cleaned,
    )


#: What the person responsible hears of an action (dismissing a report tells only its reporter).
_OUTCOME_NOTICES = {"remove_content": "content_removed", "warn": "warned", "suspend": "account_suspended"}


async def tell_outcome(
    tx: AsyncManagedTransaction,
    rt: Runtime,
    action: str,
    action_id: str,
    *,
    subject_id: str,
    subject_kind: str,
    target_id: str | None,
    target_is_person: bool,
    reason: str,
) -> None:
    """Every reporter whose report the action decided hears of it; the person responsible (``target_id``) learns
    what was done and why. Both come from "the city's moderation": no moderator is named (reporters learn what and
    when, never who), so no one is singled out."""
    for decided in await queries.reporters_of_action(tx, action_id):
        await notify(
            tx, rt, decided.reporter_id, "report_decided", actor=None, subject=decided.report_id, subject_type="Report"
        )
        reporter = decided.reporter_id
        told = {"person": PersonRef(reporter), "role": "REPORTER", "report": global_id("Report", decided.report_id)}
        await emit(tx, rt, "moderation.decided", about=[reporter], data=told)
    notice = _OUTCOME_NOTICES.get(action)
    if notice and target_is_person and target_id is not None:
        subject, subject_type = (
            (subject_id, SUBJECT_TYPES[subject_kind]) if action == "remove_content" else (target_id, "Person")
        )
        await notify(tx, rt, target_id, notice, actor=None, subject=subject, subject_type=subject_type, reason=reason)
        acted_on: PersonRef | str = (
            PersonRef(subject, id_only=True) if subject_type == "Person" else global_id(subject_type, subject)
        )
        data = {
            "person": PersonRef(target_id),
            "role": "TARGET",
            "action": action.upper(),
            "subjectType": subject_type,
            "subject": acted_on,
            "reason": reason,
        }
        await emit(tx, rt, "moderation.decided", about=[target_id], data=data)
