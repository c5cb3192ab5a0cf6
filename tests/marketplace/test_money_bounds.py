"""Money stays below 2^53 - 1: prices at most HANOISMART_MAX_PRICE_DONG (10^12 đồng), an order's total at most
HANOISMART_MAX_ORDER_TOTAL_DONG (10^15 đồng), checked before anything is stored; a Dong past 2^53 - 1 in input
is a clear error, never INTERNAL."""

from __future__ import annotations

from tests.marketplace.listing_helpers import LISTING_CREATE, create_listing, listing_input
from tests.marketplace.order_helpers import new_key, people
from tests.support import error_codes, gql

CART_SET = """
mutation($input: CartItemSetInput!) { cartItemSet(input: $input) { cart { totalDong } errors { code field } } }
"""
CHECKOUT = """
mutation($input: CartCheckoutInput!) { cartCheckout(input: $input) { orders { totalDong } errors { code field } } }
"""
CART = "query { cart { totalDong } }"
PRICE = """
mutation($id: ID!, $price: Dong!) { listingUpdate(input: {listingId: $id, priceDong: $price}) { errors { code field } } }
"""
MY_ORDERS = "query { myOrders { totalCount } }"
LITERAL = """
mutation { listingCreate(input: {kind: GOODS, title: "Xe máy", priceDong: %s, stock: 1, category: "vehicles"}) {
  listing { id } errors { code field } } }
"""


async def test_a_price_above_the_cap_is_refused(app, client):
    (seller,) = await people(app, client, 1)
    for field, extra in (("priceDong", {}), ("priceMaxDong", {"kind": "INVESTMENT"})):
        data = listing_input(**extra)
        data[field] = 10**12 + 1
        body = await gql(client, LISTING_CREATE, {"input": data}, headers=seller.auth)
        errors = body["data"]["listingCreate"]["errors"]
        assert [(e["code"], e["field"]) for e in errors] == [("INVALID_INPUT", ["input", field])], body
    assert (await create_listing(client, seller, priceDong=10**12))["priceDong"] == 10**12


async def test_a_cart_or_an_order_whose_total_passes_the_cap_is_refused_before_anything_is_stored(app, client):
    seller, buyer = await people(app, client, 2)
    half = [await create_listing(client, seller, priceDong=5 * 10**11, stock=1000) for _ in range(2)]
    extra = await create_listing(client, seller, priceDong=1, stock=1000)
    for listing in half:  # 2 x 1,000 x 5 x 10^11 = 10^15: exactly the cap
        body = await gql(
            client, CART_SET, {"input": {"listingId": listing["id"], "quantity": 1000}}, headers=buyer.auth
        )
        assert body["data"]["cartItemSet"]["errors"] == [], body
    over = await gql(client, CART_SET, {"input": {"listingId": extra["id"], "quantity": 1}}, headers=buyer.auth)
    errors = over["data"]["cartItemSet"]["errors"]
    assert [(e["code"], e["field"]) for e in errors] == [("INVALID_INPUT", ["input", "quantity"])]
    assert (await gql(client, CART, headers=buyer.auth))["data"]["cart"]["totalDong"] == 10**15
    # The seller raises a price after the buyer filled the cart: the order's total is checked again at checkout.
    raised = await gql(client, PRICE, {"id": half[0]["id"], "price": 10**12}, headers=seller.auth)
    assert raised["data"]["listingUpdate"]["errors"] == [], raised
    body = await gql(client, CHECKOUT, {"input": {"idempotencyKey": new_key()}}, headers=buyer.auth)
    result = body["data"]["cartCheckout"]
    assert [(e["code"], e["field"]) for e in result["errors"]] == [("INVALID_INPUT", None)], result
    assert not result["orders"]
    assert (await gql(client, MY_ORDERS, headers=buyer.auth))["data"]["myOrders"]["totalCount"] == 0


async def test_dong_past_two_to_the_53_is_a_clear_error(app, client):
    (seller,) = await people(app, client, 1)
    for value in (2**53, 10**19, 2**64, -(2**64)):
        data = listing_input(priceDong=value)
        body = await gql(client, LISTING_CREATE, {"input": data}, headers=seller.auth)
        assert error_codes(body) and "INTERNAL" not in error_codes(body), body
        literal = await gql(client, LITERAL % value, headers=seller.auth)
        assert error_codes(literal) and "INTERNAL" not in error_codes(literal), literal
