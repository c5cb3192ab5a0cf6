"""Who may see a listing: the rule in words and code. ``graph.listings.LISTING_VISIBLE`` is its Cypher mirror,
used by the queries that hand listings to a viewer; orders ask ``may_see_listing`` whether a listing is on
offer, so a status is either seen (and then ordered or refused by its state) or does not exist for a buyer.
``tests/rules/test_listing_visibility.py`` holds the two together over every combination.

A listing's owner (the seller, or an owner/admin of the selling organisation: ``auth.rules.acts_for``) sees it
in every status; anyone else sees the PUBLIC_STATUSES only, of an active seller, and never across a block
(``auth.rules.blocked_either_way``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

#: Every status a listing can have (``marketplace.listings`` moves between them).
LISTING_STATUSES: Final = ("draft", "active", "paused", "sold_out", "closed")

#: Statuses anyone may see (of an active seller they have not blocked, nor been blocked by).
PUBLIC_STATUSES: Final = ("active", "paused", "sold_out")

#: Statuses only the listing's owner sees: to anyone else the listing does not exist.
OWNER_ONLY_STATUSES: Final = ("draft", "closed")


@dataclass(frozen=True)
class ListingFacts:
    status: str
    viewer_owns: bool  # the viewer acts for the seller (auth.rules.acts_for)
    seller_active: bool  # the seller's status is active (or unset)
    blocked_either_way: bool  # the viewer and the seller blocked one another (auth.rules.blocked_either_way)


def may_see_listing(facts: ListingFacts) -> bool:
    """The owner sees every status; anyone else a public status of an active seller, never across a block."""
    if facts.viewer_owns:
        return True
    return facts.status in PUBLIC_STATUSES and facts.seller_active and not facts.blocked_either_way
