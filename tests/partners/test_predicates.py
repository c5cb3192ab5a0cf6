"""Minimal disclosure: ``isAdult`` (18 by today's date in Hà Nội: false the day before the 18th birthday, true on
it, by an injected clock), ``livesInWard(code:)`` and ``isVerifiedResident``, about the viewer's own person (an app's:
its grant's person, under the ``predicate.*`` scopes), recorded as the predicate, never as the birth date."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from unittest.mock import ANY

from partners.predicates import HANOI, age_on, hanoi_today, is_adult
from partners.reads import Read
from tests.identity.people import make_verified, register, uuid_of
from tests.partners.access_log_support import access_log_of
from tests.partners.support import app_token, make_partner, seed_app, seed_grant
from tests.support import gql

PREDICATES = ("openid", "predicate.isAdult", "predicate.livesInWard", "predicate.isVerifiedResident")


def test_the_18th_birthday_counts_from_its_first_day_in_hanoi():
    born = date(2008, 6, 15)
    assert not is_adult(born, date(2026, 6, 14)) and is_adult(born, date(2026, 6, 15))
    assert age_on(date(2008, 2, 29), date(2026, 2, 28)) == 17 and age_on(date(2008, 2, 29), date(2026, 3, 1)) == 18
    # 16:59 UTC is 23:59 in Hà Nội (UTC+7); 17:00 UTC is already the next day there
    assert hanoi_today(datetime(2026, 6, 14, 16, 59, tzinfo=UTC)) == date(2026, 6, 14)
    assert hanoi_today(datetime(2026, 6, 14, 17, 0, tzinfo=UTC)) == date(2026, 6, 15)


async def test_is_adult_turns_true_on_the_18th_birthday_in_hanoi_and_is_logged_as_the_predicate(
    app, client, monkeypatch, contexts
):
    keyring = app.state.runtime.keyring
    today = hanoi_today(keyring.now())
    birthday = today + timedelta(days=1)  # the 18th birthday is tomorrow in Hà Nội
    born = birthday.replace(year=birthday.year - 18)
    person = await register(client, birth=born, fullName="Mai Thị Sắp Lớn")
    partner = await make_partner(app, client)
    seeded = await seed_app(app, partner, scopes=PREDICATES)
    grant = await seed_grant(app, seeded, uuid_of(person.id))

    last_minute = datetime.combine(today, time(23, 59), HANOI)  # the day before the birthday, in Hà Nội
    first_minute = datetime.combine(birthday, time(0, 1), HANOI)
    for now, adult in ((last_minute, False), (first_minute, True)):
        monkeypatch.setattr(keyring, "_clock", lambda now=now: now.astimezone(UTC))
        body = await gql(client, "query { isAdult }", headers=app_token(app, seeded, grant))
        assert body == {"data": {"isAdult": adult}, "extensions": {"cost": ANY}}, now
        assert contexts[-1].reads.reads == {Read(uuid_of(person.id), "Query.isAdult", "predicate.isAdult", "grant")}

    # the person asks too (nothing logged); without the scope the app is refused; signed out is UNAUTHENTICATED
    monkeypatch.undo()
    assert (await gql(client, "query { isAdult }", headers=person.auth))["data"] == {"isAdult": False}
    refused = await gql(client, "query { isAdult }", headers=app_token(app, seeded, grant, scopes=("openid",)))
    assert refused["data"] == {"isAdult": None}
    assert refused["errors"][0]["extensions"] == {"code": "FORBIDDEN", "requiredScope": "predicate.isAdult"}
    anonymous = await gql(client, "query { isAdult isVerifiedResident }")
    assert anonymous["data"] == {"isAdult": None, "isVerifiedResident": None}
    assert {e["extensions"]["code"] for e in anonymous["errors"]} == {"UNAUTHENTICATED"}


async def test_lives_in_ward_and_is_verified_resident(app, client, contexts):
    partner = await make_partner(app, client)
    officer = partner.owner.extra["officer"]
    seeded = await seed_app(app, partner, scopes=PREDICATES)
    newcomer = await register(client, wardCode="00070")
    resident = await make_verified(app, client, officer=officer, wardCode="00004")
    tourist = await make_verified(app, client, officer=officer, roles=["TOURIST"], wardCode=None)

    here = 'query { here: livesInWard(code: "00070") isVerifiedResident }'
    there = 'query { there: livesInWard(code: "00004") }'  # one ward per request (test_lives_in_ward_once_...)
    answers = {}
    for who in (newcomer, resident, tourist):
        headers = app_token(app, seeded, await seed_grant(app, seeded, uuid_of(who.id)))
        answers[who.id] = {}
        for query in (here, there):
            body = await gql(client, query, headers=headers)
            assert "errors" not in body, body
            answers[who.id].update(body["data"])
    assert answers[newcomer.id] == {"here": True, "there": False, "isVerifiedResident": False}
    assert answers[resident.id] == {"here": False, "there": True, "isVerifiedResident": True}
    assert answers[tourist.id] == {"here": False, "there": False, "isVerifiedResident": False}
    # logged as the predicate with the ward asked about, never as the person's ward itself
    assert {r.field for r in contexts[-1].reads.reads} == {'Query.livesInWard(code: "00004")'}
    assert {r.field for r in contexts[-2].reads.reads} == {
        'Query.livesInWard(code: "00070")',
        "Query.isVerifiedResident",
    }

    body = await gql(client, 'query { livesInWard(code: "99999") }', headers=newcomer.auth)
    assert body["data"] == {"livesInWard": None}
    (error,) = body["errors"]
    assert error["extensions"] == {"code": "INVALID_INPUT", "field": "code"}


ONE_WARD_EACH = """
query Many {
  a: livesInWard(code: "00070")
  b: livesInWard(code: "00004")
  ...More
}
fragment More on Query { c: livesInWard(code: "00004") }
"""


async def test_lives_in_ward_once_per_request_for_an_app_and_the_ward_asked_is_logged(app, client):
    partner = await make_partner(app, client)
    seeded = await seed_app(app, partner, scopes=PREDICATES)
    person = await register(client, wardCode="00070")
    headers = app_token(app, seeded, await seed_grant(app, seeded, uuid_of(person.id)))

    # Asking many wards in one request (aliases, fragments) is refused before anything is answered or logged.
    refused = await gql(client, ONE_WARD_EACH, headers=headers)
    assert "data" not in refused or refused["data"] is None
    assert [e["extensions"]["code"] for e in refused["errors"]] == ["FORBIDDEN"]
    assert "only once per request" in refused["errors"][0]["message"]
    assert len(refused["errors"][0]["locations"]) == 2  # the second and third selections
    assert await access_log_of(client, person) == []
    # The person themself may ask as often as they like.
    mine = await gql(client, ONE_WARD_EACH, headers=person.auth)
    assert mine["data"] == {"a": True, "b": False, "c": False}

    # One question per request: answered, and the person's log says which ward the app asked about.
    assert (await gql(client, 'query { livesInWard(code: "00004") }', headers=headers))["data"] == {
        "livesInWard": False
    }
    (entry,) = await access_log_of(client, person)
    assert entry["fields"] == ['Query.livesInWard(code: "00004")']
