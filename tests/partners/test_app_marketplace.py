"""A partner app in the marketplace acts only as its person, and a sandbox app only among its own test personas.

- An app acting for a person never acts for an organisation that person owns or administers: it cannot pay or
  cancel the organisation's order, nor see the organisation's orders or draft listings; the person themself still
  can (``marketplace.listings.acts_for_organizations``, the ``$viewerIsPerson`` of the listing and order queries).
- A sandbox app's token does not know real residents in the marketplace: their listings are hidden (NOT_FOUND when
  ordered), and an order with a real resident cannot be moved by it (``identity.views.sandbox_admits``, whose
  Cypher mirror ``graph.listings.SANDBOX_ADMITS`` is held to it below)."""

from __future__ import annotations

import pytest

from auth.viewer import Viewer
from graph.listings import SANDBOX_ADMITS
from identity.views import sandbox_admits, sandbox_app_id
from tests.identity.people import make_verified, uuid_of
from tests.marketplace.listing_helpers import create_listing
from tests.marketplace.order_helpers import act, new_key, order_node
from tests.marketplace.wallet_helpers import top_up
from tests.partners.support import app_token, make_partner, seed_app, seed_grant
from tests.support import gql

MARKET = ("openid", "marketplace.read", "marketplace.write")

ORDER_PLACE = """
mutation Place($input: OrderPlaceInput!) {
  orderPlace(input: $input) { order { id myRole } errors { code field message } }
}
"""
CART_SET = """
mutation Cart($input: CartItemSetInput!) {
  cartItemSet(input: $input) { cart { totalDong } errors { code field message } }
}
"""
ORDER = "query O($id: ID!) { node(id: $id) { id ... on Order { status myRole } } }"
LISTING = "query L($id: ID!) { node(id: $id) { id ... on Listing { status viewerIsOwner } } }"
MY_ORDERS = "query { myOrders(first: 50) { totalCount edges { node { id } } } }"
BROWSE = "query { listings(first: 100) { edges { node { id } } } }"


def _move_code(body: dict, action: str) -> list[str]:
    name = {"pay": "orderPay", "cancel": "orderCancel"}[action]
    assert "errors" not in body, body["errors"]
    return [e["code"] for e in body["data"][name]["errors"]]


async def _as_app(client, headers: dict, action: str, order_id: str) -> list[str]:
    from tests.marketplace.order_helpers import transition_document

    payload = {"orderId": order_id, "idempotencyKey": new_key(), "reason": "Ứng dụng thử"}
    return _move_code(await gql(client, transition_document(action), {"input": payload}, headers=headers), action)


async def test_an_app_never_acts_for_the_organisation_its_person_represents(app, client):
    partner = await make_partner(app, client)  # its owner is the person; the organisation buys
    owner, org = partner.owner, partner.organization_id
    seller = await make_verified(app, client)
    listing = await create_listing(client, seller, priceDong=100_000, stock=5)
    draft = await create_listing(client, owner, as_organization=org, publish=False)
    await top_up(client, owner, 1_000_000, as_organization=org)
    body = await gql(
        client,
        ORDER_PLACE,
        {"input": {"listingId": listing["id"], "quantity": 1, "idempotencyKey": new_key(), "asOrganization": org}},
        headers=owner.auth,
    )
    order_id = body["data"]["orderPlace"]["order"]["id"]
    seeded = await seed_app(app, partner, scopes=MARKET)
    headers = app_token(app, seeded, await seed_grant(app, seeded, uuid_of(owner.id)))

    # The app can neither pay nor cancel the organisation's order: to it, the order does not exist.
    assert await _as_app(client, headers, "pay", order_id) == ["NOT_FOUND"]
    assert await _as_app(client, headers, "cancel", order_id) == ["NOT_FOUND"]
    # Nor see it, nor the organisation's draft listing.
    assert (await gql(client, ORDER, {"id": order_id}, headers=headers))["data"]["node"] is None
    mine = (await gql(client, MY_ORDERS, headers=headers))["data"]["myOrders"]
    assert mine["totalCount"] == 0 and mine["edges"] == []
    assert (await gql(client, LISTING, {"id": draft["id"]}, headers=headers))["data"]["node"] is None
    # The person themself still sees and pays it (nothing moved while the app tried).
    assert (await order_node(client, owner, order_id))["myRole"] == "BUYER"
    assert (await order_node(client, owner, order_id))["status"] == "PLACED"
    seen = (await gql(client, LISTING, {"id": draft["id"]}, headers=owner.auth))["data"]["node"]
    assert seen == {"id": draft["id"], "status": "DRAFT", "viewerIsOwner": True}
    accepted = await act(client, seller, "accept", order_id)
    assert accepted["data"]["orderAccept"]["errors"] == []
    paid = await act(client, owner, "pay", order_id)
    assert paid["data"]["orderPay"]["errors"] == [] and paid["data"]["orderPay"]["order"]["status"] == "PAID"


DISPUTE = "query O($id: ID!) { node(id: $id) { id ... on Order { dispute { id } } } }"
PEOPLE = """
query { me { connections(first: 10) { totalCount edges { node { id } } }
             following(first: 10) { totalCount edges { node { id } } } } }
"""
RELATE = """
MATCH (me:Person {id: $me}), (other:Person) WHERE other.id IN $others
CREATE (me)-[:CONNECTED {since: datetime()}]->(other), (me)-[:FOLLOWS {since: datetime()}]->(other)
"""


async def _relate(app, me: str, others: list[str]) -> None:
    async def work(tx):
        await tx.run(RELATE, me=me, others=others)

    await app.state.runtime.graph.write(work)


MAKE_PERSONA = """
MATCH (p:Person {id: $personId}), (a:App {id: $appId})
SET p:TestPersona, p.personaOfAppId = $appId
CREATE (p)-[:PERSONA_OF]->(a)
"""


async def _make_persona(app, person_id: str, app_id: str) -> None:
    async def work(tx):
        await tx.run(MAKE_PERSONA, personId=person_id, appId=app_id)

    await app.state.runtime.graph.write(work)


async def test_a_sandbox_app_shops_only_among_its_test_personas(app, client):
    partner = await make_partner(app, client)
    seeded = await seed_app(app, partner, scopes=(*MARKET, "connections.read"), environment="sandbox")
    real = await make_verified(app, client)
    real_listing = await create_listing(client, real, priceDong=50_000, stock=5)
    persona_seller = await make_verified(app, client)
    persona_listing = await create_listing(client, persona_seller, priceDong=60_000, stock=5)
    buyer = await make_verified(app, client)
    await top_up(client, buyer, 1_000_000)
    real_order = (
        await gql(
            client,
            ORDER_PLACE,
            {"input": {"listingId": real_listing["id"], "quantity": 1, "idempotencyKey": new_key()}},
            headers=buyer.auth,
        )
    )["data"]["orderPlace"]["order"]["id"]
    for someone in (persona_seller, buyer):  # the two become test personas of the sandbox app
        await _make_persona(app, uuid_of(someone.id), seeded.app_id)
    headers = app_token(app, seeded, await seed_grant(app, seeded, uuid_of(buyer.id)))

    # The real resident's listing is hidden; the persona's is there.
    assert (await gql(client, LISTING, {"id": real_listing["id"]}, headers=headers))["data"]["node"] is None
    assert (await gql(client, LISTING, {"id": persona_listing["id"]}, headers=headers))["data"]["node"] is not None
    browsed = {e["node"]["id"] for e in (await gql(client, BROWSE, headers=headers))["data"]["listings"]["edges"]}
    assert persona_listing["id"] in browsed and real_listing["id"] not in browsed
    # Ordering from the real resident is refused as for a listing that does not exist.
    for document, name, extra in (
        (ORDER_PLACE, "orderPlace", {"idempotencyKey": new_key()}),
        (CART_SET, "cartItemSet", {}),
    ):
        body = await gql(
            client, document, {"input": {"listingId": real_listing["id"], "quantity": 1, **extra}}, headers=headers
        )
        assert [(e["code"], e["field"]) for e in body["data"][name]["errors"]] == [
            ("NOT_FOUND", ["input", "listingId"])
        ], body
    # The order placed with the real resident before cannot be moved by the sandbox app.
    assert await _as_app(client, headers, "cancel", real_order) == ["NOT_FOUND"]
    # Among personas, the app shops as usual.
    body = await gql(
        client,
        ORDER_PLACE,
        {"input": {"listingId": persona_listing["id"], "quantity": 1, "idempotencyKey": new_key()}},
        headers=headers,
    )
    assert body["data"]["orderPlace"]["errors"] == [] and body["data"]["orderPlace"]["order"]["myRole"] == "BUYER"
    persona_order = body["data"]["orderPlace"]["order"]["id"]
    # Whether an order is disputed is not an app's business (Order.dispute is refused for every app).
    disputed = await gql(client, DISPUTE, {"id": persona_order}, headers=headers)
    assert disputed.get("data") is None
    assert [(e["extensions"]["code"], e["extensions"]["coordinate"]) for e in disputed["errors"]] == [
        ("FORBIDDEN", "Order.dispute")
    ]
    assert await _as_app(client, headers, "cancel", persona_order) == []

    # The buyer's lists of people: the sandbox app neither sees nor counts the real resident in them.
    await _relate(app, uuid_of(buyer.id), [uuid_of(real.id), uuid_of(persona_seller.id)])
    lists = (await gql(client, PEOPLE, headers=headers))["data"]["me"]
    for name in ("connections", "following"):
        assert lists[name]["totalCount"] == 1, (name, lists)
        assert len(lists[name]["edges"]) == 1, (name, lists)  # the persona (its id for the app: the id rules')
    for name in ("connections", "following"):  # the person themself sees and counts both
        assert (await gql(client, PEOPLE, headers=buyer.auth))["data"]["me"][name]["totalCount"] == 2
    # The person signed in themself (not through the app) is not bound by the sandbox rule.
    assert (await gql(client, LISTING, {"id": real_listing["id"]}, headers=buyer.auth))["data"]["node"] is not None


@pytest.mark.parametrize("sandbox", [True, False])
async def test_the_sandbox_rule_and_its_cypher_mirror_agree(app, sandbox):
    viewers = [
        Viewer(kind="partner_app", actor_id="p", app_id="A", client_id="c", grant_id="g", sandbox=sandbox),
        Viewer(kind="partner_app", actor_id=None, app_id="A", client_id="c", sandbox=sandbox),
        Viewer(kind="person", actor_id="p"),
        Viewer(kind="anonymous"),
    ]
    sellers = [{"personaOfAppId": "A"}, {"personaOfAppId": "B"}, {}]

    async def ask(tx, app_id, seller):
        found = await tx.run(
            f"WITH $seller AS seller RETURN {SANDBOX_ADMITS} AS admits", sandboxAppId=app_id, seller=seller
        )
        return (await found.single())["admits"]

    for viewer in viewers:
        for seller in sellers:
            expected = sandbox_admits(viewer, seller.get("personaOfAppId"))
            said = await app.state.runtime.graph.read(ask, sandbox_app_id(viewer), seller)
            assert said is expected, (viewer, seller)
    assert sandbox_admits(viewers[0], None) is not sandbox  # a real resident, for a sandbox app and otherwise
