"""Resolvers of moderation: decode ids, call one use case of ``moderation`` (reports, queue, decisions), wrap."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry
from strawberry import relay
from strawberry.relay.types import GlobalIDValueError

from core.errors import Problems, UserInputError
from core.pagination import PageRequest
from moderation import decisions, queue, reports
from resolvers.common import decode_id, mutate, runtime, viewer
from schema.common import AFTER, BEFORE, FIRST, LAST
from schema.moderation import (
    ModerationActInput,
    ModerationActPayload,
    Report,
    ReportConnection,
    ReportCreateInput,
    ReportCreatePayload,
    ReportStatus,
)

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
    last: LAST = None,
    before: BEFORE = None,
) -> ReportConnection:
    request = PageRequest.from_args(first=first, after=after, last=last, before=before)
    page = await queue.moderation_queue(runtime(info), viewer(info), status.value, request)
    return ReportConnection.from_page(page, Report.of)


async def my_reports(
    info: strawberry.Info, first: FIRST = None, after: AFTER = None, last: LAST = None, before: BEFORE = None
) -> ReportConnection:
    request = PageRequest.from_args(first=first, after=after, last=last, before=before)
    return ReportConnection.from_page(await reports.my_reports(runtime(info), viewer(info), request), Report.of)


# --- mutations ---------------------------------------------------------------------------------------------------------


def _subject(info: strawberry.Info, value: str) -> tuple[str, str]:
    """(kind, uuid) of a reportable global id; INVALID_INPUT for anything else."""
    try:
        type_name = relay.GlobalID.from_id(value).type_name
    except (GlobalIDValueError, ValueError) as exc:
        raise UserInputError(
            "This is not a global id of this API; pass an `id` it returned.", field="subjectId"
        ) from exc
    if type_name not in REPORTABLE:
        raise UserInputError("Report a post, a comment, a person or an organisation.", field="subjectId")
    return REPORTABLE[type_name], decode_id(value, type_name, "subjectId", info)


async def report_create(
    info: strawberry.Info,
    input: Annotated[ReportCreateInput, strawberry.argument(description="What is reported, and why.")],
) -> ReportCreatePayload | None:
    async def work() -> dict[str, Any]:
        problems = Problems()
        subject = problems.take(lambda: _subject(info, input.subject_id))
        filed = await reports.create_report(runtime(info), viewer(info), subject, input.reason, problems=problems)
        return {"report": Report.of(filed)}

    return await mutate(info, ReportCreatePayload, work)


async def moderation_act(
    info: strawberry.Info,
    input: Annotated[ModerationActInput, strawberry.argument(description="The report and the decision.")],
) -> ModerationActPayload | None:
    async def work() -> dict[str, Any]:
        problems = Problems()
        report_id = problems.take(lambda: decode_id(input.report_id, "Report", "reportId"))
        decided = await decisions.act(
            runtime(info),
            viewer(info),
            report_id,
            input.action.value,
            input.reason,
            input.suspend_days,
            problems=problems,
        )
        return {"report": Report.of(decided)}

    return await mutate(info, ModerationActPayload, work)
