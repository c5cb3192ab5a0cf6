"""Resolvers of the cart, orders, reviews and disputes: decode ids, call one service function, wrap the result.
Nested lists (items, events, review, dispute of a page of orders) batch through per-request DataLoaders."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import strawberry
from strawberry.dataloader import DataLoader

from core.errors import Problems
from core.pagination import PageRequest
from marketplace import disputes as dispute_service
from marketplace import orders as service
from marketplace import reviews as review_service
from resolvers.common import (
    acting_organization,
    decode_id,
    decode_input_id,
    decode_input_organization,
    mutate,
    runtime,
    viewer,
)
from schema.common import AFTER, AS_ORGANIZATION, BEFORE, FIRST, LAST
from schema.orders import (
    Cart,
    CartCheckoutInput,
    CartCheckoutPayload,
    CartItemSetInput,
    CartItemSetPayload,
    Dispute,
    DisputeConnection,
    DisputeOpenInput,
    DisputeOpenPayload,
    DisputeResolveInput,
    DisputeResolvePayload,
    DisputeStatus,
    Order,
    OrderAcceptInput,
    OrderAcceptPayload,
    OrderCancelInput,
    OrderCancelPayload,
    OrderCompleteInput,
    OrderCompletePayload,
    OrderConnection,
    OrderEvent,
    OrderFulfilInput,
    OrderFulfilPayload,
    OrderItem,
    OrderPayInput,
    OrderPayPayload,
    OrderPlaceInput,
    OrderPlacePayload,
    OrderRefundInput,
    OrderRefundPayload,
    OrderRole,
    OrderStatus,
    Review,
    ReviewConnection,
    ReviewCreateInput,
    ReviewCreatePayload,
    ReviewReplyInput,
    ReviewReplyPayload,
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
_disputes_loader = _batch(lambda c, ids: dispute_service.disputes_of_orders(c.runtime, c.viewer, ids))


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
    last: LAST = None,
    before: BEFORE = None,
) -> OrderConnection:
    page = await service.my_orders(
        runtime(info),
        viewer(info),
        acting_organization(as_organization),
        role=role.value if role else None,
        status=status.value if status else None,
        request=PageRequest.from_args(first=first, after=after, last=last, before=before),
    )
    return OrderConnection.from_page(page, Order.of)


async def reviews(
    info: strawberry.Info,
    seller_id: Annotated[
        strawberry.ID, strawberry.argument(description="Global id of the seller (Person or Organization).")
    ],
    first: FIRST = None,
    after: AFTER = None,
    last: LAST = None,
    before: BEFORE = None,
) -> ReviewConnection:
    page = await review_service.seller_reviews(
        runtime(info),
        viewer(info),
        decode_id(seller_id, ("Person", "Organization"), "sellerId", info),
        PageRequest.from_args(first=first, after=after, last=last, before=before),
    )
    return ReviewConnection.from_page(page, Review.of)


async def disputes(
    info: strawberry.Info,
    status: Annotated[DisputeStatus | None, strawberry.argument(description="Only OPEN or RESOLVED disputes.")] = None,
    first: FIRST = None,
    after: AFTER = None,
    last: LAST = None,
    before: BEFORE = None,
) -> DisputeConnection:
    request = PageRequest.from_args(first=first, after=after, last=last, before=before)
    page = await dispute_service.dispute_queue(runtime(info), viewer(info), status.value if status else None, request)
    return DisputeConnection.from_page(page, Dispute.of)


# --- mutations -------------------------------------------------------------------------------------------------------


async def cart_item_set(
    info: strawberry.Info, input: Annotated[CartItemSetInput, strawberry.argument(description="Listing, quantity.")]
) -> CartItemSetPayload | None:
    async def work() -> dict[str, Any]:
        problems = Problems()
        found = await service.set_cart_item(
            runtime(info),
            viewer(info),
            decode_input_organization(problems, input.as_organization),
            decode_input_id(problems, input.listing_id, "Listing", "listingId"),
            input.quantity,
            problems=problems,
        )
        return {"cart": Cart.of(found)}

    return await mutate(info, CartItemSetPayload, work)


async def cart_checkout(
    info: strawberry.Info,
    input: Annotated[CartCheckoutInput, strawberry.argument(description="Idempotency key, organisation, note.")],
) -> CartCheckoutPayload | None:
    async def work() -> dict[str, Any]:
        problems = Problems()
        placed = await service.checkout(
            runtime(info),
            viewer(info),
            decode_input_organization(problems, input.as_organization),
            input.idempotency_key,
            input.note,
            problems=problems,
        )
        return {"orders": [Order.of(o) for o in placed]}

    return await mutate(info, CartCheckoutPayload, work)


async def order_place(
    info: strawberry.Info,
    input: Annotated[OrderPlaceInput, strawberry.argument(description="Listing, quantity, idempotency key.")],
) -> OrderPlacePayload | None:
    async def work() -> dict[str, Any]:
        problems = Problems()
        placed = await service.place_order(
            runtime(info),
            viewer(info),
            decode_input_organization(problems, input.as_organization),
            decode_input_id(problems, input.listing_id, "Listing", "listingId"),
            input.quantity,
            input.idempotency_key,
            problems=problems,
        )
        return {"order": Order.of(placed)}

    return await mutate(info, OrderPlacePayload, work)


TRANSITION = "The order, the idempotency key when money moves, and a reason when one is needed."

P = TypeVar("P")


async def _transition(
    info: strawberry.Info,
    cls: Callable[..., P],
    action: str,
    order_id: strawberry.ID,
    key: str | None,
    reason: str | None,
) -> P:
    async def work() -> dict[str, Any]:
        problems = Problems()
        order = decode_input_id(problems, order_id, "Order", "orderId")
        changed = await service.transition(
            runtime(info), viewer(info), order, action, key=key, reason=reason, problems=problems
        )
        return {"order": Order.of(changed)}

    return await mutate(info, cls, work)


async def order_accept(
    info: strawberry.Info,
    input: Annotated[OrderAcceptInput, strawberry.argument(description=TRANSITION)],
) -> OrderAcceptPayload | None:
    return await _transition(info, OrderAcceptPayload, "accept", input.order_id, input.idempotency_key, input.reason)


async def order_pay(
    info: strawberry.Info,
    input: Annotated[OrderPayInput, strawberry.argument(description=TRANSITION)],
) -> OrderPayPayload | None:
    return await _transition(info, OrderPayPayload, "pay", input.order_id, input.idempotency_key, input.reason)


async def order_fulfil(
    info: strawberry.Info,
    input: Annotated[OrderFulfilInput, strawberry.argument(description=TRANSITION)],
) -> OrderFulfilPayload | None:
    return await _transition(info, OrderFulfilPayload, "fulfil", input.order_id, input.idempotency_key, input.reason)


async def order_complete(
    info: strawberry.Info,
    input: Annotated[OrderCompleteInput, strawberry.argument(description=TRANSITION)],
) -> OrderCompletePayload | None:
    return await _transition(
        info, OrderCompletePayload, "complete", input.order_id, input.idempotency_key, input.reason
    )


async def order_cancel(
    info: strawberry.Info,
    input: Annotated[OrderCancelInput, strawberry.argument(description=TRANSITION)],
) -> OrderCancelPayload | None:
    return await _transition(info, OrderCancelPayload, "cancel", input.order_id, input.idempotency_key, input.reason)


async def order_refund(
    info: strawberry.Info,
    input: Annotated[OrderRefundInput, strawberry.argument(description=TRANSITION)],
) -> OrderRefundPayload | None:
    return await _transition(info, OrderRefundPayload, "refund", input.order_id, input.idempotency_key, input.reason)


async def review_create(
    info: strawberry.Info, input: Annotated[ReviewCreateInput, strawberry.argument(description="Order, rating, text.")]
) -> ReviewCreatePayload | None:
    async def work() -> dict[str, Any]:
        problems = Problems()
        order = decode_input_id(problems, input.order_id, "Order", "orderId")
        created = await review_service.create_review(
            runtime(info), viewer(info), order, input.rating, input.text, problems=problems
        )
        return {"review": Review.of(created)}

    return await mutate(info, ReviewCreatePayload, work)


async def review_reply(
    info: strawberry.Info, input: Annotated[ReviewReplyInput, strawberry.argument(description="Review, reply text.")]
) -> ReviewReplyPayload | None:
    async def work() -> dict[str, Any]:
        problems = Problems()
        review = decode_input_id(problems, input.review_id, "Review", "reviewId")
        replied = await review_service.reply_review(runtime(info), viewer(info), review, input.text, problems=problems)
        return {"review": Review.of(replied)}

    return await mutate(info, ReviewReplyPayload, work)


async def dispute_open(
    info: strawberry.Info, input: Annotated[DisputeOpenInput, strawberry.argument(description="Order and reason.")]
) -> DisputeOpenPayload | None:
    async def work() -> dict[str, Any]:
        problems = Problems()
        order = decode_input_id(problems, input.order_id, "Order", "orderId")
        opened = await dispute_service.open_dispute(runtime(info), viewer(info), order, input.reason, problems=problems)
        return {"dispute": Dispute.of(opened)}

    return await mutate(info, DisputeOpenPayload, work)


async def dispute_resolve(
    info: strawberry.Info,
    input: Annotated[DisputeResolveInput, strawberry.argument(description="Dispute, outcome, reason, key.")],
) -> DisputeResolvePayload | None:
    async def work() -> dict[str, Any]:
        problems = Problems()
        resolved = await dispute_service.resolve_dispute(
            runtime(info),
            viewer(info),
            decode_input_id(problems, input.dispute_id, "Dispute", "disputeId"),
            input.outcome.value,
            input.reason,
            input.idempotency_key,
            problems=problems,
        )
        return {"dispute": Dispute.of(resolved)}

    return await mutate(info, DisputeResolvePayload, work)


async def order_of_entry(info: strawberry.Info, order_id: str | None) -> Order | None:
    """LedgerEntry.order: the order a movement belongs to, if the viewer may see it."""
    return (await orders_by_ids(info, [order_id]))[0] if order_id else None
