"""Query cost (schema.cost, quotas.cost; docs/partners.md, "Query cost"), through HTTP: what a document costs, that
an operation over the maximum or over the caller's budget runs no resolver, that 40 parallel requests spend a
budget exactly, ``extensions.cost`` on every answer, and the ``rateLimit`` query."""

from __future__ import annotations

import asyncio
import math
from datetime import UTC, datetime

import httpx
import pytest

from health import service as health_service
from tests.identity.people import register
from tests.partners.support import app_token, make_partner, seed_app
from tests.support import error_codes, gql, settings_changed

#: A budget's window long enough that nothing leaves it during a test (the suite's settings use one second).
MINUTE = 60

#: (name, document, variables, expected cost). Objects 1, scalars and enums 0, a connection n × (1 + its
#: selection), a mutation's root field 10 + its payload's selection, an abstract type its costliest possibility.
COSTS = [
    ("typename", "{ __typename }", {}, 0),
    ("object", "{ version { api neo4j } }", {}, 1),
    ("two objects", "{ version { api } health { ready } }", {}, 2),
    # 5 × (1 + edges (1 + node 1)) = 15
    ("connection", "{ communes(first: 5) { edges { node { id name } } } }", {}, 15),
    # no first/last: the default page of 20; 20 × (1 + nodes 1) = 40
    ("default page", "{ communes { nodes { id } } }", {}, 40),
    ("last", "{ communes(last: 3) { nodes { id } totalCount } }", {}, 6),
    # 10 × (1 + edges 2 + pageInfo 1) = 40, fragments expanded
    (
        "fragments",
        """query { communes(first: 10) { ...Page } }
        fragment Page on CommuneConnection { edges { node { ...C } } pageInfo { hasNextPage } }
        fragment C on Commune { id name }""",
        {},
        40,
    ),
    # members: 10 × (1 + 1) = 20; community: 1 + 20; nodes: 1 + 21; communes: 4 × (1 + 22) = 92
    (
        "nested connections",
        "{ communes(first: 4) { nodes { community { members(first: 10) { nodes { __typename } } } } } }",
        {},
        92,
    ),
    ("variable page", "query ($n: Int) { communes(first: $n) { nodes { id } } }", {"n": 7}, 14),
    ("variable null", "query ($n: Int) { communes(first: $n) { nodes { id } } }", {"n": None}, 40),
    ("variable default", "query ($n: Int = 2) { communes(first: $n) { nodes { id } } }", {}, 4),
    ("skipped", "query ($s: Boolean!) { version { api } communes @skip(if: $s) { nodes { id } } }", {"s": True}, 1),
    ("included", "query ($s: Boolean!) { communes @include(if: $s) { nodes { id } } }", {"s": True}, 40),
    # an interface: 1 + the costliest type (a Post's comments: 5 × (1 + 1) = 10; a Commune's fields: 0)
    (
        "interface",
        """query ($id: ID!) { node(id: $id) { id ... on Post { comments(first: 5) { nodes { id } } }
        ... on Commune { name } } }""",
        {"id": "Q29tbXVuZTp4"},
        11,
    ),
    # ids fetched: 3 × (1 + 0)
    ("nodes by ids", "query ($ids: [ID!]!) { nodes(ids: $ids) { id } }", {"ids": ["a", "b", "c"]}, 3),
    # a mutation: 10 + errors (1); refused (not signed in) but priced all the same
    (
        "mutation",
        "mutation ($input: ConnectionRequestInput!) { connectionRequest(input: $input) { errors { code } } }",
        {"input": {"actorId": "UGVyc29uOng="}},
        11,
    ),
    # two mutations and a payload's object: (10 + 1 + 1) + (10 + 1)
    (
        "two mutations",
        """mutation ($a: ConnectionRequestInput!, $b: ConnectionCancelInput!) {
          connectionRequest(input: $a) { relation { __typename } errors { code } }
          connectionCancel(input: $b) { errors { code } } }""",
        {"a": {"actorId": "UGVyc29uOng="}, "b": {"actorId": "UGVyc29uOng="}},
        23,
    ),
    ("rateLimit", "{ rateLimit { cost remaining requests { remaining } } }", {}, 2),
]

#: The version (1) and 100 communes, each with its community's first 100 members: 1 + 100 × (1 + 1 + 1 + 100 × 2).
TOO_COSTLY = """
query { version { api } communes(first: 100) { nodes { community { members(first: 100) { nodes { __typename } } } } } }
"""
#: A profile change whose answer would read 100 posts with 100 comments each: 10 + 1 + 100 × (1 + 1 + 100 × 2) + 1.
COSTLY_CHANGE = """
mutation ($input: ProfileUpdateInput!) {
  profileUpdate(input: $input) {
    person { posts(first: 100) { nodes { comments(first: 100) { nodes { id } } } } }
    errors { code }
  }
}
"""
ME_WARD = "{ me { ward { code } } }"
WARDS = "{ communes(first: 2) { nodes { code } } }"
PAGE = "query ($n: Int) { communes(first: $n) { nodes { id } } }"
LITERAL_100 = "{ communes(first: 100) { nodes { id } } }"
#: 100 × (1 + edges (1 + node 1) + pageInfo 1) = 400 points.
PAGE_400 = "{ communes(first: 100) { edges { node { id } } pageInfo { endCursor } } }"
RATE_LIMIT = """
{ rateLimit { limit cost remaining used resetAt windowSeconds requests { limit remaining resetAt windowSeconds } } }
"""


def _address_client(app, address: str) -> httpx.AsyncClient:
    """A client calling from its own address: anonymous budgets are per address."""
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


@pytest.mark.parametrize(("name", "document", "variables", "expected"), COSTS, ids=[c[0] for c in COSTS])
async def test_a_document_costs_what_the_model_says(client, name, document, variables, expected):
    body = await gql(client, document, variables)
    assert body["extensions"]["cost"]["requested"] == expected, (name, body)


async def test_a_page_size_in_a_variable_costs_what_the_literal_does(client):
    literal = await gql(client, LITERAL_100)
    variable = await gql(client, PAGE, {"n": 100})
    assert literal["extensions"]["cost"]["requested"] == variable["extensions"]["cost"]["requested"] == 200
    # a page larger than the list allows costs the largest page (and the list refuses it)
    refused = await gql(client, PAGE, {"n": 1000})
    assert refused["extensions"]["cost"]["requested"] == 200
    assert error_codes(refused) == ["INVALID_INPUT"]


async def test_a_document_no_variable_prices_is_priced_once_and_others_every_time(client):
    # schema.cost._fixed_cost: a document's cost is computed once unless a variable is given to what it reads (a page
    # size, ids, @skip/@include); then the request's variables price it each time.
    from schema import cost

    fixed = "query Fixed($code: String!) { communes(first: 3) { nodes { id name } } commune(code: $code) { id } }"
    skipped = "query Skipped($s: Boolean!) { communes(first: 3) { nodes { id } } version @skip(if: $s) { api } }"
    before = cost._fixed_cost.cache_info()
    for code in ("00070", "00004", "00070"):
        assert (await gql(client, fixed, {"code": code}))["extensions"]["cost"]["requested"] == 3 * 2 + 1
    after = cost._fixed_cost.cache_info()
    assert (after.misses - before.misses, after.hits - before.hits) == (1, 2)
    assert [(await gql(client, skipped, {"s": s}))["extensions"]["cost"]["requested"] for s in (True, False, True)] == [
        6,
        7,
        6,
    ]
    assert [(await gql(client, PAGE, {"n": n}))["extensions"]["cost"]["requested"] for n in (1, 2)] == [2, 4]


async def test_variables_that_do_not_coerce_are_refused_as_before_and_cost_nothing(client):
    body = await gql(client, PAGE, {"n": "many"})
    assert error_codes(body) == ["GRAPHQL_VALIDATION_FAILED"] and "data" not in body
    assert "$n" in body["errors"][0]["message"]
    assert body["extensions"]["cost"]["requested"] == 0


async def test_an_operation_over_the_maximum_runs_no_resolver(app, client, monkeypatch):
    calls: list[str] = []
    real = health_service.api_version

    def counted() -> str:
        calls.append("version")
        return real()

    monkeypatch.setattr(health_service, "api_version", counted)
    assert (await gql(client, "{ version { api } }"))["data"]["version"]["api"]
    assert calls == ["version"]

    body = await gql(client, TOO_COSTLY)
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "QUERY_TOO_COMPLEX"
    assert error["extensions"]["cost"] == {"requested": 20_301, "maximum": 10_000}
    assert "20301 points" in error["message"] and "data" not in body
    assert calls == ["version"], "no resolver ran"
    assert body["extensions"]["cost"]["requested"] == 20_301
    # in Vietnamese too
    vi = await client.post("/graphql", json={"query": TOO_COSTLY}, headers={"accept-language": "vi"})
    assert vi.json()["errors"][0]["message"].startswith("Thao tác này tốn 20301 điểm")
    # a GraphQL-over-HTTP client gets 400, as for any document refused before execution
    strict = await client.post(
        "/graphql", json={"query": TOO_COSTLY}, headers={"accept": "application/graphql-response+json"}
    )
    assert strict.status_code == 400 and error_codes(strict.json()) == ["QUERY_TOO_COMPLEX"]
    assert calls == ["version"]


async def test_a_mutation_over_the_maximum_writes_nothing_and_spends_nothing(app, client):
    person = await register(client)
    codes = [c["code"] for c in (await gql(client, WARDS))["data"]["communes"]["nodes"]]
    with settings_changed(app, query_cost_budget_person=100_000, query_cost_window_seconds=MINUTE):
        seen = await gql(client, ME_WARD, headers=person.auth)
        before = seen["data"]["me"]["ward"]
        ward = next(code for code in codes if before is None or code != before["code"])
        body = await gql(client, COSTLY_CHANGE, {"input": {"wardCode": ward}}, headers=person.auth)
        assert error_codes(body) == ["QUERY_TOO_COMPLEX"] and "data" not in body
        assert body["extensions"]["cost"]["requested"] == 10 + 1 + 100 * (1 + 1 + 100 * 2) + 1  # + errors
        assert body["extensions"]["cost"]["remaining"] == seen["extensions"]["cost"]["remaining"], "nothing spent"
        after = await gql(client, ME_WARD, headers=person.auth)
        assert after["data"]["me"]["ward"] == before, "the mutation's resolver never ran"
        # the same change, cheaply asked, writes
        cheap = "mutation ($input: ProfileUpdateInput!) { profileUpdate(input: $input) { errors { code } } }"
        changed = await gql(client, cheap, {"input": {"wardCode": ward}}, headers=person.auth)
        assert changed["data"]["profileUpdate"] == {"errors": []}
        assert (await gql(client, ME_WARD, headers=person.auth))["data"]["me"]["ward"] == {"code": ward}


async def test_a_spent_budget_is_rate_limited_with_429_and_runs_no_resolver(app, client, monkeypatch):
    person = await register(client)
    calls: list[str] = []
    real = health_service.api_version
    monkeypatch.setattr(health_service, "api_version", lambda: calls.append("v") or real())
    document = "{ version { api } communes(first: 10) { nodes { id } } }"  # 1 + 10 × 2 = 21
    with settings_changed(app, query_cost_budget_person=50, query_cost_window_seconds=MINUTE):
        for remaining in (29, 8):
            body = await gql(client, document, headers=person.auth)
            assert body["extensions"]["cost"]["requested"] == 21
            assert body["extensions"]["cost"]["remaining"] == remaining
        assert calls == ["v", "v"]
        response = await client.post("/graphql", json={"query": document}, headers=person.auth)
        assert response.status_code == 429, response.text
        body = response.json()
        (error,) = body["errors"]
        assert error["extensions"]["code"] == "RATE_LIMITED" and "data" not in body
        wait = error["extensions"]["retryAfterSeconds"]
        assert 1 <= wait <= MINUTE
        assert response.headers["retry-after"] == str(max(1, math.ceil(wait)))
        assert error["extensions"]["cost"] == {"requested": 21, "remaining": 8}
        assert body["extensions"]["cost"]["remaining"] == 8
        assert calls == ["v", "v"], "the refused request ran no resolver"
        # what still fits the budget runs
        small = await gql(client, "{ communes(first: 4) { nodes { id } } }", headers=person.auth)
        assert small["extensions"]["cost"] == {
            "requested": 8,
            "remaining": 0,
            "resetAt": small["extensions"]["cost"]["resetAt"],
        }
        assert small["data"]["communes"]["nodes"]
        # another person's budget is their own
        other = await register(client)
        assert (await gql(client, document, headers=other.auth))["extensions"]["cost"]["remaining"] == 29


async def test_forty_parallel_requests_spend_a_budget_exactly(app, client):
    person = await register(client)
    document = "{ communes(first: 10) { nodes { id } } }"  # 20 points
    with settings_changed(app, query_cost_budget_person=400, query_cost_window_seconds=MINUTE):
        responses = await asyncio.gather(
            *(client.post("/graphql", json={"query": document}, headers=person.auth) for _ in range(40))
        )
        statuses = sorted(r.status_code for r in responses)
        assert statuses == [200] * 20 + [429] * 20
        served = [r.json() for r in responses if r.status_code == 200]
        assert all(len(b["data"]["communes"]["nodes"]) == 10 for b in served)
        assert sorted(b["extensions"]["cost"]["remaining"] for b in served) == list(range(0, 400, 20))
        refused = [r.json() for r in responses if r.status_code == 429]
        assert all(error_codes(b) == ["RATE_LIMITED"] for b in refused)


async def test_anonymous_callers_spend_their_address_budget(app):
    async with _address_client(app, "203.0.113.7") as one, _address_client(app, "203.0.113.8") as two:
        with settings_changed(app, query_cost_budget_anonymous=45, query_cost_window_seconds=MINUTE):
            first = await gql(one, "{ communes { nodes { id } } }")  # 40
            assert first["extensions"]["cost"]["requested"] == 40
            assert first["extensions"]["cost"]["remaining"] == 5
            refused = await one.post("/graphql", json={"query": "{ communes { nodes { id } } }"})
            assert refused.status_code == 429 and error_codes(refused.json()) == ["RATE_LIMITED"]
            # another address has its own budget
            assert (await gql(two, "{ communes { nodes { id } } }"))["extensions"]["cost"]["remaining"] == 5
            # an operation costing more than a whole budget could ever hold is QUERY_TOO_COMPLEX, not a wait
            body = await gql(two, "{ communes(first: 30) { nodes { id } } }")
            assert error_codes(body) == ["QUERY_TOO_COMPLEX"]
            assert body["errors"][0]["extensions"]["cost"] == {"requested": 60, "maximum": 45}


async def test_every_answer_carries_extensions_cost(app, client):
    person = await register(client)
    for headers in ({}, person.auth):
        for document in ("{ __typename }", "{ version { api } }", "{ nope }"):
            body = await gql(client, document, headers=headers)
            cost = body["extensions"]["cost"]
            assert set(cost) == {"requested", "remaining", "resetAt"}, body
            assert isinstance(cost["remaining"], int)
    spent = await gql(client, "{ version { api } }", headers=person.auth)
    reset_at = datetime.fromisoformat(spent["extensions"]["cost"]["resetAt"].replace("Z", "+00:00"))
    assert reset_at > datetime.now(UTC)


async def test_rate_limit_answers_for_a_person_and_for_apps(app, client):
    person = await register(client)
    with settings_changed(app, query_cost_budget_person=1000, query_cost_window_seconds=MINUTE, rate_limit_person=50):
        await gql(client, "{ communes(first: 10) { nodes { id } } }", headers=person.auth)  # 20 points
        body = await gql(client, RATE_LIMIT, headers=person.auth)
        standing = body["data"]["rateLimit"]
        assert standing["limit"] == 1000 and standing["cost"] == 2 and standing["windowSeconds"] == MINUTE
        assert standing["remaining"] == 1000 - 20 - 2 and standing["used"] == 22
        assert standing["resetAt"] is not None
        assert standing["requests"]["limit"] == 50 and standing["requests"]["remaining"] == 48
        assert body["extensions"]["cost"]["remaining"] == standing["remaining"]

    partner = await make_partner(app, client)
    production = await seed_app(app, partner)
    sandbox = await seed_app(app, partner, name="Thử nghiệm", environment="sandbox")
    with settings_changed(
        app, query_cost_budget_app=5000, query_cost_budget_sandbox_app=300, query_cost_window_seconds=MINUTE
    ):
        for seeded, limit in ((production, 5000), (sandbox, 300)):
            headers = app_token(app, seeded, None)  # the app itself (client credentials): no personal data needed
            body = await gql(client, RATE_LIMIT, headers=headers)
            assert "errors" not in body, body
            standing = body["data"]["rateLimit"]
            assert standing["limit"] == limit and standing["remaining"] == limit - 2 and standing["used"] == 2
            # an operation may cost at most the app's whole budget: the sandbox app's 300 points
            costly = await gql(client, PAGE_400, headers=headers)
            if seeded is production:
                assert "errors" not in costly and costly["extensions"]["cost"]["requested"] == 400
            else:
                assert error_codes(costly) == ["QUERY_TOO_COMPLEX"]
                assert costly["errors"][0]["extensions"]["cost"] == {"requested": 400, "maximum": 300}


async def test_a_spent_budgets_429_carries_the_budgets_ratelimit_headers(app, client):
    """The 429 of a spent budget says the budget's state in its RateLimit-* headers (its points, none left, its
    reset), never the request window's (which has room): a client honouring the headers waits instead of retrying
    at once."""
    person = await register(client)
    document = "{ version { api } communes(first: 10) { nodes { id } } }"  # 21 points
    with settings_changed(app, query_cost_budget_person=50, query_cost_window_seconds=MINUTE, rate_limit_person=1000):
        for _ in range(2):
            fine = await client.post("/graphql", json={"query": document}, headers=person.auth)
            assert fine.status_code == 200
            assert fine.headers["ratelimit-limit"] == "1000", "an answer let through: the request window's"
        refused = await client.post("/graphql", json={"query": document}, headers=person.auth)
    assert refused.status_code == 429, refused.text
    assert error_codes(refused.json()) == ["RATE_LIMITED"]
    assert refused.headers["ratelimit-limit"] == "50"
    assert refused.headers["ratelimit-remaining"] == "0"
    reset, retry_after = int(refused.headers["ratelimit-reset"]), int(refused.headers["retry-after"])
    assert 1 <= reset <= MINUTE and abs(reset - retry_after) <= 1
