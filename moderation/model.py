"""Plain dataclasses and vocabularies of moderation, and the check of a reason. Views carry only what their viewer
may see."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from core.text import checked_text
from identity.model import OrganizationView, PersonView
from partners.reads import Duty

SUBJECT_KINDS = ("post", "comment", "person", "organization")
#: The GraphQL type of each kind of subject (global ids, notifications).
SUBJECT_TYPES = {"post": "Post", "comment": "Comment", "person": "Person", "organization": "Organization"}
CONTENT_KINDS = ("post", "comment")
REPORT_STATUSES = ("open", "resolved", "dismissed")
ACTIONS = ("remove_content", "warn", "suspend", "dismiss")
#: What a community's moderators and admins may do, within their community's posts and comments; the rest
#: (suspending an account) is for city officers (``moderation.account.suspend``).
COMMUNITY_ACTIONS = ("remove_content", "warn", "dismiss")
MAX_REASON_LENGTH = 1000
SUSPENSION_DAYS = (1, 365)


def check_reason(reason: str, field: str) -> str:
    """The reason of a report or an action, trimmed: required, at most ``MAX_REASON_LENGTH`` characters."""
    return (
        checked_text(reason, field=field, max_length=MAX_REASON_LENGTH, required=True, empty="Say why, in a few words.")
        or ""
    )


@dataclass(frozen=True)
class OutcomeView:
    """How a report was decided. ``reason`` and ``until`` are for moderators only; nobody but the
    platform itself knows which moderator decided."""

    action: str
    at: datetime
    reason: str | None = None
    until: datetime | None = None


@dataclass(frozen=True)
class ReportView:
    """A report as one viewer may see it: its reporter sees what they filed and how it ended;
    moderators also see the reported content and who is responsible for it (never the reporter)."""

    id: str
    status: str
    reason: str
    subject_kind: str
    subject_id: str
    created_at: datetime
    outcome: OutcomeView | None
    for_moderator: bool
    subject_text: str | None = None
    subject_status: str | None = None
    subject_actor: PersonView | OrganizationView | None = None
    community_id: str | None = None
    post_id: str | None = None  # the post of a reported comment
    #: Set when a city officer reads the reported content on duty: its author's text is logged for them.
    duty: Duty | None = None
