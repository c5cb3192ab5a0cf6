"""Use cases of sign-in: login, refresh, logout, sessions, password change and reset.

Each mutation is one write transaction. Outcomes that must be remembered even though the request
fails (a failed login counted, a refresh-token reuse revoking its session, a wrong one-time code)
are returned from the transaction and turned into errors after it commits.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import uuid
from dataclasses import dataclass

from neo4j import AsyncManagedTransaction

from auth import limits, otp, throttle
from auth.passwords import check_policy, hash_password, verify_password
from auth.permissions import require_person
from auth.tokens import open_successor, seal_successor
from auth.viewer import Viewer
from core.errors import NotFoundError, UnauthenticatedError, UserInputError
from core.runtime import Runtime
from graph import auth as queries
from graph import identity as identity_queries
from identity.contacts import looks_like_email, normalise_email, normalise_phone
from identity.documents import CheckedDocument, DocumentKind, check_passport
from identity.messaging import send_in_background
from identity.model import IssuedTokens, SessionView

INVALID_CREDENTIALS = "INVALID_CREDENTIALS"


def refresh_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _new_refresh_token() -> str:
    return secrets.token_urlsafe(32)


def issue_tokens(rt: Runtime, person_id: str, session_id: str, level: int, refresh: str) -> IssuedTokens:
    access, claims = rt.keyring.issue(subject=person_id, session_id=session_id, assurance_level=level)
    return IssuedTokens(access, claims.expires_at, refresh, session_id)


async def open_session(
    tx: AsyncManagedTransaction, rt: Runtime, person_id: str, user_agent: str | None
) -> tuple[str, str]:
    """Create a session with its first refresh token inside the caller's transaction."""
    session_id, refresh = str(uuid.uuid4()), _new_refresh_token()
    await queries.create_session(
        tx,
        person_id=person_id,
        session_id=session_id,
        user_agent=(user_agent or "")[:300] or None,
        token_hash=refresh_token_hash(refresh),
        ttl_days=min(rt.settings.refresh_token_ttl_days, rt.settings.session_max_lifetime_days),
    )
    return session_id, refresh


# --- viewer ------------------------------------------------------------------------------------------------


async def viewer_from_token(rt: Runtime, token: str) -> Viewer:
    """The viewer of a bearer token; UNAUTHENTICATED when invalid, expired or its session is closed."""
    claims = rt.keyring.verify(token)
    row = await rt.graph.read(queries.viewer_of_session, claims.subject, claims.session_id)
    if row is None:
        raise UnauthenticatedError("This session has ended (signed out or account closed); sign in again.")
    return Viewer(
        kind="person",
        actor_id=claims.subject,
        session_id=claims.session_id,
        assurance_level=row["assuranceLevel"],
        roles=frozenset(row["roles"] or []),
    )


# --- login ---------------------------------------------------------------------------------------------------

_PASSPORT_IDENTIFIER = re.compile(r"^([A-Za-z]{2})\s*[:\s]\s*([A-Za-z0-9][A-Za-z0-9\s-]*)$")


def _login_lookup_key(rt: Runtime, identifier: str) -> tuple[str, str]:
    """('document', digest) for a 12-digit citizen ID or a passport written as its issuing country and number
    ("JP TZ1234567", "JP:TZ1234567"), else ('contact', verifiedKey)."""
    raw = (identifier or "").strip()
    compact = raw.replace(" ", "").replace(".", "")
    if compact.isdigit() and len(compact) == 12:
        return "document", CheckedDocument(DocumentKind.CCCD, compact, "VN").digest(rt.identity_key)
    if looks_like_email(raw):
        return "contact", "email:" + normalise_email(raw, field="identifier")
    passport = _PASSPORT_IDENTIFIER.match(raw)
    if passport:  # two letters first: never a phone number (those start with + or a digit)
        return "document", check_passport(passport[1], passport[2], field="identifier").digest(rt.identity_key)
    return "contact", "phone:" + normalise_phone(raw, field="identifier")


def _invalid_credentials() -> UserInputError:
    return UserInputError(
        "The identifier or the password is wrong. Sign in with your citizen ID, your passport (issuing country "
        "and number, e.g. JP TZ1234567), or a phone or e-mail you verified.",
        code=INVALID_CREDENTIALS,
        field="password",
    )


async def login(
    rt: Runtime, identifier: str, password: str, *, user_agent: str | None, address: str | None
) -> IssuedTokens:
    """Sign in with a citizen ID, a passport, a verified phone or a verified e-mail, and a password.

    The attempt is claimed first (auth.throttle, one short transaction), the password is checked outside any
    transaction, and only a right password opens a session (a second short transaction)."""
    try:
        kind, key = _login_lookup_key(rt, identifier)
    except UserInputError:
        kind, key = "unknown", identifier

    async def claim_attempt(tx: AsyncManagedTransaction) -> tuple[throttle.Claim, dict | None]:
        if kind == "document":
            cred = await identity_queries.credentials_by_document(tx, key)
        elif kind == "contact":
            cred = await identity_queries.credentials_by_contact(tx, key)
        else:
            cred = None
        if cred is not None and cred["status"] != "active":
            cred = None
        subject = (
            f"account:{cred['id']}"
            if cred
            else "unknown:" + hmac.new(rt.identity_key, key.encode(), hashlib.sha256).hexdigest()
        )
        return await throttle.claim(tx, rt, subject, address), cred

    claim, cred = await rt.graph.write(claim_attempt)
    if not claim.granted:
        raise throttle.refusal(claim)
    ok, new_hash = await verify_password(cred["passwordHash"] if cred else None, password or "")
    if not ok or cred is None:
        await rt.graph.write(throttle.settle_failure, claim)
        raise _invalid_credentials()

    async def sign_in(tx: AsyncManagedTransaction) -> tuple[str, str, int] | None:
        if not await throttle.password_unchanged(tx, cred):
            await throttle.settle_failure(tx, claim)
            return None  # closed, or the password changed while this one was being checked
        await throttle.settle_success(tx, claim)
        if new_hash:  # the same password hashed anew: kept only if no change or other rehash came first
            await identity_queries.rehash_password(tx, cred["id"], cred["passwordHash"], new_hash)
        session_id, refresh = await open_session(tx, rt, cred["id"], user_agent)
        level = (await identity_queries.roles_of(tx, cred["id"]))["level"]
        return session_id, refresh, level

    opened = await rt.graph.write(sign_in)
    if opened is None:
        raise _invalid_credentials()
    session_id, refresh, level = opened
    return issue_tokens(rt, cred["id"], session_id, level, refresh)


# --- refresh and sessions --------------------------------------------------------------------------------------


async def refresh(rt: Runtime, refresh_token: str, *, user_agent: str | None) -> IssuedTokens:
    """Rotate a refresh token.

    Presenting an already-rotated one closes its whole session, except within the grace window
    (``refresh_reuse_grace_seconds``) by the same user agent while the successor is still unused: that is
    a client retrying after a lost response, and it gets the same successor back. A session older than
    ``session_max_lifetime_days`` cannot be refreshed, however regularly it was used."""
    settings = rt.settings
    old_hash = refresh_token_hash(refresh_token or "")
    agent = (user_agent or "")[:300] or None
    new_refresh = _new_refresh_token()

    async def work(tx: AsyncManagedTransaction) -> tuple[str, dict | None, str | None]:
        found = await queries.lock_refresh_token(
            tx,
            old_hash,
            grace_seconds=settings.refresh_reuse_grace_seconds,
            max_lifetime_days=settings.session_max_lifetime_days,
        )
        if found is None:
            return "invalid", None, None
        live = not (found["revoked"] or found["expired"] or found["pastLifetime"] or found["status"] != "active")
        if found["used"]:
            if live and found["withinGrace"] and found["successorUnused"] and found["rotatedForAgent"] == agent:
                successor = open_successor(refresh_token, found["sealedSuccessor"] or "")
                if successor is not None:
                    return "ok", found, successor
            await queries.revoke_sessions(
                tx, found["personId"], reason="refresh token reused", session_ids=[found["sessionId"]]
            )
            return "reused", None, None
        if not live:
            return "expired" if found["pastLifetime"] else "invalid", None, None
        await queries.rotate_refresh_token(
            tx,
            old_hash,
            refresh_token_hash(new_refresh),
            sealed_successor=seal_successor(refresh_token, new_refresh),
            ttl_days=settings.refresh_token_ttl_days,
            max_lifetime_days=settings.session_max_lifetime_days,
            user_agent=agent,
        )
        return "ok", found, new_refresh

    status, found, successor = await rt.graph.write(work)
    if status == "reused":
        raise UnauthenticatedError(
            "This refresh token was already used, so the session was closed to protect the account; sign in again."
        )
    if status == "expired":
        raise UnauthenticatedError(
            f"This session reached its maximum lifetime ({settings.session_max_lifetime_days} days); sign in again."
        )
    if status != "ok":
        raise UnauthenticatedError("This refresh token is invalid or expired; sign in again.")
    return issue_tokens(rt, found["personId"], found["sessionId"], found["assuranceLevel"], successor)


async def logout(rt: Runtime, viewer: Viewer) -> int:
    person_id = require_person(viewer)
    return await rt.graph.write(
        queries.revoke_sessions, person_id, reason="signed out", session_ids=[viewer.session_id]
    )


async def logout_everywhere(rt: Runtime, viewer: Viewer) -> int:
    person_id = require_person(viewer)
    return await rt.graph.write(queries.revoke_sessions, person_id, reason="signed out everywhere")


async def revoke_session(rt: Runtime, viewer: Viewer, session_id: str) -> None:
    person_id = require_person(viewer)
    if not await rt.graph.write(
        queries.revoke_sessions, person_id, reason="revoked by owner", session_ids=[session_id]
    ):
        raise NotFoundError("You have no open session with this id.")


async def my_sessions(rt: Runtime, viewer: Viewer) -> list[SessionView]:
    person_id = require_person(viewer)
    rows = await rt.graph.read(queries.active_sessions, person_id)
    return [
        SessionView(
            id=r["id"],
            user_agent=r["userAgent"],
            created_at=r["createdAt"].to_native(),
            last_used_at=r["lastUsedAt"].to_native(),
            current=r["id"] == viewer.session_id,
        )
        for r in rows
    ]


# --- passwords ----------------------------------------------------------------------------------------------------


async def change_password(rt: Runtime, viewer: Viewer, current: str, new: str, *, address: str | None = None) -> int:
    """Change the password; every other session is revoked. Returns how many were. The current password is
    checked under the sign-in throttle (a stolen access token must not allow unlimited guesses)."""
    person_id = require_person(viewer)
    check_policy(new, field="newPassword")
    wrong = UserInputError("The current password is wrong.", code=INVALID_CREDENTIALS, field="currentPassword")
    current_password = await throttle.check_current_password(rt, person_id, current, address=address, wrong=wrong)
    new_hash = await hash_password(new)

    async def work(tx: AsyncManagedTransaction) -> int | None:
        if not await current_password.confirm(tx):
            return None
        await identity_queries.set_password_hash(tx, person_id, new_hash)
        return await queries.revoke_sessions(tx, person_id, reason="password changed", except_id=viewer.session_id)

    revoked = await rt.graph.write(work)
    if revoked is None:
        raise wrong
    return revoked


def _contact_key(contact: str) -> tuple[str, str]:
    if looks_like_email(contact):
        return "email", normalise_email(contact, field="contact")
    return "sms", normalise_phone(contact, field="contact")


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
    channel, value = _contact_key(contact)
    verified_key = ("email:" if channel == "email" else "phone:") + value
    per_address = {
        f"reset-starts:address:{limits.address_key(rt, address)}": (
            rt.settings.password_reset_starts_per_address_per_hour,
            limits.HOUR,
        )
    }

    async def work(tx: AsyncManagedTransaction) -> tuple[bool, str]:
        owner = await identity_queries.verified_contact_owner(tx, verified_key)
        code = await otp.issue_code(
            tx,
            rt,
            purpose=otp.PASSWORD_RESET,
            destination=value,
            person_id=owner["personId"] if owner else None,
            contact_id=owner["contactId"] if owner else None,
            requested_by=None,
            extra_limits=per_address,
        )
        return owner is not None, code

    known, code = await rt.graph.write(work)
    if known:
        text = otp.code_message(otp.PASSWORD_RESET, code, rt.settings.otp_ttl_seconds // 60)
        send_in_background(rt.sender, channel, value, text)


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
    channel, value = _contact_key(contact)
    check_policy(new_password, field="newPassword")
    verified_key = ("email:" if channel == "email" else "phone:") + value
    per_address = _reset_address_limits(rt, address)

    async def check(tx: AsyncManagedTransaction) -> _ResetCheck:
        owner = await identity_queries.verified_contact_owner(tx, verified_key)
        person_id = owner["personId"] if owner else None
        failures = _reset_failure_limits(rt, value, person_id)
        before = await limits.claim(
            tx,
            {**failures, **per_address},
            "Too many wrong codes today for this contact, account or address; try again tomorrow.",
            count=False,
        )
        checked = await otp.check_code(
            tx,
            rt,
            purpose=otp.PASSWORD_RESET,
            destination=value,
            person_id=person_id,
            contact_id=owner["contactId"] if owner else None,
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
        raise UserInputError(
            "This code is wrong, expired or already used; ask for a new one.", code="INVALID_CODE", field="code"
        )
    new_hash = await hash_password(new_password)

    async def set_password(tx: AsyncManagedTransaction) -> None:
        await identity_queries.set_password_hash(tx, outcome.person_id, new_hash)
        await queries.revoke_sessions(tx, outcome.person_id, reason="password reset")

    await rt.graph.write(set_password)
