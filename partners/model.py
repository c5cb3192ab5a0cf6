"""Plain views of the partner platform, handed from the services to the GraphQL layer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True)
class ScopePurpose:
    """A scope as an app asked for it (or a person granted it): the catalogue's title and the app's purpose."""

    name: str
    title_vi: str
    title_en: str
    purpose_vi: str
    purpose_en: str


@dataclass(frozen=True)
class AppView:
    """What anyone may know of an app: shown on the consent page, in a person's grants and access log."""

    id: str
    name: str
    description: str
    homepage_url: str
    privacy_policy_url: str
    logo_url: str | None
    environment: str  # sandbox | production
    status: str  # active | suspended
    partner_id: str  # the owning organisation (kind partner)
    created_at: datetime
    approved_at: datetime | None
    #: Runs registered operations only (``partners.operations``).
    persisted_only: bool = False


@dataclass(frozen=True)
class GrantView:
    """A person's consent to an app: the scopes with the purposes they were shown, and its lifetime."""

    id: str
    person_id: str
    app: AppView
    scopes: tuple[ScopePurpose, ...]
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None


@dataclass(frozen=True)
class SecretView:
    """A client secret as its partner sees it afterwards: its last 4 characters and its lifetime."""

    last4: str
    created_at: datetime
    expires_at: datetime | None  # None: the current secret


@dataclass(frozen=True)
class ClientView:
    """An app's OAuth client, for its partner's representatives and city officers."""

    client_id: str
    kind: str  # confidential | public
    redirect_uris: tuple[str, ...]
    allowed_origins: tuple[str, ...]
    secrets: tuple[SecretView, ...]  # the current one and rotated ones still valid, newest first


@dataclass(frozen=True)
class ManagedAppView:
    """An app with what the viewer may know beyond the public view: the client (representatives and officers
    only), the scopes it asks for with their purposes (public: the consent page shows them), and whether the viewer
    manages the app (owner or admin of its partner), which opens its test personas."""

    app: AppView
    requested_scopes: tuple[ScopePurpose, ...]
    client: ClientView | None
    manages: bool


@dataclass(frozen=True)
class PersonaView:
    """A test persona of a sandbox app, for the app's representatives."""

    id: str  # the Person's id
    display_name: str
    date_of_birth: date
    ward_code: str | None
    verification_level: int
    sign_in_identifier: str
    created_at: datetime
