"""Use cases of buying: the cart, checkout into one order per seller, "buy now", and the order's life.

Rules, all checked here (the state table itself is in ``marketplace.order_states``):
- only ACTIVE listings of kind goods, service or rental can be ordered, never one's own; a listing the buyer may
  not see (``marketplace.visibility.may_see_listing``: a status only its owner sees, an inactive seller, a block
  either way) does not exist for them;
- ordering reserves stock under the listing's write lock (listings locked in id order), so parallel buyers never
  oversell; the order that takes the last unit makes the listing sold_out; cancelling (and a refund of an order not
  yet fulfilled) puts the units back and a sold_out listing becomes active again;
- every transition locks the order first, checks the party (FORBIDDEN), then the state (CONFLICT), and writes an
  OrderEvent (who, when, why) and the money it moves (``marketplace.ledger``) in the same write transaction;
- orders are private to their buyer, seller (their owners and admins for organisations: ``auth.rules.acts_for``)
  and city officers: anyone else gets NOT_FOUND;
- every mutation that moves money, and placing orders, takes an idempotency key (``marketplace.idempotency.once``).
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from neo4j import AsyncManagedTransaction

from auth.permissions import authorize, holds
from auth.viewer import Viewer
from core.errors import ConflictError, ForbiddenError, NotFoundError, Problems, UserInputError
from core.pagination import Page, PageRequest, keyset_kind
from core.runtime import Runtime
from core.text import checked_text
from graph import orders as queries
from graph.driver import native
from graph.orders import LockedOrder, OrderableListing, OrderItem, OrderRow
from identity.acting import acting_actor
from identity.views import sandbox_admits
from marketplace import order_states
from marketplace.acting import act_as
from marketplace.idempotency import check_key, once
from marketplace.ledger import ESCROW, actor_wallet, post_entry
from marketplace.listings import acts_for_organizations
from marketplace.visibility import ListingFacts, may_see_listing
from notifications import notify
from partners.reads import Duty
from webhooks.events import PersonRef, global_id
from webhooks.outbox import emit

ORDERABLE_KINDS = ("goods", "service", "rental")
MAX_QUANTITY = 1000
MAX_REASON_LENGTH = 1000
MAX_NOTE_LENGTH = 1000
ROLES = ("buyer", "seller")
NOT_FOUND = "No order has this id, or it is not yours to see."
GONE = "No listing has this id."


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
    #: An officer overseeing the order reads both parties' transaction on duty (the access log).
    duty: tuple[Duty, ...] = ()


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


@dataclass(frozen=True)
class Party:
    """Who the viewer is on an order: its buyer or seller (``actor_id``: themself, or the organisation they act
    for) or an officer (``actor_id``: themself); ``person_id`` is the person acting."""

    role: str  # buyer | seller | officer
    actor_id: str
    person_id: str


def order_view(row: OrderRow) -> OrderView:
    return OrderView(
        id=row.id,
        status=row.status,
        total=row.total_dong,
        created_at=native(row.created_at),
        updated_at=native(row.updated_at),
        buyer_id=row.buyer_id,
        seller_id=row.seller_id,
        my_role=row.role,
        duty=(Duty("marketplace", row.buyer_id), Duty("marketplace", row.seller_id)) if row.role == "officer" else (),
    )


def _check_quantity(quantity: int, *, allow_zero: bool) -> int:
    low = 0 if allow_zero else 1
    if isinstance(quantity, bool) or not isinstance(quantity, int) or not low <= quantity <= MAX_QUANTITY:
        raise UserInputError(
            "A quantity is a whole number from {low} to {high}.",
            field="quantity",
            params={"low": low, "high": MAX_QUANTITY},
        )
    return quantity


def _check_text(value: str | None, field: str, limit: int, *, required: bool = False) -> str | None:
    return checked_text(
        value,
        field=field,
        max_length=limit,
        required=required,
        empty="Say why (a short reason the other party will read).",
    )


def _offered(listing: OrderableListing) -> bool:
    """The listing is on offer to the buyer: they may see it as anyone but its owner does (their own listing is
    refused after, whatever its status)."""
    facts = ListingFacts(
        status=listing.status,
        viewer_owns=False,
        seller_active=listing.seller_active,
        blocked_either_way=listing.blocked,
    )
    return may_see_listing(facts)


def _orderable(
    listing: OrderableListing | None, buyer_id: str, field: str | None, viewer: Viewer | None = None
) -> tuple[OrderableListing, int]:
    """The listing and its unit price when ``buyer_id`` may order it now; else the error saying why. ``field`` is
    the input field naming the listing (``listingId``), or None for a listing of the cart (at checkout). A listing
    whose seller a sandbox app's token may not know (``identity.views.sandbox_admits``) does not exist for it."""
    unknown = (
        viewer is not None and listing is not None and not sandbox_admits(viewer, listing.seller_persona_of_app_id)
    )
    if listing is None or not _offered(listing) or unknown:
        if field is None:  # it was visible when it went into the cart
            raise ConflictError("A listing in your cart is no longer offered; take it out of the cart.")
        raise NotFoundError(GONE, field=field)
    if listing.seller_id == buyer_id:
        raise ForbiddenError("You cannot order your own listing.")
    if listing.kind not in ORDERABLE_KINDS or listing.price_dong is None:
        raise ConflictError(
            "“{title}” cannot be ordered (investment opportunities are answered with an interest).",
            field=field,
            params={"title": listing.title},
        )
    if listing.status != "active":
        raise ConflictError(
            "“{title}” is {status} and cannot be ordered now.",
            params={"title": listing.title, "status": listing.status.upper()},
        )
    return listing, listing.price_dong


# --- cart ----------------------------------------------------------------------------------------------------------


async def _cart(tx: AsyncManagedTransaction, actor_id: str) -> CartView:
    rows = await queries.cart(tx, actor_id)
    return CartView(
        owner_id=actor_id,
        items=[
            CartItemView(
                listing_id=r.listing_id,
                seller_id=r.seller_id,
                title=r.title,
                quantity=r.quantity,
                unit_price=r.price_dong,
                orderable=r.status == "active",
            )
            for r in rows
        ],
    )


async def set_cart_item(
    rt: Runtime,
    viewer: Viewer,
    organization_id: str | None,
    listing_id: str,
    quantity: int,
    *,
    problems: Problems | None = None,
) -> CartView:
    """Put ``quantity`` units of a listing in my cart (0 takes it out). ``problems`` holds the mistakes the caller
    found in the input (a malformed id): all are reported with the quantity's."""
    problems = Problems() if problems is None else problems
    problems.take(lambda: _check_quantity(quantity, allow_zero=True))
    problems.raise_if_any()

    async def work(tx: AsyncManagedTransaction) -> CartView:
        me = await act_as(tx, viewer, "marketplace.cart.change", organization_id)
        if quantity > 0:
            listing, _ = _orderable(await queries.listing_for_cart(tx, listing_id, me), me, "listingId", viewer)
            if listing.stock is not None and quantity > listing.stock:
                raise ConflictError(
                    "Only {stock} of “{title}” are left.",
                    field="quantity",
                    params={"stock": listing.stock, "title": listing.title},
                )
        await queries.set_cart_item(tx, me, listing_id, quantity)
        cart = await _cart(tx, me)
        if quantity > 0 and cart.total > rt.settings.max_order_total_dong:  # raising rolls the change back
            raise UserInputError(
                "A cart totals at most {limit:,} đồng; take fewer.",
                field="quantity",
                params={"limit": rt.settings.max_order_total_dong},
            )
        return cart

    return await rt.graph.write(work)


async def my_cart(rt: Runtime, viewer: Viewer, organization_id: str | None) -> CartView:
    async def work(tx: AsyncManagedTransaction) -> CartView:
        me = await act_as(tx, viewer, "marketplace.cart.read", organization_id)
        return await _cart(tx, me)

    return await rt.graph.read(work)


# --- placing orders ------------------------------------------------------------------------------------------------


async def _place(
    tx: AsyncManagedTransaction,
    rt: Runtime,
    viewer: Viewer,
    *,
    max_total: int,
    buyer_id: str,
    person_id: str,
    wanted: dict[str, int],
    place_key: str | None,
    note: str | None,
    from_cart: bool,
) -> list[str]:
    """Lock the listings (by id), check each is orderable with enough stock, and create one order per seller.
    Raises (nothing written) when any listing fails: naming the input's ``listingId`` and ``quantity`` for one
    listing ordered straight away, nothing for the listings of a cart (the whole input)."""
    ids = sorted(wanted)
    locked = await queries.lock_listings(tx, ids, buyer_id)
    by_seller: dict[str, list[OrderItem]] = {}
    for listing_id in ids:
        listing, price = _orderable(locked.get(listing_id), buyer_id, None if from_cart else "listingId", viewer)
        quantity, stock = wanted[listing_id], listing.stock
        if stock is not None and stock < quantity:
            raise ConflictError(
                "Not enough stock of “{title}” (listing {listingId}): {stock} left, {quantity} wanted.",
                field=None if from_cart else "quantity",
                params={"title": listing.title, "listingId": listing_id, "stock": stock, "quantity": quantity},
            )
        by_seller.setdefault(listing.seller_id, []).append(
            {"listingId": listing_id, "quantity": quantity, "unitPriceDong": price, "title": listing.title}
        )
    totals = {
        seller_id: sum(i["quantity"] * i["unitPriceDong"] for i in items) for seller_id, items in by_seller.items()
    }
    if any(total > max_total for total in totals.values()):  # checked before anything is stored
        raise UserInputError(
            "An order totals at most {limit:,} đồng; order fewer.",
            field=None if from_cart else "quantity",
            params={"limit": max_total},
        )
    order_ids: list[str] = []
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
        await notify(
            tx, rt, seller_id, "order_placed", actor=buyer_id, subject=order_id, subject_type="Order", reason=note
        )
        await emit(
            tx,
            rt,
            "order.placed",
            about=[buyer_id, seller_id],
            data={
                "order": global_id("Order", order_id),
                "status": "PLACED",
                "buyer": PersonRef(buyer_id),
                "seller": PersonRef(seller_id),
                "totalDong": totals[seller_id],
                "items": [
                    {
                        "listing": global_id("Listing", i["listingId"]),
                        "title": i["title"],
                        "quantity": i["quantity"],
                        "unitPriceDong": i["unitPriceDong"],
                    }
                    for i in items
                ],
                "note": note,
            },
        )
        order_ids.append(order_id)
    return order_ids


async def checkout(
    rt: Runtime,
    viewer: Viewer,
    organization_id: str | None,
    key: str,
    note: str | None,
    *,
    problems: Problems | None = None,
) -> list[OrderView]:
    """Turn my cart into one order per seller, reserving stock, in one transaction; the cart is emptied."""
    person = authorize(viewer, "marketplace.cart.checkout")
    problems = Problems() if problems is None else problems
    problems.take(lambda: check_key(key))
    cleaned_note = problems.take(lambda: _check_text(note, "note", MAX_NOTE_LENGTH))
    problems.raise_if_any()

    async def work(tx: AsyncManagedTransaction) -> dict[str, Any]:
        me = await act_as(tx, viewer, "marketplace.cart.checkout", organization_id)

        async def effect(tx: AsyncManagedTransaction) -> dict[str, Any]:
            cart = await _cart(tx, me)
            if not cart.items:
                raise ConflictError("The cart is empty.")
            wanted = {i.listing_id: i.quantity for i in cart.items}
            order_ids = await _place(
                tx,
                rt,
                viewer,
                max_total=rt.settings.max_order_total_dong,
                buyer_id=me,
                person_id=person,
                wanted=wanted,
                place_key=f"{me}:{key}",
                note=cleaned_note,
                from_cart=True,
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
    rt: Runtime,
    viewer: Viewer,
    organization_id: str | None,
    listing_id: str,
    quantity: int,
    key: str,
    *,
    problems: Problems | None = None,
) -> OrderView:
    """Order a listing straight away ("buy now"): one order, stock reserved. ``problems`` holds the mistakes the
    caller found in the input (a malformed id): all are reported with the quantity's and the key's."""
    person = authorize(viewer, "marketplace.order.place")
    problems = Problems() if problems is None else problems
    problems.take(lambda: _check_quantity(quantity, allow_zero=False))
    problems.take(lambda: check_key(key))
    problems.raise_if_any()

    async def work(tx: AsyncManagedTransaction) -> dict[str, Any]:
        me = await act_as(tx, viewer, "marketplace.order.place", organization_id)

        async def effect(tx: AsyncManagedTransaction) -> dict[str, Any]:
            order_ids = await _place(
                tx,
                rt,
                viewer,
                max_total=rt.settings.max_order_total_dong,
                buyer_id=me,
                person_id=person,
                wanted={listing_id: quantity},
                place_key=f"{me}:{key}",
                note=None,
                from_cart=False,
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
    if order is None:  # cannot happen: the buyer sees their order
        raise NotFoundError(NOT_FOUND, field="listingId")
    return order


# --- transitions ---------------------------------------------------------------------------------------------------


async def party_of(tx: AsyncManagedTransaction, viewer: Viewer, order: LockedOrder) -> Party | None:
    """Who the viewer is on an order: its buyer or seller (themselves first, then as owner/admin of the
    organisation: ``graph.orders.acted_for_among``; a partner app acts only as its person,
    ``marketplace.listings.acts_for_organizations``), an officer, or None for a stranger (and when signed out, and
    for a sandbox app's token when a party is not one of its test personas: ``identity.views.sandbox_admits``)."""
    person = viewer.actor_id
    if person is None:
        return None
    personas = (order.buyer_persona_of_app_id, order.seller_persona_of_app_id)
    if not all(sandbox_admits(viewer, persona) for persona in personas):
        return None
    parties = {"buyer": order.buyer_id, "seller": order.seller_id}
    for role, actor in parties.items():
        if actor == person:
            return Party(role, actor, person)
    if not acts_for_organizations(viewer):
        return None  # an app never acts for an organisation its person represents (nor oversees orders)
    acted_for = await queries.acted_for_among(tx, person, list(parties.values()))
    for role, actor in parties.items():
        if actor in acted_for:
            return Party(role, actor, person)
    if holds(viewer, "marketplace.order.oversee"):
        return Party("officer", person, person)
    return None


def _wallet(party: str, order: LockedOrder) -> str:
    if party == "escrow":
        return ESCROW
    return actor_wallet(order.buyer_id if party == "buyer" else order.seller_id)


async def move(
    tx: AsyncManagedTransaction,
    rt: Runtime,
    viewer: Viewer,
    order_id: str,
    action: str,
    reason: str | None,
    *,
    key_given: bool,
    after: Callable[[AsyncManagedTransaction, LockedOrder, str], Awaitable[None]] | None = None,
    field: str = "orderId",
) -> dict[str, Any]:
    """One transition of an order inside the caller's write transaction: lock, party (FORBIDDEN / NOT_FOUND naming
    the input's ``field``), state (CONFLICT), stock, money, event. ``after(tx, order, actor_id)`` adds a use case's
    own writes (a dispute)."""
    facts = await queries.lock_order(tx, order_id)
    if facts is None:
        raise NotFoundError(NOT_FOUND, field=field)
    party = await party_of(tx, viewer, facts)
    if party is None:
        raise NotFoundError(NOT_FOUND, field=field)
    role, actor_id = party.role, party.actor_id
    state = facts.status
    transition = order_states.decide(state, action, role)
    if order_states.needs_reason(action, role) and not reason:
        raise UserInputError("Say why: the other party reads the reason.", field="reason")
    if transition.money and not key_given:
        raise UserInputError("This moves money: pass an idempotencyKey (e.g. a UUID).", field="idempotencyKey")
    if transition.releases_stock and facts.fulfilled_at is None:
        await queries.release_stock(tx, order_id)
    if transition.money:
        debit, credit, kind = transition.money
        await post_entry(
            tx,
            debit=_wallet(debit, facts),
            credit=_wallet(credit, facts),
            amount=facts.total_dong,
            kind=kind,
            order_id=order_id,
            memo=f"order {order_id}: {order_states.ACTION_NAMES[action]}",
            field=None,  # the order's total, not a value of the input
        )
    await queries.apply_transition(
        tx,
        order_id=order_id,
        event_id=str(uuid.uuid4()),
        from_state=state,
        to=transition.to,
        by_id=actor_id,
        person_id=party.person_id,
        reason=reason,
    )
    # The other party hears of it (both, when an officer decided a dispute; the officer is not named).
    for other in {facts.buyer_id, facts.seller_id} - {actor_id}:
        await notify(
            tx,
            rt,
            other,
            "order_updated",
            actor=actor_id if role != "officer" else None,
            subject=order_id,
            subject_type="Order",
            reason=reason,
        )
    await emit(
        tx,
        rt,
        "order.status_changed",
        about=[facts.buyer_id, facts.seller_id],
        data={
            "order": global_id("Order", order_id),
            "status": transition.to.upper(),
            "previousStatus": state.upper(),
            "changedBy": role.upper(),
            "buyer": PersonRef(facts.buyer_id),
            "seller": PersonRef(facts.seller_id),
            "totalDong": facts.total_dong,
            "reason": reason,
        },
    )
    if after is not None:
        await after(tx, facts, actor_id)
    return {"orderId": order_id, "status": transition.to}


async def transition(
    rt: Runtime,
    viewer: Viewer,
    order_id: str,
    action: str,
    *,
    key: str | None = None,
    reason: str | None = None,
    problems: Problems | None = None,
) -> OrderView:
    """accept, pay, fulfil, complete, cancel or refund an order; money-moving ones run once per idempotency key
    (the key is required when the transition moves money, and always accepted)."""
    person = authorize(viewer, "marketplace.order.change")
    if action not in ("accept", "pay", "fulfil", "complete", "cancel", "refund"):
        raise ValueError(action)
    problems = Problems() if problems is None else problems
    cleaned = problems.take(lambda: _check_text(reason, "reason", MAX_REASON_LENGTH))
    if key is not None:
        problems.take(lambda: check_key(key))
    problems.raise_if_any()

    async def work(tx: AsyncManagedTransaction) -> dict[str, Any]:
        async def effect(tx: AsyncManagedTransaction) -> dict[str, Any]:
            return await move(tx, rt, viewer, order_id, action, cleaned, key_given=key is not None)

        if key is None:
            return await effect(tx)
        return await once(
            tx,
            owner=person,
            key=key,
            operation=f"order.{action}",
            request={"orderId": order_id, "reason": cleaned},
            work=effect,
            retention_seconds=rt.settings.idempotency_key_retention_seconds,
        )

    await rt.graph.write(work)
    (order,) = await orders_by_ids(rt, viewer, [order_id])
    if order is None:
        raise NotFoundError(NOT_FOUND, field="orderId")
    return order


# --- reading -------------------------------------------------------------------------------------------------------


async def orders_by_ids(rt: Runtime, viewer: Viewer, ids: list[str]) -> list[OrderView | None]:
    """Views of the orders the viewer may see (None for others): buyer, seller, their representatives, officers."""
    if not ids:
        return []
    rows = await rt.graph.read(
        queries.orders_by_ids,
        ids,
        viewer.actor_id,
        holds(viewer, "marketplace.order.oversee"),
        acts_for_organizations(viewer),
    )
    found = {r.id: order_view(r) for r in rows}
    return [found.get(i) for i in ids]


async def order(rt: Runtime, viewer: Viewer, order_id: str) -> OrderView:
    (found,) = await orders_by_ids(rt, viewer, [order_id])
    if found is None:
        raise NotFoundError(NOT_FOUND)
    return found


#: Cursors of myOrders, scoped to the buyer or seller (``MY_ORDERS_CURSOR.scoped(actor)``): (createdAt, id).
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
    """My orders (or my organisation's) as buyer, seller or both, newest first (either way)."""
    problems = Problems()
    if role is not None and role not in ROLES:
        problems.add(UserInputError("A role is BUYER or SELLER.", field="role"))
    if status is not None and status not in order_states.STATES:
        problems.add(UserInputError("Unknown order status.", field="status"))
    problems.raise_if_any()
    me = await acting_actor(rt, viewer, "marketplace.order.read_own", organization_id)
    kind = MY_ORDERS_CURSOR.scoped(me)
    rows, total = await rt.graph.read(
        queries.my_orders, actor_id=me, role=role, status=status, window=request.window(kind)
    )
    page = request.page(rows, kind, lambda r: (r.created_at, r.id), total_count=total)
    return Page(
        items=[order_view(r) for r in page.items],
        cursors=page.cursors,
        has_next_page=page.has_next_page,
        has_previous_page=page.has_previous_page,
        total_count=page.total_count,
    )


async def items_of_orders(rt: Runtime, order_ids: list[str]) -> list[list[OrderItemView]]:
    """Items of orders the caller already showed to the viewer (a DataLoader batch)."""
    found = await rt.graph.read(queries.order_items, order_ids)
    return [
        [
            OrderItemView(listing_id=i.listing_id, title=i.title, quantity=i.quantity, unit_price=i.unit_price_dong)
            for i in found.get(o, [])
        ]
        for o in order_ids
    ]


async def events_of_orders(rt: Runtime, order_ids: list[str]) -> list[list[OrderEventView]]:
    found = await rt.graph.read(queries.order_events, order_ids)
    return [
        [
            OrderEventView(from_state=e.from_state, to=e.to, at=native(e.at), by_id=e.by_id, reason=e.reason)
            for e in found.get(o, [])
        ]
        for o in order_ids
    ]
