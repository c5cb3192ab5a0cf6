"""Cypher of marketplace listings: create, lock, update, read for a viewer, browse and search.

Who may see a listing is one Cypher predicate, ``LISTING_VISIBLE``, the mirror of the rule in
``marketplace.visibility`` (``may_see_listing``): its owner (the seller, or an owner/admin of the selling
organisation: ``graph.rules.actors_acted_for``) sees it in every status; anyone else only ACTIVE, PAUSED and
SOLD_OUT listings of an active seller they have not blocked and who has not blocked them
(``graph.rules.blocked_either_way``). ``tests/rules/test_listing_visibility.py`` holds the two together.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypedDict

from neo4j import AsyncManagedTransaction, Record
from neo4j.time import DateTime

from graph.driver import FAR_FUTURE, run
from graph.rows import node_row
from graph.rules import actors_acted_for, actors_blocked_either_way, blocked_either_way


@dataclass(frozen=True)
class Listing:
    """A listing's stored properties (an unset optional property reads as None)."""

    id: str
    kind: str
    title: str
    description: str | None
    price_dong: int | None
    price_min_dong: int | None
    price_max_dong: int | None
    price_on_request: bool | None
    stock: int | None
    category: str
    ward_code: str | None
    photo_urls: list[str] | None
    status: str
    created_at: DateTime
    updated_at: DateTime


@dataclass(frozen=True)
class ListingRow:
    """A listing as a viewer may see it, with its seller's rating sums; ``sort_key`` in pages (browse, mine)."""

    listing: Listing
    seller_id: str
    rating_total: int
    rating_count: int
    ward_id: str | None
    viewer_owns: bool
    sort_key: DateTime | int | float | None = None


@dataclass(frozen=True)
class LockedListing:
    listing: Listing
    seller_id: str
    seller_is_organization: bool
    seller_active: bool
    blocked_with_viewer: bool  # the viewer and the seller blocked one another


class ListingProps(TypedDict, total=False):
    """Properties a use case writes on a listing (``SET l += $props``); None removes one."""

    kind: str
    status: str
    title: str
    searchTitle: str
    description: str
    searchDescription: str
    priceDong: int | None
    priceMinDong: int | None
    priceMaxDong: int | None
    priceOnRequest: bool
    stock: int | None
    category: str
    wardCode: str | None
    photoUrls: list[str]


class BrowseFilters(TypedDict):
    """The browse filters, each None when unused (they travel as the statement's parameters)."""

    kinds: list[str] | None
    category: str | None
    wardCode: str | None
    minPrice: int | None
    maxPrice: int | None
    sellerId: str | None
    sellerKind: str | None


def _listing(properties: Mapping[str, Any]) -> Listing:
    return node_row(Listing, properties)


def _listing_row(record: Record) -> ListingRow:
    return ListingRow(
        listing=_listing(record["listing"]),
        seller_id=record["sellerId"],
        rating_total=record["ratingTotal"],
        rating_count=record["ratingCount"],
        ward_id=record["wardId"],
        viewer_owns=record["viewerOwns"],
        sort_key=record.get("sortKey"),
    )


def blocked_either_way_ids(person: str) -> str:
    """Cypher list expression: the ids of the actors the person bound to ``person`` blocked or was blocked by
    (``graph.rules.actors_blocked_either_way``); ``[]`` when ``person`` is null. Computed once per statement, so a
    browse over thousands of listings tests list membership instead of expanding each seller's relationships
    (bench/market_profile.py, RATING: 36k db hits instead of 118k)."""
    return (
        f"CASE WHEN {person} IS NULL THEN [] ELSE"
        f" [rule_other IN {actors_blocked_either_way(person)} | rule_other.id] END"
    )


#: What every listing read needs to know of the viewer ``$viewerId`` (null: anonymous), computed once per statement:
#: ``mine``, the actors whose listings they own (themself and the active organisations they own or administer:
#: ``graph.rules.actors_acted_for``), and ``blocked``, the actors they blocked or who blocked them.
VIEWER_CONTEXT = f"""CALL () {{
  OPTIONAL MATCH (viewer:Person {{id: $viewerId}})
  RETURN {actors_acted_for("viewer")} AS mine, {blocked_either_way_ids("viewer")} AS blocked
}}"""

#: The viewer owns the listing of ``seller``: they are the seller, or an owner or admin of it.
VIEWER_OWNS = "(seller.id IN mine)"

#: Statuses anyone may see; DRAFT and CLOSED listings are their owner's only (``marketplace.visibility``).
PUBLIC_STATUSES = ["active", "paused", "sold_out"]

#: The seller of ``l`` is active (an actor stored before status existed counts as active).
SELLER_ACTIVE = "coalesce(seller.status, 'active') = 'active'"

#: Mirror of ``marketplace.visibility.may_see_listing`` for the listing ``l`` of ``seller``.
LISTING_VISIBLE = f"""({VIEWER_OWNS}
  OR (l.status IN {PUBLIC_STATUSES!r} AND {SELLER_ACTIVE} AND NOT seller.id IN blocked))"""

LISTING_PROJECTION = f"""
l {{.id, .kind, .title, .description, .priceDong, .priceMinDong, .priceMaxDong, .priceOnRequest, .stock,
    .category, .wardCode, .photoUrls, .status, .createdAt, .updatedAt}} AS listing,
seller.id AS sellerId, coalesce(seller.ratingTotal, 0) AS ratingTotal, coalesce(seller.ratingCount, 0) AS ratingCount,
head(COLLECT {{ MATCH (w:Commune {{code: l.wardCode}}) RETURN w.id }}) AS wardId,
{VIEWER_OWNS} AS viewerOwns
"""

CREATE_LISTING = """
MATCH (seller:Actor {id: $sellerId})
CREATE (seller)-[:LISTS]->(l:Listing {id: $id})
SET l += $props, l.createdAt = datetime(), l.updatedAt = datetime()
"""


async def create_listing(tx: AsyncManagedTransaction, listing_id: str, seller_id: str, props: ListingProps) -> None:
    await run(tx, CREATE_LISTING, id=listing_id, sellerId=seller_id, props=props)


LOCK_LISTING = f"""
MATCH (seller:Actor)-[:LISTS]->(l:Listing {{id: $id}})
SET l.lock = true
REMOVE l.lock
WITH seller, l
OPTIONAL MATCH (viewer:Person {{id: $viewerId}})
RETURN l {{.*}} AS listing, seller.id AS sellerId, seller:Organization AS sellerIsOrganization,
       {SELLER_ACTIVE} AS sellerActive, {blocked_either_way("viewer", "seller")} AS blockedWithViewer
"""


async def lock_listing(tx: AsyncManagedTransaction, listing_id: str, viewer_id: str | None) -> LockedListing | None:
    """Write-lock the listing (orders and edits of it serialise) and read it with its seller, and what the
    visibility rule needs to know of the seller and the viewer ``viewer_id`` (None: anonymous)."""
    rows = await run(tx, LOCK_LISTING, id=listing_id, viewerId=viewer_id)
    if not rows:
        return None
    found = rows[0]
    return LockedListing(
        listing=_listing(found["listing"]),
        seller_id=found["sellerId"],
        seller_is_organization=found["sellerIsOrganization"],
        seller_active=found["sellerActive"],
        blocked_with_viewer=found["blockedWithViewer"],
    )


UPDATE_LISTING = "MATCH (l:Listing {id: $id}) SET l += $props, l.updatedAt = datetime()"


async def update_listing(tx: AsyncManagedTransaction, listing_id: str, props: ListingProps) -> None:
    await run(tx, UPDATE_LISTING, id=listing_id, props=props)


LISTINGS_BY_IDS = f"""
{VIEWER_CONTEXT}
UNWIND $ids AS id
MATCH (seller:Actor)-[:LISTS]->(l:Listing {{id: id}})
WHERE {LISTING_VISIBLE}
RETURN {LISTING_PROJECTION}
"""


async def listings_by_ids(tx: AsyncManagedTransaction, ids: list[str], viewer_id: str | None) -> list[ListingRow]:
    """The listings among ``ids`` the viewer may see (``LISTING_VISIBLE``)."""
    return [_listing_row(r) for r in await run(tx, LISTINGS_BY_IDS, ids=ids, viewerId=viewer_id)]


# --- browse and search -------------------------------------------------------------------------------------------
# One statement per (search or not, sort), assembled at import time from the fixed fragments below; each filter
# is a parameter that is null when unused, so the plan is cached once per statement.

#: Where browsing starts, chosen by the most selective filter given (so the plan seeks an index): the listings of
#: one seller, of a category (index on category+status), of a ward (wardCode+status), of some kinds (kind+status),
#: else every active listing (status+createdAt); or the full-text hits when searching (the index holds folded
#: copies of title and description too, so diacritics do not matter). Each binds the active listing ``l``.
BROWSE_STARTS = {
    "seller": "MATCH (:Actor {id: $sellerId})-[:LISTS]->(l:Listing {status: 'active'})",
    # SEEK hints: for NEWEST the planner otherwise scanned the whole category+status index and filtered after
    # (12,146 db hits instead of ~1,000 for one category of 5,000 listings; bench/market_profile.py).
    "category": "MATCH (l:Listing) USING INDEX SEEK l:Listing(category, status)\n"
    "WHERE l.category = $category AND l.status = 'active'",
    "ward": "MATCH (l:Listing) USING INDEX SEEK l:Listing(wardCode, status)\n"
    "WHERE l.wardCode = $wardCode AND l.status = 'active'",
    "kinds": "MATCH (l:Listing) USING INDEX SEEK l:Listing(kind, status) WHERE l.kind IN $kinds AND l.status = 'active'",
    # $upTo: the cursor's time when paging NEWEST (a range seek on status+createdAt), else the far future.
    "all": "MATCH (l:Listing) USING INDEX l:Listing(status, createdAt)\n"
    "WHERE l.status = 'active' AND l.createdAt <= datetime($upTo)",
    "search": "CALL db.index.fulltext.queryNodes('listing_text_fulltext', $search) YIELD node AS l",
}

#: Filters on the listing itself (each parameter is null when unused).
LISTING_FILTERS = """l.status = 'active'
  AND ($kinds IS NULL OR l.kind IN $kinds)
  AND ($category IS NULL OR l.category = $category)
  AND ($wardCode IS NULL OR l.wardCode = $wardCode)
  AND ($minPrice IS NULL OR coalesce(l.priceDong, l.priceMaxDong) >= $minPrice)
  AND ($maxPrice IS NULL OR coalesce(l.priceDong, l.priceMinDong) <= $maxPrice)"""

#: Filters on its seller: active, not blocked either way, of the kind asked. (The seller is matched without its
#: label, which only actors' LISTS relationships lead to, so the planner expands from the listing.)
SELLER_FILTERS = f"""{SELLER_ACTIVE}
  AND NOT seller.id IN blocked
  AND ($sellerId IS NULL OR seller.id = $sellerId)
  AND ($sellerKind IS NULL OR ($sellerKind = 'organization') = (seller:Organization))"""

#: Per sort: the sort key, the keyset condition after the cursor ($afterKey, $afterId), the order, and whether the
#: key is the listing's own (then listings are ordered before their sellers are read, so only about $limit sellers
#: are). On-request investment listings (no price) come last in both price orders; ties are broken by id so pages
#: neither skip nor repeat.
SORTS = {
    "newest": (
        "l.createdAt",
        "($afterId IS NULL OR l.createdAt < datetime($afterKey)"
        " OR (l.createdAt = datetime($afterKey) AND l.id < $afterId))",
        "l.createdAt DESC, l.id DESC",
        True,
    ),
    "price_asc": (
        "coalesce(l.priceDong, l.priceMinDong)",
        "($afterId IS NULL"
        " OR ($afterKey IS NOT NULL AND (coalesce(l.priceDong, l.priceMinDong) IS NULL"
        " OR coalesce(l.priceDong, l.priceMinDong) > $afterKey"
        " OR (coalesce(l.priceDong, l.priceMinDong) = $afterKey AND l.id > $afterId)))"
        " OR ($afterKey IS NULL AND coalesce(l.priceDong, l.priceMinDong) IS NULL AND l.id > $afterId))",
        "coalesce(l.priceDong, l.priceMinDong) IS NULL, coalesce(l.priceDong, l.priceMinDong) ASC, l.id ASC",
        True,
    ),
    "price_desc": (
        "coalesce(l.priceDong, l.priceMinDong)",
        "($afterId IS NULL"
        " OR ($afterKey IS NOT NULL AND (coalesce(l.priceDong, l.priceMinDong) IS NULL"
        " OR coalesce(l.priceDong, l.priceMinDong) < $afterKey"
        " OR (coalesce(l.priceDong, l.priceMinDong) = $afterKey AND l.id > $afterId)))"
        " OR ($afterKey IS NULL AND coalesce(l.priceDong, l.priceMinDong) IS NULL AND l.id > $afterId))",
        "coalesce(l.priceDong, l.priceMinDong) IS NULL, coalesce(l.priceDong, l.priceMinDong) DESC, l.id ASC",
        True,
    ),
    "rating": (
        "rating",
        "($afterId IS NULL OR rating < $afterKey OR (rating = $afterKey AND l.id > $afterId))",
        "rating DESC, l.id ASC",
        False,
    ),
}

SELLER_RATING = (
    "CASE WHEN coalesce(seller.ratingCount, 0) > 0 THEN toFloat(seller.ratingTotal) / seller.ratingCount ELSE 0.0 END"
)


def _browse_query(start: str, sort: str) -> str:
    key, after, order, on_listing = SORTS[sort]
    if on_listing:
        return f"""
{VIEWER_CONTEXT}
{BROWSE_STARTS[start]}
WITH mine, blocked, l WHERE {LISTING_FILTERS}
  AND {after}
WITH mine, blocked, l ORDER BY {order}
MATCH (seller)-[:LISTS]->(l)
WHERE {SELLER_FILTERS}
WITH mine, l, seller ORDER BY {order} LIMIT $limit
RETURN {LISTING_PROJECTION}, {key} AS sortKey
"""
    return f"""
{VIEWER_CONTEXT}
{BROWSE_STARTS[start]}
WITH mine, blocked, l WHERE {LISTING_FILTERS}
MATCH (seller)-[:LISTS]->(l)
WHERE {SELLER_FILTERS}
WITH mine, l, seller, {SELLER_RATING} AS rating
WHERE {after}
WITH mine, l, seller, rating ORDER BY {order} LIMIT $limit
RETURN {LISTING_PROJECTION}, rating AS sortKey
"""


BROWSE_QUERIES = {(start, sort): _browse_query(start, sort) for start in BROWSE_STARTS for sort in SORTS}


def browse_start(search: str | None, filters: BrowseFilters) -> str:
    """The start of a browse statement for these filters: search, else the most selective filter given."""
    if search:
        return "search"
    for start, given in (
        ("seller", filters["sellerId"]),
        ("category", filters["category"]),
        ("ward", filters["wardCode"]),
        ("kinds", filters["kinds"]),
    ):
        if given:
            return start
    return "all"


async def browse(
    tx: AsyncManagedTransaction,
    *,
    sort: str,
    search: str | None,
    filters: BrowseFilters,
    viewer_id: str | None,
    after: tuple[object, ...] | None,
    limit: int,
) -> list[ListingRow]:
    """Active listings matching ``filters`` (and the Lucene ``search`` query when given), in ``sort`` order."""
    query = BROWSE_QUERIES[(browse_start(search, filters), sort)]
    rows = await run(
        tx,
        query,
        search=search,
        viewerId=viewer_id,
        limit=limit,
        upTo=after[0] if after and sort == "newest" else FAR_FUTURE,
        afterKey=after[0] if after else None,
        afterId=after[1] if after else None,
        **filters,
    )
    return [_listing_row(r) for r in rows]


MY_LISTINGS = f"""
{VIEWER_CONTEXT}
MATCH (seller:Actor {{id: $sellerId}})-[:LISTS]->(l:Listing)
WHERE ($status IS NULL OR l.status = $status)
  AND ($afterId IS NULL OR l.createdAt < datetime($afterKey) OR (l.createdAt = datetime($afterKey) AND l.id < $afterId))
WITH mine, seller, l ORDER BY l.createdAt DESC, l.id DESC LIMIT $limit
RETURN {LISTING_PROJECTION}, l.createdAt AS sortKey
"""

MY_LISTINGS_COUNT = """
MATCH (seller:Actor {id: $sellerId})
RETURN COUNT { (seller)-[:LISTS]->(l:Listing) WHERE $status IS NULL OR l.status = $status } AS total
"""


async def my_listings(
    tx: AsyncManagedTransaction,
    seller_id: str,
    status: str | None,
    viewer_id: str | None,
    after: tuple[object, ...] | None,
    limit: int,
) -> tuple[list[ListingRow], int]:
    rows = await run(
        tx,
        MY_LISTINGS,
        sellerId=seller_id,
        status=status,
        viewerId=viewer_id,
        limit=limit,
        afterKey=after[0] if after else None,
        afterId=after[1] if after else None,
    )
    total: int = (await run(tx, MY_LISTINGS_COUNT, sellerId=seller_id, status=status))[0]["total"]
    return [_listing_row(r) for r in rows], total
