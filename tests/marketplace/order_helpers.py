"""Order helpers for marketplace tests: buy, move orders through their states, read listings and orders back, all
through the public API."""

from __future__ import annotations

import uuid

import httpx

from tests.identity.people import Someone, make_officer, make_verified
from tests.support import gql

ORDER_FIELDS = """
id status totalDong myRole createdAt updatedAt
buyer { id } seller { id }
items { title quantity unitPriceDong lineTotalDong listing { id } }
events { from to at reason by { id } }
"""

ORDER_PLACE = f"""
mutation Place($input: OrderPlaceInput!) {{
  orderPlace(input: $input) {{ order {{ {ORDER_FIELDS} }} errors {{ code field message }} }}
}}
"""

MUTATIONS = {
    "accept": "orderAccept",
    "pay": "orderPay",
    "fulfil": "orderFulfil",
    "complete": "orderComplete",
    "cancel": "orderCancel",
    "refund": "orderRefund",
}


def transition_document(action: str) -> str:
    name = MUTATIONS[action]
    return f"""
mutation Move($input: {name[0].upper() + name[1:]}Input!) {{
  {name}(input: $input) {{ order {{ id status }} errors {{ code field message }} }}
}}
"""


ORDER_NODE = f"""
query Order($id: ID!) {{ node(id: $id) {{ id ... on Order {{ {ORDER_FIELDS} }} }} }}
"""

LISTING_NODE = """
query Listing($id: ID!) { node(id: $id) { id ... on Listing { status stock } } }
"""


def new_key() -> str:
    return f"k-{uuid.uuid4()}"


async def people(app, client: httpx.AsyncClient, count: int, officer: Someone | None = None) -> list[Someone]:
    """``count`` verified (level 2) people sharing one officer."""
    officer = officer or await make_officer(app, client)
    return [await make_verified(app, client, officer=officer, fullName=f"Người Thử {i}") for i in range(count)]


async def place(
    client: httpx.AsyncClient,
    buyer: Someone,
    listing_id: str,
    quantity: int = 1,
    *,
    key: str | None = None,
    as_organization: str | None = None,
) -> dict:
    """The orderPlace body (data and errors as the client sees them)."""
    return await gql(
        client,
        ORDER_PLACE,
        {
            "input": {
                "listingId": listing_id,
                "quantity": quantity,
                "idempotencyKey": key or new_key(),
                "asOrganization": as_organization,
            }
        },
        headers=buyer.auth,
    )


async def placed(client: httpx.AsyncClient, buyer: Someone, listing_id: str, quantity: int = 1) -> dict:
    """A new order (asserting it worked)."""
    body = await place(client, buyer, listing_id, quantity)
    assert "errors" not in body, body["errors"]
    result = body["data"]["orderPlace"]
    assert result["errors"] == [], result["errors"]
    return result["order"]


async def act(
    client: httpx.AsyncClient,
    someone: Someone,
    action: str,
    order_id: str,
    *,
    key: str | None = None,
    reason: str | None = None,
    with_key: bool = True,
) -> dict:
    """Run order<Action> as ``someone``; a fresh key unless given (or ``with_key=False``)."""
    payload = {"orderId": order_id}
    if reason is not None:
        payload["reason"] = reason
    if with_key:
        payload["idempotencyKey"] = key or new_key()
    return await gql(client, transition_document(action), {"input": payload}, headers=someone.auth)


async def acted(client: httpx.AsyncClient, someone: Someone, action: str, order_id: str, **kwargs) -> dict:
    body = await act(client, someone, action, order_id, **kwargs)
    assert "errors" not in body, body["errors"]
    result = body["data"][MUTATIONS[action]]
    assert result["errors"] == [], result["errors"]
    return result["order"]


#: The actions (and who takes them) that bring a placed order to each state.
PATHS = {
    "placed": [],
    "accepted": [("accept", "seller")],
    "paid": [("accept", "seller"), ("pay", "buyer")],
    "fulfilled": [("accept", "seller"), ("pay", "buyer"), ("fulfil", "seller")],
    "completed": [("accept", "seller"), ("pay", "buyer"), ("fulfil", "seller"), ("complete", "buyer")],
    "cancelled": [("cancel", "buyer")],
    "refunded": [("accept", "seller"), ("pay", "buyer"), ("refund", "seller")],
}


async def drive(client: httpx.AsyncClient, order_id: str, state: str, *, buyer: Someone, seller: Someone) -> None:
    """Move an order from placed to ``state`` through the API (the buyer needs money for paid states)."""
    parties = {"buyer": buyer, "seller": seller}
    for action, who in PATHS[state]:
        await acted(client, parties[who], action, order_id, reason="Lý do kiểm thử")


async def order_node(client: httpx.AsyncClient, someone: Someone, order_id: str) -> dict | None:
    body = await gql(client, ORDER_NODE, {"id": order_id}, headers=someone.auth)
    assert "errors" not in body, body["errors"]
    return body["data"]["node"]


async def listing_state(client: httpx.AsyncClient, owner: Someone, listing_id: str) -> dict:
    body = await gql(client, LISTING_NODE, {"id": listing_id}, headers=owner.auth)
    assert "errors" not in body, body["errors"]
    return body["data"]["node"]
