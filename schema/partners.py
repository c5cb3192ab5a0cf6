"""GraphQL shapes of the partner platform: apps of partner organisations and the grants people give them."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry
from strawberry import relay

from partners.model import AppView, GrantView, ScopePurpose
from schema.identity import Organization


@strawberry.enum(description="Where an app runs.")
class AppEnvironment(Enum):
    _value_: str  # .value is the services' string (strawberry.enum_value only adds a description)
    SANDBOX = strawberry.enum_value(
        "sandbox", description="New apps: their tokens reach only the test personas made for them."
    )
    PRODUCTION = strawberry.enum_value(
        "production", description="Approved by a city officer: real residents may sign in to it."
    )


@strawberry.enum(description="Whether an app may be used.")
class AppStatus(Enum):
    _value_: str  # .value is the services' string (strawberry.enum_value only adds a description)
    ACTIVE = strawberry.enum_value("active", description="Sign-in and tokens work.")
    SUSPENDED = strawberry.enum_value(
        "suspended", description="Suspended by a city officer: no sign-in, and its tokens are refused."
    )


@strawberry.type(description="A scope an app asked for or a person granted, with the app's purpose for it.")
class ScopeGrant:
    name: str = strawberry.field(description="The scope's name, as in the OAuth `scope` parameter (`contact.read`).")
    title: str = strawberry.field(description="What the scope gives, in the caller's language (Accept-Language).")
    purpose: str = strawberry.field(description="Why the app asks for it, in the caller's language.")

    @classmethod
    def of(cls, scope: ScopePurpose, language: str) -> ScopeGrant:
        vi = language == "vi"
        return cls(
            name=scope.name,
            title=scope.title_vi if vi else scope.title_en,
            purpose=scope.purpose_vi if vi else scope.purpose_en,
        )


@strawberry.type(description='An app a partner organisation runs on HanoiSmart ("Sign in with HanoiSmart").')
class App(relay.Node):
    uuid: relay.NodeID[str]
    name: str = strawberry.field(description="The app's name, shown on the consent page.")
    description: str = strawberry.field(description="What the app does, shown on the consent page.")
    homepage_url: str = strawberry.field(description="The app's home page.")
    privacy_policy_url: str = strawberry.field(description="The app's privacy policy.")
    logo_url: str | None = strawberry.field(description="The app's logo (https), if it has one.")
    environment: AppEnvironment = strawberry.field(description="Sandbox (test personas only) or production.")
    status: AppStatus = strawberry.field(description="Active or suspended.")
    created_at: datetime = strawberry.field(description="When the app was created (UTC).")
    approved_at: datetime | None = strawberry.field(description="When an officer approved it for production (UTC).")
    partner_id: strawberry.Private[str]

    @strawberry.field(description="The partner organisation that runs the app.")
    async def partner(self, info: strawberry.Info) -> Organization | None:
        from resolvers.social import actor  # noqa: PLC0415 (the resolvers import the shapes)

        found = await actor(info, self.partner_id)
        return found if isinstance(found, Organization) else None

    @classmethod
    def of(cls, view: AppView) -> App:
        return cls(
            uuid=view.id,
            name=view.name,
            description=view.description,
            homepage_url=view.homepage_url,
            privacy_policy_url=view.privacy_policy_url,
            logo_url=view.logo_url,
            environment=AppEnvironment(view.environment),
            status=AppStatus(view.status),
            created_at=view.created_at,
            approved_at=view.approved_at,
            partner_id=view.partner_id,
        )


@strawberry.type(description="My consent to an app: what it may read or do for me, and until when.")
class Grant(relay.Node):
    uuid: relay.NodeID[str]
    app: App = strawberry.field(description="The app I gave it to.")
    scopes: list[ScopeGrant] = strawberry.field(description="What I granted, with the purpose the app gave.")
    created_at: datetime = strawberry.field(description="When I first consented (UTC).")
    expires_at: datetime = strawberry.field(description="When the consent ends unless I renew it (UTC).")
    revoked_at: datetime | None = strawberry.field(description="When it was revoked (UTC), if it was.")

    @classmethod
    def of(cls, view: GrantView, language: str) -> Grant:
        return cls(
            uuid=view.id,
            app=App.of(view.app),
            scopes=[ScopeGrant.of(s, language) for s in view.scopes],
            created_at=view.created_at,
            expires_at=view.expires_at,
            revoked_at=view.revoked_at,
        )
