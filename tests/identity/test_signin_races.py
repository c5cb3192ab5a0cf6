"""Sign-in under races and over time: rehashes against the "password unchanged" check, how long failures are
remembered, and which throttle nodes an attempt leaves behind."""

from __future__ import annotations

import asyncio
import unicodedata
from collections import Counter

from argon2 import PasswordHasher

from tests.identity.people import PASSWORD, register, uuid_of
from tests.identity.test_sessions import CHANGE, LOGIN, NEW_PASSWORD, client_at, login, outcome, settings_changed
from tests.support import gql

CLOSE = "mutation Close($password: String!) { accountClose(input: {password: $password}) { errors { code field } } }"


async def _store_hash(graph, person_id: str, value: str) -> None:
    async def write(tx):
        await tx.run("MATCH (p:Person {id: $id}) SET p.passwordHash = $h", id=uuid_of(person_id), h=value)

    await graph.write(write)


async def _stored_hash(graph, person_id: str) -> str:
    async def read(tx):
        result = await tx.run("MATCH (p:Person {id: $id}) RETURN p.passwordHash AS h", id=uuid_of(person_id))
        return (await result.single())["h"]

    return await graph.read(read)


#: Attempts in flight count as failures until settled (auth/throttle.py): these tests, about the check after
#: argon2 and not about the throttle, let every parallel attempt through it.
ROOMY = {"login_free_failures": 50, "login_free_failures_per_account": 50}


def _legacy_nfd_hash() -> str:
    """A hash stored before passwords were normalised: of the decomposed (macOS) form, so it needs a rehash."""
    typed_on_a_mac = unicodedata.normalize("NFD", PASSWORD)
    assert typed_on_a_mac != PASSWORD
    return PasswordHasher().hash(typed_on_a_mac)


async def test_parallel_right_sign_ins_against_a_hash_being_rehashed_all_succeed(app, client, graph):
    someone = await register(client)
    legacy = _legacy_nfd_hash()
    await _store_hash(graph, someone.id, legacy)
    with settings_changed(app, **ROOMY):
        bodies = await asyncio.gather(
            *(gql(client, LOGIN, {"identifier": someone.document, "password": PASSWORD}) for _ in range(10))
        )
    assert Counter(outcome(b) for b in bodies) == {"ok": 10}, "a rehash is no password change"
    rehashed = await _stored_hash(graph, someone.id)
    assert rehashed != legacy and PasswordHasher().verify(rehashed, PASSWORD)
    assert (await login(client, someone.document, PASSWORD))["errors"] == []


async def test_a_password_change_racing_rehashing_sign_ins_wins_and_is_never_overwritten(app, client, graph):
    someone = await register(client)
    await _store_hash(graph, someone.id, _legacy_nfd_hash())
    change = gql(client, CHANGE, {"current": PASSWORD, "new": NEW_PASSWORD}, headers=someone.auth)
    logins = [gql(client, LOGIN, {"identifier": someone.document, "password": PASSWORD}) for _ in range(6)]
    with settings_changed(app, **ROOMY):
        changed, *signed_in = await asyncio.gather(change, *logins)
    assert changed["data"]["passwordChange"]["errors"] == [], "a sign-in's rehash does not make the change fail"
    assert set(outcome(b) for b in signed_in) <= {"ok", "INVALID_CREDENTIALS"}
    assert PasswordHasher().verify(await _stored_hash(graph, someone.id), NEW_PASSWORD), (
        "no rehash of the old password overwrote the new one"
    )
    assert (await login(client, someone.document, NEW_PASSWORD))["errors"] == []
    assert (await login(client, someone.document, PASSWORD))["errors"][0]["code"] == "INVALID_CREDENTIALS"


async def test_account_close_racing_a_rehashing_sign_in_closes_the_account(app, client, graph):
    someone = await register(client)
    await _store_hash(graph, someone.id, _legacy_nfd_hash())
    closing = gql(client, CLOSE, {"password": PASSWORD}, headers=someone.auth)
    logins = [gql(client, LOGIN, {"identifier": someone.document, "password": PASSWORD}) for _ in range(4)]
    with settings_changed(app, **ROOMY):
        closed, *_ = await asyncio.gather(closing, *logins)
    assert closed["data"]["accountClose"] == {"errors": []}


# --- how long failures are remembered --------------------------------------------------------------------------


async def _age_throttles(graph, seconds: int) -> None:
    """Time travel: the last failure was ``seconds`` ago and every wait is over."""

    async def write(tx):
        await tx.run(
            "MATCH (t:LoginThrottle) SET t.lastFailureAt = datetime() - duration({seconds: $s}), "
            "t.lockedUntil = datetime() - duration({seconds: 1})",
            s=seconds,
        )

    await graph.write(write)


async def test_failures_are_remembered_well_past_the_longest_wait(client, graph, test_settings):
    someone = await register(client)
    free = test_settings.login_free_failures
    for _ in range(free):
        assert (await login(client, someone.document, "wrong password!"))["errors"][0]["code"] == "INVALID_CREDENTIALS"
    assert (
        outcome(await gql(client, LOGIN, {"identifier": someone.document, "password": "wrong password!"}))
        == "RATE_LIMITED"
    )
    # the longest wait (login_max_delay_seconds, 15 min) has just passed: one more guess, not `free` fresh ones
    await _age_throttles(graph, test_settings.login_max_delay_seconds + 1)
    assert (await login(client, someone.document, "wrong password!"))["errors"][0]["code"] == "INVALID_CREDENTIALS"
    again = await gql(client, LOGIN, {"identifier": someone.document, "password": "wrong password!"})
    assert outcome(again) == "RATE_LIMITED", "past the longest wait the counter is not forgotten"
    # long after (an hour, and twice the longest wait): forgotten, the free attempts are back
    await _age_throttles(graph, max(3600, 2 * test_settings.login_max_delay_seconds) + 1)
    for _ in range(free):
        assert (await login(client, someone.document, "wrong password!"))["errors"][0]["code"] == "INVALID_CREDENTIALS"


# --- what an attempt leaves behind --------------------------------------------------------------------------------


async def _throttle_keys(graph) -> list[str]:
    async def read(tx):
        result = await tx.run("MATCH (t:LoginThrottle) RETURN t.key AS key ORDER BY key")
        return [record["key"] async for record in result]

    return await graph.read(read)


async def test_a_refused_attempt_creates_nothing_and_no_address_is_stored(app, client, graph):
    someone = await register(client)
    with settings_changed(app, login_free_failures_per_address=1, login_first_delay_seconds=60):
        async with client_at(app, "203.0.113.9") as guesser:
            assert (await login(guesser, someone.document, "wrong password!"))["errors"][0][
                "code"
            ] == "INVALID_CREDENTIALS"
            keys = await _throttle_keys(graph)
            assert len(keys) == 3, "the account from this address, the address, the account"
            for n in range(5):  # fresh identifiers, refused by the address's wait
                refused = await gql(guesser, LOGIN, {"identifier": f"00109099{n:04d}", "password": "a guess!"})
                assert outcome(refused) == "RATE_LIMITED"
    assert await _throttle_keys(graph) == keys, "a refused attempt leaves no throttle behind"
    assert not any("203.0.113.9" in key for key in keys), "throttles key addresses by a keyed digest"
