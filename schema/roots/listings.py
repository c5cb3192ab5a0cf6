"""Root fields of marketplace listings and investment interest."""

from __future__ import annotations

import strawberry

from resolvers import listings as listing_resolvers
from schema.listings import (
    InvestmentInterestAnswerPayload,
    InvestmentInterestConnection,
    InvestmentInterestCreatePayload,
    InvestmentInterestWithdrawPayload,
    ListingCategory,
    ListingConnection,
    ListingCreatePayload,
    ListingStatusSetPayload,
    ListingUpdatePayload,
)


@strawberry.type
class ListingQuery:
    """Query fields of listings; merged into the root Query by schema.assemble."""

    listings: ListingConnection = strawberry.field(
        resolver=listing_resolvers.listings_query,
        description="ACTIVE listings to browse or search ('dien thoai' finds 'Điện thoại'), filtered and sorted.",
    )
    my_listings: ListingConnection = strawberry.field(
        resolver=listing_resolvers.my_listings,
        description="My listings (or an organisation's I own or administer) in every status, newest first.",
    )
    listing_categories: list[ListingCategory] = strawberry.field(
        resolver=listing_resolvers.listing_categories, description="The marketplace's fixed categories."
    )
    my_investment_interests: InvestmentInterestConnection = strawberry.field(
        resolver=listing_resolvers.my_investment_interests,
        description="Interests I (or my organisation) stated in investment opportunities, newest first.",
    )


@strawberry.type
class ListingMutation:
    """Mutation fields of listings; merged into the root Mutation by schema.assemble."""

    listing_create: ListingCreatePayload | None = strawberry.mutation(
        resolver=listing_resolvers.listing_create,
        description="Offer goods, a service, a rental or an investment opportunity (needs level 2), as a DRAFT or published.",
    )
    listing_update: ListingUpdatePayload | None = strawberry.mutation(
        resolver=listing_resolvers.listing_update,
        description="Owners: change a listing's fields; restocking a SOLD_OUT listing re-opens it.",
    )
    listing_status_set: ListingStatusSetPayload | None = strawberry.mutation(
        resolver=listing_resolvers.listing_status_set,
        description="Owners: publish, pause, resume or close a listing (CONFLICT for a transition that is not allowed).",
    )
    investment_interest_create: InvestmentInterestCreatePayload | None = strawberry.mutation(
        resolver=listing_resolvers.investment_interest_create,
        description="Investors (level 2): state interest in an ACTIVE investment opportunity with an amount and a message.",
    )
    investment_interest_answer: InvestmentInterestAnswerPayload | None = strawberry.mutation(
        resolver=listing_resolvers.investment_interest_answer,
        description="Listing owners: accept or decline a pending interest.",
    )
    investment_interest_withdraw: InvestmentInterestWithdrawPayload | None = strawberry.mutation(
        resolver=listing_resolvers.investment_interest_withdraw, description="Investors: withdraw my pending interest."
    )
