"""GraphQL shapes of buying: the cart, orders and their events, reviews and disputes."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry
from strawberry import relay

from marketplace.disputes import DisputeView
from marketplace.orders import CartItemView, CartSellerView, CartView, OrderEventView, OrderItemView, OrderView
from marketplace.reviews import ReviewView
from partners.reads import Duty
from schema.access_log import DutyRead
from schema.common import AS_ORGANIZATION_DESCRIPTION, CountedConnection, Dong, UserError, optional_dong
from schema.identity import Actor
from schema.listings import Listing

ERRORS = "Mistakes to fix (empty on success): code, field and message."
#: How an order change finds who acts (said in every order change's input).
PARTY = " The party is found from the order: its buyer or seller, or an owner or admin of the organisation that is."
IDEMPOTENCY_KEY = (
    "8-100 characters of [A-Za-z0-9_-:.], new for each request (e.g. a UUID). Repeating a request with its key "
    "returns the first result; the same key with another request is a CONFLICT."
)


@strawberry.enum(description="Where an order stands.")
class OrderStatus(Enum):
    _value_: str  # .value is the services' string (strawberry.enum_value only adds a description)
    PLACED = strawberry.enum_value("placed", description="Ordered; stock reserved; waiting for the seller.")
    ACCEPTED = strawberry.enum_value("accepted", description="The seller accepted it; waiting for the buyer to pay.")
    PAID = strawberry.enum_value("paid", description="The buyer paid; the money is held in escrow.")
    FULFILLED = strawberry.enum_value("fulfilled", description="The seller delivered; waiting for the buyer.")
    COMPLETED = strawberry.enum_value("completed", description="Done: the money went to the seller.")
    CANCELLED = strawberry.enum_value("cancelled", description="Cancelled before fulfilment; stock released.")
    REFUNDED = strawberry.enum_value("refunded", description="The money went back to the buyer.")
    DISPUTED = strawberry.enum_value("disputed", description="The buyer opened a dispute; an officer decides.")


@strawberry.enum(description="My part in an order.")
class OrderRole(Enum):
    _value_: str  # .value is the services' string (strawberry.enum_value only adds a description)
    BUYER = strawberry.enum_value("buyer", description="I (or my organisation) bought.")
    SELLER = strawberry.enum_value("seller", description="I (or my organisation) sold.")
    OFFICER = strawberry.enum_value("officer", description="I see it as a city officer.")


@strawberry.enum(description="How an officer resolves a dispute.")
class DisputeOutcome(Enum):
    _value_: str  # .value is the services' string (strawberry.enum_value only adds a description)
    REFUND = strawberry.enum_value("refund", description="The money in escrow goes back to the buyer.")
    RELEASE = strawberry.enum_value("release", description="The money in escrow goes to the seller.")


@strawberry.enum(description="Where a dispute stands.")
class DisputeStatus(Enum):
    _value_: str  # .value is the services' string (strawberry.enum_value only adds a description)
    OPEN = strawberry.enum_value("open", description="Waiting for an officer.")
    RESOLVED = strawberry.enum_value("resolved", description="An officer decided it.")


@strawberry.type(description="One line of my cart.")
class CartItem:
    quantity: int = strawberry.field(description="How many units.")
    unit_price_dong: Dong | None = strawberry.field(description="The listing's price now, in đồng.")
    line_total_dong: Dong = strawberry.field(description="quantity × price, in đồng.")
    orderable: bool = strawberry.field(description="False when the listing is no longer active (checkout fails).")
    listing_id: strawberry.Private[str]

    @strawberry.field(description="The listing; null when it is hidden from me now.")
    async def listing(self, info: strawberry.Info) -> Listing | None:
        from resolvers.listings import listing_by_id  # noqa: PLC0415 (the resolvers import the shapes)

        return await listing_by_id(info, self.listing_id)

    @classmethod
    def of(cls, v: CartItemView) -> CartItem:
        return cls(
            quantity=v.quantity,
            unit_price_dong=optional_dong(v.unit_price),
            line_total_dong=Dong(v.line_total),
            orderable=v.orderable,
            listing_id=v.listing_id,
        )


@strawberry.type(description="The lines of my cart from one seller: they become one order at checkout.")
class CartSellerGroup:
    items: list[CartItem] = strawberry.field(description="The lines from this seller.")
    total_dong: Dong = strawberry.field(description="Their sum, in đồng.")
    seller_id: strawberry.Private[str]

    @strawberry.field(description="The seller; null when hidden from me.")
    async def seller(self, info: strawberry.Info) -> Actor | None:
        from resolvers.social import actor  # noqa: PLC0415 (the resolvers import the shapes)

        return await actor(info, self.seller_id)

    @classmethod
    def of(cls, v: CartSellerView) -> CartSellerGroup:
        return cls(items=[CartItem.of(i) for i in v.items], total_dong=Dong(v.total), seller_id=v.seller_id)


@strawberry.type(description="My cart: listings of one or several sellers; checkout makes one order per seller.")
class Cart:
    items: list[CartItem] = strawberry.field(description="Every line, oldest first.")
    sellers: list[CartSellerGroup] = strawberry.field(description="The lines grouped by seller.")
    total_dong: Dong = strawberry.field(description="The sum of every line, in đồng.")

    @classmethod
    def of(cls, v: CartView) -> Cart:
        return cls(
            items=[CartItem.of(i) for i in v.items],
            sellers=[CartSellerGroup.of(s) for s in v.sellers],
            total_dong=Dong(v.total),
        )


@strawberry.type(description="One line of an order, with the title and price as they were when ordered.")
class OrderItem:
    title: str = strawberry.field(description="The listing's title when ordered.")
    quantity: int = strawberry.field(description="How many units.")
    unit_price_dong: Dong = strawberry.field(description="The price per unit when ordered, in đồng.")
    line_total_dong: Dong = strawberry.field(description="quantity × unit price, in đồng.")
    listing_id: strawberry.Private[str]

    @strawberry.field(description="The listing as it is now; null when hidden from me.")
    async def listing(self, info: strawberry.Info) -> Listing | None:
        from resolvers.listings import listing_by_id  # noqa: PLC0415 (the resolvers import the shapes)

        return await listing_by_id(info, self.listing_id)

    @classmethod
    def of(cls, v: OrderItemView) -> OrderItem:
        return cls(
            title=v.title,
            quantity=v.quantity,
            unit_price_dong=Dong(v.unit_price),
            line_total_dong=Dong(v.line_total),
            listing_id=v.listing_id,
        )


@strawberry.type(description="A change of an order's status: who, when and why.")
class OrderEvent:
    from_status: OrderStatus | None = strawberry.field(name="from", description="The status before; null when placed.")
    to: OrderStatus = strawberry.field(description="The status after.")
    at: datetime = strawberry.field(description="When (UTC).")
    reason: str | None = strawberry.field(description="Why, when a reason was given.")
    by_id: strawberry.Private[str]

    @strawberry.field(description="The party that made the change (a buyer, seller or officer); null when hidden.")
    async def by(self, info: strawberry.Info) -> Actor | None:
        from resolvers.social import actor  # noqa: PLC0415 (the resolvers import the shapes)

        return await actor(info, self.by_id)

    @classmethod
    def of(cls, v: OrderEventView) -> OrderEvent:
        return cls(
            from_status=OrderStatus(v.from_state) if v.from_state else None,
            to=OrderStatus(v.to),
            at=v.at,
            reason=v.reason,
            by_id=v.by_id,
        )


@strawberry.type(
    description="An order of one buyer from one seller. Private to the two of them (and to the owners "
    "and admins of an organisation among them) and to city officers."
)
class Order(relay.Node):
    uuid: relay.NodeID[str]
    status: OrderStatus = strawberry.field(description="Where it stands.")
    total_dong: Dong = strawberry.field(description="What the buyer pays, in đồng.", extensions=[DutyRead()])
    created_at: datetime = strawberry.field(description="When it was placed (UTC).")
    updated_at: datetime = strawberry.field(description="When its status last changed (UTC).")
    my_role: OrderRole = strawberry.field(description="My part in it.")
    buyer_id: strawberry.Private[str]
    seller_id: strawberry.Private[str]
    #: An officer overseeing the order: what it holds is logged for both parties (the access log).
    duty: strawberry.Private[tuple[Duty, ...]] = ()

    @strawberry.field(description="Who buys; null when hidden from me.")
    async def buyer(self, info: strawberry.Info) -> Actor | None:
        from resolvers.social import actor  # noqa: PLC0415 (the resolvers import the shapes)

        return await actor(info, self.buyer_id)

    @strawberry.field(description="Who sells; null when hidden from me.")
    async def seller(self, info: strawberry.Info) -> Actor | None:
        from resolvers.social import actor  # noqa: PLC0415 (the resolvers import the shapes)

        return await actor(info, self.seller_id)

    @strawberry.field(description="What was ordered.", extensions=[DutyRead()])
    async def items(self, info: strawberry.Info) -> list[OrderItem]:
        from resolvers.orders import order_items  # noqa: PLC0415 (the resolvers import the shapes)

        return await order_items(info, self.uuid)

    @strawberry.field(description="Every change of status, oldest first.", extensions=[DutyRead()])
    async def events(self, info: strawberry.Info) -> list[OrderEvent]:
        from resolvers.orders import order_events  # noqa: PLC0415 (the resolvers import the shapes)

        return await order_events(info, self.uuid)

    @strawberry.field(description="The buyer's review, once the order is completed and reviewed.")
    async def review(self, info: strawberry.Info) -> Review | None:
        from resolvers.orders import order_review  # noqa: PLC0415 (the resolvers import the shapes)

        return await order_review(info, self.uuid)

    @strawberry.field(description="The dispute about this order, if the buyer opened one.")
    async def dispute(self, info: strawberry.Info) -> Dispute | None:
        from resolvers.orders import order_dispute  # noqa: PLC0415 (the resolvers import the shapes)

        return await order_dispute(info, self.uuid)

    @classmethod
    def of(cls, v: OrderView) -> Order:
        return cls(
            uuid=v.id,
            status=OrderStatus(v.status),
            total_dong=Dong(v.total),
            created_at=v.created_at,
            updated_at=v.updated_at,
            my_role=OrderRole(v.my_role),
            buyer_id=v.buyer_id,
            seller_id=v.seller_id,
            duty=v.duty,
        )


@strawberry.type(description="A page of orders, newest first.")
class OrderConnection(CountedConnection[Order]):
    pass


@strawberry.type(description="A buyer's review of a seller after a completed order, with the seller's reply. Public.")
class Review(relay.Node):
    uuid: relay.NodeID[str]
    rating: int = strawberry.field(description="Stars, 1 to 5.")
    text: str = strawberry.field(description="What the buyer wrote (up to 2000 characters).")
    created_at: datetime = strawberry.field(description="When it was written (UTC).")
    reply: str | None = strawberry.field(description="The seller's one reply, if any.")
    replied_at: datetime | None = strawberry.field(description="When the seller replied (UTC).")
    author_id: strawberry.Private[str]
    seller_id: strawberry.Private[str]

    @strawberry.field(description="The buyer who wrote it; null when hidden from me.")
    async def author(self, info: strawberry.Info) -> Actor | None:
        from resolvers.social import actor  # noqa: PLC0415 (the resolvers import the shapes)

        return await actor(info, self.author_id)

    @strawberry.field(description="The seller it is about; null when hidden from me.")
    async def seller(self, info: strawberry.Info) -> Actor | None:
        from resolvers.social import actor  # noqa: PLC0415 (the resolvers import the shapes)

        return await actor(info, self.seller_id)

    @classmethod
    def of(cls, v: ReviewView) -> Review:
        return cls(
            uuid=v.id,
            rating=v.rating,
            text=v.text,
            created_at=v.created_at,
            reply=v.reply,
            replied_at=v.replied_at,
            author_id=v.author_id,
            seller_id=v.seller_id,
        )


@strawberry.type(description="A page of reviews, newest first.")
class ReviewConnection(CountedConnection[Review]):
    pass


@strawberry.type(
    description="A buyer's dispute about a paid order, decided by a city officer. Seen by the buyer, "
    "the seller and officers."
)
class Dispute(relay.Node):
    uuid: relay.NodeID[str]
    status: DisputeStatus = strawberry.field(description="Open or resolved.")
    reason: str = strawberry.field(description="Why the buyer opened it.", extensions=[DutyRead()])
    opened_at: datetime = strawberry.field(description="When it was opened (UTC).")
    outcome: DisputeOutcome | None = strawberry.field(description="How the officer resolved it.")
    resolution: str | None = strawberry.field(description="The officer's reason for the outcome.")
    resolved_at: datetime | None = strawberry.field(description="When it was resolved (UTC).")
    order_id: strawberry.Private[str]
    officer_id: strawberry.Private[str | None]
    #: An officer (not a party) reading the dispute: logged for both parties (the access log).
    duty: strawberry.Private[tuple[Duty, ...]] = ()

    @strawberry.field(description="The disputed order.")
    async def order(self, info: strawberry.Info) -> Order | None:
        from resolvers.orders import orders_by_ids  # noqa: PLC0415 (the resolvers import the shapes)

        return (await orders_by_ids(info, [self.order_id]))[0]

    @strawberry.field(description="The officer who resolved it; null while open.")
    async def resolved_by(self, info: strawberry.Info) -> Actor | None:
        from resolvers.social import actor  # noqa: PLC0415 (the resolvers import the shapes)

        return await actor(info, self.officer_id) if self.officer_id else None

    @classmethod
    def of(cls, v: DisputeView) -> Dispute:
        return cls(
            uuid=v.id,
            status=DisputeStatus(v.status),
            reason=v.reason,
            opened_at=v.opened_at,
            outcome=DisputeOutcome(v.outcome) if v.outcome else None,
            resolution=v.resolution,
            resolved_at=v.resolved_at,
            order_id=v.order_id,
            officer_id=v.officer_id,
            duty=v.duty,
        )


@strawberry.type(description="A page of disputes, oldest first.")
class DisputeConnection(CountedConnection[Dispute]):
    pass


# --- inputs and payloads -------------------------------------------------------------------------------------------


@strawberry.input(description="Put a listing in my cart, change its quantity, or take it out.")
class CartItemSetInput:
    listing_id: strawberry.ID = strawberry.field(description="Global id of an ACTIVE listing (goods, service, rental).")
    quantity: int = strawberry.field(description="How many units; 0 takes the listing out of the cart.")
    as_organization: strawberry.ID | None = strawberry.field(default=None, description=AS_ORGANIZATION_DESCRIPTION)


@strawberry.type(description="Result of cartItemSet.")
class CartItemSetPayload:
    cart: Cart | None = strawberry.field(default=None, description="My cart now.")
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS)


@strawberry.input(description="Turn my cart into one order per seller.")
class CartCheckoutInput:
    idempotency_key: str = strawberry.field(description=IDEMPOTENCY_KEY)
    as_organization: strawberry.ID | None = strawberry.field(default=None, description=AS_ORGANIZATION_DESCRIPTION)
    note: str | None = strawberry.field(default=None, description="A note for the sellers (up to 1000 characters).")


@strawberry.type(description="Result of cartCheckout.")
class CartCheckoutPayload:
    orders: list[Order] = strawberry.field(default_factory=list, description="One new order per seller.")
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS)


@strawberry.input(description="Order one listing straight away (the 'buy now' button).")
class OrderPlaceInput:
    listing_id: strawberry.ID = strawberry.field(description="Global id of an ACTIVE listing (goods, service, rental).")
    quantity: int = strawberry.field(description="How many units (1 to 1000).")
    idempotency_key: str = strawberry.field(description=IDEMPOTENCY_KEY)
    as_organization: strawberry.ID | None = strawberry.field(default=None, description=AS_ORGANIZATION_DESCRIPTION)


@strawberry.type(description="Result of orderPlace.")
class OrderPlacePayload:
    order: Order | None = strawberry.field(default=None, description="The new order (PLACED).")
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS)


@strawberry.input(description="Sellers accept a placed order." + PARTY)
class OrderAcceptInput:
    order_id: strawberry.ID = strawberry.field(description="Global id of the order.")
    idempotency_key: str | None = strawberry.field(
        default=None, description="Optional (nothing moves money here): makes a retry safe. " + IDEMPOTENCY_KEY
    )
    reason: str | None = strawberry.field(
        default=None, description="Why, if I want to say (up to 1000 characters); the buyer reads it."
    )


@strawberry.type(description="Result of orderAccept.")
class OrderAcceptPayload:
    order: Order | None = strawberry.field(default=None, description="The order as it is now (ACCEPTED on success).")
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS)


@strawberry.input(description="Buyers pay an accepted order; the money goes into escrow." + PARTY)
class OrderPayInput:
    order_id: strawberry.ID = strawberry.field(description="Global id of the order.")
    idempotency_key: str = strawberry.field(description=IDEMPOTENCY_KEY)
    reason: str | None = strawberry.field(default=None, description="A note for the seller (up to 1000 characters).")


@strawberry.type(description="Result of orderPay.")
class OrderPayPayload:
    order: Order | None = strawberry.field(default=None, description="The order as it is now (PAID on success).")
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS)


@strawberry.input(description="Sellers mark a paid order delivered." + PARTY)
class OrderFulfilInput:
    order_id: strawberry.ID = strawberry.field(description="Global id of the order.")
    idempotency_key: str | None = strawberry.field(
        default=None, description="Optional (nothing moves money here): makes a retry safe. " + IDEMPOTENCY_KEY
    )
    reason: str | None = strawberry.field(
        default=None, description="A note for the buyer (up to 1000 characters), e.g. how it was delivered."
    )


@strawberry.type(description="Result of orderFulfil.")
class OrderFulfilPayload:
    order: Order | None = strawberry.field(default=None, description="The order as it is now (FULFILLED on success).")
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS)


@strawberry.input(description="Buyers confirm a fulfilled order; the money in escrow goes to the seller." + PARTY)
class OrderCompleteInput:
    order_id: strawberry.ID = strawberry.field(description="Global id of the order.")
    idempotency_key: str = strawberry.field(description=IDEMPOTENCY_KEY)
    reason: str | None = strawberry.field(default=None, description="A note for the seller (up to 1000 characters).")


@strawberry.type(description="Result of orderComplete.")
class OrderCompletePayload:
    order: Order | None = strawberry.field(default=None, description="The order as it is now (COMPLETED on success).")
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS)


@strawberry.input(
    description="The buyer or the seller cancels an order before fulfilment; stock is released and a paid order refunded."
    + PARTY
)
class OrderCancelInput:
    order_id: strawberry.ID = strawberry.field(description="Global id of the order.")
    idempotency_key: str | None = strawberry.field(
        default=None, description="Required when the order is paid (the money goes back). " + IDEMPOTENCY_KEY
    )
    reason: str | None = strawberry.field(
        default=None,
        description="Why (up to 1000 characters); required when the seller cancels. The other party reads it.",
    )


@strawberry.type(description="Result of orderCancel.")
class OrderCancelPayload:
    order: Order | None = strawberry.field(default=None, description="The order as it is now (CANCELLED on success).")
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS)


@strawberry.input(
    description="Sellers refund a paid or fulfilled order; the money in escrow goes back to the buyer." + PARTY
)
class OrderRefundInput:
    order_id: strawberry.ID = strawberry.field(description="Global id of the order.")
    idempotency_key: str = strawberry.field(description=IDEMPOTENCY_KEY)
    reason: str = strawberry.field(description="Why (1 to 1000 characters); the buyer reads it.")


@strawberry.type(description="Result of orderRefund.")
class OrderRefundPayload:
    order: Order | None = strawberry.field(default=None, description="The order as it is now (REFUNDED on success).")
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS)


@strawberry.input(description="A review of a completed order's seller, by its buyer.")
class ReviewCreateInput:
    order_id: strawberry.ID = strawberry.field(description="Global id of the completed order.")
    rating: int = strawberry.field(description="Stars, 1 to 5.")
    text: str = strawberry.field(description="What I say (1 to 2000 characters).")


@strawberry.type(description="Result of reviewCreate.")
class ReviewCreatePayload:
    review: Review | None = strawberry.field(default=None, description="The new review.")
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS)


@strawberry.input(description="The seller's one reply to a review.")
class ReviewReplyInput:
    review_id: strawberry.ID = strawberry.field(description="Global id of the review.")
    text: str = strawberry.field(description="The reply (1 to 2000 characters).")


@strawberry.type(description="Result of reviewReply.")
class ReviewReplyPayload:
    review: Review | None = strawberry.field(default=None, description="The review with its reply.")
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS)


@strawberry.input(description="A buyer's dispute about a paid or fulfilled order.")
class DisputeOpenInput:
    order_id: strawberry.ID = strawberry.field(description="Global id of the order.")
    reason: str = strawberry.field(description="What went wrong (up to 1000 characters).")


@strawberry.type(description="Result of disputeOpen.")
class DisputeOpenPayload:
    dispute: Dispute | None = strawberry.field(default=None, description="The new dispute (OPEN).")
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS)


@strawberry.input(description="An officer's decision on an open dispute.")
class DisputeResolveInput:
    dispute_id: strawberry.ID = strawberry.field(description="Global id of the dispute.")
    outcome: DisputeOutcome = strawberry.field(description="REFUND the buyer or RELEASE the money to the seller.")
    reason: str = strawberry.field(description="Why (up to 1000 characters); the parties see it.")
    idempotency_key: str = strawberry.field(description=IDEMPOTENCY_KEY)


@strawberry.type(description="Result of disputeResolve.")
class DisputeResolvePayload:
    dispute: Dispute | None = strawberry.field(default=None, description="The dispute as it is now (RESOLVED).")
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS)
