"""Root fields of carts, orders, reviews and disputes."""

from __future__ import annotations

import strawberry

from resolvers import orders as order_resolvers
from schema.orders import (
    Cart,
    CartCheckoutPayload,
    CartItemSetPayload,
    DisputeConnection,
    DisputeOpenPayload,
    DisputeResolvePayload,
    OrderAcceptPayload,
    OrderCancelPayload,
    OrderCompletePayload,
    OrderConnection,
    OrderFulfilPayload,
    OrderPayPayload,
    OrderPlacePayload,
    OrderRefundPayload,
    ReviewConnection,
    ReviewCreatePayload,
    ReviewReplyPayload,
)


@strawberry.type
class OrderQuery:
    """Query fields of orders; merged into the root Query by schema.assemble."""

    cart: Cart = strawberry.field(
        resolver=order_resolvers.cart,
        description="My cart (or my organisation's): listings of one or several sellers, grouped by seller.",
    )
    my_orders: OrderConnection = strawberry.field(
        resolver=order_resolvers.my_orders,
        description="Orders I (or my organisation) bought or sold, newest first.",
    )
    reviews: ReviewConnection = strawberry.field(
        resolver=order_resolvers.reviews, description="A seller's reviews by buyers, newest first (public)."
    )
    disputes: DisputeConnection = strawberry.field(
        resolver=order_resolvers.disputes, description="Officers: the queue of order disputes, oldest first."
    )


@strawberry.type
class OrderMutation:
    """Mutation fields of orders; merged into the root Mutation by schema.assemble."""

    cart_item_set: CartItemSetPayload | None = strawberry.mutation(
        resolver=order_resolvers.cart_item_set,
        description="Put a listing in my cart, change its quantity, or take it out (quantity 0).",
    )
    cart_checkout: CartCheckoutPayload | None = strawberry.mutation(
        resolver=order_resolvers.cart_checkout,
        description="Turn my cart into one order per seller, reserving stock, all or nothing (idempotent by key).",
    )
    order_place: OrderPlacePayload | None = strawberry.mutation(
        resolver=order_resolvers.order_place,
        description="Order one listing straight away, reserving stock (idempotent by key).",
    )
    order_accept: OrderAcceptPayload | None = strawberry.mutation(
        resolver=order_resolvers.order_accept, description="Sellers: accept a placed order."
    )
    order_pay: OrderPayPayload | None = strawberry.mutation(
        resolver=order_resolvers.order_pay,
        description="Buyers: pay an accepted order; the money goes into escrow (idempotent by key).",
    )
    order_fulfil: OrderFulfilPayload | None = strawberry.mutation(
        resolver=order_resolvers.order_fulfil, description="Sellers: mark a paid order delivered."
    )
    order_complete: OrderCompletePayload | None = strawberry.mutation(
        resolver=order_resolvers.order_complete,
        description="Buyers: confirm a fulfilled order; the money in escrow goes to the seller (idempotent by key).",
    )
    order_cancel: OrderCancelPayload | None = strawberry.mutation(
        resolver=order_resolvers.order_cancel,
        description="Buyer or seller: cancel before fulfilment; stock is released and a paid order refunded (key when paid).",
    )
    order_refund: OrderRefundPayload | None = strawberry.mutation(
        resolver=order_resolvers.order_refund,
        description="Sellers: refund a paid or fulfilled order with a reason; escrow goes back to the buyer (idempotent by key).",
    )
    review_create: ReviewCreatePayload | None = strawberry.mutation(
        resolver=order_resolvers.review_create,
        description="Buyers: review the seller of a completed order (once per order).",
    )
    review_reply: ReviewReplyPayload | None = strawberry.mutation(
        resolver=order_resolvers.review_reply, description="Sellers: reply once to a review."
    )
    dispute_open: DisputeOpenPayload | None = strawberry.mutation(
        resolver=order_resolvers.dispute_open,
        description="Buyers: dispute a paid or fulfilled order; it is frozen until an officer decides.",
    )
    dispute_resolve: DisputeResolvePayload | None = strawberry.mutation(
        resolver=order_resolvers.dispute_resolve,
        description="Officers: resolve a dispute by refunding the buyer or releasing the money to the seller (idempotent by key).",
    )
