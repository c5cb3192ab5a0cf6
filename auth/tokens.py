"""Access tokens: short-lived JWTs signed with Ed25519 (JWS ``alg`` "EdDSA").

Keys live in one folder (0700): ``keys.json`` lists them (``kid``, ``created_at``, ``retired_at``) and
``<kid>.pem`` holds each PKCS8 private key (0600). The ``kid`` is the RFC 7638 JWK thumbprint.

Rotation policy: the newest key is the only one that signs. ``rotate()`` creates a new key and stamps
the previous one ``retired_at = now``. A retired key can only have signed tokens that expire by
``retired_at + access_ttl``, so it stays published in ``jwks()`` and accepted by ``verify()`` until
``retired_at + access_ttl + 60 s``; after that window its tokens are refused, and the next
``load_or_create()``/``rotate()`` drops it from ``keys.json`` and deletes its ``.pem``.

Files are written to a temporary name and ``os.replace``d, so a crash never leaves a half-written one;
``load_or_create()``/``rotate()`` hold an ``flock`` on ``.lock`` so processes sharing the folder do not
race. Expiry is checked against the injected clock, with at most 30 s of leeway.
"""

from __future__ import annotations

import base64
import fcntl
import hashlib
import hmac
import json
import os
import re
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import jwt
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
    load_pem_private_key,
)  # fmt: skip

from core.errors import UnauthenticatedError

ALGORITHM = "EdDSA"
LEEWAY = timedelta(seconds=30)  # clock skew tolerated on exp / iat
PUBLICATION_LEEWAY = timedelta(seconds=60)  # extra time a retired key stays published
RELOAD_INTERVAL = 5.0  # seconds between looks at keys.json for a rotation made elsewhere
REQUIRED_CLAIMS = ("sub", "sid", "jti", "exp", "iat", "acr")
ASSURANCE_LEVELS = ("0", "1", "2")
_KID = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
# pyjwt would check exp/iat against the real clock; verify() checks them against the injected one.
_DECODE_OPTIONS: Any = {"require": list(REQUIRED_CLAIMS), "verify_exp": False, "verify_iat": False, "verify_nbf": False}


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _public_jwk(public: Ed25519PublicKey) -> dict[str, str]:
    return {"crv": "Ed25519", "kty": "OKP", "x": _b64url(public.public_bytes(Encoding.Raw, PublicFormat.Raw))}


def _thumbprint(public: Ed25519PublicKey) -> str:
    """RFC 7638 thumbprint: SHA-256 of the required members, sorted, without whitespace."""
    canonical = json.dumps(_public_jwk(public), sort_keys=True, separators=(",", ":"))
    return _b64url(hashlib.sha256(canonical.encode("ascii")).digest())


def _write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` (mode 0600) via a temporary file and ``os.replace``."""
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


@dataclass(frozen=True)
class AccessClaims:
    subject: str  # actor UUID ("sub")
    session_id: str  # "sid"
    token_id: str  # "jti" (uuid4 hex)
    issued_at: datetime  # UTC aware
    expires_at: datetime  # UTC aware
    assurance_level: int  # "acr", 0..2 (a string in the token, per OIDC)


class InvalidTokenError(UnauthenticatedError):
    """The access token cannot be trusted. The message never says which check failed."""

    def __init__(self, message: str = "The access token is invalid or expired; sign in again or refresh it.") -> None:
        super().__init__(message)


@dataclass(frozen=True)
class _Key:
    kid: str
    private: Ed25519PrivateKey
    created_at: datetime
    retired_at: datetime | None = None


class KeyRing:
    """Ed25519 signing keys kept in a folder. The newest key signs; after rotation the previous public
    keys stay published (and accepted) until every token they signed has expired."""

    ISSUER = "hanoismart"
    AUDIENCE = "hanoismart-api"

    def __init__(self, folder: Path, access_ttl: timedelta, clock: Callable[[], datetime]) -> None:
        if access_ttl <= timedelta(0):
            raise ValueError("access_ttl must be positive")
        self._folder, self._ttl, self._clock = folder, access_ttl, clock
        self._keys: list[_Key] = []  # oldest first; the last one is current
        self._seen_mtime: float | None = None  # of keys.json when last loaded
        self._checked_at = 0.0  # monotonic time of the last look at keys.json

    @classmethod
    def load_or_create(cls, folder: Path, *, access_ttl: timedelta, clock: Callable[[], datetime] = _utcnow) -> KeyRing:
        """Open the ring in ``folder``, creating the folder and a first key if needed; prunes old keys."""
        folder = Path(folder)
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(folder, 0o700)  # also tightens a folder that already existed (e.g. a mounted volume)
        ring = cls(folder, access_ttl, clock)
        with ring._locked():
            ring._load()
            if not ring._keys or ring._keys[-1].retired_at is not None:
                ring._add_key()
            ring._prune()
        return ring

    def rotate(self) -> str:
        """Create a new current key (retiring the previous one now) and return its kid."""
        with self._locked():
            self._load()  # another process may have rotated since we loaded
            self._add_key()
            self._prune()
        return self.current_kid

    @property
    def current_kid(self) -> str:
        return self._keys[-1].kid

    def jwks(self) -> dict[str, Any]:
        """The public keys partner apps may verify with: current plus retired keys still in their window."""
        return {"keys": [{**_public_jwk(k.private.public_key()), "kid": k.kid, "alg": ALGORITHM, "use": "sig"}
                         for k in self._published().values()]}  # fmt: skip

    def issue(self, *, subject: str, session_id: str, assurance_level: int) -> tuple[str, AccessClaims]:
        """Sign a new access token with the current key; returns the token and its claims."""
        if isinstance(assurance_level, bool) or assurance_level not in (0, 1, 2):
            raise ValueError("assurance_level must be 0, 1 or 2")
        iat = int(self._clock().timestamp())
        payload = {"iss": self.ISSUER, "aud": self.AUDIENCE, "sub": subject, "sid": session_id, "jti": uuid.uuid4().hex,
                   "iat": iat, "exp": iat + int(self._ttl.total_seconds()), "acr": str(assurance_level)}  # fmt: skip
        claims = self._claims(payload)  # ValueError on an empty subject or session_id
        self._follow_rotation()
        key = self._keys[-1]
        token = jwt.encode(payload, key.private, algorithm=ALGORITHM, headers={"kid": key.kid})
        return token, claims

    def verify(self, token: str) -> AccessClaims:
        """Return the claims of a valid token; raise ``InvalidTokenError`` on anything wrong."""
        try:
            header = jwt.get_unverified_header(token)
            self._follow_rotation()
            kid = header.get("kid")
            key = self._published().get(kid) if isinstance(kid, str) else None
            if key is None or header.get("alg") != ALGORITHM:
                raise InvalidTokenError()
            # A public key object (never str/bytes) and one algorithm: no "none", no HMAC key confusion.
            public = key.private.public_key()
            payload = jwt.decode(token, public, algorithms=[ALGORITHM], audience=self.AUDIENCE, issuer=self.ISSUER,
                                 options=_DECODE_OPTIONS)  # fmt: skip
            claims = self._claims(payload)
            now = self._clock()
            if claims.expires_at <= now - LEEWAY or claims.issued_at > now + LEEWAY:
                raise InvalidTokenError()
            return claims
        except (jwt.PyJWTError, InvalidTokenError, KeyError, TypeError, ValueError, AttributeError):
            raise InvalidTokenError() from None

    def sign(self, payload: dict[str, Any], *, typ: str) -> str:
        """Sign other claims with the current key and a ``typ`` header (app access tokens: ``auth.app_tokens``).
        The caller sets every claim (``iss``, ``aud``, ``exp``...); ``decode`` checks them."""
        self._follow_rotation()
        key = self._keys[-1]
        return jwt.encode(payload, key.private, algorithm=ALGORITHM, headers={"kid": key.kid, "typ": typ})

    def decode(self, token: str, *, typ: str, issuer: str, audience: str, required: tuple[str, ...]) -> dict[str, Any]:
        """The claims of a token ``sign`` made: a published key, EdDSA only, this ``typ``, ``iss`` and ``aud``,
        the ``required`` claims present, and ``exp``/``iat`` checked against the injected clock.
        Anything wrong raises ``InvalidTokenError`` (which check failed is never said)."""
        try:
            header = jwt.get_unverified_header(token)
            self._follow_rotation()
            kid = header.get("kid")
            key = self._published().get(kid) if isinstance(kid, str) else None
            if key is None or header.get("alg") != ALGORITHM or header.get("typ") != typ:
                raise InvalidTokenError()
            options: Any = {**_DECODE_OPTIONS, "require": ["exp", "iat", *required]}
            payload = jwt.decode(token, key.private.public_key(), algorithms=[ALGORITHM], audience=audience,
                                 issuer=issuer, options=options)  # fmt: skip
            exp, iat = payload["exp"], payload["iat"]
            if not all(isinstance(v, int) and not isinstance(v, bool) for v in (exp, iat)):
                raise InvalidTokenError()
            now = self._clock()
            if datetime.fromtimestamp(exp, UTC) <= now - LEEWAY or datetime.fromtimestamp(iat, UTC) > now + LEEWAY:
                raise InvalidTokenError()
            return dict(payload)
        except (jwt.PyJWTError, InvalidTokenError, KeyError, TypeError, ValueError, AttributeError, OverflowError):
            raise InvalidTokenError() from None

    def now(self) -> datetime:
        """The ring's clock (injected in tests)."""
        return self._clock()

    # --- internals ------------------------------------------------------------------------------
    def _follow_rotation(self) -> None:
        """Pick up a rotation made by another process (``hanoismart keys rotate``, another worker):
        at most every RELOAD_INTERVAL seconds, reload keys.json if it changed on disk."""
        now = time.monotonic()
        if now - self._checked_at < RELOAD_INTERVAL:
            return
        self._checked_at = now
        try:
            mtime = (self._folder / "keys.json").stat().st_mtime
        except FileNotFoundError:
            return
        if mtime != self._seen_mtime:
            with self._locked():
                self._load()

    def _published(self) -> dict[str, _Key]:
        now, window = self._clock(), self._ttl + PUBLICATION_LEEWAY
        return {k.kid: k for k in self._keys if k.retired_at is None or k.retired_at + window > now}

    @staticmethod
    def _claims(payload: dict[str, Any]) -> AccessClaims:
        exp, iat, acr = payload["exp"], payload["iat"], payload["acr"]
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in (exp, iat)):
            raise ValueError("exp and iat must be integers")
        strings = (payload["sub"], payload["sid"], payload["jti"])
        if not all(isinstance(v, str) and v for v in strings) or acr not in ASSURANCE_LEVELS:
            raise ValueError("sub, sid and jti must be non-empty strings and acr one of '0', '1', '2'")
        return AccessClaims(*strings, datetime.fromtimestamp(iat, UTC), datetime.fromtimestamp(exp, UTC), int(acr))

    @contextmanager
    def _locked(self) -> Iterator[None]:
        fd = os.open(self._folder / ".lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # releases the lock

    def _load(self) -> None:
        index = self._folder / "keys.json"
        self._seen_mtime = index.stat().st_mtime if index.exists() else None
        entries = json.loads(index.read_text("utf-8")) if index.exists() else []
        keys = []
        for entry in entries:
            kid = entry["kid"]
            if not _KID.match(kid):
                raise ValueError(f"{index}: malformed kid {kid!r}")
            private = load_pem_private_key((self._folder / f"{kid}.pem").read_bytes(), None)
            if not isinstance(private, Ed25519PrivateKey) or _thumbprint(private.public_key()) != kid:
                raise ValueError(f"{index}: {kid}.pem is not the Ed25519 key its kid names")
            retired = entry["retired_at"]
            keys.append(_Key(kid, private, datetime.fromisoformat(entry["created_at"]),
                             datetime.fromisoformat(retired) if retired else None))  # fmt: skip
        self._keys = keys

    def _save(self, keys: list[_Key]) -> None:
        """Write ``keys.json`` and only then adopt ``keys``, so memory never runs ahead of the disk."""
        entries = [{"kid": k.kid, "created_at": k.created_at.isoformat(),
                    "retired_at": k.retired_at and k.retired_at.isoformat()} for k in keys]  # fmt: skip
        _write_atomic(self._folder / "keys.json", json.dumps(entries, indent=2).encode("utf-8"))
        self._keys = keys
        self._seen_mtime = (self._folder / "keys.json").stat().st_mtime

    def _add_key(self) -> None:
        now = self._clock()
        private = Ed25519PrivateKey.generate()
        kid = _thumbprint(private.public_key())
        pem = private.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
        _write_atomic(self._folder / f"{kid}.pem", pem)  # before keys.json names it
        retired = [replace(key, retired_at=key.retired_at or now) for key in self._keys]
        self._save([*retired, _Key(kid, private, now)])

    def _prune(self) -> None:
        """Forget retired keys whose publication window has passed, then delete their private keys."""
        published = self._published()
        gone = [key for key in self._keys if key.kid not in published]
        if gone:
            # keys.json first: a crash leaves an orphan .pem behind, never a kid without its key.
            self._save([key for key in self._keys if key.kid in published])
            for key in gone:
                (self._folder / f"{key.kid}.pem").unlink(missing_ok=True)


# --- refresh-token successors ------------------------------------------------------------------------------------
# A rotated refresh token keeps its successor sealed, so a client that retries a refresh (its first response
# lost) gets the same successor back. The key is derived from the old token itself (256 random bits the
# server keeps only as a SHA-256 hash), so the stored ciphertext is useless without that token: the database
# never holds a usable refresh token. The seal is erased when the successor is rotated in turn.

_SUCCESSOR_CONTEXT = b"hanoismart refresh-token successor v1"


def _successor_key(old_token: str) -> bytes:
    return hmac.new(old_token.encode(), _SUCCESSOR_CONTEXT, hashlib.sha256).digest()


def seal_successor(old_token: str, successor: str) -> str:
    """``successor`` encrypted (AES-256-GCM) under a key only ``old_token`` gives."""
    nonce = os.urandom(12)
    return _b64url(nonce + AESGCM(_successor_key(old_token)).encrypt(nonce, successor.encode(), _SUCCESSOR_CONTEXT))


def open_successor(old_token: str, sealed: str) -> str | None:
    """The successor sealed by ``seal_successor`` with this ``old_token``; None when it does not open."""
    try:
        raw = base64.urlsafe_b64decode(sealed + "=" * (-len(sealed) % 4))
        return AESGCM(_successor_key(old_token)).decrypt(raw[:12], raw[12:], _SUCCESSOR_CONTEXT).decode()
    except (InvalidTag, ValueError, UnicodeDecodeError):
        return None
