"""Use cases of investment interest: an investor (a level-2 person, or an organisation through its owner or
admin) states interest in an ACTIVE investment listing with an amount and a message; the listing's owner
accepts or declines it; the investor may withdraw it while it is pending. Only those two sides see it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from neo4j import AsyncManagedTransaction

from auth.permissions import authorize
from auth.viewer import Viewer
from core.errors import ConflictError, ForbiddenError, NotFoundError, Problems, UserInputError
from core.pagination import CursorKind, Page, PageRequest, keyset_kind
from core.runtime import Runtime
from core.text import checked_text
from graph import investments as queries
from graph import listings as listing_queries
from graph.driver import native
from graph.investments import InterestRow
from identity.acting import act_for, acting_actor
from marketplace.acting import act_as
from marketplace.listings import listings_by_ids
from moderation.enforcement import assert_not_suspended
from notifications import notify

MAX_MESSAGE = 2000
NOT_FOUND = "No investment interest has this id."
#: The input field naming an interest (investmentInterestAnswer, investmentInterestWithdraw).
INTEREST_ID = "investmentInterestId"


@dataclass(frozen=True)
class InterestView:
    id: str
    listing_id: str
    investor_id: str
    seller_id: str
    amount_dong: int
    message: str
    status: str
    answer: str | None
    created_at: datetime
    answered_at: datetime | None


def _view(row: InterestRow) -> InterestView:
    return InterestView(
        id=row.id,
        listing_id=row.listing_id,
        investor_id=row.investor_id,
        seller_id=row.seller_id,
        amount_dong=row.amount_dong,
        message=row.message,
        status=row.status,
        answer=row.answer,
        created_at=native(row.created_at),
        answered_at=native(row.answered_at),
    )


def _check_message(text: str | None, field: str, *, required: bool) -> str | None:
    return checked_text(
        text, field=field, max_length=MAX_MESSAGE, required=required, empty="Write a message to the owner."
    )


async def _acts_for(tx: AsyncManagedTransaction, viewer: Viewer, action: str, actor_id: str) -> bool:
    """Whether the viewer is ``actor_id`` or may do ``action`` for that organisation (owner or admin)."""
    if actor_id == viewer.actor_id:
        return True
    try:
        await act_for(tx, viewer, action, actor_id)
    except (ForbiddenError, NotFoundError):
        return False
    return True


async def create_interest(
    rt: Runtime,
    viewer: Viewer,
    *,
    listing_id: str,
    amount_dong: int,
    message: str,
    organization_id: str | None,
    problems: Problems | None = None,
) -> InterestView:
    max_amount = rt.settings.max_order_total_dong
    problems = Problems() if problems is None else problems
    if amount_dong <= 0 or amount_dong > max_amount:
        problems.add(
            UserInputError(
                "An amount is a whole number of đồng from 1 to {limit:,}.",
                field="amountDong",
                params={"limit": max_amount},
            )
        )
    body = problems.take(lambda: _check_message(message, "message", required=True)) or ""
    problems.raise_if_any()
    interest_id = str(uuid.uuid4())

    async def work(tx: AsyncManagedTransaction) -> None:
        investor = await act_as(tx, viewer, "marketplace.interest.create", organization_id)
        await assert_not_suspended(tx, authorize(viewer, "marketplace.interest.create"))
        found = await listing_queries.lock_listing(tx, listing_id, viewer.actor_id)
        visible = await listing_queries.listings_by_ids(tx, [listing_id], viewer.actor_id)
        if found is None or not visible:
            raise NotFoundError("No listing has this id.", field="listingId")
        listing = found.listing
        if listing.kind != "investment":
            raise UserInputError("Interest is stated on investment opportunities only.", field="listingId")
        if found.seller_id == investor or visible[0].viewer_owns:
            raise UserInputError("This is your own listing.", field="listingId")
        if listing.status != "active":
            raise ConflictError(
                "The listing is {status}; interest is stated on ACTIVE listings only.",
                params={"status": listing.status.upper()},
            )
        if await queries.open_interest(tx, investor, listing_id):
            raise ConflictError(
                "You have a pending interest in this listing already; withdraw it or wait for the answer."
            )
        await queries.create_interest(
            tx, id=interest_id, investor_id=investor, listing_id=listing_id, amount_dong=amount_dong, message=body
        )
        if not found.seller_is_organization:
            await notify(
                tx,
                rt,
                found.seller_id,
                "investment_interest",
                actor=investor,
                subject=interest_id,
                subject_type="InvestmentInterest",
            )

    await rt.graph.write(work)
    return await _fresh(rt, viewer, interest_id)


async def answer_interest(
    rt: Runtime,
    viewer: Viewer,
    interest_id: str,
    *,
    accept: bool,
    message: str | None,
    problems: Problems | None = None,
) -> InterestView:
    authorize(viewer, "marketplace.interest.answer")
    problems = Problems() if problems is None else problems
    answer = problems.take(lambda: _check_message(message, "message", required=False))
    problems.raise_if_any()

    async def work(tx: AsyncManagedTransaction) -> None:
        found = await queries.lock_interest(tx, interest_id)
        if found is None:
            raise NotFoundError(NOT_FOUND, field=INTEREST_ID)
        if not await _acts_for(tx, viewer, "marketplace.interest.answer", found.seller_id):
            if await _acts_for(tx, viewer, "marketplace.interest.answer", found.investor_id):
                raise ForbiddenError("Only the listing's owner answers an interest.")
            raise NotFoundError(NOT_FOUND, field=INTEREST_ID)
        if found.status != "pending":
            raise ConflictError(
                "The interest is {status}; only a PENDING interest is answered.",
                params={"status": found.status.upper()},
            )
        await queries.set_interest_status(tx, interest_id, "accepted" if accept else "declined", answer, answered=True)
        investor = found.investor_id
        if investor != viewer.actor_id and not found.investor_is_organization:
            await notify(
                tx,
                rt,
                investor,
                "investment_interest_answered",
                actor=found.seller_id,
                subject=interest_id,
                subject_type="InvestmentInterest",
            )

    await rt.graph.write(work)
    return await _fresh(rt, viewer, interest_id)


async def withdraw_interest(rt: Runtime, viewer: Viewer, interest_id: str) -> InterestView:
    authorize(viewer, "marketplace.interest.withdraw")

    async def work(tx: AsyncManagedTransaction) -> None:
        found = await queries.lock_interest(tx, interest_id)
        if found is None:
            raise NotFoundError(NOT_FOUND, field=INTEREST_ID)
        if not await _acts_for(tx, viewer, "marketplace.interest.withdraw", found.investor_id):
            if await _acts_for(tx, viewer, "marketplace.interest.withdraw", found.seller_id):
                raise ForbiddenError("Only the investor withdraws an interest; the owner declines it.")
            raise NotFoundError(NOT_FOUND, field=INTEREST_ID)
        if found.status != "pending":
            raise ConflictError(
                "The interest is {status}; only a PENDING interest is withdrawn.",
                params={"status": found.status.upper()},
            )
        await queries.set_interest_status(tx, interest_id, "withdrawn", None, answered=False)

    await rt.graph.write(work)
    return await _fresh(rt, viewer, interest_id)


async def _fresh(rt: Runtime, viewer: Viewer, interest_id: str) -> InterestView:
    (view,) = await interests_by_ids(rt, viewer, [interest_id])
    if view is None:
        raise NotFoundError(NOT_FOUND, field=INTEREST_ID)
    return view


async def interests_by_ids(rt: Runtime, viewer: Viewer, ids: list[str]) -> list[InterestView | None]:
    """Views for the investor and the listing's owner; None for anyone else and unknown ids."""
    if not ids or viewer.actor_id is None:
        return [None for _ in ids]
    found = {r.id: _view(r) for r in await rt.graph.read(queries.interests_by_ids, ids, viewer.actor_id)}
    return [found.get(i) for i in ids]


#: Cursors of Listing.interests (scoped to the listing) and of myInvestmentInterests (scoped to the investor):
#: (createdAt, id).
LISTING_INTERESTS_CURSOR = keyset_kind("listingInterests")
MY_INTERESTS_CURSOR = keyset_kind("myInvestmentInterests")


def _page(rows: list[InterestRow], request: PageRequest, total: int, kind: CursorKind) -> Page[InterestView]:
    page = request.page(rows, kind, lambda r: (r.created_at, r.id), total_count=total)
    return Page(
        items=[_view(r) for r in page.items],
        cursors=page.cursors,
        has_next_page=page.has_next_page,
        has_previous_page=page.has_previous_page,
        total_count=page.total_count,
    )


async def interests_of_listing(
    rt: Runtime, viewer: Viewer, listing_id: str, request: PageRequest
) -> Page[InterestView]:
    """The interests in a listing, newest first (either way): its owner only (checked on the listing view by the
    caller and here again)."""
    (listing,) = await listings_by_ids(rt, viewer, [listing_id])
    if listing is None or not listing.viewer_owns:
        raise ForbiddenError("Only the listing's owner sees the interests in it.")
    kind = LISTING_INTERESTS_CURSOR.scoped(listing_id)
    rows, total = await rt.graph.read(queries.interests_of_listing, listing_id, request.window(kind))
    return _page(rows, request, total, kind)


async def my_interests(
    rt: Runtime, viewer: Viewer, organization_id: str | None, request: PageRequest
) -> Page[InterestView]:
    investor = await acting_actor(rt, viewer, "marketplace.interest.read_own", organization_id)
    kind = MY_INTERESTS_CURSOR.scoped(investor)
    rows, total = await rt.graph.read(queries.interests_of_investor, investor, request.window(kind))
    return _page(rows, request, total, kind)
