"""Statements per request of the compiled listing reads (issue 14; DESIGN.md, "Request life" 3): a page of listings
with every field (``tests.statements.LISTING``: the seller with its relation and representatives, the ward, the
rating) is ONE Cypher statement, for 2 listings as for 20, in browse and in search, for a resident, a signed-out
caller and a partner app; ``myListings`` is one too, besides the acting check of an organisation and, when the
seller is the viewer, their own contacts, verification requests and organisations (identity's loaders).

A request also runs what every request of its caller runs, which is not the listings' doing: the check of a
resident's session or of an app's token (measured with ``{ __typename }`` under the same headers), and for an app
the write of its reads to the access log when it read personal data (``schema.access_log.AccessLogWriter``)."""

from __future__ import annotations

from tests import statements
from tests.identity.people import make_officer, make_verified, register, uuid_of
from tests.identity.test_organizations import registered_org
from tests.marketplace.listing_helpers import create_listing
from tests.partners.support import app_token, make_partner, seed_app, seed_grant

PAGE = """
query Page($filter: ListingFilter, $first: Int) {
  listings(filter: $filter, first: $first) {
    totalCount pageInfo { hasNextPage endCursor } edges { cursor node { ...ListingFields } }
  }
}
"""

NODES = """
query Nodes($filter: ListingFilter, $first: Int) {
  listings(filter: $filter, first: $first) { nodes { ...ListingFields } }
}
"""

MINE = """
query Mine($org: ID, $first: Int) {
  myListings(asOrganization: $org, first: $first) {
    totalCount pageInfo { hasNextPage endCursor } edges { cursor node { ...ListingFields } }
  }
}
"""

#: Every field of a listing a partner app may read (``partners.fields``: an app is refused ``Actor.relation``,
#: ``Organization.representatives``... and ``Person`` fields outside its scopes).
APP_LISTING = """
fragment ListingFields on Listing {
  id kind title description priceDong priceMinDong priceMaxDong priceOnRequest stock category wardCode photoUrls
  status createdAt updatedAt viewerIsOwner sellerRating { average count }
  seller {
    id displayName kind verificationLevel createdAt
    ... on Person { roles closed ward { id code name nameAscii kind fullName province } }
    ... on Organization { organizationKind sector }
  }
  ward { id code name nameAscii kind fullName province }
}
"""

CATEGORY = {"category": "household"}
SEARCH = {"search": "quat dien senko"}


async def _market(app, client):
    """22 ACTIVE listings of one category (every other one sold by an organisation, over three wards) by three
    verified sellers; returns the sellers and the organisation's global id."""
    officer = await make_officer(app, client)
    sellers = [await make_verified(app, client, officer, fullName=f"Người Bán {i}") for i in range(3)]
    organization = await registered_org(client, sellers[0], taxCode="0109876512")
    for i in range(22):
        by_organization = {"as_organization": organization} if i % 2 == 0 else {}
        seller = sellers[0] if by_organization else sellers[i % 3]
        ward = ["00070", "00004", "00008"][i % 3]
        await create_listing(
            client, seller, title=f"Quạt điện Senko số {i}", category="household", wardCode=ward, **by_organization
        )
    return sellers, organization


async def _per_request(client, headers) -> int:
    """What every request of this caller costs before any field: its session's or token's check."""
    found, _ = await statements.counted(client, "{ __typename }", headers=headers)
    return found


def _edges(body: dict, field: str = "listings") -> list[dict]:
    found = body["data"][field]
    return found["edges"] if "edges" in found else [{"node": n} for n in found["nodes"]]


async def test_a_page_of_listings_with_every_field_is_one_statement_for_2_or_20_listings(app, client):
    sellers, organization = await _market(app, client)
    resident = await register(client)
    base = await _per_request(client, resident.auth)
    assert base == 1, "a resident's request checks their session"
    for case, listing_filter in (("browse", CATEGORY), ("search", SEARCH)):
        for document in (PAGE, NODES):
            for first in (2, 20):
                count, body = await statements.counted(
                    client, document + statements.LISTING, {"filter": listing_filter, "first": first},
                    headers=resident.auth,
                )  # fmt: skip
                edges = _edges(body)
                assert len(edges) == first, (case, len(edges))
                assert count == base + 1, (case, first, count)
                nodes = [e["node"] for e in edges]
                assert all(n["seller"]["relation"] == {
                    "connected": False, "requestSent": False, "requestReceived": False, "following": False,
                    "blocked": False, "muted": False,
                } for n in nodes)  # fmt: skip
                assert all(n["ward"] and n["title"].startswith("Quạt điện Senko") for n in nodes)
                assert all(n["createdAt"] and n["updatedAt"] and n["viewerIsOwner"] is False for n in nodes)
                kinds = {n["seller"]["kind"] for n in nodes}
                if first == 20:
                    assert kinds == {"PERSON", "ORGANIZATION"}
                for n in nodes:
                    if n["seller"]["kind"] == "ORGANIZATION":
                        assert n["seller"]["id"] == organization
                        (representative,) = n["seller"]["representatives"]
                        assert representative["role"] == "OWNER"
                        assert representative["person"] == {"id": sellers[0].id, "displayName": "Người Bán 0"}
                    else:
                        assert n["seller"]["displayName"].startswith("Người Bán")
                        # a stranger's personal fields stay hidden (identity.privacy decides in the view)
                        assert n["seller"]["phone"] is None and n["seller"]["contacts"] is None
                print(f"listings ({case}, {first}), every field: {count} statements ({base} per request)")


async def test_a_signed_out_caller_reads_a_page_of_listings_in_one_statement(app, client):
    await _market(app, client)
    for listing_filter in (CATEGORY, SEARCH):
        for first in (2, 20):
            count, body = await statements.counted(
                client, PAGE + statements.LISTING, {"filter": listing_filter, "first": first}, headers=None
            )
            nodes = [e["node"] for e in _edges(body)]
            assert count == 1 and len(nodes) == first
            # signed out: no relation, and the people behind an organisation are not shown
            assert all(n["seller"]["relation"] is None for n in nodes)
            assert all(n["seller"]["representatives"] is None for n in nodes if n["seller"]["kind"] == "ORGANIZATION")


async def test_a_partner_app_reads_a_page_of_listings_in_one_statement(app, client):
    sellers, _ = await _market(app, client)
    partner = await make_partner(app, client)
    scopes = ("openid", "profile.basic", "profile.verification", "ward.read")
    seeded = await seed_app(app, partner, scopes=scopes)
    person = await register(client)
    headers = app_token(app, seeded, await seed_grant(app, seeded, uuid_of(person.id)))
    base = await _per_request(client, headers)
    for listing_filter in (CATEGORY, SEARCH):
        for first in (2, 20):
            count, body = await statements.counted(
                client, PAGE + APP_LISTING, {"filter": listing_filter, "first": first}, headers=headers
            )
            nodes = [e["node"] for e in _edges(body)]
            assert len(nodes) == first and all(n["seller"]["displayName"] for n in nodes)
            # the token's check, the page, and the write of the sellers' names it read to their access logs
            assert count == base + 1 + 1, (first, base, count)
            print(f"listings as an app ({first}): {count} statements ({base} per request, 1 access-log write)")


async def test_my_listings_with_every_field_is_one_statement_besides_the_sellers_own_lists(app, client):
    sellers, organization = await _market(app, client)
    other = sellers[1]
    base = await _per_request(client, other.auth)
    for first in (2, 4):  # theirs: the odd listings i with i % 3 == 1
        count, body = await statements.counted(client, MINE + statements.LISTING, {"first": first}, headers=other.auth)
        found = body["data"]["myListings"]
        nodes = [e["node"] for e in found["edges"]]
        assert found["totalCount"] == 4 and len(nodes) == first
        assert all(
            n["viewerIsOwner"] and n["seller"]["id"] == other.id and n["seller"]["relation"] is None for n in nodes
        )
        # the seller is the viewer: their own contacts, verification requests and organisations are read by their
        # loaders (identity's, not compiled here), one statement each
        assert all(n["seller"]["contacts"] is not None for n in nodes)
        print(f"myListings ({first}), every field: {count} statements ({base} per request)")
        assert count == base + 1 + 3, (first, count)
    owner = sellers[0]
    for first in (2, 11):
        count, body = await statements.counted(
            client, MINE + statements.LISTING, {"org": organization, "first": first}, headers=owner.auth
        )
        found = body["data"]["myListings"]
        assert found["totalCount"] == 11 and len(found["edges"]) == first
        # the acting check of the organisation, then the page (representatives included)
        print(f"myListings of an organisation ({first}), every field: {count} statements ({base} per request)")
        assert count == base + 2, (first, count)
        assert all(e["node"]["seller"]["representatives"] for e in found["edges"])
