"""Partner apps: created and changed by the owners and admins of a partner organisation, reviewed by city officers.

A new app is in the **sandbox** (its tokens reach only the test personas made for it) until an officer approves it
for production; an officer may suspend it (the OAuth endpoints and the app viewer then refuse it: they read
``App.status``). Its OAuth client is confidential (a server, with a secret) or public (a browser or mobile app,
with PKCE only). A client secret is ``hs_sk_`` and 32 random bytes, shown once, stored as its SHA-256 (enough for
a 256-bit random value), only its last 4 characters kept to show; rotating keeps the previous one valid for
``client_secret_overlap_days`` so the partner can roll it out.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Any
from urllib.parse import urlsplit

from neo4j import AsyncManagedTransaction

from auth import app_tokens
from auth.permissions import Representation, authorize, holds
from auth.viewer import Viewer
from core.errors import ConflictError, NotFoundError, Problems, UserInputError
from core.pagination import Page, PageRequest, keyset_kind
from core.runtime import Runtime
from core.text import checked_text
from graph import partners as queries
from graph.driver import native
from graph.partners import AppRow, AppStanding, LockedApp
from partners import origins
from partners.grants import revoked_event
from partners.model import ManagedAppView
from partners.scopes import APP_SCOPES, BY_NAME, PERSON_SCOPES
from partners.views import managed_app_view

MAX_NAME = 80
MAX_DESCRIPTION = 1000
MAX_URL = 2000
MAX_REDIRECT_URIS = 10
MAX_ORIGINS = 10
MAX_PURPOSE = 300
KINDS = ("confidential", "public")
NO_APP = "No app has this id."
SECRET_PREFIX = "hs_sk_"
CLIENT_PREFIX = "hsc_"


@dataclass
class ScopeRequest:
    """A scope an app asks for, with why, in Vietnamese and English."""

    scope: str
    purpose_vi: str
    purpose_en: str


@dataclass
class AppInput:
    """An app's fields as a partner gives them; None: not given (an update leaves it as it is)."""

    name: str | None = None
    description: str | None = None
    homepage_url: str | None = None
    privacy_policy_url: str | None = None
    logo_url: str | None = None
    redirect_uris: list[str] | None = None
    scopes: list[ScopeRequest] | None = None
    allowed_origins: list[str] | None = None
    #: Runs registered operations only (``partners.operations``); None: leave it as it is.
    persisted_only: bool | None = None
    #: The names given whose value is null (``logoUrl``: remove the logo).
    cleared: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class CreatedApp:
    app: ManagedAppView
    client_id: str
    client_secret: str | None  # shown once; None for a public client


# --- checks --------------------------------------------------------------------------------------------------------


def _https_url(value: str, field: str) -> str:
    """An absolute https URL with a host, no user or password, at most MAX_URL characters."""
    cleaned = (value or "").strip()
    parts = urlsplit(cleaned) if len(cleaned) <= MAX_URL else None
    if parts is None or parts.scheme != "https" or not parts.hostname or "@" in parts.netloc or " " in cleaned:
        raise UserInputError(
            "Give an absolute https:// address of at most {limit} characters.", field=field, params={"limit": MAX_URL}
        )
    return cleaned


def _is_loopback(host: str | None) -> bool:
    """127.0.0.1 or ::1 (RFC 8252 section 7.3: an IP literal, not ``localhost``)."""
    try:
        return host is not None and ipaddress.ip_address(host) in (
            ipaddress.ip_address("127.0.0.1"),
            ipaddress.ip_address("::1"),
        )
    except ValueError:
        return False


def _port_ok(parts: Any) -> bool:
    try:
        parts.port  # noqa: B018 (raises ValueError for a port out of range)
    except ValueError:
        return False
    return True


def _redirect_uri(value: str, field: str, sandbox: bool) -> str:
    """An exact redirect URI: absolute https without a fragment, or (sandbox only) http on a loopback IP."""
    parts = urlsplit(value) if len(value) <= MAX_URL and value == value.strip() and " " not in value else None
    if parts is None or not parts.hostname or parts.fragment or "#" in value or "@" in parts.netloc:
        raise UserInputError(
            "A redirect URI is an absolute https:// address without a #fragment, of at most {limit} characters.",
            field=field,
            params={"limit": MAX_URL},
        )
    if not _port_ok(parts):
        raise UserInputError("The port of this address is not a valid port number.", field=field)
    if parts.scheme == "https":
        return value
    if parts.scheme == "http" and _is_loopback(parts.hostname):
        if sandbox:
            return value
        raise UserInputError(
            "Loopback redirect URIs (http://127.0.0.1 or http://[::1]) are for sandbox apps only.", field=field
        )
    raise UserInputError(
        "A redirect URI is https://, or for a sandbox app http://127.0.0.1:<port>/... or http://[::1]:<port>/... "
        "(RFC 8252).",
        field=field,
    )


def _origin(value: str, field: str, sandbox: bool) -> str:
    """A browser origin: https://host[:port] (or, sandbox only, http on a loopback IP), nothing after it."""
    parts = urlsplit(value) if len(value) <= MAX_URL and " " not in value else None
    exact = parts is not None and f"{parts.scheme}://{parts.netloc}" == value
    loopback = parts is not None and parts.scheme == "http" and _is_loopback(parts.hostname) and sandbox
    if (
        parts is None
        or not exact
        or not parts.hostname
        or "@" in parts.netloc
        or not _port_ok(parts)
        or not (parts.scheme == "https" or loopback)
    ):
        raise UserInputError(
            "An origin is scheme://host[:port] with nothing after it (https://app.example), https only "
            "(a sandbox app may add http://127.0.0.1:<port>).",
            field=field,
        )
    return value


def _check_redirect_uris(uris: list[str], sandbox: bool, problems: Problems) -> list[str]:
    if len(uris) > MAX_REDIRECT_URIS:
        problems.add(
            UserInputError("At most {limit} redirect URIs.", field="redirectUris", params={"limit": MAX_REDIRECT_URIS})
        )
        return []
    checked: list[str] = []
    for position, uri in enumerate(uris):
        good = problems.take(partial(_redirect_uri, uri, f"redirectUris.{position}", sandbox))
        if good is not None and good not in checked:
            checked.append(good)
    return checked


def _check_origins(values: list[str], kind: str, sandbox: bool, problems: Problems) -> list[str]:
    if values and kind != "public":
        problems.add(
            UserInputError(
                "Only a public (browser) client has allowed origins; a confidential client calls from its server.",
                field="allowedOrigins",
            )
        )
        return []
    if len(values) > MAX_ORIGINS:
        problems.add(UserInputError("At most {limit} origins.", field="allowedOrigins", params={"limit": MAX_ORIGINS}))
        return []
    checked: list[str] = []
    for position, value in enumerate(values):
        good = problems.take(partial(_origin, value, f"allowedOrigins.{position}", sandbox))
        if good is not None and good not in checked:
            checked.append(good)
    return checked


def _check_scopes(requests: list[ScopeRequest], kind: str, problems: Problems) -> dict[str, dict[str, str]]:
    """The scopes asked for, in order, each with its purposes ({scope: {"vi": ..., "en": ...}})."""
    if not requests:
        problems.add(UserInputError("Ask for at least one scope.", field="scopes"))
        return {}
    if len(requests) > len(BY_NAME):
        problems.add(UserInputError("At most {limit} scopes.", field="scopes", params={"limit": len(BY_NAME)}))
        return {}
    checked: dict[str, dict[str, str]] = {}
    for position, request in enumerate(requests):
        where = f"scopes.{position}"
        name = (request.scope or "").strip()
        if name not in BY_NAME:
            problems.add(
                UserInputError(
                    "There is no scope {scope}; the scopes are listed in docs/partners.md.",
                    field=f"{where}.scope",
                    params={"scope": name[:60]},
                )
            )
        elif name in APP_SCOPES and kind != "confidential":
            problems.add(
                UserInputError(
                    "The scope {scope} is for the app itself (client credentials): only a confidential client may "
                    "ask for it.",
                    field=f"{where}.scope",
                    params={"scope": name},
                )
            )
        elif name in checked:
            problems.add(
                UserInputError("The scope {scope} is asked for twice.", field=f"{where}.scope", params={"scope": name})
            )
        vi = problems.take(
            partial(checked_text, request.purpose_vi, field=f"{where}.purposeVi", max_length=MAX_PURPOSE,
                    required=True, empty="Say why the app needs this scope, in Vietnamese.")
        )  # fmt: skip
        en = problems.take(
            partial(checked_text, request.purpose_en, field=f"{where}.purposeEn", max_length=MAX_PURPOSE,
                    required=True, empty="Say why the app needs this scope, in English.")
        )  # fmt: skip
        if name in BY_NAME and name not in checked and vi and en:
            checked[name] = {"vi": vi, "en": en}
    return checked


def _checked(
    given: AppInput, *, kind: str, sandbox: bool, creating: bool, problems: Problems
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(App properties, Client properties) of the fields given, each checked; mistakes go to ``problems``."""
    app: dict[str, Any] = {}
    client: dict[str, Any] = {}
    if given.name is not None or creating:
        app["name"] = problems.take(
            lambda: checked_text(given.name, field="name", max_length=MAX_NAME, required=True, empty="Name the app.")
        )
    if given.description is not None or creating:
        app["description"] = problems.take(
            lambda: checked_text(
                given.description, field="description", max_length=MAX_DESCRIPTION, required=True,
                empty="Say what the app does.",
            )
        )  # fmt: skip
    for name, attribute in (("homepageUrl", "homepage_url"), ("privacyPolicyUrl", "privacy_policy_url")):
        value = getattr(given, attribute)
        if value is not None or creating:
            app[name] = problems.take(partial(_https_url, value or "", name))
    if given.logo_url is not None:
        app["logoUrl"] = problems.take(lambda: _https_url(given.logo_url or "", "logoUrl"))
    elif "logoUrl" in given.cleared or creating:
        app["logoUrl"] = None
    if given.redirect_uris is not None or creating:
        client["redirectUris"] = _check_redirect_uris(given.redirect_uris or [], sandbox, problems)
    if given.allowed_origins is not None or creating:
        client["allowedOrigins"] = _check_origins(given.allowed_origins or [], kind, sandbox, problems)
    if given.scopes is not None or creating:
        purposes = _check_scopes(given.scopes or [], kind, problems)
        app["scopes"] = list(purposes)
        app["purposes"] = json.dumps(purposes, ensure_ascii=False)
    if given.persisted_only is not None:
        app["persistedOnly"] = bool(given.persisted_only)
    return app, client


def _needs_redirect(scopes: list[str], redirect_uris: list[str], problems: Problems) -> None:
    """An app that asks a person for anything signs them in through a redirect URI."""
    if any(s in PERSON_SCOPES for s in scopes) and not redirect_uris:
        problems.add(
            UserInputError("An app that asks people for scopes needs at least one redirect URI.", field="redirectUris")
        )


def new_secret() -> tuple[str, str, str]:
    """(secret shown once, its SHA-256 hex stored, its last 4 characters)."""
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    return secret, hashlib.sha256(secret.encode()).hexdigest(), secret[-4:]


# --- acting for the partner -----------------------------------------------------------------------------------------


async def _partner_for(tx: AsyncManagedTransaction, viewer: Viewer, action: str, org_id: str) -> str:
    """The partner organisation ``viewer`` acts for (owner or admin); NOT_FOUND naming ``organizationId`` when there
    is no active organisation, FORBIDDEN otherwise; INVALID_INPUT when it is not a partner."""
    person_id = authorize(viewer, action)
    standing = await queries.partner_standing(tx, person_id, org_id) if org_id else None
    if standing is None:
        representation = Representation(org_id, role=None, active=False, exists=False, field="organizationId")
    else:
        active = (standing.status or "active") == "active"
        representation = Representation(org_id, role=standing.role, active=active, field="organizationId")
    authorize(viewer, action, on=representation)
    if standing is not None and standing.kind != "partner":
        raise UserInputError(
            "Only a partner organisation creates apps; register one of kind PARTNER.", field="organizationId"
        )
    return org_id


async def app_standing(tx: AsyncManagedTransaction, app_id: str, person_id: str | None) -> AppStanding | None:
    """The app's partner organisation, ``person_id``'s representative role there and the app's OAuth client: what
    the checks of the reads about an app decide on (its webhooks, its usage, its token failures; each with
    ``authorize(..., on=Representation(...))``). None when no app has this id."""
    return await queries.app_standing(tx, app_id, person_id) if app_id else None


async def readable_app(
    tx: AsyncManagedTransaction,
    viewer: Viewer,
    action: str,
    app_id: str,
    *,
    oversee: str | None = None,
    field: str = "appId",
) -> AppStanding:
    """The app's standing when the viewer may do ``action`` about it (a read: its webhooks, usage, token failures):
    the owners and admins of its partner, or whoever holds ``oversee`` (city officers). NOT_FOUND naming ``field``
    when no app has this id, UNAUTHENTICATED or FORBIDDEN otherwise. ``managed_app`` is its twin for changes (it
    write-locks the app)."""
    person_id = authorize(viewer, action)
    standing = await app_standing(tx, app_id, person_id)
    if standing is None:
        raise NotFoundError(NO_APP, field=field)
    if oversee is not None and holds(viewer, oversee):
        return standing
    active = (standing.organization_status or "active") == "active"
    authorize(viewer, action, on=Representation(standing.organization_id, standing.role, active, field=field))
    return standing


async def managed_app(tx: AsyncManagedTransaction, viewer: Viewer, action: str, app_id: str) -> LockedApp:
    """The app, write-locked, when the viewer owns or administers its partner: NOT_FOUND naming ``appId`` when no app
    has this id, FORBIDDEN otherwise (apps are public: their existence is no secret)."""
    person_id = authorize(viewer, action)
    found = await queries.lock_app(tx, app_id, person_id) if app_id else None
    if found is None:
        raise NotFoundError(NO_APP, field="appId")
    active = (found.organization_status or "active") == "active"
    authorize(viewer, action, on=Representation(found.organization_id, found.role, active, field="appId"))
    return found


# --- use cases -----------------------------------------------------------------------------------------------------


async def create_app(
    rt: Runtime, viewer: Viewer, organization_id: str, kind: str, given: AppInput, *, problems: Problems
) -> CreatedApp:
    """A new sandbox app of the partner ``organization_id``, its client, and (confidential) its first secret."""
    authorize(viewer, "partners.app.create")
    if kind not in KINDS:
        problems.add(UserInputError("A client is CONFIDENTIAL or PUBLIC.", field="clientKind"))
    app, client = _checked(given, kind=kind, sandbox=True, creating=True, problems=problems)
    _needs_redirect(app.get("scopes") or [], given.redirect_uris or [], problems)
    problems.raise_if_any()
    app_id, client_id = str(uuid.uuid4()), CLIENT_PREFIX + secrets.token_urlsafe(16)
    secret, sha256, last4 = new_secret() if kind == "confidential" else (None, None, None)

    async def work(tx: AsyncManagedTransaction) -> None:
        await _partner_for(tx, viewer, "partners.app.create", organization_id)
        await queries.create_app(
            tx,
            organization_id=organization_id,
            app_id=app_id,
            app=app,
            client_id=client_id,
            kind=kind,
            client=client,
            grant_types=["authorization_code", "refresh_token"] + (["client_credentials"] if secret else []),
            auth_method="client_secret_basic" if secret else "none",
            secret_sha256=sha256,
            last4=last4,
        )

    await rt.graph.write(work)
    if kind == "public":
        origins.changed()
    return CreatedApp(await fresh(rt, viewer, app_id), client_id, secret)


async def update_app(
    rt: Runtime, viewer: Viewer, app_id: str, given: AppInput, *, problems: Problems
) -> ManagedAppView:
    """Change some of an app's fields; each given field is checked against the app as it is (its client kind, its
    environment)."""
    authorize(viewer, "partners.app.edit")
    problems.raise_if_any()  # a malformed id: nothing to check the fields against

    async def work(tx: AsyncManagedTransaction) -> None:
        current = await managed_app(tx, viewer, "partners.app.edit", app_id)
        checks = Problems()
        app, client = _checked(
            given, kind=current.kind, sandbox=current.environment == "sandbox", creating=False, problems=checks
        )
        given_uris = given.redirect_uris if given.redirect_uris is not None else current.redirect_uris
        _needs_redirect(app.get("scopes", current.scopes), given_uris, checks)
        checks.raise_if_any()
        await queries.update_app(tx, app_id, app, client)

    await rt.graph.write(work)
    origins.changed()
    return await fresh(rt, viewer, app_id)


async def rotate_secret(rt: Runtime, viewer: Viewer, app_id: str) -> tuple[ManagedAppView, str, datetime | None]:
    """A new client secret (shown once); the previous one stays valid for the overlap, older rotated ones end now.
    Returns the app, the new secret and when the previous one expires."""
    authorize(viewer, "partners.secret.rotate")
    secret, sha256, last4 = new_secret()

    async def work(tx: AsyncManagedTransaction) -> datetime | None:
        current = await managed_app(tx, viewer, "partners.secret.rotate", app_id)
        if current.kind != "confidential":
            raise ConflictError("A public client has no secret to rotate.", field="appId")
        expires = await queries.rotate_secret(tx, app_id, sha256, last4, rt.settings.client_secret_overlap_days)
        return native(expires)

    previous_expires = await rt.graph.write(work)
    return await fresh(rt, viewer, app_id), secret, previous_expires


async def _reviewed(rt: Runtime, viewer: Viewer, action: str, app_id: str, decide: Any) -> ManagedAppView:
    officer = authorize(viewer, action)

    async def work(tx: AsyncManagedTransaction) -> None:
        found = await queries.lock_app(tx, app_id, officer) if app_id else None
        if found is None:
            raise NotFoundError(NO_APP, field="appId")
        await decide(tx, found, officer)

    await rt.graph.write(work)
    origins.changed()
    return await fresh(rt, viewer, app_id)


def _local_only(value: str) -> bool:
    """An http address on this machine (a loopback IP or ``localhost``): a sandbox app's, never a production one's."""
    parts = urlsplit(value)
    host = (parts.hostname or "").lower()
    return parts.scheme == "http" and (_is_loopback(host) or host == "localhost" or host.endswith(".localhost"))


async def approve_app(rt: Runtime, viewer: Viewer, app_id: str) -> ManagedAppView:
    """An officer takes a sandbox app to production: real residents may sign in to it from now on. Refused while a
    loopback redirect URI or origin remains; the test personas' grants end with their tokens, in the same
    transaction."""

    async def decide(tx: AsyncManagedTransaction, found: LockedApp, officer: str) -> None:
        if found.environment != "sandbox":
            raise ConflictError("This app is in production already.", field="appId")
        if any(_local_only(value) for value in [*(found.redirect_uris or []), *(found.allowed_origins or [])]):
            raise ConflictError(
                "Replace the app's loopback redirect URIs and origins (http://127.0.0.1, http://[::1], localhost) "
                "with https:// addresses (appUpdate) before it goes to production.",
                field="appId",
            )
        approved = await queries.approve_app(tx, app_id, officer, app_tokens.not_before_now(rt.keyring))
        for grant in approved.revoked:  # the app is told of each persona's grant that ended
            await revoked_event(tx, rt, app_id, grant["id"], grant["personId"], "officer")

    return await _reviewed(rt, viewer, "partners.app.review", app_id, decide)


MAX_REASON = 1000


async def suspend_app(rt: Runtime, viewer: Viewer, app_id: str, reason: str, *, problems: Problems) -> ManagedAppView:
    """An officer suspends an app: no sign-in, its tokens refused on their next request and for good (a reinstatement
    does not revive them: its people sign in again)."""
    authorize(viewer, "partners.app.suspend")
    checked = problems.take(
        lambda: checked_text(reason, field="reason", max_length=MAX_REASON, required=True, empty="Give a reason.")
    )
    problems.raise_if_any()

    async def decide(tx: AsyncManagedTransaction, found: LockedApp, officer: str) -> None:
        if found.status == "suspended":
            raise ConflictError("This app is suspended already.", field="appId")
        await queries.suspend_app(tx, app_id, officer, checked or "", app_tokens.not_before_now(rt.keyring))

    return await _reviewed(rt, viewer, "partners.app.suspend", app_id, decide)


async def reinstate_app(rt: Runtime, viewer: Viewer, app_id: str) -> ManagedAppView:
    """An officer lifts an app's suspension."""

    async def decide(tx: AsyncManagedTransaction, found: LockedApp, officer: str) -> None:
        if found.status != "suspended":
            raise ConflictError("This app is not suspended.", field="appId")
        await queries.reinstate_app(tx, app_id)

    return await _reviewed(rt, viewer, "partners.app.suspend", app_id, decide)


# --- reads ---------------------------------------------------------------------------------------------------------


async def apps_by_ids(rt: Runtime, viewer: Viewer, ids: list[str]) -> list[ManagedAppView | None]:
    """Apps are public (the consent page shows them); their client only to their partner and to officers."""
    found = await rt.graph.read(queries.apps_by_ids, ids, viewer.actor_id if viewer.kind == "person" else None)
    by_id = {r.app["id"]: managed_app_view(viewer, r) for r in found}
    return [by_id.get(i) for i in ids]


async def fresh(rt: Runtime, viewer: Viewer, app_id: str) -> ManagedAppView:
    (view,) = await apps_by_ids(rt, viewer, [app_id])
    assert view is not None, "an app is never deleted"
    return view


def _page(viewer: Viewer, request: PageRequest, found: list[AppRow], total: int, kind: Any) -> Page[ManagedAppView]:
    page = request.page(found, kind, lambda r: (r.app["createdAt"], r.app["id"]), total_count=total)
    return Page(
        items=[managed_app_view(viewer, r) for r in page.items],
        cursors=page.cursors,
        has_next_page=page.has_next_page,
        has_previous_page=page.has_previous_page,
        total_count=total,
    )


#: Cursors of Organization.apps (createdAt, app id), scoped to the organisation.
APPS_CURSOR = keyset_kind("organizationApps")


async def apps_of_organization(
    rt: Runtime, viewer: Viewer, org_id: str, request: PageRequest
) -> Page[ManagedAppView] | None:
    """The organisation's apps, newest first, for its owners and admins (None for anyone else)."""
    person_id = viewer.actor_id if viewer.kind == "person" else None
    if person_id is None:
        return None
    kind = APPS_CURSOR.scoped(org_id)
    window = request.window(kind)

    async def read(tx: AsyncManagedTransaction) -> tuple[list[AppRow], int] | None:
        standing = await queries.partner_standing(tx, person_id, org_id)
        if standing is None:
            return None
        active = (standing.status or "active") == "active"
        if not holds(viewer, "partners.app.read_private", on=Representation(org_id, standing.role, active)):
            return None
        return await queries.apps_of_organization(tx, org_id, person_id, window)

    found = await rt.graph.read(read)
    if found is None:
        return None
    return _page(viewer, request, found[0], found[1], kind)


#: Cursors of appsForReview (createdAt, app id).
REVIEW_CURSOR = keyset_kind("appsForReview")


async def apps_for_review(rt: Runtime, viewer: Viewer, request: PageRequest) -> Page[ManagedAppView]:
    """Officers: sandbox apps, oldest first."""
    officer = authorize(viewer, "partners.app.review")
    found, total = await rt.graph.read(queries.apps_for_review, officer, request.window(REVIEW_CURSOR))
    return _page(viewer, request, found, total, REVIEW_CURSOR)
