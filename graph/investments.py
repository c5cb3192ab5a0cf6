"""Cypher of investment interest: an investor's interest in an investment listing, and the owner's answer.

An interest is visible to its investor and to the listing's owner only (``INTEREST_VISIBLE``); for an
organisation, to its owners and admins.
"""

from __future__ import annotations

from neo4j import AsyncManagedTransaction

from graph.driver import run

#: The viewer acts for ``who``: they are ``who``, or an owner or admin of the organisation ``who``.
_ACTS_FOR = """(who.id = $viewerId OR EXISTS {
  MATCH (:Person {id: $viewerId})-[r:REPRESENTS]->(who) WHERE r.role IN ['owner', 'admin'] })"""

INTEREST_VISIBLE = "(" + _ACTS_FOR.replace("who", "investor") + " OR " + _ACTS_FOR.replace("who", "seller") + ")"

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
    rows = await run(tx, OPEN_INTEREST, investorId=investor_id, listingId=listing_id)
    return rows[0]["id"] if rows else None


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


async def lock_interest(tx: AsyncManagedTransaction, interest_id: str) -> dict | None:
    rows = await run(tx, LOCK_INTEREST, id=interest_id)
    return dict(rows[0]) if rows else None


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


async def interests_by_ids(tx: AsyncManagedTransaction, ids: list[str], viewer_id: str | None) -> list[dict]:
    return [dict(r) for r in await run(tx, INTERESTS_BY_IDS, ids=ids, viewerId=viewer_id)]


INTERESTS_OF_LISTING = f"""
MATCH (seller:Actor)-[:LISTS]->(l:Listing {{id: $listingId}})
MATCH (investor:Actor)-[:EXPRESSED]->(i:InvestmentInterest {{listingId: $listingId}})
WHERE (i)-[:IN]->(l)
  AND ($afterTime IS NULL OR [i.createdAt, i.id] < [datetime($afterTime), $afterId])
WITH seller, l, investor, i ORDER BY i.createdAt DESC, i.id DESC LIMIT $limit
RETURN {INTEREST_PROJECTION}
"""

INTERESTS_OF_LISTING_COUNT = "RETURN COUNT { (i:InvestmentInterest {listingId: $listingId}) } AS total"


async def interests_of_listing(
    tx: AsyncManagedTransaction, listing_id: str, after: tuple[str, str] | None, limit: int
) -> tuple[list[dict], int]:
    rows = await run(
        tx,
        INTERESTS_OF_LISTING,
        listingId=listing_id,
        limit=limit,
        afterTime=after[0] if after else None,
        afterId=after[1] if after else None,
    )
    total = (await run(tx, INTERESTS_OF_LISTING_COUNT, listingId=listing_id))[0]["total"]
    return [dict(r) for r in rows], total


INTERESTS_OF_INVESTOR = f"""
MATCH (investor:Actor {{id: $investorId}})-[:EXPRESSED]->(i:InvestmentInterest)
      -[:IN]->(l:Listing)<-[:LISTS]-(seller:Actor)
WHERE $afterTime IS NULL OR [i.createdAt, i.id] < [datetime($afterTime), $afterId]
WITH seller, l, investor, i ORDER BY i.createdAt DESC, i.id DESC LIMIT $limit
RETURN {INTEREST_PROJECTION}
"""

INTERESTS_OF_INVESTOR_COUNT = "RETURN COUNT { (:Actor {id: $investorId})-[:EXPRESSED]->(:InvestmentInterest) } AS total"


async def interests_of_investor(
    tx: AsyncManagedTransaction, investor_id: str, after: tuple[str, str] | None, limit: int
) -> tuple[list[dict], int]:
    rows = await run(
        tx,
        INTERESTS_OF_INVESTOR,
        investorId=investor_id,
        limit=limit,
        afterTime=after[0] if after else None,
        afterId=after[1] if after else None,
    )
    total = (await run(tx, INTERESTS_OF_INVESTOR_COUNT, investorId=investor_id))[0]["total"]
    return [dict(r) for r in rows], total
