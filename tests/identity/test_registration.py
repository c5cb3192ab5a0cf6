"""One account per real identity: registration, document checks, duplicates (also concurrent)."""

from __future__ import annotations

import asyncio
import logging
import unicodedata
from contextlib import asynccontextmanager
from datetime import date

import httpx
import pytest
from argon2 import PasswordHasher

from tests.identity.people import PASSWORD, REGISTER, cccd, register, registration_input, uuid_of
from tests.support import gql, settings_changed

ME = "{ me { id displayName roles verificationLevel dateOfBirth sex identityDocumentKind identityDocumentLast4 ward { code name } } }"


async def test_a_resident_registers_and_is_signed_in(client):
    someone = await register(client)
    body = await gql(client, ME, headers=someone.auth)
    me = body["data"]["me"]
    assert me["id"] == someone.id
    assert me["displayName"] == "Nguyễn Văn An"
    assert me["roles"] == ["RESIDENT"] and me["verificationLevel"] == 0
    assert me["dateOfBirth"] == "1990-05-17" and me["sex"] == "MALE"
    assert me["identityDocumentKind"] == "CCCD" and me["identityDocumentLast4"] == someone.document[-4:]
    assert me["ward"] == {"code": "00070", "name": "Hoàn Kiếm"}


async def test_the_document_number_is_never_stored_logged_or_echoed(client, graph, caplog):
    caplog.set_level(logging.DEBUG)
    data = registration_input()
    number = data["document"]["number"]
    response = await client.post("/graphql", json={"query": REGISTER, "variables": {"input": data}})
    assert number not in response.text

    async def any_property_holding(tx):
        result = await tx.run(
            "MATCH (n) UNWIND keys(n) AS k WITH n[k] AS v "
            "WITH CASE WHEN valueType(v) STARTS WITH 'LIST' THEN [x IN v | toString(x)] ELSE [toString(v)] END AS texts "
            "UNWIND texts AS text WITH text WHERE text CONTAINS $number RETURN count(*) AS c",
            number=number,
        )
        return (await result.single())["c"]

    assert await graph.read(any_property_holding) == 0
    assert all(number not in record.getMessage() for record in caplog.records)


@pytest.mark.parametrize(
    ("number", "birth", "sex", "reason"),
    [
        ("00109012345", date(1990, 5, 17), "MALE", "12 digits"),
        ("0010901234567", date(1990, 5, 17), "MALE", "12 digits"),
        ("00109012345A", date(1990, 5, 17), "MALE", "digits only"),
        ("003090123456", date(1990, 5, 17), "MALE", "province code"),
        ("001290123456", date(1990, 5, 17), "MALE", "century"),
        ("001190123456", date(1990, 5, 17), "MALE", "sex"),
        ("001091123456", date(1990, 5, 17), "MALE", "birth year"),
        ("001203123456", date(2003, 1, 9), "FEMALE", "sex"),
    ],
)
async def test_invalid_citizen_ids_are_refused_with_the_reason(client, number, birth, sex, reason):
    data = registration_input(birth=birth, sex=sex)
    data["document"] = {"kind": "CCCD", "number": number}
    result = (await gql(client, REGISTER, {"input": data}))["data"]["personRegister"]
    assert result["person"] is None and result["tokens"] is None
    (error,) = result["errors"]
    assert error["code"] == "INVALID_INPUT" and error["field"] == ["input", "document", "number"]
    assert reason in error["message"]


async def test_a_21st_century_woman_with_a_consistent_id_registers(client):
    someone = await register(
        client,
        birth=date(2004, 2, 29),
        sex="FEMALE",
        fullName="Lê Thị Hoa",
        document={"kind": "CCCD", "number": "079304001234"},
    )
    assert someone.id


async def test_a_second_registration_with_the_same_document_is_a_conflict_that_reveals_nothing(client):
    first = await register(client, fullName="Nguyễn Văn Bảo")
    data = registration_input(fullName="Someone Else")
    data["document"] = {"kind": "CCCD", "number": " ".join([first.document[:4], first.document[4:]])}
    result = (await gql(client, REGISTER, {"input": data}))["data"]["personRegister"]
    (error,) = result["errors"]
    assert error["code"] == "CONFLICT" and error["field"] == ["input", "document", "number"]
    assert "Bảo" not in error["message"] and "Nguyễn" not in error["message"]
    assert first.document[-4:] not in error["message"]
    assert result["person"] is None


async def test_twenty_concurrent_registrations_of_one_document_make_exactly_one_account(client, graph):
    birth = date(1992, 8, 1)
    number = cccd(birth, "male")
    attempts = [
        registration_input(birth=birth, fullName=f"Người Thứ {i}", document={"kind": "CCCD", "number": number})
        for i in range(20)
    ]
    bodies = await asyncio.gather(*(gql(client, REGISTER, {"input": a}) for a in attempts))
    results = [b["data"]["personRegister"] for b in bodies]
    succeeded = [r for r in results if r["person"] is not None]
    conflicts = [r for r in results if r["errors"] and r["errors"][0]["code"] == "CONFLICT"]
    assert len(succeeded) == 1 and len(conflicts) == 19

    async def accounts(tx):
        result = await tx.run(
            "MATCH (p:Person)-[:PROVED_BY]->(d:IdentityDocument) RETURN count(p) AS people, count(DISTINCT d) AS docs"
        )
        return dict(await result.single())

    assert await graph.read(accounts) == {"people": 1, "docs": 1}


async def test_a_tourist_registers_with_a_passport(client):
    someone = await register(
        client,
        fullName="Yuki Tanaka",
        roles=["TOURIST"],
        wardCode=None,
        document={"kind": "PASSPORT", "country": "jp", "number": "tk 1234567"},
        phone="+81 90-1234-5678",
    )
    me = (await gql(client, ME, headers=someone.auth))["data"]["me"]
    assert me["roles"] == ["TOURIST"] and me["identityDocumentKind"] == "PASSPORT"
    again = registration_input(
        fullName="Other",
        roles=["TOURIST"],
        wardCode=None,
        document={"kind": "PASSPORT", "country": "JP", "number": "TK1234567"},
    )
    result = (await gql(client, REGISTER, {"input": again}))["data"]["personRegister"]
    assert result["errors"][0]["code"] == "CONFLICT"


@pytest.mark.parametrize(
    ("overrides", "field", "fragment"),
    [
        ({"roles": ["OFFICER"]}, "roles", "granted by an administrator"),
        ({"roles": []}, "roles", "at least one role"),
        ({"wardCode": None}, "wardCode", "ward or commune"),
        ({"wardCode": "99999"}, "wardCode", "No ward or commune"),
        ({"password": "short"}, "password", "at least 10"),
        ({"password": "password1234"}, "password", "common"),
        ({"phone": "12345"}, "phone", "phone"),
        ({"email": "not-an-email"}, "email", "e-mail"),
        ({"document": {"kind": "PASSPORT", "country": "Japan", "number": "TK1234567"}}, "document.country", "ISO"),
        ({"document": {"kind": "TAX_CODE", "number": "0101234567"}}, "document.kind", "citizen ID"),
        ({"birth": date(1890, 1, 1)}, "dateOfBirth", "1900"),
    ],
)
async def test_bad_registration_input_names_the_field(client, graph, overrides, field, fragment):
    result = (await gql(client, REGISTER, {"input": registration_input(**overrides)}))["data"]["personRegister"]
    (error,) = [e for e in result["errors"] if e["field"] == ["input", *field.split(".")]]
    assert fragment in error["message"], error

    async def people(tx):
        return (await (await tx.run("MATCH (p:Person) RETURN count(p) AS c")).single())["c"]

    assert await graph.read(people) == 0, "a refused registration writes nothing"


PROFILE_UPDATE = """
mutation Update($input: ProfileUpdateInput!) {
  profileUpdate(input: $input) { person { id roles ward { code } } errors { code field message } }
}
"""


async def test_a_tourist_who_becomes_a_resident_keeps_the_same_account(client):
    someone = await register(client, roles=["TOURIST"], wardCode=None)
    refused = await gql(client, PROFILE_UPDATE, {"input": {"addRoles": ["RESIDENT"]}}, headers=someone.auth)
    assert refused["data"]["profileUpdate"]["errors"][0]["field"] == ["input", "wardCode"]
    body = await gql(
        client, PROFILE_UPDATE, {"input": {"addRoles": ["RESIDENT"], "wardCode": "00004"}}, headers=someone.auth
    )
    person = body["data"]["profileUpdate"]["person"]
    assert person["id"] == someone.id
    assert sorted(person["roles"]) == ["RESIDENT", "TOURIST"] and person["ward"] == {"code": "00004"}
    officer = await gql(client, PROFILE_UPDATE, {"input": {"addRoles": ["OFFICER"]}}, headers=someone.auth)
    assert officer["data"]["profileUpdate"]["errors"][0]["field"] == ["input", "addRoles"]


async def test_every_mistake_of_a_registration_is_reported_at_once(client, graph):
    data = registration_input(
        fullName="<b>An</b>",
        roles=["RESIDENT", "OFFICER"],
        wardCode=None,
        phone="12345",
        email="not-an-email",
        password="short",
        investorSectors=["x" * 101],
    )
    data["document"] = {"kind": "PASSPORT", "country": "Japan", "number": "?"}
    result = (await gql(client, REGISTER, {"input": data}))["data"]["personRegister"]
    assert result["person"] is None
    assert [(e["code"], e["field"]) for e in result["errors"]] == [
        ("INVALID_INPUT", ["input", "fullName"]),
        ("INVALID_INPUT", ["input", "roles"]),
        ("INVALID_INPUT", ["input", "document", "country"]),
        ("INVALID_INPUT", ["input", "document", "number"]),
        ("INVALID_INPUT", ["input", "phone"]),
        ("INVALID_INPUT", ["input", "email"]),
        ("INVALID_INPUT", ["input", "investorSectors"]),
        ("INVALID_INPUT", ["input", "password"]),
    ]

    async def people(tx):
        return (await (await tx.run("MATCH (p:Person) RETURN count(p) AS c")).single())["c"]

    assert await graph.read(people) == 0


async def test_mistakes_are_told_in_vietnamese_when_asked(client):
    data = registration_input(wardCode=None, password="short")
    english = (await gql(client, REGISTER, {"input": data}))["data"]["personRegister"]["errors"]
    vietnamese = (await gql(client, REGISTER, {"input": data}, headers={"accept-language": "vi-VN,vi;q=0.9"}))["data"][
        "personRegister"
    ]["errors"]
    assert [(e["code"], e["field"]) for e in vietnamese] == [(e["code"], e["field"]) for e in english]
    assert [e["message"] for e in english] == [
        "A resident names the ward or commune they live in (wardCode).",
        "A password has at least 10 characters.",
    ]
    assert [e["message"] for e in vietnamese] == [
        "Cư dân cần cho biết phường hoặc xã nơi mình sinh sống (wardCode).",
        "Mật khẩu phải có ít nhất 10 ký tự.",
    ]


async def test_registering_while_signed_in_is_refused(client):
    someone = await register(client)
    result = (await gql(client, REGISTER, {"input": registration_input()}, headers=someone.auth))["data"][
        "personRegister"
    ]
    assert result["errors"][0]["code"] == "CONFLICT"


def test_the_default_password_is_strong_enough():
    from auth.passwords import check_policy

    check_policy(PASSWORD)


# --- names and passwords: what they may contain -----------------------------------------------------------------

LOGIN = """
mutation Login($identifier: String!, $password: String!) {
  sessionLogin(input: {identifier: $identifier, password: $password}) { tokens { accessToken } errors { code field } }
}
"""
CHANGE = """
mutation Change($current: String!, $new: String!) {
  passwordChange(input: {currentPassword: $current, newPassword: $new}) {
    closedSessionCount errors { code field message }
  }
}
"""
#: A strong phrase of 100 characters: past zxcvbn's 72-character limit, below the 256 maximum.
LONG_PASSWORD = "Hồ Gươm mùa thu lá vàng rơi trên phố cổ, tiếng chuông chùa Trấn Quốc vang xa giữa sương mai 2026"


@pytest.mark.parametrize(
    "name",
    [
        "\u200b\u200b",  # zero-width spaces only
        "Nguyễn\u200bVăn An",  # a zero-width space inside
        "Nguyễn Văn \u202eAn",  # a right-to-left override
        "Nguyễn Văn\u2066 An",  # a bidi isolate
        "<b>Admin</b>",  # markup
        "Nguyễn {{7*7}}",
        "12345 678",  # no letter
        "-- ..",
        "A\u0301\u0301\u0301\u0301n",  # stacked accents
    ],
)
async def test_names_with_invisible_or_spoofing_text_are_refused(client, graph, name):
    result = (await gql(client, REGISTER, {"input": registration_input(fullName=name)}))["data"]["personRegister"]
    (error,) = result["errors"]
    assert error["code"] == "INVALID_INPUT" and error["field"] == ["input", "fullName"], error

    async def people(tx):
        return (await (await tx.run("MATCH (p:Person) RETURN count(p) AS c")).single())["c"]

    assert await graph.read(people) == 0


async def test_names_are_stored_in_nfc_with_single_spaces(client):
    decomposed = unicodedata.normalize("NFD", "Nguyễn  Thị   Ánh")
    someone = await register(client, fullName=decomposed)
    me = (await gql(client, ME, headers=someone.auth))["data"]["me"]
    assert me["displayName"] == "Nguyễn Thị Ánh" and unicodedata.is_normalized("NFC", me["displayName"])
    org_names = await register(client, fullName="Đỗ O'Brien-Lê Jr.")  # real names keep their punctuation
    assert (await gql(client, ME, headers=org_names.auth))["data"]["me"]["displayName"] == "Đỗ O'Brien-Lê Jr."


async def test_long_passphrases_work_up_to_the_maximum(client):
    assert 72 < len(LONG_PASSWORD) < 256
    someone = await register(client, password=LONG_PASSWORD)
    assert (await gql(client, LOGIN, {"identifier": someone.document, "password": LONG_PASSWORD}))["data"][
        "sessionLogin"
    ]["errors"] == []
    longer = LONG_PASSWORD + " và gió heo may thổi qua những hàng cây sấu già trên đường Phan Đình Phùng"
    changed = await gql(client, CHANGE, {"current": LONG_PASSWORD, "new": longer}, headers=someone.auth)
    assert changed["data"]["passwordChange"] == {"closedSessionCount": 1, "errors": []}, "the sign-in above"
    too_long = await gql(client, CHANGE, {"current": longer, "new": "Phở bò tái chín " * 17}, headers=someone.auth)
    (error,) = too_long["data"]["passwordChange"]["errors"]
    assert error["code"] == "INVALID_INPUT" and error["field"] == ["input", "newPassword"] and "256" in error["message"]
    refused = await gql(client, REGISTER, {"input": registration_input(password="Bún chả Hàng Mành " * 15)})
    assert refused["data"]["personRegister"]["errors"][0]["field"] == ["input", "password"]
    assert "errors" not in refused


async def test_a_password_typed_in_nfd_is_the_same_password(client):
    someone = await register(client)  # PASSWORD, composed (NFC) as Windows and Android send it
    typed_on_a_mac = unicodedata.normalize("NFD", PASSWORD)
    assert typed_on_a_mac != PASSWORD
    body = await gql(client, LOGIN, {"identifier": someone.document, "password": typed_on_a_mac})
    assert body["data"]["sessionLogin"]["errors"] == []
    registered_on_a_mac = await register(client, password=typed_on_a_mac)
    body = await gql(client, LOGIN, {"identifier": registered_on_a_mac.document, "password": PASSWORD})
    assert body["data"]["sessionLogin"]["errors"] == []


async def test_a_hash_of_a_non_nfc_password_from_before_still_verifies_and_is_rehashed_to_nfc(client, graph):
    someone = await register(client)
    typed_on_a_mac = unicodedata.normalize("NFD", PASSWORD)
    legacy = PasswordHasher().hash(typed_on_a_mac)  # stored before passwords were normalised

    async def set_legacy_hash(tx):
        await tx.run("MATCH (p:Person {id: $id}) SET p.passwordHash = $hash", id=uuid_of(someone.id), hash=legacy)

    async def stored_hash(tx):
        result = await tx.run("MATCH (p:Person {id: $id}) RETURN p.passwordHash AS h", id=uuid_of(someone.id))
        return (await result.single())["h"]

    await graph.write(set_legacy_hash)
    body = await gql(client, LOGIN, {"identifier": someone.document, "password": typed_on_a_mac})
    assert body["data"]["sessionLogin"]["errors"] == []
    rehashed = await graph.read(stored_hash)
    assert rehashed != legacy and PasswordHasher().verify(rehashed, PASSWORD), "now a hash of the NFC form"
    body = await gql(client, LOGIN, {"identifier": someone.document, "password": PASSWORD})
    assert body["data"]["sessionLogin"]["errors"] == []


# --- registration limits -------------------------------------------------------------------------------------------


@asynccontextmanager
async def client_from(app, address: str):
    """A client calling from another address."""
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as other:
        yield other


def outcome(body: dict) -> str:
    if body.get("errors"):
        return body["errors"][0]["extensions"]["code"]
    errors = body["data"]["personRegister"]["errors"]
    return errors[0]["code"] if errors else "OK"


async def test_forty_parallel_registrations_from_one_address_open_only_the_allowed_number(client, app, graph, argon2):
    with settings_changed(app, registrations_per_address_per_hour=5):
        bodies = await asyncio.gather(*(gql(client, REGISTER, {"input": registration_input()}) for _ in range(40)))
    outcomes = [outcome(b) for b in bodies]
    assert outcomes.count("OK") == 5 and outcomes.count("RATE_LIMITED") == 35, outcomes
    limited = next(b for b in bodies if outcome(b) == "RATE_LIMITED")
    assert limited["errors"][0]["extensions"]["retryAfterSeconds"] > 3000
    assert argon2.hashed == 5, "a refused registration costs no argon2 hash"

    async def people(tx):
        return (await (await tx.run("MATCH (p:Person) RETURN count(p) AS c")).single())["c"]

    assert await graph.read(people) == 5
    async with client_from(app, "203.0.113.9") as elsewhere:
        assert outcome(await gql(elsewhere, REGISTER, {"input": registration_input()})) == "OK", "per address"


async def test_registrations_are_limited_on_the_whole_platform(client, app):
    with settings_changed(app, registrations_per_hour=3):
        async with client_from(app, "198.51.100.1") as first, client_from(app, "198.51.100.2") as second:
            results = [outcome(await gql(c, REGISTER, {"input": registration_input()})) for c in (first, second, first)]
            assert results == ["OK", "OK", "OK"]
            assert outcome(await gql(second, REGISTER, {"input": registration_input()})) == "RATE_LIMITED"
            assert outcome(await gql(client, REGISTER, {"input": registration_input()})) == "RATE_LIMITED"


async def test_duplicate_identities_from_one_address_close_registration_there_for_the_day(client, app):
    """The CONFLICT answer says a document has an account: probing it is capped per address."""
    someone = await register(client)
    birth = date(1990, 5, 17)
    with settings_changed(app, registration_conflicts_per_address_per_day=2):
        duplicate = registration_input(document={"kind": "CCCD", "number": someone.document})
        assert [outcome(await gql(client, REGISTER, {"input": duplicate})) for _ in range(2)] == [
            "CONFLICT",
            "CONFLICT",
        ]
        probe = await gql(client, REGISTER, {"input": duplicate})
        assert outcome(probe) == "RATE_LIMITED" and probe["errors"][0]["extensions"]["retryAfterSeconds"] > 80000
        fresh = registration_input(birth=birth, document={"kind": "CCCD", "number": cccd(birth)})
        assert outcome(await gql(client, REGISTER, {"input": fresh})) == "RATE_LIMITED", "no answer either way"
        async with client_from(app, "192.0.2.44") as elsewhere:
            assert outcome(await gql(elsewhere, REGISTER, {"input": fresh})) == "OK"


async def test_invalid_registrations_are_refused_before_limits_and_hashing(client, app):
    with settings_changed(app, registrations_per_address_per_hour=2):
        mistakes = [{"password": "short"}, {"wardCode": "99999"}, {"fullName": "\u200b\u200b"}] * 2
        for mistake in mistakes:  # mistakes the person can fix do not spend the address's allowance
            assert outcome(await gql(client, REGISTER, {"input": registration_input(**mistake)})) == "INVALID_INPUT"
        assert [outcome(await gql(client, REGISTER, {"input": registration_input()})) for _ in range(3)] == [
            "OK",
            "OK",
            "RATE_LIMITED",
        ]


async def test_forty_parallel_duplicate_registrations_from_one_address_stop_at_the_conflict_cap(client, app, argon2):
    """The duplicate is found and counted in the claim transaction, under the limit's lock: parallel
    probes cannot all pass the cap, and none of them costs an argon2 hash."""
    someone = await register(client)
    argon2.hashed = 0
    duplicate = registration_input(document={"kind": "CCCD", "number": someone.document})
    with settings_changed(app, registration_conflicts_per_address_per_day=3, registrations_per_address_per_hour=100):
        bodies = await asyncio.gather(*(gql(client, REGISTER, {"input": duplicate}) for _ in range(40)))
    outcomes = [outcome(b) for b in bodies]
    assert outcomes.count("CONFLICT") == 3 and outcomes.count("RATE_LIMITED") == 37, outcomes
    assert argon2.hashed == 0, "a duplicate is answered without hashing"
