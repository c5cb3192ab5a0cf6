"""The ``developmentMessages`` query: a development server's one-time codes for an app under development; FORBIDDEN
in production."""

from __future__ import annotations

from auth.sessions import viewer_from_token
from identity.account import my_contacts
from identity.contact_verification import start_contact_verification
from tests.identity.people import register
from tests.support import error_codes, gql, settings_changed

MESSAGES = """
query Messages($to: String!) { developmentMessages(to: $to) { channel to code text sentAt } }
"""


async def test_the_code_sent_to_a_phone_is_readable_by_its_number_as_typed(app, client) -> None:
    person = await register(client, phone="0912 000 555")
    rt = app.state.runtime
    viewer = await viewer_from_token(rt, person.access_token)
    for contact in await my_contacts(rt, viewer):
        await start_contact_verification(rt, viewer, contact["id"])

    body = await gql(client, MESSAGES, {"to": "0912000555"})
    (message,) = body["data"]["developmentMessages"]
    assert message["channel"] == "SMS" and message["to"] == "+84912000555"
    assert message["code"] == rt.sender.last_to("+84912000555").text.split("là ")[1][:6]
    assert message["code"] in message["text"]

    by_email = await gql(client, MESSAGES, {"to": person.email.upper()})
    assert [m["channel"] for m in by_email["data"]["developmentMessages"]] == ["EMAIL"]
    assert (await gql(client, MESSAGES, {"to": "+84 912 000 556"}))["data"]["developmentMessages"] == []


async def test_a_destination_that_is_neither_phone_nor_email_is_invalid_input(client) -> None:
    body = await gql(client, MESSAGES, {"to": "not a phone"})
    assert error_codes(body) == ["INVALID_INPUT"]
    assert body["errors"][0]["extensions"]["field"] == "to"


async def test_production_refuses_with_forbidden_in_the_callers_language(app, client) -> None:
    with settings_changed(app, environment="production"):
        english = await gql(client, MESSAGES, {"to": "0912000555"})
        vietnamese = await gql(client, MESSAGES, {"to": "0912000555"}, headers={"accept-language": "vi"})
    assert english["data"] is None and error_codes(english) == ["FORBIDDEN"]
    assert "development and test servers only" in english["errors"][0]["message"]
    assert error_codes(vietnamese) == ["FORBIDDEN"]
    assert vietnamese["errors"][0]["message"].startswith("Chỉ có thể đọc tin nhắn phát triển")
