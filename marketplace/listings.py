"""Use cases of marketplace listings: create, edit, change status, read for a viewer, browse and search.

Rules (README, "Marketplace: listings and investment interest"):
- Only people verified at level 2 list, for themselves or for an organisation they own or administer
  (``identity.acting.act_for``, permission ``marketplace.listing.create``); suspended people cannot list.
- A listing's owner (the seller, or an owner/admin of the selling organisation) sees it in every status;
  anyone else sees ACTIVE, PAUSED and SOLD_OUT listings only, of an active seller, and never across a block
  (``marketplace.visibility.may_see_listing``). Browse and search show ACTIVE listings only (what can be ordered
  or answered now).
- Status: DRAFT -> ACTIVE; ACTIVE <-> PAUSED; ACTIVE/PAUSED/SOLD_OUT -> CLOSED (final); SOLD_OUT -> ACTIVE when
  stock > 0. SOLD_OUT is set by orders (and by the owner setting the stock of an active listing to 0); raising
  the stock of a SOLD_OUT listing makes it ACTIVE again. Publishing with a stock of 0 gives SOLD_OUT.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from typing import Literal

from neo4j import AsyncManagedTransaction

from auth.permissions import authorize
from auth.viewer import Viewer
from core.errors import ConflictError, ForbiddenError, NotFoundError, Problems, UserInputError
from core.pagination import NUMBER, OPTIONAL_INT, TEXT, TIME, CursorKind, Page, PageRequest
from core.runtime import Runtime
from core.text import checked_text, fold, fulltext_query, nfc
from graph import listings as queries
from graph.listings import (
    FULL_SHAPE,
    ActorDisplay,
    BrowseFilters,
    ListingProps,
    ListingRow,
    ListingShape,
    LockedListing,
    PersonRow,
    SellerRows,
)
from identity.acting import act_for
from identity.model import OrganizationView, PersonView, Representative
from identity.views import display_view, sandbox_app_id, shown_actor
from marketplace.acting import act_as
from marketplace.visibility import LISTING_STATUSES, ListingFacts, may_see_listing
from moderation.enforcement import assert_not_suspended
from places.communes import require_commune
from places.model import Commune

KINDS = ("goods", "service", "rental", "investment")
STATUSES = LISTING_STATUSES
SORTS = ("newest", "price_asc", "price_desc", "rating")

#: The fixed categories: slug -> (Vietnamese label, English label).
CATEGORIES: dict[str, tuple[str, str]] = {
    "electronics": ("Điện tử", "Electronics"),
    "household": ("Đồ gia dụng", "Household"),
    "fashion": ("Thời trang", "Fashion"),
    "food": ("Thực phẩm", "Food"),
    "vehicles": ("Xe cộ", "Vehicles"),
    "real-estate": ("Bất động sản", "Real estate"),
    "education": ("Giáo dục", "Education"),
    "health": ("Sức khỏe", "Health"),
    "tourism": ("Du lịch", "Tourism"),
    "repairs": ("Sửa chữa", "Repairs"),
    "transport": ("Vận tải", "Transport"),
    "agriculture": ("Nông nghiệp", "Agriculture"),
    "technology": ("Công nghệ", "Technology"),
    "manufacturing": ("Sản xuất", "Manufacturing"),
    "other": ("Khác", "Other"),
}

MIN_TITLE, MAX_TITLE = 3, 120
MAX_DESCRIPTION = 5000
MAX_STOCK = 1_000_000
MAX_PHOTOS, MAX_PHOTO_URL = 10, 500

#: Transitions an owner may ask for with listingStatusSet (SOLD_OUT -> ACTIVE also needs stock).
TRANSITIONS = {
    ("draft", "active"),
    ("active", "paused"),
    ("paused", "active"),
    ("active", "closed"),
    ("paused", "closed"),
    ("sold_out", "closed"),
    ("sold_out", "active"),
}

NOT_FOUND = "No listing has this id."

#: The time a view holds for a date-time its read left out (the client did not select it, so it is never shown).
NOT_READ = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class SellerRead:
    """A listing's seller as a compiled read found them (``graph.listings.SellerRows``), as the viewer may see them:
    what the resolvers prime the nested fields' loaders with. ``actor`` is None when the seller is hidden from the
    viewer (blocked, or not a persona of the sandbox app) and ``representatives`` when not read or hidden."""

    actor: PersonView | OrganizationView | None
    rows: SellerRows
    representatives: list[Representative] | None


@dataclass(frozen=True)
class ListingView:
    id: str
    kind: str
    title: str
    description: str
    price_dong: int | None
    price_min_dong: int | None
    price_max_dong: int | None
    price_on_request: bool
    stock: int | None
    category: str
    ward_code: str | None
    ward_id: str | None
    photo_urls: tuple[str, ...]
    status: str
    created_at: datetime
    updated_at: datetime
    seller_id: str
    rating_total: int
    rating_count: int
    viewer_owns: bool
    #: The listing's ward when the read projected it, and its seller when the read did (compiled reads).
    ward: Commune | None = None
    seller: SellerRead | None = None


@dataclass(frozen=True)
class Category:
    slug: str
    name_vi: str
    name_en: str


@dataclass
class ListingInput:
    """Fields of listingCreate / listingUpdate; None means "not given" (on update: unchanged)."""

    title: str | None = None
    description: str | None = None
    price_dong: int | None = None
    price_min_dong: int | None = None
    price_max_dong: int | None = None
    price_on_request: bool | None = None
    stock: int | None = None
    category: str | None = None
    ward_code: str | None = None
    photo_urls: list[str] | None = None
    #: Fields explicitly set to null on update (stock of a service: unlimited; wardCode: none).
    cleared: set[str] = field(default_factory=set)


def categories() -> list[Category]:
    return [Category(slug, vi, en) for slug, (vi, en) in CATEGORIES.items()]


def _seller_read(rows: SellerRows, viewer: Viewer, representatives: bool) -> SellerRead | None:
    """The seller's parts a compiled read found, passed through identity's views (``identity.views``: blocks, the
    sandbox rule and every personal field's audience decided there, as ``actors_by_ids`` and ``display_view``
    do)."""
    actor: PersonView | OrganizationView | None = None
    if rows.display is not None:
        actor = display_view(rows.display, viewer)
    elif rows.person is not None or rows.organization is not None:
        actor = shown_actor(rows.person, rows.organization, viewer)
    else:
        return None
    people: list[Representative] | None = None
    if representatives and rows.representatives is not None and not viewer.is_anonymous and actor is not None:
        people = []
        for found in rows.representatives:
            shown = _representative_view(found.person, viewer)
            if isinstance(shown, PersonView):
                people.append(Representative(shown, actor.id, found.role, found.since.to_native()))
    return SellerRead(actor, rows, people)


def _representative_view(person: PersonRow | ActorDisplay, viewer: Viewer) -> PersonView | OrganizationView | None:
    """A representative as the viewer may see them (None across a block or for a sandbox app that may not)."""
    if isinstance(person, PersonRow):
        return shown_actor(person, None, viewer)
    return display_view(person, viewer)


def listing_view(found: ListingRow, viewer: Viewer | None = None, shape: ListingShape = FULL_SHAPE) -> ListingView:
    """The view of a listing row; with ``viewer``, its seller's parts the compiled read of ``shape`` found too.
    Date-times are decoded here only when read (``NOT_READ`` otherwise)."""
    listing = found.listing
    return ListingView(
        id=listing.id,
        kind=listing.kind,
        title=listing.title,
        description=listing.description or "",
        price_dong=listing.price_dong,
        price_min_dong=listing.price_min_dong,
        price_max_dong=listing.price_max_dong,
        price_on_request=bool(listing.price_on_request),
        stock=listing.stock,
        category=listing.category,
        ward_code=listing.ward_code,
        ward_id=found.ward_id,
        photo_urls=tuple(listing.photo_urls or ()),
        status=listing.status,
        created_at=listing.created_at.to_native() if listing.created_at is not None else NOT_READ,
        updated_at=listing.updated_at.to_native() if listing.updated_at is not None else NOT_READ,
        seller_id=found.seller_id,
        rating_total=found.rating_total,
        rating_count=found.rating_count,
        viewer_owns=bool(found.viewer_owns),
        ward=Commune.from_record(found.ward) if found.ward else None,
        seller=_seller_read(found.seller, viewer, shape.representatives)
        if viewer is not None and shape.seller
        else None,
    )


# --- validation ------------------------------------------------------------------------------------------------------


def _check_title(title: str) -> str:
    cleaned = nfc(title)
    if not MIN_TITLE <= len(cleaned) <= MAX_TITLE:
        raise UserInputError(
            "A title has {min} to {max} characters.", field="title", params={"min": MIN_TITLE, "max": MAX_TITLE}
        )
    return cleaned


def _check_description(description: str) -> str:
    return checked_text(description, field="description", max_length=MAX_DESCRIPTION) or ""


def _check_price(value: int, name: str, max_price: int) -> int:
    if value <= 0:
        raise UserInputError("A price is a whole number of đồng greater than 0.", field=name)
    if value > max_price:
        raise UserInputError("A price is at most {limit:,} đồng.", field=name, params={"limit": max_price})
    return value


def _check_category(category: str, field: str = "category") -> str:
    if category not in CATEGORIES:
        raise UserInputError(
            "Unknown category; choose one of {categories}.", field=field, params={"categories": ", ".join(CATEGORIES)}
        )
    return category


def _check_photos(urls: list[str]) -> list[str]:
    if len(urls) > MAX_PHOTOS:
        raise UserInputError("At most {limit} photos.", field="photoUrls", params={"limit": MAX_PHOTOS})
    for url in urls:
        if not url.startswith("https://") or len(url) <= len("https://") or len(url) > MAX_PHOTO_URL:
            raise UserInputError(
                "Photo URLs are https:// addresses of at most {limit} characters.",
                field="photoUrls",
                params={"limit": MAX_PHOTO_URL},
            )
    return list(urls)


def _check_stock(stock: int) -> int:
    if not 0 <= stock <= MAX_STOCK:
        raise UserInputError("Stock is a whole number from 0 to {limit:,}.", field="stock", params={"limit": MAX_STOCK})
    return stock


GOODS_STOCK = "Goods have a stock (0 to 1,000,000)."


def _pricing_mistakes(kind: str, merged: ListingProps) -> list[UserInputError]:
    """Every mistake of the price and stock rules of a kind, on the listing's properties after the change."""
    price, low, high, on_request, stock = (
        merged.get("priceDong"),
        merged.get("priceMinDong"),
        merged.get("priceMaxDong"),
        bool(merged.get("priceOnRequest")),
        merged.get("stock"),
    )
    mistakes = []
    if kind == "investment":
        if price is not None:
            mistakes.append(
                UserInputError(
                    "An investment opportunity has a range (priceMinDong, priceMaxDong) or is on "
                    "request, not a single price.",
                    field="priceDong",
                )
            )
        if stock is not None:
            mistakes.append(UserInputError("An investment opportunity has no stock.", field="stock"))
        if on_request:
            if low is not None or high is not None:
                mistakes.append(UserInputError("A price on request has no range.", field="priceOnRequest"))
        elif low is None or high is None:
            mistakes.append(
                UserInputError(
                    "Give a range (priceMinDong and priceMaxDong) or set priceOnRequest.",
                    field="priceMinDong" if low is None else "priceMaxDong",
                )
            )
        elif low > high:
            mistakes.append(UserInputError("The lower end of the range exceeds the upper end.", field="priceMinDong"))
        return mistakes
    if price is None:
        mistakes.append(UserInputError("Goods, services and rentals have a price in đồng.", field="priceDong"))
    for name in ("priceMinDong", "priceMaxDong"):
        if merged.get(name) is not None:
            mistakes.append(UserInputError("Only investment opportunities have a price range.", field=name))
    if on_request:
        mistakes.append(
            UserInputError("Only investment opportunities may have a price on request.", field="priceOnRequest")
        )
    if kind == "goods" and stock is None:
        mistakes.append(UserInputError(GOODS_STOCK, field="stock"))
    return mistakes


def _check_pricing(kind: str, merged: ListingProps, problems: Problems) -> None:
    """Add the pricing mistakes to ``problems``, but none about a field already refused on its own."""
    refused = {error.field for error in problems.errors}
    for mistake in _pricing_mistakes(kind, merged):
        if mistake.field not in refused:
            problems.add(mistake)


def _checked_props(given: ListingInput, max_price: int, problems: Problems) -> ListingProps:
    """The given fields, each validated on its own (every mistake goes to ``problems``), as listing properties
    (None: cleared)."""
    props: ListingProps = {}
    if given.title is not None and (title := problems.take(lambda: _check_title(given.title or ""))) is not None:
        props["title"] = title
        props["searchTitle"] = fold(title)
    if given.description is not None:
        description = problems.take(lambda: _check_description(given.description or ""))
        if description is not None:
            props["description"] = description
            props["searchDescription"] = fold(description)
    prices: tuple[tuple[Literal["priceDong", "priceMinDong", "priceMaxDong"], int | None], ...] = (
        ("priceDong", given.price_dong),
        ("priceMinDong", given.price_min_dong),
        ("priceMaxDong", given.price_max_dong),
    )
    for name, amount in prices:
        if amount is not None:
            checked = problems.take(partial(_check_price, amount, name, max_price))
            if checked is not None:
                props[name] = checked
    if given.price_on_request is not None:
        props["priceOnRequest"] = given.price_on_request
    if given.stock is not None and (stock := problems.take(lambda: _check_stock(given.stock or 0))) is not None:
        props["stock"] = stock
    if given.category is not None:
        category = problems.take(lambda: _check_category(given.category or ""))
        if category is not None:
            props["category"] = category
    if given.ward_code is not None:
        props["wardCode"] = given.ward_code
    if given.photo_urls is not None:
        photos = problems.take(lambda: _check_photos(given.photo_urls or []))
        if photos is not None:
            props["photoUrls"] = photos
    # Fields explicitly set to null (the ones ``ListingInput.cleared`` may name) unless given a value above.
    if "priceDong" in given.cleared:
        props.setdefault("priceDong", None)
    if "priceMinDong" in given.cleared:
        props.setdefault("priceMinDong", None)
    if "priceMaxDong" in given.cleared:
        props.setdefault("priceMaxDong", None)
    if "stock" in given.cleared:
        props.setdefault("stock", None)
    if "wardCode" in given.cleared:
        props.setdefault("wardCode", None)
    return props


async def _check_ward(tx: AsyncManagedTransaction, ward_code: str | None) -> None:
    if ward_code is not None:
        await require_commune(tx, ward_code, field="wardCode")


def _published_status(stock: int | None) -> str:
    return "sold_out" if stock == 0 else "active"


# --- use cases -----------------------------------------------------------------------------------------------


async def create_listing(
    rt: Runtime,
    viewer: Viewer,
    *,
    kind: str,
    given: ListingInput,
    publish: bool,
    organization_id: str | None,
    problems: Problems | None = None,
) -> ListingView:
    problems = Problems() if problems is None else problems
    if kind not in KINDS:
        problems.add(UserInputError("A listing is GOODS, SERVICE, RENTAL or INVESTMENT.", field="kind"))
    if given.title is None:
        problems.add(UserInputError("A listing has a title.", field="title"))
    if given.category is None:
        problems.add(UserInputError("A listing has a category.", field="category"))
    props = _checked_props(given, rt.settings.max_price_dong, problems)
    props.setdefault("description", "")
    props.setdefault("searchDescription", "")
    props.setdefault("photoUrls", [])
    props["priceOnRequest"] = bool(props.get("priceOnRequest"))
    if kind in KINDS:
        _check_pricing(kind, props, problems)
    problems.raise_if_any()
    props["kind"] = kind
    props["status"] = _published_status(props.get("stock")) if publish else "draft"
    listing_id = str(uuid.uuid4())

    async def work(tx: AsyncManagedTransaction) -> None:
        seller = await act_as(tx, viewer, "marketplace.listing.create", organization_id)
        await assert_not_suspended(tx, authorize(viewer, "marketplace.listing.create"))
        await _check_ward(tx, props.get("wardCode"))
        await queries.create_listing(tx, listing_id, seller, props)

    await rt.graph.write(work)
    return await _fresh(rt, viewer, listing_id)


def acts_for_organizations(viewer: Viewer) -> bool:
    """Whether the actors ``viewer`` may act as (own listings and orders as) include the organisations their person
    owns or administers: a person signed in, yes; a partner app acting for a person, never (it acts only as the
    person themself: ``auth.permissions.APP_ACTS_AS_PERSON``). The ``$viewerIsPerson`` of the listing and order
    queries (``graph.listings.VIEWER_CONTEXT``, ``graph.orders.ORDER_ROLE``) and ``marketplace.orders.party_of``."""
    return not viewer.is_app


async def _owned_listing(tx: AsyncManagedTransaction, viewer: Viewer, listing_id: str) -> LockedListing:
    """The listing, write-locked, when the viewer owns it; NOT_FOUND (naming ``listingId``) when they may not see
    it, else FORBIDDEN."""
    found = await queries.lock_listing(tx, listing_id, viewer.actor_id)
    if found is None:
        raise NotFoundError(NOT_FOUND, field="listingId")
    if found.seller_is_organization:
        try:
            await act_for(tx, viewer, "marketplace.listing.edit", found.seller_id)
        except ForbiddenError:
            pass  # not its owner or admin (or not verified enough): as anyone else
        else:
            await assert_not_suspended(tx, authorize(viewer, "marketplace.listing.edit"))
            return found
    elif found.seller_id == viewer.actor_id:
        await assert_not_suspended(tx, authorize(viewer, "marketplace.listing.edit"))
        return found
    seen = ListingFacts(  # as anyone else sees it
        status=found.listing.status,
        viewer_owns=False,
        seller_active=found.seller_active,
        blocked_either_way=found.blocked_with_viewer,
    )
    if not may_see_listing(seen):
        raise NotFoundError(NOT_FOUND, field="listingId")
    raise ForbiddenError("Only the seller (or an owner or admin of the selling organisation) changes a listing.")


async def update_listing(
    rt: Runtime, viewer: Viewer, listing_id: str, given: ListingInput, *, problems: Problems | None = None
) -> ListingView:
    problems = Problems() if problems is None else problems
    props = _checked_props(given, rt.settings.max_price_dong, problems)
    problems.raise_if_any()

    async def work(tx: AsyncManagedTransaction) -> None:
        current = (await _owned_listing(tx, viewer, listing_id)).listing
        if current.status == "closed":
            raise ConflictError("The listing is CLOSED; a closed listing cannot change.")
        merged: ListingProps = {
            "priceDong": current.price_dong,
            "priceMinDong": current.price_min_dong,
            "priceMaxDong": current.price_max_dong,
            "priceOnRequest": bool(current.price_on_request),
            "stock": current.stock,
        }
        merged.update(props)
        checks = Problems()
        if "stock" in given.cleared and current.kind == "goods":
            checks.add(UserInputError(GOODS_STOCK, field="stock"))
        _check_pricing(current.kind, merged, checks)
        checks.raise_if_any()
        if "wardCode" in props:
            await _check_ward(tx, props["wardCode"])
        changes = props.copy()
        stock = merged.get("stock")
        if "stock" in props and current.status == "sold_out" and stock != 0:
            changes["status"] = "active"  # restocked
        elif "stock" in props and current.status == "active" and stock == 0:
            changes["status"] = "sold_out"
        await queries.update_listing(tx, listing_id, changes)

    await rt.graph.write(work)
    return await _fresh(rt, viewer, listing_id)


async def set_status(rt: Runtime, viewer: Viewer, listing_id: str, status: str) -> ListingView:
    if status not in STATUSES:
        raise UserInputError("Unknown status.", field="status")

    async def work(tx: AsyncManagedTransaction) -> None:
        listing = (await _owned_listing(tx, viewer, listing_id)).listing
        current, stock = listing.status, listing.stock
        if (current, status) not in TRANSITIONS:
            names = {"current": current.upper(), "wanted": status.upper()}
            if status == "sold_out":
                raise ConflictError(
                    "The listing is {current}; it cannot become {wanted} (orders mark a listing SOLD_OUT).",
                    field="status",
                    params=names,
                )
            raise ConflictError("The listing is {current}; it cannot become {wanted}.", field="status", params=names)
        if current == "sold_out" and status == "active" and stock == 0:
            raise ConflictError(
                "The listing is SOLD_OUT with a stock of 0; raise the stock with listingUpdate.", field="status"
            )
        new = _published_status(stock) if status == "active" else status
        await queries.update_listing(tx, listing_id, {"status": new})

    await rt.graph.write(work)
    return await _fresh(rt, viewer, listing_id)


async def _fresh(rt: Runtime, viewer: Viewer, listing_id: str) -> ListingView:
    (view,) = await listings_by_ids(rt, viewer, [listing_id])
    if view is None:  # cannot happen for the owner, who sees every status
        raise NotFoundError(NOT_FOUND, field="listingId")
    return view


async def listings_by_ids(
    rt: Runtime, viewer: Viewer, ids: list[str], shape: ListingShape = FULL_SHAPE
) -> list[ListingView | None]:
    """Views of these listings for ``viewer`` as ``shape`` says; None for unknown ids and listings hidden from them."""
    if not ids:
        return []
    rows = await rt.graph.read(
        queries.listings_by_ids, ids, viewer.actor_id, acts_for_organizations(viewer), sandbox_app_id(viewer), shape
    )
    found = {r.listing.id: listing_view(r, viewer, shape) for r in rows}
    return [found.get(i) for i in ids]


# --- browse --------------------------------------------------------------------------------------------------


@dataclass
class ListingFilter:
    search: str | None = None
    kinds: list[str] | None = None
    category: str | None = None
    ward_code: str | None = None
    min_price_dong: int | None = None
    max_price_dong: int | None = None
    seller_kind: str | None = None  # person | organization
    seller_id: str | None = None


#: Cursors of listings, one kind per sort (a cursor of one sort is refused by another), scoped to the filters and the
#: search (``for_filters``: a cursor taken under other filters is refused): (sort key, id); and of
#: myListings, scoped to the seller (``MY_LISTINGS_CURSOR.scoped(seller)``): (createdAt, id).
_SORT_KEY = {"newest": TIME, "price_asc": OPTIONAL_INT, "price_desc": OPTIONAL_INT, "rating": NUMBER}
LISTINGS_CURSORS = {sort: CursorKind(f"listings.{sort}", (_SORT_KEY[sort], TEXT)) for sort in SORTS}
MY_LISTINGS_CURSOR = CursorKind("myListings", (TIME, TEXT))


def _page(
    rows: list[ListingRow],
    request: PageRequest,
    kind: CursorKind,
    viewer: Viewer,
    shape: ListingShape,
    total: int | None = None,
) -> Page[ListingView]:
    """The page of ``rows`` (as the query read them for ``request.window(kind)``) as views, in display order."""
    page = request.page(rows, kind, lambda r: (r.sort_key, r.listing.id), total_count=total)
    return Page(
        items=[listing_view(r, viewer, shape) for r in page.items],
        cursors=page.cursors,
        has_next_page=page.has_next_page,
        has_previous_page=page.has_previous_page,
        total_count=page.total_count,
    )


async def browse(
    rt: Runtime,
    viewer: Viewer,
    filters: ListingFilter,
    sort: str,
    request: PageRequest,
    shape: ListingShape = FULL_SHAPE,
) -> Page[ListingView]:
    """ACTIVE listings matching the filters, in the chosen order (either way); text search with or without
    diacritics. One statement, returning what ``shape`` says."""
    if sort not in SORTS:
        raise UserInputError("Unknown sort.", field="sort")
    problems = Problems()
    search = None
    if filters.search is not None and filters.search.strip():
        search = problems.take(lambda: fulltext_query(filters.search or "", field="filter.search"))
    if filters.category is not None:
        problems.take(lambda: _check_category(filters.category or "", "filter.category"))
    prices = (("filter.minPriceDong", filters.min_price_dong), ("filter.maxPriceDong", filters.max_price_dong))
    for name, value in prices:
        if value is not None and value < 0:
            problems.add(UserInputError("A price filter is not negative.", field=name))
    params: BrowseFilters = {
        "kinds": filters.kinds or None,
        "category": filters.category,
        "wardCode": filters.ward_code,
        "minPrice": filters.min_price_dong,
        "maxPrice": filters.max_price_dong,
        "sellerId": filters.seller_id,
        "sellerKind": filters.seller_kind,
    }
    kind = LISTINGS_CURSORS[sort].for_filters(search=search, **{**params, "kinds": sorted(set(filters.kinds or []))})
    window = problems.take(lambda: request.window(kind))
    problems.raise_if_any()
    assert window is not None
    rows = await rt.graph.read(
        queries.browse,
        sort=sort,
        search=search,
        filters=params,
        viewer_id=viewer.actor_id,
        window=window,
        viewer_is_person=acts_for_organizations(viewer),
        sandbox_app_id=sandbox_app_id(viewer),
        shape=shape,
    )
    return _page(rows, request, kind, viewer, shape)


async def my_listings(
    rt: Runtime,
    viewer: Viewer,
    organization_id: str | None,
    status: str | None,
    request: PageRequest,
    shape: ListingShape = FULL_SHAPE,
    total: bool = True,
) -> Page[ListingView]:
    """The listings of the viewer (or of an organisation they own or administer) in every status, newest first,
    as ``shape`` says (with their number when ``total``): one transaction, the acting check (a statement only for
    an organisation) and one statement for the page."""

    async def work(tx: AsyncManagedTransaction) -> tuple[str, list[ListingRow], int | None]:
        seller = await act_for(tx, viewer, "marketplace.listing.read_own", organization_id)
        window = request.window(MY_LISTINGS_CURSOR.scoped(seller))
        found = await queries.my_listings(
            tx, seller, status, viewer.actor_id, window, acts_for_organizations(viewer), shape, total
        )
        return (seller, *found)

    seller, rows, count = await rt.graph.read(work)
    return _page(rows, request, MY_LISTINGS_CURSOR.scoped(seller), viewer, shape, count)
