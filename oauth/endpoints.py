"""The OpenID Provider's endpoints (Starlette). Each is described for partners in docs/partners.md.

``GET /oauth/authorize``
    Validated before anyone signs in: an unknown ``client_id``, a suspended app, a missing ``redirect_uri`` or one
    not *exactly* registered, or malformed parameters (repeated, not UTF-8, too long) get a 400 **page**, never a
    redirect. Then errors are redirects to ``redirect_uri`` with ``error``, ``error_description``, ``state`` and
    ``iss`` (RFC 9207): ``response_type`` other than ``code`` (``unsupported_response_type``); no PKCE challenge or a
    method other than ``S256`` (``invalid_request``); a scope unknown, not registered by the app or of kind app
    (``invalid_scope``); ``prompt=none`` without a sign-in (``login_required``) or without consent
    (``consent_required``); a scope above the person's verification level (``access_denied``). Parameters: the
    OAuth/OIDC ones plus ``nonce``, ``prompt`` (none, login, consent), ``ui_locales`` (vi default, en), ``state``.
    Not signed in at the OP (or ``prompt=login``): the sign-in page. A sandbox app admits only its own test personas
    and a production app no test persona (a 403 page says so). Consent is skipped when the person's live grant holds
    every requested scope with the purpose the app states today and ``prompt`` is not ``consent``; otherwise the
    consent page.
``POST /oauth/login``
    The sign-in form (``identifier``, ``password``, ``csrf_token`` bound to the pre-session cookie, and the
    authorization request as hidden fields): ``auth.sign_in.login`` with its throttles (user agent, client address),
    then the OP-session cookie ``hs_op`` (HttpOnly, SameSite=Lax, Secure when the issuer is https, path ``/oauth``;
    server-side: an ordinary person session, listed in ``mySessions`` and closed like any) and a 303 back to the
    authorize URL.
``POST /oauth/authorize``
    The consent form: ``decision`` (approve | deny), ``csrf_token`` (bound to the OP session) and the authorization
    request. The request is validated again. Approve: the grant is upserted and a code issued, 303 to the
    ``redirect_uri`` with ``code``, ``state``, ``iss``; deny: ``error=access_denied``, ``state``, ``iss``.
``POST /oauth/token``
    ``authorization_code`` (confidential clients authenticate as registered, ``client_secret_basic`` or
    ``client_secret_post``; public ones send ``client_id`` alone; exact ``redirect_uri``; the S256 ``code_verifier``),
    ``refresh_token`` (rotation, reuse detection) and ``client_credentials`` (confidential clients, app scopes only).
    Answers ``access_token`` (JWT ``typ: at+jwt``), ``token_type``, ``expires_in``, ``scope``, ``refresh_token``
    (only with ``offline_access``), ``id_token`` (with ``openid``; RS256).
``GET|POST /oauth/userinfo``
    With the app's bearer token: ``sub`` and the claims of the granted scopes (``partners.authorization.userinfo``:
    the token holds by /graphql's rule, the person is read as /graphql's ``me``); the personal claims are on the
    person's access log before the answer leaves (503 ``temporarily_unavailable``, no claims, when it cannot be).
``POST /oauth/revoke``
    RFC 7009; ``POST /oauth/introspect``: RFC 7662 (confidential clients, their own tokens).
``GET /.well-known/openid-configuration``
    The provider's metadata (OIDC Discovery 1.0 / RFC 8414).

With Neo4j away, the pages answer the error page with 503 and ``Retry-After`` (in the page's language), the token,
revocation and introspection endpoints ``temporarily_unavailable`` with 503 and ``Retry-After``; never a 500.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import secrets
import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qsl, urlencode

from authlib.common.urls import add_params_to_uri  # type: ignore[import-untyped]
from authlib.oauth2.rfc6749 import OAuth2Error  # type: ignore[import-untyped]
from starlette.background import BackgroundTask
from starlette.requests import Request as HttpRequest
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from core.errors import AppError, UnavailableError
from core.i18n import translate
from core.logs import get_logger
from core.runtime import Runtime
from oauth import pages
from oauth.server import Request, Server, basic_client_id, in_thread
from partners import authorization as service
from partners.access_log import write_reads
from partners.authorization import ClientRow, CodeRequest, OAuthFailure, OpSessionRow, PageRefusal
from partners.scopes import CATALOGUE, PERSON_SCOPES, title
from partners.token_failures import record_failure

log = get_logger("oauth.userinfo")
#: Retry-After of a 503 whose cause gave none.
RETRY_AFTER_SECONDS = 5.0
COOKIE = "hs_op"  # the OP session: "<session id>.<secret>"
PRE_COOKIE = "hs_op_pre"  # before sign-in: binds the sign-in form's CSRF token
MAX_QUERY_BYTES = 8192
MAX_BODY_BYTES = 16384
MAX_FIELDS = 40
#: Retry-After (seconds) of a 503 when the database is away and the failure named no retry time.
RETRY_AFTER_SECONDS = 5
#: The page and JSON text of a 503 when the database is away.
UNAVAILABLE = "HanoiSmart cannot reach its data right now. Wait a moment, then try again."
#: The parameters of an authorization request carried through the sign-in and consent forms.
AUTHORIZE_PARAMS = ("response_type", "client_id", "redirect_uri", "scope", "state", "code_challenge",
                    "code_challenge_method", "nonce", "prompt", "ui_locales", "login_hint")  # fmt: skip


class BadRequest(Exception):
    """Malformed parameters: an English template for the page and an ASCII description for JSON answers."""

    def __init__(self, template: str, params: dict[str, Any] | None = None) -> None:
        super().__init__(template)
        self.template, self.params = template, params or {}

    @property
    def description(self) -> str:
        return self.template.format(**self.params)


def _runtime(request: HttpRequest) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


def _pairs(raw: bytes, limit: int) -> dict[str, str]:
    """Parameters of a query string or form body: each at most once, UTF-8, within ``limit`` bytes."""
    if len(raw) > limit:
        raise BadRequest("The request's parameters are longer than {limit} bytes.", {"limit": limit})
    try:
        pairs = parse_qsl(raw.decode("ascii"), keep_blank_values=True, encoding="utf-8", errors="strict",
                          max_num_fields=MAX_FIELDS)  # fmt: skip
    except (UnicodeDecodeError, ValueError):
        raise BadRequest("The request's parameters are not valid URL-encoded UTF-8.") from None
    found: dict[str, str] = {}
    for name, value in pairs:
        if name in found:
            raise BadRequest("The parameter {name} is repeated; send each parameter once.", {"name": name[:40]})
        if any(ord(c) < 0x20 and c not in "\t" for c in value):
            raise BadRequest("The parameter {name} holds control characters.", {"name": name[:40]})
        found[name] = value
    return found


async def _form(request: HttpRequest) -> dict[str, str]:
    kind = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if kind != "application/x-www-form-urlencoded":
        raise BadRequest("Send the parameters as application/x-www-form-urlencoded.")
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            raise BadRequest("The request's parameters are longer than {limit} bytes.", {"limit": MAX_BODY_BYTES})
    return _pairs(body, MAX_BODY_BYTES)


def _oauth_request(rt: Runtime, request: HttpRequest, params: dict[str, str]) -> Request:
    # authlib checks the transport of this URI: the issuer's (https in production; loopback http in development).
    return Request(request.method, rt.settings.oauth_issuer + request.url.path, params, dict(request.headers))


def _json(status: int, body: Any, headers: list[tuple[str, str]] | None = None) -> Response:
    response = Response(json.dumps(body, ensure_ascii=False), status_code=status, media_type="application/json")
    for name, value in headers or []:
        if name.lower() != "content-type":
            response.headers[name] = value
    response.headers["Cache-Control"] = "no-store"
    response.headers["Pragma"] = "no-cache"
    return response


def _json_error(error: str, description: str, status: int = 400) -> Response:
    return _json(status, {"error": error, "error_description": description})


# --- pages ---------------------------------------------------------------------------------------------------------------


def _app_context(found: ClientRow | None) -> dict[str, Any] | None:
    if found is None:
        return None
    return {"name": found.name, "description": found.description, "logo_url": found.logo_url,
            "homepage_url": found.homepage_url, "privacy_policy_url": found.privacy_policy_url,
            "sandbox": found.environment == "sandbox", "partner_name": found.partner_name or "",
            "partner_tax_last4": found.partner_tax_last4}  # fmt: skip


def _error_page(request: HttpRequest, language: str, template: str, params: dict[str, Any] | None = None, *,
                found: ClientRow | None = None, status: int = 400) -> Response:  # fmt: skip
    context = {"title": translate("This sign-in cannot continue", {}, language),
               "message": translate(template, params or {}, language), "app": _app_context(found)}  # fmt: skip
    return pages.render(request, "error.html", context, language=language, status=status)


def _retry_after(error: UnavailableError) -> str:
    seconds = error.retry_after_seconds if error.retry_after_seconds is not None else RETRY_AFTER_SECONDS
    return str(max(1, math.ceil(seconds)))


def _language(request: HttpRequest) -> str:
    """The page language chosen so far (``ui_locales`` once the parameters are read; else Accept-Language)."""
    chosen = getattr(request.state, "oauth_page_language", None)
    return chosen if isinstance(chosen, str) else pages.page_language(request)


async def _unless_unavailable(request: HttpRequest, handler: Callable[[HttpRequest], Awaitable[Response]]) -> Response:
    """A page endpoint whose database is away answers the error page with 503 and Retry-After, never a 500."""
    try:
        return await handler(request)
    except UnavailableError as error:
        response = _error_page(request, _language(request), UNAVAILABLE, status=503)
        response.headers["Retry-After"] = _retry_after(error)
        return response


def _hidden(params: dict[str, str]) -> dict[str, str]:
    return {name: params[name] for name in AUTHORIZE_PARAMS if name in params}


def _csrf(rt: Runtime, purpose: str, bound_to: str) -> str:
    return hmac.new(rt.identity_key, f"oauth-csrf|{purpose}|{bound_to}".encode(), hashlib.sha256).hexdigest()


def _csrf_ok(rt: Runtime, purpose: str, bound_to: str | None, presented: str | None) -> bool:
    return bool(bound_to and presented) and hmac.compare_digest(_csrf(rt, purpose, bound_to or ""), presented or "")


def _secure(rt: Runtime) -> bool:
    return rt.settings.oauth_issuer.startswith("https://")


def _login_page(request: HttpRequest, rt: Runtime, found: ClientRow, params: dict[str, str], language: str, *,
                error: str | None = None, identifier: str | None = None, status: int = 200) -> Response:  # fmt: skip
    pre = request.cookies.get(PRE_COOKIE)
    if not pre or len(pre) > 100:
        pre = secrets.token_urlsafe(32)
    context = {"app": _app_context(found), "csrf_token": _csrf(rt, "login", pre), "action": "/oauth/login",
               "hidden": _hidden(params), "error": error,
               "identifier": identifier or params.get("login_hint") or None}  # fmt: skip
    # The redirect URI (already checked: exactly registered) may follow the form's POST: a person whose grant covers
    # every scope goes POST /oauth/login -> 303 /oauth/authorize -> 303 to the app, and Chromium applies the
    # form-action of the page that posted to the whole chain.
    targets = [params["redirect_uri"]] if params.get("redirect_uri") in found.redirect_uris else []
    response = pages.render(request, "login.html", context, language=language, status=status, form_targets=targets)
    response.set_cookie(PRE_COOKIE, pre, path="/oauth", httponly=True, samesite="lax", secure=_secure(rt))
    return response


def _scope_items(found: ClientRow, names: list[str], language: str) -> list[dict[str, str]]:
    purposes = service.purposes_of(found)
    return [{"name": name, "title": title(name, language), "purpose": str(purposes.get(name, {}).get(language, ""))}
            for name in names]  # fmt: skip


def _consent_page(request: HttpRequest, rt: Runtime, found: ClientRow, session: OpSessionRow, params: dict[str, str],
                  need: service.ConsentNeed, language: str, redirect_uri: str) -> Response:  # fmt: skip
    cookie = request.cookies.get(COOKIE) or ""
    context = {"app": _app_context(found), "csrf_token": _csrf(rt, "consent", cookie), "action": "/oauth/authorize",
               "hidden": _hidden(params), "person_name": session.display_name,
               "new_scopes": _scope_items(found, need.new_scopes, language),
               "granted_scopes": _scope_items(found, need.granted_scopes, language),
               "expires_at": rt.keyring.now() + timedelta(days=rt.settings.grant_ttl_days)}  # fmt: skip
    return pages.render(request, "consent.html", context, language=language, form_targets=[redirect_uri])


# --- redirects back to the app --------------------------------------------------------------------------------------------


def _redirect(rt: Runtime, redirect_uri: str, params: list[tuple[str, str]], state: str | None) -> Response:
    """303 to the app with ``params``, ``state`` (when sent) and ``iss`` (RFC 9207)."""
    extra = [("state", state)] if state else []
    location = add_params_to_uri(redirect_uri, [*params, *extra, ("iss", rt.settings.oauth_issuer)])
    return RedirectResponse(location, status_code=303, headers={"Cache-Control": "no-store"})


def _error_redirect(rt: Runtime, redirect_uri: str, error: str, description: str, state: str | None) -> Response:
    return _redirect(rt, redirect_uri, [("error", error), ("error_description", description)], state)


# --- the authorize step ----------------------------------------------------------------------------------------------------


class Validated:
    """An authorization request that passed every check before the person's decision."""

    def __init__(self, found: ClientRow, params: dict[str, str], scopes: list[str], prompts: set[str]) -> None:
        self.client, self.params, self.scopes, self.prompts = found, params, scopes, prompts

    @property
    def redirect_uri(self) -> str:
        return self.params["redirect_uri"]

    @property
    def state(self) -> str | None:
        return self.params.get("state") or None


async def _validate(request: HttpRequest, rt: Runtime, params: dict[str, str], language: str,
                    session: OpSessionRow | None) -> Validated | Response:  # fmt: skip
    """The checks of an authorization request: a page for a bad client or redirect URI, then authlib's validation
    (its errors as redirects)."""
    client_id = params.get("client_id") or ""
    if not client_id:
        return _error_page(request, language, "The app's sign-in link has no client_id.")
    found = await service.client(rt, client_id)
    if found is None:
        return _error_page(request, language, "No app is registered with this client_id.")
    if found.status != "active":
        return _error_page(request, language, "{app} is suspended: signing in to it is turned off.",
                           {"app": found.name}, found=found)  # fmt: skip
    redirect_uri = params.get("redirect_uri") or ""
    if redirect_uri not in found.redirect_uris:
        template = (
            "The app's sign-in link has no redirect_uri."
            if not redirect_uri
            else "The sign-in link would send you back to an address {app} did not register, so HanoiSmart will "
            "not send you there."
        )
        return _error_page(request, language, template, {"app": found.name}, found=found)
    server = Server(rt, prefetched=found)
    oauth_request = _oauth_request(rt, request, params)
    try:
        # authlib's checks, without I/O (the client is prefetched): response type, scope, PKCE S256, prompt.
        server.get_consent_grant(oauth_request, end_user=session)
    except OAuth2Error as error:
        state = params.get("state") or None
        return _error_redirect(rt, redirect_uri, error.error, error.get_error_description() or error.error, state)
    except ValueError:  # an authlib error whose description would quote a malformed parameter
        state = params.get("state") or None
        return _error_redirect(rt, redirect_uri, "invalid_request", "A parameter holds characters it may not.", state)
    prompts = set((params.get("prompt") or "").split())
    return Validated(found, params, (params.get("scope") or "").split(), prompts)


async def _decide(request: HttpRequest, rt: Runtime, checked: Validated, session: OpSessionRow | None,
                  language: str, *, decision: str | None) -> Response:  # fmt: skip
    """After validation: sign-in, the person's eligibility, consent (skipped or asked), the code."""
    found, params = checked.client, checked.params
    if session is None or ("login" in checked.prompts and decision is None):
        if "none" in checked.prompts:
            return _error_redirect(rt, checked.redirect_uri, "login_required", "The person is not signed in.",
                                   checked.state)  # fmt: skip
        return _login_page(request, rt, found, params, language)
    try:
        service.check_person(found, session, checked.scopes)
    except PageRefusal as refusal:
        return _error_page(request, language, refusal.template, refusal.params, found=found, status=refusal.status)
    except OAuthFailure as failure:
        return _error_redirect(rt, checked.redirect_uri, failure.error, failure.description, checked.state)
    if decision == "deny":
        return _error_redirect(rt, checked.redirect_uri, "access_denied", "The person denied the request.",
                               checked.state)  # fmt: skip
    if decision != "approve":
        grant = await service.live_grant(rt, session.person_id, found.app_id)
        need = service.consent_need(found, grant, checked.scopes)
        if need.needed or "consent" in checked.prompts:
            if "none" in checked.prompts:
                return _error_redirect(rt, checked.redirect_uri, "consent_required",
                                       "The person has not consented to these scopes.", checked.state)  # fmt: skip
            if not need.needed:  # prompt=consent: ask again for everything requested
                need = service.ConsentNeed(new_scopes=list(checked.scopes), granted_scopes=[])
            return _consent_page(request, rt, found, session, params, need, language, checked.redirect_uri)
    try:
        code = await service.approve(rt, CodeRequest(client=found, session=session, scopes=checked.scopes,
                                                     redirect_uri=checked.redirect_uri,
                                                     challenge=params["code_challenge"],
                                                     nonce=params.get("nonce") or None))  # fmt: skip
    except OAuthFailure as failure:  # the account closed meanwhile: the app hears it, as for any refusal
        return _error_redirect(rt, checked.redirect_uri, failure.error, failure.description, checked.state)
    return _redirect(rt, checked.redirect_uri, [("code", code)], checked.state)


async def authorize(request: HttpRequest) -> Response:
    return await _unless_unavailable(request, _authorize)


async def _authorize(request: HttpRequest) -> Response:
    rt = _runtime(request)
    language = pages.page_language(request)
    try:
        if request.method == "GET":
            params = _pairs(request.scope.get("query_string", b""), MAX_QUERY_BYTES)
        else:
            params = await _form(request)
    except BadRequest as bad:
        return _error_page(request, language, bad.template, bad.params)
    language = pages.page_language(request, params.get("ui_locales"))
    request.state.oauth_page_language = language
    session = await service.op_session(rt, request.cookies.get(COOKIE))
    checked = await _validate(request, rt, params, language, session)
    if isinstance(checked, Response):
        return checked
    decision = None
    if request.method == "POST":
        if session is None:
            return _login_page(request, rt, checked.client, params, language)
        if not _csrf_ok(rt, "consent", request.cookies.get(COOKIE), params.get("csrf_token")):
            return _error_page(request, language, "This form has expired. Go back to the app and start again.",
                               found=checked.client, status=403)  # fmt: skip
        decision = params.get("decision")
        if decision not in ("approve", "deny"):
            return _error_page(request, language, "Choose to allow or deny.", found=checked.client)
    return await _decide(request, rt, checked, session, language, decision=decision)


async def login(request: HttpRequest) -> Response:
    return await _unless_unavailable(request, _login)


async def _login(request: HttpRequest) -> Response:
    rt = _runtime(request)
    language = pages.page_language(request)
    try:
        params = await _form(request)
    except BadRequest as bad:
        return _error_page(request, language, bad.template, bad.params)
    language = pages.page_language(request, params.get("ui_locales"))
    request.state.oauth_page_language = language
    checked = await _validate(request, rt, params, language, None)
    if isinstance(checked, Response):
        return checked
    found = checked.client
    if not _csrf_ok(rt, "login", request.cookies.get(PRE_COOKIE), params.get("csrf_token")):
        message = translate("This form has expired; sign in again.", {}, language)
        return _login_page(request, rt, found, params, language, error=message, status=403)
    identifier = params.get("identifier", "")
    client = request.client
    try:
        cookie = await service.sign_in_at_op(
            rt,
            identifier,
            params.get("password", ""),
            user_agent=request.headers.get("user-agent"),
            address=client.host if client else None,
            # The apps engineer's keyword of auth.sign_in.login: a test persona signs in for its own sandbox app.
            persona_of_app=found.app_id if found.environment == "sandbox" else None,
        )
    except UnavailableError:
        raise  # the error page with 503 (_unless_unavailable), not the sign-in form
    except AppError as error:
        status = 429 if error.code == "RATE_LIMITED" else 400
        return _login_page(request, rt, found, params, language, error=translate(error.template, error.params,
                           language), identifier=identifier, status=status)  # fmt: skip
    back = _hidden(params)
    prompts = [p for p in (back.get("prompt") or "").split() if p != "login"]  # signed in just now
    if prompts:
        back["prompt"] = " ".join(prompts)
    else:
        back.pop("prompt", None)
    response = RedirectResponse("/oauth/authorize?" + urlencode(back), status_code=303)
    response.set_cookie(COOKIE, cookie, path="/oauth", httponly=True, samesite="lax", secure=_secure(rt))
    response.delete_cookie(PRE_COOKIE, path="/oauth")
    return response


# --- token, revocation, introspection -------------------------------------------------------------------------------------


async def _run_server(request: HttpRequest, run: str) -> Response:
    rt = _runtime(request)
    try:
        params = await _form(request)
    except BadRequest as bad:
        return _json_error("invalid_request", bad.description)
    oauth_request = _oauth_request(rt, request, params)
    server = Server(rt)

    def work() -> tuple[int, Any, list[tuple[str, str]]]:
        try:
            if run == "token":
                result: tuple[int, Any, list[tuple[str, str]]] = server.create_token_response(oauth_request)
            else:
                result = server.create_endpoint_response(run, oauth_request)
            return result
        except OAuth2Error as error:  # raised outside authlib's own handling (client authentication of endpoints)
            status, body, headers = error()
            return status, body, headers
        except ValueError:  # an authlib error whose description would quote a malformed parameter
            return 400, {"error": "invalid_request", "error_description": "A parameter holds characters it may "
                         "not."}, []  # fmt: skip

    try:
        status, body, headers = await in_thread(work)
    except UnavailableError as error:  # raised on the event loop by a storage hook, re-raised in authlib's thread
        response = _json_error("temporarily_unavailable", UNAVAILABLE, 503)
        response.headers["Retry-After"] = _retry_after(error)
        return response
    response = _json(status, body if isinstance(body, dict) else {}, headers)
    if run == "token" and status >= 400 and isinstance(body, dict) and body.get("error"):
        # The client's last failures, for its partner (App.tokenFailures): recorded after the answer is sent, so
        # recording can neither delay nor change it (partners.token_failures.record_failure never raises).
        client_id = basic_client_id(request.headers.get("authorization")) or params.get("client_id")
        # At most a few per (client, client address) a minute: partners.token_failures._allowed.
        address = request.client.host if request.client else None
        response.background = BackgroundTask(record_failure, rt, client_id, str(body["error"]),
                                             body.get("error_description"), params.get("grant_type"),
                                             address)  # fmt: skip
    return response


async def token(request: HttpRequest) -> Response:
    return await _run_server(request, "token")


async def revoke(request: HttpRequest) -> Response:
    return await _run_server(request, "revocation")


async def introspect(request: HttpRequest) -> Response:
    return await _run_server(request, "introspection")


# --- userinfo and discovery ------------------------------------------------------------------------------------------------


def _bearer_refusal(description: str, error: str = "invalid_token", status: int = 401) -> Response:
    response = _json_error(error, description, status)
    response.headers["WWW-Authenticate"] = f'Bearer error="{error}", error_description="{description}"'
    return response


#: userinfo's answer when the access log could not be written: no claims leave that are not on record.
LOG_NOT_WRITTEN = (
    "The personal data in this answer could not be recorded in the person's access log, so it was not sent; "
    "try again shortly."
)


def _unavailable(description: str, retry_after: float | None) -> Response:
    response = _json_error("temporarily_unavailable", description, 503)
    response.headers["Retry-After"] = str(max(1, math.ceil(retry_after or RETRY_AFTER_SECONDS)))
    return response


async def userinfo(request: HttpRequest) -> Response:
    """OIDC UserInfo: the claims of the granted scopes. The personal claims disclosed are written to the person's
    access log (``partners.access_log.write_reads``) before the answer leaves; if that fails the answer is 503
    ``temporarily_unavailable`` with ``Retry-After`` and no claims (fail closed, as /graphql)."""
    rt = _runtime(request)
    scheme, _, value = (request.headers.get("authorization") or "").partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return _bearer_refusal("Send the app access token as Authorization: Bearer <token>.", "invalid_request")
    try:
        info = await service.userinfo(rt, value.strip())
    except OAuthFailure as failure:
        return _bearer_refusal(failure.description, failure.error, failure.status)
    except UnavailableError as unavailable:
        return _unavailable("The database is unavailable; try again shortly.", unavailable.retry_after_seconds)
    request_id = str(getattr(request.state, "request_id", "") or uuid.uuid4().hex)
    try:
        await write_reads(rt, info.viewer, info.reads, request_id=request_id)
    except Exception as exc:
        log.error("access log not written: userinfo withheld", reads=len(info.reads.reads),
                  exc_info=(type(exc), exc, exc.__traceback__))  # fmt: skip
        retry = exc.retry_after_seconds if isinstance(exc, UnavailableError) else None
        return _unavailable(LOG_NOT_WRITTEN, retry)
    return _json(200, info.claims)


def metadata(rt: Runtime) -> dict[str, Any]:
    issuer = rt.settings.oauth_issuer
    return {
        "issuer": issuer,
        "authorization_endpoint": f"{issuer}/oauth/authorize",
        "token_endpoint": f"{issuer}/oauth/token",
        "userinfo_endpoint": f"{issuer}/oauth/userinfo",
        "jwks_uri": f"{issuer}/.well-known/jwks.json",
        "revocation_endpoint": f"{issuer}/oauth/revoke",
        "introspection_endpoint": f"{issuer}/oauth/introspect",
        "scopes_supported": [scope.name for scope in CATALOGUE],
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code", "refresh_token", "client_credentials"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
        "revocation_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
        "introspection_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "code_challenge_methods_supported": ["S256"],
        "claims_supported": [
            "sub",
            "iss",
            "aud",
            "azp",
            "exp",
            "iat",
            "auth_time",
            "nonce",
            "acr",
            "at_hash",
            "name",
            "phone_number",
            "phone_number_verified",
            "email",
            "email_verified",
            "birthdate",
            "ward",
            "verification_level",
        ],  # fmt: skip
        "acr_values_supported": ["0", "1", "2"],
        "prompt_values_supported": ["none", "login", "consent"],
        "ui_locales_supported": ["vi", "en"],
        "claims_parameter_supported": False,
        "request_parameter_supported": False,
        "request_uri_parameter_supported": False,
        "authorization_response_iss_parameter_supported": True,
        "person_scopes_supported": sorted(PERSON_SCOPES),
    }


async def openid_configuration(request: HttpRequest) -> Response:
    return JSONResponse(metadata(_runtime(request)), headers={"Cache-Control": "public, max-age=300"})


def routes() -> list[Route]:
    """The OP's routes, mounted by api.app."""
    return [
        Route("/oauth/authorize", authorize, methods=["GET", "POST"]),
        Route("/oauth/login", login, methods=["POST"]),
        Route("/oauth/token", token, methods=["POST"]),
        Route("/oauth/userinfo", userinfo, methods=["GET", "POST"]),
        Route("/oauth/revoke", revoke, methods=["POST"]),
        Route("/oauth/introspect", introspect, methods=["POST"]),
        Route("/.well-known/openid-configuration", openid_configuration, methods=["GET"]),
    ]
