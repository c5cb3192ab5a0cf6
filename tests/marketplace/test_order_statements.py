"""Statements and transactions per request of the cart and of placing and paying an order (issue 14): each mutation
is ONE write transaction (DESIGN.md, "Request life" 2), and what its payload reads back costs the same for one line
as for several; the cart's lines and their listings cost the same for 2 lines as for 6.

Every request of a resident also checks their session (one statement, one read transaction: ``base``)."""

from __future__ import annotations

from contextlib import contextmanager

import pytest

from graph import driver
from tests import statements
from tests.marketplace.listing_helpers import create_listing
from tests.marketplace.order_helpers import ORDER_PLACE, new_key, people, transition_document
from tests.marketplace.wallet_helpers import top_up
from tests.support import gql

CART_SET = """
mutation CartSet($input: CartItemSetInput!) {
  cartItemSet(input: $input) { cart { totalDong } errors { code field message } }
}
"""

CART = (
    """
query {
  cart {
    totalDong
    items { quantity unitPriceDong lineTotalDong orderable listing { ...ListingFields } }
    sellers { seller { id displayName kind } totalDong items { quantity } }
  }
}
"""
    + statements.LISTING
)

PAY = transition_document("pay")
ACCEPT = transition_document("accept")


@contextmanager
def transactions(monkeypatch: pytest.MonkeyPatch):
    """Counts the managed transactions (``Graph.read``/``Graph.write``) of the request measured inside the block:
    [reads, writes]. Only those in the request's context count (``statements.counted`` sets the statement counter
    there): work of earlier requests still finishing in the background is not this request's."""
    count = [0, 0]
    execute = driver.Graph._execute

    async def counted(self, mode, work, args, kwargs):
        if driver.statement_counter.get() is not None:
            count[0 if mode == "READ" else 1] += 1
        return await execute(self, mode, work, args, kwargs)

    monkeypatch.setattr(driver.Graph, "_execute", counted)
    try:
        yield count
    finally:
        monkeypatch.setattr(driver.Graph, "_execute", execute)


async def _measured(client, monkeypatch, query, variables, headers):
    with transactions(monkeypatch) as count:
        found, body = await statements.counted(client, query, variables, headers=headers)
    return found, tuple(count), body


async def test_the_cart_costs_the_same_for_2_lines_as_for_6(app, client, monkeypatch):
    seller_a, seller_b, buyer = await people(app, client, 3)
    listings = [
        await create_listing(client, seller_a if i % 2 else seller_b, title=f"Ấm siêu tốc {i}", priceDong=10_000)
        for i in range(6)
    ]
    base, _ = await statements.counted(client, "{ __typename }", headers=buyer.auth)
    figures = {}
    for lines in (2, 6):
        for listing in listings[:lines]:
            body = await gql(
                client, CART_SET, {"input": {"listingId": listing["id"], "quantity": 1}}, headers=buyer.auth
            )
            assert body["data"]["cartItemSet"]["errors"] == [], body
        found, (reads, writes), body = await _measured(client, monkeypatch, CART, None, buyer.auth)
        cart = body["data"]["cart"]
        assert len(cart["items"]) == lines and all(i["listing"]["seller"]["displayName"] for i in cart["items"])
        figures[lines] = (found, reads, writes)
        print(f"cart ({lines} lines), every listing field: {found} statements, {reads} read transactions")
    assert writes == 0
    # the session; the cart; its listings (one batch, by the full listing read), their sellers, the sellers'
    # representatives and their people, the wards, the relations; the sellers of the groups (display loader)
    # (two loads of one loader at one level may fall into one event-loop tick or two: ``same_for_any_length``)
    assert statements.same_for_any_length(figures[2][0], figures[6][0], base + 8), figures
    assert abs(figures[2][1] - figures[6][1]) <= 1, figures


async def test_placing_and_paying_an_order_are_one_write_transaction_each(app, client, monkeypatch):
    seller, buyer = await people(app, client, 2)
    listing = await create_listing(client, seller, title="Nồi cơm điện", priceDong=250_000, stock=5)
    await top_up(client, buyer, 1_000_000)
    base, _ = await statements.counted(client, "{ __typename }", headers=buyer.auth)
    place = {"input": {"listingId": listing["id"], "quantity": 2, "idempotencyKey": new_key()}}
    found, (reads, writes), body = await _measured(client, monkeypatch, ORDER_PLACE, place, buyer.auth)
    order = body["data"]["orderPlace"]["order"]
    assert order["status"] == "PLACED" and order["totalDong"] == 500_000
    print(f"orderPlace: {found} statements, {reads} read and {writes} write transactions ({base} per request)")
    # one write transaction (the session's check, the order written), then the payload read back by the loaders:
    # the order, its items, its events, the buyer and the seller, the items' listings (measured: 11 statements,
    # 6 read transactions); plus one short read per webhook event inside the write transaction (order.placed and
    # the seller's notification.created: which apps receive them, webhooks.outbox.emit; measured: 13)
    assert writes == 1 and found <= base + 12, (found, reads, writes)

    accepted = await gql(client, ACCEPT, {"input": {"orderId": order["id"], "idempotencyKey": new_key()}},
                         headers=seller.auth)  # fmt: skip
    assert accepted["data"]["orderAccept"]["errors"] == [], accepted
    pay = {"input": {"orderId": order["id"], "idempotencyKey": new_key()}}
    found, (reads, writes), body = await _measured(client, monkeypatch, PAY, pay, buyer.auth)
    assert body["data"]["orderPay"]["order"]["status"] == "PAID"
    print(f"orderPay: {found} statements, {reads} read and {writes} write transactions ({base} per request)")
    # one write transaction (the money moved with the order), then the payload (``order { id status }``) read back
    # (measured: 9 statements, 2 read transactions); plus one short read per webhook event (order.status_changed and
    # the seller's notification.created; measured: 11)
    assert writes == 1 and found <= base + 10, (found, reads, writes)
