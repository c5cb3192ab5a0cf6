"""GraphQL shape of what a partner app's token holds (``appAuthorization``: "scopes in the viewer")."""

from __future__ import annotations

from datetime import datetime

import strawberry

from partners.app_access import AppAuthorizationView
from schema.partners import App, ScopeGrant


@strawberry.type(description="What the calling app's token holds: the app, the scopes it may use, until when.")
class AppAuthorization:
    app: App = strawberry.field(description="The app the token was issued to.")
    scopes: list[ScopeGrant] = strawberry.field(
        description="The scopes this token may use (those it was issued with that the person's grant still holds), "
        "with the purpose the person was shown."
    )
    expires_at: datetime | None = strawberry.field(
        description="When the person's grant ends unless they renew it (UTC); null for the app's own "
        "(client-credentials) token, which acts for no person."
    )
    sandbox: bool = strawberry.field(
        description="True while the app is in its sandbox: its tokens see only the test personas made for it."
    )

    @classmethod
    def of(cls, view: AppAuthorizationView, language: str) -> AppAuthorization:
        return cls(
            app=App.of(view.app),
            scopes=[ScopeGrant.of(s, language) for s in view.scopes],
            expires_at=view.expires_at,
            sandbox=view.sandbox,
        )
