"""Request windows (quotas.requests, docs/partners.md "Rate limits"), through HTTP: a production app's 601st request
in a window is refused with 429 RATE_LIMITED, ``Retry-After`` and the ``RateLimit-*`` headers (and its 600th was
not); a sandbox app's 61st; an app acting for one person, a signed-in person of a first-party client and an
anonymous address each in their own window; 40 parallel requests against a limit of 20 let exactly 20 through; a
refused request counts in no window; the window frees again; every answer carries the headers, exposed to browsers.

The session's app keeps the windows out of reach (tests/conftest.py); each test here lowers them on the session
app's runtime (``settings_changed``) and counts in a storage of its own, after its setup requests."""

from __future__ import annotations

import asyncio
import contextlib
import math
import time
from collections.abc import Iterator

import httpx
import pytest
from asgi_lifespan import LifespanManager

from api.app import create_app
from auth.viewer import ANONYMOUS
from core.settings import Settings
from partners.app_access import viewer_from_app_token
from quotas import requests as request_windows
from quotas.storage import quota_storage
from tests.identity.people import register, uuid_of
from tests.partners.support import app_token, make_partner, seed_app, seed_grant
from tests.support import settings_changed

TYPENAME = {"query": "{ __typename }"}
HEADERS = ("ratelimit-limit", "ratelimit-remaining", "ratelimit-reset")
DEFAULTS = {"rate_limit_window_seconds": 60, "rate_limit_app": 600, "rate_limit_sandbox_app": 60,
            "rate_limit_app_person": 120, "rate_limit_person": 300, "rate_limit_address": 120}  # fmt: skip


def test_the_defaults_are_the_documented_ones():
    assert {n: f.default for n, f in Settings.model_fields.items() if n.startswith("rate_limit_")} == DEFAULTS


@contextlib.contextmanager
def windows(asgi, /, **limits) -> Iterator[None]:
    """The request windows at their defaults (600 a minute per app, ...) but for ``limits`` (settings names without
    ``rate_limit_``), counted in a fresh storage, for the requests made inside."""
    runtime = asgi.state.runtime
    saved = runtime.quota_storage
    runtime.quota_storage = quota_storage("async+memory://")
    changes = {name: field.default for name, field in Settings.model_fields.items() if name.startswith("rate_limit_")}
    changes |= {f"rate_limit_{name}": value for name, value in limits.items()}
    assert len(changes) == len(DEFAULTS), "a window this test does not know"
    try:
        with settings_changed(asgi, **changes):
            yield
    finally:
        runtime.quota_storage = saved


def client_at(app, address: str) -> httpx.AsyncClient:
    """A client whose TCP peer address is ``address``."""
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, client=(address, 50000)), base_url="http://testserver"
    )


async def post(client: httpx.AsyncClient, headers: dict[str, str] | None = None, **extra) -> httpx.Response:
    return await client.post("/graphql", json=TYPENAME, headers={**(headers or {}), **extra})


async def burst(
    client: httpx.AsyncClient, n: int, headers: dict[str, str] | None = None, *, parallel: int = 40
) -> list[httpx.Response]:
    """``n`` requests, ``parallel`` at a time (one at a time: each reads ``RateLimit-Remaining`` after the one
    before it counted)."""
    answers: list[httpx.Response] = []
    while len(answers) < n:
        batch = min(parallel, n - len(answers))
        answers += await asyncio.gather(*(post(client, headers) for _ in range(batch)))
    return answers


def assert_refused(response: httpx.Response, limit: int, message_start: str) -> None:
    assert response.status_code == 429, response.text
    body = response.json()
    assert "data" not in body
    [error] = body["errors"]
    assert error["extensions"]["code"] == "RATE_LIMITED"
    assert error["message"].startswith(message_start), error["message"]
    wait = error["extensions"]["retryAfterSeconds"]
    assert 1 <= wait <= 60
    assert response.headers["retry-after"] == str(math.ceil(wait))
    assert response.headers["ratelimit-limit"] == str(limit)
    assert response.headers["ratelimit-remaining"] == "0"
    assert 1 <= int(response.headers["ratelimit-reset"]) <= 60


async def partner_app(app, client, environment: str = "production"):
    partner = await make_partner(app, client)
    return partner, await seed_app(app, partner, environment=environment)


async def test_the_601st_request_of_a_production_app_in_a_window_is_refused(app, client):
    _, seeded = await partner_app(app, client)
    token = app_token(app, seeded, None)  # the app itself (client credentials): the app's window only
    with windows(app):  # the defaults: 600 per minute
        answers = await burst(client, 599, token)
        assert [a.status_code for a in answers] == [200] * 599
        assert {int(a.headers["ratelimit-remaining"]) for a in answers} <= set(range(1, 600))
        assert {a.headers["ratelimit-limit"] for a in answers} == {"600"}
        last = await post(client, token)
        assert (last.status_code, last.headers["ratelimit-remaining"]) == (200, "0"), "the 600th passes"
        refused = await post(client, token)
        assert_refused(refused, 600, "This app sent too many requests")
        assert (await post(client, token)).status_code == 429, "still refused: the window counts the last minute"


async def test_a_sandbox_app_gets_60_a_minute(app, client):
    _, seeded = await partner_app(app, client, environment="sandbox")
    token = app_token(app, seeded, None)
    with windows(app):
        answers = await burst(client, 60, token)
        assert [a.status_code for a in answers] == [200] * 60
        assert {a.headers["ratelimit-limit"] for a in answers} == {"60"}
        assert_refused(await post(client, token), 60, "This app sent too many requests")


async def test_an_app_acting_for_a_person_has_a_window_per_person_within_the_apps(app, client):
    partner, seeded = await partner_app(app, client)
    other = await register(client)
    for_owner = app_token(app, seeded, await seed_grant(app, seeded, uuid_of(partner.owner.id)))
    for_other = app_token(app, seeded, await seed_grant(app, seeded, uuid_of(other.id)))
    itself = app_token(app, seeded, None)
    with windows(app, app_person=5, app=20):
        answers = await burst(client, 5, for_owner, parallel=1)
        assert [a.status_code for a in answers] == [200] * 5
        # the tightest window is the person's: 5 a minute within the app's 20
        assert sorted(a.headers["ratelimit-remaining"] for a in answers) == ["0", "1", "2", "3", "4"]
        assert {a.headers["ratelimit-limit"] for a in answers} == {"5"}
        for _ in range(3):
            assert_refused(await post(client, for_owner), 5, "This app sent too many requests for this person")
        assert (await post(client, for_other)).status_code == 200, "another person's requests have their own window"
        alone = await post(client, itself)
        assert alone.status_code == 200
        # 5 + 1 + this one counted in the app's window; the 3 refused ones counted nowhere
        assert (alone.headers["ratelimit-limit"], alone.headers["ratelimit-remaining"]) == ("20", "13")


async def test_the_apps_window_holds_across_its_people(app, client):
    partner, seeded = await partner_app(app, client)
    other = await register(client)
    for_owner = app_token(app, seeded, await seed_grant(app, seeded, uuid_of(partner.owner.id)))
    for_other = app_token(app, seeded, await seed_grant(app, seeded, uuid_of(other.id)))
    with windows(app, app_person=100, app=6):
        assert [a.status_code for a in await burst(client, 3, for_owner)] == [200] * 3
        assert [a.status_code for a in await burst(client, 3, for_other)] == [200] * 3
        assert_refused(await post(client, for_owner), 6, "This app sent too many requests just now")
        assert_refused(await post(client, for_other), 6, "This app sent too many requests just now")


async def test_a_signed_in_person_of_a_first_party_client_has_a_window(app, client):
    someone, another = await register(client), await register(client)
    with windows(app, person=5):
        answers = await burst(client, 5, someone.auth)
        assert [a.status_code for a in answers] == [200] * 5
        assert {a.headers["ratelimit-limit"] for a in answers} == {"5"}
        assert_refused(await post(client, someone.auth), 5, "You sent too many requests")
        vietnamese = await post(client, someone.auth, **{"accept-language": "vi"})
        assert vietnamese.json()["errors"][0]["message"].startswith("Bạn đã gửi quá nhiều yêu cầu")
        assert (await post(client, another.auth)).status_code == 200
        assert (await post(client)).status_code == 200, "anonymous requests from the same address: their own window"


async def test_anonymous_callers_are_counted_by_address(app):
    with windows(app, address=5):
        async with client_at(app, "198.51.100.7") as here, client_at(app, "198.51.100.8") as there:
            assert [a.status_code for a in await burst(here, 5)] == [200] * 5
            assert_refused(await post(here), 5, "Too many requests came from your address")
            assert (await post(there)).status_code == 200


@pytest.mark.parametrize("caller", ["app", "app_person", "person", "address"])
async def test_40_parallel_requests_against_a_limit_of_20_let_exactly_20_through(app, client, caller):
    partner, seeded = await partner_app(app, client)
    headers = {
        "app": app_token(app, seeded, None),
        "app_person": app_token(app, seeded, await seed_grant(app, seeded, uuid_of(partner.owner.id))),
        "person": partner.owner.auth,
        "address": {},
    }[caller]
    with windows(app, **{caller: 20}):
        answers = await asyncio.gather(*(post(client, headers) for _ in range(40)))
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [200] * 20 + [429] * 20
    # what remained as each one read it after counting (parallel requests may read after another counted)
    assert {int(a.headers["ratelimit-remaining"]) for a in answers if a.status_code == 200} <= set(range(20))
    assert {a.headers["ratelimit-remaining"] for a in answers if a.status_code == 429} == {"0"}
    assert {a.headers["ratelimit-limit"] for a in answers} == {"20"}


async def test_the_window_frees_again(app):
    with windows(app, window_seconds=1, address=3):
        async with client_at(app, "198.51.100.9") as here:
            started = time.monotonic()
            assert [a.status_code for a in await burst(here, 3)] == [200] * 3
            refused = await post(here)
            assert refused.status_code == 429
            assert refused.headers["retry-after"] == "1"
            await asyncio.sleep(max(0.0, 1.05 - (time.monotonic() - started)))
            again = await post(here)
            assert again.status_code == 200, "a moving window: the requests of more than a second ago are gone"
            assert again.headers["ratelimit-remaining"] == "2"


async def test_every_answer_carries_the_headers_of_the_tightest_window(app, client):
    with windows(app, address=10):
        first, second = await post(client), await post(client)
        bad_json = await client.post("/graphql", content=b"{", headers={"content-type": "application/json"})
        invalid = await client.post("/graphql", json={"query": "{ nope }"})
    assert [r.headers["ratelimit-remaining"] for r in (first, second, bad_json, invalid)] == ["9", "8", "7", "6"]
    assert bad_json.status_code == 400 and invalid.status_code == 200
    for response in (first, second, bad_json, invalid):
        assert response.headers["ratelimit-limit"] == "10"
        assert 59 <= int(response.headers["ratelimit-reset"]) <= 60
        assert "retry-after" not in response.headers


async def test_the_headers_are_exposed_to_browser_apps(test_settings, graph):
    origin = "https://ban-do.example"
    spa = create_app(test_settings.model_copy(update={"cors_allowed_origins": [origin], "migrate_on_start": False}))
    async with LifespanManager(spa), client_at(spa, "198.51.100.10") as browser:
        response = await post(browser, origin=origin)
    assert response.status_code == 200
    exposed = {h.strip().lower() for h in response.headers["access-control-expose-headers"].split(",")}
    assert {*HEADERS, "retry-after"} <= exposed
    assert all(h in response.headers for h in HEADERS)


async def test_request_window_reads_the_tightest_window_without_counting(app, client):
    partner, seeded = await partner_app(app, client)
    token = app_token(app, seeded, await seed_grant(app, seeded, uuid_of(partner.owner.id)))
    itself = app_token(app, seeded, None)
    runtime = app.state.runtime
    viewer = await viewer_from_app_token(runtime, token["authorization"].removeprefix("Bearer "))
    with windows(app, app_person=20, app=40):
        fresh = await request_windows.request_window(runtime, viewer)
        assert (fresh.limit, fresh.remaining, fresh.kind, fresh.reset_after()) == (20, 20, "app_person", 0)
        assert (await request_windows.request_window(runtime, viewer)).remaining == 20, "reading counts nothing"
        await burst(client, 15, token)
        window = await request_windows.request_window(runtime, viewer)
        assert (window.limit, window.remaining, window.kind) == (20, 5, "app_person")
        assert 0 < window.reset_after() <= 60
        await burst(client, 22, itself)  # the app's 40 - 15 - 22 = 3 is now tighter than the person's 5
        window = await request_windows.request_window(runtime, viewer)
        assert (window.limit, window.remaining, window.kind) == (40, 3, "app")
        anonymous = await request_windows.request_window(runtime, ANONYMOUS, address="198.51.100.11")
        assert (anonymous.limit, anonymous.remaining, anonymous.kind) == (120, 120, "address")


async def test_rejected_tokens_count_in_their_addresss_window(app):
    """A revoked, expired or forged token is refused (401), and counted in its address's window like an anonymous
    request: each costs a token check, so a stream of them is rate limited too (429 once the window is full)."""
    with windows(app, address=3):
        async with client_at(app, "198.51.100.21") as here, client_at(app, "198.51.100.22") as there:
            bad = {"authorization": "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.bm90LWEtc2lnbmF0dXJl"}
            answers = [await post(here, bad) for _ in range(3)]
            assert [a.status_code for a in answers] == [401] * 3
            assert {a.json()["errors"][0]["extensions"]["code"] for a in answers} == {"UNAUTHENTICATED"}
            assert [a.headers["ratelimit-remaining"] for a in answers] == ["2", "1", "0"]
            refused = await post(here, bad)
            assert_refused(refused, 3, "Too many requests came from your address")
            assert (await post(here)).status_code == 429, "the address's window: anonymous requests share it"
            assert (await post(there, bad)).status_code == 401, "another address has its own window"


class BrokenStorage:
    """A limits storage that is away (Redis down, ...): every call raises."""

    def __init__(self) -> None:
        self.real = quota_storage("async+memory://")

    async def acquire_entry(self, *_args, **_kwargs):
        raise ConnectionError("Connection refused (redis://quota:6379)")

    async def get_moving_window(self, *_args, **_kwargs):
        raise ConnectionError("Connection refused (redis://quota:6379)")


@pytest.mark.parametrize("token", [False, True], ids=["anonymous", "rejected-token"])
async def test_a_failing_limits_storage_answers_503_unavailable_never_500(app, token):
    """Fail closed: while the windows cannot be counted, a request is refused with 503 UNAVAILABLE and Retry-After
    (and the failure is logged), never a 500 nor an uncounted request."""
    runtime = app.state.runtime
    with windows(app):
        runtime.quota_storage = BrokenStorage()
        async with client_at(app, "198.51.100.23") as here:
            headers = {"authorization": "Bearer not-a-token"} if token else None
            answer = await post(here, headers)
    assert answer.status_code == 503, answer.text
    [error] = answer.json()["errors"]
    assert error["extensions"]["code"] == "UNAVAILABLE"
    assert error["message"] == request_windows.STORAGE_UNAVAILABLE
    assert answer.headers["retry-after"] == "5" and error["extensions"]["retryAfterSeconds"] == 5
