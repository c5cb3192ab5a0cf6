"""Disputes through the API: the buyer opens one on a paid order, the order freezes, an officer resolves it (refund
or release, with a reason, idempotent), others are refused."""

from __future__ import annotations

from tests.both_ways import refuses_cursor
from tests.marketplace import paging
from tests.marketplace.listing_helpers import create_listing
from tests.marketplace.order_helpers import act, drive, listing_state, new_key, order_node, people, placed
from tests.marketplace.paging import PAGE_INFO
from tests.marketplace.wallet_helpers import balance_of, top_up
from tests.support import error_codes, gql

OPEN = """
mutation Open($input: DisputeOpenInput!) {
  disputeOpen(input: $input) { dispute { id status reason order { id status } } errors { code field message } }
}
"""

RESOLVE = """
mutation Resolve($input: DisputeResolveInput!) {
  disputeResolve(input: $input) {
    dispute { id status outcome resolution resolvedAt resolvedBy { id } order { id status } }
    errors { code field message }
  }
}
"""

QUEUE = f"""
query Queue($status: DisputeStatus, $first: Int, $after: String, $last: Int, $before: String) {{
  disputes(status: $status, first: $first, after: $after, last: $last, before: $before) {{
    totalCount edges {{ cursor node {{ id status }} }} {PAGE_INFO}
  }}
}}
"""

NODE = "query Node($id: ID!) { node(id: $id) { id ... on Dispute { status reason } } }"
TOTALS = "query { ledgerTotals { escrowDong balanced } }"
PRICE = 200_000


async def _paid(app, client, state="paid"):
    seller, buyer, stranger = await people(app, client, 3)
    officer = seller.extra["officer"]
    await top_up(client, buyer, 1_000_000)
    listing = await create_listing(client, seller, priceDong=PRICE, stock=1)
    order = await placed(client, buyer, listing["id"])
    await drive(client, order["id"], state, buyer=buyer, seller=seller)
    return seller, buyer, stranger, officer, listing, order


async def _open(client, who, order_id, reason="Hàng không giống mô tả"):
    return await gql(client, OPEN, {"input": {"orderId": order_id, "reason": reason}}, headers=who.auth)


async def _resolve(client, who, dispute_id, outcome, key=None, reason="Đã xem bằng chứng hai bên"):
    return await gql(
        client,
        RESOLVE,
        {"input": {"disputeId": dispute_id, "outcome": outcome, "reason": reason, "idempotencyKey": key or new_key()}},
        headers=who.auth,
    )


async def test_refund_outcome(app, client):
    seller, buyer, stranger, officer, listing, order = await _paid(app, client)
    assert error_codes(await _open(client, seller, order["id"])) == ["FORBIDDEN"]
    body = await _open(client, stranger, order["id"])
    assert [(e["code"], e["field"]) for e in body["data"]["disputeOpen"]["errors"]] == [
        ("NOT_FOUND", ["input", "orderId"])
    ]
    body = await _open(client, buyer, order["id"], reason="  ")
    assert [e["field"] for e in body["data"]["disputeOpen"]["errors"]] == [["input", "reason"]]
    body = await _open(client, buyer, order["id"])
    dispute = body["data"]["disputeOpen"]["dispute"]
    assert dispute["status"] == "OPEN" and dispute["order"]["status"] == "DISPUTED"
    again = await _open(client, buyer, order["id"])
    assert [(e["code"], e["field"]) for e in again["data"]["disputeOpen"]["errors"]] == [("CONFLICT", None)]

    # Frozen: no fulfilment, completion or refund while disputed.
    for who, action in ((seller, "fulfil"), (buyer, "complete"), (seller, "refund")):
        body = await act(client, who, action, order["id"], reason="x")
        assert [e["code"] for e in body["data"][f"order{action.capitalize()}"]["errors"]] == ["CONFLICT"]

    assert error_codes(await _resolve(client, buyer, dispute["id"], "REFUND")) == ["FORBIDDEN"]
    assert error_codes(await _resolve(client, seller, dispute["id"], "RELEASE")) == ["FORBIDDEN"]
    body = await _resolve(client, officer, dispute["id"], "REFUND", key="short", reason=" ")
    assert [(e["code"], e["field"]) for e in body["data"]["disputeResolve"]["errors"]] == [
        ("INVALID_INPUT", ["input", "reason"]),
        ("INVALID_INPUT", ["input", "idempotencyKey"]),
    ]
    assert (await gql(client, NODE, {"id": dispute["id"]}, headers=stranger.auth))["data"]["node"] is None
    assert (await gql(client, NODE, {"id": dispute["id"]}, headers=seller.auth))["data"]["node"]["status"] == "OPEN"
    queue = (await gql(client, QUEUE, {"status": "OPEN"}, headers=officer.auth))["data"]["disputes"]
    assert [e["node"]["id"] for e in queue["edges"]] == [dispute["id"]]
    assert error_codes(await gql(client, QUEUE, {}, headers=buyer.auth)) == ["FORBIDDEN"]

    key = new_key()
    body = await _resolve(client, officer, dispute["id"], "REFUND", key=key)
    resolved = body["data"]["disputeResolve"]["dispute"]
    assert (resolved["status"], resolved["outcome"], resolved["order"]["status"]) == ("RESOLVED", "REFUND", "REFUNDED")
    assert resolved["resolution"] == "Đã xem bằng chứng hai bên" and resolved["resolvedBy"]["id"] == officer.id
    assert await balance_of(client, buyer) == 1_000_000
    # Stock comes back: the order was never fulfilled.
    assert await listing_state(client, seller, listing["id"]) == {"id": listing["id"], "status": "ACTIVE", "stock": 1}
    repeat = await _resolve(client, officer, dispute["id"], "REFUND", key=key)
    assert repeat["data"]["disputeResolve"]["errors"] == []
    assert await balance_of(client, buyer) == 1_000_000
    body = await _resolve(client, officer, dispute["id"], "RELEASE")
    assert [e["code"] for e in body["data"]["disputeResolve"]["errors"]] == ["CONFLICT"]
    totals = (await gql(client, TOTALS, headers=officer.auth))["data"]["ledgerTotals"]
    assert totals == {"escrowDong": 0, "balanced": True}


async def test_release_outcome_on_a_fulfilled_order(app, client):
    seller, buyer, _, officer, _listing, order = await _paid(app, client, state="fulfilled")
    dispute = (await _open(client, buyer, order["id"]))["data"]["disputeOpen"]["dispute"]
    body = await _resolve(client, officer, dispute["id"], "RELEASE")
    resolved = body["data"]["disputeResolve"]["dispute"]
    assert (resolved["outcome"], resolved["order"]["status"]) == ("RELEASE", "COMPLETED")
    assert await balance_of(client, seller) == PRICE
    assert await balance_of(client, buyer) == 1_000_000 - PRICE
    seen = await order_node(client, buyer, order["id"])
    assert [e["to"] for e in seen["events"]][-2:] == ["DISPUTED", "COMPLETED"]
    assert seen["events"][-1]["by"]["id"] == officer.id


async def test_dispute_only_before_completion(app, client):
    seller, buyer, _, _, _listing, order = await _paid(app, client, state="accepted")
    body = await _open(client, buyer, order["id"])
    assert [e["code"] for e in body["data"]["disputeOpen"]["errors"]] == ["CONFLICT"]
    await drive(client, order["id"], "placed", buyer=buyer, seller=seller)  # nothing more to do from placed
    assert (await order_node(client, buyer, order["id"]))["status"] == "ACCEPTED"


async def test_the_dispute_queue_pages_both_ways(app, client):
    seller, buyer, _ = await people(app, client, 3)
    officer = seller.extra["officer"]
    await top_up(client, buyer, 5_000_000)
    listing = await create_listing(client, seller, priceDong=PRICE, stock=10)
    opened = []
    for _ in range(5):
        order = await placed(client, buyer, listing["id"])
        await drive(client, order["id"], "paid", buyer=buyer, seller=seller)
        opened.append((await _open(client, buyer, order["id"]))["data"]["disputeOpen"]["dispute"]["id"])
    nodes = await paging.both_ways(client, QUEUE, ("disputes",), headers=officer.auth)
    assert [n["id"] for n in nodes] == opened, "oldest first"
    await _resolve(client, officer, opened[2], "REFUND")
    still_open = await paging.both_ways(client, QUEUE, ("disputes",), {"status": "OPEN"}, headers=officer.auth)
    assert [n["id"] for n in still_open] == opened[:2] + opened[3:]
    # A cursor of another list (the buyer's orders) is refused.
    mine = await paging.first_cursor(client, MY_ORDERS, ("myOrders",), headers=buyer.auth)
    await refuses_cursor(client, QUEUE, mine, headers=officer.auth)
    # A cursor of the same list under another status filter is refused too.
    open_cursor = await paging.first_cursor(client, QUEUE, ("disputes",), {"status": "OPEN"}, headers=officer.auth)
    await refuses_cursor(client, QUEUE, open_cursor, headers=officer.auth)


MY_ORDERS = "query Mine($first: Int) { myOrders(first: $first) { edges { cursor node { id } } } }"
