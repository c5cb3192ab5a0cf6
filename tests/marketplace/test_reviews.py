"""Reviews through the API: only the buyer of a completed order, once; the seller replies once; the seller's rating
follows its reviews."""

from __future__ import annotations

import asyncio

from tests.both_ways import refuses_cursor
from tests.marketplace import paging
from tests.marketplace.listing_helpers import create_listing
from tests.marketplace.order_helpers import drive, order_node, people, placed
from tests.marketplace.paging import PAGE_INFO
from tests.marketplace.wallet_helpers import top_up
from tests.support import error_codes, gql

REVIEW_CREATE = """
mutation Review($input: ReviewCreateInput!) {
  reviewCreate(input: $input) {
    review { id rating text reply author { id } seller { id } }
    errors { code field message }
  }
}
"""

REVIEW_REPLY = """
mutation Reply($input: ReviewReplyInput!) {
  reviewReply(input: $input) { review { id reply repliedAt } errors { code field message } }
}
"""

REVIEWS = f"""
query Reviews($sellerId: ID!, $first: Int, $after: String, $last: Int, $before: String) {{
  reviews(sellerId: $sellerId, first: $first, after: $after, last: $last, before: $before) {{
    totalCount {PAGE_INFO} edges {{ cursor node {{ id rating text }} }}
  }}
}}
"""

RATING = """
query Listing($id: ID!) { node(id: $id) { ... on Listing { sellerRating { average count } } } }
"""

NODE = "query Node($id: ID!) { node(id: $id) { id ... on Review { rating } } }"


async def _completed(app, client, buyers: int = 1):
    seller, *rest = await people(app, client, 1 + buyers)
    listing = await create_listing(client, seller, stock=50)
    orders = []
    for buyer in rest:
        await top_up(client, buyer, 5_000_000)
        order = await placed(client, buyer, listing["id"])
        await drive(client, order["id"], "completed", buyer=buyer, seller=seller)
        orders.append(order)
    return seller, rest, listing, orders


async def _review(client, who, order_id, rating=5, text="Hàng tốt, giao nhanh."):
    return await gql(
        client, REVIEW_CREATE, {"input": {"orderId": order_id, "rating": rating, "text": text}}, headers=who.auth
    )


async def test_buyer_reviews_a_completed_order_once_and_seller_replies_once(app, client):
    seller, (buyer,), _listing, (order,) = await _completed(app, client)
    body = await _review(client, seller, order["id"])
    assert error_codes(body) == ["FORBIDDEN"]
    body = await _review(client, buyer, order["id"], rating=4)
    review = body["data"]["reviewCreate"]["review"]
    assert review["rating"] == 4 and review["author"]["id"] == buyer.id and review["seller"]["id"] == seller.id
    body = await _review(client, buyer, order["id"])
    assert [(e["code"], e["field"]) for e in body["data"]["reviewCreate"]["errors"]] == [("CONFLICT", None)]
    seen = await order_node(client, buyer, order["id"])
    assert seen["status"] == "COMPLETED"

    body = await gql(client, REVIEW_REPLY, {"input": {"reviewId": review["id"], "text": "Cảm ơn"}}, headers=buyer.auth)
    assert error_codes(body) == ["FORBIDDEN"]
    body = await gql(
        client, REVIEW_REPLY, {"input": {"reviewId": review["id"], "text": "Cảm ơn anh"}}, headers=seller.auth
    )
    assert body["data"]["reviewReply"]["review"]["reply"] == "Cảm ơn anh"
    body = await gql(
        client, REVIEW_REPLY, {"input": {"reviewId": review["id"], "text": "Lần nữa"}}, headers=seller.auth
    )
    assert [(e["code"], e["field"]) for e in body["data"]["reviewReply"]["errors"]] == [("CONFLICT", None)]
    body = await gql(client, REVIEW_REPLY, {"input": {"reviewId": order["id"], "text": "?"}}, headers=seller.auth)
    assert [(e["code"], e["field"]) for e in body["data"]["reviewReply"]["errors"]] == [
        ("INVALID_INPUT", ["input", "reviewId"])
    ], "an order's id is not a review's"
    assert (await gql(client, NODE, {"id": review["id"]}))["data"]["node"]["rating"] == 4


async def test_review_before_completion_and_bad_input(app, client):
    seller, buyer, stranger = await people(app, client, 3)
    await top_up(client, buyer, 1_000_000)
    listing = await create_listing(client, seller, stock=5)
    order = await placed(client, buyer, listing["id"])
    await drive(client, order["id"], "fulfilled", buyer=buyer, seller=seller)
    body = await _review(client, buyer, order["id"])
    errors = body["data"]["reviewCreate"]["errors"]
    assert [e["code"] for e in errors] == ["CONFLICT"] and "fulfilled" in errors[0]["message"]
    body = await _review(client, stranger, order["id"])
    assert [(e["code"], e["field"]) for e in body["data"]["reviewCreate"]["errors"]] == [
        ("NOT_FOUND", ["input", "orderId"])
    ]
    for rating in (0, 6):
        body = await _review(client, buyer, order["id"], rating=rating)
        assert [e["field"] for e in body["data"]["reviewCreate"]["errors"]] == [["input", "rating"]]
    body = await _review(client, buyer, order["id"], text="x" * 2001)
    assert [e["field"] for e in body["data"]["reviewCreate"]["errors"]] == [["input", "text"]]
    body = await _review(client, buyer, order["id"], rating=9, text=" ")
    assert [e["field"] for e in body["data"]["reviewCreate"]["errors"]] == [["input", "rating"], ["input", "text"]]


async def test_rating_is_consistent_with_reviews(app, client):
    seller, buyers, listing, orders = await _completed(app, client, buyers=3)
    # In parallel: the seller's sums are updated under its lock, so none is lost.
    bodies = await asyncio.gather(
        *(
            _review(client, buyer, order["id"], rating=stars)
            for buyer, order, stars in zip(buyers, orders, (5, 4, 2), strict=False)
        )
    )
    assert all(b["data"]["reviewCreate"]["errors"] == [] for b in bodies)
    rating = (await gql(client, RATING, {"id": listing["id"]}))["data"]["node"]["sellerRating"]
    assert rating == {"average": 11 / 3, "count": 3}
    first = (await gql(client, REVIEWS, {"sellerId": seller.id, "first": 2}))["data"]["reviews"]
    assert first["totalCount"] == 3 and first["pageInfo"]["hasNextPage"]
    rest = await gql(client, REVIEWS, {"sellerId": seller.id, "after": first["pageInfo"]["endCursor"]})
    stars = [e["node"]["rating"] for e in first["edges"] + rest["data"]["reviews"]["edges"]]
    assert sorted(stars) == [2, 4, 5]  # all three, once each, across two pages


async def test_reviews_page_both_ways_and_refuse_another_sellers_cursor(app, client):
    seller, buyers, _listing, orders = await _completed(app, client, buyers=5)
    written = []
    for buyer, order, stars in zip(buyers, orders, (5, 4, 3, 2, 1), strict=True):
        written.append(
            (await _review(client, buyer, order["id"], rating=stars))["data"]["reviewCreate"]["review"]["id"]
        )
    nodes = await paging.both_ways(client, REVIEWS, ("reviews",), {"sellerId": seller.id})
    assert [n["id"] for n in nodes] == list(reversed(written)), "newest first"
    other, (buyer,), _other_listing, (order,) = await _completed(app, client)
    await _review(client, buyer, order["id"])
    theirs = await paging.first_cursor(client, REVIEWS, ("reviews",), {"sellerId": other.id})
    await refuses_cursor(client, REVIEWS, theirs, {"sellerId": seller.id})
