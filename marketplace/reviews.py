"""Use cases of reviews: the buyer of a completed order rates the seller (1-5 stars and a text) once; the seller
replies once. The seller's ``ratingTotal``/``ratingCount`` (read by listings as the seller rating) change in the
same transaction as the review, under the seller's write lock, so they always match the reviews."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from neo4j import AsyncManagedTransaction

from auth.permissions import authorize
from auth.viewer import Viewer
from core.errors import ConflictError, ForbiddenError, NotFoundError, Problems, UserInputError
from core.pagination import Page, PageRequest, keyset_kind
from core.runtime import Runtime
from core.text import checked_text
from graph import orders as queries
from graph.driver import native
from graph.orders import ReviewRow
from marketplace.orders import NOT_FOUND, party_of

MAX_TEXT_LENGTH = 2000
NO_REVIEW = "No review has this id."


@dataclass(frozen=True)
class ReviewView:
    id: str
    order_id: str
    seller_id: str
    author_id: str
    rating: int
    text: str
    created_at: datetime
    reply: str | None
    replied_at: datetime | None


def review_view(row: ReviewRow) -> ReviewView:
    return ReviewView(
        id=row.id,
        order_id=row.order_id,
        seller_id=row.seller_id,
        author_id=row.author_id,
        rating=row.rating,
        text=row.text,
        created_at=native(row.created_at),
        reply=row.reply,
        replied_at=native(row.replied_at),
    )


def _check_text(text: str, field: str) -> str:
    return (
        checked_text(
            text,
            field=field,
            max_length=MAX_TEXT_LENGTH,
            required=True,
            empty="Write 1 to 2,000 characters.",
        )
        or ""
    )


async def create_review(
    rt: Runtime, viewer: Viewer, order_id: str, rating: int, text: str, *, problems: Problems | None = None
) -> ReviewView:
    """The buyer of a completed order reviews its seller, once."""
    person = authorize(viewer, "marketplace.review.create")
    problems = Problems() if problems is None else problems
    if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
        problems.add(UserInputError("A rating is 1 to 5 stars.", field="rating"))
    cleaned = problems.take(lambda: _check_text(text, "text")) or ""
    problems.raise_if_any()
    review_id = str(uuid.uuid4())

    async def work(tx: AsyncManagedTransaction) -> None:
        order = await queries.lock_order(tx, order_id)
        if order is None:
            raise NotFoundError(NOT_FOUND, field="orderId")
        party = await party_of(tx, viewer, order)
        if party is None:
            raise NotFoundError(NOT_FOUND, field="orderId")
        if party.role != "buyer":
            raise ForbiddenError("Only the order's buyer may review it (a seller cannot review their own order).")
        if order.status != "completed":
            raise ConflictError(
                "The order is {status}: only a completed order can be reviewed.", params={"status": order.status}
            )
        if await queries.review_of_order(tx, order_id) is not None:
            raise ConflictError("This order has a review already; there is one review per order.")
        await queries.create_review(
            tx,
            id=review_id,
            order_id=order_id,
            seller_id=order.seller_id,
            buyer_id=party.actor_id,
            person_id=person,
            rating=rating,
            text=cleaned,
        )

    await rt.graph.write(work)
    return await _fresh(rt, viewer, review_id)


async def reply_review(
    rt: Runtime, viewer: Viewer, review_id: str, text: str, *, problems: Problems | None = None
) -> ReviewView:
    """The reviewed seller (or an owner/admin of the selling organisation) answers a review, once."""
    person = authorize(viewer, "marketplace.review.reply")
    problems = Problems() if problems is None else problems
    cleaned = problems.take(lambda: _check_text(text, "text")) or ""
    problems.raise_if_any()

    async def work(tx: AsyncManagedTransaction) -> None:
        review = await queries.lock_review(tx, review_id)
        if review is None:
            raise NotFoundError(NO_REVIEW, field="reviewId")
        seller = review.seller_id
        if seller != person and seller not in await queries.acted_for_among(tx, person, [seller]):
            raise ForbiddenError("Only the reviewed seller may reply to a review.")
        if review.reply is not None:
            raise ConflictError("This review has a reply already; the seller replies once.")
        await queries.reply_review(tx, review_id, cleaned, person)

    await rt.graph.write(work)
    return await _fresh(rt, viewer, review_id)


async def _fresh(rt: Runtime, viewer: Viewer, review_id: str) -> ReviewView:
    (view,) = await reviews_by_ids(rt, viewer, [review_id])
    if view is None:  # cannot happen: reviews are public
        raise NotFoundError(NO_REVIEW, field="reviewId")
    return view


async def reviews_by_ids(rt: Runtime, viewer: Viewer, ids: list[str]) -> list[ReviewView | None]:
    """Reviews are public."""
    if not ids:
        return []
    found = {v.id: v for v in map(review_view, await rt.graph.read(queries.reviews_by_ids, ids))}
    return [found.get(i) for i in ids]


async def reviews_of_orders(rt: Runtime, order_ids: list[str]) -> list[ReviewView | None]:
    found = {v.order_id: v for v in map(review_view, await rt.graph.read(queries.reviews_of_orders, order_ids))}
    return [found.get(i) for i in order_ids]


#: Cursors of reviews(sellerId:), scoped to the seller (``REVIEWS_CURSOR.scoped(seller)``): (createdAt, id).
REVIEWS_CURSOR = keyset_kind("reviews")


async def seller_reviews(rt: Runtime, viewer: Viewer, seller_id: str, request: PageRequest) -> Page[ReviewView]:
    """A seller's reviews, newest first (public; either way)."""
    kind = REVIEWS_CURSOR.scoped(seller_id)
    rows, total = await rt.graph.read(queries.seller_reviews, seller_id, request.window(kind))
    page = request.page(rows, kind, lambda r: (r.created_at, r.id), total_count=total)
    return Page(
        items=[review_view(r) for r in page.items],
        cursors=page.cursors,
        has_next_page=page.has_next_page,
        has_previous_page=page.has_previous_page,
        total_count=page.total_count,
    )
