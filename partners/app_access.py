"""The viewer of a partner app's access token at ``/graphql`` (BRIEF-13, "The app access token and the app viewer").

``api.graphql_view.GraphQLView._viewer`` hands every token whose header says ``typ: at+jwt`` here. The token is
verified (signature, ``iss`` = ``settings.oauth_issuer``, audience, lifetime), then ONE read checks that what it
stands for still holds: for a person's token the grant is live (not revoked, not expired, ``tokensNotBefore <=
iat``), the app active, the token's client the app's and the person active; for a client-credentials token (no
``gid``) the client's app active. Revoking a grant, suspending an app or closing an account therefore bites on the
very next request. Anything wrong is one 401 UNAUTHENTICATED that says the app's access was revoked or expired.

The viewer: ``kind="partner_app"``; ``actor_id`` the grant's person (None for client credentials); ``scopes`` the
token's scopes that the grant still holds (client credentials: the app's own app scopes); the person's current
level, never their city roles (an app does not act as an officer).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from auth import app_tokens
from auth.tokens import InvalidTokenError
from auth.viewer import Viewer
from core.errors import UnauthenticatedError
from core.runtime import Runtime
from graph import app_access as queries
from graph.app_access import AppMap
from partners.model import AppView, ScopePurpose
from partners.scopes import APP_SCOPES, CATALOGUE

ACCESS_ENDED = (
    "This app's access to HanoiSmart was revoked or has expired (or the app is suspended); "
    "the app must ask you to sign in with HanoiSmart again."
)


async def viewer_from_app_token(rt: Runtime, token: str) -> Viewer:
    """The ``partner_app`` viewer of an app access token; UNAUTHENTICATED when it no longer holds."""
    try:
        claims = app_tokens.verify(rt.keyring, token, issuer=rt.settings.oauth_issuer)
    except InvalidTokenError:
        raise UnauthenticatedError(ACCESS_ENDED) from None
    if claims.grant_id is None:
        app = await rt.graph.read(queries.client_app, claims.client_id)
        if app is None:
            raise UnauthenticatedError(ACCESS_ENDED)
        return Viewer(
            kind="partner_app",
            scopes=frozenset(claims.scopes & set(app.scopes) & APP_SCOPES),
            app_id=app.app_id,
            client_id=claims.client_id,
            sandbox=app.sandbox,
            persisted_only=app.persisted_only,
        )
    issued_at = int(claims.issued_at.timestamp())
    found = await rt.graph.read(queries.grant_viewer, claims.grant_id, claims.client_id, issued_at)
    if found is None:
        raise UnauthenticatedError(ACCESS_ENDED)
    return Viewer(
        kind="partner_app",
        actor_id=found.person_id,
        assurance_level=found.assurance_level,
        scopes=frozenset(claims.scopes & set(found.scopes or ())),
        app_id=found.app_id,
        client_id=claims.client_id,
        grant_id=claims.grant_id,
        sandbox=found.sandbox,
        persisted_only=found.persisted_only,
    )


# --- what an app holds ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AppAuthorizationView:
    """What an app's token holds: the app, the scopes it may use now (with the purposes the person was shown), the
    grant's expiry (None for the app's own client-credentials token) and whether the app is in its sandbox."""

    app: AppView
    scopes: tuple[ScopePurpose, ...]
    expires_at: datetime | None
    sandbox: bool


def app_view(found: AppMap) -> AppView:
    approved = found["approvedAt"]
    return AppView(
        id=found["id"],
        name=found["name"],
        description=found["description"],
        homepage_url=found["homepageUrl"],
        privacy_policy_url=found["privacyPolicyUrl"],
        logo_url=found["logoUrl"],
        environment=found["environment"],
        status=found["status"],
        partner_id=found["partnerId"],
        created_at=found["createdAt"].to_native(),
        approved_at=approved.to_native() if approved is not None else None,
    )


def _purposes(text: str | None) -> dict[str, dict[str, str]]:
    try:
        parsed = json.loads(text or "{}")
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


async def authorization(rt: Runtime, viewer: Viewer) -> AppAuthorizationView | None:
    """For an app's token: what it holds ("scopes in the viewer"); None for anyone else."""
    if not viewer.is_app or viewer.app_id is None:
        return None
    found = await rt.graph.read(queries.authorization, viewer.app_id, viewer.grant_id)
    if found is None:
        return None
    purposes = _purposes(found.purposes)
    scopes = tuple(
        ScopePurpose(
            name=scope.name,
            title_vi=scope.title_vi,
            title_en=scope.title_en,
            purpose_vi=str(purposes.get(scope.name, {}).get("vi", "")),
            purpose_en=str(purposes.get(scope.name, {}).get("en", "")),
        )
        for scope in CATALOGUE
        if scope.name in viewer.scopes
    )
    expires = found.expires_at.to_native() if found.expires_at is not None else None
    return AppAuthorizationView(app=app_view(found.app), scopes=scopes, expires_at=expires, sandbox=viewer.sandbox)
