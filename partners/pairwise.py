"""Pairwise subject identifiers (OpenID Connect Core 1.0, section 8.1).

Each app sees a person under an identifier of its own, computed from a key that never rotates
(``Runtime.pairwise_key``, ``HANOISMART_PAIRWISE_KEY``): two apps cannot correlate their users, and one app
always sees the same person under the same ``sub``. The internal person id never leaves in a token, a userinfo
answer, an API result or a webhook seen by an app.

The sector identifier is the app's ``sectorId`` (its id unless several apps of one partner share a sector).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import uuid
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESSIV
from cryptography.hazmat.primitives.kdf.hkdf import HKDF


def subject(key: bytes, sector_id: str, person_id: str) -> str:
    """``b64url(HMAC-SHA256(key, sector_id | person_id))``: 43 characters, stable, unlinkable across sectors."""
    if not key or not sector_id or not person_id:
        raise ValueError("key, sector_id and person_id must be non-empty")
    digest = hmac.new(key, f"{sector_id}|{person_id}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


# --- per-app opaque ids in the API (the GraphQL ids and cursors an app's token sees) ---------------------------------
#
# ``subject`` is one-way: it names the person in tokens and userinfo and is never sent back. An app also sends ids
# back to the API (``node(id:)``, ``reviews(sellerId:)``...), so the ids it sees in API results must be reversible
# by us and by nobody else: deterministic authenticated encryption (AES-SIV, RFC 5297) under a key derived per
# sector and per purpose (HKDF-SHA256 from ``Runtime.pairwise_key``). Deterministic: one app always sees one person
# under one value (it can key its own records by it). Per sector: another app's key opens nothing of this app's,
# and the two values of one person share nothing. Authenticated: a value we did not seal (an internal id, a value
# of another app, a guess) does not open, so an app cannot probe internal ids.

HANDLE = b"person-handle"
CURSOR = b"cursor"


@lru_cache(maxsize=256)
def _cipher(key: bytes, sector_id: str, purpose: bytes) -> AESSIV:
    """The AES-SIV cipher of one sector for one purpose (person handles, cursors)."""
    if not key or not sector_id:
        raise ValueError("key and sector_id must be non-empty")
    derived = HKDF(
        algorithm=hashes.SHA256(), length=64, salt=None, info=b"hanoismart/" + purpose + b"/" + sector_id.encode()
    ).derive(key)
    return AESSIV(derived)


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes | None:
    if not text or len(text) > 8000 or not text.isascii():
        return None
    try:
        return base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_", validate=True)
    except (binascii.Error, ValueError):
        return None


def seal(key: bytes, sector_id: str, purpose: bytes, text: str) -> str:
    """``text`` sealed for one sector and purpose: base64url, deterministic, opened only by ``open_sealed``."""
    return _b64(_cipher(key, sector_id, purpose).encrypt(text.encode("utf-8"), None))


def open_sealed(key: bytes, sector_id: str, purpose: bytes, sealed: str) -> str | None:
    """The text inside a value ``seal`` made for this sector and purpose; None for anything else."""
    raw = _unb64(sealed)
    if raw is None or len(raw) <= 16:
        return None
    try:
        return _cipher(key, sector_id, purpose).decrypt(raw, None).decode("utf-8")
    except (InvalidTag, UnicodeDecodeError):
        return None


def person_handle(key: bytes, sector_id: str, person_id: str) -> str:
    """The id under which the app of ``sector_id`` sees a person in API results (the value of its ``Person`` global
    id): 43 base64url characters for a UUID, stable for that app, unlinkable to the value another app sees."""
    try:
        plain = uuid.UUID(person_id).bytes  # 16 bytes: a short handle
    except ValueError:
        plain = person_id.encode("utf-8")
    return _b64(_cipher(key, sector_id, HANDLE).encrypt(plain, None))


def person_from_handle(key: bytes, sector_id: str, handle: str) -> str | None:
    """The internal id inside a handle ``person_handle`` made for this sector; None for anything else (an internal
    id, another app's handle, garbage)."""
    raw = _unb64(handle)
    if raw is None or len(raw) <= 16:
        return None
    try:
        plain = _cipher(key, sector_id, HANDLE).decrypt(raw, None)
    except InvalidTag:
        return None
    if len(plain) == 16:
        return str(uuid.UUID(bytes=plain))
    try:
        return plain.decode("utf-8")
    except UnicodeDecodeError:
        return None
