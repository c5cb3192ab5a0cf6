"""Partner usage (docs/partners.md, "Usage"): per-app daily counters flushed to the graph and read with ``appUsage``;
the last 50 token-endpoint failures per client, with their reasons, read with ``App.tokenFailures``."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from strawberry import relay

from api.usage import CountingView, count_answer
from auth.viewer import Viewer
from graph import usage as usage_queries
from oauth import server as oauth_server
from partners import token_failures
from partners.usage import UsageCounter, hanoi_day
from quotas.storage import quota_storage
from tests.identity.people import make_officer, make_verified
from tests.partners.oauth_flow import basic
from tests.partners.support import SeededApp, app_token, make_partner, seed_app
from tests.partners.test_rate_limits import client_at
from tests.support import error_codes, gql, settings_changed

pytestmark = pytest.mark.asyncio(loop_scope="session")

VERSION = "query { version { api } }"
ME = "query { me { id } }"  # refused for an app's own token (no person): an error answer
USAGE = """
query Usage($appId: ID!, $from: Date!, $to: Date!) {
  appUsage(appId: $appId, from: $from, to: $to) {
    appId from to
    days { day figures { requests cost errors rateLimited } }
    total { requests cost errors rateLimited }
  }
}
"""
FAILURES = """
query Failures($id: ID!, $first: Int, $after: String) {
  node(id: $id) {
    ... on App {
      tokenFailures(first: $first, after: $after) {
        totalCount
        pageInfo { hasNextPage endCursor }
        nodes { at error description grantType }
      }
    }
  }
}
"""


def app_gid(seeded: SeededApp) -> str:
    return str(relay.GlobalID("App", seeded.app_id))


def days_around_today() -> dict[str, str]:
    today = hanoi_day(datetime.now(UTC))
    return {"from": (today - timedelta(days=1)).isoformat(), "to": (today + timedelta(days=1)).isoformat()}


async def flush(app) -> None:
    await app.state.usage.flush(app.state.runtime.graph)


async def usage_of(client, seeded: SeededApp, headers: dict[str, str]) -> dict:
    body = await gql(client, USAGE, {"appId": app_gid(seeded), **days_around_today()}, headers=headers)
    assert "errors" not in body, body
    return body["data"]["appUsage"]


@pytest.fixture
async def partner(app, client):
    return await make_partner(app, client)


@pytest.fixture
async def usage_app(app, partner) -> SeededApp:
    return await seed_app(app, partner, scopes=("openid", "places.read", "usage.read"))


def own_token(app, seeded: SeededApp) -> dict[str, str]:
    """The app's client-credentials token with ``usage.read``."""
    return app_token(app, seeded, None, scopes=("places.read", "usage.read"))


# --- counting and flushing ---------------------------------------------------------------------------------------


async def test_requests_are_counted_flushed_and_read_by_the_app(app, client, usage_app):
    # Each answer's cost is what the query cost rules counted for it (extensions.cost.requested): the usage adds it up.
    headers = own_token(app, usage_app)
    costs = []
    for _ in range(4):
        answered = await gql(client, VERSION, headers=headers)
        assert "errors" not in answered
        costs.append(answered["extensions"]["cost"]["requested"])
    refused = await gql(client, ME, headers=headers)
    assert error_codes(refused) == ["FORBIDDEN"]
    costs.append(refused["extensions"]["cost"]["requested"])
    assert all(cost >= 1 for cost in costs)
    await flush(app)

    found = await usage_of(client, usage_app, headers)
    assert found["total"] == {"requests": 5, "cost": sum(costs), "errors": 1, "rateLimited": 0}
    assert found["appId"] == app_gid(usage_app)
    assert [d["day"] for d in found["days"]] == [
        (datetime.fromisoformat(days_around_today()["from"]) + timedelta(days=i)).date().isoformat() for i in range(3)
    ]
    today = hanoi_day(datetime.now(UTC)).isoformat()
    assert {d["day"]: d["figures"]["requests"] for d in found["days"]}[today] == 5

    # the appUsage request itself was counted too, and shows after the next flush
    await flush(app)
    assert (await usage_of(client, usage_app, headers))["total"]["requests"] == 6


async def test_forty_parallel_requests_count_forty(app, client, usage_app):
    headers = own_token(app, usage_app)
    answers = await asyncio.gather(*(gql(client, VERSION, headers=headers) for _ in range(40)))
    assert all("errors" not in a for a in answers)
    await flush(app)
    assert (await usage_of(client, usage_app, headers))["total"]["requests"] == 40


async def test_only_partner_apps_are_counted(app, client, usage_app, monkeypatch):
    counted: list[str] = []
    monkeypatch.setattr(app.state.usage, "count", lambda app_id, **_: counted.append(app_id))
    someone = await make_verified(app, client)
    for _ in range(3):
        await gql(client, VERSION, headers=someone.auth)
        await gql(client, VERSION)
    assert counted == []
    await gql(client, VERSION, headers=own_token(app, usage_app))
    assert counted == [usage_app.app_id]


async def test_a_failed_flush_keeps_its_counts_for_the_next(app, client, usage_app, monkeypatch):
    headers = own_token(app, usage_app)
    for _ in range(3):
        await gql(client, VERSION, headers=headers)

    async def unavailable(*_args, **_kwargs):
        raise RuntimeError("Neo4j is away")

    with monkeypatch.context() as patched:
        patched.setattr(usage_queries, "flush_usage", unavailable)
        with pytest.raises(RuntimeError):
            await flush(app)
    for _ in range(2):  # counted while the failed batch waits
        await gql(client, VERSION, headers=headers)
    await flush(app)
    assert (await usage_of(client, usage_app, headers))["total"]["requests"] == 5


async def test_a_batch_whose_commit_was_not_confirmed_counts_once(app, client, usage_app):
    """A flush that committed but whose caller saw a failure (a lost connection after COMMIT) is tried again with
    the same id: its marker makes the second try add nothing."""
    graph = app.state.runtime.graph
    counter = UsageCounter()
    for _ in range(4):
        counter.count(usage_app.app_id, cost=3)

    class CommitsThenFails:
        async def write(self, work, *args, **kwargs):
            await graph.write(work, *args, **kwargs)
            raise ConnectionError("connection lost after COMMIT")

    with pytest.raises(ConnectionError):
        await counter.flush(CommitsThenFails())  # type: ignore[arg-type]
    assert counter.pending is not None
    assert await counter.flush(graph) == 1  # the same batch, its marker found: nothing added
    assert counter.pending is None and not counter.counts
    found = await usage_of(client, usage_app, own_token(app, usage_app))
    assert (found["total"]["requests"], found["total"]["cost"]) == (4, 12)


async def test_days_are_hanoi_days(app, client, usage_app):
    """17:00 UTC is midnight in Hà Nội: a request at 16:59 UTC counts on one day, at 17:00 UTC on the next."""
    graph = app.state.runtime.graph
    instants = iter([datetime(2026, 6, 14, 16, 59, tzinfo=UTC), datetime(2026, 6, 14, 17, 0, tzinfo=UTC)])
    counter = UsageCounter(clock=lambda: next(instants))
    counter.count(usage_app.app_id)
    counter.count(usage_app.app_id, error=True)
    await counter.flush(graph)
    body = await gql(
        client, USAGE, {"appId": app_gid(usage_app), "from": "2026-06-14", "to": "2026-06-15"},
        headers=own_token(app, usage_app),
    )  # fmt: skip
    days = {d["day"]: d["figures"] for d in body["data"]["appUsage"]["days"]}
    assert days == {
        "2026-06-14": {"requests": 1, "cost": 0, "errors": 0, "rateLimited": 0},
        "2026-06-15": {"requests": 1, "cost": 0, "errors": 1, "rateLimited": 0},
    }


async def test_rate_limited_answers_count_as_rate_limited(app, client, usage_app):
    """A request refused by the app's request window (HTTP 429, before anything runs) counts as a request, an error
    and a rate-limited answer, with no cost."""
    headers = own_token(app, usage_app)
    runtime = app.state.runtime
    saved = runtime.quota_storage
    runtime.quota_storage = quota_storage("async+memory://")  # a fresh window, of 1 request
    try:
        with settings_changed(app, rate_limit_app=1, rate_limit_sandbox_app=1):
            first = await gql(client, VERSION, headers=headers)
            for _ in range(2):
                answer = await client.post("/graphql", json={"query": VERSION}, headers=headers)
                assert answer.status_code == 429
                assert error_codes(answer.json()) == ["RATE_LIMITED"]
    finally:
        runtime.quota_storage = saved
    await flush(app)
    found = await usage_of(client, usage_app, headers)
    cost = first["extensions"]["cost"]["requested"]
    # the usage read above is a fourth request, counted after this flush
    assert found["total"] == {"requests": 3, "cost": cost, "errors": 2, "rateLimited": 2}


async def test_a_rate_limited_graphql_error_counts_too():
    counter = UsageCounter()
    viewer = Viewer(kind="partner_app", app_id="app-1", client_id="hsc_1")
    count_answer(counter, {"viewer": viewer, "graphql_errors": True, "graphql_rate_limited": True}, 200)
    count_answer(counter, {"viewer": viewer, "query_cost": 12}, 200)
    count_answer(counter, {"viewer": viewer, "graphql_request_error": True}, 400)
    count_answer(counter, {"viewer": Viewer(kind="person", actor_id="p")}, 200)
    count_answer(counter, {}, 401)
    (tally,) = counter.counts.values()
    assert tally == [3, 12, 2, 1]


async def test_counting_view_passes_other_scopes_through():
    seen = []

    async def inner(scope, receive, send):
        seen.append(scope["type"])

    await CountingView(inner)({"type": "websocket"}, None, None)  # type: ignore[arg-type]
    assert seen == ["websocket"]


# --- who reads usage ---------------------------------------------------------------------------------------------


async def test_managers_and_officers_read_usage_others_do_not(app, client, partner, usage_app):
    headers = own_token(app, usage_app)
    await gql(client, VERSION, headers=headers)
    await flush(app)
    variables = {"appId": app_gid(usage_app), **days_around_today()}

    owner = await gql(client, USAGE, variables, headers=partner.owner.auth)
    assert owner["data"]["appUsage"]["total"]["requests"] == 1, owner
    officer = await make_officer(app, client)
    assert "errors" not in await gql(client, USAGE, variables, headers=officer.auth)

    stranger = await make_verified(app, client)
    assert error_codes(await gql(client, USAGE, variables, headers=stranger.auth)) == ["FORBIDDEN"]
    assert error_codes(await gql(client, USAGE, variables)) == ["UNAUTHENTICATED"]

    other_partner = await make_partner(app, client, name="Công ty Khác")
    other = await seed_app(app, other_partner, scopes=("openid", "usage.read"))
    refused = await gql(client, USAGE, variables, headers=own_token(app, other))
    assert error_codes(refused) == ["FORBIDDEN"]
    assert "only its own" in refused["errors"][0]["message"]

    without_scope = await gql(
        client, USAGE, variables, headers=app_token(app, usage_app, None, scopes=("places.read",))
    )
    assert error_codes(without_scope) == ["FORBIDDEN"]
    assert without_scope["errors"][0]["extensions"]["requiredScope"] == "usage.read"

    unknown = {**variables, "appId": str(relay.GlobalID("App", "00000000-0000-4000-8000-000000000000"))}
    assert error_codes(await gql(client, USAGE, unknown, headers=partner.owner.auth)) == ["NOT_FOUND"]


async def test_the_range_is_checked(app, client, partner, usage_app):
    reversed_range = {"appId": app_gid(usage_app), "from": "2026-06-15", "to": "2026-06-14"}
    body = await gql(client, USAGE, reversed_range, headers=partner.owner.auth)
    assert error_codes(body) == ["INVALID_INPUT"]
    too_long = {"appId": app_gid(usage_app), "from": "2026-01-01", "to": "2026-06-30"}
    body = await gql(client, USAGE, too_long, headers=partner.owner.auth)
    assert error_codes(body) == ["INVALID_INPUT"] and "92" in body["errors"][0]["message"]


# --- token-endpoint failures ----------------------------------------------------------------------------------------


async def failures_of(client, seeded: SeededApp, headers: dict[str, str], first: int = 50) -> dict:
    body = await gql(client, FAILURES, {"id": app_gid(seeded), "first": first}, headers=headers)
    assert "errors" not in body, body
    return body["data"]["node"]["tokenFailures"]


async def test_failures_are_recorded_with_their_reasons(app, client, partner, usage_app):
    wrong = await client.post(
        "/oauth/token", data={"grant_type": "client_credentials"}, headers=basic(usage_app, "hs_sk_not-the-secret")
    )
    assert wrong.status_code == 401 and wrong.json()["error"] == "invalid_client"
    unknown_grant = await client.post("/oauth/token", data={"grant_type": "password"}, headers=basic(usage_app))
    assert unknown_grant.status_code == 400
    bad_code = await client.post(
        "/oauth/token",
        data={"grant_type": "authorization_code", "code": "not-a-code", "code_verifier": "x" * 43,
              "redirect_uri": usage_app.redirect_uris[0]},
        headers=basic(usage_app),
    )  # fmt: skip
    assert bad_code.status_code == 400 and bad_code.json()["error"] == "invalid_grant"
    fine = await client.post("/oauth/token", data={"grant_type": "client_credentials"}, headers=basic(usage_app))
    assert fine.status_code == 200  # a success records nothing

    found = await failures_of(client, usage_app, partner.owner.auth)
    assert found["totalCount"] == 3
    newest_first = [(f["error"], f["description"], f["grantType"]) for f in found["nodes"]]
    assert newest_first == [
        ("invalid_grant", bad_code.json()["error_description"], "authorization_code"),
        # a grant type the endpoint does not know is recorded as "other", never as the caller's text
        (unknown_grant.json()["error"], unknown_grant.json().get("error_description"), "other"),
        ("invalid_client", wrong.json()["error_description"], "client_credentials"),
    ]
    text = str(found)
    assert "not-the-secret" not in text and "not-a-code" not in text and usage_app.client_secret not in text


#: The grant types sent in turn by the tests below, and what is recorded of each.
SENT_GRANTS = ("authorization_code", "refresh_token", "client_credentials", "password", "grant-x")
RECORDED_GRANTS = ("authorization_code", "refresh_token", "client_credentials", "other", "other")


async def test_the_newest_fifty_are_kept_and_paged(app, client, partner, usage_app):
    with settings_changed(app, token_failures_per_address=1000):  # all from one address: none capped here
        for n in range(60):
            answer = await client.post(
                "/oauth/token", data={"grant_type": SENT_GRANTS[n % 5]}, headers=basic(usage_app, "hs_sk_wrong")
            )
            assert answer.status_code in (400, 401)  # an unknown grant type is refused before the client
    first = await failures_of(client, usage_app, partner.owner.auth, first=30)
    assert first["totalCount"] == 50
    assert [f["grantType"] for f in first["nodes"]] == [RECORDED_GRANTS[n % 5] for n in range(59, 29, -1)]
    assert first["pageInfo"]["hasNextPage"]
    rest = await gql(
        client, FAILURES, {"id": app_gid(usage_app), "first": 30, "after": first["pageInfo"]["endCursor"]},
        headers=partner.owner.auth,
    )  # fmt: skip
    page = rest["data"]["node"]["tokenFailures"]
    assert [f["grantType"] for f in page["nodes"]] == [RECORDED_GRANTS[n % 5] for n in range(29, 9, -1)]
    assert not page["pageInfo"]["hasNextPage"]


def test_the_recorded_grant_types_are_the_endpoints():
    assert token_failures.GRANT_TYPES == oauth_server.GRANT_TYPES


async def test_one_address_records_at_most_a_few_failures_a_minute(app, client, partner, usage_app):
    """Anyone who knows a public client_id could flush the client's last 50 failures with its own: at most
    ``token_failures_per_address`` (5) of one client from one address are recorded a minute, and the answers are the
    same as ever."""
    answers = [
        await client.post(
            "/oauth/token", data={"grant_type": "client_credentials"}, headers=basic(usage_app, "hs_sk_wrong")
        )
        for _ in range(60)
    ]
    assert {a.status_code for a in answers} == {401}
    assert {a.text for a in answers} == {answers[0].text}, "every answer is the endpoint's usual one"
    assert answers[0].json()["error"] == "invalid_client"
    assert (await failures_of(client, usage_app, partner.owner.auth))["totalCount"] == 5
    elsewhere = client_at(app, "203.0.113.9")
    async with elsewhere:
        answer = await elsewhere.post(
            "/oauth/token", data={"grant_type": "client_credentials"}, headers=basic(usage_app, "hs_sk_wrong")
        )
    assert answer.status_code == 401
    assert (await failures_of(client, usage_app, partner.owner.auth))["totalCount"] == 6, "another address records"


async def test_forty_parallel_failures_keep_at_most_fifty_and_never_fail_the_endpoint(app, client, partner, usage_app):
    async def wrong_secret(n: int):
        return await client.post(
            "/oauth/token", data={"grant_type": "client_credentials"}, headers=basic(usage_app, f"hs_sk_wrong-{n}")
        )

    with settings_changed(app, token_failures_per_address=1000):  # all from one address: none capped here
        for batch in range(2):
            answers = await asyncio.gather(*(wrong_secret(n) for n in range(40)))
            assert {a.status_code for a in answers} == {401}
            assert {a.json()["error"] for a in answers} == {"invalid_client"}
            found = await failures_of(client, usage_app, partner.owner.auth)
            assert found["totalCount"] == (40 if batch == 0 else 50)
            assert len(found["nodes"]) == found["totalCount"]


async def test_a_failure_to_record_never_changes_the_answer(app, client, partner, usage_app, monkeypatch):
    before = await client.post(
        "/oauth/token", data={"grant_type": "client_credentials"}, headers=basic(usage_app, "hs_sk_wrong")
    )

    async def broken(*_args, **_kwargs):
        raise RuntimeError("Neo4j is away")

    monkeypatch.setattr(usage_queries, "record_token_failure", broken)
    after = await client.post(
        "/oauth/token", data={"grant_type": "client_credentials"}, headers=basic(usage_app, "hs_sk_wrong")
    )
    assert (after.status_code, after.json(), after.headers.get("www-authenticate")) == (
        before.status_code,
        before.json(),
        before.headers.get("www-authenticate"),
    )
    monkeypatch.undo()
    assert (await failures_of(client, usage_app, partner.owner.auth))["totalCount"] == 1


async def test_an_unknown_client_records_nothing(app, client, usage_app):
    unknown = SeededApp("x", "hsc_nobody", "hs_sk_x", "x", (), (), "production")
    answer = await client.post("/oauth/token", data={"grant_type": "client_credentials"}, headers=basic(unknown))
    assert answer.status_code == 401

    async def count(tx):
        return await (await tx.run("MATCH (f:TokenFailure) RETURN count(f) AS n")).single()

    assert (await app.state.runtime.graph.read(count))["n"] == 0


async def test_only_the_partners_managers_read_token_failures(app, client, partner, usage_app):
    variables = {"id": app_gid(usage_app), "first": 5}
    stranger = await make_verified(app, client)
    officer = await make_officer(app, client)
    for who in (stranger, officer):
        body = await gql(client, FAILURES, variables, headers=who.auth)
        assert error_codes(body) == ["FORBIDDEN"], body
    body = await gql(client, FAILURES, variables)
    assert error_codes(body) == ["UNAUTHENTICATED"]
    refused = await gql(client, FAILURES, variables, headers=own_token(app, usage_app))
    assert error_codes(refused) == ["FORBIDDEN"]  # never for apps (partners.fields: DENIED)


ROTATE = """
mutation Rotate($input: ClientSecretRotateInput!) {
  clientSecretRotate(input: $input) { clientSecret errors { code field message } }
}
"""


async def test_invalid_client_says_which_secret_problem_it_is(app, client, partner, usage_app):
    """A rotated secret whose overlap has ended is told apart from a wrong one, and both are on record."""
    first_secret = usage_app.client_secret
    for _ in range(2):  # the second rotation ends the first secret's overlap at once
        body = await gql(client, ROTATE, {"input": {"appId": app_gid(usage_app)}}, headers=partner.owner.auth)
        assert body["data"]["clientSecretRotate"]["errors"] == [], body
    current = body["data"]["clientSecretRotate"]["clientSecret"]
    data = {"grant_type": "client_credentials"}
    ended = await client.post("/oauth/token", data=data, headers=basic(usage_app, first_secret))
    wrong = await client.post("/oauth/token", data=data, headers=basic(usage_app, "hs_sk_never-issued"))
    assert (await client.post("/oauth/token", data=data, headers=basic(usage_app, current))).status_code == 200
    assert ended.status_code == wrong.status_code == 401
    assert "rotated and its overlap has ended" in ended.json()["error_description"]
    assert "neither the current secret nor a rotated one" in wrong.json()["error_description"]
    found = await failures_of(client, usage_app, partner.owner.auth)
    assert [f["description"] for f in found["nodes"]] == [
        wrong.json()["error_description"],
        ended.json()["error_description"],
    ]


async def test_descriptions_name_the_methods_and_grant_types(app, client, partner, usage_app):
    public = await seed_app(app, partner, kind="public", scopes=("openid",))
    data = {"grant_type": "client_credentials", "client_id": public.client_id}
    refused = (await client.post("/oauth/token", data=data)).json()
    assert refused["error"] == "invalid_client"
    assert refused["error_description"].startswith("grant_type=client_credentials is for confidential clients")
    posted = {"grant_type": "client_credentials", "client_id": usage_app.client_id,
              "client_secret": usage_app.client_secret}  # fmt: skip
    refused = (await client.post("/oauth/token", data=posted)).json()
    assert "client_secret_basic (HTTP Basic" in refused["error_description"]
    assert "used client_secret_post" in refused["error_description"]
    unsupported = (await client.post("/oauth/token", data={"grant_type": "password"}, headers=basic(usage_app))).json()
    assert unsupported["error"] == "unsupported_grant_type"
    assert "authorization_code, refresh_token or client_credentials" in unsupported["error_description"]


async def test_the_lifespan_flushes_every_interval_and_at_shutdown(app, test_settings, usage_app):
    """Other API processes (their own lifespan): with a flush every 0.2 s the counts reach the graph without anyone
    asking; with a flush every hour they reach it at shutdown."""
    import httpx
    from asgi_lifespan import LifespanManager

    from api.app import create_app

    graph = app.state.runtime.graph

    async def on_record(tx) -> int:
        query = "MATCH (u:UsageDay {appId: $id}) RETURN sum(u.requests) AS n"
        found = await (await tx.run(query, id=usage_app.app_id)).single()
        return int(found["n"] or 0)

    async def requests(interval: float, n: int, then) -> None:
        process = create_app(test_settings.model_copy(update={"usage_flush_interval_seconds": interval}))
        async with LifespanManager(process):
            transport = httpx.ASGITransport(app=process)
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
                for _ in range(n):
                    assert "errors" not in await gql(http, VERSION, headers=own_token(process, usage_app))
            await then()

    async def flushed_by_the_task() -> None:
        for _ in range(50):
            if await graph.read(on_record) == 3:
                break
            await asyncio.sleep(0.1)
        assert await graph.read(on_record) == 3

    async def not_yet() -> None:
        assert await graph.read(on_record) == 3

    await requests(0.2, 3, flushed_by_the_task)
    await requests(3600, 2, not_yet)
    assert await graph.read(on_record) == 5  # flushed at shutdown


async def test_nothing_secret_like_is_kept(app, client, partner, usage_app):
    """A description may quote a parameter (an unknown scope): a secret or token pasted there is not kept."""
    pasted = usage_app.client_secret
    answer = await client.post(
        "/oauth/token", data={"grant_type": "client_credentials", "scope": pasted}, headers=basic(usage_app)
    )
    assert answer.json()["error"] == "invalid_scope"
    (found,) = (await failures_of(client, usage_app, partner.owner.auth))["nodes"]
    assert pasted not in str(found) and "[redacted]" in found["description"]
