"""Signing in: a sign-in identifier (``auth.identifiers``) and a password open a session.

The attempt is claimed first (``auth.throttle``, one short transaction), the password is checked outside any
transaction, and only a right password opens a session (a second short transaction). A failed attempt stays
counted even though the request fails.
"""

from __future__ import annotations

import hashlib
import hmac

from neo4j import AsyncManagedTransaction

from auth import identifiers, throttle
from auth.passwords import INVALID_CREDENTIALS, verify_password
from auth.sessions import issue_tokens, open_session
from core.errors import UserInputError
from core.runtime import Runtime
from graph import auth as queries
from graph.auth import Credentials
from identity.model import IssuedTokens


def _invalid_credentials() -> UserInputError:
    return UserInputError(
        "The identifier or the password is wrong. Sign in with your citizen ID, your passport (issuing country "
        "and number, e.g. JP TZ1234567), or a phone or e-mail you verified.",
        code=INVALID_CREDENTIALS,
        field="password",
    )


def _persona_key(identifier: str) -> str | None:
    """The verified key of a test persona's identifier (``persona-<n>@<appId>.sandbox.invalid``: a reserved domain
    that ``identifiers.lookup_key`` refuses as an e-mail address), None for anything else."""
    raw = (identifier or "").strip().lower()
    local, _, domain = raw.partition("@")
    if local.startswith("persona-") and domain.endswith(".sandbox.invalid"):
        return identifiers.verified_key("email", raw)
    return None


async def login(
    rt: Runtime,
    identifier: str,
    password: str,
    *,
    user_agent: str | None,
    address: str | None,
    persona_of_app: str | None = None,
) -> IssuedTokens:
    """Sign in with a citizen ID, a passport, a verified phone or a verified e-mail, and a password.

    The attempt is claimed first (auth.throttle, one short transaction), the password is checked outside any
    transaction, and only a right password opens a session (a second short transaction).

    A test persona (``partners.personas``) signs in only with ``persona_of_app`` naming its own app (the OAuth
    sign-in page of a sandbox app passes it), and then only a persona of that app does: anyone else, and a persona
    anywhere else (``sessionLogin``), is refused exactly like a wrong password."""
    persona_key = _persona_key(identifier) if persona_of_app else None
    if persona_key is not None:
        kind, key = "contact", persona_key
    else:
        try:
            kind, key = identifiers.lookup_key(rt, identifier)
        except UserInputError:
            kind, key = "unknown", identifier

    async def claim_attempt(tx: AsyncManagedTransaction) -> tuple[throttle.Claim, Credentials | None]:
        if kind == "document":
            cred = await queries.credentials_by_document(tx, key)
        elif kind == "contact":
            cred = await queries.credentials_by_contact(tx, key)
        else:
            cred = None
        if cred is not None and (cred.status != "active" or cred.persona_of_app_id != persona_of_app):
            cred = None  # closed; or a persona outside its app's sign-in page, or anyone else on that page
        subject = (
            f"account:{cred.id}"
            if cred
            else "unknown:" + hmac.new(rt.identity_key, key.encode(), hashlib.sha256).hexdigest()
        )
        return await throttle.claim(tx, rt, subject, address), cred

    claim, cred = await rt.graph.write(claim_attempt)
    if not claim.granted:
        raise throttle.refusal(claim)
    ok, new_hash = await verify_password(cred.password_hash if cred else None, password or "")
    if not ok or cred is None:
        await rt.graph.write(throttle.settle_failure, claim)
        raise _invalid_credentials()
    checked = cred

    async def sign_in(tx: AsyncManagedTransaction) -> tuple[str, str, int] | None:
        if not await throttle.password_unchanged(tx, checked):
            await throttle.settle_failure(tx, claim)
            return None  # closed, or the password changed while this one was being checked
        await throttle.settle_success(tx, claim)
        if new_hash and checked.password_hash:  # the same password hashed anew: kept only if no change or
            # other rehash came first
            await queries.rehash_password(tx, checked.id, checked.password_hash, new_hash)
        session_id, refresh = await open_session(tx, rt, checked.id, user_agent)
        level = await queries.assurance_level(tx, checked.id)
        return session_id, refresh, level

    opened = await rt.graph.write(sign_in)
    if opened is None:
        raise _invalid_credentials()
    session_id, refresh, level = opened
    return issue_tokens(rt, checked.id, session_id, level, refresh)
