"""Order transitions through the API: every allowed one by the right party, every refused one (wrong party ->
FORBIDDEN, stranger -> NOT_FOUND, wrong state -> CONFLICT) table-driven over the state machine, events, payment
with money (escrow, insufficient funds, idempotency keys)."""

from __future__ import annotations

from marketplace.order_states import PARTIES, TABLE
from tests.identity.people import register
from tests.marketplace.listing_helpers import create_listing
from tests.marketplace.order_helpers import (
    MUTATIONS,
    act,
    acted,
    drive,
    new_key,
    order_node,
    people,
    placed,
    transition_document,
)
from tests.marketplace.wallet_helpers import balance_of, top_up
from tests.support import error_codes, gql

PRICE = 120_000
STATES = ["placed", "accepted", "paid", "fulfilled", "completed", "cancelled", "refunded"]
ORDER_ACTIONS = list(MUTATIONS)

STATEMENT = """
query Statement { walletStatement(first: 100) { edges { node { kind amountDong order { id status } } } } }
"""
NOTICES = "{ notifications { edges { node { kind subjectId reason actor { id } } } } }"
TOTALS = "query { ledgerTotals { walletsDong escrowDong providerDong balanced entryCount } }"


async def _market(app, client, *, money: int = 10_000_000):
    seller, buyer, stranger = await people(app, client, 3)
    officer = seller.extra["officer"]
    if money:
        await top_up(client, buyer, money)
    listing = await create_listing(client, seller, priceDong=PRICE, stock=100)
    return seller, buyer, stranger, officer, listing


async def test_every_transition_and_every_refusal(app, client):
    seller, buyer, stranger, officer, listing = await _market(app, client)
    parties = {"buyer": buyer, "seller": seller, "stranger": stranger, "officer": officer}

    # Refusals: one order per state; a refused action leaves it as it was.
    for state in STATES:
        order = await placed(client, buyer, listing["id"])
        await drive(client, order["id"], state, buyer=buyer, seller=seller)
        for action in ORDER_ACTIONS:
            for name, who in parties.items():
                allowed_party = name in PARTIES[action]
                if allowed_party and (state, action) in TABLE:
                    continue  # a success, tested below
                body = await act(client, who, action, order["id"], reason="Thử")
                if not allowed_party and name != "stranger":
                    assert error_codes(body) == ["FORBIDDEN"], (state, action, name, body)
                    assert body["data"] == {MUTATIONS[action]: None}
                    continue
                assert "errors" not in body, body
                errors = [(e["code"], e["field"]) for e in body["data"][MUTATIONS[action]]["errors"]]
                if name == "stranger":
                    assert errors == [("NOT_FOUND", ["input", "orderId"])], (state, action, name, body)
                else:
                    assert errors == [("CONFLICT", None)], (state, action, name, body)
                    assert state in body["data"][MUTATIONS[action]]["errors"][0]["message"]
        assert (await order_node(client, buyer, order["id"]))["status"] == state.upper()

    # Successes: every (state, action) of the table by each party allowed to take it, on a fresh order.
    for (state, action), transition in TABLE.items():
        if action not in MUTATIONS:
            continue  # disputes: test_disputes.py
        for name in sorted(PARTIES[action]):
            order = await placed(client, buyer, listing["id"])
            await drive(client, order["id"], state, buyer=buyer, seller=seller)
            moved = await acted(client, parties[name], action, order["id"], reason="Lý do")
            assert moved["status"] == transition.to.upper(), (state, action, name)

    totals = (await gql(client, TOTALS, headers=officer.auth))["data"]["ledgerTotals"]
    assert totals["balanced"] is True


async def test_events_record_who_when_and_why(app, client):
    seller, buyer, _, _, listing = await _market(app, client)
    order = await placed(client, buyer, listing["id"], 2)
    assert order["totalDong"] == 2 * PRICE and order["myRole"] == "BUYER"
    assert order["items"] == [
        {
            "title": listing["title"],
            "quantity": 2,
            "unitPriceDong": PRICE,
            "lineTotalDong": 2 * PRICE,
            "listing": {"id": listing["id"]},
        }
    ]
    await acted(client, seller, "accept", order["id"])
    await acted(client, seller, "cancel", order["id"], reason="Hết hàng trong kho")
    seen = await order_node(client, seller, order["id"])
    assert seen["myRole"] == "SELLER" and seen["status"] == "CANCELLED"
    assert [(e["from"], e["to"], e["by"]["id"], e["reason"]) for e in seen["events"]] == [
        (None, "PLACED", buyer.id, None),
        ("PLACED", "ACCEPTED", seller.id, None),
        ("ACCEPTED", "CANCELLED", seller.id, "Hết hàng trong kho"),
    ]
    # each side hears of the other's moves, about the order, with the reason given
    to_seller = [e["node"] for e in (await gql(client, NOTICES, headers=seller.auth))["data"]["notifications"]["edges"]]
    assert to_seller == [{"kind": "ORDER_PLACED", "subjectId": order["id"], "reason": None, "actor": {"id": buyer.id}}]
    to_buyer = [e["node"] for e in (await gql(client, NOTICES, headers=buyer.auth))["data"]["notifications"]["edges"]]
    assert to_buyer == [
        {"kind": "ORDER_UPDATED", "subjectId": order["id"], "reason": "Hết hàng trong kho", "actor": {"id": seller.id}},
        {"kind": "ORDER_UPDATED", "subjectId": order["id"], "reason": None, "actor": {"id": seller.id}},
    ], "newest first"


async def test_reason_and_key_requirements(app, client):
    seller, buyer, _, _, listing = await _market(app, client)
    order = await placed(client, buyer, listing["id"])
    body = await act(client, seller, "cancel", order["id"])
    assert [e["field"] for e in body["data"]["orderCancel"]["errors"]] == [["input", "reason"]]
    await acted(client, seller, "accept", order["id"])
    # Paying moves money: the key is required by the schema.
    body = await act(client, buyer, "pay", order["id"], with_key=False)
    assert error_codes(body) == ["GRAPHQL_VALIDATION_FAILED"]
    # Cancelling a paid order moves money back: the key is required then.
    await acted(client, buyer, "pay", order["id"])
    body = await act(client, buyer, "cancel", order["id"], with_key=False)
    assert [(e["code"], e["field"]) for e in body["data"]["orderCancel"]["errors"]] == [
        ("INVALID_INPUT", ["input", "idempotencyKey"])
    ]
    # Every mistake at once: a malformed key and an overlong reason.
    body = await act(client, seller, "cancel", order["id"], key="short", reason="x" * 1001)
    assert [(e["code"], e["field"]) for e in body["data"]["orderCancel"]["errors"]] == [
        ("INVALID_INPUT", ["input", "reason"]),
        ("INVALID_INPUT", ["input", "idempotencyKey"]),
    ]
    # A buyer cancels without a reason, and without a key while nothing was paid.
    other = await placed(client, buyer, listing["id"])
    assert (await acted(client, buyer, "cancel", other["id"], with_key=False))["status"] == "CANCELLED"


async def test_stranger_and_anonymous_cannot_see_an_order(app, client):
    _seller, buyer, stranger, officer, listing = await _market(app, client, money=0)
    order = await placed(client, buyer, listing["id"])
    assert await order_node(client, stranger, order["id"]) is None
    anon = await register(client)
    assert await order_node(client, anon, order["id"]) is None
    seen = await order_node(client, officer, order["id"])
    assert seen["myRole"] == "OFFICER"


async def test_pay_moves_money_to_escrow_and_completion_to_the_seller(app, client):
    seller, buyer, _, officer, listing = await _market(app, client, money=1_000_000)
    order = await placed(client, buyer, listing["id"], 3)
    await acted(client, seller, "accept", order["id"])
    await acted(client, buyer, "pay", order["id"])
    assert await balance_of(client, buyer) == 1_000_000 - 3 * PRICE
    totals = (await gql(client, TOTALS, headers=officer.auth))["data"]["ledgerTotals"]
    assert totals["escrowDong"] == 3 * PRICE and totals["balanced"]
    await acted(client, seller, "fulfil", order["id"])
    await acted(client, buyer, "complete", order["id"])
    assert await balance_of(client, seller) == 3 * PRICE
    totals = (await gql(client, TOTALS, headers=officer.auth))["data"]["ledgerTotals"]
    assert totals["escrowDong"] == 0 and totals["balanced"]
    entries = (await gql(client, STATEMENT, headers=seller.auth))["data"]["walletStatement"]["edges"]
    assert [(e["node"]["kind"], e["node"]["amountDong"], e["node"]["order"]["id"]) for e in entries] == [
        ("RELEASE", 3 * PRICE, order["id"])
    ]


async def test_pay_with_insufficient_balance_writes_nothing(app, client):
    seller, buyer, _, officer, listing = await _market(app, client, money=100_000)
    order = await placed(client, buyer, listing["id"])
    await acted(client, seller, "accept", order["id"])
    before = (await gql(client, TOTALS, headers=officer.auth))["data"]["ledgerTotals"]
    body = await act(client, buyer, "pay", order["id"])
    assert "errors" not in body
    # The amount is the order's total, not a field of the input: the error names no field.
    assert [(e["code"], e["field"]) for e in body["data"]["orderPay"]["errors"]] == [("INSUFFICIENT_FUNDS", None)]
    assert (await order_node(client, buyer, order["id"]))["status"] == "ACCEPTED"
    assert await balance_of(client, buyer) == 100_000
    after = (await gql(client, TOTALS, headers=officer.auth))["data"]["ledgerTotals"]
    assert after == before
    entries = (await gql(client, STATEMENT, headers=buyer.auth))["data"]["walletStatement"]["edges"]
    assert [e["node"]["kind"] for e in entries] == ["TOPUP"]


async def test_idempotent_pay(app, client):
    seller, buyer, _, _, listing = await _market(app, client, money=1_000_000)
    first = await placed(client, buyer, listing["id"])
    second = await placed(client, buyer, listing["id"])
    for order in (first, second):
        await acted(client, seller, "accept", order["id"])
    key = new_key()
    one = await acted(client, buyer, "pay", first["id"], key=key)
    again = await acted(client, buyer, "pay", first["id"], key=key)
    assert one == again == {"id": first["id"], "status": "PAID"}
    assert await balance_of(client, buyer) == 1_000_000 - PRICE
    body = await act(client, buyer, "pay", second["id"], key=key)
    assert [(e["code"], e["field"]) for e in body["data"]["orderPay"]["errors"]] == [
        ("CONFLICT", ["input", "idempotencyKey"])
    ]
    assert (await order_node(client, buyer, second["id"]))["status"] == "ACCEPTED"
    entries = (await gql(client, STATEMENT, headers=buyer.auth))["data"]["walletStatement"]["edges"]
    assert [e["node"]["kind"] for e in entries].count("PAYMENT") == 1


async def test_parallel_transitions_of_one_order_pass_once(app, client):
    import asyncio

    seller, buyer, _, _, listing = await _market(app, client, money=1_000_000)
    order = await placed(client, buyer, listing["id"])
    await acted(client, seller, "accept", order["id"])
    bodies = await asyncio.gather(*(act(client, buyer, "pay", order["id"]) for _ in range(8)))
    codes = [[e["code"] for e in b["data"]["orderPay"]["errors"]] for b in bodies]
    assert codes.count([]) == 1 and codes.count(["CONFLICT"]) == 7, codes
    assert await balance_of(client, buyer) == 1_000_000 - PRICE


ORG_REGISTER = """
mutation Org($input: OrganizationRegisterInput!) {
  organizationRegister(input: $input) { organization { id } errors { code message } }
}
"""

MY_ORDERS = """
query Mine($org: ID) { myOrders(asOrganization: $org) { totalCount edges { node { id myRole } } } }
"""


async def test_an_organisation_buys_through_its_owner(app, client):
    seller, owner, stranger, _officer, listing = await _market(app, client, money=0)
    body = await gql(
        client,
        ORG_REGISTER,
        {"input": {"name": "Công ty TNHH Mua Sắm Hồ Tây", "kind": "BUSINESS", "taxCode": "0109876543"}},
        headers=owner.auth,
    )
    org = body["data"]["organizationRegister"]["organization"]["id"]
    await top_up(client, owner, 1_000_000, as_organization=org)
    body = await gql(
        client,
        ORDER_PLACE_ORG,
        {"input": {"listingId": listing["id"], "quantity": 1, "idempotencyKey": new_key(), "asOrganization": org}},
        headers=owner.auth,
    )
    order = body["data"]["orderPlace"]["order"]
    assert order["buyer"]["id"] == org and order["myRole"] == "BUYER"
    await acted(client, seller, "accept", order["id"])
    # The owner pays for the organisation: the party is found from the order.
    await acted(client, owner, "pay", order["id"])
    assert await balance_of(client, owner, as_organization=org) == 1_000_000 - PRICE
    assert await balance_of(client, owner) == 0
    mine = (await gql(client, MY_ORDERS, {"org": org}, headers=owner.auth))["data"]["myOrders"]
    assert mine["totalCount"] == 1
    assert (await gql(client, MY_ORDERS, {}, headers=owner.auth))["data"]["myOrders"]["totalCount"] == 0
    assert error_codes(await gql(client, MY_ORDERS, {"org": org}, headers=stranger.auth)) == ["FORBIDDEN"]
    body = await act(client, stranger, "complete", order["id"])
    assert [(e["code"], e["field"]) for e in body["data"]["orderComplete"]["errors"]] == [
        ("NOT_FOUND", ["input", "orderId"])
    ]


ORDER_PLACE_ORG = """
mutation Place($input: OrderPlaceInput!) {
  orderPlace(input: $input) { order { id myRole buyer { id } } errors { code field message } }
}
"""


async def test_an_order_message_in_vietnamese_keeps_its_code(app, client):
    _, buyer, _, _, listing = await _market(app, client, money=0)
    order = await placed(client, buyer, listing["id"])
    vietnamese = {**buyer.auth, "Accept-Language": "vi"}
    body = await gql(
        client,
        transition_document("complete"),
        {"input": {"orderId": order["id"], "idempotencyKey": new_key()}},
        headers=vietnamese,
    )
    (error,) = body["data"]["orderComplete"]["errors"]
    assert error["code"] == "CONFLICT" and error["field"] is None
    assert error["message"] == (
        "Đơn hàng đang ở trạng thái placed: hiện không thể orderComplete. "
        "Đơn hàng placed chỉ cho phép orderAccept, orderCancel."
    )
