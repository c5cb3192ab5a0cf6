"""Resetting a forgotten password with a one-time code sent to a verified phone or e-mail.

Nothing here tells whether an account has a contact: a destination no account verified runs the same statements
and gets the same answers. Wrong codes are capped per day (per destination, account and client address).
"""

from __future__ import annotations

from dataclasses import dataclass

from neo4j import AsyncManagedTransaction

from auth import identifiers, limits, otp
from auth.passwords import check_policy, hash_password
from core.errors import Problems, UserInputError
from core.runtime import Runtime
from graph import auth as queries
from identity.messaging import send_in_background


def _reset_failure_limits(rt: Runtime, destination: str, person_id: str | None) -> dict[str, tuple[int, int]]:
    """Wrong reset codes per day checked against a live code: per destination (known or not) and per account."""
    most = rt.settings.otp_reset_failures_per_day
    keyed = {f"reset-failures:destination:{otp.destination_key(rt, destination)}": (most, limits.DAY)}
    if person_id is not None:
        keyed[f"reset-failures:account:{person_id}"] = (most, limits.DAY)
    return keyed


def _reset_address_limits(rt: Runtime, address: str | None) -> dict[str, tuple[int, int]]:
    """Wrong reset codes per client address per day (with or without a live code): lower than the
    destination's cap, so one address alone cannot spend a contact's day."""
    where = limits.address_key(rt, address)
    return {f"reset-failures:address:{where}": (rt.settings.otp_reset_failures_per_address_per_day, limits.DAY)}


async def start_password_reset(rt: Runtime, contact: str, *, address: str | None = None) -> None:
    """Send a reset code to a verified contact. Says nothing about whether an account has it: a
    destination no account verified runs the same statements (a blank code that counts towards the
    destination's hourly limit, stored under a digest), gets the same answer (RATE_LIMITED on the
    same request), and the message to a known one is sent after the answer, in the background."""
    channel, kind, value = identifiers.contact_channel(contact)
    per_address = {
        f"reset-starts:address:{limits.address_key(rt, address)}": (
            rt.settings.password_reset_starts_per_address_per_hour,
            limits.HOUR,
        )
    }

    async def work(tx: AsyncManagedTransaction) -> tuple[bool, str]:
        owner = await identifiers.verified_contact_owner(tx, kind, value)
        code = await otp.issue_code(
            tx,
            rt,
            purpose=otp.PASSWORD_RESET,
            destination=value,
            person_id=owner.person_id if owner else None,
            contact_id=owner.contact_id if owner else None,
            requested_by=None,
            extra_limits=per_address,
        )
        return owner is not None, code

    known, code = await rt.graph.write(work)
    if known:
        text = otp.code_message(otp.PASSWORD_RESET, code, rt.settings.otp_ttl_seconds // 60)
        send_in_background(rt.sender, channel, value, text)


TOO_MANY_WRONG_CODES = "Too many wrong codes today for this contact, account or address; try again tomorrow."
WRONG_CODE = "This code is wrong, expired or already used; ask for a new one."


@dataclass(frozen=True)
class _ResetCheck:
    person_id: str | None
    checked: otp.CodeCheck
    capped: bool = False  # this failure used the last one the day allows


async def complete_password_reset(
    rt: Runtime, contact: str, code: str, new_password: str, *, address: str | None = None
) -> None:
    """Set a new password with the code sent to a verified contact; every session is revoked.

    Order: the policy (cheap, so a weak password does not burn the code); the code, checked and
    consumed in its own transaction; only then the argon2 hash, outside any transaction, so a wrong
    code never costs a hash; then the new hash is set. A code is consumed by one request only, so
    parallel or retried requests with it set at most one password.

    Wrong codes are capped per day: per destination and account only when checked against a live
    code issued for that destination (a blank one for a contact no account has, alike), so guesses
    when no code was asked for cannot close the owner's reset for the day; and per client address,
    every wrong code, with a lower cap, so one address cannot spend a destination's cap alone. The
    owner is told when their code dies or their cap is reached."""
    problems = Problems()  # both mistakes of the input at once
    checked = problems.take(lambda: identifiers.contact_channel(contact))
    problems.take(lambda: check_policy(new_password, field="newPassword"))
    problems.raise_if_any()
    assert checked is not None
    channel, kind, value = checked
    per_address = _reset_address_limits(rt, address)

    async def check(tx: AsyncManagedTransaction) -> _ResetCheck:
        owner = await identifiers.verified_contact_owner(tx, kind, value)
        person_id = owner.person_id if owner else None
        failures = _reset_failure_limits(rt, value, person_id)
        before = await limits.claim(tx, {**failures, **per_address}, TOO_MANY_WRONG_CODES, count=False)
        checked = await otp.check_code(
            tx,
            rt,
            purpose=otp.PASSWORD_RESET,
            destination=value,
            person_id=person_id,
            contact_id=owner.contact_id if owner else None,
            code=code,
        )
        if checked.ok:
            return _ResetCheck(person_id, checked)
        counted = {**failures, **per_address} if checked.live else per_address
        await limits.add(tx, counted)
        capped = checked.live and any(before[key] + 1 == most for key, (most, _window) in failures.items())
        return _ResetCheck(person_id, checked, capped)

    outcome = await rt.graph.write(check)
    if not outcome.checked.ok:
        if outcome.person_id is not None and (outcome.checked.exhausted or outcome.capped):
            send_in_background(rt.sender, channel, value, otp.failed_reset_notice())
        raise UserInputError(WRONG_CODE, code="INVALID_CODE", field="code")
    person_id = outcome.person_id
    if person_id is None:  # a right code is always one issued to an account
        raise UserInputError(WRONG_CODE, code="INVALID_CODE", field="code")
    new_hash = await hash_password(new_password)

    async def set_password(tx: AsyncManagedTransaction) -> None:
        await queries.set_password_hash(tx, person_id, new_hash)
        await queries.revoke_sessions(tx, person_id, reason="password reset")

    await rt.graph.write(set_password)
