"""One-time codes: 6 digits, stored only as an HMAC, expiring, single-use, limited in attempts,
throttled per destination. These run inside the caller's write transaction."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from neo4j import AsyncManagedTransaction

from core.errors import RateLimitedError
from core.runtime import Runtime
from graph import auth as queries

VERIFY_CONTACT = "verify_contact"
PASSWORD_RESET = "password_reset"


def _hash(key: bytes, destination: str, code: str) -> str:
    return hmac.new(key, f"otp:{destination}:{code}".encode(), hashlib.sha256).hexdigest()


async def issue_code(
    tx: AsyncManagedTransaction, rt: Runtime, *, purpose: str, destination: str, person_id: str,
    contact_id: str | None,
) -> str:
    """Create a code for ``destination`` and return it (to be sent after commit)."""
    recent = await queries.recent_codes(tx, destination)
    if recent["sent"] >= rt.settings.otp_per_destination_per_hour:
        oldest = recent["oldest"].to_native()
        retry_after = max(1.0, 3600 - (datetime.now(UTC) - oldest).total_seconds())
        raise RateLimitedError(
            "Too many codes were sent to this destination in the last hour; wait before asking again.",
            retry_after_seconds=retry_after,
        )
    code = f"{secrets.randbelow(1_000_000):06d}"
    await queries.create_code(
        tx, id=str(uuid.uuid4()), purpose=purpose, destination=destination,
        code_hash=_hash(rt.identity_key, destination, code), person_id=person_id, contact_id=contact_id,
        ttl_seconds=rt.settings.otp_ttl_seconds,
    )
    return code


@dataclass(frozen=True)
class CodeCheck:
    ok: bool
    person_id: str | None = None
    contact_id: str | None = None
    attempts_left: int = 0


async def check_code(
    tx: AsyncManagedTransaction, rt: Runtime, *, purpose: str, destination: str, code: str
) -> CodeCheck:
    """Consume the live code if ``code`` matches; otherwise count the attempt (the caller commits)."""
    max_attempts = rt.settings.otp_max_attempts
    live = await queries.lock_live_code(tx, destination, purpose, max_attempts)
    if live is None:
        return CodeCheck(ok=False)
    if hmac.compare_digest(live["codeHash"], _hash(rt.identity_key, destination, (code or "").strip())):
        await queries.use_code(tx, live["id"])
        return CodeCheck(ok=True, person_id=live["personId"], contact_id=live["contactId"])
    attempts = await queries.fail_code(tx, live["id"])
    return CodeCheck(ok=False, attempts_left=max(0, max_attempts - attempts))


def code_message(purpose: str, code: str, minutes: int) -> str:
    if purpose == PASSWORD_RESET:
        return f"HanoiSmart: mã đặt lại mật khẩu của bạn là {code} (hết hạn sau {minutes} phút). Your password reset code is {code}."
    return f"HanoiSmart: mã xác minh của bạn là {code} (hết hạn sau {minutes} phút). Your verification code is {code}."
