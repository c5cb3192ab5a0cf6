"""``hanoismart seed --people N --seed S``: a synthetic city in the shape the product writes, that the API serves.

The shape test seeds the demo (made through the services) and then a small city, and compares labels, property
keys and their types, and relationship types between labels: the city may not hold a key, a type or a relationship
the services never write.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime

import pytest
from neo4j import AsyncManagedTransaction

from graph.driver import run
from identity.documents import Sex, check_cccd
from sandbox import city as city_module
from sandbox.city import CITY_PASSWORD, communes, generate, seed_city
from sandbox.demo import other_data, seed_demo
from sandbox.guard import SandboxRefused
from tests.sandbox.projection import RUNNING_APP
from tests.support import gql

PEOPLE = 200
NOW = datetime(2026, 6, 1, tzinfo=UTC)


def _generate(seed: int, people: int = PEOPLE):
    wards = {c.code: f"ward-{c.code}" for c in communes()}
    return generate(
        people=people, seed=seed, identity_key=b"k" * 32, password_hash="$argon2-test", ward_communities=wards, now=NOW
    )


def test_a_seed_gives_the_same_city_and_another_seed_another() -> None:
    first, again, other = _generate(7), _generate(7), _generate(8)
    names = [(r["id"], r["props"]["displayName"], r["document"]["digest"]) for r in first.step("people").rows]
    assert names == [(r["id"], r["props"]["displayName"], r["document"]["digest"]) for r in again.step("people").rows]
    assert [s.rows for s in first.steps] == [s.rows for s in again.steps]
    assert not set(first.person_ids) & set(other.person_ids)
    assert [r["props"]["displayName"] for r in other.step("people").rows] != [
        r["props"]["displayName"] for r in first.step("people").rows
    ]
    # a city of another size is another city (so --resume cannot mix them up)
    assert not set(_generate(7, PEOPLE + 1).person_ids) & set(first.person_ids)


def test_the_city_is_plausible() -> None:
    city = _generate(3, 1_000)
    people = city.step("people").rows
    assert len(people) == 1_000
    assert any(
        ch in "ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ" for ch in people[1]["props"]["displayName"].lower()
    )
    assert len({p["wardCode"] for p in people}) > 100  # over the real 126 wards
    assert {p["wardCode"] for p in people} <= {c.code for c in communes()}
    connections = city.step("connections").rows
    degree: dict[str, int] = {}
    for edge in connections:
        degree[edge["a"]] = degree.get(edge["a"], 0) + 1
        degree[edge["b"]] = degree.get(edge["b"], 0) + 1
    mean = 2 * len(connections) / len(people)
    assert 20 <= mean <= 40
    assert max(degree.values()) > 4 * mean  # a heavy tail: hubs
    assert len({(e["a"], e["b"]) for e in connections} | {(e["b"], e["a"]) for e in connections}) == 2 * len(
        connections
    )
    assert all(e["a"] != e["b"] for e in connections)
    assert len(city.step("posts").rows) > 0 and len(city.step("orders").rows) > 0
    assert len(city.step("reviews").rows) > 0 and len(city.step("comments").rows) > 0


def test_the_money_adds_up() -> None:
    """The invariant of ``marketplace.ledger``: every wallet's balance is its entries' sum, all wallets sum to zero,
    escrow is empty once every order is completed, every buyer keeps what they topped up beyond their orders."""
    city = _generate(4, 500)
    wallets = {w["id"]: w for w in city.step("wallets").rows}
    entries = city.step("entries").rows
    assert sum(w["balance"] for w in wallets.values()) == 0
    for wallet in wallets.values():
        mine = [e for e in entries if wallet["id"] in (e["debitWallet"], e["creditWallet"])]
        assert len(mine) == wallet["seq"]
        assert wallet["balance"] == sum(
            e["amount"] if e["creditWallet"] == wallet["id"] else -e["amount"] for e in mine
        )
        if wallet["kind"] == "escrow":
            assert wallet["balance"] == 0
    for order in city.step("orders").rows:
        assert [e["kind"] for e in entries if e["orderId"] == order["id"]] == ["payment", "release"]
    buyers = {o["buyerId"] for o in city.step("orders").rows}
    assert {t["actorId"] for t in city.step("topups").rows} == buyers
    for buyer in buyers:
        assert wallets[f"actor:{buyer}"]["balance"] >= city_module.SPARE_DONG


@pytest.mark.parametrize("seed", [1, 2])
def test_every_citizen_id_passes_the_registration_check(seed: int) -> None:
    """The generator keeps the numbers it hashed only in memory (samples print them): each is format-valid for the
    person's birth date and sex, as ``check_cccd`` checks at registration."""
    wards = {c.code: f"ward-{c.code}" for c in communes()}
    numbers: list[tuple[str, date, str]] = []
    original = city_module._cccd

    def spy(gen, born, sex, provinces, taken):
        number = original(gen, born, sex, provinces, taken)
        numbers.append((number, born, sex))
        return number

    city_module._cccd = spy
    try:
        city = generate(
            people=300, seed=seed, identity_key=b"k" * 32, password_hash="x", ward_communities=wards, now=NOW
        )
    finally:
        city_module._cccd = original
    assert len(numbers) == 300 == len({n for n, _, _ in numbers})
    for (number, born, sex), row in zip(numbers, city.step("people").rows, strict=True):
        checked = check_cccd(number, date_of_birth=born, sex=Sex(sex))
        assert checked.digest(b"k" * 32) == row["document"]["digest"]
        assert row["document"]["last4"] == number[-4:]
        assert number not in str(row)  # only the digest and the last four digits are written


NODE_SHAPES = """
MATCH (n) WHERE NOT n:SchemaMigration AND NOT n:ReferenceData
WITH n, reduce(s = '', l IN labels(n) | s + ':' + l) AS labels
UNWIND keys(n) AS key
RETURN DISTINCT labels, key, valueType(n[key]) AS type
"""
RELATIONSHIP_SHAPES = """
MATCH (a)-[r]->(b) WHERE NOT (a:ReferenceData AND b:ReferenceData) AND NOT a:SchemaMigration
WITH r, reduce(s = '', l IN labels(a) | s + ':' + l) + '-' + type(r) + '->' + reduce(s = '', l IN labels(b) | s + ':' + l)
     AS pattern
OPTIONAL CALL (r) { UNWIND keys(r) AS key RETURN key, valueType(r[key]) AS type }
RETURN DISTINCT pattern, key, type
"""


async def _shape(tx: AsyncManagedTransaction) -> dict[str, set[tuple[str | None, str | None]]]:
    shape: dict[str, set[tuple[str | None, str | None]]] = {}
    for r in await run(tx, NODE_SHAPES):
        shape.setdefault("".join(sorted(r["labels"].split(":"))), set()).add((r["key"], r["type"]))
    for r in await run(tx, RELATIONSHIP_SHAPES):
        shape.setdefault(r["pattern"], set()).add((r["key"], r["type"]))
    return shape


#: Properties the services write that the city leaves out: write locks (set to serialise concurrent changes, with
#: no meaning of their own), the connection-request rate window, and a review's reply (no review is replied to).
LEFT_OUT = {"lock", "socialLock", "verificationLock", "representationLock", "membershipLock", "requestsSentAt",
            "reply", "repliedAt", "replyPersonId"}  # fmt: skip
#: What the services write that the demo happens not to hold: a person seller's rating (graph.orders CREATE_REVIEW
#: sets it on any seller Actor; the demo's reviews are of an organisation) and a read notification's time
#: (graph.notifications, notificationsMarkRead).
NOT_IN_THE_DEMO = {("ActorPerson", "ratingTotal"), ("ActorPerson", "ratingCount"), ("Notification", "readAt")}


async def test_the_city_has_the_shape_the_services_write(app, graph) -> None:
    rt = app.state.runtime
    await seed_demo(rt)
    services = await graph.read(_shape)
    await seed_city(rt, people=PEOPLE, seed=1, force=True)
    city = await graph.read(_shape)
    for bookkeeping in RUNNING_APP:  # written by the app's background work whenever it runs, not by the seed
        services.pop(bookkeeping, None)
        city.pop(bookkeeping, None)
    unknown = sorted(set(city) - set(services))
    assert unknown == [], f"labels or relationships the services never write: {unknown}"
    for what, keys in city.items():
        extra = {(k, t) for k, t in keys - services[what] if (what, k) not in NOT_IN_THE_DEMO}
        assert extra == set(), f"{what}: keys or types the services never write: {extra}"
        missing = {k for k, _ in services[what]} - {k for k, _ in keys} - LEFT_OUT
        assert missing == set(), f"{what}: keys the services write and the city does not: {missing}"


ME = "query { me { id displayName verificationLevel } unreadNotificationCount }"
LOGIN = """
mutation($i: String!, $p: String!) {
  sessionLogin(input: {identifier: $i, password: $p}) { tokens { accessToken } errors { code } }
}
"""
FEED = "query { feed(first: 10) { edges { node { id text author { id displayName } } } } }"
PYMK = "query { peopleYouMayKnow(first: 5) { person { id displayName } mutualCount reason } }"
LISTINGS = """
query { listings(first: 20) { edges { node { id title priceDong seller { id displayName } sellerRating { count } } } } }
"""
MY_ORDERS = "query { myOrders(first: 50) { edges { node { status review { rating text author { id } } } } } }"
NOTIFICATIONS = "query { notifications(first: 5) { edges { node { id } } } }"


async def _sign_in(client, identifier: str) -> dict[str, str]:
    body = await gql(client, LOGIN, {"i": identifier, "p": CITY_PASSWORD})
    tokens = body["data"]["sessionLogin"]["tokens"]
    assert tokens, body
    return {"authorization": f"Bearer {tokens['accessToken']}"}


async def test_the_api_serves_the_city(app, client, graph) -> None:
    rt = app.state.runtime
    report = await seed_city(rt, people=PEOPLE, seed=5)
    assert report.written == sum(len(s.rows) for s in report.city.steps)
    sample = report.city.samples[1]  # the most connected level-2 person
    headers = await _sign_in(client, sample.email)
    me = (await gql(client, ME, headers=headers))["data"]
    assert me["me"]["displayName"] == sample.name and me["me"]["verificationLevel"] == 2
    # the citizen ID signs in too (the graph has only its digest)
    assert (await _sign_in(client, sample.cccd)) != {}
    body = await gql(client, FEED, headers=headers)
    assert "errors" not in body, body
    feed = body["data"]["feed"]["edges"]
    assert len(feed) == 10 and all(e["node"]["author"] for e in feed)
    suggestions = (await gql(client, PYMK, headers=headers))["data"]["peopleYouMayKnow"]
    assert suggestions and suggestions[0]["mutualCount"] > 0
    listings = (await gql(client, LISTINGS, headers=headers))["data"]["listings"]["edges"]
    assert listings and all(e["node"]["seller"] for e in listings)
    # a buyer with a reviewed order sees it
    review = report.city.step("reviews").rows[0]
    buyer = next(s for s in report.city.step("people").rows if s["id"] == review["buyerId"])
    buyer_headers = await _sign_in(client, buyer["contacts"][0]["value"])
    orders = (await gql(client, MY_ORDERS, headers=buyer_headers))["data"]["myOrders"]["edges"]
    reviewed = [o["node"] for o in orders if o["node"]["review"]]
    assert reviewed and all(o["status"] == "COMPLETED" for o in reviewed)
    assert any(o["review"]["text"] == review["text"] for o in reviewed)


async def test_other_data_is_refused_and_resume_continues(app, graph) -> None:
    rt = app.state.runtime
    city = await seed_city(rt, people=60, seed=9)
    with pytest.raises(SandboxRefused, match=r"already holds \d+ nodes .*--resume.*--force"):
        await seed_city(rt, people=60, seed=9)
    with pytest.raises(SandboxRefused, match="not a city of --seed 10 --people 60"):
        await seed_city(rt, people=60, seed=10, resume=True)
    # interrupted after the posts (each batch is one transaction: a run stops between batches)
    complete = await other_data(rt)
    await graph.write(_delete_after_posts)
    assert await other_data(rt) < complete
    resumed = await seed_city(rt, people=60, seed=9, resume=True)
    assert resumed.skipped > 0 and resumed.written > 0
    assert resumed.skipped + resumed.written == city.written
    assert await other_data(rt) == complete
    again = await seed_city(rt, people=60, seed=9, resume=True)
    assert again.written == 0


async def _delete_after_posts(tx: AsyncManagedTransaction) -> None:
    for label in ("Comment", "Listing", "Order", "OrderEvent", "Review", "Notification"):
        await run(tx, f"MATCH (n:{label}) DETACH DELETE n")
    await run(tx, "MATCH ()-[r:REACTED|REACTION_NOTICE]->() DELETE r")
    await run(tx, "MATCH (a:Actor) REMOVE a.ratingTotal, a.ratingCount")


async def test_production_is_refused(app, graph) -> None:
    rt = app.state.runtime
    production = dataclasses.replace(rt, settings=rt.settings.model_copy(update={"environment": "production"}))
    with pytest.raises(SandboxRefused, match="development only"):
        await seed_city(production, people=50, seed=1)
    assert await other_data(rt) == 0
