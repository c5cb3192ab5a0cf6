"""One-time codes and password reset under attack: oracles, squatting, quotas, wrong codes, hashing."""

from __future__ import annotations

import asyncio
import time

from identity.messaging import settle
from tests.identity.people import register, unique_phone
from tests.identity.test_registration import client_from
from tests.identity.test_sessions import (
    ADD_CONTACT,
    COMPLETE,
    CONTACTS,
    NEW_PASSWORD,
    RESET_COMPLETE,
    RESET_START,
    START,
    code_from_outbox,
    login,
    reset_code_from_outbox,
    verify_phone,
)
from tests.support import error_codes, gql, settings_changed


def wrong(code: str) -> str:
    return "000000" if code != "000000" else "111111"


async def reset_start(client, contact: str) -> dict:
    return await gql(client, RESET_START, {"contact": contact})


async def reset_complete(client, contact: str, code: str, new: str = NEW_PASSWORD) -> dict:
    return await gql(client, RESET_COMPLETE, {"contact": contact, "code": code, "new": new})


def answer(body: dict) -> tuple:
    """What a client can tell from a passwordResetStart answer."""
    return (
        (body.get("data") or {}).get("passwordResetStart"),
        error_codes(body),
        [round(e["extensions"].get("retryAfterSeconds", 0), -2) for e in body.get("errors", [])],
    )


# --- passwordResetStart tells nothing about the contact -------------------------------------------------------------


async def test_reset_start_answers_alike_for_registered_and_unknown_contacts_until_the_limit(
    client, app, test_settings
):
    someone = await register(client)
    known = await verify_phone(client, app, someone)
    unknown = "+84" + unique_phone()[1:]
    limit = test_settings.otp_per_destination_per_hour
    for attempt in range(limit + 2):
        for_known, for_unknown = await reset_start(client, known), await reset_start(client, unknown)
        assert answer(for_known) == answer(for_unknown), attempt
        expected = ["RATE_LIMITED"] if attempt >= limit else []
        assert error_codes(for_unknown) == expected, attempt


async def test_reset_start_for_an_unknown_contact_stores_nothing_in_clear(client, graph):
    phone, email = "+84" + unique_phone()[1:], "nobody.here@example.vn"
    for contact in (phone, email):
        assert (await reset_start(client, contact))["data"]["passwordResetStart"]["errors"] == []

    async def holding(tx, value):
        result = await tx.run(
            "MATCH (n) WHERE any(k IN keys(n) WHERE toString(n[k]) CONTAINS $value) RETURN count(n) AS c", value=value
        )
        return (await result.single())["c"]

    for value in (phone, phone[3:], email):
        assert await graph.read(holding, value) == 0, value


async def test_reset_start_does_not_wait_for_the_message_to_a_known_contact(client, app):
    someone = await register(client)
    known = await verify_phone(client, app, someone)
    release = asyncio.Event()
    real = app.state.runtime.sender

    class SlowProvider:  # an SMS gateway that takes its time
        async def send(self, channel, destination, text):
            await release.wait()
            await real.send(channel, destination, text)

        def __getattr__(self, name):
            return getattr(real, name)

    app.state.runtime.sender = SlowProvider()
    try:
        began = time.perf_counter()
        body = await asyncio.wait_for(reset_start(client, known), timeout=5)
        elapsed = time.perf_counter() - began
        assert body["data"]["passwordResetStart"]["errors"] == []
        assert elapsed < 2, "answered before the provider accepted the message"
        release.set()
        await settle()
    finally:
        app.state.runtime.sender = real
    assert (await reset_complete(client, known, code_from_outbox(app, known)))["data"]["passwordResetComplete"][
        "errors"
    ] == []


# --- contact squatting and code binding -----------------------------------------------------------------------------


async def test_a_contact_verified_by_another_account_cannot_be_added_nor_spend_its_owners_codes(
    client, app, test_settings
):
    owner = await register(client, fullName="Chu Thị Sở Hữu")
    phone = await verify_phone(client, app, owner)
    squatter = await register(client)
    added = (await gql(client, ADD_CONTACT, {"kind": "PHONE", "value": phone}, headers=squatter.auth))["data"][
        "contactAdd"
    ]
    assert [(e["code"], e["field"]) for e in added["errors"]] == [("CONFLICT", ["input", "value"])]
    assert added["contact"] is None
    message = (
        await gql(
            client,
            "mutation A($k: ContactKind!, $v: String!) { contactAdd(input: {kind: $k, value: $v}) { errors { message } } }",
            {"k": "PHONE", "v": phone},
            headers=squatter.auth,
        )
    )["data"]["contactAdd"]["errors"][0]["message"]
    assert "Sở Hữu" not in message and owner.id not in message and phone not in message

    # the same squatter registered with the phone (registration does not tell strangers it is taken)
    second = await register(client, phone=phone)
    contact = next(
        c for c in (await gql(client, CONTACTS, headers=second.auth))["data"]["me"]["contacts"] if c["kind"] == "PHONE"
    )
    for _ in range(test_settings.otp_per_destination_per_hour + 1):
        started = (await gql(client, START, {"id": contact["id"]}, headers=second.auth))["data"][
            "contactVerificationStart"
        ]
        assert started["errors"][0]["code"] == "CONFLICT"
    body = await reset_start(client, phone)
    assert error_codes(body) == [] and body["data"]["passwordResetStart"]["errors"] == [], (
        "the owner's reset still works"
    )
    done = await reset_complete(client, phone, await reset_code_from_outbox(app, phone))
    assert done["data"]["passwordResetComplete"]["errors"] == []


async def test_forty_parallel_adds_of_taken_contacts_stop_answering_after_the_daily_cap(client, app):
    """contactAdd's CONFLICT says a phone is registered: refusals are counted per account under the limit's
    lock, and once spent every contactAdd of the account is RATE_LIMITED, taken contact or not."""
    owner = await register(client)
    phone = await verify_phone(client, app, owner)
    prober = await register(client)
    with settings_changed(app, contact_conflicts_per_account_per_day=3):
        bodies = await asyncio.gather(
            *(gql(client, ADD_CONTACT, {"kind": "PHONE", "value": phone}, headers=prober.auth) for _ in range(40))
        )
        conflicts = [
            b
            for b in bodies
            if not b.get("errors")
            and b["data"]["contactAdd"]["errors"] == [{"code": "CONFLICT", "field": ["input", "value"]}]
        ]
        limited = [b for b in bodies if error_codes(b) == ["RATE_LIMITED"]]
        assert len(conflicts) == 3 and len(limited) == 37, [error_codes(b) for b in bodies]
        assert limited[0]["errors"][0]["extensions"]["retryAfterSeconds"] > 80000
        fresh = await gql(client, ADD_CONTACT, {"kind": "PHONE", "value": unique_phone()}, headers=prober.auth)
        assert error_codes(fresh) == ["RATE_LIMITED"], "a free phone is answered alike: no more information"
        other = await gql(client, ADD_CONTACT, {"kind": "PHONE", "value": unique_phone()}, headers=owner.auth)
        assert other["data"]["contactAdd"]["errors"] == [], "counted per account"


async def test_codes_are_limited_per_requesting_account_across_destinations(client, app):
    someone = await register(client)
    with settings_changed(app, otp_per_account_per_hour=3):
        ids = []
        for _ in range(4):
            added = await gql(client, ADD_CONTACT, {"kind": "PHONE", "value": unique_phone()}, headers=someone.auth)
            ids.append(added["data"]["contactAdd"]["contact"]["id"])
        for contact_id in ids[:3]:  # three different phones, one code each
            assert (await gql(client, START, {"id": contact_id}, headers=someone.auth))["data"][
                "contactVerificationStart"
            ]["errors"] == []
        refused = await gql(client, START, {"id": ids[3]}, headers=someone.auth)
        assert (
            error_codes(refused) == ["RATE_LIMITED"] and refused["errors"][0]["extensions"]["retryAfterSeconds"] > 3000
        )


async def test_a_code_is_bound_to_the_account_that_asked_for_it(client, app):
    phone = unique_phone()
    first = await register(client, phone=phone)
    second = await register(client, phone=phone)  # both hold the same unverified phone

    async def phone_of(person):
        contacts = (await gql(client, CONTACTS, headers=person.auth))["data"]["me"]["contacts"]
        return next(c for c in contacts if c["kind"] == "PHONE")

    first_contact, second_contact = await phone_of(first), await phone_of(second)
    await gql(client, START, {"id": first_contact["id"]}, headers=first.auth)
    first_code = code_from_outbox(app, first_contact["value"])
    await gql(client, START, {"id": second_contact["id"]}, headers=second.auth)  # the newest code of this phone
    second_code = code_from_outbox(app, first_contact["value"])
    assert second_code != first_code

    crossed = await gql(client, COMPLETE, {"id": second_contact["id"], "code": first_code}, headers=second.auth)
    assert crossed["data"]["contactVerificationComplete"]["errors"][0]["code"] == "INVALID_CODE"
    done = await gql(client, COMPLETE, {"id": first_contact["id"], "code": first_code}, headers=first.auth)
    assert done["data"]["contactVerificationComplete"]["errors"] == [], "the other account's newer code does not win"
    assert done["data"]["contactVerificationComplete"]["person"]["verificationLevel"] == 1


# --- wrong reset codes ------------------------------------------------------------------------------------------------


async def test_wrong_reset_codes_are_capped_per_day_and_the_owner_is_told(client, app):
    someone = await register(client)
    phone = await verify_phone(client, app, someone)
    sender = app.state.runtime.sender
    with settings_changed(app, otp_reset_failures_per_day=3, otp_reset_failures_per_address_per_day=100):
        await reset_start(client, phone)
        code = await reset_code_from_outbox(app, phone)
        for _ in range(3):
            assert (await reset_complete(client, phone, wrong(code)))["data"]["passwordResetComplete"]["errors"][0][
                "code"
            ] == "INVALID_CODE"
        await settle()
        notice = sender.last_to(phone)
        assert "wrong password reset codes" in notice.text and code not in notice.text
        capped = await reset_complete(client, phone, code)
        assert error_codes(capped) == ["RATE_LIMITED"], "even the right code waits for tomorrow"
        assert capped["errors"][0]["extensions"]["retryAfterSeconds"] > 80000
        # another destination never registered is capped the same way: no hint which one has an account
        nobody = "+84" + unique_phone()[1:]
        await reset_start(client, nobody)
        answers = [error_codes(await reset_complete(client, nobody, "123456")) for _ in range(4)]
        assert answers == [[], [], [], ["RATE_LIMITED"]]
    assert (await login(client, someone.document, someone.password))["errors"] == [], "the password did not change"


async def test_wrong_reset_codes_are_capped_per_account_across_its_contacts(client, app):
    someone = await register(client)
    phone = await verify_phone(client, app, someone)
    contacts = (await gql(client, CONTACTS, headers=someone.auth))["data"]["me"]["contacts"]
    email = next(c for c in contacts if c["kind"] == "EMAIL")
    await gql(client, START, {"id": email["id"]}, headers=someone.auth)
    await gql(
        client, COMPLETE, {"id": email["id"], "code": code_from_outbox(app, email["value"])}, headers=someone.auth
    )
    with settings_changed(app, otp_reset_failures_per_day=3):
        for contact in (phone, email["value"]):
            await reset_start(client, contact)
        email_code = await reset_code_from_outbox(app, email["value"])
        for contact in (phone, phone, email["value"]):
            assert (await reset_complete(client, contact, "999999"))["data"]["passwordResetComplete"]["errors"][0][
                "code"
            ] == "INVALID_CODE"
        await settle()
        assert "wrong password reset codes" in app.state.runtime.sender.last_to(email["value"]).text
        assert error_codes(await reset_complete(client, email["value"], email_code)) == ["RATE_LIMITED"]


async def test_an_exhausted_reset_code_tells_the_owner(client, app, test_settings):
    someone = await register(client)
    phone = await verify_phone(client, app, someone)
    await reset_start(client, phone)
    code = await reset_code_from_outbox(app, phone)
    for _ in range(test_settings.otp_max_attempts):
        await reset_complete(client, phone, wrong(code))
    await settle()
    assert "wrong password reset codes" in app.state.runtime.sender.last_to(phone).text


async def test_random_reset_codes_without_a_live_code_do_not_block_the_owner(client, app):
    """Guesses when no code was asked for are checked against nothing: they do not spend the
    destination's daily cap (an anonymous 24 h denial of the owner's reset) nor message the owner."""
    someone = await register(client)
    phone = await verify_phone(client, app, someone)
    sender = app.state.runtime.sender
    with settings_changed(app, otp_reset_failures_per_day=3, otp_reset_failures_per_address_per_day=100):
        async with client_from(app, "203.0.113.66") as attacker:
            bodies = await asyncio.gather(*(reset_complete(attacker, phone, f"{i:06d}") for i in range(40)))
        assert [error_codes(b) for b in bodies] == [[]] * 40
        assert all(b["data"]["passwordResetComplete"]["errors"][0]["code"] == "INVALID_CODE" for b in bodies)
        await settle()
        assert "wrong password reset codes" not in sender.last_to(phone).text, "the owner is not bothered"
        await reset_start(client, phone)
        done = await reset_complete(client, phone, await reset_code_from_outbox(app, phone))
    assert error_codes(done) == [] and done["data"]["passwordResetComplete"]["errors"] == []
    assert (await login(client, someone.document, NEW_PASSWORD))["errors"] == []


async def test_one_address_cannot_spend_a_destinations_wrong_code_cap_alone(client, app):
    """While the owner's code is live, one address gets its own lower cap of wrong codes: the other 37 of
    40 parallel guesses are refused before they reach the destination's cap, which the owner still has."""
    someone = await register(client)
    phone = await verify_phone(client, app, someone)
    with settings_changed(app, otp_reset_failures_per_day=10, otp_reset_failures_per_address_per_day=3):
        await reset_start(client, phone)
        await reset_code_from_outbox(app, phone)
        async with client_from(app, "203.0.113.67") as attacker:
            bodies = await asyncio.gather(*(reset_complete(attacker, phone, f"{i:06d}") for i in range(40)))
            refused = [b for b in bodies if error_codes(b) == ["RATE_LIMITED"]]
            invalid = [b for b in bodies if not b.get("errors") and b["data"]["passwordResetComplete"]["errors"]]
            assert len(invalid) == 3 and len(refused) == 37, [error_codes(b) for b in bodies]
            assert refused[0]["errors"][0]["extensions"]["retryAfterSeconds"] > 80000
        await reset_start(client, phone)
        done = await reset_complete(client, phone, await reset_code_from_outbox(app, phone))
    assert error_codes(done) == [] and done["data"]["passwordResetComplete"]["errors"] == [], "the owner is not blocked"


async def test_a_reset_takes_a_long_passphrase_up_to_the_maximum(client, app):
    """Past zxcvbn's 72 characters a passphrase is rated by its start, as on registration and passwordChange."""
    someone = await register(client)
    phone = await verify_phone(client, app, someone)
    await reset_start(client, phone)
    code = await reset_code_from_outbox(app, phone)
    too_long = (await reset_complete(client, phone, code, "Phở bò tái chín " * 17))["data"]["passwordResetComplete"]
    (error,) = too_long["errors"]
    assert error["code"] == "INVALID_INPUT" and error["field"] == ["input", "newPassword"] and "256" in error["message"]
    passphrase = "Hồ Gươm mùa thu lá vàng rơi trên phố cổ, tiếng chuông chùa Trấn Quốc vang xa giữa sương mai 2026"
    assert 72 < len(passphrase) < 256
    done = await reset_complete(client, phone, code, passphrase)  # the refusal did not spend the code
    assert done["data"]["passwordResetComplete"] == {"errors": []}
    assert (await login(client, someone.document, passphrase))["errors"] == []


# --- a wrong code never costs a hash ---------------------------------------------------------------------------------


async def test_a_wrong_reset_code_is_refused_before_any_hashing(client, app, argon2):
    someone = await register(client)
    phone = await verify_phone(client, app, someone)
    await reset_start(client, phone)
    code = await reset_code_from_outbox(app, phone)
    argon2.hashed = 0
    for _ in range(3):
        assert (await reset_complete(client, phone, wrong(code)))["data"]["passwordResetComplete"]["errors"][0][
            "code"
        ] == "INVALID_CODE"
    assert (await reset_complete(client, "+84" + unique_phone()[1:], code))["data"]["passwordResetComplete"]["errors"]
    assert argon2.hashed == 0, "no argon2 work for a wrong code or an unknown contact"
    assert (await reset_complete(client, phone, code))["data"]["passwordResetComplete"]["errors"] == []
    assert argon2.hashed == 1


async def test_forty_parallel_resets_with_one_code_set_one_password(client, app, argon2):
    someone = await register(client)
    phone = await verify_phone(client, app, someone)
    await reset_start(client, phone)
    code = await reset_code_from_outbox(app, phone)
    argon2.hashed = 0
    candidates = [f"{NEW_PASSWORD} số {i}" for i in range(40)]
    with settings_changed(
        app, otp_reset_failures_per_day=100, otp_reset_failures_per_address_per_day=100
    ):  # the 39 losers count as wrong codes
        bodies = await asyncio.gather(*(reset_complete(client, phone, code, new) for new in candidates))
    results = [b["data"]["passwordResetComplete"] for b in bodies]
    winners = [new for new, r in zip(candidates, results, strict=False) if r["errors"] == []]
    assert len(winners) == 1, results
    assert all(r["errors"][0]["code"] == "INVALID_CODE" for r in results if r["errors"])
    assert argon2.hashed == 1
    assert (await login(client, someone.document, winners[0]))["errors"] == []
