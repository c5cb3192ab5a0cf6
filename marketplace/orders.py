"""Use cases of buying: the cart, checkout into one order per seller, "buy now", and the order's life.

Rules, all checked here (the state table itself is in ``marketplace.order_states``):
- only ACTIVE listings of kind goods, service or rental can be ordered, never one's own, never from a seller one has
  blocked (or who blocked one);
- ordering reserves stock under the listing's write lock (listings locked in id order), so parallel buyers never
  oversell; the order that takes the last unit makes the listing sold_out; cancelling (and a refund of an order not
  yet fulfilled) puts the units back and a sold_out listing becomes active again;
- every transition locks the order first, checks the party (FORBIDDEN), then the state (CONFLICT), and writes an
  OrderEvent (who, when, why) and the money it moves (``marketplace.ledger``) in the same write transaction;
- orders are private to their buyer, seller (their owners and admins for organisations) and city officers: anyone
  else gets NOT_FOUND;
- every mutation that moves money, and placing orders, takes an idempotency key (``marketplace.idempotency.once``).
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from neo4j import AsyncManagedTransaction

from auth.permissions import require_person
from auth.viewer import Viewer
from core.errors import ConflictError, ForbiddenError, NotFoundError, UserInputError
from core.pagination import Page, PageRequest, keyset_kind
from core.runtime import Runtime
from core.text import checked_text
from graph import orders as queries
from graph.driver import native
from identity import service as identity
from marketplace import order_states
from marketplace.idempotency import once
from marketplace.ledger import ESCROW, actor_wallet, post_entry
from notifications import notify

ORDERABLE_KINDS = ("goods", "service", "rental")
MAX_QUANTITY = 1000
MAX_REASON_LENGTH = 1000
MAX_NOTE_LENGTH = 1000
ROLES = ("buyer", "seller")
NOT_FOUND = "No order has this id, or it is not yours to see."
GONE = "No listing has this id."
#: Listings only their owner sees (the listings rule): to anyone else they do not exist.
HIDDEN_STATUSES = ("draft", "closed")
ACTION = "buy and sell in the marketplace"


@dataclass(frozen=True)
class OrderView:
    id: str
    status: str
    total: int
    created_at: datetime
    updated_at: datetime
    buyer_id: str
    seller_id: str
    my_role: str  # buyer | seller | officer


@dataclass(frozen=True)
class OrderItemView:
    listing_id: str
    title: str
    quantity: int
    unit_price: int

    @property
    def line_total(self) -> int:
        return self.quantity * self.unit_price


@dataclass(frozen=True)
class OrderEventView:
    from_state: str | None
    to: str
    at: datetime
    by_id: str
    reason: str | None


@dataclass(frozen=True)
class CartItemView:
    listing_id: str
    seller_id: str
    title: str
    quantity: int
    unit_price: int | None
    orderable: bool

    @property
    def line_total(self) -> int:
        return self.quantity * (self.unit_price or 0)


@dataclass(frozen=True)
class CartSellerView:
    seller_id: str
    items: list[CartItemView]

    @property
    def total(self) -> int:
        return sum(i.line_total for i in self.items)


@dataclass(frozen=True)
class CartView:
    owner_id: str
    items: list[CartItemView]

    @property
    def sellers(self) -> list[CartSellerView]:
        grouped: dict[str, list[CartItemView]] = {}
        for item in self.items:
            grouped.setdefault(item.seller_id, []).append(item)
        return [CartSellerView(seller_id=s, items=items) for s, items in grouped.items()]

    @property
    def total(self) -> int:
        return sum(i.line_total for i in self.items)


def order_view(row: dict) -> OrderView:
    o = row["order"]
    return OrderView(
        id=o["id"],
        status=o["status"],
        total=o["totalDong"],
        created_at=native(o["createdAt"]),
        updated_at=native(o["updatedAt"]),
        buyer_id=row["buyerId"],
        seller_id=row["sellerId"],
        my_role=row["role"],
    )


def _check_quantity(quantity: int, *, allow_zero: bool) -> int:
    low = 0 if allow_zero else 1
    if isinstance(quantity, bool) or not isinstance(quantity, int) or not low <= quantity <= MAX_QUANTITY:
        raise UserInputError(f"A quantity is a whole number from {low} to {MAX_QUANTITY}.", field="quantity")
    return quantity


def _check_text(value: str | None, field: str, limit: int, *, required: bool = False) -> str | None:
    return checked_text(
        value,
        field=field,
        max_length=limit,
        required=required,
        empty="Say why (a short reason the other party will read).",
    )


def _orderable_problem(row: dict | None, buyer_id: str) -> str | None:
    """Why this listing cannot be ordered by ``buyer_id`` (None when it can)."""
    if row is None or row["blocked"] or row["listing"]["status"] in HIDDEN_STATUSES:
        return GONE
    listing = row["listing"]
    if row["sellerId"] == buyer_id:
        return "own"
    if listing["kind"] not in ORDERABLE_KINDS or listing.get("priceDong") is None:
        return f"“{listing['title']}” cannot be ordered (investment opportunities are answered with an interest)."
    if listing["status"] != "active":
        return f"“{listing['title']}” is {listing['status'].replace('_', ' ')} and cannot be ordered now."
    return None


def _raise_problem(problem: str, field: str) -> None:
    if problem == "own":
        raise ForbiddenError("You cannot order your own listing.")
    if problem == GONE:
        if field == "cart":  # it was visible when it went into the cart
            raise ConflictError("A listing in your cart is no longer offered; take it out of the cart.", field=field)
        raise NotFoundError(problem)
    raise ConflictError(problem, field=field)


# --- cart ----------------------------------------------------------------------------------------------------------


async def _cart(tx: AsyncManagedTransaction, actor_id: str) -> CartView:
    rows = await queries.cart(tx, actor_id)
    return CartView(
        owner_id=actor_id,
        items=[
            CartItemView(
                listing_id=r["listingId"],
                seller_id=r["sellerId"],
                title=r["title"],
                quantity=r["quantity"],
                unit_price=r["priceDong"],
                orderable=r["status"] == "active",
            )
            for r in rows
        ],
    )


async def set_cart_item(
    rt: Runtime, viewer: Viewer, organization_id: str | None, listing_id: str, quantity: int
) -> CartView:
    """Put ``quantity`` units of a listing in my cart (0 takes it out)."""
    _check_quantity(quantity, allow_zero=True)

    async def work(tx: AsyncManagedTransaction) -> CartView:
        me = await identity.act_for(tx, viewer, organization_id, level=2, action=ACTION)
        if quantity > 0:
            row = await queries.listing_for_cart(tx, listing_id, me)
            problem = _orderable_problem(row, me)
            if problem:
                _raise_problem(problem, "listingId")
            stock = row["listing"].get("stock")
            if stock is not None and quantity > stock:
                raise ConflictError(f"Only {stock} of “{row['listing']['title']}” are left.", field="quantity")
        await queries.set_cart_item(tx, me, listing_id, quantity)
        cart = await _cart(tx, me)
        if quantity > 0 and cart.total > rt.settings.max_order_total_dong:  # raising rolls the change back
            raise UserInputError(
                f"A cart totals at most {rt.settings.max_order_total_dong:,} đồng; take fewer.", field="quantity"
            )
        return cart

    return await rt.graph.write(work)


async def my_cart(rt: Runtime, viewer: Viewer, organization_id: str | None) -> CartView:
    async def work(tx: AsyncManagedTransaction) -> CartView:
        me = await identity.act_for(tx, viewer, organization_id, level=2, action=ACTION)
        return await _cart(tx, me)

    return await rt.graph.read(work)


# --- placing orders ------------------------------------------------------------------------------------------------


async def _place(
    tx: AsyncManagedTransaction,
    *,
    max_total: int,
    buyer_id: str,
    person_id: str,
    wanted: dict[str, int],
    place_key: str | None,
    note: str | None,
    field: str,
) -> list[str]:
    """Lock the listings (by id), check each is orderable with enough stock, and create one order per seller.
    Raises (nothing written) when any listing fails."""
    ids = sorted(wanted)
    locked = await queries.lock_listings(tx, ids, buyer_id)
    by_seller: dict[str, list[dict]] = {}
    for listing_id in ids:
        row = locked.get(listing_id)
        problem = _orderable_problem(row, buyer_id)
        if problem:
            _raise_problem(problem, field)
        listing, quantity = row["listing"], wanted[listing_id]
        stock = listing.get("stock")
        if stock is not None and stock < quantity:
            raise ConflictError(
                f"Not enough stock of “{listing['title']}” (listing {listing_id}): {stock} left, {quantity} wanted.",
                field=field,
            )
        by_seller.setdefault(row["sellerId"], []).append(
            {
                "listingId": listing_id,
                "quantity": quantity,
                "unitPriceDong": listing["priceDong"],
                "title": listing["title"],
            }
        )
    totals = {
        seller_id: sum(i["quantity"] * i["unitPriceDong"] for i in items) for seller_id, items in by_seller.items()
    }
    if any(total > max_total for total in totals.values()):  # checked before anything is stored
        raise UserInputError(f"An order totals at most {max_total:,} đồng; order fewer.", field=field)
    order_ids = []
    for seller_id, items in by_seller.items():
        order_id = str(uuid.uuid4())
        await queries.create_order(
            tx,
            id=order_id,
            event_id=str(uuid.uuid4()),
            buyer_id=buyer_id,
            seller_id=seller_id,
            person_id=person_id,
            total=totals[seller_id],
            items=items,
            place_key=place_key,
            note=note,
        )
        await notify(tx, seller_id, "order_placed", actor=buyer_id, subject=order_id, subject_type="Order", reason=note)
        order_ids.append(order_id)
    return order_ids


async def checkout(
    rt: Runtime, viewer: Viewer, organization_id: str | None, key: str, note: str | None
) -> list[OrderView]:
    """Turn my cart into one order per seller, reserving stock, in one transaction; the cart is emptied."""
    person = require_person(viewer)
    cleaned_note = _check_text(note, "note", MAX_NOTE_LENGTH)

    async def work(tx: AsyncManagedTransaction) -> dict:
        me = await identity.act_for(tx, viewer, organization_id, level=2, action=ACTION)

        async def effect(tx: AsyncManagedTransaction) -> dict:
            cart = await _cart(tx, me)
            if not cart.items:
                raise ConflictError("The cart is empty.", field="cart")
            wanted = {i.listing_id: i.quantity for i in cart.items}
            order_ids = await _place(
                tx,
                max_total=rt.settings.max_order_total_dong,
                buyer_id=me,
                person_id=person,
                wanted=wanted,
                place_key=f"{me}:{key}",
                note=cleaned_note,
                field="cart",
            )
            await queries.empty_cart(tx, me, list(wanted))
            return {"orderIds": order_ids}

        return await once(
            tx,
            owner=me,
            key=key,
            operation="order.checkout",
            request={"note": cleaned_note},
            work=effect,
            retention_seconds=rt.settings.idempotency_key_retention_seconds,
        )

    result = await rt.graph.write(work)
    return [o for o in await orders_by_ids(rt, viewer, result["orderIds"]) if o is not None]


async def place_order(
    rt: Runtime, viewer: Viewer, organization_id: str | None, listing_id: str, quantity: int, key: str
) -> OrderView:
    """Order a listing straight away ("buy now"): one order, stock reserved."""
    person = require_person(viewer)
    _check_quantity(quantity, allow_zero=False)

    async def work(tx: AsyncManagedTransaction) -> dict:
        me = await identity.act_for(tx, viewer, organization_id, level=2, action=ACTION)

        async def effect(tx: AsyncManagedTransaction) -> dict:
            order_ids = await _place(
                tx,
                max_total=rt.settings.max_order_total_dong,
                buyer_id=me,
                person_id=person,
                wanted={listing_id: quantity},
                place_key=f"{me}:{key}",
                note=None,
                field="quantity",
            )
            return {"orderIds": order_ids}

        return await once(
            tx,
            owner=me,
            key=key,
            operation="order.place",
            request={"listingId": listing_id, "quantity": quantity},
            work=effect,
            retention_seconds=rt.settings.idempotency_key_retention_seconds,
        )

    result = await rt.graph.write(work)
    (order,) = await orders_by_ids(rt, viewer, result["orderIds"])
    return order


# --- transitions ---------------------------------------------------------------------------------------------------


async def party_of(tx: AsyncManagedTransaction, viewer: Viewer, facts: dict) -> tuple[str | None, str | None]:
    """(role, acting actor id) of the viewer on an order: its buyer or seller (themselves, or as owner/admin of the
    organisation), an officer, or (None, None) for a stranger."""
    person = viewer.actor_id
    parties = {"buyer": facts["buyerId"], "seller": facts["sellerId"]}
    for role, actor in parties.items():
        if actor == person:
            return role, actor
    represented = await queries.represented_among(tx, person, list(parties.values()))
    for role, actor in parties.items():
        if actor in represented:
            return role, actor
    if viewer.has_role("officer"):
        return "officer", person
    return None, None


def _wallet(party: str, facts: dict) -> str:
    if party == "escrow":
        return ESCROW
    return actor_wallet(facts["buyerId"] if party == "buyer" else facts["sellerId"])


async def move(
    tx: AsyncManagedTransaction,
    viewer: Viewer,
    order_id: str,
    action: str,
    reason: str | None,
    *,
    key_given: bool,
    after: Callable[[AsyncManagedTransaction, dict, str], Awaitable[None]] | None = None,
) -> dict:
    """One transition of an order inside the caller's write transaction: lock, party (FORBIDDEN / NOT_FOUND), state
    (CONFLICT), stock, money, event. ``after(tx, facts, actor_id)`` adds a use case's own writes (a dispute)."""
    facts = await queries.lock_order(tx, order_id)
    if facts is None:
        raise NotFoundError(NOT_FOUND)
    role, actor_id = await party_of(tx, viewer, facts)
    if role is None:
        raise NotFoundError(NOT_FOUND)
    state = facts["order"]["status"]
    transition = order_states.decide(state, action, role)
    if order_states.needs_reason(action, role) and not reason:
        raise UserInputError("Say why: the other party reads the reason.", field="reason")
    if transition.money and not key_given:
        raise UserInputError("This moves money: pass an idempotencyKey (e.g. a UUID).", field="idempotencyKey")
    if transition.releases_stock and facts["order"].get("fulfilledAt") is None:
        await queries.release_stock(tx, order_id)
    if transition.money:
        debit, credit, kind = transition.money
        await post_entry(
            tx,
            debit=_wallet(debit, facts),
            credit=_wallet(credit, facts),
            amount=facts["order"]["totalDong"],
            kind=kind,
            order_id=order_id,
            memo=f"order {order_id}: {order_states.ACTION_NAMES[action]}",
        )
    await queries.apply_transition(
        tx,
        order_id=order_id,
        event_id=str(uuid.uuid4()),
        from_state=state,
        to=transition.to,
        by_id=actor_id,
        person_id=viewer.actor_id,
        reason=reason,
    )
    # The other party hears of it (both, when an officer decided a dispute; the officer is not named).
    for party in {facts["buyerId"], facts["sellerId"]} - {actor_id}:
        await notify(
            tx,
            party,
            "order_updated",
            actor=actor_id if role != "officer" else None,
            subject=order_id,
            subject_type="Order",
            reason=reason,
        )
    if after is not None:
        await after(tx, facts, actor_id)
    return {"orderId": order_id, "status": transition.to}


async def transition(
    rt: Runtime, viewer: Viewer, order_id: str, action: str, *, key: str | None = None, reason: str | None = None
) -> OrderView:
    """accept, pay, fulfil, complete, cancel or refund an order; money-moving ones run once per idempotency key
    (the key is required when the transition moves money, and always accepted)."""
    require_person(viewer)
    if action not in ("accept", "pay", "fulfil", "complete", "cancel", "refund"):
        raise ValueError(action)
    cleaned = _check_text(reason, "reason", MAX_REASON_LENGTH)

    async def work(tx: AsyncManagedTransaction) -> dict:
        async def effect(tx: AsyncManagedTransaction) -> dict:
            return await move(tx, viewer, order_id, action, cleaned, key_given=key is not None)

        if key is None:
            return await effect(tx)
        return await once(
            tx,
            owner=viewer.actor_id,
            key=key,
            operation=f"order.{action}",
            request={"orderId": order_id, "reason": cleaned},
            work=effect,
            retention_seconds=rt.settings.idempotency_key_retention_seconds,
        )

    await rt.graph.write(work)
    (order,) = await orders_by_ids(rt, viewer, [order_id])
    if order is None:
        raise NotFoundError(NOT_FOUND)
    return order


# --- reading -------------------------------------------------------------------------------------------------------


async def orders_by_ids(rt: Runtime, viewer: Viewer, ids: list[str]) -> list[OrderView | None]:
    """Views of the orders the viewer may see (None for others): buyer, seller, their representatives, officers."""
    if not ids:
        return []
    rows = await rt.graph.read(queries.orders_by_ids, ids, viewer.actor_id, viewer.has_role("officer"))
    found = {r["order"]["id"]: order_view(r) for r in rows}
    return [found.get(i) for i in ids]


async def order(rt: Runtime, viewer: Viewer, order_id: str) -> OrderView:
    (found,) = await orders_by_ids(rt, viewer, [order_id])
    if found is None:
        raise NotFoundError(NOT_FOUND)
    return found


#: Cursors of myOrders: (createdAt, id).
MY_ORDERS_CURSOR = keyset_kind("myOrders")


async def my_orders(
    rt: Runtime,
    viewer: Viewer,
    organization_id: str | None,
    *,
    role: str | None,
    status: str | None,
    request: PageRequest,
) -> Page[OrderView]:
    """My orders (or my organisation's) as buyer, seller or both, newest first."""
    if role is not None and role not in ROLES:
        raise UserInputError("A role is BUYER or SELLER.", field="role")
    if status is not None and status not in order_states.STATES:
        raise UserInputError("Unknown order status.", field="status")
    after = request.keyset(MY_ORDERS_CURSOR)
    me = await identity.acting_actor(rt, viewer, organization_id, level=0, action="see orders")
    rows, total = await rt.graph.read(
        queries.my_orders, actor_id=me, role=role, status=status, after=after, limit=request.size + 1
    )
    shown = [order_view(r) for r in rows[: request.size]]
    return Page(
        items=shown,
        cursors=[MY_ORDERS_CURSOR.encode(o.created_at, o.id) for o in shown],
        has_next_page=len(rows) > request.size,
        has_previous_page=after is not None,
        total_count=total,
    )


async def items_of_orders(rt: Runtime, order_ids: list[str]) -> list[list[OrderItemView]]:
    """Items of orders the caller already showed to the viewer (a DataLoader batch)."""
    found = await rt.graph.read(queries.order_items, order_ids)
    return [
        [
            OrderItemView(
                listing_id=i["listingId"], title=i["title"], quantity=i["quantity"], unit_price=i["unitPriceDong"]
            )
            for i in found.get(o, [])
        ]
        for o in order_ids
    ]


async def events_of_orders(rt: Runtime, order_ids: list[str]) -> list[list[OrderEventView]]:
    found = await rt.graph.read(queries.order_events, order_ids)
    return [
        [
            OrderEventView(from_state=e["from"], to=e["to"], at=native(e["at"]), by_id=e["byId"], reason=e["reason"])
            for e in found.get(o, [])
        ]
        for o in order_ids
    ]
