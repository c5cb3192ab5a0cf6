"""Plain views of the partner platform, handed from the services to the GraphQL layer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


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
