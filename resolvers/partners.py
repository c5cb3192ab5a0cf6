"""Resolvers of the partner platform's apps and grants: thin glue from fields to partners/ services."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry
from strawberry.dataloader import DataLoader

from core.errors import Problems
from core.pagination import PageRequest
from partners import apps as partner_apps
from partners import grants as partner_grants
from partners import personas as partner_personas
from partners.apps import AppInput, ScopeRequest
from partners.model import ManagedAppView
from resolvers.common import decode_input_id, language, mutate, runtime, viewer
from schema.common import AFTER, BEFORE, FIRST, LAST
from schema.partners import (
    App,
    AppApproveInput,
    AppApprovePayload,
    AppConnection,
    AppCreateInput,
    AppCreatePayload,
    AppPersona,
    AppPersonaConnection,
    AppPersonaCreateInput,
    AppPersonaCreatePayload,
    AppReinstateInput,
    AppReinstatePayload,
    AppSuspendInput,
    AppSuspendPayload,
    AppUpdateInput,
    AppUpdatePayload,
    ClientSecretRotateInput,
    ClientSecretRotatePayload,
    Grant,
    GrantConnection,
    GrantRevokeInput,
    GrantRevokePayload,
    ScopeRequestInput,
)

# --- nodes and nested fields ------------------------------------------------------------------------------------


async def apps_by_ids(info: strawberry.Info, ids: list[str]) -> list[App | None]:
    """``App`` nodes: public (the consent page shows them); the client only for the partner and officers."""
    views = await partner_apps.apps_by_ids(runtime(info), viewer(info), ids)
    return [App.of(v) if v else None for v in views]


async def grants_by_ids(info: strawberry.Info, ids: list[str]) -> list[Grant | None]:
    """``Grant`` nodes: only the person who gave them sees them."""
    views = await partner_grants.grants_by_ids(runtime(info), viewer(info), ids)
    return [Grant.of(v, language(info)) if v else None for v in views]


def _apps_loader(context) -> DataLoader:
    async def load(ids: list[str]) -> list[ManagedAppView | None]:
        return await partner_apps.apps_by_ids(context.runtime, context.viewer, ids)

    return DataLoader(load_fn=load)


async def managed_app(info: strawberry.Info, app_id: str) -> ManagedAppView | None:
    """The app as the viewer may see it, batched per request (an app reached through a grant)."""
    loaded: ManagedAppView | None = await info.context.loader("ManagedAppLoader", _apps_loader).load(app_id)
    return loaded


async def app_personas(
    info: strawberry.Info,
    app_id: str,
    manages: bool,
    first: int | None,
    after: str | None,
    last: int | None = None,
    before: str | None = None,
) -> AppPersonaConnection | None:
    page = await partner_personas.personas_of_app(
        runtime(info),
        viewer(info),
        app_id,
        manages,
        PageRequest.from_args(first=first, after=after, last=last, before=before),
    )
    return AppPersonaConnection.from_page(page, AppPersona.of) if page is not None else None


async def organization_apps(
    info: strawberry.Info,
    org_id: str,
    first: int | None,
    after: str | None,
    last: int | None = None,
    before: str | None = None,
) -> AppConnection | None:
    page = await partner_apps.apps_of_organization(
        runtime(info), viewer(info), org_id, PageRequest.from_args(first=first, after=after, last=last, before=before)
    )
    return AppConnection.from_page(page, App.of) if page is not None else None


# --- root queries -------------------------------------------------------------------------------------------------


async def my_grants(
    info: strawberry.Info,
    first: FIRST = None,
    after: AFTER = None,
    last: LAST = None,
    before: BEFORE = None,
    include_revoked: Annotated[
        bool, strawberry.argument(description="Also list the grants revoked (by me, or when they were refused).")
    ] = False,
) -> GrantConnection:
    page = await partner_grants.my_grants(
        runtime(info),
        viewer(info),
        PageRequest.from_args(first=first, after=after, last=last, before=before),
        include_revoked,
    )
    lang = language(info)
    return GrantConnection.from_page(page, lambda v: Grant.of(v, lang))


async def apps_for_review(
    info: strawberry.Info, first: FIRST = None, after: AFTER = None, last: LAST = None, before: BEFORE = None
) -> AppConnection:
    page = await partner_apps.apps_for_review(
        runtime(info), viewer(info), PageRequest.from_args(first=first, after=after, last=last, before=before)
    )
    return AppConnection.from_page(page, App.of)


# --- mutations ----------------------------------------------------------------------------------------------------


def _scopes(given: list[ScopeRequestInput]) -> list[ScopeRequest]:
    return [ScopeRequest(s.scope, s.purpose_vi, s.purpose_en) for s in given]


async def app_create(
    info: strawberry.Info,
    input: Annotated[AppCreateInput, strawberry.argument(description="The partner, the app and its client.")],
) -> AppCreatePayload | None:
    async def work() -> dict[str, Any]:
        problems = Problems()
        organization_id = decode_input_id(problems, input.organization_id, "Organization", "organizationId")
        given = AppInput(
            name=input.name,
            description=input.description,
            homepage_url=input.homepage_url,
            privacy_policy_url=input.privacy_policy_url,
            logo_url=input.logo_url,
            redirect_uris=input.redirect_uris,
            scopes=_scopes(input.scopes),
            allowed_origins=input.allowed_origins,
        )
        created = await partner_apps.create_app(
            runtime(info), viewer(info), organization_id, input.client_kind.value, given, problems=problems
        )
        return {"app": App.of(created.app), "client_id": created.client_id, "client_secret": created.client_secret}

    return await mutate(info, AppCreatePayload, work)


_UPDATABLE = ("name", "description", "homepage_url", "privacy_policy_url", "logo_url", "redirect_uris",
              "allowed_origins")  # fmt: skip


async def app_update(
    info: strawberry.Info, input: Annotated[AppUpdateInput, strawberry.argument(description="The changes.")]
) -> AppUpdatePayload | None:
    async def work() -> dict[str, Any]:
        problems = Problems()
        app_id = decode_input_id(problems, input.app_id, "App", "appId")
        given = AppInput()
        if input.persisted_only is not strawberry.UNSET:
            given.persisted_only = input.persisted_only  # null leaves it as it is
        for name in (*_UPDATABLE, "scopes"):
            value = getattr(input, name)
            if value is strawberry.UNSET:
                continue
            if value is None:
                if name == "logo_url":
                    given.cleared.add("logoUrl")
                else:  # a list or a required text given as null: as if it were empty (refused as such)
                    setattr(given, name, [] if name in ("redirect_uris", "scopes", "allowed_origins") else "")
                continue
            setattr(given, name, _scopes(value) if name == "scopes" else value)
        view = await partner_apps.update_app(runtime(info), viewer(info), app_id, given, problems=problems)
        return {"app": App.of(view)}

    return await mutate(info, AppUpdatePayload, work)


async def client_secret_rotate(
    info: strawberry.Info,
    input: Annotated[ClientSecretRotateInput, strawberry.argument(description="The app.")],
) -> ClientSecretRotatePayload | None:
    async def work() -> dict[str, Any]:
        problems = Problems()
        app_id = decode_input_id(problems, input.app_id, "App", "appId")
        problems.raise_if_any()
        view, secret, previous = await partner_apps.rotate_secret(runtime(info), viewer(info), app_id)
        return {"app": App.of(view), "client_secret": secret, "previous_secret_expires_at": previous}

    return await mutate(info, ClientSecretRotatePayload, work)


async def app_approve(
    info: strawberry.Info, input: Annotated[AppApproveInput, strawberry.argument(description="The app.")]
) -> AppApprovePayload | None:
    async def work() -> dict[str, Any]:
        problems = Problems()
        app_id = decode_input_id(problems, input.app_id, "App", "appId")
        problems.raise_if_any()
        return {"app": App.of(await partner_apps.approve_app(runtime(info), viewer(info), app_id))}

    return await mutate(info, AppApprovePayload, work)


async def app_suspend(
    info: strawberry.Info, input: Annotated[AppSuspendInput, strawberry.argument(description="The app and why.")]
) -> AppSuspendPayload | None:
    async def work() -> dict[str, Any]:
        problems = Problems()
        app_id = decode_input_id(problems, input.app_id, "App", "appId")
        view = await partner_apps.suspend_app(runtime(info), viewer(info), app_id, input.reason, problems=problems)
        return {"app": App.of(view)}

    return await mutate(info, AppSuspendPayload, work)


async def app_reinstate(
    info: strawberry.Info, input: Annotated[AppReinstateInput, strawberry.argument(description="The app.")]
) -> AppReinstatePayload | None:
    async def work() -> dict[str, Any]:
        problems = Problems()
        app_id = decode_input_id(problems, input.app_id, "App", "appId")
        problems.raise_if_any()
        return {"app": App.of(await partner_apps.reinstate_app(runtime(info), viewer(info), app_id))}

    return await mutate(info, AppReinstatePayload, work)


async def app_persona_create(
    info: strawberry.Info,
    input: Annotated[AppPersonaCreateInput, strawberry.argument(description="The app and the persona.")],
) -> AppPersonaCreatePayload | None:
    async def work() -> dict[str, Any]:
        problems = Problems()
        app_id = decode_input_id(problems, input.app_id, "App", "appId")
        persona, password = await partner_personas.create_persona(
            runtime(info),
            viewer(info),
            app_id,
            display_name=input.display_name,
            date_of_birth=input.date_of_birth,
            ward_code=input.ward_code,
            verification_level=input.verification_level,
            sex=input.sex.value if input.sex else None,
            problems=problems,
        )
        return {"persona": AppPersona.of(persona), "password": password}

    return await mutate(info, AppPersonaCreatePayload, work)


async def grant_revoke(
    info: strawberry.Info, input: Annotated[GrantRevokeInput, strawberry.argument(description="The grant.")]
) -> GrantRevokePayload | None:
    async def work() -> dict[str, Any]:
        problems = Problems()
        grant_id = decode_input_id(problems, input.grant_id, "Grant", "grantId")
        problems.raise_if_any()
        view = await partner_grants.revoke_grant(runtime(info), viewer(info), grant_id)
        return {"grant": Grant.of(view, language(info))}

    return await mutate(info, GrantRevokePayload, work)
