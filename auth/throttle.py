"""The password-guessing throttle: an attempt is claimed before a password is checked.

Every check of a password typed by someone (``sessionLogin``, ``passwordChange``, ``accountClose``) goes:

1. ``claim`` in one short write transaction: lock the throttle keys and, when each allows it, count the
   attempt as a failure in flight on each of them (so parallel guesses cannot all pass the check before
   any is counted); otherwise the attempt is refused (``RATE_LIMITED``) and nothing is counted;
2. argon2 outside any transaction;
3. ``settle_failure`` (a second short transaction: the wait starts when the check ends), or
   ``settle_success`` in the transaction that acts on the right password, which gives the attempt back.

Keys and policy (README, "Identity and sign-in"):

Addresses appear in keys as their keyed digest (``auth.limits.address_key``), never in clear.

- ``pair:<account>|<address>``, one account from one client address: ``login_free_failures`` attempts,
  then waits of ``login_first_delay_seconds`` (1 s), twice that, four times ... up to
  ``login_max_delay_seconds``. This is the lockout an attacker hits,
  and it is theirs alone: the owner, from another address, keeps their own free attempts. A success
  resets it to the pair's attempts still in flight and marks the pair as known.
- ``address:<address>``: ``login_free_failures_per_address`` failures over all accounts, then the same
  waits: one address spraying many accounts.
- ``account:<account>``, the account from every address: ``login_free_failures_per_account``, then waits
  capped at ``login_account_max_delay_seconds``, so a guesser with many addresses is slowed down. It holds up
  the owner too: an attacker polling from several addresses can take each attempt it allows past its free
  failures, so the owner, from a new address, keeps waiting while that goes on. A pair that signed in before
  (a known address) does not count against it nor wait for it: that is the owner's way in.
"""

from __future__ import annotations

from dataclasses import dataclass

from neo4j import AsyncManagedTransaction

from auth.limits import address_key
from auth.passwords import verify_password
from core.errors import RateLimitedError, UserInputError
from core.runtime import Runtime
from core.settings import Settings
from graph import auth as queries
from graph.auth import Credentials, FailureEntry, SuccessEntry, ThrottleState

#: Failures are forgotten (the next one counts as the first) this long after the last one at the earliest, and
#: never before twice the key's longest wait: a guesser waiting out each longest wait must not be given the free
#: failures again (``ThrottleKey.forget_after``).
FORGET_FAILURES_AFTER_SECONDS = 3600
#: An attempt in flight (claimed, password being checked) holds its keys at most this long, should the
#: process die before settling it.
IN_FLIGHT_SECONDS = 60
#: The wait suggested while another attempt past the free ones is being checked.
IN_FLIGHT_RETRY_SECONDS = 1.0


@dataclass(frozen=True)
class ThrottleKey:
    key: str
    free: int
    first_delay: int
    max_delay: int
    reset_on_success: bool = False
    skipped_when_known: bool = False

    @property
    def forget_after(self) -> int:
        """Seconds without a failure after which this key's failures are forgotten: well past its longest wait."""
        return max(FORGET_FAILURES_AFTER_SECONDS, 2 * self.max_delay)


@dataclass(frozen=True)
class Claim:
    """The outcome of ``claim``: granted with the keys it counted on, or refused with a wait."""

    granted: bool
    keys: tuple[ThrottleKey, ...] = ()
    retry_after: float = 0.0


def throttle_keys(settings: Settings, subject: str, where: str) -> list[ThrottleKey]:
    """The keys of a password attempt on ``subject`` (``account:<id>``, or a keyed digest of an unknown
    identifier) from ``where`` (the keyed digest of the client address, ``auth.limits.address_key``: addresses
    are counted, never stored)."""
    first = settings.login_first_delay_seconds
    return [
        ThrottleKey(
            f"pair:{subject}|{where}",
            settings.login_free_failures,
            first,
            settings.login_max_delay_seconds,
            reset_on_success=True,
        ),
        ThrottleKey(
            f"address:{where}", settings.login_free_failures_per_address, first, settings.login_max_delay_seconds
        ),
        ThrottleKey(
            subject,
            settings.login_free_failures_per_account,
            first,
            settings.login_account_max_delay_seconds,
            skipped_when_known=True,
        ),
    ]


async def claim(tx: AsyncManagedTransaction, rt: Runtime, subject: str, address: str | None) -> Claim:
    """Claim one password attempt on ``subject`` from ``address`` inside the caller's short transaction.

    A key allows the attempt while it has free failures left (attempts in flight count), else only when no
    other attempt on it is in flight and its wait is over: past the free failures, guesses go one at a time.
    A refused attempt leaves nothing behind: the throttles its lock created are deleted before it commits."""
    keys = throttle_keys(rt.settings, subject, address_key(rt, address))
    forget = {k.key: k.forget_after for k in keys}
    states = {state.key: state for state in await queries.lock_throttles(tx, sorted(forget), forget)}
    known = states[keys[0].key].known
    counted = tuple(k for k in keys if not (k.skipped_when_known and known))
    waits = [wait for wait in (_wait(states[k.key], k) for k in counted) if wait > 0]
    if waits:
        await queries.delete_throttles(tx, [key for key, state in states.items() if state.created])
        return Claim(False, retry_after=max(waits))
    await queries.claim_throttles(tx, [k.key for k in counted], forget, IN_FLIGHT_SECONDS)
    return Claim(True, counted)


def _wait(state: ThrottleState, key: ThrottleKey) -> float:
    """Seconds before ``key`` allows another attempt (0: now)."""
    if state.failures < key.free:
        return 0.0
    if state.pending > 0:
        return IN_FLIGHT_RETRY_SECONDS
    if state.locked_until is None:
        return 0.0
    return max((state.locked_until.to_native() - state.now.to_native()).total_seconds(), 0.0)


async def settle_failure(tx: AsyncManagedTransaction, claim: Claim) -> None:
    """The password of a granted claim was wrong: the failure stays counted and the next wait starts now."""
    await queries.settle_failure(
        tx,
        [FailureEntry(key=k.key, free=k.free, firstDelay=k.first_delay, maxDelay=k.max_delay) for k in claim.keys],
    )


async def settle_success(tx: AsyncManagedTransaction, claim: Claim) -> None:
    """The password of a granted claim was right: give the attempt back (inside the caller's transaction)."""
    await queries.settle_success(
        tx, [SuccessEntry(key=k.key, free=k.free, reset=k.reset_on_success) for k in claim.keys]
    )


async def claim_password_check(
    tx: AsyncManagedTransaction, rt: Runtime, person_id: str, address: str | None
) -> tuple[Claim, Credentials | None]:
    """Claim a check of a signed-in person's password (``passwordChange``, ``accountClose``): the same keys as
    signing in to their account, so a stolen access token gives no extra guesses. Returns the claim and the
    credentials to verify."""
    cred = await queries.credentials_by_id(tx, person_id)
    return await claim(tx, rt, f"account:{person_id}", address), cred


async def password_unchanged(tx: AsyncManagedTransaction, checked: Credentials | None) -> bool:
    """The account is still active with the password that was just verified: not closed, and its
    ``passwordVersion`` not bumped by a change or reset meanwhile. A rehash of the same password (a parallel
    sign-in upgrading the hash) keeps the version, so it does not fail the check. Read under the person's write
    lock, which the caller's transaction keeps until it commits."""
    if checked is None:
        return False
    current = await queries.locked_credentials_by_id(tx, checked.id)
    return current is not None and current.status == "active" and current.password_version == checked.password_version


@dataclass(frozen=True)
class CurrentPassword:
    """A signed-in person's password, verified under the throttle; ``confirm`` it inside the transaction that acts."""

    claim: Claim
    credentials: Credentials
    wrong: UserInputError

    async def confirm(self, tx: AsyncManagedTransaction) -> bool:
        """True (and the attempt given back) when the verified password is still the account's; else the failure
        is kept and the caller returns without acting, then raises ``wrong``."""
        if not await password_unchanged(tx, self.credentials):
            await settle_failure(tx, self.claim)
            return False
        await settle_success(tx, self.claim)
        return True


async def check_current_password(
    rt: Runtime, person_id: str, password: str, *, address: str | None, wrong: UserInputError
) -> CurrentPassword:
    """``passwordChange`` and ``accountClose``: claim the check (RATE_LIMITED when refused), verify with argon2
    outside any transaction, and raise ``wrong`` (the failure counted) when it does not match."""
    claimed, cred = await rt.graph.write(claim_password_check, rt, person_id, address)
    if not claimed.granted:
        raise refusal(claimed)
    ok, _ = await verify_password(cred.password_hash if cred else None, password or "")
    if not ok or cred is None:
        await rt.graph.write(settle_failure, claimed)
        raise wrong
    return CurrentPassword(claimed, cred, wrong)


def refusal(claim: Claim) -> RateLimitedError:
    return RateLimitedError(
        "Too many failed password attempts; wait before trying again.", retry_after_seconds=claim.retry_after
    )
