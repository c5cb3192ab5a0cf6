"""Apps and grants as a viewer may see them: what anyone may know of an app (public: the consent page shows it),
and its client only for the partner's owners and admins and for city officers."""

from __future__ import annotations

import json
from typing import Any

from auth.permissions import Representation, holds
from auth.viewer import Viewer
from graph.driver import native
from graph.partners import AppRow, GrantRow
from partners import scopes as catalogue
from partners.model import AppView, ClientView, GrantView, ManagedAppView, ScopePurpose, SecretView


def scope_purposes(names: list[str], purposes: str | None) -> tuple[ScopePurpose, ...]:
    """The scopes ``names`` with the purposes stored with them (JSON ``{scope: {"vi": ..., "en": ...}}``), in order;
    a scope no longer in the catalogue is left out."""
    given: dict[str, dict[str, str]] = json.loads(purposes) if purposes else {}
    found = []
    for name in names:
        scope = catalogue.BY_NAME.get(name)
        if scope is None:
            continue
        purpose = given.get(name, {})
        found.append(ScopePurpose(name, scope.title_vi, scope.title_en, purpose.get("vi", ""), purpose.get("en", "")))
    return tuple(found)


def app_view(app: dict[str, Any], partner_id: str) -> AppView:
    """What anyone may know of an app, from its stored properties."""
    return AppView(
        id=app["id"],
        name=app["name"],
        description=app["description"],
        homepage_url=app["homepageUrl"],
        privacy_policy_url=app["privacyPolicyUrl"],
        logo_url=app.get("logoUrl"),
        environment=app["environment"],
        status=app["status"],
        partner_id=partner_id,
        created_at=native(app["createdAt"]),
        approved_at=native(app.get("approvedAt")),
        persisted_only=bool(app.get("persistedOnly")),
    )


def manages(viewer: Viewer, found: AppRow | GrantRow) -> bool:
    """The viewer owns or administers the app's partner (acts for it)."""
    representation = Representation(
        found.partner_id, role=found.viewer_role, active=(found.partner_status or "active") == "active"
    )
    return holds(viewer, "partners.app.read_private", on=representation)


def client_view(client: dict[str, Any]) -> ClientView:
    secrets = sorted(client.get("secrets") or [], key=lambda s: native(s["createdAt"]), reverse=True)
    return ClientView(
        client_id=client["clientId"],
        kind=client["kind"],
        redirect_uris=tuple(client.get("redirectUris") or ()),
        allowed_origins=tuple(client.get("allowedOrigins") or ()),
        secrets=tuple(
            SecretView(last4=s["last4"], created_at=native(s["createdAt"]), expires_at=native(s.get("expiresAt")))
            for s in secrets
        ),
    )


def managed_app_view(viewer: Viewer, found: AppRow) -> ManagedAppView:
    """The app as ``viewer`` may see it: its client for the partner's owners and admins and for city officers."""
    manager = manages(viewer, found)
    shows_client = manager or holds(viewer, "partners.app.review")
    return ManagedAppView(
        app=app_view(found.app, found.partner_id),
        requested_scopes=scope_purposes(found.app.get("scopes") or [], found.app.get("purposes")),
        client=client_view(found.client) if shows_client and found.client else None,
        manages=manager,
    )


def grant_view(found: GrantRow) -> GrantView:
    grant = found.grant
    return GrantView(
        id=grant["id"],
        person_id=grant["personId"],
        app=app_view(found.app, found.partner_id),
        scopes=scope_purposes(grant.get("scopes") or [], grant.get("purposes")),
        created_at=native(grant["createdAt"]),
        expires_at=native(grant["expiresAt"]),
        revoked_at=native(grant.get("revokedAt")),
    )
