"""Cypher of marketplace listings: create, lock, update, read for a viewer, browse and search.

Who may see a listing is one Cypher predicate, ``LISTING_VISIBLE``, the mirror of the rule in
``marketplace.visibility`` (``may_see_listing``): its owner (the seller, or an owner/admin of the selling
organisation: ``graph.rules.actors_acted_for``) sees it in every status; anyone else only ACTIVE, PAUSED and
SOLD_OUT listings of an active seller they have not blocked and who has not blocked them
(``graph.rules.blocked_either_way``). ``tests/rules/test_listing_visibility.py`` holds the two together.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any, TypedDict

from neo4j import AsyncManagedTransaction, Record
from neo4j.time import DateTime

from core.pagination import Window
from graph.driver import FAR_FUTURE, run, window_keyset
from graph.identity import (
    ActorDisplay as ActorDisplay,
)
from graph.identity import (
    OrganizationRow,
    PersonRecord,
    display_projection,
    organization_map,
    person_map,
)
from graph.identity import (
    PersonRow as PersonRow,
)
from graph.paging import BothWays, both_ways
from graph.places import COMMUNE_FIELDS, CommuneMap
from graph.rows import node_row, row
from graph.rules import actors_acted_for, actors_blocked_either_way, blocked_either_way

if TYPE_CHECKING:
    from graph.social import Relation


@dataclass(frozen=True)
class Listing:
    """A listing's stored properties (an unset optional property reads as None; so does one a compiled read left out
    because the client did not select it: ``ListingShape``)."""

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
    created_at: DateTime | None
    updated_at: DateTime | None


@dataclass(frozen=True)
class SellerRows:
    """What a compiled read found of a listing's seller, for the nested resolvers' loaders: the seller as
    ``identity``'s projection reads them (a person or an organisation), the viewer's relation to them, and the
    representatives of a selling organisation (each with the person's projection). None: not read."""

    display: ActorDisplay | None = None
    person: PersonRow | None = None
    organization: OrganizationRow | None = None
    relation: Relation | None = None
    representatives: list[RepresentativeRow] | None = None


@dataclass(frozen=True)
class RepresentativeRow:
    """A representative of a selling organisation: their role, since when, and their person's projection (full, or
    their display record)."""

    person: PersonRow | ActorDisplay
    role: str
    since: DateTime


@dataclass(frozen=True)
class ListingRow:
    """A listing as a viewer may see it, with its seller's rating sums; ``sort_key`` in pages (browse, mine). A
    compiled read (``ListingShape``) leaves at their defaults the parts the client did not select."""

    listing: Listing
    seller_id: str
    rating_total: int = 0
    rating_count: int = 0
    ward: CommuneMap | None = None
    viewer_owns: bool = False
    sort_key: DateTime | int | float | None = None
    seller: SellerRows = field(default_factory=SellerRows)

    @property
    def ward_id(self) -> str | None:
        return self.ward["id"] if self.ward else None


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


def _person_row(found: Mapping[str, Any]) -> PersonRow:
    """A person as ``graph.identity.person_map`` read them inside a listing statement."""
    return PersonRow(
        record=PersonRecord(
            person=found["person"],
            ward=found["ward"],
            contacts=found["contacts"],
            document=found["document"],
            connected=found["connected"],
        ),
        blocked=found["blocked"],
    )


def _representative(found: Mapping[str, Any]) -> RepresentativeRow:
    person = found["row"]
    return RepresentativeRow(person if "isPerson" in person else _person_row(person), found["role"], found["since"])


def _relation(found: Mapping[str, Any] | None) -> Relation | None:
    from graph.social import Relation  # noqa: PLC0415 (graph.social imports this module)

    return row(Relation, found) if found is not None else None


def _listing_row(record: Record) -> ListingRow:
    person = record.get("sellerPerson")
    organization = record.get("sellerOrganization")
    representatives = record.get("sellerRepresentatives")
    return ListingRow(
        listing=_listing(record["listing"]),
        seller_id=record["sellerId"],
        rating_total=record.get("ratingTotal") or 0,
        rating_count=record.get("ratingCount") or 0,
        ward=record.get("ward"),
        viewer_owns=bool(record.get("viewerOwns")),
        sort_key=record.get("sortKey"),
        seller=SellerRows(
            display=record.get("sellerDisplay"),
            person=_person_row(person) if person is not None else None,
            organization=row(OrganizationRow, organization) if organization is not None else None,
            relation=_relation(record.get("sellerRelation")),
            representatives=[_representative(r) for r in representatives] if representatives is not None else None,
        ),
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
#: ``graph.rules.actors_acted_for``; only themself when ``$viewerIsPerson`` is false, a partner app acting for the
#: person: ``marketplace.listings.acts_for_organizations``), and ``blocked``, the actors they blocked or who blocked
#: them.
VIEWER_CONTEXT = f"""CALL () {{
  OPTIONAL MATCH (viewer:Person {{id: $viewerId}})
  RETURN CASE WHEN viewer IS NULL OR $viewerIsPerson THEN {actors_acted_for("viewer")} ELSE [viewer.id] END AS mine,
         {blocked_either_way_ids("viewer")} AS blocked
}}"""

#: The viewer owns the listing of ``seller``: they are the seller, or an owner or admin of it.
VIEWER_OWNS = "(seller.id IN mine)"

#: Statuses anyone may see; DRAFT and CLOSED listings are their owner's only (``marketplace.visibility``).
PUBLIC_STATUSES = ["active", "paused", "sold_out"]

#: The seller of ``l`` is active (an actor stored before status existed counts as active).
SELLER_ACTIVE = "coalesce(seller.status, 'active') = 'active'"


#: Mirror of ``identity.views.sandbox_admits`` for the seller ``seller``: with ``$sandboxAppId`` (a sandbox app's
#: token: ``identity.views.sandbox_app_id``) only the app's own test personas are known; null admits everyone.
def sandbox_admits(actor: str) -> str:
    """Cypher predicate: the sandbox rule admits the actor bound to ``actor`` (``identity.views.sandbox_admits``):
    ``$sandboxAppId`` is null (not a sandbox app's token) or the actor is a test persona of that app."""
    return f"($sandboxAppId IS NULL OR coalesce({actor}.personaOfAppId = $sandboxAppId, false))"


SANDBOX_ADMITS = sandbox_admits("seller")

#: Mirror of ``marketplace.visibility.may_see_listing`` for the listing ``l`` of ``seller``.
LISTING_VISIBLE = f"""({VIEWER_OWNS}
  OR (l.status IN {PUBLIC_STATUSES!r} AND {SELLER_ACTIVE} AND NOT seller.id IN blocked))"""

# --- compiled projections ---------------------------------------------------------------------------------------
# A read of listings returns what the client selected and no more (DESIGN.md, "Request life" 3): the resolver turns
# the selection into a ``ListingShape`` and the statement's RETURN (and the per-row subqueries reading the seller,
# after the page is cut) is assembled from the fragments below, once per shape (``lru_cache``), so that Neo4j's plan
# cache hits. The seller is read with identity's projections (``graph.identity``), the viewer's relation to them with
# the social one (``graph.social``), so each rule and each projection is written once.

#: Listing properties every compiled read projects: they name and type the listing.
ALWAYS_READ = ("id", "kind", "status")
#: The other properties of a listing, each projected only when its field (same name) is selected.
PROPERTIES = frozenset(
    {
        "title",
        "description",
        "priceDong",
        "priceMinDong",
        "priceMaxDong",
        "priceOnRequest",
        "stock",
        "category",
        "wardCode",
        "photoUrls",
        "createdAt",
        "updatedAt",
    }
)


@dataclass(frozen=True)
class ListingShape:
    """What a read of listings returns: the properties (``PROPERTIES``), the seller's rating sums, whether the viewer
    owns each, its ward, and the seller's parts the nested resolvers would otherwise load (``SellerRows``): the
    seller (``display``: only its display record, ``graph.identity.display_projection``, when the client selected
    nothing else of it), the viewer's relation to them, the representatives of a selling organisation (each person
    by their display record when ``representatives_display``)."""

    properties: frozenset[str] = PROPERTIES
    rating: bool = True
    owns: bool = True
    ward: bool = True
    seller: bool = False
    display: bool = False
    relation: bool = False
    representatives: bool = False
    representatives_display: bool = False


#: Every property and the listing's own parts, no seller: mutations' payloads, ``node(id:)``, investment interests.
FULL_SHAPE = ListingShape()


def _relation_facts() -> str:
    """The viewer's relation facts as ``graph.social`` reads them (``me`` to ``other``), as a map."""
    from graph.social import _RELATION_EXPRESSIONS  # noqa: PLC0415 (graph.social imports this module)

    return "{" + ", ".join(f"{name}: {expression}" for name, expression in _RELATION_EXPRESSIONS.items()) + "}"


def _representatives(display: bool) -> str:
    """The representatives of the selling organisation ``seller`` (``[]`` for a person), oldest role first, each
    person by identity's full projection or its display record (what ``identity.representatives.representatives``
    reads in two statements)."""
    person = display_projection("p") if display else person_map("p")
    return (
        "COLLECT { MATCH (rep_p:Person)-[rep:REPRESENTS]->(seller) WHERE seller:Organization"
        f" WITH rep_p AS p, rep ORDER BY rep.since RETURN {{role: rep.role, since: rep.since, row: {person}}} }}"
    )


@lru_cache(maxsize=256)
def _projection(shape: ListingShape) -> tuple[str, str]:
    """(the clauses binding what the columns read, the RETURN columns) of ``shape``, for rows binding ``l``,
    ``seller`` and ``mine``: placed after the page is cut, so only its rows read their seller's parts."""
    properties = ", ".join(f".{name}" for name in (*ALWAYS_READ, *sorted(shape.properties & PROPERTIES)))
    columns = [f"l {{{properties}}} AS listing", "seller.id AS sellerId"]
    if shape.rating:
        columns += ["coalesce(seller.ratingTotal, 0) AS ratingTotal", "coalesce(seller.ratingCount, 0) AS ratingCount"]
    if shape.ward:
        columns.append(f"head(COLLECT {{ MATCH (c:Commune {{code: l.wardCode}}) RETURN {COMMUNE_FIELDS} }}) AS ward")
    if shape.owns:
        columns.append(f"{VIEWER_OWNS} AS viewerOwns")
    clauses = []
    if shape.representatives:
        clauses.append(f"WITH *, {_representatives(shape.representatives_display)} AS sellerRepresentatives")
        columns.append("sellerRepresentatives")
    if shape.seller and shape.display:
        columns.append(f"{display_projection('seller')} AS sellerDisplay")
    elif shape.seller:
        columns.append(f"CASE WHEN seller:Person THEN {person_map('seller')} END AS sellerPerson")
        columns.append(f"CASE WHEN seller:Organization THEN {organization_map('seller')} END AS sellerOrganization")
    if shape.relation:  # none for the viewer themself, nor when signed out (``social.relations.relations_to``)
        clauses.append("OPTIONAL MATCH (me:Person {id: $viewerId}) WHERE me.id <> seller.id\nWITH *, seller AS other")
        columns.append(f"CASE WHEN me IS NULL THEN null ELSE {_relation_facts()} END AS sellerRelation")
    return "\n".join(clauses), ",\n       ".join(columns)


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


@lru_cache(maxsize=64)
def listings_by_ids_statement(shape: ListingShape) -> str:
    calls, columns = _projection(shape)
    return f"""
{VIEWER_CONTEXT}
UNWIND $ids AS id
MATCH (seller:Actor)-[:LISTS]->(l:Listing {{id: id}})
WHERE {LISTING_VISIBLE} AND {SANDBOX_ADMITS}
WITH mine, l, seller
{calls}
RETURN {columns}
"""


LISTINGS_BY_IDS = listings_by_ids_statement(FULL_SHAPE)


async def listings_by_ids(
    tx: AsyncManagedTransaction,
    ids: list[str],
    viewer_id: str | None,
    viewer_is_person: bool = True,
    sandbox_app_id: str | None = None,
    shape: ListingShape = FULL_SHAPE,
) -> list[ListingRow]:
    """The listings among ``ids`` the viewer may see (``LISTING_VISIBLE``, ``SANDBOX_ADMITS``), as ``shape`` says."""
    rows = await run(
        tx,
        listings_by_ids_statement(shape),
        ids=ids,
        viewerId=viewer_id,
        viewerIsPerson=viewer_is_person,
        sandboxAppId=sandbox_app_id,
    )
    return [_listing_row(r) for r in rows]


# --- browse and search -------------------------------------------------------------------------------------------
# One statement per (start, sort) and reading direction, assembled at import time from the fixed fragments below;
# each filter is a parameter that is null when unused, so the plan is cached once per statement.

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
    # $upTo/$downTo: the cursors' times when paging NEWEST (a range seek on status+createdAt), else the far future
    # and the far past.
    "all": "MATCH (l:Listing) USING INDEX l:Listing(status, createdAt)\n"
    "WHERE l.status = 'active' AND l.createdAt <= datetime($upTo) AND l.createdAt >= datetime($downTo)",
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
  AND ($sellerKind IS NULL OR ($sellerKind = 'organization') = (seller:Organization))
  AND {SANDBOX_ADMITS}"""

#: The earliest time Neo4j's ``datetime()`` reads: the lower end of a NEWEST range seek without a ``before`` cursor.
FAR_PAST = "0001-01-01T00:00:00Z"

#: A listing's price as the price sorts see it: its price, or the lower end of an investment's range.
PRICE = "coalesce(l.priceDong, l.priceMinDong)"
#: Larger than any price (prices are at most 10^15): on-request investment listings (no price) sort after every
#: priced one, in both price orders.
NO_PRICE = 2**60

SELLER_RATING = (
    "CASE WHEN coalesce(seller.ratingCount, 0) > 0 THEN toFloat(seller.ratingTotal) / seller.ratingCount ELSE 0.0 END"
)


@dataclass(frozen=True)
class Sort:
    """How one sort orders listings. ``rank`` is a list that grows in display order (the cursors' bounds compare
    it with ``[$afterKey, $afterId]`` and ``[$beforeKey, $beforeId]``, given in the same form by ``rank_key``);
    ``order`` is the ORDER BY in display order with direction tokens (``graph.paging.both_ways``); ``key`` is the
    value a cursor keeps; ``on_listing``: the key is the listing's own, so listings are ordered before their sellers
    are read (only about $limit sellers are)."""

    rank: str
    order: str
    key: str
    on_listing: bool


#: Ties are broken by id, so pages neither skip nor repeat.
SORTS = {
    "newest": Sort(
        "[l.createdAt, l.id]",  # descending: the bounds below compare with the cursor the other way round
        "l.createdAt {DESC}, l.id {DESC}",
        "l.createdAt",
        True,
    ),
    "price_asc": Sort(
        f"[coalesce({PRICE}, $noPrice), l.id]", f"coalesce({PRICE}, $noPrice) {{ASC}}, l.id {{ASC}}", PRICE, True
    ),
    "price_desc": Sort(
        f"[CASE WHEN {PRICE} IS NULL THEN $noPrice ELSE -{PRICE} END, l.id]",
        f"CASE WHEN {PRICE} IS NULL THEN $noPrice ELSE -{PRICE} END {{ASC}}, l.id {{ASC}}",
        PRICE,
        True,
    ),
    "rating": Sort("[-rating, l.id]", "rating {DESC}, l.id {ASC}", "rating", False),
}


def _bounds(sort: str) -> str:
    """The cursors' bounds of a sort: after ``$afterKey``/``$afterId`` and before ``$beforeKey``/``$beforeId``
    in display order (each null when not given)."""
    rank = SORTS[sort].rank
    if sort == "newest":  # newest first: later in the list is earlier in time
        return (
            f"($afterId IS NULL OR {rank} < [datetime($afterKey), $afterId])\n"
            f"  AND ($beforeId IS NULL OR {rank} > [datetime($beforeKey), $beforeId])"
        )
    return f"($afterId IS NULL OR {rank} > [$afterKey, $afterId])\n  AND ($beforeId IS NULL OR {rank} < [$beforeKey, $beforeId])"


def rank_key(sort: str, key: Any) -> Any:
    """A cursor's key in the form ``Sort.rank`` compares (a price missing or negated, a rating negated)."""
    if key is None and sort in ("price_asc", "price_desc"):
        return NO_PRICE
    if sort == "price_desc" or sort == "rating":
        return 0 - key  # never -0.0, which Cypher orders below 0.0 in a list (and its own -0.0 is 0.0)
    return key


@lru_cache(maxsize=512)
def browse_statement(start: str, sort: str, shape: ListingShape = FULL_SHAPE) -> BothWays:
    """The browse statement of a start (``BROWSE_STARTS``), a sort and a shape, both ways: the page is cut first,
    then only its rows read the seller's parts (``_projection``), and the rows come back in display order."""
    chosen = SORTS[sort]
    calls, columns = _projection(shape)
    reordered = f"\nORDER BY {chosen.order}" if calls else ""
    if chosen.on_listing:
        return both_ways(f"""
{VIEWER_CONTEXT}
{BROWSE_STARTS[start]}
WITH mine, blocked, l WHERE {LISTING_FILTERS}
  AND {_bounds(sort)}
WITH mine, blocked, l ORDER BY {chosen.order}
MATCH (seller)-[:LISTS]->(l)
WHERE {SELLER_FILTERS}
WITH mine, l, seller ORDER BY {chosen.order} LIMIT $limit
{calls}
RETURN {columns}, {chosen.key} AS sortKey{reordered}
""")
    return both_ways(f"""
{VIEWER_CONTEXT}
{BROWSE_STARTS[start]}
WITH mine, blocked, l WHERE {LISTING_FILTERS}
MATCH (seller)-[:LISTS]->(l)
WHERE {SELLER_FILTERS}
WITH mine, l, seller, {SELLER_RATING} AS rating
WHERE {_bounds(sort)}
WITH mine, l, seller, rating ORDER BY {chosen.order} LIMIT $limit
{calls}
RETURN {columns}, rating AS sortKey{reordered}
""")


#: Every browse statement of the full shape (``bench/market_profile.py`` profiles them).
BROWSE_QUERIES = {(start, sort): browse_statement(start, sort) for start in BROWSE_STARTS for sort in SORTS}


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


def browse_bounds(sort: str, window: Window) -> dict[str, Any]:
    """The parameters of a browse statement that place its page: the cursors' keys as ``Sort.rank`` compares
    them, and the time range of the NEWEST seek."""
    after, before = window.after, window.before
    newest = sort == "newest"
    return {
        "limit": window.limit,
        "noPrice": NO_PRICE,
        "afterKey": rank_key(sort, after[0]) if after else None,
        "afterId": after[1] if after else None,
        "beforeKey": rank_key(sort, before[0]) if before else None,
        "beforeId": before[1] if before else None,
        "upTo": after[0] if after and newest else FAR_FUTURE,
        "downTo": before[0] if before and newest else FAR_PAST,
    }


async def browse(
    tx: AsyncManagedTransaction,
    *,
    sort: str,
    search: str | None,
    filters: BrowseFilters,
    viewer_id: str | None,
    window: Window,
    viewer_is_person: bool = True,
    sandbox_app_id: str | None = None,
    shape: ListingShape = FULL_SHAPE,
) -> list[ListingRow]:
    """One page of active listings matching ``filters`` (and the Lucene ``search`` query when given) in ``sort``
    order, read in the window's direction, as ``shape`` says."""
    query = browse_statement(browse_start(search, filters), sort, shape).of(window.backwards)
    rows = await run(
        tx,
        query,
        search=search,
        viewerId=viewer_id,
        viewerIsPerson=viewer_is_person,
        sandboxAppId=sandbox_app_id,
        **browse_bounds(sort, window),
        **filters,
    )
    return [_listing_row(r) for r in rows]


#: How many listings the seller ``$sellerId`` has (of ``$status`` when given): ``myListings``' totalCount.
MY_LISTINGS_COUNT = """
MATCH (seller:Actor {id: $sellerId})
RETURN COUNT { (seller)-[:LISTS]->(l:Listing) WHERE $status IS NULL OR l.status = $status } AS total
"""


@lru_cache(maxsize=128)
def my_listings_statement(shape: ListingShape = FULL_SHAPE, total: bool = True) -> BothWays:
    """A page of the seller's listings, newest first, as ``shape`` says; with ``total``, each row also holds the
    number of the seller's listings (``MY_LISTINGS_COUNT``, counted once in the same statement)."""
    calls, columns = _projection(shape)
    reordered = "\nORDER BY l.createdAt {DESC}, l.id {DESC}" if calls else ""
    counted = f"CALL () {{{MY_LISTINGS_COUNT}}}\n" if total else ""
    carried = ", total" if total else ""
    return both_ways(f"""
{counted}{VIEWER_CONTEXT}
MATCH (seller:Actor {{id: $sellerId}})-[:LISTS]->(l:Listing)
WHERE ($status IS NULL OR l.status = $status)
  AND ($afterTime IS NULL OR [l.createdAt, l.id] < [datetime($afterTime), $afterId])
  AND ($beforeTime IS NULL OR [l.createdAt, l.id] > [datetime($beforeTime), $beforeId])
WITH mine, seller, l{carried} ORDER BY l.createdAt {{DESC}}, l.id {{DESC}} LIMIT $limit
{calls}
RETURN {columns}, l.createdAt AS sortKey{carried}{reordered}
""")


async def my_listings(
    tx: AsyncManagedTransaction,
    seller_id: str,
    status: str | None,
    viewer_id: str | None,
    window: Window,
    viewer_is_person: bool = True,
    shape: ListingShape = FULL_SHAPE,
    total: bool = True,
) -> tuple[list[ListingRow], int | None]:
    """A page of the seller's listings as ``shape`` says, and with ``total`` how many they have (None without):
    one statement, a second only to count when the page is empty."""
    rows = await run(
        tx,
        my_listings_statement(shape, total).of(window.backwards),
        sellerId=seller_id,
        status=status,
        viewerId=viewer_id,
        viewerIsPerson=viewer_is_person,
        limit=window.limit,
        **window_keyset(window),
    )
    count: int | None = None
    if total:
        count = (
            rows[0]["total"]
            if rows
            else (await run(tx, MY_LISTINGS_COUNT, sellerId=seller_id, status=status))[0]["total"]
        )
    return [_listing_row(r) for r in rows], count
