"""Cypher of marketplace listings: create, lock, update, read for a viewer, browse and search.

Who may see a listing is one Cypher predicate, ``LISTING_VISIBLE``, the mirror of the rule in
``marketplace.listings``: its owner (the seller, or an owner/admin of the selling organisation) sees it
in every status; anyone else only ACTIVE, PAUSED and SOLD_OUT listings of an active seller they have not
blocked and who has not blocked them.
"""

from __future__ import annotations

from neo4j import AsyncManagedTransaction

from graph.driver import FAR_FUTURE, run

#: What every listing read needs to know of the viewer ``$viewerId`` (null: anonymous), computed once per statement:
#: ``mine``, the actors whose listings they own (themself and the organisations they own or administer), and
#: ``blocked``, the actors they blocked or who blocked them.
VIEWER_CONTEXT = """CALL () {
  OPTIONAL MATCH (viewer:Person {id: $viewerId})
  RETURN CASE WHEN viewer IS NULL THEN [] ELSE
           [viewer.id] + [(viewer)-[r:REPRESENTS]->(o:Organization) WHERE r.role IN ['owner', 'admin'] | o.id]
         END AS mine,
         CASE WHEN viewer IS NULL THEN [] ELSE [(viewer)-[:BLOCKED]-(other:Actor) | other.id] END AS blocked
}"""

#: The viewer owns the listing of ``seller``: they are the seller, or an owner or admin of it.
VIEWER_OWNS = "(seller.id IN mine)"

#: Statuses anyone may see; DRAFT and CLOSED listings are their owner's only.
PUBLIC_STATUSES = ["active", "paused", "sold_out"]

LISTING_VISIBLE = f"""({VIEWER_OWNS}
  OR (l.status IN {PUBLIC_STATUSES!r} AND coalesce(seller.status, 'active') = 'active' AND NOT seller.id IN blocked))"""

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


async def create_listing(tx: AsyncManagedTransaction, listing_id: str, seller_id: str, props: dict) -> None:
    await run(tx, CREATE_LISTING, id=listing_id, sellerId=seller_id, props=props)


LOCK_LISTING = """
MATCH (seller:Actor)-[:LISTS]->(l:Listing {id: $id})
SET l.lock = true
REMOVE l.lock
RETURN l {.*} AS listing, seller.id AS sellerId, seller:Organization AS sellerIsOrganization
"""


async def lock_listing(tx: AsyncManagedTransaction, listing_id: str) -> dict | None:
    """Write-lock the listing (orders and edits of it serialise) and read it with its seller."""
    rows = await run(tx, LOCK_LISTING, id=listing_id)
    return dict(rows[0]) if rows else None


UPDATE_LISTING = "MATCH (l:Listing {id: $id}) SET l += $props, l.updatedAt = datetime()"


async def update_listing(tx: AsyncManagedTransaction, listing_id: str, props: dict) -> None:
    await run(tx, UPDATE_LISTING, id=listing_id, props=props)


LISTINGS_BY_IDS = f"""
{VIEWER_CONTEXT}
UNWIND $ids AS id
MATCH (seller:Actor)-[:LISTS]->(l:Listing {{id: id}})
WHERE {LISTING_VISIBLE}
RETURN {LISTING_PROJECTION}
"""


async def listings_by_ids(tx: AsyncManagedTransaction, ids: list[str], viewer_id: str | None) -> list[dict]:
    return [dict(r) for r in await run(tx, LISTINGS_BY_IDS, ids=ids, viewerId=viewer_id)]


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
SELLER_FILTERS = """coalesce(seller.status, 'active') = 'active'
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


def browse_start(search: str | None, filters: dict) -> str:
    """The start of a browse statement for these filters: search, else the most selective filter given."""
    if search:
        return "search"
    for start, name in (("seller", "sellerId"), ("category", "category"), ("ward", "wardCode"), ("kinds", "kinds")):
        if filters.get(name):
            return start
    return "all"


async def browse(
    tx: AsyncManagedTransaction,
    *,
    sort: str,
    search: str | None,
    filters: dict,
    viewer_id: str | None,
    after: tuple | None,
    limit: int,
) -> list[dict]:
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
    return [dict(r) for r in rows]


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
    tx: AsyncManagedTransaction, seller_id: str, status: str | None, viewer_id: str, after: tuple | None, limit: int
) -> tuple[list[dict], int]:
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
    total = (await run(tx, MY_LISTINGS_COUNT, sellerId=seller_id, status=status))[0]["total"]
    return [dict(r) for r in rows], total
