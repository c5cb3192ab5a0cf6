"""Resolvers of moderation: decode ids, call one use case of ``moderation`` (reports, queue, decisions), wrap."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import relay
from strawberry.relay.types import GlobalIDValueError

from core.errors import UserInputError
from core.pagination import PageRequest
from moderation import decisions, queue, reports
from resolvers.common import decode_id, payload, runtime, viewer
from schema.common import AFTER, FIRST
from schema.moderation import ModerationActionKind, Report, ReportConnection, ReportPayload, ReportStatus

#: GraphQL types that can be reported, and the kind of subject each is.
REPORTABLE = {"Post": "post", "Comment": "comment", "Person": "person", "Organization": "organization"}


async def reports_by_ids(info: strawberry.Info, ids: list[str]) -> list[Report | None]:
    return [Report.of(r) if r else None for r in await reports.reports_by_ids(runtime(info), viewer(info), ids)]


# --- queries ---------------------------------------------------------------------------------------------------------


async def moderation_queue(
    info: strawberry.Info,
    status: Annotated[
        ReportStatus, strawberry.argument(description="Which reports (default OPEN).")
    ] = ReportStatus.OPEN,
    first: FIRST = None,
    after: AFTER = None,
) -> ReportConnection:
    page = await queue.moderation_queue(
        runtime(info), viewer(info), status.value, PageRequest.from_args(first=first, after=after)
    )
    return ReportConnection.from_page(page, Report.of)


async def my_reports(info: strawberry.Info, first: FIRST = None, after: AFTER = None) -> ReportConnection:
    page = await reports.my_reports(runtime(info), viewer(info), PageRequest.from_args(first=first, after=after))
    return ReportConnection.from_page(page, Report.of)


# --- mutations ---------------------------------------------------------------------------------------------------------


def _subject(value: str) -> tuple[str, str]:
    """(kind, uuid) of a reportable global id; INVALID_INPUT for anything else."""
    try:
        type_name = relay.GlobalID.from_id(value).type_name
    except (GlobalIDValueError, ValueError) as exc:
        raise UserInputError(
            "This is not a global id of this API; pass an `id` it returned.", field="subjectId"
        ) from exc
    if type_name not in REPORTABLE:
        raise UserInputError("Report a post, a comment, a person or an organisation.", field="subjectId")
    return REPORTABLE[type_name], decode_id(value, type_name, "subjectId")


async def report_create(
    info: strawberry.Info,
    subject_id: Annotated[
        strawberry.ID,
        strawberry.argument(description="Global id of the post, comment, person or organisation reported."),
    ],
    reason: Annotated[str, strawberry.argument(description="What is wrong (up to 1000 characters).")],
) -> ReportPayload:
    async def work() -> dict:
        kind, subject = _subject(subject_id)
        report = await reports.create_report(runtime(info), viewer(info), kind, subject, reason)
        return {"report": Report.of(report)}

    return await payload(ReportPayload, work)


async def moderation_act(
    info: strawberry.Info,
    report_id: Annotated[strawberry.ID, strawberry.argument(description="Global id of the open report decided.")],
    action: Annotated[ModerationActionKind, strawberry.argument(description="What to do.")],
    reason: Annotated[str, strawberry.argument(description="Why (up to 1000 characters); kept with the action.")],
    suspend_days: Annotated[
        int | None, strawberry.argument(description="SUSPEND only: how many days, 1 to 365.")
    ] = None,
) -> ReportPayload:
    async def work() -> dict:
        report = await decisions.act(
            runtime(info), viewer(info), decode_id(report_id, "Report", "reportId"), action.value, reason, suspend_days
        )
        return {"report": Report.of(report)}

    return await payload(ReportPayload, work)
