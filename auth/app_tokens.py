"""Access tokens of partner apps (RFC 9068 JWT profile), signed by the same ``KeyRing`` as person tokens.

A person's own session token and an app's token never pass for each other: app tokens carry the JWS header
``typ: at+jwt`` and the OpenID Provider's issuer URL (``settings.oauth_issuer``), person tokens neither.

Claims: ``iss``, ``aud`` (``hanoismart-api``), ``sub`` (the person's pairwise subject for this app, or the
``client_id`` for a client-credentials token), ``client_id``, ``scope`` (space-separated), ``gid`` (the
person's grant; absent for client credentials), ``acr`` (the person's assurance level, "0".."2"), ``jti``,
``iat``, ``exp``. The internal person id is never in a token an app holds; ``/graphql`` maps ``gid`` to the
person with one read that also checks the grant is live and the app active.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

import jwt

from auth.tokens import InvalidTokenError, KeyRing

TOKEN_TYPE = "at+jwt"
AUDIENCE = KeyRing.AUDIENCE
_REQUIRED = ("sub", "client_id", "scope", "jti", "acr")


@dataclass(frozen=True)
class AppAccessClaims:
    subject: str  # pairwise subject, or the client id (client credentials)
    client_id: str
    scopes: frozenset[str]
    grant_id: str | None  # None: a client-credentials token (the app itself, no person)
    assurance_level: int
    token_id: str
    issued_at: datetime
    expires_at: datetime

    @property
    def scope(self) -> str:
        return " ".join(sorted(self.scopes))


def not_before_now(keyring: KeyRing) -> int:
    """``Grant.tokensNotBefore`` that ends every app access token issued up to now, by the clock tokens are issued
    with (``iat`` has whole seconds, so a token issued in this second is ended too)."""
    return int(keyring.now().timestamp()) + 1


def issue(
    keyring: KeyRing,
    *,
    issuer: str,
    subject: str,
    client_id: str,
    scopes: frozenset[str] | set[str],
    grant_id: str | None,
    assurance_level: int,
    ttl_seconds: int,
) -> tuple[str, AppAccessClaims]:
    """Sign an app access token; returns it with its claims."""
    if isinstance(assurance_level, bool) or assurance_level not in (0, 1, 2):
        raise ValueError("assurance_level must be 0, 1 or 2")
    if not subject or not client_id:
        raise ValueError("subject and client_id must be non-empty")
    iat = int(keyring.now().timestamp())
    payload: dict[str, object] = {
        "iss": issuer,
        "aud": AUDIENCE,
        "sub": subject,
        "client_id": client_id,
        "scope": " ".join(sorted(scopes)),
        "jti": uuid.uuid4().hex,
        "iat": iat,
        "exp": iat + ttl_seconds,
        "acr": str(assurance_level),
    }
    if grant_id is not None:
        payload["gid"] = grant_id
    token = keyring.sign(payload, typ=TOKEN_TYPE)
    return token, _claims(payload)


def verify(keyring: KeyRing, token: str, *, issuer: str) -> AppAccessClaims:
    """The claims of a valid app access token; ``InvalidTokenError`` on anything wrong."""
    payload = keyring.decode(token, typ=TOKEN_TYPE, issuer=issuer, audience=AUDIENCE, required=_REQUIRED)
    try:
        return _claims(payload)
    except (KeyError, TypeError, ValueError):
        raise InvalidTokenError() from None


def is_app_token(token: str) -> bool:
    """Whether a bearer token claims to be an app token (its unverified ``typ`` header); ``verify`` decides."""
    try:
        return jwt.get_unverified_header(token).get("typ") == TOKEN_TYPE
    except jwt.PyJWTError:
        return False


def _claims(payload: dict[str, object]) -> AppAccessClaims:
    sub, client_id, scope, jti, acr = (payload[k] for k in _REQUIRED)
    gid = payload.get("gid")
    if not all(isinstance(v, str) and v for v in (sub, client_id, jti)) or not isinstance(scope, str):
        raise ValueError("sub, client_id and jti must be non-empty strings, scope a string")
    if acr not in ("0", "1", "2") or not (gid is None or (isinstance(gid, str) and gid)):
        raise ValueError("acr must be '0', '1' or '2' and gid a non-empty string when present")
    iat, exp = payload["iat"], payload["exp"]
    assert isinstance(iat, int) and isinstance(exp, int)  # checked by KeyRing.decode / set by issue
    return AppAccessClaims(
        subject=str(sub),
        client_id=str(client_id),
        scopes=frozenset(scope.split()),
        grant_id=gid if isinstance(gid, str) else None,
        assurance_level=int(str(acr)),
        token_id=str(jti),
        issued_at=datetime.fromtimestamp(iat, UTC),
        expires_at=datetime.fromtimestamp(exp, UTC),
    )
