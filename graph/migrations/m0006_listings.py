"""Marketplace listings and investment interest."""

from __future__ import annotations

DESCRIPTION = "Marketplace listings: ids, browse indexes and the full-text index; investment interest ids."

STATEMENTS: list[str] = [
    "CREATE CONSTRAINT listing_id_unique IF NOT EXISTS FOR (l:Listing) REQUIRE l.id IS UNIQUE",
    # Browse: every public list starts from the active listings, newest first or filtered by category / ward.
    "CREATE INDEX listing_status_created_at IF NOT EXISTS FOR (l:Listing) ON (l.status, l.createdAt)",
    "CREATE INDEX listing_category_status IF NOT EXISTS FOR (l:Listing) ON (l.category, l.status)",
    "CREATE INDEX listing_ward_code_status IF NOT EXISTS FOR (l:Listing) ON (l.wardCode, l.status)",
    "CREATE INDEX listing_kind_status IF NOT EXISTS FOR (l:Listing) ON (l.kind, l.status)",
    # Text search on title and description, with and without diacritics (folded copies).
    "CREATE FULLTEXT INDEX listing_text_fulltext IF NOT EXISTS FOR (l:Listing) "
    "ON EACH [l.title, l.searchTitle, l.description, l.searchDescription]",
    "CREATE CONSTRAINT investment_interest_id_unique IF NOT EXISTS FOR (i:InvestmentInterest) REQUIRE i.id IS UNIQUE",
    "CREATE INDEX investment_interest_investor IF NOT EXISTS FOR (i:InvestmentInterest) ON (i.investorId, i.createdAt)",
    "CREATE INDEX investment_interest_listing IF NOT EXISTS FOR (i:InvestmentInterest) ON (i.listingId, i.createdAt)",
]
