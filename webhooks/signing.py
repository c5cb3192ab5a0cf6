"""Signing secrets of webhook subscriptions and the Standard Webhooks signature of a delivery.

A signing secret is ``whsec_`` and the base64 of 32 random bytes (the form ``standardwebhooks.Webhook`` and every
Standard Webhooks library take). The partner sees it once; we must sign with it afterwards, so it cannot be hashed:
it is stored **sealed** with AES-SIV (RFC 5297) under a key derived for this one purpose (HKDF-SHA256 from
``Runtime.pairwise_key``, info ``hanoismart/webhook-secret``), the subscription's id bound as associated data (a
sealed secret copied onto another subscription does not open), plus its last 4 characters to tell secrets apart.

While a secret rotates, both the new and the previous one sign each delivery: ``webhook-signature`` then carries two
``v1,<base64>`` signatures separated by a space, and a receiver holding either secret verifies it.
"""

from __future__ import annotations

import base64
import secrets
from collections.abc import Sequence
from datetime import datetime
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESSIV
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from standardwebhooks import Webhook

SECRET_PREFIX = "whsec_"
SECRET_BYTES = 32
PURPOSE = b"hanoismart/webhook-secret"


def new_secret() -> str:
    """A fresh signing secret: ``whsec_`` and the base64 of 32 random bytes."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii")


@lru_cache(maxsize=8)
def _cipher(key: bytes) -> AESSIV:
    if not key:
        raise ValueError("the webhook sealing key must be non-empty")
    derived = HKDF(algorithm=hashes.SHA256(), length=64, salt=None, info=PURPOSE).derive(key)
    return AESSIV(derived)


def seal_secret(key: bytes, subscription_id: str, secret: str) -> str:
    """``secret`` sealed for the subscription ``subscription_id`` (base64url), to store."""
    sealed = _cipher(key).encrypt(secret.encode("utf-8"), [subscription_id.encode("utf-8")])
    return base64.urlsafe_b64encode(sealed).decode("ascii")


def open_secret(key: bytes, subscription_id: str, sealed: str) -> str | None:
    """The secret ``seal_secret`` sealed for this subscription; None for anything else."""
    try:
        raw = base64.urlsafe_b64decode(sealed.encode("ascii"))
        return _cipher(key).decrypt(raw, [subscription_id.encode("utf-8")]).decode("utf-8")
    except (InvalidTag, ValueError, UnicodeError):
        return None


def signature(secrets_: Sequence[str], msg_id: str, timestamp: datetime, body: str) -> str:
    """The ``webhook-signature`` header: one ``v1,<base64 HMAC-SHA256>`` per secret, space-separated."""
    return " ".join(Webhook(secret).sign(msg_id, timestamp, body) for secret in secrets_)


def headers(secrets_: Sequence[str], msg_id: str, timestamp: datetime, body: str) -> dict[str, str]:
    """The Standard Webhooks headers of one attempt (``timestamp``: when it is sent, UTC)."""
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(timestamp.timestamp())),
        "webhook-signature": signature(secrets_, msg_id, timestamp, body),
        "content-type": "application/json",
        "user-agent": "HanoiSmart-Webhooks/1",
    }
