"""Cypher of carts, orders, order events, reviews and disputes (the marketplace's buying side).

Model:
- cart: ``(:Actor)-[:HAS_IN_CART {quantity, addedAt}]->(:Listing)``;
- order: ``(buyer:Actor)-[:PLACED]->(:Order {id, status, totalDong, createdAt, updatedAt, fulfilledAt})
  -[:SOLD_BY]->(seller:Actor)`` with ``(o)-[:INCLUDES {quantity, unitPriceDong, title}]->(:Listing)`` (price and
  title as they were when ordered); every change of status is ``(:OrderEvent {id, from, to, at, reason,
  personId})-[:BY]->(actor)`` and ``-[:OF]->(order)``;
- review: ``(buyer)-[:WROTE]->(:Review {id, orderId, sellerId, rating, text, createdAt, reply, repliedAt})
  -[:REVIEWS]->(order)``; the seller's ``ratingTotal``/``ratingCount`` are kept in the same transaction;
- dispute: ``(buyer)-[:OPENED]->(:Dispute {id, orderId, status, reason, openedAt, outcome, resolution,
  resolvedAt})-[:ABOUT]->(order)`` and ``(officer)-[:RESOLVED]->(dispute)``.

Locks: a use case write-locks what it reads before reading it (a SET on the node), always in the order
order -> listings (sorted by id) -> wallets, so two parallel changes of one order or one listing run one after the
other and see each other's result. Stock is reserved by decrementing ``Listing.stock`` (null = unlimited).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypedDict

from neo4j import AsyncManagedTransaction, Record
from neo4j.time import DateTime

from core.pagination import Window
from graph.driver import FAR_FUTURE, run, window_keyset
from graph.listings import FAR_PAST
from graph.paging import both_ways
from graph.rows import row, rows
from graph.rules import acts_for, blocked_either_way


def _flat(record: Record, nested: str) -> dict[str, Any]:
    """The record's columns and the keys of its map column ``nested``, in one mapping for ``graph.rows.row``."""
    return {**dict(record), **record[nested]}


@dataclass(frozen=True)
class OrderableListing:
    """A listing as an order (or a cart) reads it, with what the listing-visibility rule needs to know of the
    buyer (``marketplace.visibility``): whether its seller is active and whether the two blocked one another."""

    id: str
    kind: str
    status: str
    price_dong: int | None
    stock: int | None
    title: str
    seller_id: str
    seller_active: bool
    blocked: bool
    #: The app whose test persona the seller is (``identity.views.sandbox_admits``); None: a real actor.
    seller_persona_of_app_id: str | None = None


class OrderItem(TypedDict):
    """A line of a new order, as ``CREATE_ORDER`` stores it."""

    listingId: str
    quantity: int
    unitPriceDong: int
    title: str


@dataclass(frozen=True)
class CartRow:
    listing_id: str
    quantity: int
    added_at: DateTime
    price_dong: int | None
    status: str
    title: str
    seller_id: str


@dataclass(frozen=True)
class LockedOrder:
    """An order as a transition reads it under its lock."""

    id: str
    status: str
    total_dong: int
    fulfilled_at: DateTime | None
    buyer_id: str
    seller_id: str
    #: The app whose test persona each party is (``identity.views.sandbox_admits``); None: a real actor.
    buyer_persona_of_app_id: str | None = None
    seller_persona_of_app_id: str | None = None


@dataclass(frozen=True)
class OrderRow:
    """An order with the viewer's role in it (buyer, seller or officer)."""

    id: str
    status: str
    total_dong: int
    created_at: DateTime
    updated_at: DateTime
    buyer_id: str
    seller_id: str
    role: str


@dataclass(frozen=True)
class OrderItemRow:
    listing_id: str
    title: str
    quantity: int
    unit_price_dong: int


@dataclass(frozen=True)
class OrderEventRow:
    from_state: str | None
    to: str
    at: DateTime
    reason: str | None
    by_id: str


@dataclass(frozen=True)
class LockedReview:
    id: str
    seller_id: str
    reply: str | None


@dataclass(frozen=True)
class ReviewRow:
    id: str
    order_id: str
    seller_id: str
    rating: int
    text: str
    created_at: DateTime
    reply: str | None
    replied_at: DateTime | None
    author_id: str


@dataclass(frozen=True)
class DisputeRow:
    id: str
    order_id: str
    status: str
    reason: str
    opened_at: DateTime
    outcome: str | None
    resolution: str | None
    resolved_at: DateTime | None
    buyer_id: str
    seller_id: str
    officer_id: str | None


#: The viewer's role in the order of ``buyer`` and ``seller``: the party they act for (``graph.rules.acts_for``:
#: themself, or an active organisation they own or administer; only themself when ``$viewerIsPerson`` is false, a
#: partner app acting for the person: ``marketplace.listings.acts_for_organizations``), else officer when
#: ``$officer``, else null.
ORDER_ROLE = f"""CASE
  WHEN $viewerId IS NULL THEN null
  WHEN buyer.id = $viewerId OR ($viewerIsPerson AND {acts_for("buyer")}) THEN 'buyer'
  WHEN seller.id = $viewerId OR ($viewerIsPerson AND {acts_for("seller")}) THEN 'seller'
  WHEN $officer THEN 'officer'
END"""

ORDER_PROJECTION = (
    "o {.id, .status, .totalDong, .createdAt, .updatedAt} AS order, buyer.id AS buyerId, seller.id AS sellerId"
)

# --- cart ----------------------------------------------------------------------------------------------------------

#: What the listing-visibility rule needs to know of the listing's seller and the buyer ``buyer`` (null if unknown).
ORDERABLE_PROJECTION = f"""l {{.id, .kind, .status, .priceDong, .stock, .title}} AS listing, seller.id AS sellerId,
       coalesce(seller.status, 'active') = 'active' AS sellerActive, seller.personaOfAppId AS sellerPersonaOfAppId,
       {blocked_either_way("buyer", "seller")} AS blocked"""

LISTING_FOR_CART = f"""
MATCH (seller:Actor)-[:LISTS]->(l:Listing {{id: $listingId}})
OPTIONAL MATCH (buyer:Actor {{id: $actorId}})
RETURN {ORDERABLE_PROJECTION}
"""


def _orderable(record: Record) -> OrderableListing:
    return row(OrderableListing, _flat(record, "listing"))


async def listing_for_cart(tx: AsyncManagedTransaction, listing_id: str, actor_id: str) -> OrderableListing | None:
    found = await run(tx, LISTING_FOR_CART, listingId=listing_id, actorId=actor_id)
    return _orderable(found[0]) if found else None


SET_CART_ITEM = """
MATCH (a:Actor {id: $actorId}), (l:Listing {id: $listingId})
MERGE (a)-[c:HAS_IN_CART]->(l)
ON CREATE SET c.addedAt = datetime()
SET c.quantity = $quantity
"""

REMOVE_CART_ITEM = """
MATCH (:Actor {id: $actorId})-[c:HAS_IN_CART]->(:Listing {id: $listingId})
DELETE c
"""


async def set_cart_item(tx: AsyncManagedTransaction, actor_id: str, listing_id: str, quantity: int) -> None:
    query = SET_CART_ITEM if quantity > 0 else REMOVE_CART_ITEM
    await run(tx, query, actorId=actor_id, listingId=listing_id, quantity=quantity)


CART = """
MATCH (a:Actor {id: $actorId})-[c:HAS_IN_CART]->(l:Listing)<-[:LISTS]-(seller:Actor)
RETURN l.id AS listingId, c.quantity AS quantity, c.addedAt AS addedAt, l.priceDong AS priceDong,
       l.status AS status, l.title AS title, seller.id AS sellerId
ORDER BY c.addedAt, l.id
"""


async def cart(tx: AsyncManagedTransaction, actor_id: str) -> list[CartRow]:
    return rows(CartRow, await run(tx, CART, actorId=actor_id))


EMPTY_CART = """
MATCH (:Actor {id: $actorId})-[c:HAS_IN_CART]->(l:Listing)
WHERE l.id IN $listingIds
DELETE c
"""


async def empty_cart(tx: AsyncManagedTransaction, actor_id: str, listing_ids: list[str]) -> None:
    await run(tx, EMPTY_CART, actorId=actor_id, listingIds=listing_ids)


# --- placing orders ------------------------------------------------------------------------------------------------

#: Rows come in the order of ``$ids`` (the caller sorts them), so parallel checkouts lock listings in one order.
LOCK_LISTINGS = f"""
OPTIONAL MATCH (buyer:Actor {{id: $buyerId}})
WITH buyer
UNWIND $ids AS id
MATCH (seller:Actor)-[:LISTS]->(l:Listing {{id: id}})
USING INDEX l:Listing(id)
SET l.orderLock = true
REMOVE l.orderLock
RETURN {ORDERABLE_PROJECTION}
"""


async def lock_listings(
    tx: AsyncManagedTransaction, listing_ids: list[str], buyer_id: str
) -> dict[str, OrderableListing]:
    """Write-lock these listings (in the given order) and read them, by id; unknown ids are missing."""
    found = await run(tx, LOCK_LISTINGS, ids=listing_ids, buyerId=buyer_id)
    return {listing.id: listing for listing in map(_orderable, found)}


CREATE_ORDER = """
MATCH (buyer:Actor {id: $buyerId}), (seller:Actor {id: $sellerId}), (person:Actor {id: $personId})
CREATE (buyer)-[:PLACED]->(o:Order {id: $id, status: 'placed', totalDong: $totalDong, createdAt: datetime(),
                                    updatedAt: datetime(), placeKey: $placeKey, note: $note,
                                    buyerId: $buyerId, sellerId: $sellerId})-[:SOLD_BY]->(seller)
CREATE (e:OrderEvent {id: $eventId, from: null, to: 'placed', at: datetime(), reason: null, personId: $personId})
CREATE (e)-[:BY]->(buyer), (e)-[:OF]->(o)
WITH o
UNWIND $items AS item
MATCH (l:Listing {id: item.listingId})
USING INDEX l:Listing(id)
CREATE (o)-[:INCLUDES {quantity: item.quantity, unitPriceDong: item.unitPriceDong, title: item.title}]->(l)
WITH l, item, CASE WHEN l.stock IS NULL THEN null ELSE l.stock - item.quantity END AS left
SET l.stock = left,
    l.status = CASE WHEN left = 0 THEN 'sold_out' ELSE l.status END,
    l.updatedAt = datetime()
"""


async def create_order(
    tx: AsyncManagedTransaction,
    *,
    id: str,
    event_id: str,
    buyer_id: str,
    seller_id: str,
    person_id: str,
    total: int,
    items: list[OrderItem],
    place_key: str | None,
    note: str | None,
) -> None:
    """An order of ``items`` [{listingId, quantity, unitPriceDong, title}], reserving their stock (the caller
    locked the listings and checked the stock); a listing whose last unit goes becomes sold_out."""
    await run(
        tx,
        CREATE_ORDER,
        id=id,
        eventId=event_id,
        buyerId=buyer_id,
        sellerId=seller_id,
        personId=person_id,
        totalDong=total,
        items=items,
        placeKey=place_key,
        note=note,
    )


# --- transitions ---------------------------------------------------------------------------------------------------

LOCK_ORDER = """
MATCH (buyer:Actor)-[:PLACED]->(o:Order {id: $id})-[:SOLD_BY]->(seller:Actor)
USING INDEX o:Order(id)
SET o.lock = true
REMOVE o.lock
RETURN o {.id, .status, .totalDong, .fulfilledAt} AS order, buyer.id AS buyerId, seller.id AS sellerId,
       buyer.personaOfAppId AS buyerPersonaOfAppId, seller.personaOfAppId AS sellerPersonaOfAppId
"""


async def lock_order(tx: AsyncManagedTransaction, order_id: str) -> LockedOrder | None:
    """Write-lock the order, then read its status and parties (so two parallel transitions run in turn)."""
    found = await run(tx, LOCK_ORDER, id=order_id)
    return row(LockedOrder, _flat(found[0], "order")) if found else None


ACTED_FOR_AMONG = f"""
MATCH (a:Actor) WHERE a.id IN $actorIds AND {acts_for("a", "$personId")}
RETURN collect(a.id) AS actorIds
"""


async def acted_for_among(tx: AsyncManagedTransaction, person_id: str, actor_ids: list[str]) -> list[str]:
    """Which of these actors the person acts for (``graph.rules.acts_for``: themself, or an active organisation
    they own or administer)."""
    found: list[str] = (await run(tx, ACTED_FOR_AMONG, personId=person_id, actorIds=actor_ids))[0]["actorIds"]
    return found


APPLY_TRANSITION = """
MATCH (o:Order {id: $id}), (by:Actor {id: $byId})
SET o.status = $to, o.updatedAt = datetime(),
    o.fulfilledAt = CASE WHEN $to = 'fulfilled' THEN datetime() ELSE o.fulfilledAt END
CREATE (e:OrderEvent {id: $eventId, from: $from, to: $to, at: datetime(), reason: $reason, personId: $personId})
CREATE (e)-[:BY]->(by), (e)-[:OF]->(o)
"""


async def apply_transition(
    tx: AsyncManagedTransaction,
    *,
    order_id: str,
    event_id: str,
    from_state: str,
    to: str,
    by_id: str,
    person_id: str,
    reason: str | None,
) -> None:
    await run(
        tx,
        APPLY_TRANSITION,
        id=order_id,
        eventId=event_id,
        **{"from": from_state},
        to=to,
        byId=by_id,
        personId=person_id,
        reason=reason,
    )


RELEASE_STOCK = """
MATCH (o:Order {id: $id})-[i:INCLUDES]->(l:Listing)
USING INDEX o:Order(id)
WITH l, i ORDER BY l.id
SET l.orderLock = true
REMOVE l.orderLock
WITH l, i, CASE WHEN l.stock IS NULL THEN null ELSE l.stock + i.quantity END AS left
SET l.stock = left,
    l.status = CASE WHEN l.status = 'sold_out' AND left > 0 THEN 'active' ELSE l.status END,
    l.updatedAt = datetime()
"""


async def release_stock(tx: AsyncManagedTransaction, order_id: str) -> None:
    """Put an order's reserved units back; a sold_out listing with stock again becomes active."""
    await run(tx, RELEASE_STOCK, id=order_id)


# --- reading orders ------------------------------------------------------------------------------------------------

ORDERS_BY_IDS = f"""
UNWIND $ids AS id
MATCH (buyer:Actor)-[:PLACED]->(o:Order {{id: id}})-[:SOLD_BY]->(seller:Actor)
USING INDEX o:Order(id)
WITH o, buyer, seller, {ORDER_ROLE} AS role
WHERE role IS NOT NULL
RETURN {ORDER_PROJECTION}, role
"""


def _order_row(record: Record) -> OrderRow:
    return row(OrderRow, _flat(record, "order"))


async def orders_by_ids(
    tx: AsyncManagedTransaction, ids: list[str], viewer_id: str | None, officer: bool, viewer_is_person: bool = True
) -> list[OrderRow]:
    """The orders the viewer may see (buyer, seller, their owners/admins unless ``viewer_is_person`` is false,
    officers), each with the viewer's role."""
    found = await run(tx, ORDERS_BY_IDS, ids=ids, viewerId=viewer_id, officer=officer, viewerIsPerson=viewer_is_person)
    return [_order_row(r) for r in found]


# Newest first, between the cursors: each side (bought, sold) is a seek on its (party, createdAt) index, read
# backwards from the `after` cursor (or forwards from the `before` cursor when paging back), so a page reads about
# $limit orders whatever the actor's history (ordering by both index properties lets the planner use the index
# order). An actor never buys from itself, so the two sides never share an order.
_MY_SIDE = """
  MATCH (o:Order) USING INDEX SEEK o:Order({party}, createdAt)
  WHERE o.{party} = $actorId AND o.createdAt <= datetime($upTo) AND o.createdAt >= datetime($downTo)
    AND ($role IS NULL OR $role = '{role}')
    AND ($status IS NULL OR o.status = $status)
    AND ($afterTime IS NULL OR [o.createdAt, o.id] < [datetime($afterTime), $afterId])
    AND ($beforeTime IS NULL OR [o.createdAt, o.id] > [datetime($beforeTime), $beforeId])
  WITH o ORDER BY o.{party} {{DESC}}, o.createdAt {{DESC}}, o.id {{DESC}} LIMIT $limit
  RETURN o"""

MY_ORDERS = both_ways(f"""
MATCH (me:Actor {{id: $actorId}})
CALL () {{
{_MY_SIDE.format(party="buyerId", role="buyer")}
  UNION ALL
{_MY_SIDE.format(party="sellerId", role="seller")}
}}
WITH me, o ORDER BY o.createdAt {{DESC}}, o.id {{DESC}} LIMIT $limit
MATCH (buyer:Actor)-[:PLACED]->(o)-[:SOLD_BY]->(seller:Actor)
RETURN {ORDER_PROJECTION}, CASE WHEN buyer = me THEN 'buyer' ELSE 'seller' END AS role
ORDER BY o.createdAt {{DESC}}, o.id {{DESC}}
""")


# Without a status filter the counts are the actor's relationship degrees (no order is read).
MY_ORDERS_COUNT = """
MATCH (me:Actor {id: $actorId})
RETURN CASE WHEN $role IS NOT NULL AND $role <> 'buyer' THEN 0
            WHEN $status IS NULL THEN COUNT { (me)-[:PLACED]->() }
            ELSE COUNT { (me)-[:PLACED]->(o:Order) WHERE o.status = $status } END
     + CASE WHEN $role IS NOT NULL AND $role <> 'seller' THEN 0
            WHEN $status IS NULL THEN COUNT { (me)<-[:SOLD_BY]-() }
            ELSE COUNT { (me)<-[:SOLD_BY]-(o:Order) WHERE o.status = $status } END AS total
"""


async def my_orders(
    tx: AsyncManagedTransaction,
    *,
    actor_id: str,
    role: str | None,
    status: str | None,
    window: Window,
) -> tuple[list[OrderRow], int]:
    """One page of the actor's orders in the window's reading order, and how many orders the list holds."""
    found = await run(
        tx,
        MY_ORDERS.of(window.backwards),
        actorId=actor_id,
        role=role,
        status=status,
        limit=window.limit,
        **window_keyset(window),
        upTo=window.after[0] if window.after else FAR_FUTURE,
        downTo=window.before[0] if window.before else FAR_PAST,
    )
    total = await run(tx, MY_ORDERS_COUNT, actorId=actor_id, role=role, status=status)
    count: int = total[0]["total"] if total else 0
    return [_order_row(r) for r in found], count


ORDER_ITEMS = """
UNWIND $ids AS id
MATCH (o:Order {id: id})-[i:INCLUDES]->(l:Listing)
USING INDEX o:Order(id)
WITH id, i, l ORDER BY i.title, l.id
RETURN id AS orderId, collect({listingId: l.id, title: i.title, quantity: i.quantity,
                               unitPriceDong: i.unitPriceDong}) AS items
"""


async def order_items(tx: AsyncManagedTransaction, order_ids: list[str]) -> dict[str, list[OrderItemRow]]:
    return {r["orderId"]: rows(OrderItemRow, r["items"]) for r in await run(tx, ORDER_ITEMS, ids=order_ids)}


ORDER_EVENTS = """
UNWIND $ids AS id
MATCH (o:Order {id: id})<-[:OF]-(e:OrderEvent)-[:BY]->(by:Actor)
USING INDEX o:Order(id)
WITH id, e, by ORDER BY e.at, e.id
RETURN id AS orderId, collect({from: e.from, to: e.to, at: e.at, reason: e.reason, byId: by.id}) AS events
"""


def _event(event: Mapping[str, Any]) -> OrderEventRow:
    return OrderEventRow(
        from_state=event["from"], to=event["to"], at=event["at"], reason=event["reason"], by_id=event["byId"]
    )


async def order_events(tx: AsyncManagedTransaction, order_ids: list[str]) -> dict[str, list[OrderEventRow]]:
    return {r["orderId"]: [_event(e) for e in r["events"]] for r in await run(tx, ORDER_EVENTS, ids=order_ids)}


# --- reviews -------------------------------------------------------------------------------------------------------

REVIEW_PROJECTION = (
    "r {.id, .orderId, .sellerId, .rating, .text, .createdAt, .reply, .repliedAt} AS review, author.id AS authorId"
)

REVIEW_OF_ORDER = """
MATCH (r:Review {orderId: $orderId})
RETURN r.id AS id
"""


async def review_of_order(tx: AsyncManagedTransaction, order_id: str) -> str | None:
    found = await run(tx, REVIEW_OF_ORDER, orderId=order_id)
    review_id: str | None = found[0]["id"] if found else None
    return review_id


LOCK_ACTOR = """
MATCH (a:Actor {id: $id})
SET a.ratingLock = true
REMOVE a.ratingLock
"""

CREATE_REVIEW = """
MATCH (o:Order {id: $orderId})-[:SOLD_BY]->(seller:Actor), (buyer:Actor {id: $buyerId})
CREATE (r:Review {id: $id, orderId: $orderId, sellerId: seller.id, rating: $rating, text: $text,
                  createdAt: datetime(), personId: $personId})
CREATE (buyer)-[:WROTE]->(r), (r)-[:REVIEWS]->(o)
SET seller.ratingTotal = coalesce(seller.ratingTotal, 0) + $rating,
    seller.ratingCount = coalesce(seller.ratingCount, 0) + 1
"""


async def create_review(
    tx: AsyncManagedTransaction,
    *,
    id: str,
    order_id: str,
    seller_id: str,
    buyer_id: str,
    person_id: str,
    rating: int,
    text: str,
) -> None:
    """The review, and the seller's rating sums (the seller is write-locked first so parallel reviews add up)."""
    await run(tx, LOCK_ACTOR, id=seller_id)
    await run(
        tx, CREATE_REVIEW, id=id, orderId=order_id, buyerId=buyer_id, personId=person_id, rating=rating, text=text
    )


LOCK_REVIEW = """
MATCH (author:Actor)-[:WROTE]->(r:Review {id: $id})
SET r.lock = true
REMOVE r.lock
RETURN r {.id, .sellerId, .reply} AS review
"""


async def lock_review(tx: AsyncManagedTransaction, review_id: str) -> LockedReview | None:
    found = await run(tx, LOCK_REVIEW, id=review_id)
    return row(LockedReview, found[0]["review"]) if found else None


REPLY_REVIEW = """
MATCH (r:Review {id: $id})
SET r.reply = $text, r.repliedAt = datetime(), r.replyPersonId = $personId
"""


async def reply_review(tx: AsyncManagedTransaction, review_id: str, text: str, person_id: str) -> None:
    await run(tx, REPLY_REVIEW, id=review_id, text=text, personId=person_id)


REVIEWS_BY_IDS = f"""
UNWIND $ids AS id
MATCH (author:Actor)-[:WROTE]->(r:Review {{id: id}})
USING INDEX r:Review(id)
RETURN {REVIEW_PROJECTION}
"""


def _review_row(record: Record) -> ReviewRow:
    return row(ReviewRow, _flat(record, "review"))


async def reviews_by_ids(tx: AsyncManagedTransaction, ids: list[str]) -> list[ReviewRow]:
    return [_review_row(r) for r in await run(tx, REVIEWS_BY_IDS, ids=ids)]


REVIEWS_OF_ORDERS = f"""
UNWIND $ids AS orderId
MATCH (author:Actor)-[:WROTE]->(r:Review {{orderId: orderId}})
USING INDEX r:Review(orderId)
RETURN {REVIEW_PROJECTION}
"""


async def reviews_of_orders(tx: AsyncManagedTransaction, order_ids: list[str]) -> list[ReviewRow]:
    return [_review_row(r) for r in await run(tx, REVIEWS_OF_ORDERS, ids=order_ids)]


SELLER_REVIEWS = both_ways(f"""
MATCH (author:Actor)-[:WROTE]->(r:Review {{sellerId: $sellerId}})
USING INDEX r:Review(sellerId)
WHERE ($afterTime IS NULL OR [r.createdAt, r.id] < [datetime($afterTime), $afterId])
  AND ($beforeTime IS NULL OR [r.createdAt, r.id] > [datetime($beforeTime), $beforeId])
WITH author, r ORDER BY r.createdAt {{DESC}}, r.id {{DESC}} LIMIT $limit
RETURN {REVIEW_PROJECTION}
""")

SELLER_REVIEW_STATS = """
MATCH (r:Review {sellerId: $sellerId})
RETURN count(r) AS total
"""


async def seller_reviews(tx: AsyncManagedTransaction, seller_id: str, window: Window) -> tuple[list[ReviewRow], int]:
    """One page of a seller's reviews in the window's reading order, and how many reviews the seller has."""
    found = await run(
        tx,
        SELLER_REVIEWS.of(window.backwards),
        sellerId=seller_id,
        limit=window.limit,
        **window_keyset(window),
    )
    total: int = (await run(tx, SELLER_REVIEW_STATS, sellerId=seller_id))[0]["total"]
    return [_review_row(r) for r in found], total


# --- disputes ------------------------------------------------------------------------------------------------------

DISPUTE_PROJECTION = """d {.id, .orderId, .status, .reason, .openedAt, .outcome, .resolution, .resolvedAt} AS dispute,
buyer.id AS buyerId, seller.id AS sellerId, head([(officer:Actor)-[:RESOLVED]->(d) | officer.id]) AS officerId"""

CREATE_DISPUTE = """
MATCH (buyer:Actor {id: $buyerId}), (o:Order {id: $orderId})
CREATE (buyer)-[:OPENED]->(d:Dispute {id: $id, orderId: $orderId, status: 'open', reason: $reason,
                                      openedAt: datetime(), personId: $personId})-[:ABOUT]->(o)
"""


async def create_dispute(
    tx: AsyncManagedTransaction, *, id: str, order_id: str, buyer_id: str, person_id: str, reason: str
) -> None:
    await run(tx, CREATE_DISPUTE, id=id, orderId=order_id, buyerId=buyer_id, personId=person_id, reason=reason)


DISPUTE_ORDER = """
MATCH (d:Dispute {id: $id})
RETURN d.orderId AS orderId
"""


async def dispute_order(tx: AsyncManagedTransaction, dispute_id: str) -> str | None:
    found = await run(tx, DISPUTE_ORDER, id=dispute_id)
    order_id: str | None = found[0]["orderId"] if found else None
    return order_id


LOCK_DISPUTE = """
MATCH (d:Dispute {id: $id})
SET d.lock = true
REMOVE d.lock
RETURN d.status AS status
"""


async def lock_dispute(tx: AsyncManagedTransaction, dispute_id: str) -> str | None:
    found = await run(tx, LOCK_DISPUTE, id=dispute_id)
    status: str | None = found[0]["status"] if found else None
    return status


RESOLVE_DISPUTE = """
MATCH (d:Dispute {id: $id}), (officer:Actor {id: $officerId})
SET d.status = 'resolved', d.outcome = $outcome, d.resolution = $reason, d.resolvedAt = datetime()
CREATE (officer)-[:RESOLVED]->(d)
"""


async def resolve_dispute(
    tx: AsyncManagedTransaction, dispute_id: str, officer_id: str, outcome: str, reason: str
) -> None:
    await run(tx, RESOLVE_DISPUTE, id=dispute_id, officerId=officer_id, outcome=outcome, reason=reason)


DISPUTES_BY_IDS = f"""
UNWIND $ids AS id
MATCH (d:Dispute {{id: id}})-[:ABOUT]->(o:Order), (buyer:Actor)-[:PLACED]->(o)-[:SOLD_BY]->(seller:Actor)
USING INDEX d:Dispute(id)
WITH d, o, buyer, seller, {ORDER_ROLE} AS role
WHERE role IS NOT NULL
RETURN {DISPUTE_PROJECTION}
"""


def _dispute_row(record: Record) -> DisputeRow:
    return row(DisputeRow, _flat(record, "dispute"))


async def disputes_by_ids(
    tx: AsyncManagedTransaction, ids: list[str], viewer_id: str | None, officer: bool
) -> list[DisputeRow]:
    return [
        _dispute_row(r)
        for r in await run(tx, DISPUTES_BY_IDS, ids=ids, viewerId=viewer_id, officer=officer, viewerIsPerson=True)
    ]


DISPUTES_OF_ORDERS = f"""
UNWIND $ids AS orderId
MATCH (d:Dispute {{orderId: orderId}})-[:ABOUT]->(o:Order), (buyer:Actor)-[:PLACED]->(o)-[:SOLD_BY]->(seller:Actor)
USING INDEX d:Dispute(orderId)
RETURN {DISPUTE_PROJECTION}
"""


async def disputes_of_orders(tx: AsyncManagedTransaction, order_ids: list[str]) -> list[DisputeRow]:
    """Disputes of orders the caller already may see."""
    return [_dispute_row(r) for r in await run(tx, DISPUTES_OF_ORDERS, ids=order_ids)]


DISPUTE_QUEUE = both_ways(f"""
MATCH (d:Dispute)
WHERE ($status IS NULL OR d.status = $status)
  AND ($afterTime IS NULL OR [d.openedAt, d.id] > [datetime($afterTime), $afterId])
  AND ($beforeTime IS NULL OR [d.openedAt, d.id] < [datetime($beforeTime), $beforeId])
WITH d ORDER BY d.openedAt {{ASC}}, d.id {{ASC}} LIMIT $limit
MATCH (d)-[:ABOUT]->(o:Order), (buyer:Actor)-[:PLACED]->(o)-[:SOLD_BY]->(seller:Actor)
RETURN {DISPUTE_PROJECTION}
ORDER BY d.openedAt {{ASC}}, d.id {{ASC}}
""")

DISPUTE_COUNT = """
MATCH (d:Dispute) WHERE $status IS NULL OR d.status = $status
RETURN count(d) AS total
"""


async def dispute_queue(
    tx: AsyncManagedTransaction, status: str | None, window: Window
) -> tuple[list[DisputeRow], int]:
    """One page of the dispute queue (oldest first) in the window's reading order, and the queue's length."""
    found = await run(
        tx,
        DISPUTE_QUEUE.of(window.backwards),
        status=status,
        limit=window.limit,
        **window_keyset(window),
    )
    total: int = (await run(tx, DISPUTE_COUNT, status=status))[0]["total"]
    return [_dispute_row(r) for r in found], total
