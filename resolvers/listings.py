"""Resolvers of marketplace listings and investment interest: decode ids, call one service function, wrap."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Annotated, Any

import strawberry
from graphql import OperationType
from strawberry.dataloader import DataLoader
from strawberry.types.nodes import SelectedField, Selection

from core.errors import Problems
from core.pagination import PageRequest
from graph.listings import PROPERTIES, ListingShape
from identity.views import display_suffices
from marketplace import investments, listings
from marketplace.listings import ListingInput, ListingView
from resolvers.common import (
    acting_organization,
    decode_id,
    decode_input_id,
    decode_input_organization,
    mutate,
    runtime,
    selects,
    viewer,
)
from resolvers.identity import _representatives_loader, prime_actors, representatives_loader_name
from resolvers.places import _commune_loader
from resolvers.post_lists import relation_loader
from schema.common import AFTER, AS_ORGANIZATION, BEFORE, FIRST, LAST
from schema.listings import (
    InvestmentInterest,
    InvestmentInterestAnswerInput,
    InvestmentInterestAnswerPayload,
    InvestmentInterestConnection,
    InvestmentInterestCreateInput,
    InvestmentInterestCreatePayload,
    InvestmentInterestWithdrawInput,
    InvestmentInterestWithdrawPayload,
    Listing,
    ListingCategory,
    ListingConnection,
    ListingCreateInput,
    ListingCreatePayload,
    ListingFilter,
    ListingSort,
    ListingStatus,
    ListingStatusSetInput,
    ListingStatusSetPayload,
    ListingUpdateInput,
    ListingUpdatePayload,
)

# --- loaders ---------------------------------------------------------------------------------------------------------


def _listing_loader(context) -> DataLoader:
    async def load(ids: list[str]):
        return await listings.listings_by_ids(context.runtime, context.viewer, ids)

    return DataLoader(load_fn=load)


async def listing_by_id(info: strawberry.Info, listing_id: str) -> Listing | None:
    view = await info.context.loader("ListingByIdLoader", _listing_loader).load(listing_id)
    return Listing.of(view) if view else None


async def listings_by_ids(info: strawberry.Info, ids: list[str]) -> list[Listing | None]:
    views = await info.context.loader("ListingByIdLoader", _listing_loader).load_many(ids)
    return [Listing.of(v) if v else None for v in views]


async def interests_by_ids(info: strawberry.Info, ids: list[str]) -> list[InvestmentInterest | None]:
    views = await investments.interests_by_ids(runtime(info), viewer(info), ids)
    return [InvestmentInterest.of(v) if v else None for v in views]


async def interests_of_listing(
    info: strawberry.Info,
    listing: Listing,
    *,
    first: int | None,
    after: str | None,
    last: int | None,
    before: str | None,
) -> InvestmentInterestConnection:
    request = PageRequest.from_args(first=first, after=after, last=last, before=before)
    page = await investments.interests_of_listing(runtime(info), viewer(info), listing.uuid, request)
    return InvestmentInterestConnection.from_page(page, InvestmentInterest.of)


# --- compiled reads: the selection decides the statement, its rows prime the nested fields' loaders ---------------


def _fields(selections: Iterable[Selection]) -> Iterator[SelectedField]:
    for selection in selections:
        if isinstance(selection, SelectedField):
            yield selection
        else:  # a fragment spread or an inline fragment (of any type condition): its fields count as selected
            yield from _fields(selection.selections)


def _below(parents: list[SelectedField], name: str) -> list[SelectedField]:
    """Every selection of the field ``name`` under any of ``parents`` (aliases and fragments included)."""
    return [f for parent in parents for f in _fields(parent.selections) if f.name == name]


def _names(parents: list[SelectedField]) -> set[str]:
    return {f.name for parent in parents for f in _fields(parent.selections)}


def connection_shape(info: strawberry.Info) -> ListingShape:
    """What a page of listings (``ListingConnection``: ``edges { node }`` and ``nodes``) must read for the client's
    selection: the selected properties, and the seller's parts (``graph.listings.ListingShape``) the nested
    resolvers would otherwise load one statement each."""
    roots = [s for s in info.selected_fields if isinstance(s, SelectedField)]
    nodes = _below(_below(roots, "edges"), "node") + _below(roots, "nodes")
    names = _names(nodes)
    sellers = _below(nodes, "seller")
    seller_names = _names(sellers)
    signed_in = not viewer(info).is_anonymous
    return ListingShape(
        properties=frozenset(names) & PROPERTIES,
        rating="sellerRating" in names,
        owns="viewerIsOwner" in names or "interests" in names,
        ward="ward" in names,
        seller=bool(sellers),
        display=display_suffices(seller_names),
        relation=bool(sellers) and signed_in and "relation" in seller_names,
        representatives=bool(sellers) and signed_in and "representatives" in seller_names,
        representatives_display=display_suffices(_names(_below(_below(sellers, "representatives"), "person"))),
    )


def prime(info: strawberry.Info, views: Iterable[ListingView], shape: ListingShape) -> None:
    """Prime the loaders of the listings' nested fields (seller, its relation and representatives, ward) with what
    the compiled read found, so that they run no statement."""
    context = info.context
    query = info.operation.operation is OperationType.QUERY
    representatives_display = shape.representatives_display
    for view in views:
        if view.ward is not None:
            context.loader("CommuneByIdLoader", _commune_loader).prime(view.ward.id, view.ward)
        seller = view.seller
        if seller is None:
            continue
        prime_actors(info, {view.seller_id: seller.actor}, display=seller.rows.display is not None)
        if seller.actor is not None and seller.rows.relation is not None and query:
            # The one relation loader of the request (``resolvers.post_lists``), primed only in a query: a mutation's
            # payload reads a relation again after the change.
            context.loader("RelationByActorLoader", relation_loader).primed[view.seller_id] = seller.rows.relation
        if seller.representatives is not None:
            name = representatives_loader_name(display=representatives_display)
            context.loader(name, _representatives_loader).prime(view.seller_id, seller.representatives)


# --- queries -------------------------------------------------------------------------------------------------------


async def listings_query(
    info: strawberry.Info,
    filter: Annotated[
        ListingFilter | None, strawberry.argument(description="Which listings; all ACTIVE when null.")
    ] = None,
    sort: Annotated[ListingSort, strawberry.argument(description="Order of the list.")] = ListingSort.NEWEST,
    first: FIRST = None,
    after: AFTER = None,
    last: LAST = None,
    before: BEFORE = None,
) -> ListingConnection:
    given = filter or ListingFilter()
    seller = (
        decode_id(given.seller_id, ("Person", "Organization"), "filter.sellerId", info) if given.seller_id else None
    )
    chosen = listings.ListingFilter(
        search=given.search,
        kinds=[k.value for k in given.kinds] if given.kinds else None,
        category=given.category,
        ward_code=given.ward_code,
        min_price_dong=given.min_price_dong,
        max_price_dong=given.max_price_dong,
        seller_kind=given.seller_kind.value if given.seller_kind else None,
        seller_id=seller,
    )
    request = PageRequest.from_args(first=first, after=after, last=last, before=before)
    shape = connection_shape(info)
    page = await listings.browse(runtime(info), viewer(info), chosen, sort.value, request, shape)
    prime(info, page.items, shape)
    return ListingConnection.from_page(page, Listing.of)


async def my_listings(
    info: strawberry.Info,
    as_organization: AS_ORGANIZATION = None,
    status: Annotated[ListingStatus | None, strawberry.argument(description="Only this status.")] = None,
    first: FIRST = None,
    after: AFTER = None,
    last: LAST = None,
    before: BEFORE = None,
) -> ListingConnection:
    shape = connection_shape(info)
    page = await listings.my_listings(
        runtime(info),
        viewer(info),
        acting_organization(as_organization),
        status.value if status else None,
        PageRequest.from_args(first=first, after=after, last=last, before=before),
        shape,
        total=selects(info, "totalCount"),
    )
    prime(info, page.items, shape)
    return ListingConnection.from_page(page, Listing.of)


def listing_categories() -> list[ListingCategory]:
    return [ListingCategory.of(c) for c in listings.categories()]


async def my_investment_interests(
    info: strawberry.Info,
    as_organization: AS_ORGANIZATION = None,
    first: FIRST = None,
    after: AFTER = None,
    last: LAST = None,
    before: BEFORE = None,
) -> InvestmentInterestConnection:
    page = await investments.my_interests(
        runtime(info),
        viewer(info),
        acting_organization(as_organization),
        PageRequest.from_args(first=first, after=after, last=last, before=before),
    )
    return InvestmentInterestConnection.from_page(page, InvestmentInterest.of)


# --- mutations -----------------------------------------------------------------------------------------------------


async def listing_create(
    info: strawberry.Info, input: Annotated[ListingCreateInput, strawberry.argument(description="The listing.")]
) -> ListingCreatePayload | None:
    async def work() -> dict[str, Any]:
        problems = Problems()
        given = ListingInput(
            title=input.title,
            description=input.description,
            price_dong=input.price_dong,
            price_min_dong=input.price_min_dong,
            price_max_dong=input.price_max_dong,
            price_on_request=input.price_on_request,
            stock=input.stock,
            category=input.category,
            ward_code=input.ward_code,
            photo_urls=input.photo_urls,
        )
        view = await listings.create_listing(
            runtime(info),
            viewer(info),
            kind=input.kind.value,
            given=given,
            publish=input.publish,
            organization_id=decode_input_organization(problems, input.as_organization),
            problems=problems,
        )
        return {"listing": Listing.of(view)}

    return await mutate(info, ListingCreatePayload, work)


_UPDATABLE = (
    "title",
    "description",
    "price_dong",
    "price_min_dong",
    "price_max_dong",
    "price_on_request",
    "stock",
    "category",
    "ward_code",
    "photo_urls",
)
_CLEARABLE = {
    "price_min_dong": "priceMinDong",
    "price_max_dong": "priceMaxDong",
    "stock": "stock",
    "ward_code": "wardCode",
    "price_dong": "priceDong",
}


async def listing_update(
    info: strawberry.Info, input: Annotated[ListingUpdateInput, strawberry.argument(description="The changes.")]
) -> ListingUpdatePayload | None:
    async def work() -> dict[str, Any]:
        problems = Problems()
        listing_id = decode_input_id(problems, input.listing_id, "Listing", "listingId")
        given = ListingInput()
        for name in _UPDATABLE:
            value = getattr(input, name)
            if value is strawberry.UNSET:
                continue
            if value is None and name in _CLEARABLE:
                given.cleared.add(_CLEARABLE[name])
            else:
                setattr(given, name, value)
        view = await listings.update_listing(runtime(info), viewer(info), listing_id, given, problems=problems)
        return {"listing": Listing.of(view)}

    return await mutate(info, ListingUpdatePayload, work)


async def listing_status_set(
    info: strawberry.Info,
    input: Annotated[ListingStatusSetInput, strawberry.argument(description="The listing and its new status.")],
) -> ListingStatusSetPayload | None:
    async def work() -> dict[str, Any]:
        listing_id = decode_id(input.listing_id, "Listing", "listingId")
        view = await listings.set_status(runtime(info), viewer(info), listing_id, input.status.value)
        return {"listing": Listing.of(view)}

    return await mutate(info, ListingStatusSetPayload, work)


async def investment_interest_create(
    info: strawberry.Info,
    input: Annotated[InvestmentInterestCreateInput, strawberry.argument(description="The interest.")],
) -> InvestmentInterestCreatePayload | None:
    async def work() -> dict[str, Any]:
        problems = Problems()
        view = await investments.create_interest(
            runtime(info),
            viewer(info),
            listing_id=decode_input_id(problems, input.listing_id, "Listing", "listingId"),
            amount_dong=input.amount_dong,
            message=input.message,
            organization_id=decode_input_organization(problems, input.as_organization),
            problems=problems,
        )
        return {"investment_interest": InvestmentInterest.of(view)}

    return await mutate(info, InvestmentInterestCreatePayload, work)


async def investment_interest_answer(
    info: strawberry.Info,
    input: Annotated[InvestmentInterestAnswerInput, strawberry.argument(description="The answer.")],
) -> InvestmentInterestAnswerPayload | None:
    async def work() -> dict[str, Any]:
        problems = Problems()
        view = await investments.answer_interest(
            runtime(info),
            viewer(info),
            decode_input_id(problems, input.investment_interest_id, "InvestmentInterest", "investmentInterestId"),
            accept=input.accept,
            message=input.message,
            problems=problems,
        )
        return {"investment_interest": InvestmentInterest.of(view)}

    return await mutate(info, InvestmentInterestAnswerPayload, work)


async def investment_interest_withdraw(
    info: strawberry.Info,
    input: Annotated[InvestmentInterestWithdrawInput, strawberry.argument(description="The interest to withdraw.")],
) -> InvestmentInterestWithdrawPayload | None:
    async def work() -> dict[str, Any]:
        interest = decode_id(input.investment_interest_id, "InvestmentInterest", "investmentInterestId")
        view = await investments.withdraw_interest(runtime(info), viewer(info), interest)
        return {"investment_interest": InvestmentInterest.of(view)}

    return await mutate(info, InvestmentInterestWithdrawPayload, work)
