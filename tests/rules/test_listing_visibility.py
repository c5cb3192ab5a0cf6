"""The listing-visibility rule (``marketplace.visibility.may_see_listing``) and its Cypher mirror
(``graph.listings.LISTING_VISIBLE``) agree on every combination of facts; the facts the order queries and the
listing lock read for the rule are the same facts; and every listing status is either public or its owner's
only, so a new status cannot become orderable by accident.

One seed writes every combination (listings in every status, of person and organisation sellers in every seller
status, related to the viewer in every way); one read asks the production queries about all of them.
"""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass, replace

import pytest

from auth import rules
from core.errors import ConflictError, NotFoundError
from graph import listings as listing_queries
from graph import orders as order_queries
from graph.orders import OrderableListing
from marketplace import listings, orders
from marketplace.visibility import (
    LISTING_STATUSES,
    OWNER_ONLY_STATUSES,
    PUBLIC_STATUSES,
    ListingFacts,
    may_see_listing,
)

SELLER_STATUSES = ("active", "closed", None)  # None: an actor stored before status existed counts as active
#: How the viewer relates to a seller: nothing, a block either way, or a representative role (organisations).
PERSON_RELATIONS = (None, "viewer_blocks", "seller_blocks")
ORGANIZATION_RELATIONS = (*PERSON_RELATIONS, "owner", "admin", "member")


@dataclass(frozen=True)
class Seller:
    id: str
    organization: bool
    status: str | None
    relation: str | None  # to the viewer V


def _sellers() -> list[Seller]:
    sellers = []
    for organization, relations in ((False, PERSON_RELATIONS), (True, ORGANIZATION_RELATIONS)):
        for status, relation in itertools.product(SELLER_STATUSES, relations):
            sellers.append(Seller(str(uuid.uuid4()), organization, status, relation))
    return sellers


async def test_listing_visibility_agrees_with_its_cypher_mirror(graph):
    # Viewers: V (related to every seller below as the seller says) and three people who sell themselves, one per
    # seller status (a person always acts for themself); anyone else is a stranger to them.
    viewer = str(uuid.uuid4())
    selves = [Seller(str(uuid.uuid4()), False, status, None) for status in SELLER_STATUSES]
    related = _sellers()
    sellers = related + selves
    people = [{"id": viewer, "status": "active"}] + [{"id": s.id, "status": s.status} for s in selves]
    others = [{"id": s.id, "organization": s.organization, "status": s.status, "relation": s.relation} for s in related]
    listed = [
        {"id": str(uuid.uuid4()), "seller": seller.id, "status": status}
        for seller in sellers
        for status in LISTING_STATUSES
    ]

    async def seed(tx):
        await tx.run(
            """
            UNWIND $people AS person
            CREATE (p:Actor:Person {id: person.id}) SET p.status = person.status
            WITH collect(p) AS created
            MATCH (viewer:Person {id: $viewer})
            UNWIND $others AS s
            CREATE (seller:Actor {id: s.id}) SET seller.status = s.status
            FOREACH (_ IN CASE WHEN s.organization THEN [1] ELSE [] END | SET seller:Organization)
            FOREACH (_ IN CASE WHEN s.organization THEN [] ELSE [1] END | SET seller:Person)
            FOREACH (_ IN CASE WHEN s.relation = 'viewer_blocks' THEN [1] ELSE [] END | CREATE (viewer)-[:BLOCKED]->(seller))
            FOREACH (_ IN CASE WHEN s.relation = 'seller_blocks' THEN [1] ELSE [] END | CREATE (seller)-[:BLOCKED]->(viewer))
            FOREACH (role IN CASE WHEN s.relation IN ['owner', 'admin', 'member'] THEN [s.relation] ELSE [] END |
                     CREATE (viewer)-[:REPRESENTS {role: role}]->(seller))
            WITH count(*) AS done
            UNWIND $listed AS listing
            MATCH (seller:Actor {id: listing.seller})
            CREATE (seller)-[:LISTS]->(:Listing {id: listing.id, kind: 'goods', title: 'Bàn gỗ', category: 'other',
                                                 status: listing.status, priceDong: 1000, stock: 5,
                                                 createdAt: datetime(), updatedAt: datetime()})
            """,
            people=people,
            viewer=viewer,
            others=others,
            listed=listed,
        )

    await graph.write(seed)
    by_id = {s.id: s for s in sellers}
    ids = [listing["id"] for listing in listed]

    def facts(asker: str | None, listing: dict) -> ListingFacts:
        seller = by_id[listing["seller"]]
        active = seller.status in ("active", None)
        asked_by_viewer = asker == viewer and seller.relation is not None
        role = seller.relation if asked_by_viewer and seller.organization else None
        blocks = frozenset(
            {(viewer, seller.id)}
            if asked_by_viewer and seller.relation == "viewer_blocks"
            else {(seller.id, viewer)}
            if asked_by_viewer and seller.relation == "seller_blocks"
            else set()
        )
        return ListingFacts(
            status=listing["status"],
            viewer_owns=asker is not None and rules.acts_for(asker, seller.id, role, active),
            seller_active=active,
            blocked_either_way=asker is not None and rules.blocked_either_way(blocks, asker, seller.id),
        )

    async def ask(tx):
        return {
            asker: {r.listing.id: r.viewer_owns for r in await listing_queries.listings_by_ids(tx, ids, asker)}
            for asker in [None, viewer] + [s.id for s in selves]
        }

    said = await graph.read(ask)
    checked = 0
    for asker, seen in said.items():
        for listing in listed:
            expected = facts(asker, listing)
            assert (listing["id"] in seen) == may_see_listing(expected), (asker == viewer, listing, expected)
            if listing["id"] in seen:
                assert seen[listing["id"]] == expected.viewer_owns, (listing, expected)
            checked += 1
    assert checked == 5 * len(listed)  # anonymous, V and the three who sell themselves
    # every combination happened: each listing status is seen by someone and hidden from someone
    for status in LISTING_STATUSES:
        outcomes = {may_see_listing(facts(a, x)) for a in said for x in listed if x["status"] == status}
        assert outcomes == {True, False}, status

    # The facts the order queries and the listing lock read for V are the rule's facts.
    async def read_locked(tx):
        orderable = await order_queries.lock_listings(tx, sorted(ids), viewer)
        locked = {i: await listing_queries.lock_listing(tx, i, viewer) for i in ids}
        return orderable, locked

    orderable, locked = await graph.write(read_locked)
    for listing in listed:
        expected = facts(viewer, listing)
        got = orderable[listing["id"]]
        assert (got.status, got.seller_active, got.blocked) == (
            expected.status,
            expected.seller_active,
            expected.blocked_either_way,
        )
        lock = locked[listing["id"]]
        assert lock is not None
        assert (lock.seller_active, lock.blocked_with_viewer) == (expected.seller_active, expected.blocked_either_way)


def test_the_cypher_mirror_names_the_same_public_statuses():
    assert list(PUBLIC_STATUSES) == listing_queries.PUBLIC_STATUSES


def test_every_listing_status_is_public_or_its_owners_only():
    assert listings.STATUSES == LISTING_STATUSES
    assert set(PUBLIC_STATUSES) | set(OWNER_ONLY_STATUSES) == set(LISTING_STATUSES)
    assert not set(PUBLIC_STATUSES) & set(OWNER_ONLY_STATUSES)
    for status in LISTING_STATUSES:
        stranger = ListingFacts(status, viewer_owns=False, seller_active=True, blocked_either_way=False)
        assert may_see_listing(stranger) == (status in PUBLIC_STATUSES)
        assert may_see_listing(replace(stranger, viewer_owns=True))
        assert not may_see_listing(replace(stranger, blocked_either_way=True))
        assert not may_see_listing(replace(stranger, seller_active=False))


BUYABLE = OrderableListing(
    id="l1",
    kind="goods",
    status="active",
    price_dong=1000,
    stock=3,
    title="Bàn gỗ",
    seller_id="seller",
    seller_active=True,
    blocked=False,
)


@pytest.mark.parametrize("status", [*LISTING_STATUSES, "archived"])  # "archived": a status the rule does not know
def test_only_an_active_listing_anyone_may_see_is_orderable(status):
    listing = replace(BUYABLE, status=status)
    if status == "active":
        assert orders._orderable(listing, "buyer", "listingId") == (listing, 1000)
    elif status in PUBLIC_STATUSES:
        with pytest.raises(ConflictError, match="cannot be ordered now"):
            orders._orderable(listing, "buyer", "listingId")
    else:  # the owner's only, or unknown: to a buyer it does not exist
        with pytest.raises(NotFoundError):
            orders._orderable(listing, "buyer", "listingId")
    for hidden in (replace(listing, blocked=True), replace(listing, seller_active=False)):
        with pytest.raises(NotFoundError):
            orders._orderable(hidden, "buyer", "listingId")
