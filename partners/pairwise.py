"""Pairwise subject identifiers (OpenID Connect Core 1.0, section 8.1).

Each app sees a person under an identifier of its own, computed from a key that never rotates
(``Runtime.pairwise_key``, ``HANOISMART_PAIRWISE_KEY``): two apps cannot correlate their users, and one app
always sees the same person under the same ``sub``. The internal person id never leaves in a token, a userinfo
answer, an API result or a webhook seen by an app.

The sector identifier is the app's ``sectorId`` (its id unless several apps of one partner share a sector).
"""

from __future__ import annotations

import base64
import hashlib
import hmac


def subject(key: bytes, sector_id: str, person_id: str) -> str:
    """``b64url(HMAC-SHA256(key, sector_id | person_id))``: 43 characters, stable, unlinkable across sectors."""
    if not key or not sector_id or not person_id:
        raise ValueError("key, sector_id and person_id must be non-empty")
    digest = hmac.new(key, f"{sector_id}|{person_id}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
