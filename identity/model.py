"""Plain dataclasses of the identity domain. Views carry only what their viewer may see."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TypedDict

from partners.reads import Duty
from places.model import Commune

PERSON_ROLES = ("resident", "tourist", "investor")  # self-chosen
GRANTED_ROLES = ("officer", "administrator")  # granted, never self-chosen
ORGANIZATION_KINDS = ("business", "partner", "agency")
REPRESENTATIVE_ROLES = ("owner", "admin", "member")
CLOSED_NAME = "Tài khoản đã đóng"


@dataclass(frozen=True)
class PersonView:
    """A person as one viewer may see them; hidden fields are None."""

    id: str
    display_name: str
    roles: tuple[str, ...]
    assurance_level: int
    created_at: datetime
    status: str
    is_self: bool
    date_of_birth: date | None = None
    sex: str | None = None
    phone: str | None = None
    phone_verified: bool | None = None  # whether the phone shown was proven by a code (None when it is hidden)
    email: str | None = None
    email_verified: bool | None = None
    ward: Commune | None = None
    investor_sectors: tuple[str, ...] | None = None
    document_kind: str | None = None  # only for the person themself
    document_last4: str | None = None
    audiences: dict[str, str] | None = None  # only for the person themself


class ContactView(TypedDict):
    """One of my phones or e-mails, as the API shows it to me (keyed by its GraphQL field names)."""

    id: str
    kind: str
    value: str
    verifiedAt: datetime | None


@dataclass(frozen=True)
class OrganizationView:
    id: str
    display_name: str
    kind: str
    sector: str | None
    tax_code_last4: str | None
    assurance_level: int
    created_at: datetime
    status: str
    viewer_role: str | None = None  # the viewer's representative role, if any


@dataclass(frozen=True)
class Representative:
    person: PersonView
    organization_id: str
    role: str
    since: datetime


class RepresentationChangeView(TypedDict):
    """A recorded grant or revocation, with who made it (``by``) and whose role it changed (``of``), as the
    organisation's owners and admins may see them (None: hidden from the viewer)."""

    id: str
    action: str
    role: str
    at: datetime
    reason: str | None
    by: PersonView | None
    of: PersonView | None


@dataclass(frozen=True)
class RepresentativeInvitationView:
    """An owner's pending invitation for a person to represent an organisation; it grants nothing until accepted."""

    organization: OrganizationView
    person: PersonView
    role: str
    invited_by: PersonView | None
    created_at: datetime


@dataclass(frozen=True)
class VerificationRequestView:
    id: str
    status: str
    created_at: datetime
    decided_at: datetime | None
    reason: str | None
    note: str | None  # the applicant's note for the officer
    decided_by_name: str | None
    # What the officer needs to check the document; only officers and the person get these.
    applicant: PersonView | None
    applicant_full_name: str | None = None
    applicant_date_of_birth: date | None = None
    applicant_sex: str | None = None
    document_kind: str | None = None
    document_last4: str | None = None
    #: Set when the viewer sees the applicant's details on duty (an officer): their reads are logged.
    duty: Duty | None = None


@dataclass(frozen=True)
class SessionView:
    id: str
    user_agent: str | None
    created_at: datetime
    last_used_at: datetime
    current: bool


@dataclass(frozen=True)
class IssuedTokens:
    access_token: str
    access_token_expires_at: datetime
    refresh_token: str
    session_id: str


@dataclass
class Outgoing:
    """Messages to send after the transaction commits (DESIGN.md: no network call inside it)."""

    messages: list[tuple[str, str, str]] = field(default_factory=list)  # (channel, destination, text)
