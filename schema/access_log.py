"""GraphQL side of "who read my data" (``partners.access_log``): the entries a person pages through, the field
extension that records an officer's duty reads, and the schema extension that writes a request's reads before its
answer leaves (or withholds the answer: 503, no data).

This module imports no other shape at load time (``App``, ``Grant`` and ``Person`` are lazy), so the shapes of other
nouns may use ``DutyRead`` on their fields.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry import relay
from strawberry.extensions import FieldExtension, SchemaExtension
from strawberry.types import ExecutionContext

from core.errors import UnavailableError
from core.logs import get_logger
from partners import access_log
from partners.access_log import AccessLogEntryView
from partners.reads import Duty
from schema.common import CountedConnection

if TYPE_CHECKING:
    from schema.identity import Person
    from schema.partners import App, Grant

log = get_logger("partners.access_log")

#: The answer when the reads of a request could not be recorded: the data is withheld (fail closed).
NOT_RECORDED = (
    "Your answer holds personal data whose reading could not be recorded in the access log, so it was not sent; "
    "try again shortly."
)
#: Retry-After of that answer when the failure gave none.
RETRY_AFTER_SECONDS = 5.0

# --- recording an officer's duty reads --------------------------------------------------------------------------------


def _record_duty(source: Any, info: strawberry.Info, value: Any) -> None:
    duty = getattr(source, "duty", None)
    if value is None or value == []:
        return
    for one in duty if isinstance(duty, tuple) else (duty,):
        if isinstance(one, Duty):
            info.context.reads.record(
                one.person_id,
                f"{info.path.typename}.{info.field_name}",
                basis="duty",
                duty=one.name,
                path=info.path.as_list(),
            )


class DutyRead(FieldExtension):
    """On a field of a person's non-public data that an officer is handed on duty: when the object carries a
    ``duty`` (a ``partners.reads.Duty``, or a tuple of them for an object of two people such as an order; set by
    the domain's view only for a viewer who sees it because of their duty, never for the person themself) and the
    value is not null, the read is recorded for the access log, once per request however many aliases or paths
    reach it."""

    def resolve(self, next_: Callable[..., Any], source: Any, info: strawberry.Info, **kwargs: Any) -> Any:
        value = next_(source, info, **kwargs)
        _record_duty(source, info, value)
        return value

    async def resolve_async(
        self, next_: Callable[..., Awaitable[Any]], source: Any, info: strawberry.Info, **kwargs: Any
    ) -> Any:
        value = await next_(source, info, **kwargs)
        _record_duty(source, info, value)
        return value


# --- writing a request's reads --------------------------------------------------------------------------------------


async def write_access_log(execution_context: ExecutionContext) -> None:
    """After execution (queries and mutations alike) and before the answer leaves: the request's reads
    (``info.context.reads``) that reached the answer (``ReadSet.keep_delivered``: a value whose path is null or
    absent in the final ``data``, erased by a refused non-null sibling, was never disclosed) written in one
    transaction (``partners.access_log.write_reads``). If that fails, the result becomes UNAVAILABLE with no data,
    and ``request.state.withhold_answer`` tells the view to answer 503. Run by ``schema.assemble.RequestPipeline``
    once execution ends; a request that read nothing personal (every person's request) costs one test."""
    context = execution_context.context
    reads = getattr(context, "reads", None)
    if not reads:
        return
    result = execution_context.result
    reads.keep_delivered(getattr(result, "data", None))
    if not reads:
        return
    try:
        await access_log.write_reads(context.runtime, context.viewer, reads, request_id=context.request_id)
    except Exception as exc:
        log.error(
            "access log not written: answer withheld",
            reads=len(reads.reads),
            exc_info=(type(exc), exc, exc.__traceback__),
        )
        context.request.state.withhold_answer = True
        retry = exc.retry_after_seconds if isinstance(exc, UnavailableError) else None
        raise UnavailableError(NOT_RECORDED, retry_after_seconds=retry or RETRY_AFTER_SECONDS) from exc


class AccessLogWriter(SchemaExtension):
    """``write_access_log`` as a Strawberry extension (the API's schema runs it in its request pipeline)."""

    async def on_execute(self) -> AsyncIterator[None]:
        yield
        await write_access_log(self.execution_context)


# --- a person's log ---------------------------------------------------------------------------------------------------


@strawberry.enum(description="Why someone could read my data.")
class DataAccessBasis(Enum):
    _value_: str  # .value is the services' string (strawberry.enum_value only adds a description)
    GRANT = strawberry.enum_value("grant", description="An app read it under the consent (grant) I gave it.")
    DUTY = strawberry.enum_value(
        "duty", description="A city officer read it on duty (checking my verification request, deciding a report)."
    )


@strawberry.type(
    description="One request that read my personal data: what it read, when, and who read it (an app under my "
    "consent, or a city officer on duty). Only I see my log (`myDataAccessLog`, and through node(id:)); entries stay "
    "after I revoke a grant or close my account."
)
class DataAccessLogEntry(relay.Node):
    uuid: relay.NodeID[str]
    at: datetime = strawberry.field(description="When it was read (UTC): when the request that read it was answered.")
    fields: list[str] = strawberry.field(
        description="What was read, each once, as schema coordinates: a field (`Person.phone`, "
        "`VerificationRequest.applicantDateOfBirth`) or a yes/no question (`Query.isAdult`: whether I am 18 or older, "
        "not my birth date), with the value asked about when the question has one "
        '(`Query.livesInWard(code: "00070")`: whether I live in the ward with code 00070).'
    )
    scopes: list[str] = strawberry.field(
        description="The scopes of my grant the app read them under (`contact.read`); empty for an officer's read."
    )
    basis: DataAccessBasis = strawberry.field(description="Under my grant (an app) or on duty (an officer).")
    duty: str | None = strawberry.field(
        description="The officer's duty (`verification`, `moderation`); null for an app's read."
    )
    view: strawberry.Private[AccessLogEntryView]

    @strawberry.field(description="The app that read it; null for an officer's read.")
    def app(self) -> Annotated[App, strawberry.lazy("schema.partners")] | None:
        from schema.partners import App  # noqa: PLC0415 (lazy: the partner shapes import the identity shapes)

        return App.of(self.view.app) if self.view.app else None

    @strawberry.field(
        description="My grant the app read it under, with the scopes and purposes I consented to; null for an "
        "officer's read, and when the app read me under someone else's grant (as one of their connections)."
    )
    def grant(self, info: strawberry.Info) -> Annotated[Grant, strawberry.lazy("schema.partners")] | None:
        from schema.partners import Grant  # noqa: PLC0415 (lazy, as App)

        return Grant.of(self.view.grant, info.context.language) if self.view.grant else None

    @strawberry.field(description="The officer who read it (as I may see their profile); null for an app's read.")
    def officer(self) -> Annotated[Person, strawberry.lazy("schema.identity")] | None:
        from schema.identity import Person  # noqa: PLC0415 (lazy: the identity shapes use DutyRead)

        return Person.of(self.view.officer) if self.view.officer else None

    @classmethod
    def of(cls, view: AccessLogEntryView) -> DataAccessLogEntry:
        return cls(
            uuid=view.id,
            at=view.at,
            fields=list(view.fields),
            scopes=list(view.scopes),
            basis=DataAccessBasis(view.basis),
            duty=view.duty,
            view=view,
        )


@strawberry.type(description="A page of my access log, newest first.")
class DataAccessLogEntryConnection(CountedConnection[DataAccessLogEntry]):
    pass
