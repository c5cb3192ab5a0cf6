"""Cypher of investment interest: an investor's interest in an investment listing, and the owner's answer.

An interest is visible to its investor and to the listing's owner only (``INTEREST_VISIBLE``); for an
organisation, to its owners and admins (``graph.rules.acts_for``).
"""

from __future__ import annotations

from dataclasses import dataclass

from neo4j import AsyncManagedTransaction, Record
from neo4j.time import DateTime

from core.pagination import Window
from graph.driver import run, window_keyset
from graph.paging import both_ways
from graph.rows import row
from graph.rules import acts_for


@dataclass(frozen=True)
class LockedInterest:
    """An interest as an answer or a withdrawal reads it under its lock."""

    status: str
    investor_id: str
    investor_is_organization: bool
    seller_id: str
    listing_id: str


@dataclass(frozen=True)
class InterestRow:
    id: str
    amount_dong: int
    message: str
    status: str
    answer: str | None
    created_at: DateTime
    answered_at: DateTime | None
    listing_id: str
    investor_id: str
    seller_id: str


def _interest_row(record: Record) -> InterestRow:
    return row(InterestRow, {**dict(record), **record["interest"]})


#: The viewer ``$viewerId`` acts for the investor or for the listing's seller.
INTEREST_VISIBLE = f"({acts_for('investor')} OR {acts_for('seller')})"

INTEREST_PROJECTION = """
i {.id, .amountDong, .message, .status, .answer, .createdAt, .answeredAt} AS interest,
l.id AS listingId, investor.id AS investorId, seller.id AS sellerId
"""

OPEN_INTEREST = """
MATCH (:Actor {id: $investorId})-[:EXPRESSED]->(i:InvestmentInterest {status: 'pending'})
      -[:IN]->(:Listing {id: $listingId})
RETURN i.id AS id
"""


async def open_interest(tx: AsyncManagedTransaction, investor_id: str, listing_id: str) -> str | None:
    found = await run(tx, OPEN_INTEREST, investorId=investor_id, listingId=listing_id)
    interest_id: str | None = found[0]["id"] if found else None
    return interest_id


CREATE_INTEREST = """
MATCH (investor:Actor {id: $investorId}), (l:Listing {id: $listingId})
CREATE (investor)-[:EXPRESSED]->(i:InvestmentInterest {
  id: $id, investorId: $investorId, listingId: $listingId, amountDong: $amountDong, message: $message,
  status: 'pending', createdAt: datetime()})-[:IN]->(l)
"""


async def create_interest(
    tx: AsyncManagedTransaction, *, id: str, investor_id: str, listing_id: str, amount_dong: int, message: str
) -> None:
    await run(
        tx,
        CREATE_INTEREST,
        id=id,
        investorId=investor_id,
        listingId=listing_id,
        amountDong=amount_dong,
        message=message,
    )


LOCK_INTEREST = """
MATCH (investor:Actor)-[:EXPRESSED]->(i:InvestmentInterest {id: $id})-[:IN]->(l:Listing)<-[:LISTS]-(seller:Actor)
SET i.lock = true
REMOVE i.lock
RETURN i.status AS status, investor.id AS investorId, investor:Organization AS investorIsOrganization,
       seller.id AS sellerId, l.id AS listingId
"""


async def lock_interest(tx: AsyncManagedTransaction, interest_id: str) -> LockedInterest | None:
    found = await run(tx, LOCK_INTEREST, id=interest_id)
    return row(LockedInterest, found[0]) if found else None


SET_INTEREST_STATUS = """
MATCH (i:InvestmentInterest {id: $id})
SET i.status = $status, i.answer = coalesce($answer, i.answer),
    i.answeredAt = CASE WHEN $answered THEN datetime() ELSE i.answeredAt END
"""


async def set_interest_status(
    tx: AsyncManagedTransaction, interest_id: str, status: str, answer: str | None, *, answered: bool
) -> None:
    await run(tx, SET_INTEREST_STATUS, id=interest_id, status=status, answer=answer, answered=answered)


INTERESTS_BY_IDS = f"""
UNWIND $ids AS id
MATCH (investor:Actor)-[:EXPRESSED]->(i:InvestmentInterest {{id: id}})-[:IN]->(l:Listing)<-[:LISTS]-(seller:Actor)
WHERE $viewerId IS NOT NULL AND {INTEREST_VISIBLE}
RETURN {INTEREST_PROJECTION}
"""


async def interests_by_ids(tx: AsyncManagedTransaction, ids: list[str], viewer_id: str | None) -> list[InterestRow]:
    return [_interest_row(r) for r in await run(tx, INTERESTS_BY_IDS, ids=ids, viewerId=viewer_id)]


INTERESTS_OF_LISTING = both_ways(f"""
MATCH (seller:Actor)-[:LISTS]->(l:Listing {{id: $listingId}})
MATCH (investor:Actor)-[:EXPRESSED]->(i:InvestmentInterest {{listingId: $listingId}})
WHERE (i)-[:IN]->(l)
  AND ($afterTime IS NULL OR [i.createdAt, i.id] < [datetime($afterTime), $afterId])
  AND ($beforeTime IS NULL OR [i.createdAt, i.id] > [datetime($beforeTime), $beforeId])
WITH seller, l, investor, i ORDER BY i.createdAt {{DESC}}, i.id {{DESC}} LIMIT $limit
RETURN {INTEREST_PROJECTION}
""")

INTERESTS_OF_LISTING_COUNT = "RETURN COUNT { (i:InvestmentInterest {listingId: $listingId}) } AS total"


async def interests_of_listing(
    tx: AsyncManagedTransaction, listing_id: str, window: Window
) -> tuple[list[InterestRow], int]:
    """One page of a listing's interests in the window's reading order, and how many it has."""
    found = await run(
        tx,
        INTERESTS_OF_LISTING.of(window.backwards),
        listingId=listing_id,
        limit=window.limit,
        **window_keyset(window),
    )
    total: int = (await run(tx, INTERESTS_OF_LISTING_COUNT, listingId=listing_id))[0]["total"]
    return [_interest_row(r) for r in found], total


INTERESTS_OF_INVESTOR = both_ways(f"""
MATCH (investor:Actor {{id: $investorId}})-[:EXPRESSED]->(i:InvestmentInterest)
      -[:IN]->(l:Listing)<-[:LISTS]-(seller:Actor)
WHERE ($afterTime IS NULL OR [i.createdAt, i.id] < [datetime($afterTime), $afterId])
  AND ($beforeTime IS NULL OR [i.createdAt, i.id] > [datetime($beforeTime), $beforeId])
WITH seller, l, investor, i ORDER BY i.createdAt {{DESC}}, i.id {{DESC}} LIMIT $limit
RETURN {INTEREST_PROJECTION}
""")

INTERESTS_OF_INVESTOR_COUNT = "RETURN COUNT { (:Actor {id: $investorId})-[:EXPRESSED]->(:InvestmentInterest) } AS total"


async def interests_of_investor(
    tx: AsyncManagedTransaction, investor_id: str, window: Window
) -> tuple[list[InterestRow], int]:
    """One page of an investor's interests in the window's reading order, and how many they stated."""
    found = await run(
        tx,
        INTERESTS_OF_INVESTOR.of(window.backwards),
        investorId=investor_id,
        limit=window.limit,
        **window_keyset(window),
    )
    total: int = (await run(tx, INTERESTS_OF_INVESTOR_COUNT, investorId=investor_id))[0]["total"]
    return [_interest_row(r) for r in found], total
