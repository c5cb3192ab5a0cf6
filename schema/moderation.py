"""GraphQL shapes of moderation: reports, the moderators' queue, moderation actions."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry
from strawberry import relay

from identity.model import OrganizationView, PersonView
from moderation.model import OutcomeView, ReportView
from partners.reads import Duty
from schema.access_log import DutyRead
from schema.common import CountedConnection, UserError
from schema.communities import Community
from schema.identity import Actor

ERRORS = "Mistakes to fix (empty on success): code, field and message."

#: GraphQL type of each kind of subject, for its global id.
SUBJECT_TYPES = {"post": "Post", "comment": "Comment", "person": "Person", "organization": "Organization"}


@strawberry.enum(description="Where a report stands.")
class ReportStatus(Enum):
    _value_: str  # .value is the services' string (strawberry.enum_value only adds a description)
    OPEN = strawberry.enum_value("open", description="Waiting for a moderator.")
    RESOLVED = strawberry.enum_value("resolved", description="A moderator acted on it (removed, warned or suspended).")
    DISMISSED = strawberry.enum_value("dismissed", description="A moderator found nothing to act on.")


@strawberry.enum(description="What a report is about.")
class ReportSubjectKind(Enum):
    _value_: str  # .value is the services' string (strawberry.enum_value only adds a description)
    POST = strawberry.enum_value("post", description="A post.")
    COMMENT = strawberry.enum_value("comment", description="A comment.")
    PERSON = strawberry.enum_value("person", description="A person's account.")
    ORGANIZATION = strawberry.enum_value("organization", description="An organisation's account.")


@strawberry.enum(description="What a moderator does about a report.")
class ModerationActionKind(Enum):
    _value_: str  # .value is the services' string (strawberry.enum_value only adds a description)
    REMOVE_CONTENT = strawberry.enum_value(
        "remove_content",
        description="Remove the reported post or comment (other open reports about it are resolved too).",
    )
    WARN = strawberry.enum_value("warn", description="Record a warning against the person or organisation responsible.")
    SUSPEND = strawberry.enum_value(
        "suspend", description="City officers: the person responsible may not post or comment for `suspendDays` days."
    )
    DISMISS = strawberry.enum_value("dismiss", description="Nothing to act on.")


@strawberry.type(description="How a report was decided. Who decided is never shown.")
class ModerationOutcome:
    action: ModerationActionKind = strawberry.field(description="What was done.")
    at: datetime = strawberry.field(description="When (UTC).")
    reason: str | None = strawberry.field(description="The moderator's reason (moderators only).")
    until: datetime | None = strawberry.field(description="End of the suspension, for SUSPEND (moderators only).")

    @classmethod
    def of(cls, v: OutcomeView) -> ModerationOutcome:
        return cls(action=ModerationActionKind(v.action), at=v.at, reason=v.reason, until=v.until)


@strawberry.type(
    description="A report about a post, comment, person or organisation. Its reporter sees what they filed and how "
    "it ended; moderators also see the reported content and who is responsible, never who reported it."
)
class Report(relay.Node):
    uuid: relay.NodeID[str]
    status: ReportStatus = strawberry.field(description="Open, resolved or dismissed.")
    reason: str = strawberry.field(description="Why it was reported, in the reporter's words.")
    subject_kind: ReportSubjectKind = strawberry.field(description="What kind of thing is reported.")
    subject_id: strawberry.ID = strawberry.field(
        description="Global id of the reported post, comment, person or organisation."
    )
    created_at: datetime = strawberry.field(description="When it was reported (UTC).")
    outcome: ModerationOutcome | None = strawberry.field(description="How it was decided; null while open.")
    subject_text: str | None = strawberry.field(
        description="Text of the reported post or comment (moderators only).", extensions=[DutyRead()]
    )
    subject_status: str | None = strawberry.field(
        description="State of the reported thing: active, deleted (by its author), removed or closed (moderators only)."
    )
    subject_actor_view: strawberry.Private[PersonView | OrganizationView | None]
    community_id: strawberry.Private[str | None]
    #: A city officer's duty read of the reported content (the access log).
    duty: strawberry.Private[Duty | None] = None

    @strawberry.field(
        description="Who is responsible: the author of the content, or the reported account (moderators only)."
    )
    def responsible(self) -> Actor | None:
        from resolvers.identity import actor_of  # noqa: PLC0415 (the resolvers import the shapes)

        return actor_of(self.subject_actor_view)

    @strawberry.field(description="The community of the reported post or comment, if any (moderators only).")
    async def community(self, info: strawberry.Info) -> Community | None:
        from resolvers.social import community_by_id  # noqa: PLC0415 (the resolvers import the shapes)

        return await community_by_id(info, self.community_id) if self.community_id else None

    @classmethod
    def of(cls, v: ReportView) -> Report:
        return cls(
            uuid=v.id,
            status=ReportStatus(v.status),
            reason=v.reason,
            subject_kind=ReportSubjectKind(v.subject_kind),
            subject_id=strawberry.ID(str(relay.GlobalID(SUBJECT_TYPES[v.subject_kind], v.subject_id))),
            created_at=v.created_at,
            outcome=ModerationOutcome.of(v.outcome) if v.outcome else None,
            subject_text=v.subject_text,
            subject_status=v.subject_status,
            subject_actor_view=v.subject_actor,
            community_id=v.community_id,
            duty=v.duty,
        )


@strawberry.type(description="A page of reports.")
class ReportConnection(CountedConnection[Report]):
    pass


# --- inputs and payloads: one of each per mutation --------------------------------------------------------------


@strawberry.input(description="A report to the moderators.")
class ReportCreateInput:
    subject_id: strawberry.ID = strawberry.field(
        description="Global id of the post, comment, person or organisation reported."
    )
    reason: str = strawberry.field(description="What is wrong (up to 1000 characters).")


@strawberry.type(description="Result of reportCreate.")
class ReportCreatePayload:
    report: Report | None = strawberry.field(default=None, description="The report I filed, as I see it.")
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS)


@strawberry.input(description="A moderator's decision on an open report.")
class ModerationActInput:
    report_id: strawberry.ID = strawberry.field(description="Global id of the open report decided.")
    action: ModerationActionKind = strawberry.field(description="What to do.")
    reason: str = strawberry.field(description="Why (up to 1000 characters); kept with the action.")
    suspend_days: int | None = strawberry.field(default=None, description="SUSPEND only: how many days, 1 to 365.")


@strawberry.type(description="Result of moderationAct.")
class ModerationActPayload:
    report: Report | None = strawberry.field(default=None, description="The decided report, as I see it now.")
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS)
