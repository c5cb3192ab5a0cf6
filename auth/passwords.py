"""Passwords: argon2id hashes (argon2-cffi), rehashed on login when the parameters change, and a
policy that refuses short and common passwords (zxcvbn's frequency lists and pattern matching)."""

from __future__ import annotations

import asyncio

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from zxcvbn import zxcvbn

from core.errors import UserInputError

MIN_LENGTH = 10
MAX_LENGTH = 256
#: zxcvbn score 0-4; 3 = "safely unguessable: moderate protection from offline slow-hash attacks".
MIN_SCORE = 3

HASHER = PasswordHasher()  # argon2id with argon2-cffi's current RFC 9106 low-memory profile


def check_policy(password: str, *, user_inputs: list[str] = (), field: str = "password") -> None:
    if len(password) < MIN_LENGTH:
        raise UserInputError(f"A password has at least {MIN_LENGTH} characters.", field=field)
    if len(password) > MAX_LENGTH:
        raise UserInputError(f"A password has at most {MAX_LENGTH} characters.", field=field)
    verdict = zxcvbn(password[:100], user_inputs=[u for u in user_inputs if u])
    if verdict["score"] < MIN_SCORE:
        hint = verdict["feedback"].get("warning") or "it is too easy to guess"
        raise UserInputError(
            f"This password is too common or guessable ({hint.rstrip('.').lower()}); "
            "use a longer phrase of unrelated words.",
            field=field,
        )


async def hash_password(password: str) -> str:
    return await asyncio.to_thread(HASHER.hash, password)


async def verify_password(stored_hash: str | None, password: str) -> tuple[bool, str | None]:
    """(matches, new hash if the stored one should be upgraded). Constant work for a missing hash."""
    if not stored_hash:
        await asyncio.to_thread(HASHER.hash, password)  # same cost as a real check: no timing oracle
        return False, None
    try:
        await asyncio.to_thread(HASHER.verify, stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False, None
    if HASHER.check_needs_rehash(stored_hash):
        return True, await hash_password(password)
    return True, None
