"""GraphQL shapes of marketplace listings and investment interest."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry
from strawberry import relay

from marketplace.investments import InterestView
from marketplace.listings import Category, ListingView
from schema.common import AFTER, BEFORE, FIRST, LAST, CountedConnection, Dong, UserError, optional_dong
from schema.identity import Actor
from schema.places import Commune

ERRORS = "Mistakes to fix (empty on success): code, field and message."


@strawberry.enum(description="What a listing offers.")
class ListingKind(Enum):
    _value_: str  # .value is the services' string (strawberry.enum_value only adds a description)
    GOODS = strawberry.enum_value("goods", description="Things for sale, with a price and a stock.")
    SERVICE = strawberry.enum_value(
        "service", description="A service, with a price (stock optional: null = unlimited)."
    )
    RENTAL = strawberry.enum_value("rental", description="Something for rent, with a price (stock optional).")
    INVESTMENT = strawberry.enum_value(
        "investment", description="An investment opportunity: a price range or 'on request'; investors state interest."
    )


@strawberry.enum(description="Where a listing stands.")
class ListingStatus(Enum):
    _value_: str  # .value is the services' string (strawberry.enum_value only adds a description)
    DRAFT = strawberry.enum_value("draft", description="Being written; only its owner sees it.")
    ACTIVE = strawberry.enum_value("active", description="Published: shown in browse and search, can be ordered.")
    PAUSED = strawberry.enum_value("paused", description="Published but paused by its owner: visible, not orderable.")
    SOLD_OUT = strawberry.enum_value(
        "sold_out", description="No stock left (set by orders); becomes ACTIVE again when restocked."
    )
    CLOSED = strawberry.enum_value("closed", description="Ended for good; only its owner sees it.")


@strawberry.enum(description="Order of a list of listings.")
class ListingSort(Enum):
    _value_: str  # .value is the services' string (strawberry.enum_value only adds a description)
    NEWEST = strawberry.enum_value("newest", description="Newest first.")
    PRICE_ASC = strawberry.enum_value(
        "price_asc", description="Cheapest first (investments by their lower bound; 'on request' last)."
    )
    PRICE_DESC = strawberry.enum_value(
        "price_desc", description="Dearest first (investments by their lower bound; 'on request' last)."
    )
    RATING = strawberry.enum_value("rating", description="Best-rated sellers first (no reviews counts as 0).")


@strawberry.enum(description="Kind of seller.")
class SellerKind(Enum):
    _value_: str  # .value is the services' string (strawberry.enum_value only adds a description)
    PERSON = strawberry.enum_value("person", description="A person selling for themself.")
    ORGANIZATION = strawberry.enum_value("organization", description="An organisation, through a representative.")


@strawberry.enum(description="Where an investment interest stands.")
class InvestmentInterestStatus(Enum):
    _value_: str  # .value is the services' string (strawberry.enum_value only adds a description)
    PENDING = strawberry.enum_value("pending", description="Waiting for the listing owner's answer.")
    ACCEPTED = strawberry.enum_value("accepted", description="The owner accepted it.")
    DECLINED = strawberry.enum_value("declined", description="The owner declined it.")
    WITHDRAWN = strawberry.enum_value("withdrawn", description="The investor withdrew it before an answer.")


@strawberry.type(description="A marketplace category: a fixed slug with Vietnamese and English labels.")
class ListingCategory:
    slug: str = strawberry.field(description="The value of `category` in inputs and filters, e.g. real-estate.")
    name_vi: str = strawberry.field(description="Vietnamese label, e.g. Bất động sản.")
    name_en: str = strawberry.field(description="English label, e.g. Real estate.")

    @classmethod
    def of(cls, c: Category) -> ListingCategory:
        return cls(slug=c.slug, name_vi=c.name_vi, name_en=c.name_en)


@strawberry.type(description="What buyers said of a seller: the average of their reviews' stars.")
class SellerRating:
    average: float | None = strawberry.field(description="Average stars (1-5); null when there are no reviews.")
    count: int = strawberry.field(description="Number of reviews.")


@strawberry.type(description="Something offered on the marketplace by a person or an organisation.")
class Listing(relay.Node):
    uuid: relay.NodeID[str]
    kind: ListingKind = strawberry.field(description="Goods, service, rental or investment opportunity.")
    title: str = strawberry.field(description="Title, 3 to 120 characters.")
    description: str = strawberry.field(description="Description, up to 5000 characters.")
    price_dong: Dong | None = strawberry.field(description="Price in đồng; null for investment opportunities.")
    price_min_dong: Dong | None = strawberry.field(description="Investment: lower end of the range, in đồng.")
    price_max_dong: Dong | None = strawberry.field(description="Investment: upper end of the range, in đồng.")
    price_on_request: bool = strawberry.field(description="Investment: the amount is discussed on request.")
    stock: int | None = strawberry.field(
        description="Units available; null for unlimited services/rentals and investments."
    )
    category: str = strawberry.field(description="Category slug (see `listingCategories`).")
    ward_code: str | None = strawberry.field(description="Code of the ward or commune where it is offered.")
    photo_urls: list[str] = strawberry.field(description="Photo addresses (https), at most 10.")
    status: ListingStatus = strawberry.field(description="Where it stands.")
    created_at: datetime = strawberry.field(description="When it was created (UTC).")
    updated_at: datetime = strawberry.field(description="When it last changed (UTC).")
    seller_rating: SellerRating = strawberry.field(description="The seller's rating from buyers' reviews.")
    viewer_is_owner: bool = strawberry.field(
        description="Whether I own it (I am the seller, or an owner or admin of the selling organisation)."
    )
    seller_id: strawberry.Private[str]
    ward_id: strawberry.Private[str | None]

    @strawberry.field(description="Who offers it; null when hidden from you.")
    async def seller(self, info: strawberry.Info) -> Actor | None:
        from resolvers.identity import actor_shown  # noqa: PLC0415 (the resolvers import the shapes)

        return await actor_shown(info, self.seller_id)

    @strawberry.field(description="The ward or commune where it is offered, if any.")
    async def ward(self, info: strawberry.Info) -> Commune | None:
        from resolvers.places import commune_by_id  # noqa: PLC0415 (the resolvers import the shapes)

        return await commune_by_id(info, self.ward_id) if self.ward_id else None

    @strawberry.field(
        description="Owner only: investors' interest in this investment opportunity, newest first; "
        "null for anyone else."
    )
    async def interests(
        self, info: strawberry.Info, first: FIRST = None, after: AFTER = None, last: LAST = None, before: BEFORE = None
    ) -> InvestmentInterestConnection | None:
        from resolvers.listings import interests_of_listing  # noqa: PLC0415 (the resolvers import the shapes)

        if not self.viewer_is_owner:
            return None
        return await interests_of_listing(info, self, first=first, after=after, last=last, before=before)

    @classmethod
    def of(cls, v: ListingView) -> Listing:
        return cls(
            uuid=v.id,
            kind=ListingKind(v.kind),
            title=v.title,
            description=v.description,
            price_dong=optional_dong(v.price_dong),
            price_min_dong=optional_dong(v.price_min_dong),
            price_max_dong=optional_dong(v.price_max_dong),
            price_on_request=v.price_on_request,
            stock=v.stock,
            category=v.category,
            ward_code=v.ward_code,
            photo_urls=list(v.photo_urls),
            status=ListingStatus(v.status),
            created_at=v.created_at,
            updated_at=v.updated_at,
            seller_rating=SellerRating(
                average=v.rating_total / v.rating_count if v.rating_count else None, count=v.rating_count
            ),
            viewer_is_owner=v.viewer_owns,
            seller_id=v.seller_id,
            ward_id=v.ward_id,
        )


@strawberry.type(description="A page of listings.")
class ListingConnection(CountedConnection[Listing]):
    pass


@strawberry.type(
    description="An investor's interest in an investment opportunity. Only the investor and the listing's owner see it."
)
class InvestmentInterest(relay.Node):
    uuid: relay.NodeID[str]
    amount_dong: Dong = strawberry.field(description="The amount the investor considers, in đồng.")
    message: str = strawberry.field(description="The investor's message to the owner.")
    status: InvestmentInterestStatus = strawberry.field(description="Where it stands.")
    answer: str | None = strawberry.field(description="The owner's answer, once given.")
    created_at: datetime = strawberry.field(description="When it was stated (UTC).")
    answered_at: datetime | None = strawberry.field(description="When the owner answered (UTC); null before.")
    listing_id: strawberry.Private[str]
    investor_id: strawberry.Private[str]

    @strawberry.field(description="The investment listing; null when it is hidden from you.")
    async def listing(self, info: strawberry.Info) -> Listing | None:
        from resolvers.listings import listing_by_id  # noqa: PLC0415 (the resolvers import the shapes)

        return await listing_by_id(info, self.listing_id)

    @strawberry.field(description="Who is interested (a person or an organisation); null when hidden from you.")
    async def investor(self, info: strawberry.Info) -> Actor | None:
        from resolvers.social import actor  # noqa: PLC0415 (the resolvers import the shapes)

        return await actor(info, self.investor_id)

    @classmethod
    def of(cls, v: InterestView) -> InvestmentInterest:
        return cls(
            uuid=v.id,
            amount_dong=Dong(v.amount_dong),
            message=v.message,
            status=InvestmentInterestStatus(v.status),
            answer=v.answer,
            created_at=v.created_at,
            answered_at=v.answered_at,
            listing_id=v.listing_id,
            investor_id=v.investor_id,
        )


@strawberry.type(description="A page of investment interests, newest first.")
class InvestmentInterestConnection(CountedConnection[InvestmentInterest]):
    pass


# --- inputs and payloads -------------------------------------------------------------------------------------


@strawberry.input(description="Which listings to show; every filter given must hold.")
class ListingFilter:
    search: str | None = strawberry.field(
        default=None,
        description="Words of the title or description, with or without diacritics ('dien thoai'); at most 200 "
        "characters and 20 words.",
    )
    kinds: list[ListingKind] | None = strawberry.field(default=None, description="Only these kinds.")
    category: str | None = strawberry.field(default=None, description="Only this category slug.")
    ward_code: str | None = strawberry.field(default=None, description="Only in this ward or commune (code).")
    min_price_dong: Dong | None = strawberry.field(
        default=None, description="Price at least this (an investment range reaching it counts); excludes 'on request'."
    )
    max_price_dong: Dong | None = strawberry.field(
        default=None,
        description="Price at most this (an investment range starting below it counts); excludes 'on request'.",
    )
    seller_kind: SellerKind | None = strawberry.field(default=None, description="Only people, or only organisations.")
    seller_id: strawberry.ID | None = strawberry.field(
        default=None, description="Only this seller (global id of a Person or Organization)."
    )


AS_ORGANIZATION_FOR_LISTING = "List for this organisation (global id), which I own or administer."


@strawberry.input(description="A new listing.")
class ListingCreateInput:
    kind: ListingKind = strawberry.field(description="What it offers.")
    title: str = strawberry.field(description="3 to 120 characters.")
    category: str = strawberry.field(description="A category slug from `listingCategories`.")
    description: str | None = strawberry.field(default=None, description="Up to 5000 characters.")
    price_dong: Dong | None = strawberry.field(
        default=None, description="Price in đồng (> 0, at most 10^15): required for goods, services and rentals."
    )
    price_min_dong: Dong | None = strawberry.field(default=None, description="Investment: lower end of the range.")
    price_max_dong: Dong | None = strawberry.field(default=None, description="Investment: upper end of the range.")
    price_on_request: bool = strawberry.field(default=False, description="Investment: amount on request, no range.")
    stock: int | None = strawberry.field(
        default=None, description="Units (0 to 1,000,000): required for goods; services/rentals: null = unlimited."
    )
    ward_code: str | None = strawberry.field(default=None, description="Code of one of Hà Nội's 126 communes.")
    photo_urls: list[str] | None = strawberry.field(default=None, description="At most 10 https URLs (500 chars each).")
    as_organization: strawberry.ID | None = strawberry.field(default=None, description=AS_ORGANIZATION_FOR_LISTING)
    publish: bool = strawberry.field(default=False, description="True: ACTIVE at once; false: a DRAFT.")


@strawberry.type(description="Result of listingCreate.")
class ListingCreatePayload:
    listing: Listing | None = strawberry.field(default=None, description="The new listing.")
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS)


@strawberry.input(description="Changes to my listing; fields left out stay as they are, null clears an optional one.")
class ListingUpdateInput:
    listing_id: strawberry.ID = strawberry.field(description="Global id of the listing.")
    title: str | None = strawberry.field(default=strawberry.UNSET, description="3 to 120 characters.")
    description: str | None = strawberry.field(default=strawberry.UNSET, description="Up to 5000 characters.")
    price_dong: Dong | None = strawberry.field(default=strawberry.UNSET, description="Price in đồng.")
    price_min_dong: Dong | None = strawberry.field(default=strawberry.UNSET, description="Investment: range low end.")
    price_max_dong: Dong | None = strawberry.field(default=strawberry.UNSET, description="Investment: range high end.")
    price_on_request: bool | None = strawberry.field(default=strawberry.UNSET, description="Investment: on request.")
    stock: int | None = strawberry.field(
        default=strawberry.UNSET, description="Units; raising it on a SOLD_OUT listing makes it ACTIVE again."
    )
    category: str | None = strawberry.field(default=strawberry.UNSET, description="A category slug.")
    ward_code: str | None = strawberry.field(default=strawberry.UNSET, description="Ward or commune code.")
    photo_urls: list[str] | None = strawberry.field(default=strawberry.UNSET, description="Photo URLs (https).")


@strawberry.type(description="Result of listingUpdate.")
class ListingUpdatePayload:
    listing: Listing | None = strawberry.field(default=None, description="The listing as it is now.")
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS)


@strawberry.input(description="The status my listing should have.")
class ListingStatusSetInput:
    listing_id: strawberry.ID = strawberry.field(description="Global id of my listing.")
    status: ListingStatus = strawberry.field(
        description="ACTIVE (publish or resume), PAUSED or CLOSED; SOLD_OUT is set by orders."
    )


@strawberry.type(description="Result of listingStatusSet.")
class ListingStatusSetPayload:
    listing: Listing | None = strawberry.field(default=None, description="The listing as it is now.")
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS)


@strawberry.input(description="An investor's interest in an ACTIVE investment listing.")
class InvestmentInterestCreateInput:
    listing_id: strawberry.ID = strawberry.field(description="Global id of the investment listing.")
    amount_dong: Dong = strawberry.field(description="The amount I consider investing, in đồng (> 0).")
    message: str = strawberry.field(description="My message to the owner (1 to 2000 characters).")
    as_organization: strawberry.ID | None = strawberry.field(
        default=None, description="State it for this organisation (global id), which I own or administer."
    )


@strawberry.type(description="Result of investmentInterestCreate.")
class InvestmentInterestCreatePayload:
    investment_interest: InvestmentInterest | None = strawberry.field(
        default=None, description="The new interest (PENDING)."
    )
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS)


@strawberry.input(description="The listing owner's answer to a pending interest.")
class InvestmentInterestAnswerInput:
    investment_interest_id: strawberry.ID = strawberry.field(description="Global id of the interest.")
    accept: bool = strawberry.field(description="True accepts, false declines.")
    message: str | None = strawberry.field(
        default=None, description="My answer to the investor (up to 2000 characters)."
    )


@strawberry.type(description="Result of investmentInterestAnswer.")
class InvestmentInterestAnswerPayload:
    investment_interest: InvestmentInterest | None = strawberry.field(
        default=None, description="The interest as it is now (ACCEPTED or DECLINED)."
    )
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS)


@strawberry.input(description="An investor withdraws a pending interest.")
class InvestmentInterestWithdrawInput:
    investment_interest_id: strawberry.ID = strawberry.field(description="Global id of my pending interest.")


@strawberry.type(description="Result of investmentInterestWithdraw.")
class InvestmentInterestWithdrawPayload:
    investment_interest: InvestmentInterest | None = strawberry.field(
        default=None, description="The interest as it is now (WITHDRAWN)."
    )
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS)
