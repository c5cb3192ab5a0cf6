"""Listing helpers for marketplace tests: create (and publish) listings through the public API (listingCreate)."""

from __future__ import annotations

import httpx

from tests.identity.people import Someone
from tests.support import gql

LISTING_FIELDS = """
id kind title description priceDong priceMinDong priceMaxDong priceOnRequest stock category wardCode photoUrls
status createdAt updatedAt viewerIsOwner sellerRating { average count } seller { id displayName }
"""

LISTING_CREATE = f"""
mutation ListingCreate($input: ListingCreateInput!) {{
  listingCreate(input: $input) {{
    listing {{ {LISTING_FIELDS} }}
    errors {{ code field message }}
  }}
}}
"""


def listing_input(**overrides) -> dict:
    """A valid GOODS listing input (publish=True), with ``overrides`` applied (GraphQL names)."""
    data = {
        "kind": "GOODS",
        "title": "Điện thoại Nokia 3310 cũ",
        "description": "Máy còn tốt, pin khỏe, giao tại Hoàn Kiếm.",
        "priceDong": 350_000,
        "stock": 3,
        "category": "electronics",
        "wardCode": "00070",
        "photoUrls": ["https://img.example.vn/nokia.jpg"],
        "publish": True,
    }
    if overrides.get("kind") == "INVESTMENT":  # a range instead of a price, no stock
        data.update(
            priceDong=None, stock=None, category="real-estate", priceMinDong=1_000_000_000, priceMaxDong=5_000_000_000
        )
    data.update(overrides)
    return data


async def create_listing(client: httpx.AsyncClient, seller: Someone, **overrides) -> dict:
    """Create a listing for ``seller`` (a verified Someone) and return its JSON (id, status, stock, priceDong...).

    Published (ACTIVE) unless ``publish=False``; ``as_organization=<global id>`` lists for an organisation the
    seller owns or administers; any other keyword overrides a field of ``listing_input`` (GraphQL names, e.g.
    ``priceDong=120000, stock=1, kind="SERVICE"``)."""
    organization = overrides.pop("as_organization", None)
    data = listing_input(**overrides)
    if organization is not None:
        data["asOrganization"] = organization
    body = await gql(client, LISTING_CREATE, {"input": data}, headers=seller.auth)
    assert "errors" not in body, body["errors"]
    result = body["data"]["listingCreate"]
    assert result["errors"] == [], result["errors"]
    return result["listing"]
