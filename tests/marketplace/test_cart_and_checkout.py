"""Cart, checkout (one order per seller, stock reserved, all or nothing), buy-now, stock release, parallel buyers
never overselling, and the orders list."""

from __future__ import annotations

import asyncio
import time

from tests import statements
from tests.both_ways import refuses_cursor
from tests.identity.test_organizations import registered_org
from tests.marketplace import paging
from tests.marketplace.listing_helpers import create_listing
from tests.marketplace.order_helpers import (
    acted,
    listing_state,
    new_key,
    order_node,
    people,
    place,
    placed,
)
from tests.marketplace.paging import PAGE_INFO
from tests.support import error_codes, gql

CART_SET = """
mutation CartSet($input: CartItemSetInput!) {
  cartItemSet(input: $input) {
    cart { totalDong items { quantity lineTotalDong listing { id } } sellers { seller { id } totalDong items { quantity } } }
    errors { code field message }
  }
}
"""

CART = "query { cart { totalDong items { quantity listing { id } } } }"

CHECKOUT = """
mutation Checkout($input: CartCheckoutInput!) {
  cartCheckout(input: $input) {
    orders { id status totalDong seller { id } items { quantity listing { id } } }
    errors { code field message }
  }
}
"""

MY_ORDERS = f"""
query Mine($role: OrderRole, $status: OrderStatus, $org: ID, $first: Int, $after: String, $last: Int,
           $before: String) {{
  myOrders(role: $role, status: $status, asOrganization: $org, first: $first, after: $after, last: $last,
           before: $before) {{
    totalCount {PAGE_INFO} edges {{ cursor node {{ id status myRole }} }}
  }}
}}
"""

STATUS_SET = """
mutation Status($input: ListingStatusSetInput!) {
  listingStatusSet(input: $input) { listing { status } errors { code message } }
}
"""


async def _cart_set(client, who, listing_id, quantity):
    return await gql(client, CART_SET, {"input": {"listingId": listing_id, "quantity": quantity}}, headers=who.auth)


async def test_three_seller_cart_checks_out_into_three_orders(app, client):
    buyer, *sellers = await people(app, client, 4)
    listings = [await create_listing(client, s, priceDong=10_000 * (i + 1), stock=5) for i, s in enumerate(sellers)]
    extra = await create_listing(client, sellers[0], priceDong=7_000, stock=2, title="Ấm trà gốm Bát Tràng")
    for listing, quantity in zip(listings + [extra], (1, 2, 3, 2), strict=False):
        body = await _cart_set(client, buyer, listing["id"], quantity)
        assert body["data"]["cartItemSet"]["errors"] == []
    cart = body["data"]["cartItemSet"]["cart"]
    assert cart["totalDong"] == 10_000 + 40_000 + 90_000 + 14_000
    assert [(g["seller"]["id"], g["totalDong"]) for g in cart["sellers"]] == [
        (sellers[0].id, 24_000),
        (sellers[1].id, 40_000),
        (sellers[2].id, 90_000),
    ]

    key = new_key()
    body = await gql(client, CHECKOUT, {"input": {"idempotencyKey": key, "note": "Giao buổi sáng"}}, headers=buyer.auth)
    result = body["data"]["cartCheckout"]
    assert result["errors"] == []
    orders = {o["seller"]["id"]: o for o in result["orders"]}
    assert set(orders) == {s.id for s in sellers}
    assert orders[sellers[0].id]["totalDong"] == 24_000 and len(orders[sellers[0].id]["items"]) == 2
    assert all(o["status"] == "PLACED" for o in orders.values())
    stocks = [(await listing_state(client, s, lst["id"]))["stock"] for s, lst in zip(sellers, listings, strict=False)]
    assert stocks == [4, 3, 2]
    extra_state = await listing_state(client, sellers[0], extra["id"])
    assert extra_state == {"id": extra["id"], "status": "SOLD_OUT", "stock": 0}
    assert (await gql(client, CART, headers=buyer.auth))["data"]["cart"]["items"] == []

    # The same key again: the same orders, nothing new.
    again = await gql(
        client, CHECKOUT, {"input": {"idempotencyKey": key, "note": "Giao buổi sáng"}}, headers=buyer.auth
    )
    assert sorted(o["id"] for o in again["data"]["cartCheckout"]["orders"]) == sorted(o["id"] for o in orders.values())
    mine = (await gql(client, MY_ORDERS, {"role": "BUYER"}, headers=buyer.auth))["data"]["myOrders"]
    assert mine["totalCount"] == 3


async def test_insufficient_stock_writes_nothing(app, client):
    buyer, seller_a, seller_b = await people(app, client, 3)
    plenty = await create_listing(client, seller_a, stock=10)
    scarce = await create_listing(client, seller_b, stock=2, title="Xe đạp Thống Nhất")
    await _cart_set(client, buyer, plenty["id"], 3)
    await _cart_set(client, buyer, scarce["id"], 2)
    # Someone else buys one of the scarce ones in the meantime.
    other = (await people(app, client, 1, officer=buyer.extra["officer"]))[0]
    await placed(client, other, scarce["id"], 1)
    body = await gql(client, CHECKOUT, {"input": {"idempotencyKey": new_key()}}, headers=buyer.auth)
    errors = body["data"]["cartCheckout"]["errors"]
    assert [e["code"] for e in errors] == ["CONFLICT"]
    assert "Xe đạp Thống Nhất" in errors[0]["message"] and "1 left" in errors[0]["message"]
    assert (await listing_state(client, seller_a, plenty["id"]))["stock"] == 10
    assert (await listing_state(client, seller_b, scarce["id"]))["stock"] == 1
    assert len((await gql(client, CART, headers=buyer.auth))["data"]["cart"]["items"]) == 2
    mine = (await gql(client, MY_ORDERS, {}, headers=buyer.auth))["data"]["myOrders"]
    assert mine["totalCount"] == 0
    body = await place(client, buyer, scarce["id"], 2)
    assert [e["code"] for e in body["data"]["orderPlace"]["errors"]] == ["CONFLICT"]


async def test_cart_rules(app, client):
    buyer, seller = await people(app, client, 2)
    listing = await create_listing(client, seller, stock=3)
    body = await _cart_set(client, seller, listing["id"], 1)
    assert error_codes(body) == ["FORBIDDEN"]
    body = await _cart_set(client, buyer, listing["id"], 4)
    assert [e["code"] for e in body["data"]["cartItemSet"]["errors"]] == ["CONFLICT"]
    body = await _cart_set(client, buyer, listing["id"], -1)
    assert [e["field"] for e in body["data"]["cartItemSet"]["errors"]] == [["input", "quantity"]]
    draft = await create_listing(client, seller, publish=False)
    body = await _cart_set(client, buyer, draft["id"], 1)
    errors = body["data"]["cartItemSet"]["errors"]
    assert [(e["code"], e["field"]) for e in errors] == [("NOT_FOUND", ["input", "listingId"])]
    investment = await create_listing(client, seller, kind="INVESTMENT")
    body = await _cart_set(client, buyer, investment["id"], 1)
    errors = body["data"]["cartItemSet"]["errors"]
    assert [(e["code"], e["field"]) for e in errors] == [("CONFLICT", ["input", "listingId"])]
    body = await _cart_set(client, buyer, listing["id"], 2)
    assert body["data"]["cartItemSet"]["cart"]["totalDong"] == 2 * listing["priceDong"]
    body = await _cart_set(client, buyer, listing["id"], 0)
    assert body["data"]["cartItemSet"]["cart"]["items"] == []
    body = await gql(client, CHECKOUT, {"input": {"idempotencyKey": new_key()}}, headers=buyer.auth)
    assert [(e["code"], e["field"]) for e in body["data"]["cartCheckout"]["errors"]] == [("CONFLICT", None)]
    # Every mistake of an input at once.
    body = await gql(client, CHECKOUT, {"input": {"idempotencyKey": "short", "note": "x" * 1001}}, headers=buyer.auth)
    assert [(e["code"], e["field"]) for e in body["data"]["cartCheckout"]["errors"]] == [
        ("INVALID_INPUT", ["input", "idempotencyKey"]),
        ("INVALID_INPUT", ["input", "note"]),
    ]
    body = await place(client, buyer, listing["id"], 0, key="short")
    assert [(e["code"], e["field"]) for e in body["data"]["orderPlace"]["errors"]] == [
        ("INVALID_INPUT", ["input", "quantity"]),
        ("INVALID_INPUT", ["input", "idempotencyKey"]),
    ]
    # A malformed id (of the listing, of the organisation) is reported with the other mistakes, not alone.
    body = await place(client, buyer, "not-an-id", 0)
    assert [(e["code"], e["field"]) for e in body["data"]["orderPlace"]["errors"]] == [
        ("INVALID_INPUT", ["input", "listingId"]),
        ("INVALID_INPUT", ["input", "quantity"]),
    ]
    body = await place(client, buyer, listing["id"], 0, as_organization="not-an-id")
    assert [(e["code"], e["field"]) for e in body["data"]["orderPlace"]["errors"]] == [
        ("INVALID_INPUT", ["input", "asOrganization"]),
        ("INVALID_INPUT", ["input", "quantity"]),
    ]
    body = await _cart_set(client, buyer, "not-an-id", -1)
    assert [(e["code"], e["field"]) for e in body["data"]["cartItemSet"]["errors"]] == [
        ("INVALID_INPUT", ["input", "listingId"]),
        ("INVALID_INPUT", ["input", "quantity"]),
    ]
    # Paused listings cannot be ordered.
    await gql(client, STATUS_SET, {"input": {"listingId": listing["id"], "status": "PAUSED"}}, headers=seller.auth)
    body = await place(client, buyer, listing["id"])
    assert [(e["code"], e["field"]) for e in body["data"]["orderPlace"]["errors"]] == [("CONFLICT", None)]


async def test_cancel_releases_stock_and_sold_out_becomes_active(app, client):
    buyer, seller = await people(app, client, 2)
    listing = await create_listing(client, seller, stock=2)
    order = await placed(client, buyer, listing["id"], 2)
    assert await listing_state(client, seller, listing["id"]) == {"id": listing["id"], "status": "SOLD_OUT", "stock": 0}
    await acted(client, buyer, "cancel", order["id"])
    assert await listing_state(client, seller, listing["id"]) == {"id": listing["id"], "status": "ACTIVE", "stock": 2}


async def test_idempotent_order_place(app, client):
    buyer, seller = await people(app, client, 2)
    listing = await create_listing(client, seller, stock=5)
    key = new_key()
    first = await place(client, buyer, listing["id"], 2, key=key)
    again = await place(client, buyer, listing["id"], 2, key=key)
    assert first["data"]["orderPlace"]["order"]["id"] == again["data"]["orderPlace"]["order"]["id"]
    other = await place(client, buyer, listing["id"], 1, key=key)
    assert [(e["code"], e["field"]) for e in other["data"]["orderPlace"]["errors"]] == [
        ("CONFLICT", ["input", "idempotencyKey"])
    ]
    assert (await listing_state(client, seller, listing["id"]))["stock"] == 3


async def test_fifty_parallel_orders_for_ten_units(app, client):
    seller, *buyers = await people(app, client, 6)
    listing = await create_listing(client, seller, stock=10, title="Vé xem múa rối nước")
    started = time.perf_counter()
    bodies = await asyncio.gather(*(place(client, buyers[i % 5], listing["id"], 1) for i in range(50)))
    elapsed = time.perf_counter() - started
    codes = [[e["code"] for e in b["data"]["orderPlace"]["errors"]] for b in bodies]
    assert all("errors" not in b for b in bodies)
    assert codes.count([]) == 10, codes
    assert codes.count(["CONFLICT"]) == 40
    assert await listing_state(client, seller, listing["id"]) == {"id": listing["id"], "status": "SOLD_OUT", "stock": 0}
    sold = (await gql(client, MY_ORDERS, {"role": "SELLER", "first": 100}, headers=seller.auth))["data"]["myOrders"]
    assert sold["totalCount"] == 10
    print(f"50 parallel orderPlace for 10 units: 10 placed, 40 CONFLICT, {elapsed:.2f} s")


async def test_my_orders_pages_newest_first(app, client):
    buyer, seller = await people(app, client, 2)
    listing = await create_listing(client, seller, stock=50)
    made = [(await placed(client, buyer, listing["id"]))["id"] for _ in range(5)]
    await acted(client, seller, "accept", made[0])
    seen, after = [], None
    while True:
        page = (await gql(client, MY_ORDERS, {"first": 2, "after": after}, headers=buyer.auth))["data"]["myOrders"]
        assert page["totalCount"] == 5
        seen += [e["node"]["id"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == list(reversed(made))
    accepted = (await gql(client, MY_ORDERS, {"status": "ACCEPTED"}, headers=buyer.auth))["data"]["myOrders"]
    assert [e["node"]["id"] for e in accepted["edges"]] == [made[0]]
    as_seller = (await gql(client, MY_ORDERS, {"role": "SELLER"}, headers=seller.auth))["data"]["myOrders"]
    assert as_seller["totalCount"] == 5 and {e["node"]["myRole"] for e in as_seller["edges"]} == {"SELLER"}
    none = (await gql(client, MY_ORDERS, {"role": "SELLER"}, headers=buyer.auth))["data"]["myOrders"]
    assert none["totalCount"] == 0
    assert (await order_node(client, buyer, made[0]))["status"] == "ACCEPTED"

    # someone who buys and sells sees both sides merged newest first, page after page
    own = await create_listing(client, buyer, stock=10)
    sold = (await placed(client, seller, own["id"]))["id"]
    bought = (await placed(client, buyer, listing["id"]))["id"]
    seen, after = [], None
    while True:
        page = (await gql(client, MY_ORDERS, {"first": 3, "after": after}, headers=buyer.auth))["data"]["myOrders"]
        assert page["totalCount"] == 7
        seen += [(e["node"]["id"], e["node"]["myRole"]) for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == [(bought, "BUYER"), (sold, "SELLER")] + [(o, "BUYER") for o in reversed(made)]


#: Who an order involves, as a list shows them: display fields and my relation to them.
_ACTOR = "id displayName kind verificationLevel relation { connected following blocked }"
NESTED_ORDERS = (
    f"""
query Nested($first: Int) {{
  myOrders(first: $first) {{
    totalCount edges {{ node {{
      id status totalDong createdAt updatedAt myRole buyer {{ {_ACTOR} }} seller {{ {_ACTOR} }}
      items {{ title quantity unitPriceDong lineTotalDong listing {{ ...ListingFields }} }}
      events {{ from to at reason by {{ {_ACTOR} }} }}
      review {{ id rating text createdAt reply repliedAt author {{ {_ACTOR} }} seller {{ {_ACTOR} }} }}
      dispute {{ id status reason openedAt outcome resolution resolvedAt resolvedBy {{ {_ACTOR} }} }}
    }} }}
  }}
}}
"""
    + statements.LISTING
)
#: Statements of a page of orders with every field, whatever its length: the session, the page, then a batch per
#: kind of nested object (parties, items and their listings, sellers, wards, events, reviews, disputes, relations).
ORDERS_STATEMENTS = 13


async def _statements(client, who, first: int) -> int:
    count, body = await statements.counted(client, NESTED_ORDERS, {"first": first}, headers=who.auth)
    assert len(body["data"]["myOrders"]["edges"]) == first
    return count


async def test_a_page_of_orders_costs_one_query_per_nesting_level(app, client):
    buyer, seller_a, seller_b = await people(app, client, 3)
    listings = [await create_listing(client, s, stock=20) for s in (seller_a, seller_b, seller_a)]
    for i in range(8):
        order = await placed(client, buyer, listings[i % 3]["id"])
        if i % 2:
            await acted(client, seller_a if i % 3 != 1 else seller_b, "accept", order["id"])
    small, large = await _statements(client, buyer, 2), await _statements(client, buyer, 8)
    print(f"my orders, every field: {small} statements for 2 orders, {large} for 8")
    assert statements.same_for_any_length(small, large, ORDERS_STATEMENTS), (small, large)


async def test_a_closed_sellers_listing_cannot_be_ordered(app, client):
    """Closing an account leaves its listings ACTIVE in the graph, but nobody may see them (one rule,
    marketplace.visibility.may_see_listing, for browsing and ordering), so nobody may order them either: the same
    NOT_FOUND as an unknown listing, and CONFLICT at checkout for one already in a cart."""
    buyer, seller = await people(app, client, 2)
    carted = await create_listing(client, seller, stock=3)
    listing = await create_listing(client, seller, stock=3, title="Bàn ghế gỗ cũ")
    body = await _cart_set(client, buyer, carted["id"], 1)
    assert body["data"]["cartItemSet"]["errors"] == []
    close = "mutation Close($password: String!) { accountClose(input: {password: $password}) { errors { code } } }"
    closed = await gql(client, close, {"password": seller.password}, headers=seller.auth)
    assert closed["data"]["accountClose"]["errors"] == []
    unknown = [("NOT_FOUND", ["input", "listingId"])]
    body = await place(client, buyer, listing["id"])
    assert [(e["code"], e["field"]) for e in body["data"]["orderPlace"]["errors"]] == unknown
    body = await _cart_set(client, buyer, listing["id"], 1)
    assert [(e["code"], e["field"]) for e in body["data"]["cartItemSet"]["errors"]] == unknown
    body = await gql(client, CHECKOUT, {"input": {"idempotencyKey": new_key()}}, headers=buyer.auth)
    assert [(e["code"], e["field"]) for e in body["data"]["cartCheckout"]["errors"]] == [("CONFLICT", None)]


async def test_my_orders_page_both_ways_and_refuse_anothers_cursor(app, client):
    buyer, seller, other = await people(app, client, 3)
    listing = await create_listing(client, seller, stock=50)
    own = await create_listing(client, buyer, stock=50)
    made = []
    for i in range(6):  # bought and sold mixed: both sides of the list, merged newest first
        made.append(
            (await placed(client, seller, own["id"]) if i % 3 == 0 else await placed(client, buyer, listing["id"]))[
                "id"
            ]
        )
    nodes = await paging.both_ways(client, MY_ORDERS, ("myOrders",), headers=buyer.auth)
    assert [n["id"] for n in nodes] == list(reversed(made))
    assert [n["myRole"] for n in nodes] == ["BUYER", "BUYER", "SELLER", "BUYER", "BUYER", "SELLER"]
    bought = await paging.both_ways(client, MY_ORDERS, ("myOrders",), {"role": "BUYER"}, headers=buyer.auth)
    assert [n["id"] for n in bought] == [o for i, o in reversed(list(enumerate(made))) if i % 3]
    # An organisation's orders are another list: its cursors are refused on the person's list, and the other way.
    organization = await registered_org(client, buyer)
    await placed_for(client, buyer, listing["id"], organization)
    theirs = await paging.first_cursor(client, MY_ORDERS, ("myOrders",), {"org": organization}, headers=buyer.auth)
    await refuses_cursor(client, MY_ORDERS, theirs, headers=buyer.auth)
    mine = await paging.first_cursor(client, MY_ORDERS, ("myOrders",), headers=buyer.auth)
    await refuses_cursor(client, MY_ORDERS, mine, {"org": organization}, headers=buyer.auth)
    await placed(client, other, listing["id"])
    others = await paging.first_cursor(client, MY_ORDERS, ("myOrders",), headers=other.auth)
    await refuses_cursor(client, MY_ORDERS, others, headers=buyer.auth)


async def placed_for(client, buyer, listing_id: str, organization: str) -> dict:
    body = await place(client, buyer, listing_id, as_organization=organization)
    assert body["data"]["orderPlace"]["errors"] == [], body
    return body["data"]["orderPlace"]["order"]
