"""Sign-in and sessions: passwords, access tokens (EdDSA, kid, JWKS), refresh rotation, throttling."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
from collections import Counter
from datetime import UTC, datetime, timedelta

import httpx
import jwt
import pytest
from argon2 import PasswordHasher
from asgi_lifespan import LifespanManager
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

import auth.passwords
from api.app import create_app
from auth.tokens import KeyRing
from identity.messaging import settle
from tests.identity.people import register, uuid_of
from tests.support import error_codes, gql, settings_changed

LOGIN = """
mutation Login($identifier: String!, $password: String!) {
  sessionLogin(input: {identifier: $identifier, password: $password}) {
    tokens { accessToken refreshToken sessionId }
    errors { code field message }
  }
}
"""
REFRESH = """
mutation Refresh($token: String!) {
  sessionRefresh(input: {refreshToken: $token}) { tokens { accessToken refreshToken sessionId } errors { code message } }
}
"""
ME = "{ me { id } }"
CLOSE = "mutation Close($password: String!) { accountClose(input: {password: $password}) { errors { code field } } }"
SESSIONS = "{ mySessions { id userAgent current createdAt lastUsedAt } }"
LOGOUT = """
mutation Logout($input: SessionLogoutInput!) { sessionLogout(input: $input) { errors { code field message } } }
"""
LOGOUT_EVERYWHERE = """
mutation Everywhere($input: SessionLogoutEverywhereInput!) {
  sessionLogoutEverywhere(input: $input) { closedSessionCount errors { code } }
}
"""
CHANGE = """
mutation Change($current: String!, $new: String!) {
  passwordChange(input: {currentPassword: $current, newPassword: $new}) {
    closedSessionCount errors { code field message }
  }
}
"""
ADD_CONTACT = """
mutation Add($kind: ContactKind!, $value: String!) {
  contactAdd(input: {kind: $kind, value: $value}) { contact { id value } errors { code field } }
}
"""
START = """
mutation Start($id: ID!) {
  contactVerificationStart(input: {contactId: $id}) { contact { id } errors { code field message } }
}
"""
COMPLETE = """
mutation Complete($id: ID!, $code: String!) {
  contactVerificationComplete(input: {contactId: $id, code: $code}) {
    person { verificationLevel } contact { id verifiedAt } errors { code field message }
  }
}
"""
CONTACTS = "{ me { contacts { id kind value verifiedAt } } }"
RESET_START = "mutation Start($contact: String!) { passwordResetStart(input: {contact: $contact}) { errors { code } } }"
RESET_COMPLETE = """
mutation Reset($contact: String!, $code: String!, $new: String!) {
  passwordResetComplete(input: {contact: $contact, code: $code, newPassword: $new}) { errors { code field message } }
}
"""
SESSION_NODE = "query N($id: ID!) { node(id: $id) { id ... on Session { userAgent current } } }"
CONTACT_NODE = "query N($id: ID!) { node(id: $id) { id ... on Contact { kind value } } }"
NEW_PASSWORD = "Sông Hồng chảy qua Long Biên 1902"


def bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


async def login(client, identifier: str, password: str, **headers) -> dict:
    body = await gql(client, LOGIN, {"identifier": identifier, "password": password}, headers=headers or None)
    return body["data"]["sessionLogin"]


async def login_body(client, identifier: str, password: str) -> dict:
    return await gql(client, LOGIN, {"identifier": identifier, "password": password})


async def me_status(client, token: str) -> int:
    return (await client.post("/graphql", json={"query": ME}, headers=bearer(token))).status_code


async def reset_code_from_outbox(app, destination: str) -> str:
    """Reset codes are sent in the background, after the answer: wait for the sends, then read."""
    await settle()
    return code_from_outbox(app, destination)


def code_from_outbox(app, destination: str) -> str:
    message = app.state.runtime.sender.last_to(destination)
    assert message is not None, f"no message was sent to {destination}"
    return next(word for word in message.text.replace(".", " ").split() if word.isdigit() and len(word) == 6)


async def verify_phone(client, app, someone) -> str:
    contacts = (await gql(client, CONTACTS, headers=someone.auth))["data"]["me"]["contacts"]
    phone = next(c for c in contacts if c["kind"] == "PHONE")
    assert (await gql(client, START, {"id": phone["id"]}, headers=someone.auth))["data"]["contactVerificationStart"][
        "errors"
    ] == []
    code = code_from_outbox(app, phone["value"])
    done = await gql(client, COMPLETE, {"id": phone["id"], "code": code}, headers=someone.auth)
    completed = done["data"]["contactVerificationComplete"]
    assert completed["person"]["verificationLevel"] == 1
    assert completed["contact"]["id"] == phone["id"] and completed["contact"]["verifiedAt"] is not None
    return phone["value"]


# --- signing in -----------------------------------------------------------------------------------------------


async def test_login_with_citizen_id_and_wrong_password(client):
    someone = await register(client)
    ok = await login(client, someone.document, someone.password)
    assert ok["errors"] == [] and await me_status(client, ok["tokens"]["accessToken"]) == 200
    wrong = await login(client, someone.document, "not the password at all")
    assert wrong["tokens"] is None
    assert wrong["errors"] == [
        {"code": "INVALID_CREDENTIALS", "field": ["input", "password"], "message": wrong["errors"][0]["message"]}
    ]
    unknown = await login(client, "001090999999", "whatever password")
    assert unknown["errors"][0]["message"] == wrong["errors"][0]["message"], "no hint whether the account exists"


async def test_login_by_phone_needs_it_verified(client, app):
    someone = await register(client)
    before = await login(client, someone.phone, someone.password)
    assert before["errors"][0]["code"] == "INVALID_CREDENTIALS"
    e164 = await verify_phone(client, app, someone)
    for identifier in (someone.phone, e164):
        after = await login(client, identifier, someone.password)
        assert after["errors"] == [], identifier


async def test_old_password_hashes_are_upgraded_on_login(client, graph):
    someone = await register(client)
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(someone.password)

    async def set_hash(tx, value):
        await tx.run("MATCH (p:Person {id: $id}) SET p.passwordHash = $h", id=uuid_of(someone.id), h=value)

    async def get_hash(tx):
        return (
            await (
                await tx.run("MATCH (p:Person {id: $id}) RETURN p.passwordHash AS h", id=uuid_of(someone.id))
            ).single()
        )["h"]

    await graph.write(set_hash, weak)
    assert (await login(client, someone.document, someone.password))["errors"] == []
    upgraded = await graph.read(get_hash)
    assert (
        upgraded != weak
        and upgraded.startswith("$argon2id$")
        and not auth.passwords.HASHER.check_needs_rehash(upgraded)
    )


#: Login throttles as if ``seconds`` had passed since their last failure: the state waiting reaches (the product
#: compares lockedUntil with the database clock), without the test sleeping through each wait.
AGE_THROTTLES = """
MATCH (t:LoginThrottle) WHERE t.lockedUntil IS NOT NULL
SET t.lockedUntil = t.lockedUntil - duration({milliseconds: toInteger($seconds * 1000)})
"""


async def wait_out(graph, seconds: float) -> None:
    await graph.write(lambda tx: tx.run(AGE_THROTTLES, seconds=seconds))


async def test_failed_logins_are_throttled_with_growing_delays_and_success_resets(client, graph, test_settings):
    someone = await register(client)
    for _ in range(test_settings.login_free_failures):  # the free attempts; the next one waits
        assert (await login(client, someone.document, "wrong password!"))["errors"][0]["code"] == "INVALID_CREDENTIALS"
    body = await gql(client, LOGIN, {"identifier": someone.document, "password": someone.password})
    assert error_codes(body) == ["RATE_LIMITED"]
    retry_after = body["errors"][0]["extensions"]["retryAfterSeconds"]
    assert 0 < retry_after <= 1.0
    await wait_out(graph, retry_after + 0.1)
    assert (await login(client, someone.document, "wrong password!"))["errors"][0]["code"] == "INVALID_CREDENTIALS"
    locked = await gql(client, LOGIN, {"identifier": someone.document, "password": someone.password})
    assert 1.0 < locked["errors"][0]["extensions"]["retryAfterSeconds"] <= 2.0, "the delay doubles"
    await wait_out(graph, locked["errors"][0]["extensions"]["retryAfterSeconds"] + 0.1)
    assert (await login(client, someone.document, someone.password))["errors"] == []
    assert (await login(client, someone.document, "wrong password!"))["errors"][0]["code"] == "INVALID_CREDENTIALS"
    assert (await login(client, someone.document, someone.password))["errors"] == [], "success reset the counter"


# --- access tokens ---------------------------------------------------------------------------------------------


def _b64(data: dict | bytes) -> str:
    raw = data if isinstance(data, bytes) else json.dumps(data).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


async def test_bad_access_tokens_are_refused_with_401(client, app):
    someone = await register(client)
    keyring: KeyRing = app.state.runtime.keyring
    header, payload, signature = someone.access_token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    kid = keyring.current_kid
    none_token = f"{_b64({'alg': 'none', 'typ': 'JWT', 'kid': kid})}.{_b64(claims)}."
    public_pem = (
        keyring._published()[kid].private.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
    )
    hs_head = _b64({"alg": "HS256", "typ": "JWT", "kid": kid})
    hs_body = _b64(claims)
    hs_sig = _b64(hmac.new(public_pem, f"{hs_head}.{hs_body}".encode(), hashlib.sha256).digest())
    tampered = f"{header}.{_b64({**claims, 'sub': claims['sub'][:-1] + ('0' if claims['sub'][-1] != '0' else '1')})}.{signature}"
    expired_ring = KeyRing.load_or_create(  # the same keys, on a clock two hours behind
        keyring._folder, access_ttl=timedelta(minutes=10), clock=lambda: datetime.now(UTC) - timedelta(hours=2)
    )
    expired, _ = expired_ring.issue(subject=claims["sub"], session_id=claims["sid"], assurance_level=0)
    for token in (none_token, f"{hs_head}.{hs_body}.{hs_sig}", tampered, expired, "garbage"):
        response = await client.post("/graphql", json={"query": ME}, headers=bearer(token))
        assert response.status_code == 401, token
        assert error_codes(response.json()) == ["UNAUTHENTICATED"]
        assert response.headers["www-authenticate"].startswith("Bearer")
    basic = await client.post("/graphql", json={"query": ME}, headers={"authorization": "Basic dXNlcjpwYXNz"})
    assert basic.status_code == 401
    assert await me_status(client, someone.access_token) == 200


async def test_partner_apps_verify_tokens_with_the_published_jwks(client):
    someone = await register(client)
    jwks = (await client.get("/.well-known/jwks.json")).json()
    kid = jwt.get_unverified_header(someone.access_token)["kid"]
    (jwk,) = [k for k in jwks["keys"] if k["kid"] == kid]
    assert "d" not in jwk and jwk["alg"] == "EdDSA"
    claims = jwt.decode(someone.access_token, jwt.PyJWK(jwk).key, algorithms=["EdDSA"], audience="hanoismart-api")
    assert claims["sub"] == uuid_of(someone.id) and claims["sid"] == uuid_of(someone.session_id)


async def test_rotating_the_signing_key_keeps_old_tokens_valid_and_published(client, app):
    someone = await register(client)
    old_kid = jwt.get_unverified_header(someone.access_token)["kid"]
    new_kid = app.state.runtime.keyring.rotate()
    kids = {k["kid"] for k in (await client.get("/.well-known/jwks.json")).json()["keys"]}
    assert {old_kid, new_kid} <= kids
    assert await me_status(client, someone.access_token) == 200
    fresh = await login(client, someone.document, someone.password)
    assert jwt.get_unverified_header(fresh["tokens"]["accessToken"])["kid"] == new_kid


# --- refresh tokens and sessions -----------------------------------------------------------------------------------


async def test_refresh_rotates_and_reuse_revokes_the_session(client):
    someone = await register(client)
    first = (await gql(client, REFRESH, {"token": someone.refresh_token}))["data"]["sessionRefresh"]["tokens"]
    assert first["refreshToken"] != someone.refresh_token and first["sessionId"] == someone.session_id
    assert await me_status(client, first["accessToken"]) == 200
    # another client (user agent) presenting the used token, even within the retry grace window
    reused = await gql(client, REFRESH, {"token": someone.refresh_token}, headers={"user-agent": "curl/8.5"})
    assert error_codes(reused) == ["UNAUTHENTICATED"]
    assert "already used" in reused["errors"][0]["message"]
    after = await gql(client, REFRESH, {"token": first["refreshToken"]})
    assert error_codes(after) == ["UNAUTHENTICATED"], "the whole session family is revoked"
    assert await me_status(client, first["accessToken"]) == 401
    assert error_codes(await gql(client, REFRESH, {"token": "made-up"})) == ["UNAUTHENTICATED"]


async def test_parallel_refreshes_with_one_token_yield_one_successor(client):
    someone = await register(client)
    bodies = await asyncio.gather(*(gql(client, REFRESH, {"token": someone.refresh_token}) for _ in range(5)))
    assert [error_codes(b) for b in bodies] == [[]] * 5, "the same client retrying, within the grace window"
    successors = {b["data"]["sessionRefresh"]["tokens"]["refreshToken"] for b in bodies}
    assert len(successors) == 1, "one rotation: every retry gets the same successor"
    assert error_codes(await gql(client, REFRESH, {"token": successors.pop()})) == []


async def test_sessions_are_listed_and_one_is_closed_by_its_id(client):
    someone = await register(client)
    other = await login(client, someone.document, someone.password, **{"user-agent": "HanoiSmart-iOS/2.1"})
    sessions = (await gql(client, SESSIONS, headers=someone.auth))["data"]["mySessions"]
    assert len(sessions) == 2
    assert [s["current"] for s in sessions if s["id"] == someone.session_id] == [True]
    assert {s["id"] for s in sessions} == {someone.session_id, other["tokens"]["sessionId"]}, "global Session ids"
    assert any(s["userAgent"] == "HanoiSmart-iOS/2.1" for s in sessions)
    closing = {"input": {"sessionId": other["tokens"]["sessionId"]}}
    closed = await gql(client, LOGOUT, closing, headers=someone.auth)
    assert closed["data"]["sessionLogout"] == {"errors": []}
    assert await me_status(client, other["tokens"]["accessToken"]) == 401
    assert await me_status(client, someone.access_token) == 200, "only the session named"
    again = (await gql(client, LOGOUT, closing, headers=someone.auth))["data"]["sessionLogout"]
    assert [(e["code"], e["field"]) for e in again["errors"]] == [("NOT_FOUND", ["input", "sessionId"])]
    assert error_codes(await gql(client, SESSIONS)) == ["UNAUTHENTICATED"]


async def test_a_session_of_someone_else_or_a_malformed_id_closes_nothing(client):
    someone = await register(client)
    stranger = await register(client)
    foreign = await gql(client, LOGOUT, {"input": {"sessionId": stranger.session_id}}, headers=someone.auth)
    assert [(e["code"], e["field"]) for e in foreign["data"]["sessionLogout"]["errors"]] == [
        ("NOT_FOUND", ["input", "sessionId"])
    ]
    assert await me_status(client, stranger.access_token) == 200
    for wrong in ("not-an-id", someone.id):  # garbage, and the global id of a Person
        body = await gql(client, LOGOUT, {"input": {"sessionId": wrong}}, headers=someone.auth)
        assert [(e["code"], e["field"]) for e in body["data"]["sessionLogout"]["errors"]] == [
            ("INVALID_INPUT", ["input", "sessionId"])
        ]
    assert await me_status(client, someone.access_token) == 200


async def test_logout_and_logout_everywhere(client):
    someone = await register(client)
    second = await login(client, someone.document, someone.password)
    third = await login(client, someone.document, someone.password)
    assert (await gql(client, LOGOUT, {"input": {}}, headers=someone.auth))["data"]["sessionLogout"] == {"errors": []}
    assert await me_status(client, someone.access_token) == 401
    assert await me_status(client, second["tokens"]["accessToken"]) == 200
    body = await gql(client, LOGOUT_EVERYWHERE, {"input": {}}, headers=bearer(second["tokens"]["accessToken"]))
    assert body["data"]["sessionLogoutEverywhere"] == {"closedSessionCount": 2, "errors": []}
    for tokens in (second["tokens"], third["tokens"]):
        assert await me_status(client, tokens["accessToken"]) == 401
        assert error_codes(await gql(client, REFRESH, {"token": tokens["refreshToken"]})) == ["UNAUTHENTICATED"]
    refused = await gql(client, LOGOUT, {"input": {}})
    assert error_codes(refused) == ["UNAUTHENTICATED"] and refused["data"] == {"sessionLogout": None}


async def test_logout_everywhere_can_keep_this_session(client):
    someone = await register(client)
    others = [await login(client, someone.document, someone.password) for _ in range(2)]
    body = await gql(client, LOGOUT_EVERYWHERE, {"input": {"keepCurrentSession": True}}, headers=someone.auth)
    assert body["data"]["sessionLogoutEverywhere"] == {"closedSessionCount": 2, "errors": []}
    assert await me_status(client, someone.access_token) == 200
    for other in others:
        assert await me_status(client, other["tokens"]["accessToken"]) == 401
    sessions = (await gql(client, SESSIONS, headers=someone.auth))["data"]["mySessions"]
    assert [s["id"] for s in sessions] == [someone.session_id]


async def test_sessions_and_contacts_are_nodes_only_their_owner_sees(client):
    someone = await register(client)
    stranger = await register(client)
    mine = (await gql(client, SESSION_NODE, {"id": someone.session_id}, headers=someone.auth))["data"]["node"]
    assert mine == {"id": someone.session_id, "userAgent": mine["userAgent"], "current": True}
    contacts = (await gql(client, CONTACTS, headers=someone.auth))["data"]["me"]["contacts"]
    phone = next(c for c in contacts if c["kind"] == "PHONE")
    found = (await gql(client, CONTACT_NODE, {"id": phone["id"]}, headers=someone.auth))["data"]["node"]
    assert found == {"id": phone["id"], "kind": "PHONE", "value": phone["value"]}
    for document, node_id in ((SESSION_NODE, someone.session_id), (CONTACT_NODE, phone["id"])):
        for headers in (stranger.auth, None):  # another person, anonymous
            body = await gql(client, document, {"id": node_id}, headers=headers)
            assert body["data"]["node"] is None and "errors" not in body
    await gql(client, LOGOUT, {"input": {}}, headers=someone.auth)
    other = await login(client, someone.document, someone.password)
    closed = await gql(client, SESSION_NODE, {"id": someone.session_id}, headers=bearer(other["tokens"]["accessToken"]))
    assert closed["data"]["node"] is None, "a closed session is no longer a node"


# --- passwords -----------------------------------------------------------------------------------------------------------


async def test_changing_the_password_revokes_every_other_session(client):
    someone = await register(client)
    other = await login(client, someone.document, someone.password)
    wrong = await gql(client, CHANGE, {"current": "not it at all", "new": NEW_PASSWORD}, headers=someone.auth)
    assert wrong["data"]["passwordChange"]["errors"][0]["code"] == "INVALID_CREDENTIALS"
    weak = await gql(client, CHANGE, {"current": someone.password, "new": "1234567890"}, headers=someone.auth)
    assert weak["data"]["passwordChange"]["errors"][0]["field"] == ["input", "newPassword"]
    done = await gql(client, CHANGE, {"current": someone.password, "new": NEW_PASSWORD}, headers=someone.auth)
    assert done["data"]["passwordChange"] == {"closedSessionCount": 1, "errors": []}
    assert await me_status(client, someone.access_token) == 200
    assert await me_status(client, other["tokens"]["accessToken"]) == 401
    assert (await login(client, someone.document, someone.password))["errors"][0]["code"] == "INVALID_CREDENTIALS"
    assert (await login(client, someone.document, NEW_PASSWORD))["errors"] == []


async def test_password_reset_through_a_verified_contact(client, app):
    someone = await register(client)
    unverified = await gql(client, RESET_START, {"contact": someone.email})
    assert unverified["data"]["passwordResetStart"] == {"errors": []}, "same answer whether or not an account has it"
    await settle()
    assert app.state.runtime.sender.last_to(someone.email) is None
    phone = await verify_phone(client, app, someone)
    assert (await gql(client, RESET_START, {"contact": someone.phone}))["data"]["passwordResetStart"] == {"errors": []}
    code = await reset_code_from_outbox(app, phone)
    wrong = await gql(
        client,
        RESET_COMPLETE,
        {"contact": someone.phone, "code": "000000" if code != "000000" else "111111", "new": NEW_PASSWORD},
    )
    assert wrong["data"]["passwordResetComplete"]["errors"][0]["code"] == "INVALID_CODE"
    done = await gql(client, RESET_COMPLETE, {"contact": someone.phone, "code": code, "new": NEW_PASSWORD})
    assert done["data"]["passwordResetComplete"] == {"errors": []}
    assert await me_status(client, someone.access_token) == 401, "every session ends with a reset"
    again = await gql(client, RESET_COMPLETE, {"contact": someone.phone, "code": code, "new": NEW_PASSWORD})
    assert again["data"]["passwordResetComplete"]["errors"][0]["code"] == "INVALID_CODE", "codes are single-use"
    assert (await login(client, someone.document, NEW_PASSWORD))["errors"] == []


# --- one-time codes ----------------------------------------------------------------------------------------------------------


async def test_codes_are_limited_in_attempts_and_expire(client, app, graph, test_settings):
    someone = await register(client)
    contacts = (await gql(client, CONTACTS, headers=someone.auth))["data"]["me"]["contacts"]
    email = next(c for c in contacts if c["kind"] == "EMAIL")
    await gql(client, START, {"id": email["id"]}, headers=someone.auth)
    code = code_from_outbox(app, email["value"])
    wrong = "000000" if code != "000000" else "111111"
    for left in range(test_settings.otp_max_attempts - 1, -1, -1):
        result = (await gql(client, COMPLETE, {"id": email["id"], "code": wrong}, headers=someone.auth))["data"][
            "contactVerificationComplete"
        ]
        assert result["errors"][0]["code"] == "INVALID_CODE"
    exhausted = await gql(client, COMPLETE, {"id": email["id"], "code": code}, headers=someone.auth)
    assert exhausted["data"]["contactVerificationComplete"]["errors"][0]["code"] == "INVALID_CODE", (
        "dead after max attempts"
    )

    await gql(client, START, {"id": email["id"]}, headers=someone.auth)
    fresh = code_from_outbox(app, email["value"])

    async def expire_codes(tx):  # time travel: the code's expiry passes
        await tx.run("MATCH (o:OneTimeCode) SET o.expiresAt = datetime() - duration({seconds: 1})")

    await graph.write(expire_codes)
    expired = await gql(client, COMPLETE, {"id": email["id"], "code": fresh}, headers=someone.auth)
    assert expired["data"]["contactVerificationComplete"]["errors"][0]["code"] == "INVALID_CODE"


async def test_codes_are_throttled_per_destination(client, test_settings):
    someone = await register(client)
    contacts = (await gql(client, CONTACTS, headers=someone.auth))["data"]["me"]["contacts"]
    phone = next(c for c in contacts if c["kind"] == "PHONE")
    for _ in range(test_settings.otp_per_destination_per_hour):
        assert (await gql(client, START, {"id": phone["id"]}, headers=someone.auth))["data"][
            "contactVerificationStart"
        ]["errors"] == []
    body = await gql(client, START, {"id": phone["id"]}, headers=someone.auth)
    assert error_codes(body) == ["RATE_LIMITED"]
    assert body["errors"][0]["extensions"]["retryAfterSeconds"] > 3000


async def test_a_contact_is_verified_by_one_account_only(client, app):
    first = await register(client)
    phone = await verify_phone(client, app, first)
    sent_before = len(app.state.runtime.sender.outbox)
    second = await register(client, phone=phone)  # registration does not tell a stranger the phone is taken
    contacts = (await gql(client, CONTACTS, headers=second.auth))["data"]["me"]["contacts"]
    same = next(c for c in contacts if c["kind"] == "PHONE")
    started = (await gql(client, START, {"id": same["id"]}, headers=second.auth))["data"]["contactVerificationStart"]
    assert [(e["code"], e["field"]) for e in started["errors"]] == [("CONFLICT", ["input", "contactId"])]
    assert len(app.state.runtime.sender.outbox) == sent_before, "no code is sent to a contact verified elsewhere"
    result = (await gql(client, COMPLETE, {"id": same["id"], "code": "123456"}, headers=second.auth))["data"][
        "contactVerificationComplete"
    ]
    assert result["errors"][0]["code"] == "INVALID_CODE"
    added = await gql(client, ADD_CONTACT, {"kind": "PHONE", "value": "not a phone"}, headers=second.auth)
    assert added["data"]["contactAdd"]["errors"][0]["field"] == ["input", "value"]


async def test_failed_logins_are_also_throttled_per_client_address(client, app, test_settings):
    people = [await register(client) for _ in range(3)]
    runtime = app.state.runtime
    original = runtime.settings
    runtime.settings = test_settings.model_copy(
        update={"login_free_failures_per_address": 2, "login_free_failures": 100}
    )
    try:
        for person in people[:2]:  # one wrong guess on each of two accounts, from one address
            assert (await login(client, person.document, "wrong password!"))["errors"][0][
                "code"
            ] == "INVALID_CREDENTIALS"
        body = await gql(client, LOGIN, {"identifier": people[2].document, "password": people[2].password})
        assert error_codes(body) == ["RATE_LIMITED"], "the address is slowed down across accounts"
    finally:
        runtime.settings = original


# --- sign-in hardening: parallel guesses, password checks, proxies, passports, refresh grace, lifetime --------------


def client_at(app, address: str) -> httpx.AsyncClient:
    """A client whose TCP peer address is ``address``."""
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, client=(address, 50000)), base_url="http://testserver"
    )


def outcome(body: dict) -> str:
    if body.get("errors"):
        return body["errors"][0]["extensions"]["code"]
    result = next(iter(body["data"].values()))
    return result["errors"][0]["code"] if result["errors"] else "ok"


#: Past the free failures one guess is allowed after a wait (1 s by default, doubling): tests that count the
#: guesses of a burst lengthen it, so that a loaded machine spreading the burst out does not change the count.
LONG_WAIT = {"login_first_delay_seconds": 60}


@pytest.fixture
def long_waits(app):
    with settings_changed(app, **LONG_WAIT):
        yield


async def test_parallel_wrong_passwords_are_claimed_before_any_is_checked(client, test_settings, argon2, long_waits):
    someone = await register(client)
    bodies = await asyncio.gather(
        *(gql(client, LOGIN, {"identifier": someone.document, "password": f"wrong guess {i}"}) for i in range(40))
    )
    free = test_settings.login_free_failures
    assert Counter(outcome(b) for b in bodies) == {"INVALID_CREDENTIALS": free, "RATE_LIMITED": 40 - free}
    assert argon2.verified == free, "only the free attempts reach argon2"
    assert all(b["errors"][0]["extensions"]["retryAfterSeconds"] > 0 for b in bodies if outcome(b) == "RATE_LIMITED")
    right = await gql(client, LOGIN, {"identifier": someone.document, "password": someone.password})
    assert error_codes(right) == ["RATE_LIMITED"], "the right password is refused during the lockout"
    assert right["errors"][0]["extensions"]["retryAfterSeconds"] > 30
    assert argon2.verified == free


async def test_current_password_checks_share_the_sign_in_throttle(app, client, test_settings, long_waits):
    someone = await register(client)
    free = test_settings.login_free_failures
    guesses = await asyncio.gather(
        *(
            gql(client, CHANGE, {"current": f"a guess {i}", "new": NEW_PASSWORD}, headers=someone.auth)
            for i in range(20)
        )
    )
    assert Counter(outcome(b) for b in guesses) == {"INVALID_CREDENTIALS": free, "RATE_LIMITED": 20 - free}
    change = await gql(client, CHANGE, {"current": someone.password, "new": NEW_PASSWORD}, headers=someone.auth)
    assert error_codes(change) == ["RATE_LIMITED"], "a stolen access token gives no unlimited guesses"
    close = await gql(client, CLOSE, {"password": someone.password}, headers=someone.auth)
    assert error_codes(close) == ["RATE_LIMITED"], "accountClose checks the password under the same throttle"
    signin = await gql(client, LOGIN, {"identifier": someone.document, "password": someone.password})
    assert error_codes(signin) == ["RATE_LIMITED"], "nor extra sign-in guesses from the same address"
    async with client_at(app, "198.51.100.7") as elsewhere:  # the owner, from their own address
        assert (await login(elsewhere, someone.document, someone.password))["errors"] == []


async def test_account_close_guesses_are_throttled(client, test_settings, long_waits):
    someone = await register(client)
    for _ in range(test_settings.login_free_failures):
        wrong = await gql(client, CLOSE, {"password": "not my password"}, headers=someone.auth)
        assert wrong["data"]["accountClose"]["errors"][0]["code"] == "INVALID_CREDENTIALS"
    assert error_codes(await gql(client, CLOSE, {"password": someone.password}, headers=someone.auth)) == [
        "RATE_LIMITED"
    ]
    assert await me_status(client, someone.access_token) == 200, "the account is still open"


REFRESH_AS = {"user-agent": "HanoiSmart-Android/3.0"}


async def refresh_as(client, token: str, headers=REFRESH_AS) -> dict:
    return await gql(client, REFRESH, {"token": token}, headers=headers)


async def test_a_retried_refresh_gets_the_same_successor_within_the_grace_window(client, graph):
    someone = await register(client)
    first = (await refresh_as(client, someone.refresh_token))["data"]["sessionRefresh"]["tokens"]
    retried = await refresh_as(client, someone.refresh_token)  # the app never saw the first answer
    assert error_codes(retried) == []
    again = retried["data"]["sessionRefresh"]["tokens"]
    assert again["refreshToken"] == first["refreshToken"] and again["sessionId"] == someone.session_id
    assert await me_status(client, again["accessToken"]) == 200

    async def stored(tx):
        result = await tx.run("MATCH (t:RefreshToken) RETURN properties(t) AS p")
        return [record["p"] async for record in result]

    assert first["refreshToken"] not in json.dumps(await graph.read(stored), default=str), "no usable token stored"
    second = (await refresh_as(client, first["refreshToken"]))["data"]["sessionRefresh"]["tokens"]
    original = hashlib.sha256(someone.refresh_token.encode()).hexdigest()
    assert [p.get("sealedSuccessor") for p in await graph.read(stored) if p["hash"] == original] == [None], (
        "a seal is erased once its successor is rotated in turn"
    )
    late = await refresh_as(client, someone.refresh_token)  # its successor was used: this is no retry
    assert error_codes(late) == ["UNAUTHENTICATED"]
    assert error_codes(await refresh_as(client, second["refreshToken"])) == ["UNAUTHENTICATED"], "session closed"


async def test_reuse_outside_the_grace_window_or_from_another_client_closes_the_session(app, client):
    someone = await register(client)
    first = (await refresh_as(client, someone.refresh_token))["data"]["sessionRefresh"]["tokens"]
    other = await refresh_as(client, someone.refresh_token, headers={"user-agent": "python-requests/2.32"})
    assert error_codes(other) == ["UNAUTHENTICATED"], "another user agent is not the same client retrying"
    assert await me_status(client, first["accessToken"]) == 401

    second = await register(client)
    fresh = (await refresh_as(client, second.refresh_token))["data"]["sessionRefresh"]["tokens"]
    with settings_changed(app, refresh_reuse_grace_seconds=0):  # the window has passed
        assert error_codes(await refresh_as(client, second.refresh_token)) == ["UNAUTHENTICATED"]
    assert error_codes(await refresh_as(client, fresh["refreshToken"])) == ["UNAUTHENTICATED"], "session closed"


async def test_sessions_end_at_their_absolute_lifetime_however_often_refreshed(client, graph, test_settings):
    someone = await register(client)
    days = test_settings.session_max_lifetime_days

    async def age_session(tx, age):  # time travel: the session was opened `age` ago
        await tx.run(
            "MATCH (s:Session {id: $id}) SET s.createdAt = datetime() - $age", id=uuid_of(someone.session_id), age=age
        )

    await graph.write(age_session, timedelta(days=days - 1))
    token = (await refresh_as(client, someone.refresh_token))["data"]["sessionRefresh"]["tokens"]["refreshToken"]
    sessions = (await gql(client, SESSIONS, headers=someone.auth))["data"]["mySessions"]
    expires_within_a_day = await graph.read(
        _session_expires_before, uuid_of(someone.session_id), timedelta(days=1, minutes=1)
    )
    assert len(sessions) == 1 and expires_within_a_day, "a refresh never extends a session past its lifetime"
    await graph.write(age_session, timedelta(days=days, seconds=1))
    body = await refresh_as(client, token)
    assert error_codes(body) == ["UNAUTHENTICATED"] and f"{days} days" in body["errors"][0]["message"]


async def _session_expires_before(tx, session_id, within):
    result = await tx.run(
        "MATCH (s:Session {id: $id}) RETURN s.expiresAt < datetime() + $within AS soon", id=session_id, within=within
    )
    return (await result.single())["soon"]


async def test_an_attackers_address_is_locked_while_the_owner_signs_in_from_theirs(
    app, client, test_settings, long_waits
):
    someone = await register(client)
    async with client_at(app, "203.0.113.9") as attacker, client_at(app, "198.51.100.20") as owner:
        guesses = await asyncio.gather(*(login_body(attacker, someone.document, f"guess {i}") for i in range(12)))
        assert Counter(outcome(b) for b in guesses)["INVALID_CREDENTIALS"] == test_settings.login_free_failures
        assert error_codes(await login_body(attacker, someone.document, someone.password)) == ["RATE_LIMITED"]
        assert (await login(owner, someone.document, "my typo oops"))["errors"][0]["code"] == "INVALID_CREDENTIALS"
        assert (await login(owner, someone.document, someone.password))["errors"] == [], (
            "the owner keeps their free attempts"
        )


async def test_many_addresses_are_slowed_down_account_wide_but_a_known_address_is_not(app, client):
    someone = await register(client)
    with settings_changed(
        app, login_free_failures_per_account=4, login_first_delay_seconds=20, login_account_max_delay_seconds=30
    ):
        async with client_at(app, "198.51.100.20") as home:
            assert (await login(home, someone.document, someone.password))["errors"] == []  # a known address now
        for n in range(4):  # a botnet: one guess from each of many addresses
            async with client_at(app, f"203.0.113.{10 + n}") as bot:
                assert (await login(bot, someone.document, "guess!"))["errors"][0]["code"] == "INVALID_CREDENTIALS"
        async with client_at(app, "203.0.113.99") as bot, client_at(app, "192.0.2.1") as travelling:
            assert error_codes(await login_body(bot, someone.document, "guess!")) == ["RATE_LIMITED"]
            delayed = await login_body(travelling, someone.document, someone.password)
            assert error_codes(delayed) == ["RATE_LIMITED"], "a new address waits for the account-wide delay..."
            assert delayed["errors"][0]["extensions"]["retryAfterSeconds"] <= 30, "...which is capped"
        async with client_at(app, "198.51.100.20") as home:
            assert (await login(home, someone.document, someone.password))["errors"] == [], (
                "a known address is not held up"
            )


async def test_behind_trusted_proxies_the_forwarded_address_is_the_client(test_settings, graph):
    app = create_app(test_settings.model_copy(update={"trusted_proxies": "10.0.0.0/8", **LONG_WAIT}))
    async with LifespanManager(app), client_at(app, "10.0.0.2") as proxy, client_at(app, "192.0.2.50") as direct:
        someone = await register(proxy)
        free = test_settings.login_free_failures

        async def through_proxy(forwarded: str, password: str) -> dict:
            return await gql(
                proxy,
                LOGIN,
                {"identifier": someone.document, "password": password},
                headers={"x-forwarded-for": forwarded},
            )

        for _ in range(free):  # an attacker behind the proxy
            assert outcome(await through_proxy("203.0.113.9", "guess!")) == "INVALID_CREDENTIALS"
        assert outcome(await through_proxy("203.0.113.9", someone.password)) == "RATE_LIMITED"
        # forging the owner's address in front of the header does not help: the proxy appended the real one
        assert outcome(await through_proxy("198.51.100.20, 203.0.113.9", someone.password)) == "RATE_LIMITED"
        for _ in range(free):  # a direct client forging the header is keyed by its own address
            body = await gql(
                direct,
                LOGIN,
                {"identifier": someone.document, "password": "guess!"},
                headers={"x-forwarded-for": "198.51.100.20"},
            )
            assert outcome(body) == "INVALID_CREDENTIALS"
        assert outcome(await through_proxy("198.51.100.20", someone.password)) == "ok", (
            "not everyone shares one lockout"
        )


async def test_a_passport_holder_signs_in_with_their_passport(client):
    tourist = await register(
        client, roles=["TOURIST"], wardCode=None, document={"kind": "PASSPORT", "country": "jp", "number": "tk 1234567"}
    )
    for identifier in ("JP TK1234567", "jp:tk1234567", "JP tk 123 4567", " JP TK-1234567 "):
        signed_in = await login(client, identifier, tourist.password)
        assert signed_in["errors"] == [], identifier
        assert await me_status(client, signed_in["tokens"]["accessToken"]) == 200
    for identifier in ("FR TK1234567", "TK1234567"):  # another country's passport; no country at all
        assert (await login(client, identifier, tourist.password))["errors"][0]["code"] == "INVALID_CREDENTIALS", (
            identifier
        )
    assert (await login(client, "JP TK1234567", "not the password"))["errors"][0]["code"] == "INVALID_CREDENTIALS"
