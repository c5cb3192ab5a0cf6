"""One-time codes: 6 digits, stored only as an HMAC, expiring, single-use, limited in attempts,
throttled per destination and per requesting account, and bound to the account and contact they
were issued for. These run inside the caller's write transaction.

A code's HMAC covers its purpose, account, contact and destination, and a check only looks at the
codes of that (account, contact): a code issued for account X can neither be consumed by nor
consume a check for account Y, even for the same phone number. Destinations are stored as a keyed
digest (``destination_key``), so limits also count requests for phones and e-mails no account has
without storing them in clear.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass

from neo4j import AsyncManagedTransaction

from auth.limits import HOUR, claim
from core.runtime import Runtime
from graph import auth as queries

VERIFY_CONTACT = "verify_contact"
PASSWORD_RESET = "password_reset"


def destination_key(rt: Runtime, destination: str) -> str:
    """A keyed digest of a phone (E.164) or e-mail (normalised): what codes and limits store."""
    return hmac.new(rt.identity_key, f"destination:{destination}".encode(), hashlib.sha256).hexdigest()


def _hash(key: bytes, *, purpose: str, person_id: str, contact_id: str, destination: str, code: str) -> str:
    message = f"otp:{purpose}:{person_id}:{contact_id}:{destination}:{code}"
    return hmac.new(key, message.encode(), hashlib.sha256).hexdigest()


def code_limits(rt: Runtime, purpose: str, destination: str, *, requested_by: str | None) -> dict[str, tuple[int, int]]:
    """Codes per destination and purpose per hour, and per requesting (signed-in) account per hour.

    Per purpose, so verification codes asked by whoever added a phone never spend its owner's reset
    codes, and a reset request answers alike whether or not the contact was verified recently."""
    settings = rt.settings
    limits = {
        f"otp:{purpose}:destination:{destination_key(rt, destination)}": (settings.otp_per_destination_per_hour, HOUR)
    }
    if requested_by is not None:
        limits[f"otp:account:{requested_by}"] = (settings.otp_per_account_per_hour, HOUR)
    return limits


TOO_MANY_CODES = "Too many codes were asked for this destination or account in the last hour; wait before asking again."


async def issue_code(
    tx: AsyncManagedTransaction,
    rt: Runtime,
    *,
    purpose: str,
    destination: str,
    person_id: str | None,
    contact_id: str | None,
    requested_by: str | None,
    extra_limits: dict[str, tuple[int, int]] | None = None,
) -> str:
    """Claim the code limits, create a code for (person, contact) at ``destination`` and return it
    (to be sent after commit). ``person_id`` None records a blank request: it counts towards the
    destination's limit like a real one, and no check can ever match it."""
    limits = {**code_limits(rt, purpose, destination, requested_by=requested_by), **(extra_limits or {})}
    await claim(tx, limits, TOO_MANY_CODES)
    code = f"{secrets.randbelow(1_000_000):06d}"
    code_hash = None
    if person_id is not None and contact_id is not None:
        code_hash = _hash(
            rt.identity_key,
            purpose=purpose,
            person_id=person_id,
            contact_id=contact_id,
            destination=destination,
            code=code,
        )
    await queries.create_code(
        tx,
        id=str(uuid.uuid4()),
        purpose=purpose,
        destination_key=destination_key(rt, destination),
        code_hash=code_hash,
        person_id=person_id,
        contact_id=contact_id,
        ttl_seconds=rt.settings.otp_ttl_seconds,
    )
    return code


@dataclass(frozen=True)
class CodeCheck:
    ok: bool
    attempts_left: int = 0
    exhausted: bool = False  # this wrong guess used the code's last attempt
    live: bool = True  # checked against a live code issued for the destination (blank ones included)


async def check_code(
    tx: AsyncManagedTransaction,
    rt: Runtime,
    *,
    purpose: str,
    destination: str,
    person_id: str | None,
    contact_id: str | None,
    code: str,
) -> CodeCheck:
    """Consume the live code of (person, contact) if ``code`` matches; otherwise count the attempt
    (the caller commits). With ``person_id`` None (a destination no account verified) the guess is
    checked against the destination's live blank code, which it never matches but which counts the
    attempt alike, so both cases behave the same. ``live`` is False when no live code was there."""
    max_attempts = rt.settings.otp_max_attempts
    if person_id is None or contact_id is None:
        live = await queries.lock_live_blank_code(
            tx, destination_key=destination_key(rt, destination), purpose=purpose, max_attempts=max_attempts
        )
    else:
        live = await queries.lock_live_code(
            tx,
            person_id=person_id,
            contact_id=contact_id,
            destination_key=destination_key(rt, destination),
            purpose=purpose,
            max_attempts=max_attempts,
        )
    if live is None:
        return CodeCheck(ok=False, live=False)
    if live.code_hash is None or person_id is None or contact_id is None:  # a blank code: no guess matches it
        attempts = await queries.fail_code(tx, live.id)
        left = max(0, max_attempts - attempts)
        return CodeCheck(ok=False, attempts_left=left, exhausted=left == 0)
    expected = _hash(
        rt.identity_key,
        purpose=purpose,
        person_id=person_id,
        contact_id=contact_id,
        destination=destination,
        code=(code or "").strip(),
    )
    if hmac.compare_digest(live.code_hash, expected):
        await queries.use_code(tx, live.id)
        return CodeCheck(ok=True)
    attempts = await queries.fail_code(tx, live.id)
    left = max(0, max_attempts - attempts)
    return CodeCheck(ok=False, attempts_left=left, exhausted=left == 0)


def code_message(purpose: str, code: str, minutes: int) -> str:
    if purpose == PASSWORD_RESET:
        return f"HanoiSmart: mã đặt lại mật khẩu của bạn là {code} (hết hạn sau {minutes} phút). Your password reset code is {code}."
    return f"HanoiSmart: mã xác minh của bạn là {code} (hết hạn sau {minutes} phút). Your verification code is {code}."


def failed_reset_notice() -> str:
    return (
        "HanoiSmart: ai đó đã nhập sai mã đặt lại mật khẩu của bạn nhiều lần. Nếu không phải bạn, hãy bỏ qua tin này; "
        "mật khẩu của bạn chưa thay đổi. Someone entered wrong password reset codes for your account; "
        "if it was not you, ignore this message: your password has not changed."
    )
