"""The RSA key that signs OpenID Connect ID tokens (RS256, which OIDC Discovery requires every provider to offer).

Kept like the Ed25519 access-token keys (``auth.tokens``): generated on first start in the keys folder as
``id-token-rsa.pem`` (PKCS8, 0600), its ``kid`` the RFC 7638 thumbprint, and published in
``/.well-known/jwks.json`` beside the access-token keys. It does not rotate by itself yet: to rotate it, move the
file away and restart (relying parties re-read the JWKS when they meet an unknown ``kid``).
"""

from __future__ import annotations

import base64
import fcntl
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey, generate_private_key
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, load_pem_private_key

from auth.tokens import _write_atomic

ALGORITHM = "RS256"
FILE_NAME = "id-token-rsa.pem"
KEY_SIZE = 2048


def _b64url_int(value: int) -> str:
    raw = value.to_bytes((value.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


@dataclass(frozen=True)
class IdTokenKey:
    private: RSAPrivateKey
    kid: str

    @classmethod
    def load_or_create(cls, folder: Path) -> IdTokenKey:
        """The key in ``folder`` (created with the folder on first use; an ``flock`` keeps processes from racing)."""
        folder = Path(folder)
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        path = folder / FILE_NAME
        fd = os.open(folder / ".lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            if not path.exists():
                created = generate_private_key(public_exponent=65537, key_size=KEY_SIZE)
                _write_atomic(path, created.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()))
            private = load_pem_private_key(path.read_bytes(), None)
        finally:
            os.close(fd)
        if not isinstance(private, RSAPrivateKey):
            raise ValueError(f"{path} is not an RSA private key")
        return cls(private, _thumbprint(private))

    def public_jwk(self) -> dict[str, str]:
        numbers = self.private.public_key().public_numbers()
        return {"kty": "RSA", "n": _b64url_int(numbers.n), "e": _b64url_int(numbers.e), "kid": self.kid,
                "alg": ALGORITHM, "use": "sig"}  # fmt: skip

    def sign(self, claims: dict[str, Any]) -> str:
        """An RS256 JWS of ``claims`` with this key's ``kid`` (header ``typ: JWT``)."""
        return jwt.encode(claims, self.private, algorithm=ALGORITHM, headers={"kid": self.kid, "typ": "JWT"})


def _thumbprint(private: RSAPrivateKey) -> str:
    """RFC 7638: SHA-256 of the required members (e, kty, n), sorted, without whitespace."""
    numbers = private.public_key().public_numbers()
    members = {"e": _b64url_int(numbers.e), "kty": "RSA", "n": _b64url_int(numbers.n)}
    canonical = json.dumps(members, sort_keys=True, separators=(",", ":"))
    return base64.urlsafe_b64encode(hashlib.sha256(canonical.encode("ascii")).digest()).rstrip(b"=").decode("ascii")
