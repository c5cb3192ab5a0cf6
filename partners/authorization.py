"""The OpenID Provider's rules: who may sign in to which app, when consent is needed, grants as consent stores them,
authorization codes, app access / refresh / ID tokens, revocation, introspection and userinfo.

The HTTP side (``oauth/``) parses requests and drives authlib's grants; everything that reads or writes the graph,
and every decision, is here. A refusal is an ``OAuthFailure`` (an RFC 6749 error code, a precise English
``error_description``, the HTTP status); the person-facing refusals of the authorize step are ``PageRefusal`` (an
English template for the page, translated by the caller).

- **Codes**: 43 url-safe characters (256 bits), stored as SHA-256 hex only, ``authorization_code_ttl_seconds``,
  bound to the client, the exact redirect URI, the S256 challenge, the nonce, the ``acr`` and ``auth_time``, the
  requested scopes. Single use: the first redemption uses the code up under a write lock whatever happens next (a
  wrong verifier or redirect URI burns it too); a later one is ``invalid_grant``.
- **Grants**: approving upserts the one live grant of (person, app): the union of its scopes and the requested ones,
  the app's purposes for them (a snapshot), ``expiresAt = now + grant_ttl_days``, ``sub`` = the pairwise subject.
- **Refresh tokens**: issued only when the person granted ``offline_access`` (OIDC Core 11) and the client may use
  the ``refresh_token`` grant. Rotated at each use; a used one presented again (a stolen copy, or a client that lost
  a response: there is no grace period) uses up every refresh token of the grant and sets
  ``Grant.tokensNotBefore`` past every access token issued so far, so those die at their next use.
- **Ending access tokens** (``tokensNotBefore`` = now + 1 s, the ``iat`` granularity): revoking an access token
  (RFC 7009) ends every access token of its grant issued up to now; refresh tokens stay.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from neo4j import AsyncManagedTransaction

from auth import app_tokens, sign_in
from auth.tokens import InvalidTokenError
from auth.viewer import Viewer
from core.errors import UnauthenticatedError
from core.runtime import Runtime
from graph import oauth as queries
from graph.oauth import ClientRow, GrantRow, GrantState, LockedRefreshToken, OpSessionRow, UsedCode
from identity.views import persons_by_ids
from partners.app_access import viewer_from_app_token
from partners.pairwise import subject as pairwise_subject
from partners.reads import ReadSet
from partners.scopes import BY_NAME, PERSONAL_SCOPES, ScopeKind

__all__ = ["ClientRow", "GrantRow", "OpSessionRow", "UsedCode"]

#: Lifetime of an ID token: it proves a sign-in that just happened, it is not a session.
ID_TOKEN_TTL_SECONDS = 300
#: Longest code, refresh token or access token accepted as input (ours are 43 and ~700 characters).
MAX_TOKEN_LENGTH = 4096
HOUSEKEEPING_BATCH = 500
HOUSEKEEPING_MAX_BATCHES = 10


class OAuthFailure(Exception):
    """A refusal in the protocol's terms: ``error`` (RFC 6749 / 7009 / 7662 / OIDC), ``description`` (ASCII)."""

    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(description)
        self.error, self.description, self.status = error, description, status


class PageRefusal(Exception):
    """A refusal shown to the person on a page (never redirected): an English template and its params."""

    def __init__(self, template: str, params: dict[str, Any] | None = None, status: int = 400) -> None:
        super().__init__(template)
        self.template, self.params, self.status = template, params or {}, status


def digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _new_secret() -> str:
    return secrets.token_urlsafe(32)


# --- clients -----------------------------------------------------------------------------------------------------------


async def client(rt: Runtime, client_id: str) -> ClientRow | None:
    if not client_id or len(client_id) > 200:
        return None
    return await rt.graph.read(queries.client, client_id)


def secret_matches(found: ClientRow, secret: str) -> bool:
    """Whether ``secret`` is one of the client's live secrets (the current one, or a rotated one before its
    ``expiresAt``), compared by SHA-256 in constant time."""
    presented = digest(secret)
    return any(hmac.compare_digest(presented, stored) for stored in found.secret_hashes)


def secret_expired(found: ClientRow, secret: str) -> bool:
    """Whether ``secret`` is a rotated secret of the client whose overlap has ended."""
    presented = digest(secret)
    return any(hmac.compare_digest(presented, stored) for stored in found.expired_secret_hashes)


def purposes_of(found: ClientRow) -> dict[str, dict[str, str]]:
    try:
        value = json.loads(found.purposes or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


# --- the authorize step -------------------------------------------------------------------------------------------------


def check_scopes(found: ClientRow, requested: list[str]) -> None:
    """The requested scopes must be person scopes the app registered (``invalid_scope`` otherwise)."""
    if not requested:
        raise OAuthFailure("invalid_scope", "Ask for at least one scope (for example 'openid').")
    for name in requested:
        scope = BY_NAME.get(name)
        if scope is None:
            raise OAuthFailure("invalid_scope", f"Unknown scope '{_ascii(name)}'.")
        if scope.kind is not ScopeKind.PERSON:
            raise OAuthFailure("invalid_scope", f"'{name}' is an app scope (client credentials), not a person's.")
        if name not in found.scopes:
            raise OAuthFailure("invalid_scope", f"The app did not register the scope '{name}'.")


def check_person(found: ClientRow, session: OpSessionRow, requested: list[str]) -> None:
    """Who may sign in: a sandbox app only its own test personas (a page says so to anyone else); a production app
    no test persona. A scope above the person's verification level is ``access_denied``."""
    if found.environment == "sandbox":
        if not (session.persona and session.persona_of_app_id == found.app_id):
            raise PageRefusal(
                "{app} is still in its test phase (sandbox): only its test accounts can sign in to it, not real "
                "HanoiSmart accounts.",
                {"app": found.name},
                status=403,
            )
    elif session.persona:
        raise PageRefusal("A test account can only sign in to the sandbox app it was made for.", status=403)
    for name in requested:
        needed = BY_NAME[name].min_level
        if needed > session.level:
            raise OAuthFailure(
                "access_denied",
                f"The scope '{name}' needs a person verified at level {needed}; this person is at level "
                f"{session.level}.",
            )


@dataclass(frozen=True)
class ConsentNeed:
    """What the consent page shows: the scopes not granted yet (or whose purpose changed), those already granted."""

    new_scopes: list[str]
    granted_scopes: list[str]

    @property
    def needed(self) -> bool:
        return bool(self.new_scopes)


def consent_need(found: ClientRow, grant: GrantRow | None, requested: list[str]) -> ConsentNeed:
    """A requested scope needs consent unless the live grant holds it with the purpose the app states today."""
    granted = set(grant.scopes) if grant else set()
    shown: dict[str, Any] = {}
    if grant:
        try:
            shown = json.loads(grant.purposes or "{}")
        except ValueError:
            shown = {}
    current = purposes_of(found)
    new = [s for s in requested if s not in granted or shown.get(s) != current.get(s)]
    return ConsentNeed(new_scopes=new, granted_scopes=sorted(granted - set(new)))


async def live_grant(rt: Runtime, person_id: str, app_id: str) -> GrantRow | None:
    return await rt.graph.read(queries.live_grant, person_id, app_id)


# --- signing in at the OP -------------------------------------------------------------------------------------------


async def sign_in_at_op(
    rt: Runtime,
    identifier: str,
    password: str,
    *,
    user_agent: str | None,
    address: str | None,
    persona_of_app: str | None,
) -> str:
    """Sign in with ``auth.sign_in.login`` (its throttles, its errors) and mark the new session as an OP session;
    returns the cookie value ``<session id>.<secret>`` (the secret is stored as SHA-256 only).

    ``persona_of_app``: the sandbox app whose test personas may sign in (``auth.sign_in.login``'s keyword)."""
    tokens = await sign_in.login(
        rt, identifier, password, user_agent=user_agent, address=address, persona_of_app=persona_of_app
    )
    secret = _new_secret()
    await rt.graph.write(queries.mark_op_session, tokens.session_id, digest(secret))
    return f"{tokens.session_id}.{secret}"


async def op_session(rt: Runtime, cookie: str | None) -> OpSessionRow | None:
    """The person signed in at the OP by this cookie, while their session is open."""
    if not cookie or len(cookie) > 200 or "." not in cookie:
        return None
    session_id, _, secret = cookie.partition(".")
    if not session_id or not secret:
        return None
    return await rt.graph.read(queries.op_session, session_id, digest(secret))


# --- approving: the grant and the code --------------------------------------------------------------------------------


@dataclass(frozen=True)
class CodeRequest:
    """A validated authorization request, approved by its person."""

    client: ClientRow
    session: OpSessionRow
    scopes: list[str]
    redirect_uri: str
    challenge: str
    nonce: str | None


async def approve(rt: Runtime, request: CodeRequest) -> str:
    """Upsert the person's one live grant to the app and issue an authorization code (returned; stored hashed), in
    one transaction under a lock on the person."""
    found, session, settings = request.client, request.session, rt.settings
    code = secrets.token_urlsafe(32)
    purposes = purposes_of(found)

    async def work(tx: AsyncManagedTransaction) -> None:
        if not await queries.lock_person(tx, session.person_id):
            raise OAuthFailure("access_denied", "The person's account is closed.")
        grant = await queries.live_grant(tx, session.person_id, found.app_id)
        scopes = sorted(set(grant.scopes if grant else []) | set(request.scopes))
        snapshot = json.dumps({s: purposes[s] for s in scopes if s in purposes}, ensure_ascii=False, sort_keys=True)
        if grant is not None:
            grant_id = grant.id
            await queries.update_grant(tx, grant_id, scopes, snapshot, settings.grant_ttl_days)
        else:
            grant_id = str(uuid.uuid4())
            sub = pairwise_subject(rt.pairwise_key, found.sector_id, session.person_id)
            await queries.create_grant(tx, grant_id=grant_id, person_id=session.person_id, app_id=found.app_id,
                                       sub=sub, scopes=scopes, purposes=snapshot,
                                       ttl_days=settings.grant_ttl_days)  # fmt: skip
        await queries.create_code(tx, code_hash=digest(code), grant_id=grant_id, client_id=found.client_id,
                                  redirect_uri=request.redirect_uri, challenge=request.challenge, nonce=request.nonce,
                                  acr=str(session.level), auth_time=session.auth_time, scopes=list(request.scopes),
                                  ttl_seconds=settings.authorization_code_ttl_seconds)  # fmt: skip

    await rt.graph.write(work)
    return code


# --- the token endpoint --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TokenSubject:
    """Whom an app token speaks for: a person under a grant, or (``grant_id`` None) the app itself."""

    sub: str
    grant_id: str | None
    level: int
    scopes: list[str]
    nonce: str | None = None
    auth_time: int | None = None
    acr: str | None = None


def _grant_usable(found: GrantState, what: str) -> None:
    """The grant behind a code or refresh token still stands (``grant_holds``: ``graph.rules.app_grant_holds``, the
    rule an access token meets at /graphql); the other columns only say why not. A sandbox app serves its own test
    personas only."""
    if not found.grant_holds:
        if found.app_status != "active":
            raise OAuthFailure("invalid_grant", "The app is suspended.")
        if found.person_status != "active":
            raise OAuthFailure("invalid_grant", "The person's account is closed.")
        raise OAuthFailure("invalid_grant", f"The person's consent behind this {what} was revoked or has expired.")
    if found.environment == "sandbox" and not found.persona_of_app:
        raise OAuthFailure("invalid_grant", "A sandbox app only serves its own test personas.")


async def redeem_code(rt: Runtime, code: str, client_id: str, redirect_uri: str | None) -> UsedCode:
    """Use up an authorization code (first redemption wins) and check it against the client and redirect URI;
    the PKCE verifier is checked by the caller (authlib's CodeChallenge) with the returned challenge. A code
    presented again ends every token of its grant (``invalid_grant`` all the same)."""
    if not code or len(code) > MAX_TOKEN_LENGTH:
        raise OAuthFailure("invalid_grant", "The authorization code is unknown.")

    async def work(tx: AsyncManagedTransaction) -> UsedCode | None:
        used = await queries.use_code(tx, digest(code))
        if used is not None and used.used:
            # RFC 6749 4.1.2: a code redeemed twice was likely stolen; the tokens issued from it end (the grant's
            # access tokens up to now and every refresh token of the grant), in the same transaction.
            await queries.end_grant_tokens(
                tx, used.grant_id, app_tokens.not_before_now(rt.keyring), refresh_tokens=True
            )
        return used

    found = await rt.graph.write(work)
    if found is None:
        raise OAuthFailure("invalid_grant", "The authorization code is unknown or has been deleted after expiring.")
    if found.client_id != client_id:
        raise OAuthFailure("invalid_grant", "The authorization code was issued to another client.")
    if found.used:
        raise OAuthFailure(
            "invalid_grant",
            "The authorization code was already used; codes are single use. The tokens issued from it are revoked.",
        )
    if found.expired:
        raise OAuthFailure("invalid_grant", "The authorization code has expired; start the authorization again.")
    if redirect_uri != found.redirect_uri:
        raise OAuthFailure(
            "invalid_grant", "redirect_uri must be exactly the one of the authorization request that gave this code."
        )
    _grant_usable(found, "code")
    return found


def subject_of_code(found: UsedCode) -> TokenSubject:
    return TokenSubject(sub=found.sub, grant_id=found.grant_id, level=found.level, scopes=list(found.scopes),
                        nonce=found.nonce, auth_time=found.auth_time, acr=found.acr)  # fmt: skip


def access_token(rt: Runtime, client_id: str, who: TokenSubject, scopes: Iterable[str]) -> tuple[str, int]:
    """An app access token (``auth.app_tokens``) and its lifetime in seconds."""
    ttl = rt.settings.app_access_token_ttl_seconds
    token, _ = app_tokens.issue(rt.keyring, issuer=rt.settings.oauth_issuer, subject=who.sub, client_id=client_id,
                                scopes=set(scopes), grant_id=who.grant_id,
                                assurance_level=who.level if who.grant_id else 0, ttl_seconds=ttl)  # fmt: skip
    return token, ttl


def wants_refresh_token(found: ClientRow, scopes: Iterable[str]) -> bool:
    """Refresh tokens only for a grant with ``offline_access`` and a client allowed the ``refresh_token`` grant."""
    return "offline_access" in set(scopes) and "refresh_token" in found.grant_types


async def new_refresh_token(rt: Runtime, grant_id: str, scopes: list[str]) -> str:
    token = _new_secret()
    await rt.graph.write(
        queries.create_refresh_token, grant_id, digest(token), scopes, rt.settings.app_refresh_token_ttl_days
    )
    return token


async def rotate_refresh_token(
    rt: Runtime, token: str, client_id: str, requested: list[str] | None
) -> tuple[TokenSubject, str]:
    """Use a refresh token up for a new one (same scopes), or detect its reuse: a used token presented again uses up
    every refresh token of the grant and ends its access tokens (``tokensNotBefore``), then ``invalid_grant``."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        raise OAuthFailure("invalid_grant", "The refresh token is unknown.")
    successor = _new_secret()
    settings = rt.settings

    async def work(tx: AsyncManagedTransaction) -> tuple[str, LockedRefreshToken | None]:
        found = await queries.lock_refresh_token(tx, digest(token))
        if found is None:
            return "unknown", None
        if found.client_id != client_id:
            return "other_client", found
        if found.revoked:
            return "revoked", found
        if found.used:
            await queries.end_grant_tokens(
                tx, found.grant_id, app_tokens.not_before_now(rt.keyring), refresh_tokens=True
            )
            return "reused", found
        if found.expired:
            return "expired", found
        if requested and not set(requested) <= set(found.scopes):
            return "scope", found
        try:
            _grant_usable(found, "refresh token")
        except OAuthFailure:
            return "unusable", found
        await queries.use_refresh_token(tx, digest(token))
        await queries.create_refresh_token(tx, found.grant_id, digest(successor), list(found.scopes),
                                           settings.app_refresh_token_ttl_days)  # fmt: skip
        return "ok", found

    status, found = await rt.graph.write(work)
    if status == "unknown" or found is None:
        raise OAuthFailure("invalid_grant", "The refresh token is unknown.")
    if status == "other_client":
        raise OAuthFailure("invalid_grant", "The refresh token was issued to another client.")
    if status == "reused":
        raise OAuthFailure(
            "invalid_grant",
            "The refresh token was already used: every token of this grant is now revoked; ask the person to sign "
            "in again.",
        )
    if status == "revoked":
        raise OAuthFailure("invalid_grant", "The refresh token was revoked; ask the person to sign in again.")
    if status == "expired":
        raise OAuthFailure("invalid_grant", "The refresh token has expired; ask the person to sign in again.")
    if status == "scope":
        raise OAuthFailure("invalid_scope", "A refresh can only ask for scopes of the original grant.")
    if status == "unusable":
        _grant_usable(found, "refresh token")
    scopes = list(requested) if requested else list(found.scopes)
    who = TokenSubject(sub=found.sub, grant_id=found.grant_id, level=found.level, scopes=scopes)
    return who, successor


def client_credentials_scopes(found: ClientRow, requested: list[str] | None) -> list[str]:
    """App scopes the app registered; a person scope or an unregistered one is ``invalid_scope`` (never a token
    with no scope). Without ``scope``, every app scope the app registered."""
    registered = [s for s in found.scopes if s in BY_NAME and BY_NAME[s].kind is ScopeKind.APP]
    if not requested:
        if not registered:
            raise OAuthFailure("invalid_scope", "The app registered no app scope (such as places.read) to ask for.")
        return sorted(registered)
    for name in requested:
        scope = BY_NAME.get(name)
        if scope is None:
            raise OAuthFailure("invalid_scope", f"Unknown scope '{_ascii(name)}'.")
        if scope.kind is not ScopeKind.APP:
            raise OAuthFailure(
                "invalid_scope", f"'{name}' is a person scope: only a person can grant it (authorization code flow)."
            )
        if name not in found.scopes:
            raise OAuthFailure("invalid_scope", f"The app did not register the scope '{name}'.")
    return sorted(set(requested))


def id_token(rt: Runtime, found: ClientRow, who: TokenSubject, access: str) -> str:
    """The ID token (RS256): ``iss``, ``sub`` (pairwise), ``aud`` and ``azp`` (the client), ``iat``, ``exp``
    (``ID_TOKEN_TTL_SECONDS``), ``auth_time``, ``nonce``, ``acr``, ``at_hash``."""
    key = rt.id_token_key
    if key is None:
        raise RuntimeError("No ID token key: api.app.build_runtime sets Runtime.id_token_key")
    now = int(rt.keyring.now().timestamp())
    half = hashlib.sha256(access.encode("ascii")).digest()[:16]
    claims: dict[str, Any] = {
        "iss": rt.settings.oauth_issuer,
        "sub": who.sub,
        "aud": found.client_id,
        "azp": found.client_id,
        "iat": now,
        "exp": now + ID_TOKEN_TTL_SECONDS,
        "auth_time": who.auth_time or now,
        "acr": who.acr or str(who.level),
        "at_hash": _b64url(half),
    }
    if who.nonce:
        claims["nonce"] = who.nonce
    return key.sign(claims)


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _ascii(value: str) -> str:
    """A caller's value safe inside an ``error_description`` (RFC 6749: printable ASCII, no quote or backslash)."""
    return "".join(c if 0x20 <= ord(c) <= 0x7E and c not in '"\\' else "?" for c in value[:60])


# --- revocation, introspection, userinfo --------------------------------------------------------------------------------


@dataclass(frozen=True)
class AppToken:
    """An access token of ours, verified; ``live`` when it still holds (``partners.app_access.viewer_from_app_token``
    accepts it: the one rule /graphql applies)."""

    claims: app_tokens.AppAccessClaims
    live: bool


def _access_claims(rt: Runtime, token: str) -> app_tokens.AppAccessClaims | None:
    """The claims of a valid app access token of ours (signature, issuer, audience, lifetime); None otherwise."""
    if not token or len(token) > MAX_TOKEN_LENGTH or not app_tokens.is_app_token(token):
        return None
    try:
        return app_tokens.verify(rt.keyring, token, issuer=rt.settings.oauth_issuer)
    except InvalidTokenError:
        return None


async def _app_viewer(rt: Runtime, token: str) -> Viewer | None:
    """The app viewer of the token as /graphql sees it; None when it no longer holds (UNAUTHENTICATED there)."""
    try:
        return await viewer_from_app_token(rt, token)
    except UnauthenticatedError:
        return None


async def verified_access_token(rt: Runtime, token: str) -> AppToken | None:
    """The app access token's claims and whether it still holds; None when it is not a valid one of ours."""
    claims = _access_claims(rt, token)
    if claims is None:
        return None
    return AppToken(claims, await _app_viewer(rt, token) is not None)


async def revoke(rt: Runtime, token: str, client_id: str) -> None:
    """RFC 7009: a refresh token of this client is used up; an access token of this client ends every access token
    of its grant issued up to now (its refresh tokens stay). Unknown tokens: nothing to do (the answer is 200).
    Another client's token is ``unauthorized_client``."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return
    state = await rt.graph.read(queries.refresh_token, digest(token))
    if state is not None:
        if state.client_id != client_id:
            raise OAuthFailure("unauthorized_client", "This token was issued to another client.")
        await rt.graph.write(queries.revoke_refresh_token, digest(token))
        return
    access = await verified_access_token(rt, token)
    if access is None:
        return
    if access.claims.client_id != client_id:
        raise OAuthFailure("unauthorized_client", "This token was issued to another client.")
    if access.claims.grant_id is not None:
        await rt.graph.write(
            queries.end_grant_tokens,
            access.claims.grant_id,
            app_tokens.not_before_now(rt.keyring),
            refresh_tokens=False,
        )


async def introspect(rt: Runtime, token: str, client_id: str) -> dict[str, Any]:
    """RFC 7662 for the client's own tokens; another client's, or a dead or unknown token, is ``{"active": false}``."""
    inactive: dict[str, Any] = {"active": False}
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return inactive
    access = await verified_access_token(rt, token)
    if access is not None:
        claims = access.claims
        if not access.live or claims.client_id != client_id:
            return inactive
        return {"active": True, "token_type": "access_token", "scope": claims.scope, "client_id": claims.client_id,
                "sub": claims.subject, "aud": app_tokens.AUDIENCE, "iss": rt.settings.oauth_issuer,
                "iat": int(claims.issued_at.timestamp()), "exp": int(claims.expires_at.timestamp()),
                "jti": claims.token_id, "acr": str(claims.assurance_level)}  # fmt: skip
    state = await rt.graph.read(queries.refresh_token, digest(token))
    if state is None or not state.active or state.client_id != client_id:
        return inactive
    return {"active": True, "token_type": "refresh_token", "scope": " ".join(sorted(state.scopes)),
            "client_id": state.client_id, "sub": state.sub, "iss": rt.settings.oauth_issuer,
            "iat": state.issued_at, "exp": state.expires_at}  # fmt: skip


@dataclass(frozen=True)
class UserInfo:
    """A userinfo answer: the ``claims``, the ``viewer`` the token stands for (the app acting for its grant's person,
    as /graphql sees it) and the ``reads`` of personal data the claims disclose, for the person's access log."""

    claims: dict[str, Any]
    viewer: Viewer
    reads: ReadSet


#: userinfo's refusal when the token is ours and well formed but no longer holds (``viewer_from_app_token``).
ACCESS_ENDED = (
    "The person's consent behind this access token was revoked or has expired, the token was revoked, the app is "
    "suspended or the person's account is closed; ask the person to sign in again."
)


async def userinfo(rt: Runtime, token: str) -> UserInfo:
    """The claims of the person behind an app access token, by granted scope: ``sub`` always; ``name``
    (profile.basic); ``phone_number``/``email`` and their ``_verified`` flags (contact.read); ``birthdate``
    (birthdate.read); ``ward`` {code, name} (ward.read); ``verification_level`` (profile.verification).

    The token must hold by the one rule /graphql applies (``partners.app_access.viewer_from_app_token``), and the
    person is read through the one privacy exit (``identity.views.persons_by_ids``) as that viewer sees them (the app
    is the person themself for its grant's person: ``identity.privacy.relation_of``), so userinfo and ``me`` never
    disagree. ``OAuthFailure("invalid_token")`` when the token is not a valid one of ours, no longer holds, is a
    client-credentials token (no person), or its person is not one the app may see (a sandbox app's real person)."""
    if not token or len(token) > MAX_TOKEN_LENGTH or not app_tokens.is_app_token(token):
        raise OAuthFailure("invalid_token", "Send an app access token of this provider as a Bearer token.", 401)
    claims = _access_claims(rt, token)
    if claims is None:
        raise OAuthFailure("invalid_token", "The access token is invalid or expired.", 401)
    if claims.grant_id is None:
        raise OAuthFailure("invalid_token", "A client-credentials token speaks for no person: no userinfo.", 401)
    viewer = await _app_viewer(rt, token)
    if viewer is None or viewer.actor_id is None:
        raise OAuthFailure("invalid_token", ACCESS_ENDED, 401)
    person_id = viewer.actor_id
    (person,) = await persons_by_ids(rt, viewer, [person_id])
    if person is None:
        raise OAuthFailure("invalid_token", "A sandbox app only serves its own test personas.", 401)
    scopes = viewer.scopes
    reads = ReadSet()
    answer: dict[str, Any] = {"sub": claims.subject}

    def disclose(claim: str, value: Any, scope: str, coordinate: str) -> bool:
        if scope not in scopes or value is None:
            return False
        answer[claim] = value
        if scope in PERSONAL_SCOPES:
            reads.record(person_id, coordinate, scope=scope, basis="grant")
        return True

    disclose("name", person.display_name or None, "profile.basic", "Person.displayName")
    if disclose("phone_number", person.phone, "contact.read", "Person.phone"):
        answer["phone_number_verified"] = bool(person.phone_verified)
    if disclose("email", person.email, "contact.read", "Person.email"):
        answer["email_verified"] = bool(person.email_verified)
    birth = person.date_of_birth.isoformat() if person.date_of_birth is not None else None
    disclose("birthdate", birth, "birthdate.read", "Person.dateOfBirth")
    ward = {"code": person.ward.code, "name": person.ward.name} if person.ward is not None else None
    disclose("ward", ward, "ward.read", "Person.ward")
    disclose("verification_level", person.assurance_level, "profile.verification", "Person.verificationLevel")
    return UserInfo(claims=answer, viewer=viewer, reads=reads)


# --- housekeeping -------------------------------------------------------------------------------------------------------


async def purge_expired(rt: Runtime) -> dict[str, int]:
    """Delete expired authorization codes and expired app refresh tokens, in bounded batches."""
    jobs = {"codes": queries.purge_codes, "refresh_tokens": queries.purge_refresh_tokens}
    purged: dict[str, int] = {}
    for name, job in jobs.items():
        purged[name] = 0
        for _ in range(HOUSEKEEPING_MAX_BATCHES):
            count = await rt.graph.write(job, HOUSEKEEPING_BATCH)
            purged[name] += count
            if count < HOUSEKEEPING_BATCH:
                break
    return purged
