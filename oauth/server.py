"""authlib's server components, bound to the partner platform (authlib 1.9 has no Starlette or async server side).

One ``Server`` per HTTP request (registering the grants is a few list appends). authlib's grants are synchronous:

- **Authorize** (``oauth.endpoints``): the client is read *before* authlib runs (``prefetched``), and authlib's
  validation (``get_consent_grant``: response type, scope via ``Client.get_allowed_scope``, PKCE via
  ``S256Challenge``, OIDC ``prompt``/``nonce``) does no I/O, so it runs on the event loop. The code is issued by
  ``partners.authorization.approve`` (async), not by authlib's ``create_authorization_response``.
- **Token, revocation, introspection**: authlib runs in a worker thread (``in_thread``, a ``CapacityLimiter`` of
  ``THREADS``), and each storage hook hops back to the event loop with ``anyio.from_thread.run`` (``call``) to reach
  the async neo4j driver. A request holds one worker thread while it waits for Neo4j.

Overridden defaults of authlib: PKCE ``S256`` for every client (``plain`` and a missing challenge refused; stock
``CodeChallenge`` accepts ``plain`` and forces PKCE on public clients only); token lifetimes from the settings (never
``BearerTokenGenerator``'s 864000 s: the generator here is ours); client credentials with a person scope, an
unregistered scope or no app scope at all is ``invalid_scope`` (stock authlib issues a token with no scope); client
authentication answers with a precise ``error_description`` and 401 + ``WWW-Authenticate`` for every
``invalid_client``.
"""

from __future__ import annotations

import base64
import binascii
import logging
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar
from urllib.parse import unquote

import anyio
import anyio.from_thread
import anyio.to_thread
from authlib.oauth2.rfc6749 import (  # type: ignore[import-untyped]
    AuthorizationServer,
    ClientMixin,
    InvalidClientError,
    InvalidGrantError,
    InvalidRequestError,
    InvalidScopeError,
    OAuth2Error,
    OAuth2Request,
    UnauthorizedClientError,
    UnsupportedGrantTypeError,
)
from authlib.oauth2.rfc6749.grants import AuthorizationCodeGrant, ClientCredentialsGrant, RefreshTokenGrant  # type: ignore[import-untyped]
from authlib.oauth2.rfc6749.requests import BasicOAuth2Payload  # type: ignore[import-untyped]
from authlib.oauth2.rfc7009 import RevocationEndpoint  # type: ignore[import-untyped]
from authlib.oauth2.rfc7636 import CodeChallenge  # type: ignore[import-untyped]
from authlib.oauth2.rfc7662 import IntrospectionEndpoint  # type: ignore[import-untyped]
from authlib.oidc.core import AuthorizationCodeMixin  # type: ignore[import-untyped]
from authlib.oidc.core.grants import OpenIDCode  # type: ignore[import-untyped]

from core.runtime import Runtime
from partners import authorization as service
from partners.authorization import ClientRow, OAuthFailure, TokenSubject, UsedCode

T = TypeVar("T")

# authlib's grants log issued tokens at DEBUG ("Issue token %r to %r"): never let a secret reach the logs.
logging.getLogger("authlib").setLevel(logging.INFO)

#: Worker threads the token, revocation and introspection endpoints may hold at once (each waits on Neo4j).
THREADS = anyio.CapacityLimiter(20)

_JSON_HEADERS = [("Content-Type", "application/json"), ("Cache-Control", "no-store"), ("Pragma", "no-cache")]


def call(function: Callable[..., Coroutine[Any, Any, T]], *args: Any) -> T:
    """From authlib's worker thread: run an async service call on the event loop and wait for it."""
    return anyio.from_thread.run(function, *args)


async def in_thread(function: Callable[[], T]) -> T:
    return await anyio.to_thread.run_sync(function, limiter=THREADS)


def oauth_error(failure: OAuthFailure) -> OAuth2Error:
    """authlib's error for a refusal of the partner platform."""
    if failure.error == "invalid_client":
        return InvalidClientError(description=failure.description, status_code=401)
    return OAuth2Error(description=failure.description, status_code=failure.status, error=failure.error)


class Request(OAuth2Request):
    """An OAuth2Request over parameters already read (and checked) on the event loop. ``form`` is a real attribute:
    authlib's is a property that raises NotImplementedError, yet its CodeChallenge reads ``code_verifier`` there."""

    def __init__(self, method: str, uri: str, params: dict[str, str], headers: dict[str, str]) -> None:
        super().__init__(method, uri, headers=headers)
        self.payload = BasicOAuth2Payload(params)
        self._params = params

    @property
    def form(self) -> dict[str, str]:
        return self._params

    @property
    def args(self) -> dict[str, str]:
        return self._params


class Client(ClientMixin):
    """authlib's view of a client of ours."""

    def __init__(self, row: ClientRow) -> None:
        self.row = row
        self.client_id = row.client_id

    def get_client_id(self) -> str:
        return self.row.client_id

    def get_default_redirect_uri(self) -> None:
        return None  # redirect_uri is always required (exact match)

    def get_allowed_scope(self, scope: str | None) -> str:
        requested = (scope or "").split()
        try:
            service.check_scopes(self.row, requested)
        except OAuthFailure as failure:
            raise InvalidScopeError(description=failure.description) from None
        return " ".join(requested)

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri in self.row.redirect_uris

    def check_client_secret(self, client_secret: str) -> bool:
        return service.secret_matches(self.row, client_secret)

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method == self.row.auth_method

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        if grant_type == "client_credentials" and self.row.kind != "confidential":
            return False
        return grant_type in self.row.grant_types


class Code(AuthorizationCodeMixin):
    def __init__(self, row: UsedCode) -> None:
        self.row = row
        self.code_challenge = row.challenge
        self.code_challenge_method = row.challenge_method

    def get_redirect_uri(self) -> str:
        return self.row.redirect_uri

    def get_scope(self) -> str:
        return " ".join(self.row.scopes)

    def get_nonce(self) -> str | None:
        return self.row.nonce

    def get_auth_time(self) -> int:
        return self.row.auth_time

    def get_acr(self) -> str:
        return self.row.acr

    def get_amr(self) -> None:
        return None


class S256Challenge(CodeChallenge):
    """PKCE with S256 for every client, public or confidential: no challenge or ``plain`` is refused."""

    DEFAULT_CODE_CHALLENGE_METHOD = "S256"
    SUPPORTED_CODE_CHALLENGE_METHOD = ["S256"]

    def validate_code_challenge(self, grant: Any, redirect_uri: str) -> None:
        data = grant.request.payload.data
        if not data.get("code_challenge"):
            raise InvalidRequestError("code_challenge is required: PKCE with S256 for every client (RFC 7636).")
        if data.get("code_challenge_method") != "S256":
            raise InvalidRequestError("code_challenge_method must be S256; plain is not accepted.")
        if not isinstance(data["code_challenge"], str) or len(data["code_challenge"]) != 43:
            raise InvalidRequestError("code_challenge must be the 43-character BASE64URL(SHA256(code_verifier)).")
        super().validate_code_challenge(grant, redirect_uri)

    def validate_code_verifier(self, grant: Any, result: Any) -> None:
        if not grant.request.form.get("code_verifier"):
            raise InvalidRequestError("code_verifier is required (the PKCE secret behind the code_challenge).")
        try:
            super().validate_code_verifier(grant, result)
        except InvalidGrantError:
            raise InvalidGrantError(
                description="code_verifier does not match the code_challenge of the authorization request."
            ) from None


class IdToken(OpenIDCode):
    """The ID token of a code grant with ``openid``: signed by ``partners.authorization.id_token`` (RS256)."""

    def __init__(self, server: Server) -> None:
        super().__init__(require_nonce=False)
        self.server = server

    def exists_nonce(self, nonce: str, request: Any) -> bool:
        return False  # the nonce protects the relying party, which checks it in the ID token

    def process_token(self, grant: Any, response: Any) -> Any:
        _, token, _ = response
        if "openid" not in str(token.get("scope", "")).split():
            return token
        who: TokenSubject = grant.request.user
        token["id_token"] = service.id_token(self.server.rt, grant.request.client.row, who, token["access_token"])
        return token


class CodeGrant(AuthorizationCodeGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post", "none"]

    def query_authorization_code(self, code: str, client: Client) -> Code:
        redirect_uri = self.request.payload.redirect_uri
        try:
            found = call(service.redeem_code, self.server.rt, code, client.row.client_id, redirect_uri)
        except OAuthFailure as failure:
            raise oauth_error(failure) from None
        return Code(found)

    def authenticate_user(self, authorization_code: Code) -> TokenSubject:
        return service.subject_of_code(authorization_code.row)

    def delete_authorization_code(self, authorization_code: Code) -> None:
        pass  # used up when it was read (query_authorization_code)

    def save_authorization_code(self, code: str, request: Any) -> None:
        raise NotImplementedError("codes are issued by partners.authorization.approve")


class RefreshGrant(RefreshTokenGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post", "none"]

    def validate_token_request(self) -> None:
        client = self._validate_request_client()
        self.request.client = client
        token = self.request.form.get("refresh_token")
        if not token:
            raise InvalidRequestError("refresh_token is required.")
        requested = (self.request.payload.scope or "").split() or None
        try:
            who, successor = call(service.rotate_refresh_token, self.server.rt, token, client.row.client_id, requested)
        except OAuthFailure as failure:
            raise oauth_error(failure) from None
        self.request.user = who
        self.successor = successor

    def create_token_response(self) -> tuple[int, dict[str, Any], list[tuple[str, str]]]:
        who: TokenSubject = self.request.user
        client: Client = self.request.client
        access, ttl = service.access_token(self.server.rt, client.row.client_id, who, who.scopes)
        token = {"token_type": "Bearer", "access_token": access, "expires_in": ttl, "scope": " ".join(who.scopes),
                 "refresh_token": self.successor}  # fmt: skip
        return 200, token, _JSON_HEADERS


class CredentialsGrant(ClientCredentialsGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]

    def validate_token_request(self) -> None:
        client = self.authenticate_token_endpoint_client()
        if not client.check_grant_type(self.GRANT_TYPE):
            raise UnauthorizedClientError(description="This client may not use the client_credentials grant.")
        self.request.client = client
        requested = (self.request.payload.scope or "").split() or None
        try:
            self.scopes = service.client_credentials_scopes(client.row, requested)
        except OAuthFailure as failure:
            raise oauth_error(failure) from None

    def create_token_response(self) -> tuple[int, dict[str, Any], list[tuple[str, str]]]:
        client: Client = self.request.client
        who = TokenSubject(sub=client.row.client_id, grant_id=None, level=0, scopes=self.scopes)
        access, ttl = service.access_token(self.server.rt, client.row.client_id, who, self.scopes)
        token = {"token_type": "Bearer", "access_token": access, "expires_in": ttl, "scope": " ".join(self.scopes)}
        return 200, token, _JSON_HEADERS


class Revocation(RevocationEndpoint):
    """RFC 7009 (``partners.authorization.revoke``); any client of ours, authenticated as it registered."""

    CLIENT_AUTH_METHODS = ["client_secret_basic", "client_secret_post", "none"]

    def create_endpoint_response(self, request: Request) -> tuple[int, dict[str, Any], list[tuple[str, str]]]:
        client = self.authenticate_endpoint_client(request)
        token = request.form.get("token")
        if not token:
            raise InvalidRequestError("token is required.")
        hint = request.form.get("token_type_hint")
        if hint and hint not in self.SUPPORTED_TOKEN_TYPES:
            raise OAuth2Error(description="token_type_hint is access_token or refresh_token.",
                              error="unsupported_token_type")  # fmt: skip
        try:
            call(service.revoke, self.server.rt, token, client.row.client_id)
        except OAuthFailure as failure:
            raise oauth_error(failure) from None
        return 200, {}, _JSON_HEADERS


class Introspection(IntrospectionEndpoint):
    """RFC 7662 for confidential clients, about their own tokens (others': ``{"active": false}``)."""

    CLIENT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]

    def create_endpoint_response(self, request: Request) -> tuple[int, dict[str, Any], list[tuple[str, str]]]:
        client = self.authenticate_endpoint_client(request)
        token = request.form.get("token")
        if not token:
            raise InvalidRequestError("token is required.")
        body = call(service.introspect, self.server.rt, token, client.row.client_id)
        return 200, body, _JSON_HEADERS


class Server(AuthorizationServer):
    def __init__(self, rt: Runtime, prefetched: ClientRow | None = None) -> None:
        super().__init__(scopes_supported=None)
        self.rt = rt
        self.prefetched = prefetched
        self.register_token_generator("default", self._generate)
        self.register_grant(CodeGrant, [S256Challenge(required=True), IdToken(self)])
        self.register_grant(RefreshGrant)
        self.register_grant(CredentialsGrant)
        self.register_endpoint(Revocation(self))
        self.register_endpoint(Introspection(self))

    # --- storage ---------------------------------------------------------------------------------------------------
    def query_client(self, client_id: str) -> Client | None:
        if self.prefetched is not None and self.prefetched.client_id == client_id:
            return Client(self.prefetched)
        found = call(service.client, self.rt, client_id)
        return Client(found) if found is not None else None

    def save_token(self, token: dict[str, Any], request: Any) -> None:
        pass  # refresh tokens are stored by _generate; access and ID tokens are not stored

    def _generate(self, grant_type: str, client: Client, user: TokenSubject | None = None, scope: str | None = None,
                  expires_in: int | None = None, include_refresh_token: bool = True) -> dict[str, Any]:  # fmt: skip
        if user is None:
            raise InvalidRequestError("No person behind this grant.")
        scopes = (scope or "").split()
        access, ttl = service.access_token(self.rt, client.row.client_id, user, scopes)
        token: dict[str, Any] = {"token_type": "Bearer", "access_token": access, "expires_in": ttl,
                                 "scope": " ".join(scopes)}  # fmt: skip
        if include_refresh_token and user.grant_id and service.wants_refresh_token(client.row, scopes):
            token["refresh_token"] = call(service.new_refresh_token, self.rt, user.grant_id, scopes)
        return token

    def get_token_grant(self, request: Request) -> Any:
        """authlib's grant lookup, with a description for a grant type we do not serve (authlib's has none)."""
        try:
            return super().get_token_grant(request)
        except UnsupportedGrantTypeError as error:
            given = request.form.get("grant_type")
            said = "No grant_type was sent" if not given else "This grant_type is not supported"
            error.description = f"{said}: use authorization_code, refresh_token or client_credentials."
            raise

    # --- client authentication, precise -------------------------------------------------------------------------
    def authenticate_client(self, request: Request, methods: list[str], endpoint: str = "token") -> Client:
        basic = _basic_credentials(request.headers.get("Authorization") or request.headers.get("authorization"))
        form_id, form_secret = request.form.get("client_id"), request.form.get("client_secret")
        if basic is not None:
            if form_secret:
                raise InvalidRequestError("Authenticate the client one way only: HTTP Basic or client_secret_post.")
            if form_id and form_id != basic[0]:
                raise InvalidRequestError("client_id in the body differs from the one of HTTP Basic.")
            method, client_id, secret = "client_secret_basic", basic[0], basic[1]
        elif form_secret:
            method, client_id, secret = "client_secret_post", form_id or "", form_secret
        elif form_id:
            method, client_id, secret = "none", form_id, ""
        else:
            raise InvalidClientError(status_code=401, description="Authenticate the client: HTTP Basic, "
                                     "client_secret_post, or client_id alone for a public client.")  # fmt: skip
        client = self.query_client(client_id) if client_id else None
        if client is None:
            raise InvalidClientError(status_code=401, description="Unknown client_id: no app of HanoiSmart has "
                                     "this client (App.client.clientId shows yours; it starts with hsc_).")  # fmt: skip
        row = client.row
        if row.status != "active":
            raise InvalidClientError(status_code=401, description="The app of this client is suspended.")
        if method != row.auth_method:
            raise InvalidClientError(status_code=401, description=f"This client authenticates with "
                                     f"{AUTH_METHODS[row.auth_method]}; the request used "
                                     f"{AUTH_METHODS.get(method, method)}.")  # fmt: skip
        if method not in methods:
            raise InvalidClientError(status_code=401, description=_needs_confidential(request, endpoint))
        if method != "none" and not service.secret_matches(row, secret):
            if service.secret_expired(row, secret):
                raise InvalidClientError(status_code=401, description="This client secret was rotated and its "
                                         "overlap has ended: send the current secret (App.client.secrets shows "
                                         "the last 4 characters of each secret that works).")  # fmt: skip
            raise InvalidClientError(status_code=401, description="The client secret is wrong: it is neither the "
                                     "current secret nor a rotated one still in its overlap.")  # fmt: skip
        request.auth_method = method
        return client

    # --- glue ------------------------------------------------------------------------------------------------------
    def create_oauth2_request(self, request: Request) -> Request:
        return request

    def handle_response(self, status: int, body: Any, headers: list[tuple[str, str]]) -> tuple[int, Any, list]:
        return status, body, headers

    def send_signal(self, name: str, *args: Any, **kwargs: Any) -> None:
        pass


#: How each client authentication method is named in an ``invalid_client`` description.
AUTH_METHODS = {
    "client_secret_basic": "client_secret_basic (HTTP Basic client_id:client_secret)",
    "client_secret_post": "client_secret_post (client_id and client_secret in the form)",
    "none": "none (client_id alone, no secret)",
}
#: Grant types named as such in a description (anything else is not quoted back).
GRANT_TYPES = ("authorization_code", "refresh_token", "client_credentials")


def _needs_confidential(request: Request, endpoint: str) -> str:
    """Why a public client (client_id alone) is refused by an endpoint or grant that takes confidential ones only."""
    grant = request.form.get("grant_type")
    what = f"grant_type={grant}" if endpoint == "token" and grant in GRANT_TYPES else f"The {endpoint} endpoint"
    return (
        f"{what} is for confidential clients authenticating with their secret; this is a public client (it sends "
        "its client_id alone)."
    )


def basic_client_id(header: str | None) -> str | None:
    """The client_id of an HTTP Basic header, None without a readable one (never raises)."""
    try:
        found = _basic_credentials(header)
    except OAuth2Error:
        return None
    return found[0] if found else None


def _basic_credentials(header: str | None) -> tuple[str, str] | None:
    """(client_id, secret) of an HTTP Basic header (RFC 6749 2.3.1: each form-urlencoded); None without one."""
    if not header:
        return None
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise InvalidClientError(status_code=401, description="The HTTP Basic credentials are not valid base64 "
                                 "of client_id:client_secret.") from None  # fmt: skip
    client_id, sep, secret = decoded.partition(":")
    if not sep or not client_id or not secret:
        raise InvalidClientError(status_code=401, description="HTTP Basic must carry client_id:client_secret.")
    return unquote(client_id), unquote(secret)
