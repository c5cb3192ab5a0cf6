"""Resolvers of the cart, orders, reviews and disputes: decode ids, call one service function, wrap the result.
Nested lists (items, events, review, dispute of a page of orders) batch through per-request DataLoaders."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.dataloader import DataLoader

from core.pagination import PageRequest
from marketplace import disputes as dispute_service
from marketplace import orders as service
from marketplace import reviews as review_service
from resolvers.common import acting_organization, decode_id, payload, runtime, viewer
from schema.common import AFTER, AS_ORGANIZATION, FIRST
from schema.orders import (
    Cart,
    CartCheckoutInput,
    CartCheckoutPayload,
    CartItemSetInput,
    CartPayload,
    Dispute,
    DisputeConnection,
    DisputeOpenInput,
    DisputePayload,
    DisputeResolveInput,
    DisputeStatus,
    Order,
    OrderConnection,
    OrderEvent,
    OrderItem,
    OrderPayload,
    OrderPlaceInput,
    OrderRole,
    OrderStatus,
    OrderTransitionInput,
    Review,
    ReviewConnection,
    ReviewCreateInput,
    ReviewPayload,
    ReviewReplyInput,
)

# --- loaders ---------------------------------------------------------------------------------------------------------


def _batch(fetch):
    def factory(context) -> DataLoader:
        async def load(ids: list[str]):
            return await fetch(context, ids)

        return DataLoader(load_fn=load)

    return factory


_orders_loader = _batch(lambda c, ids: service.orders_by_ids(c.runtime, c.viewer, ids))
_items_loader = _batch(lambda c, ids: service.items_of_orders(c.runtime, ids))
_events_loader = _batch(lambda c, ids: service.events_of_orders(c.runtime, ids))
_reviews_loader = _batch(lambda c, ids: review_service.reviews_of_orders(c.runtime, ids))
_disputes_loader = _batch(lambda c, ids: dispute_service.disputes_of_orders(c.runtime, ids))


async def orders_by_ids(info: strawberry.Info, ids: list[str]) -> list[Order | None]:
    found = await info.context.loader("OrderByIdLoader", _orders_loader).load_many(ids)
    return [Order.of(o) if o else None for o in found]


async def order_items(info: strawberry.Info, order_id: str) -> list[OrderItem]:
    return [OrderItem.of(i) for i in await info.context.loader("ItemsByOrderLoader", _items_loader).load(order_id)]


async def order_events(info: strawberry.Info, order_id: str) -> list[OrderEvent]:
    found = await info.context.loader("EventsByOrderLoader", _events_loader).load(order_id)
    return [OrderEvent.of(e) for e in found]


async def order_review(info: strawberry.Info, order_id: str) -> Review | None:
    found = await info.context.loader("ReviewByOrderLoader", _reviews_loader).load(order_id)
    return Review.of(found) if found else None


async def order_dispute(info: strawberry.Info, order_id: str) -> Dispute | None:
    found = await info.context.loader("DisputeByOrderLoader", _disputes_loader).load(order_id)
    return Dispute.of(found) if found else None


async def reviews_by_ids(info: strawberry.Info, ids: list[str]) -> list[Review | None]:
    return [Review.of(r) if r else None for r in await review_service.reviews_by_ids(runtime(info), viewer(info), ids)]


async def disputes_by_ids(info: strawberry.Info, ids: list[str]) -> list[Dispute | None]:
    found = await dispute_service.disputes_by_ids(runtime(info), viewer(info), ids)
    return [Dispute.of(d) if d else None for d in found]


# --- queries ---------------------------------------------------------------------------------------------------------


async def cart(info: strawberry.Info, as_organization: AS_ORGANIZATION = None) -> Cart:
    return Cart.of(await service.my_cart(runtime(info), viewer(info), acting_organization(as_organization)))


async def my_orders(
    info: strawberry.Info,
    role: Annotated[
        OrderRole | None,
        strawberry.argument(description="Only orders I bought or sold (BUYER or SELLER); both when null."),
    ] = None,
    status: Annotated[OrderStatus | None, strawberry.argument(description="Only orders in this status.")] = None,
    as_organization: AS_ORGANIZATION = None,
    first: FIRST = None,
    after: AFTER = None,
) -> OrderConnection:
    page = await service.my_orders(
        runtime(info),
        viewer(info),
        acting_organization(as_organization),
        role=role.value if role else None,
        status=status.value if status else None,
        request=PageRequest.from_args(first=first, after=after),
    )
    return OrderConnection.from_page(page, Order.of)


async def reviews(
    info: strawberry.Info,
    seller_id: Annotated[
        strawberry.ID, strawberry.argument(description="Global id of the seller (Person or Organization).")
    ],
    first: FIRST = None,
    after: AFTER = None,
) -> ReviewConnection:
    page = await review_service.seller_reviews(
        runtime(info),
        viewer(info),
        decode_id(seller_id, ("Person", "Organization"), "sellerId"),
        PageRequest.from_args(first=first, after=after),
    )
    return ReviewConnection.from_page(page, Review.of)


async def disputes(
    info: strawberry.Info,
    status: Annotated[DisputeStatus | None, strawberry.argument(description="Only OPEN or RESOLVED disputes.")] = None,
    first: FIRST = None,
    after: AFTER = None,
) -> DisputeConnection:
    page = await dispute_service.dispute_queue(
        runtime(info), viewer(info), status.value if status else None, PageRequest.from_args(first=first, after=after)
    )
    return DisputeConnection.from_page(page, Dispute.of)


# --- mutations -------------------------------------------------------------------------------------------------------


async def cart_item_set(
    info: strawberry.Info, input: Annotated[CartItemSetInput, strawberry.argument(description="Listing, quantity.")]
) -> CartPayload:
    async def work() -> dict:
        found = await service.set_cart_item(
            runtime(info),
            viewer(info),
            acting_organization(input.as_organization),
            decode_id(input.listing_id, "Listing", "listingId"),
            input.quantity,
        )
        return {"cart": Cart.of(found)}

    return await payload(CartPayload, work)


async def cart_checkout(
    info: strawberry.Info,
    input: Annotated[CartCheckoutInput, strawberry.argument(description="Idempotency key, organisation, note.")],
) -> CartCheckoutPayload:
    async def work() -> dict:
        placed = await service.checkout(
            runtime(info), viewer(info), acting_organization(input.as_organization), input.idempotency_key, input.note
        )
        return {"orders": [Order.of(o) for o in placed]}

    return await payload(CartCheckoutPayload, work)


async def order_place(
    info: strawberry.Info,
    input: Annotated[OrderPlaceInput, strawberry.argument(description="Listing, quantity, idempotency key.")],
) -> OrderPayload:
    async def work() -> dict:
        placed = await service.place_order(
            runtime(info),
            viewer(info),
            acting_organization(input.as_organization),
            decode_id(input.listing_id, "Listing", "listingId"),
            input.quantity,
            input.idempotency_key,
        )
        return {"order": Order.of(placed)}

    return await payload(OrderPayload, work)


TRANSITION = Annotated[
    OrderTransitionInput,
    strawberry.argument(
        description="The order, the reason when one is needed, and the idempotency key when money moves."
    ),
]


async def _transition(info: strawberry.Info, input: OrderTransitionInput, action: str) -> OrderPayload:
    async def work() -> dict:
        changed = await service.transition(
            runtime(info),
            viewer(info),
            decode_id(input.order_id, "Order", "orderId"),
            action,
            key=input.idempotency_key,
            reason=input.reason,
        )
        return {"order": Order.of(changed)}

    return await payload(OrderPayload, work)


async def order_accept(info: strawberry.Info, input: TRANSITION) -> OrderPayload:
    return await _transition(info, input, "accept")


async def order_pay(info: strawberry.Info, input: TRANSITION) -> OrderPayload:
    return await _transition(info, input, "pay")


async def order_fulfil(info: strawberry.Info, input: TRANSITION) -> OrderPayload:
    return await _transition(info, input, "fulfil")


async def order_complete(info: strawberry.Info, input: TRANSITION) -> OrderPayload:
    return await _transition(info, input, "complete")


async def order_cancel(info: strawberry.Info, input: TRANSITION) -> OrderPayload:
    return await _transition(info, input, "cancel")


async def order_refund(info: strawberry.Info, input: TRANSITION) -> OrderPayload:
    return await _transition(info, input, "refund")


async def review_create(
    info: strawberry.Info, input: Annotated[ReviewCreateInput, strawberry.argument(description="Order, rating, text.")]
) -> ReviewPayload:
    async def work() -> dict:
        created = await review_service.create_review(
            runtime(info), viewer(info), decode_id(input.order_id, "Order", "orderId"), input.rating, input.text
        )
        return {"review": Review.of(created)}

    return await payload(ReviewPayload, work)


async def review_reply(
    info: strawberry.Info, input: Annotated[ReviewReplyInput, strawberry.argument(description="Review, reply text.")]
) -> ReviewPayload:
    async def work() -> dict:
        replied = await review_service.reply_review(
            runtime(info), viewer(info), decode_id(input.review_id, "Review", "reviewId"), input.text
        )
        return {"review": Review.of(replied)}

    return await payload(ReviewPayload, work)


async def dispute_open(
    info: strawberry.Info, input: Annotated[DisputeOpenInput, strawberry.argument(description="Order and reason.")]
) -> DisputePayload:
    async def work() -> dict:
        opened = await dispute_service.open_dispute(
            runtime(info), viewer(info), decode_id(input.order_id, "Order", "orderId"), input.reason
        )
        return {"dispute": Dispute.of(opened)}

    return await payload(DisputePayload, work)


async def dispute_resolve(
    info: strawberry.Info,
    input: Annotated[DisputeResolveInput, strawberry.argument(description="Dispute, outcome, reason, key.")],
) -> DisputePayload:
    async def work() -> dict:
        resolved = await dispute_service.resolve_dispute(
            runtime(info),
            viewer(info),
            decode_id(input.dispute_id, "Dispute", "disputeId"),
            input.outcome.value,
            input.reason,
            input.idempotency_key,
        )
        return {"dispute": Dispute.of(resolved)}

    return await payload(DisputePayload, work)


async def order_of_entry(info: strawberry.Info, order_id: str | None) -> Order | None:
    """LedgerEntry.order: the order a movement belongs to, if the viewer may see it."""
    return (await orders_by_ids(info, [order_id]))[0] if order_id else None
