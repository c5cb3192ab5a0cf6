"""GraphQL shapes of the partner platform: apps of partner organisations and the grants people give them."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry import relay

from partners.model import AppView, ClientView, GrantView, ManagedAppView, PersonaView, ScopePurpose, SecretView
from schema.common import AFTER, BEFORE, FIRST, LAST, CountedConnection, UserError
from schema.identity import Organization, Sex

if TYPE_CHECKING:
    from schema.webhooks import WebhookSubscriptionConnection


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
    #: What the viewer may know beyond the public view, when the service read it (else loaded on demand).
    managed: strawberry.Private[ManagedAppView | None] = None

    async def _managed(self, info: strawberry.Info) -> ManagedAppView | None:
        if self.managed is None:
            from resolvers.partners import managed_app  # noqa: PLC0415 (the resolvers import the shapes)

            self.managed = await managed_app(info, self.uuid)
        return self.managed

    @strawberry.field(
        description="Its OAuth client: for the partner's owners and admins and for city officers (null for others)."
    )
    async def client(self, info: strawberry.Info) -> OAuthClient | None:
        managed = await self._managed(info)
        return OAuthClient.of(managed.client) if managed and managed.client else None

    @strawberry.field(
        description="The scopes the app asks for, each with its purpose (public: the consent page shows them)."
    )
    async def requested_scopes(self, info: strawberry.Info) -> list[ScopeGrant]:
        from resolvers.common import language  # noqa: PLC0415 (the resolvers import the shapes)

        managed = await self._managed(info)
        return [ScopeGrant.of(s, language(info)) for s in managed.requested_scopes] if managed else []

    @strawberry.field(
        description="Its test personas, newest first: for the partner's owners and admins (null for others)."
    )
    async def personas(
        self, info: strawberry.Info, first: FIRST = None, after: AFTER = None, last: LAST = None, before: BEFORE = None
    ) -> AppPersonaConnection | None:
        from resolvers.partners import app_personas  # noqa: PLC0415 (the resolvers import the shapes)

        managed = await self._managed(info)
        return await app_personas(info, self.uuid, bool(managed and managed.manages), first, after, last, before)

    @strawberry.field(
        description="Its webhook subscriptions, newest first: for the partner's owners and admins and for city "
        "officers (null for others)."
    )
    async def webhook_subscriptions(
        self, info: strawberry.Info, first: FIRST = None, after: AFTER = None, last: LAST = None, before: BEFORE = None
    ) -> Annotated[WebhookSubscriptionConnection, strawberry.lazy("schema.webhooks")] | None:
        from resolvers.webhooks import app_subscriptions  # noqa: PLC0415 (the resolvers import the shapes)

        return await app_subscriptions(info, self.uuid, first, after, last, before)

    @strawberry.field(description="The partner organisation that runs the app.")
    async def partner(self, info: strawberry.Info) -> Organization | None:
        from resolvers.social import actor  # noqa: PLC0415 (the resolvers import the shapes)

        found = await actor(info, self.partner_id)
        return found if isinstance(found, Organization) else None

    @classmethod
    def of(cls, view: AppView | ManagedAppView) -> App:
        managed = view if isinstance(view, ManagedAppView) else None
        view = view.app if isinstance(view, ManagedAppView) else view
        return cls(
            managed=managed,
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


@strawberry.enum(description="The kind of an app's OAuth client.")
class ClientKind(Enum):
    _value_: str  # .value is the services' string (strawberry.enum_value only adds a description)
    CONFIDENTIAL = strawberry.enum_value(
        "confidential", description="A server that keeps a client secret (client_secret_basic or client_secret_post)."
    )
    PUBLIC = strawberry.enum_value(
        "public", description="A browser or mobile app that cannot keep a secret: PKCE only, allowed origins for CORS."
    )


@strawberry.type(description="A client secret as its partner sees it after creation: its last 4 characters only.")
class ClientSecret:
    last4: str = strawberry.field(description="The secret's last 4 characters, to tell secrets apart.")
    created_at: datetime = strawberry.field(description="When it was made (UTC).")
    expires_at: datetime | None = strawberry.field(
        description="Null for the current secret; for a rotated one, when it stops working (UTC)."
    )

    @classmethod
    def of(cls, v: SecretView) -> ClientSecret:
        return cls(last4=v.last4, created_at=v.created_at, expires_at=v.expires_at)


@strawberry.type(description="An app's OAuth 2.1 client.")
class OAuthClient:
    client_id: str = strawberry.field(description="The `client_id` of OAuth requests (`hsc_...`).")
    kind: ClientKind = strawberry.field(description="Confidential (server) or public (browser, mobile).")
    redirect_uris: list[str] = strawberry.field(description="The exact redirect URIs sign-in may return to.")
    allowed_origins: list[str] = strawberry.field(
        description="Browser origins allowed to call the API cross-origin (public clients only)."
    )
    secrets: list[ClientSecret] = strawberry.field(
        description="The current secret and rotated ones still valid, newest first (confidential clients)."
    )

    @classmethod
    def of(cls, v: ClientView) -> OAuthClient:
        return cls(
            client_id=v.client_id,
            kind=ClientKind(v.kind),
            redirect_uris=list(v.redirect_uris),
            allowed_origins=list(v.allowed_origins),
            secrets=[ClientSecret.of(s) for s in v.secrets],
        )


@strawberry.type(description="A made-up person a sandbox app signs in and reads while it is built and tested.")
class AppPersona:
    person_id: strawberry.ID = strawberry.field(description="Global id of the persona as a `Person`.")
    display_name: str = strawberry.field(description="The persona's name.")
    date_of_birth: date = strawberry.field(description="The persona's date of birth.")
    ward_code: str | None = strawberry.field(description="The code of the ward or commune it lives in, if any.")
    verification_level: int = strawberry.field(description="Its verification level (0, 1 or 2).")
    sign_in_identifier: str = strawberry.field(
        description="What it signs in with on the app's sign-in page (`persona-<n>@<app>.sandbox.invalid`); it never "
        "signs in with sessionLogin."
    )
    created_at: datetime = strawberry.field(description="When it was made (UTC).")

    @classmethod
    def of(cls, v: PersonaView) -> AppPersona:
        return cls(
            person_id=strawberry.ID(str(relay.GlobalID("Person", v.id))),
            display_name=v.display_name,
            date_of_birth=v.date_of_birth,
            ward_code=v.ward_code,
            verification_level=v.verification_level,
            sign_in_identifier=v.sign_in_identifier,
            created_at=v.created_at,
        )


@strawberry.type(description="A page of an app's test personas, newest first.")
class AppPersonaConnection(CountedConnection[AppPersona]):  # type: ignore[type-var]  # not nodes: see NodeType
    pass


@strawberry.type(description="A page of apps.")
class AppConnection(CountedConnection[App]):
    pass


@strawberry.type(description="A page of my grants to apps, newest first.")
class GrantConnection(CountedConnection[Grant]):
    pass


# --- inputs -------------------------------------------------------------------------------------------------------


@strawberry.input(
    description="A scope an app asks for, and why, in Vietnamese and English (shown on the consent page)."
)
class ScopeRequestInput:
    scope: str = strawberry.field(description="The scope's name (`contact.read`); see docs/partners.md.")
    purpose_vi: str = strawberry.field(description="Why the app needs it, in Vietnamese (at most 300 characters).")
    purpose_en: str = strawberry.field(description="Why the app needs it, in English (at most 300 characters).")


@strawberry.input(description="A new app of a partner organisation I own or administer; it starts in the sandbox.")
class AppCreateInput:
    organization_id: strawberry.ID = strawberry.field(description="Global id of the partner organisation.")
    name: str = strawberry.field(description="The app's name (at most 80 characters).")
    description: str = strawberry.field(description="What the app does (at most 1000 characters).")
    homepage_url: str = strawberry.field(description="The app's home page (https).")
    privacy_policy_url: str = strawberry.field(description="The app's privacy policy (https).")
    logo_url: str | None = strawberry.field(default=None, description="The app's logo (https).")
    client_kind: ClientKind = strawberry.field(description="CONFIDENTIAL (a server) or PUBLIC (browser, mobile).")
    redirect_uris: list[str] = strawberry.field(
        description="Exact redirect URIs (at most 10): https without a #fragment; for a sandbox app also "
        "http://127.0.0.1:<port>/... or http://[::1]:<port>/... (RFC 8252)."
    )
    scopes: list[ScopeRequestInput] = strawberry.field(
        description="The scopes it asks for, each with its purpose; app scopes (client credentials) for "
        "confidential clients only."
    )
    allowed_origins: list[str] = strawberry.field(
        default_factory=list,
        description="Public clients only: browser origins (https://host[:port]) that may call the API (at most 10).",
    )


@strawberry.input(description="Changes to my partner's app; fields left out stay as they are.")
class AppUpdateInput:
    app_id: strawberry.ID = strawberry.field(description="Global id of the app.")
    name: str | None = strawberry.field(default=strawberry.UNSET, description="The app's name.")
    description: str | None = strawberry.field(default=strawberry.UNSET, description="What the app does.")
    homepage_url: str | None = strawberry.field(default=strawberry.UNSET, description="Home page (https).")
    privacy_policy_url: str | None = strawberry.field(default=strawberry.UNSET, description="Privacy policy (https).")
    logo_url: str | None = strawberry.field(default=strawberry.UNSET, description="Logo (https); null removes it.")
    redirect_uris: list[str] | None = strawberry.field(
        default=strawberry.UNSET, description="The exact redirect URIs, all of them (replaces the list)."
    )
    scopes: list[ScopeRequestInput] | None = strawberry.field(
        default=strawberry.UNSET, description="The scopes it asks for, all of them, with purposes (replaces the list)."
    )
    allowed_origins: list[str] | None = strawberry.field(
        default=strawberry.UNSET, description="Public clients: the allowed browser origins, all of them."
    )


@strawberry.input(description="The app whose client secret to rotate.")
class ClientSecretRotateInput:
    app_id: strawberry.ID = strawberry.field(description="Global id of the app (a confidential client).")


@strawberry.input(description="The sandbox app an officer approves for production.")
class AppApproveInput:
    app_id: strawberry.ID = strawberry.field(description="Global id of the app.")


@strawberry.input(description="The app an officer suspends, and why.")
class AppSuspendInput:
    app_id: strawberry.ID = strawberry.field(description="Global id of the app.")
    reason: str = strawberry.field(description="Why (at most 1000 characters; kept with the app).")


@strawberry.input(description="The suspended app an officer reinstates.")
class AppReinstateInput:
    app_id: strawberry.ID = strawberry.field(description="Global id of the app.")


@strawberry.input(description="A test persona for my partner's sandbox app.")
class AppPersonaCreateInput:
    app_id: strawberry.ID = strawberry.field(description="Global id of the sandbox app.")
    display_name: str = strawberry.field(description="The persona's name.")
    date_of_birth: date = strawberry.field(description="Its date of birth (1900-01-01 to today).")
    ward_code: str | None = strawberry.field(default=None, description="The ward or commune it lives in (a code).")
    verification_level: int = strawberry.field(default=0, description="Its verification level: 0, 1 or 2.")
    sex: Sex | None = strawberry.field(default=None, description="Its sex, if the app needs one.")


@strawberry.input(description="The grant I revoke.")
class GrantRevokeInput:
    grant_id: strawberry.ID = strawberry.field(description="Global id of one of my grants.")


# --- payloads -----------------------------------------------------------------------------------------------------

ERRORS = "Mistakes in the input to fix (empty on success): code, field and message."


@strawberry.type(description="Result of appCreate.")
class AppCreatePayload:
    app: App | None = strawberry.field(default=None, description="The new app (in the sandbox).")
    client_id: str | None = strawberry.field(default=None, description="Its OAuth `client_id`.")
    client_secret: str | None = strawberry.field(
        default=None,
        description="A confidential client's secret, shown this once: store it now (afterwards only its last 4 "
        "characters are shown). Null for a public client.",
    )
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS)


@strawberry.type(description="Result of appUpdate.")
class AppUpdatePayload:
    app: App | None = strawberry.field(default=None, description="The app as it is now.")
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS)


@strawberry.type(description="Result of clientSecretRotate.")
class ClientSecretRotatePayload:
    app: App | None = strawberry.field(default=None, description="The app.")
    client_secret: str | None = strawberry.field(
        default=None, description="The new secret, shown this once: store it now."
    )
    previous_secret_expires_at: datetime | None = strawberry.field(
        default=None, description="When the previous secret stops working (UTC): roll the new one out before then."
    )
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS)


@strawberry.type(description="Result of appApprove.")
class AppApprovePayload:
    app: App | None = strawberry.field(default=None, description="The app, now in production.")
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS)


@strawberry.type(description="Result of appSuspend.")
class AppSuspendPayload:
    app: App | None = strawberry.field(default=None, description="The app, now suspended.")
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS)


@strawberry.type(description="Result of appReinstate.")
class AppReinstatePayload:
    app: App | None = strawberry.field(default=None, description="The app, active again.")
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS)


@strawberry.type(description="Result of appPersonaCreate.")
class AppPersonaCreatePayload:
    persona: AppPersona | None = strawberry.field(default=None, description="The new test persona.")
    password: str | None = strawberry.field(
        default=None, description="Its password, shown this once (it signs in on the app's sign-in page only)."
    )
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS)


@strawberry.type(description="Result of grantRevoke.")
class GrantRevokePayload:
    grant: Grant | None = strawberry.field(default=None, description="The grant, now revoked.")
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS)
