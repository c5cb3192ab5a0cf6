"""Passwords: argon2id hashes (argon2-cffi), rehashed on login when the parameters change, and a
policy that refuses short and common passwords (zxcvbn's frequency lists and pattern matching).

Passwords are Unicode NFC: the same Vietnamese phrase typed on macOS/iOS (which sends decomposed
NFD text) and on Windows/Android (composed NFC) is one password. A stored hash may be of a non-NFC
password from before this rule, so verification also tries the form as typed and its NFD form, and
a match on one of those returns a new hash of the NFC form to store instead.
"""

from __future__ import annotations

import asyncio
import unicodedata
from collections.abc import Sequence
from typing import TypedDict

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from zxcvbn import zxcvbn

from core.errors import UserInputError

#: The code of the answer to a wrong password, or an identifier no account signs in with (the two look alike).
INVALID_CREDENTIALS = "INVALID_CREDENTIALS"

MIN_LENGTH = 10
#: Longest password accepted (characters, after NFC). argon2 itself has no practical limit; this
#: bounds the work and memory of one request. Long passphrases are welcome up to here.
MAX_LENGTH = 256
#: zxcvbn refuses (ValueError) anything longer than 72 characters; it rates the first 72, and a
#: phrase whose first 72 characters are strong is strong.
ZXCVBN_MAX_LENGTH = 72
#: zxcvbn score 0-4; 3 = "safely unguessable: moderate protection from offline slow-hash attacks".
MIN_SCORE = 3


#: argon2id parameters by profile (``HANOISMART_PASSWORD_HASH_PROFILE``). ``standard`` is argon2-cffi's RFC 9106
#: low-memory profile (t=3, 64 MiB, p=4: ~150 ms here). ``test`` is still argon2id but ~150x cheaper (t=1, 1 MiB,
#: p=1: ~0.9 ms CPU here, against 18 ms for t=2, 8 MiB); the settings accept it only with ``environment=test``,
#: where the suite's thousands of registrations and sign-ins would otherwise spend a good part of its time in argon2.
class HashProfile(TypedDict, total=False):
    """argon2id parameters (``PasswordHasher``'s keywords); left out: argon2-cffi's defaults."""

    time_cost: int
    memory_cost: int
    parallelism: int


PROFILES: dict[str, HashProfile] = {
    "standard": {},
    "test": {"time_cost": 1, "memory_cost": 1024, "parallelism": 1},
}

HASHER = PasswordHasher()  # the standard profile until the app applies its settings (use_profile)


def use_profile(name: str) -> None:
    """Hash new passwords with the named profile; a stored hash of other parameters is rehashed at sign-in."""
    global HASHER  # noqa: PLW0603 - one hasher per process, chosen by the settings at start
    HASHER = PasswordHasher(**PROFILES[name])


def normalise_password(password: str) -> str:
    """The stored form: Unicode NFC, nothing else changed (spaces are part of a password)."""
    return unicodedata.normalize("NFC", password or "")


def check_policy(password: str, *, user_inputs: Sequence[str] = (), field: str = "password") -> None:
    password = normalise_password(password)
    if len(password) < MIN_LENGTH:
        raise UserInputError("A password has at least {limit} characters.", field=field, params={"limit": MIN_LENGTH})
    if len(password) > MAX_LENGTH:
        raise UserInputError("A password has at most {limit} characters.", field=field, params={"limit": MAX_LENGTH})
    inputs = [u[:ZXCVBN_MAX_LENGTH] for u in user_inputs if u]
    verdict = zxcvbn(password[:ZXCVBN_MAX_LENGTH], user_inputs=inputs, max_length=ZXCVBN_MAX_LENGTH)
    if verdict["score"] < MIN_SCORE:  # zxcvbn's own hint is English only: the message says what to do instead
        raise UserInputError(
            "This password is too common or easy to guess; use a longer phrase of unrelated words.", field=field
        )


async def hash_password(password: str) -> str:
    """An argon2id hash of the NFC form of ``password``."""
    return await asyncio.to_thread(HASHER.hash, normalise_password(password))


def _candidates(password: str) -> list[str]:
    """NFC first (how every password is stored now), then one older form: the form as typed when it
    is not NFC (a hash stored from a macOS/iOS client), else its NFD form (a hash stored from such a
    client, the password now typed on another). At most two argon2 checks; one for ASCII."""
    password = password or ""
    composed = normalise_password(password)
    older = password if password != composed else unicodedata.normalize("NFD", password)
    return list(dict.fromkeys([composed, older]))


def _verify(stored_hash: str, candidate: str) -> bool:
    try:
        return HASHER.verify(stored_hash, candidate)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


async def verify_password(stored_hash: str | None, password: str) -> tuple[bool, str | None]:
    """(matches, new hash if the stored one should be replaced). Constant work for a missing hash.

    The new hash is given when argon2's parameters changed, or when the password matched in a
    non-NFC form (a hash stored before passwords were normalised)."""
    candidates = _candidates(password)
    if len(normalise_password(password)) > MAX_LENGTH:
        candidates = candidates[:1]  # no password that long was ever accepted: one check is enough
    if not stored_hash:
        for candidate in candidates:  # same cost as a real check: no timing oracle
            await asyncio.to_thread(HASHER.hash, candidate)
        return False, None
    for index, candidate in enumerate(candidates):
        if await asyncio.to_thread(_verify, stored_hash, candidate):
            if index > 0 or HASHER.check_needs_rehash(stored_hash):
                return True, await hash_password(password)
            return True, None
    return False, None
