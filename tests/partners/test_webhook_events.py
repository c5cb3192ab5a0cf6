"""Webhook events through the public API: each action done over GraphQL, the deliveries read back through
``webhookDeliveries`` (and, once, from a real receiver that verifies the signature).

For every event of the catalogue: an app holding a live grant with the event's scope from a person the event is
about, and subscribed, gets exactly one delivery with the right body (the app's own ids for people, no internal id
anywhere); an app whose grant lacks the scope, whose grant was revoked, that is not subscribed to the type, or that is
in its sandbox while the person is real, gets none; a mutation that fails emits nothing (the deliveries are written
in the change's own transaction); 40 actions in parallel emit 40 deliveries. The rule that decides who receives an
event (``webhooks.outbox.grant_admits``) and its Cypher mirror (``graph.webhooks.GRANT_ADMITS``) agree on every
combination of facts.
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from strawberry import relay

from graph import webhooks as cypher
from tests.identity.people import Someone, make_officer, make_verified, uuid_of
from tests.marketplace.listing_helpers import create_listing
from tests.marketplace.order_helpers import acted, new_key, place, placed
from tests.partners.support import Partner, SeededGrant, app_person_id, app_token, make_partner, seed_app, seed_grant
from tests.partners.webhook_support import CREATE, Receiver, Subscribed, app_global_id, paused, subscribe
from tests.social.helpers import ACCEPT, REQUEST, connect, post
from tests.support import gql, settings_changed
from webhooks import events as catalogue
from webhooks.dispatcher import Dispatcher
from webhooks.outbox import GrantFacts, grant_admits

DELIVERIES = """
query Deliveries($appId: ID!) {
  webhookDeliveries(appId: $appId, first: 100) { totalCount nodes { webhookId eventType body status } }
}
"""
GRANT_REVOKE = """
mutation Revoke($input: GrantRevokeInput!) {
  grantRevoke(input: $input) { grant { revokedAt } errors { code field message } }
}
"""
REPORT = """
mutation Report($subjectId: ID!, $reason: String!) {
  reportCreate(input: {subjectId: $subjectId, reason: $reason}) { report { id } errors { code field message } }
}
"""
ACT = """
mutation Act($reportId: ID!, $action: ModerationActionKind!, $reason: String!) {
  moderationAct(input: {reportId: $reportId, action: $action, reason: $reason}) {
    report { id status } errors { code field message }
  }
}
"""
APP_NOTIFICATIONS = """
query { notifications(first: 5) { nodes { id kind subjectId actor { id } } } }
"""
GRANTS = "query { myGrants(first: 10) { nodes { id app { id } } } }"

MARKET = ("openid", "marketplace.read")
ALL_SCOPES = ("openid", "profile.basic", "marketplace.read", "connections.read", "notifications.read")


@pytest.fixture
def receiver():
    started = Receiver().start()
    yield started
    started.stop()


async def deliveries(client, subscribed: Subscribed) -> list[dict[str, Any]]:
    """The app's deliveries, newest first, with their bodies parsed (``data``)."""
    body = await gql(client, DELIVERIES, {"appId": subscribed.app_global_id}, headers=subscribed.partner.owner.auth)
    assert "errors" not in body, body
    found = body["data"]["webhookDeliveries"]
    nodes = found["nodes"]
    assert found["totalCount"] == len(nodes)
    for node in nodes:
        node["parsed"] = json.loads(node["body"])
    return nodes


async def of_type(client, subscribed: Subscribed, event: str) -> list[dict[str, Any]]:
    return [d for d in await deliveries(client, subscribed) if d["eventType"] == event]


def no_internal_id(delivery: dict[str, Any], *people: Someone) -> None:
    """No internal person id, and no global id a person's own session sees, anywhere in the body."""
    for someone in people:
        assert uuid_of(someone.id) not in delivery["body"], delivery["body"]
        assert someone.id not in delivery["body"], delivery["body"]


def seen_as(app, subscribed: Subscribed, someone: Someone, grant: SeededGrant | None = None) -> dict[str, Any]:
    """How the app's bodies name ``someone``: its Person global id (its handle) and the pairwise subject."""
    from partners.pairwise import subject

    sub = subject(app.state.runtime.pairwise_key, subscribed.app.sector_id, uuid_of(someone.id))
    if grant is not None:
        assert grant.sub == sub
    return {"id": app_person_id(app, subscribed.app, someone.id), "sub": sub}


async def grant(app, subscribed: Subscribed, someone: Someone, scopes: tuple[str, ...]) -> SeededGrant:
    return await seed_grant(app, subscribed.app, uuid_of(someone.id), scopes)


async def revoke(client, someone: Someone, app_id: str) -> None:
    """The person withdraws their grant to the app through GraphQL."""
    mine = await gql(client, GRANTS, headers=someone.auth)
    ids = [g["id"] for g in mine["data"]["myGrants"]["nodes"] if g["app"]["id"] == app_global_id(app_id)]
    assert len(ids) == 1, mine
    body = await gql(client, GRANT_REVOKE, {"input": {"grantId": ids[0]}}, headers=someone.auth)
    assert body["data"]["grantRevoke"]["errors"] == [], body


# --- the catalogue -----------------------------------------------------------------------------------------------------


def test_the_catalogue_names_scopes_that_exist_and_renders_global_ids_as_the_api_does() -> None:
    from partners.scopes import PERSON_SCOPES

    names = [e.name for e in catalogue.CATALOGUE]
    assert len(names) == len(set(names))
    for wanted in ("order.placed", "order.status_changed", "connection.created", "grant.revoked",
                   "notification.created", "moderation.decided"):  # fmt: skip
        assert wanted in catalogue.BY_NAME
    for event in catalogue.CATALOGUE:
        assert event.scope is None or event.scope in PERSON_SCOPES, event
        assert event.title_vi and event.title_en and event.data
    assert catalogue.BY_NAME["grant.revoked"].scope is None
    node = str(uuid.uuid4())
    assert catalogue.global_id("Order", node) == str(relay.GlobalID("Order", node))
    assert catalogue.subscribable({"openid", "marketplace.read"}) == {"order.placed", "order.status_changed",
                                                                        "grant.revoked"}  # fmt: skip
    with pytest.raises(LookupError):
        catalogue.event_type("order.eaten")
    table = catalogue.event_table()
    assert all(f"`{name}`" in table for name in names)


# --- the rule and its Cypher mirror -------------------------------------------------------------------------------------


async def test_who_receives_an_event_agrees_with_its_cypher_mirror(graph):
    """Every combination of: the grant revoked, expired, holding the scope; the app active, in its sandbox; the
    person active, a test persona of this app, of another app, or real."""
    now = datetime.now(UTC)
    scope = "marketplace.read"
    cases = []
    for revoked, expired, has_scope, app_active, sandbox, person_active, persona in itertools.product(
        (False, True), (False, True), (False, True), (False, True), (False, True), (False, True),
        ("real", "this", "other"),
    ):  # fmt: skip
        app_id = str(uuid.uuid4())
        cases.append({
            "grant": str(uuid.uuid4()), "app": app_id, "person": str(uuid.uuid4()), "revoked": revoked,
            "expiresAt": now + (timedelta(days=-1) if expired else timedelta(days=30)),
            "scopes": ["openid", scope] if has_scope else ["openid"],
            "appStatus": "active" if app_active else "suspended",
            "environment": "sandbox" if sandbox else "production",
            "personStatus": "active" if person_active else "closed",
            "personaOf": {"real": None, "this": app_id, "other": str(uuid.uuid4())}[persona],
        })  # fmt: skip

    async def seed(tx):
        await tx.run(
            """
            UNWIND $cases AS case
            CREATE (p:Actor:Person {id: case.person, status: case.personStatus})
            SET p.personaOfAppId = case.personaOf
            CREATE (a:App {id: case.app, status: case.appStatus, environment: case.environment})
            CREATE (p)-[:GAVE]->(:Grant {id: case.grant, scopes: case.scopes, expiresAt: case.expiresAt,
                                        revokedAt: CASE WHEN case.revoked THEN datetime() END})-[:TO]->(a)
            """,
            cases=cases,
        )

    await graph.write(seed)

    async def ask(tx):
        result = await tx.run(
            f"""
            UNWIND $ids AS grantId
            MATCH (p:Person)-[:GAVE]->(g:Grant {{id: grantId}})-[:TO]->(a:App)
            RETURN g.id AS id, {cypher.GRANT_ADMITS} AS admits
            """,
            ids=[c["grant"] for c in cases],
            scope=scope,
        )
        return {r["id"]: r["admits"] async for r in result}

    said = await graph.read(ask)
    assert len(said) == len(cases)
    admitted = 0
    for case in cases:
        facts = GrantFacts(
            scopes=frozenset(case["scopes"]),
            revoked=case["revoked"],
            expires_at=case["expiresAt"],
            app_id=case["app"],
            app_active=case["appStatus"] == "active",
            app_sandbox=case["environment"] == "sandbox",
            person_active=case["personStatus"] == "active",
            persona_of_app_id=case["personaOf"],
        )
        expected = grant_admits(facts, scope, now)
        admitted += expected
        assert said[case["grant"]] is expected, case
    # every fact in favour: a production app (whoever the person is: 3), or a sandbox app with its own persona (1)
    assert admitted == 4


# --- orders -------------------------------------------------------------------------------------------------------------


async def test_order_placed_and_status_changed_reach_the_apps_of_either_party_once(app, client, receiver):
    officer = await make_officer(app, client)
    buyer = await make_verified(app, client, officer=officer, fullName="Người Mua")
    seller = await make_verified(app, client, officer=officer, fullName="Người Bán")
    partner = await make_partner(app, client)
    events = ("order.placed", "order.status_changed")
    both = await subscribe(app, client, receiver.url, partner=partner, scopes=MARKET, event_types=events)
    sellers = await subscribe(app, client, receiver.url, partner=partner, scopes=MARKET, event_types=events)
    unscoped = await subscribe(app, client, receiver.url, partner=partner, scopes=MARKET, event_types=events)
    unsubscribed = await subscribe(app, client, receiver.url, partner=partner, scopes=MARKET,
                                   event_types=("grant.revoked",))  # fmt: skip
    revoked = await subscribe(app, client, receiver.url, partner=partner, scopes=MARKET, event_types=events)
    receiver.secrets.append(both.secret)
    buyer_grant = await grant(app, both, buyer, MARKET)
    await grant(app, both, seller, MARKET)  # both parties granted it: still one delivery per event
    await grant(app, sellers, seller, MARKET)
    await grant(app, unscoped, buyer, ("openid",))  # the grant lacks marketplace.read
    await grant(app, unsubscribed, buyer, MARKET)
    await grant(app, revoked, buyer, MARKET)
    await revoke(client, buyer, revoked.app.app_id)

    listing = await create_listing(client, seller, title="Bánh cốm Hàng Than", priceDong=60_000, stock=10)
    order = await placed(client, buyer, listing["id"], 2)

    (delivery,) = await of_type(client, both, "order.placed")
    data = delivery["parsed"]["data"]
    assert delivery["parsed"]["type"] == "order.placed"
    assert delivery["parsed"]["timestamp"].endswith("Z")
    assert datetime.fromisoformat(delivery["parsed"]["timestamp"]) > datetime.now(UTC) - timedelta(minutes=5)
    assert data == {
        "order": order["id"],
        "status": "PLACED",
        "buyer": seen_as(app, both, buyer, buyer_grant),
        "seller": seen_as(app, both, seller),
        "totalDong": 120_000,
        "items": [{"listing": listing["id"], "title": "Bánh cốm Hàng Than", "quantity": 2, "unitPriceDong": 60_000}],
        "note": None,
    }
    assert delivery["webhookId"].startswith("msg_")
    no_internal_id(delivery, buyer, seller)
    (seller_side,) = await of_type(client, sellers, "order.placed")
    assert seller_side["parsed"]["data"]["seller"] == seen_as(app, sellers, seller)
    assert seller_side["parsed"]["data"]["buyer"] == seen_as(app, sellers, buyer)  # its own ids, not the other app's
    assert seller_side["parsed"]["data"]["buyer"] != data["buyer"]
    no_internal_id(seller_side, buyer, seller)
    for nobody in (unscoped, unsubscribed, revoked):
        assert await deliveries(client, nobody) == []

    await acted(client, seller, "accept", order["id"], with_key=False)
    (changed,) = await of_type(client, both, "order.status_changed")
    assert changed["parsed"]["data"] == {
        "order": order["id"],
        "status": "ACCEPTED",
        "previousStatus": "PLACED",
        "changedBy": "SELLER",
        "buyer": seen_as(app, both, buyer),
        "seller": seen_as(app, both, seller),
        "totalDong": 120_000,
        "reason": None,
    }
    no_internal_id(changed, buyer, seller)
    assert len(await of_type(client, sellers, "order.status_changed")) == 1
    for nobody in (unscoped, unsubscribed, revoked):
        assert await deliveries(client, nobody) == []

    # The receiver got them, signed: it verifies each with the subscription's secret.
    for _ in range(200):
        if {r.headers.get("webhook-id") for r in receiver.received if r.verified} >= {
            delivery["webhookId"],
            changed["webhookId"],
        }:
            break
        await asyncio.sleep(0.05)
    got = {r.headers["webhook-id"]: r for r in receiver.received if r.verified}
    assert got[delivery["webhookId"]].body == delivery["body"]


async def test_a_failed_mutation_emits_nothing(app, client, receiver, monkeypatch):
    officer = await make_officer(app, client)
    buyer = await make_verified(app, client, officer=officer)
    seller = await make_verified(app, client, officer=officer)
    subscribed = await subscribe(app, client, receiver.url, scopes=MARKET, event_types=("order.placed",))
    await grant(app, subscribed, buyer, MARKET)
    listing = await create_listing(client, seller, priceDong=10_000, stock=1)

    refused = await place(client, buyer, listing["id"], 5)  # more than the stock: CONFLICT
    assert refused["data"]["orderPlace"]["errors"][0]["code"] == "CONFLICT", refused

    # A failure after the event was emitted, in the same transaction: the order and its delivery go together.
    from marketplace import orders

    async def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(orders, "emit", _then(orders.emit, broken))
    failed = await place(client, buyer, listing["id"], 1)
    assert failed["errors"][0]["extensions"]["code"] == "INTERNAL", failed
    monkeypatch.undo()
    assert await deliveries(client, subscribed) == []

    await placed(client, buyer, listing["id"], 1)
    assert len(await deliveries(client, subscribed)) == 1


def _then(first, then):
    """``first`` followed by ``then`` (each awaited with the same arguments)."""

    async def both(*args: Any, **kwargs: Any) -> Any:
        result = await first(*args, **kwargs)
        await then(*args, **kwargs)
        return result

    return both


async def test_forty_orders_in_parallel_emit_forty_deliveries(app, client, receiver):
    officer = await make_officer(app, client)
    buyer = await make_verified(app, client, officer=officer)
    seller = await make_verified(app, client, officer=officer)
    subscribed = await subscribe(app, client, receiver.url, scopes=MARKET, event_types=("order.placed",))
    await grant(app, subscribed, buyer, MARKET)
    listing = await create_listing(client, seller, priceDong=1_000, stock=100)

    keys = [new_key() for _ in range(40)]
    bodies = await asyncio.gather(*(place(client, buyer, listing["id"], 1, key=key) for key in keys))
    # A request the database was too busy for (UNAVAILABLE, with a retry time) is retried as a client would: with
    # its idempotency key, so it never places (nor emits) twice.
    for _ in range(5):
        busy = [i for i, b in enumerate(bodies) if "errors" in b]
        if not busy:
            break
        assert {b["errors"][0]["extensions"]["code"] for b in (bodies[i] for i in busy)} == {"UNAVAILABLE"}, bodies
        await asyncio.sleep(1)
        again = await asyncio.gather(*(place(client, buyer, listing["id"], 1, key=keys[i]) for i in busy))
        for i, body in zip(busy, again, strict=True):
            bodies[i] = body
    assert all("errors" not in b for b in bodies), [b["errors"] for b in bodies if "errors" in b]
    orders = {b["data"]["orderPlace"]["order"]["id"] for b in bodies if not b["data"]["orderPlace"]["errors"]}
    assert len(orders) == 40, [b for b in bodies if b["data"]["orderPlace"]["errors"]]
    found = await deliveries(client, subscribed)
    assert len(found) == 40
    assert {d["parsed"]["data"]["order"] for d in found} == orders
    assert len({d["webhookId"] for d in found}) == 40


# --- connections, notifications -----------------------------------------------------------------------------------------


async def test_connection_created_and_notification_created(app, client, receiver):
    officer = await make_officer(app, client)
    asker = await make_verified(app, client, officer=officer)
    answerer = await make_verified(app, client, officer=officer)
    partner = await make_partner(app, client)
    events = ("connection.created", "notification.created")
    both = await subscribe(app, client, receiver.url, partner=partner, scopes=ALL_SCOPES, event_types=events)
    answerers = await subscribe(app, client, receiver.url, partner=partner, scopes=ALL_SCOPES, event_types=events)
    unscoped = await subscribe(app, client, receiver.url, partner=partner, scopes=ALL_SCOPES, event_types=events)
    await grant(app, both, asker, ("openid", "connections.read"))
    await grant(app, both, answerer, ("openid", "connections.read"))
    answerer_grant = await grant(app, answerers, answerer, ("openid", "connections.read", "notifications.read"))
    await grant(app, unscoped, asker, ("openid", "profile.basic"))

    asked = await gql(client, REQUEST, {"id": answerer.id}, headers=asker.auth)
    assert asked["data"]["connectionRequest"]["errors"] == [], asked
    # The answerer was notified of the request: only the app they granted notifications.read hears of it.
    (notice,) = await of_type(client, answerers, "notification.created")
    inbox = await gql(client, APP_NOTIFICATIONS, headers=app_token(app, answerers.app, answerer_grant))
    (shown,) = inbox["data"]["notifications"]["nodes"]
    assert notice["parsed"]["data"] == {
        "notification": shown["id"],
        "kind": "CONNECTION_REQUESTED",
        "recipient": seen_as(app, answerers, answerer),
        "actor": seen_as(app, answerers, asker),
        "subjectType": "Person",
        "subjectId": shown["subjectId"],  # as the app reads it: its handle of the asker
        "reason": None,
    }
    assert shown["subjectId"] == shown["actor"]["id"] == seen_as(app, answerers, asker)["id"]
    no_internal_id(notice, asker, answerer)
    assert await of_type(client, both, "notification.created") == []  # no notifications.read in its grants

    accepted = await gql(client, ACCEPT, {"id": asker.id}, headers=answerer.auth)
    assert accepted["data"]["connectionAccept"]["relation"]["connected"] is True, accepted
    (connected,) = await of_type(client, both, "connection.created")  # both granted it: one delivery
    assert connected["parsed"]["data"] == {
        "requester": seen_as(app, both, asker),
        "accepter": seen_as(app, both, answerer),
    }
    no_internal_id(connected, asker, answerer)
    (seen,) = await of_type(client, answerers, "connection.created")
    assert seen["parsed"]["data"]["requester"] == seen_as(app, answerers, asker)
    assert await deliveries(client, unscoped) == []


# --- grants -------------------------------------------------------------------------------------------------------------


async def test_grant_revoked_reaches_the_app_whose_grant_it_was(app, client, receiver):
    person = await make_verified(app, client)
    partner = await make_partner(app, client)
    revoked = await subscribe(app, client, receiver.url, partner=partner, scopes=MARKET, event_types=("grant.revoked",))
    other = await subscribe(app, client, receiver.url, partner=partner, scopes=MARKET, event_types=("grant.revoked",))
    given = await grant(app, revoked, person, MARKET)
    await grant(app, other, person, MARKET)

    await revoke(client, person, revoked.app.app_id)
    (delivery,) = await deliveries(client, revoked)
    assert delivery["eventType"] == "grant.revoked"
    assert delivery["parsed"]["data"] == {
        "grantId": given.grant_id,  # the gid claim of the grant's access tokens
        "person": seen_as(app, revoked, person, given),
        "revokedBy": "PERSON",
    }
    no_internal_id(delivery, person)
    assert await deliveries(client, other) == []


# --- moderation ---------------------------------------------------------------------------------------------------------


async def test_moderation_decided_tells_each_person_concerned_through_their_own_grants(app, client, receiver):
    officer = await make_officer(app, client)
    author = await make_verified(app, client, officer=officer)
    reporter = await make_verified(app, client, officer=officer)
    partner = await make_partner(app, client)
    events = ("moderation.decided",)
    authors = await subscribe(app, client, receiver.url, partner=partner, scopes=ALL_SCOPES, event_types=events)
    reporters = await subscribe(app, client, receiver.url, partner=partner, scopes=ALL_SCOPES, event_types=events)
    unscoped = await subscribe(app, client, receiver.url, partner=partner, scopes=ALL_SCOPES, event_types=events)
    await grant(app, authors, author, ("openid", "notifications.read"))
    await grant(app, reporters, reporter, ("openid", "notifications.read"))
    await grant(app, unscoped, author, ("openid", "marketplace.read"))
    post_id = await post(client, author, "Bán vé giả trận Việt Nam - Thái Lan, liên hệ ngay!")
    reported = await gql(client, REPORT, {"subjectId": post_id, "reason": "Lừa đảo"}, headers=reporter.auth)
    report_id = reported["data"]["reportCreate"]["report"]["id"]

    decided = await gql(
        client, ACT, {"reportId": report_id, "action": "REMOVE_CONTENT", "reason": "Lừa đảo bán vé"},
        headers=officer.auth,
    )  # fmt: skip
    assert decided["data"]["moderationAct"]["errors"] == [], decided
    (told,) = await deliveries(client, authors)
    assert told["parsed"]["data"] == {
        "person": seen_as(app, authors, author),
        "role": "TARGET",
        "action": "REMOVE_CONTENT",
        "subjectType": "Post",
        "subject": post_id,
        "reason": "Lừa đảo bán vé",
    }
    assert app_person_id(app, authors.app, reporter.id) not in told["body"]  # never who reported it
    no_internal_id(told, author, reporter, officer)
    (heard,) = await deliveries(client, reporters)
    assert heard["parsed"]["data"] == {
        "person": seen_as(app, reporters, reporter),
        "role": "REPORTER",
        "report": report_id,
    }
    no_internal_id(heard, author, reporter, officer)
    assert await deliveries(client, unscoped) == []


# --- the sandbox --------------------------------------------------------------------------------------------------------


async def test_a_sandbox_app_hears_nothing_of_real_people(app, client, receiver):
    """A sandbox app knows only its own test personas: a real person's grant to it (which consent would never
    give) admits no event."""
    person = await make_verified(app, client)
    other = await make_verified(app, client)
    partner: Partner = await make_partner(app, client)
    seeded = await seed_app(app, partner, scopes=ALL_SCOPES, environment="sandbox")
    body = await gql(
        client,
        CREATE,
        {"input": {"appId": app_global_id(seeded.app_id), "url": receiver.url,
                   "eventTypes": ["connection.created", "notification.created"]}},
        headers=partner.owner.auth,
    )  # fmt: skip
    assert body["data"]["webhookSubscriptionCreate"]["errors"] == [], body
    sandboxed = Subscribed(partner, seeded, app_global_id(seeded.app_id), "", "")
    await seed_grant(app, seeded, uuid_of(person.id), ALL_SCOPES)
    await connect(client, person, other)
    assert await deliveries(client, sandboxed) == []


def test_global_ids_decode_as_the_api_reads_them() -> None:
    node = str(uuid.uuid4())
    assert base64.b64decode(catalogue.global_id("Notification", node)).decode() == f"Notification:{node}"


DELIVERY_LOG = """
query Log($appId: ID!) {
  webhookDeliveries(appId: $appId, first: 10) { nodes { id webhookId eventType status attemptCount lastError } }
}
"""
RETRY = """
mutation Retry($input: WebhookDeliveryRetryInput!) {
  webhookDeliveryRetry(input: $input) { delivery { webhookId status } errors { code field message } }
}
"""


async def test_a_revoked_grant_stops_the_deliveries_still_waiting(app, client, receiver):
    """The grant rule is checked again when a delivery would be sent: the person revokes the grant while the order's
    delivery waits; the next pass sends nothing, the delivery is failed with the reason, and a retry is refused."""
    with settings_changed(app, webhook_dispatch_interval_seconds=0):
        await paused(app)
        officer = await make_officer(app, client)
        buyer = await make_verified(app, client, officer=officer)
        seller = await make_verified(app, client, officer=officer)
        subscribed = await subscribe(app, client, receiver.url, scopes=MARKET, event_types=("order.placed",))
        receiver.secrets.append(subscribed.secret)
        await grant(app, subscribed, buyer, MARKET)
        listing = await create_listing(client, seller, title="Ô mai Hàng Đường", priceDong=50_000, stock=5)
        await placed(client, buyer, listing["id"], 1)
        (waiting,) = await of_type(client, subscribed, "order.placed")
        assert waiting["status"] == "PENDING"

        await revoke(client, buyer, subscribed.app.app_id)
        dispatcher = Dispatcher(app.state.runtime)
        try:
            await dispatcher.run_once()
        finally:
            await dispatcher.close()

        assert receiver.received == []
        log = await gql(
            client, DELIVERY_LOG, {"appId": subscribed.app_global_id}, headers=subscribed.partner.owner.auth
        )
        (failed,) = log["data"]["webhookDeliveries"]["nodes"]
        assert failed["webhookId"] == waiting["webhookId"]
        assert failed["status"] == "FAILED" and failed["attemptCount"] == 0
        assert failed["lastError"] == "the grant that admitted it has ended"
        retried = await gql(
            client, RETRY, {"input": {"deliveryId": failed["id"]}}, headers=subscribed.partner.owner.auth
        )
        (refused,) = retried["data"]["webhookDeliveryRetry"]["errors"]
        assert refused["code"] == "CONFLICT" and "grant" in refused["message"]
        assert receiver.received == []
