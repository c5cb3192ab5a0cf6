"""The hot operations ``make bench`` measures: each one's GraphQL document (sent over HTTP) and its floor, ONE
hand-written Cypher statement run through the driver (``driver.execute_query``, read routing) that returns the same
data. The floor is what a client that knows the data would pay at least; the ratio API/floor is the figure issue 14
sets targets on (p50 <= 1.3x).

The floors are written as a developer who knows the graph would write them: one statement, the same rows and fields,
the obvious privacy filter (active, post visibility), without the product's every rule (blocks, audiences, sandbox):
they are floors, not rivals. The documents are module constants so ``tests/foundation/test_bench_documents.py``
validates them against the schema.

Samples (``bench.samples``) name what each operation reads: ``viewer`` (a signed-in resident with connections),
``person`` (a person with posts), ``organization`` (an organisation with posts; organisations cannot post through
the API, so on a seeded graph it is the person with the most posts, ``organization_type`` says which: the row
keeps the issue's shape, 20 posts with comment counts), ``community`` (with posts),
``category`` (of listings), ``search`` (a word of a listing title), ``target`` (a person two or three hops from the
viewer, for the trust path).
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

Samples = dict[str, Any]


def global_id(type_name: str, uuid: str) -> str:
    """The id the API shows for a node (Relay global id: base64 of ``Type:uuid``)."""
    return base64.b64encode(f"{type_name}:{uuid}".encode()).decode()


@dataclass(frozen=True)
class Operation:
    """One hot read: its document and variables, its floor and parameters, who sends it."""

    name: str
    title: str
    document: str
    floor: str
    variables: Callable[[Samples], dict[str, Any]] = lambda s: {}
    floor_params: Callable[[Samples], dict[str, Any]] = lambda s: {}
    #: Sample keys it needs; an operation whose samples are missing is skipped with the reason.
    needs: tuple[str, ...] = ()
    #: Sent signed in as the viewer (else anonymous).
    signed_in: bool = True
    #: The path under ``data`` that must not be null (the sample was found, the request read something).
    expect: tuple[str, ...] = field(default_factory=tuple)


# --- documents ----------------------------------------------------------------------------------------------------

TYPENAME = "{ __typename }"

COMMUNES = """
query Communes {
  communes(first: 20) { totalCount edges { cursor node { id code name kind } } }
}
"""

ME = """
query Me {
  me { id displayName kind verificationLevel roles createdAt ward { id code name } }
}
"""

PERSON_POSTS = """
query PersonPosts($id: ID!) {
  node(id: $id) {
    id
    ... on Person {
      displayName
      posts(first: 10) {
        edges { cursor node {
          id text createdAt
          author { id displayName kind verificationLevel }
          reactions { total counts { kind count } }
        } }
      }
    }
  }
}
"""

ORGANIZATION_POSTS = """
query OrganizationPosts($id: ID!) {
  node(id: $id) {
    id
    ... on Actor {
      displayName
      posts(first: 20) {
        edges { cursor node {
          id text createdAt
          author { id displayName kind verificationLevel }
          comments { totalCount }
        } }
      }
    }
  }
}
"""

COMMUNITY_POSTS = """
query CommunityPosts($id: ID!) {
  community(id: $id) {
    id name
    posts(first: 20) {
      edges { cursor node {
        id text createdAt
        author { id displayName kind verificationLevel }
        reactions { total }
        comments { totalCount }
      } }
    }
  }
}
"""

FEED = """
query Feed {
  feed(first: 20) {
    edges { cursor node {
      id text createdAt
      author { id displayName kind verificationLevel }
      reactions { total }
      comments { totalCount }
    } }
  }
}
"""

CONNECTIONS = """
query Connections {
  me { id connections(first: 20) { totalCount edges { cursor node { id displayName kind verificationLevel } } } }
}
"""

PEOPLE_YOU_MAY_KNOW = """
query PeopleYouMayKnow {
  peopleYouMayKnow(first: 10) { person { id displayName verificationLevel } score mutualCount sharedCommunities }
}
"""

TRUST_PATH = """
query TrustPath($to: ID!) {
  trustPath(actorId: $to) { hops people { id displayName } }
}
"""

LISTINGS_OF_CATEGORY = """
query ListingsOfCategory($category: String!) {
  listings(filter: {category: $category}, first: 20) {
    edges { cursor node {
      id kind title priceDong createdAt
      seller { id displayName kind verificationLevel }
      sellerRating { average count }
    } }
  }
}
"""

LISTING_SEARCH = """
query ListingSearch($search: String!) {
  listings(filter: {search: $search}, first: 20) {
    edges { cursor node {
      id kind title priceDong createdAt
      seller { id displayName kind verificationLevel }
    } }
  }
}
"""

NOTIFICATIONS = """
query Notifications {
  notifications(first: 20) {
    edges { cursor node { id kind createdAt readAt subjectId actor { id displayName } } }
  }
  unreadNotificationCount
}
"""

# --- floors: one statement each ------------------------------------------------------------------------------------

FLOOR_TYPENAME = "RETURN 1 AS ok"

FLOOR_COMMUNES = """
CALL () { MATCH (c:Commune) RETURN count(c) AS total }
MATCH (c:Commune)
WITH total, c ORDER BY c.code LIMIT 21
RETURN total, collect(c {.id, .code, .name, .kind}) AS communes
"""

FLOOR_ME = """
MATCH (p:Person {id: $viewer})
RETURN p {.id, .displayName, .assuranceLevel, .roles, .createdAt,
          ward: head([(p)-[:LIVES_IN]->(w:Commune) | w {.id, .code, .name}])} AS me
"""

#: A post the viewer may see, textbook version: active, and public or the author's connection's.
_VISIBLE = """post.status = 'active'
  AND (post.visibility = 'public' OR author.id = $viewer
       OR (post.visibility = 'connections' AND EXISTS { (author)-[:CONNECTED]-(:Person {id: $viewer}) })
       OR (post.visibility = 'community'
           AND EXISTS { (post)-[:IN_COMMUNITY]->(:Community)<-[:MEMBER_OF]-(:Person {id: $viewer}) }))"""

FLOOR_PERSON_POSTS = f"""
MATCH (author:Person {{id: $person}})-[:POSTED]->(post:Post)
WHERE {_VISIBLE}
WITH author, post ORDER BY post.createdAt DESC, post.id DESC LIMIT 10
RETURN post {{.id, .text, .createdAt}} AS post,
       author {{.id, .displayName, .assuranceLevel}} AS author,
       COLLECT {{ MATCH (:Person)-[r:REACTED]->(post) WITH r.kind AS kind, count(*) AS n
                 RETURN {{kind: kind, count: n}} }} AS reactions
"""

FLOOR_ORGANIZATION_POSTS = f"""
MATCH (author:Actor {{id: $organization}})-[:POSTED]->(post:Post)
WHERE {_VISIBLE}
WITH author, post ORDER BY post.createdAt DESC, post.id DESC LIMIT 20
RETURN post {{.id, .text, .createdAt}} AS post,
       author {{.id, .displayName, .assuranceLevel}} AS author,
       COUNT {{ (post)<-[:ON]-(c:Comment {{status: 'active'}}) }} AS comments
"""

FLOOR_COMMUNITY_POSTS = f"""
MATCH (community:Community {{id: $community}})<-[:IN_COMMUNITY]-(post:Post)<-[:POSTED]-(author:Actor)
WHERE {_VISIBLE}
WITH community, author, post ORDER BY post.createdAt DESC, post.id DESC LIMIT 20
RETURN community.name AS community, post {{.id, .text, .createdAt}} AS post,
       author {{.id, .displayName, .assuranceLevel}} AS author,
       COUNT {{ (:Person)-[:REACTED]->(post) }} AS reactions,
       COUNT {{ (post)<-[:ON]-(c:Comment {{status: 'active'}}) }} AS comments
"""

FLOOR_FEED = f"""
MATCH (viewer:Person {{id: $viewer}})
CALL (viewer) {{
  MATCH (viewer)-[:CONNECTED]-(author:Person)-[:POSTED]->(post:Post) RETURN author, post
  UNION
  MATCH (viewer)-[:FOLLOWS]->(author:Actor)-[:POSTED]->(post:Post) RETURN author, post
  UNION
  MATCH (viewer)-[:MEMBER_OF]->(:Community)<-[:IN_COMMUNITY]-(post:Post)<-[:POSTED]-(author:Actor) RETURN author, post
  UNION
  MATCH (viewer)-[:POSTED]->(post:Post) RETURN viewer AS author, post
}}
WITH author, post WHERE {_VISIBLE}
WITH author, post ORDER BY post.createdAt DESC, post.id DESC LIMIT 20
RETURN post {{.id, .text, .createdAt}} AS post,
       author {{.id, .displayName, .assuranceLevel}} AS author,
       COUNT {{ (:Person)-[:REACTED]->(post) }} AS reactions,
       COUNT {{ (post)<-[:ON]-(c:Comment {{status: 'active'}}) }} AS comments
"""

FLOOR_CONNECTIONS = """
MATCH (me:Person {id: $viewer})
CALL (me) {
  MATCH (me)-[r:CONNECTED]-(x:Person {status: 'active'})
  WITH x, r.since AS since ORDER BY since DESC, x.id DESC LIMIT 20
  RETURN collect(x {.id, .displayName, .assuranceLevel}) AS connections
}
RETURN connections, COUNT { (me)-[:CONNECTED]-(:Person {status: 'active'}) } AS total
"""

FLOOR_PEOPLE_YOU_MAY_KNOW = """
MATCH (me:Person {id: $viewer})-[:CONNECTED]-(friend:Person)-[:CONNECTED]-(candidate:Person)
WHERE candidate <> me AND candidate.status = 'active' AND NOT EXISTS { (me)-[:CONNECTED]-(candidate) }
WITH candidate, count(DISTINCT friend) AS mutualCount
ORDER BY mutualCount DESC, candidate.id LIMIT 10
RETURN candidate {.id, .displayName, .assuranceLevel} AS person, mutualCount
"""

FLOOR_TRUST_PATH = """
MATCH (me:Person {id: $viewer}), (to:Person {id: $target})
MATCH path = SHORTEST 1 (me)-[:CONNECTED]-{1,4}(to)
RETURN [n IN nodes(path) | n {.id, .displayName}] AS people, length(path) AS hops
"""

_LISTING_FIELDS = """l {.id, .kind, .title, .priceDong, .createdAt} AS listing,
       seller {.id, .displayName, .assuranceLevel} AS seller"""

FLOOR_LISTINGS_OF_CATEGORY = f"""
MATCH (l:Listing) WHERE l.category = $category AND l.status = 'active'
WITH l ORDER BY l.createdAt DESC, l.id DESC
MATCH (seller:Actor)-[:LISTS]->(l) WHERE coalesce(seller.status, 'active') = 'active'
WITH l, seller LIMIT 20
RETURN {_LISTING_FIELDS},
       coalesce(seller.ratingCount, 0) AS ratingCount, seller.ratingTotal AS ratingTotal
"""

FLOOR_LISTING_SEARCH = f"""
CALL db.index.fulltext.queryNodes('listing_text_fulltext', $search) YIELD node AS l, score
WHERE l.status = 'active'
MATCH (seller:Actor)-[:LISTS]->(l) WHERE coalesce(seller.status, 'active') = 'active'
WITH l, seller, score ORDER BY score DESC, l.createdAt DESC LIMIT 20
RETURN {_LISTING_FIELDS}
"""

#: ``createdAt IS NOT NULL`` in both parts lets the planner seek the (recipientId, createdAt) index.
FLOOR_NOTIFICATIONS = """
CALL () {
  MATCH (n:Notification {recipientId: $viewer}) WHERE n.createdAt IS NOT NULL
  WITH n ORDER BY n.createdAt DESC, n.id DESC LIMIT 20
  RETURN collect(n {.id, .kind, .createdAt, .readAt, .subjectId,
                    actor: head(COLLECT { MATCH (a:Actor {id: n.actorId}) RETURN a {.id, .displayName} })}) AS page
}
RETURN page,
       COUNT { MATCH (n:Notification {recipientId: $viewer}) WHERE n.createdAt IS NOT NULL AND n.readAt IS NULL } AS unread
"""


def _viewer(s: Samples) -> dict[str, Any]:
    return {"viewer": s["viewer"]}


READS: tuple[Operation, ...] = (
    Operation("typename", "{ __typename }", TYPENAME, FLOOR_TYPENAME, signed_in=False, expect=("__typename",)),
    Operation(
        "communes", "communes page (20 + total)", COMMUNES, FLOOR_COMMUNES, signed_in=False, expect=("communes",)
    ),
    Operation("me", "me (profile)", ME, FLOOR_ME, floor_params=_viewer, needs=("viewer",), expect=("me",)),
    Operation(
        "person_posts",
        "person: 10 posts, authors, reactions",
        PERSON_POSTS,
        FLOOR_PERSON_POSTS,
        variables=lambda s: {"id": global_id("Person", s["person"])},
        floor_params=lambda s: {"person": s["person"], "viewer": s["viewer"]},
        needs=("viewer", "person"),
        expect=("node", "posts"),
    ),
    Operation(
        "organization_posts",
        "organisation*: 20 posts, comment counts",
        ORGANIZATION_POSTS,
        FLOOR_ORGANIZATION_POSTS,
        variables=lambda s: {"id": global_id(s["organization_type"], s["organization"])},
        floor_params=lambda s: {"organization": s["organization"], "viewer": s["viewer"]},
        needs=("viewer", "organization"),
        expect=("node", "posts"),
    ),
    Operation(
        "community_posts",
        "community: 20 posts",
        COMMUNITY_POSTS,
        FLOOR_COMMUNITY_POSTS,
        variables=lambda s: {"id": global_id("Community", s["community"])},
        floor_params=lambda s: {"community": s["community"], "viewer": s["viewer"]},
        needs=("viewer", "community"),
        expect=("community", "posts"),
    ),
    Operation("feed", "feed (20)", FEED, FLOOR_FEED, floor_params=_viewer, needs=("viewer",), expect=("feed",)),
    Operation(
        "connections",
        "my connections (20 + total)",
        CONNECTIONS,
        FLOOR_CONNECTIONS,
        floor_params=_viewer,
        needs=("viewer",),
        expect=("me", "connections"),
    ),
    Operation(
        "people_you_may_know",
        "people you may know (10)",
        PEOPLE_YOU_MAY_KNOW,
        FLOOR_PEOPLE_YOU_MAY_KNOW,
        floor_params=_viewer,
        needs=("viewer",),
        expect=("peopleYouMayKnow",),
    ),
    Operation(
        "trust_path",
        "trust path",
        TRUST_PATH,
        FLOOR_TRUST_PATH,
        variables=lambda s: {"to": global_id("Person", s["target"])},
        floor_params=lambda s: {"viewer": s["viewer"], "target": s["target"]},
        needs=("viewer", "target"),
    ),
    Operation(
        "listings_category",
        "listings of a category (20), sellers",
        LISTINGS_OF_CATEGORY,
        FLOOR_LISTINGS_OF_CATEGORY,
        variables=lambda s: {"category": s["category"]},
        floor_params=lambda s: {"category": s["category"]},
        needs=("viewer", "category"),
        expect=("listings",),
    ),
    Operation(
        "listing_search",
        "listing search (20)",
        LISTING_SEARCH,
        FLOOR_LISTING_SEARCH,
        variables=lambda s: {"search": s["search"]},
        floor_params=lambda s: {"search": s["search"]},
        needs=("viewer", "search"),
        expect=("listings",),
    ),
    Operation(
        "notifications",
        "notifications (20) + unread",
        NOTIFICATIONS,
        FLOOR_NOTIFICATIONS,
        floor_params=_viewer,
        needs=("viewer",),
        expect=("notifications",),
    ),
)

# --- the write path: orderPlace then orderPay (the seller's orderAccept between them is not timed) -----------------

SIGN_IN = """
mutation SignIn($input: SessionLoginInput!) {
  sessionLogin(input: $input) { tokens { accessToken } errors { code message } }
}
"""

LISTING_CREATE = """
mutation BenchListing($input: ListingCreateInput!) {
  listingCreate(input: $input) { listing { id status stock priceDong } errors { code field message } }
}
"""

LISTING_CLOSE = """
mutation BenchListingClose($input: ListingStatusSetInput!) {
  listingStatusSet(input: $input) { listing { id status } errors { code message } }
}
"""

TOP_UP = """
mutation BenchTopUp($input: WalletTopUpInput!) {
  walletTopUp(input: $input) { wallet { balanceDong } errors { code field message } }
}
"""

ORDER_PLACE = """
mutation BenchOrderPlace($input: OrderPlaceInput!) {
  orderPlace(input: $input) { order { id status totalDong createdAt } errors { code field message } }
}
"""

ORDER_ACCEPT = """
mutation BenchOrderAccept($input: OrderAcceptInput!) {
  orderAccept(input: $input) { order { id status } errors { code field message } }
}
"""

ORDER_PAY = """
mutation BenchOrderPay($input: OrderPayInput!) {
  orderPay(input: $input) { order { id status totalDong updatedAt } errors { code field message } }
}
"""

#: The floor of orderPlace: one statement that takes the stock and writes an order (bench labels, deleted after).
FLOOR_ORDER_PLACE = """
MATCH (buyer:Person {id: $buyer}), (l:Listing {id: $listing})
WHERE l.status = 'active' AND l.stock >= $quantity
SET l.stock = l.stock - $quantity, l.updatedAt = datetime()
CREATE (buyer)-[:BENCH_PLACED]->(o:BenchOrder {id: randomUUID(), status: 'placed', quantity: $quantity,
        totalDong: $quantity * l.priceDong, createdAt: datetime(), updatedAt: datetime()})-[:BENCH_OF]->(l)
RETURN o {.id, .status, .totalDong, .createdAt} AS order
"""

#: The floor of orderPay: one statement that moves the order on and books the payment (bench labels).
FLOOR_ORDER_PAY = """
MATCH (:Person {id: $buyer})-[:BENCH_PLACED]->(o:BenchOrder {id: $order})
WHERE o.status = 'placed'
SET o.status = 'paid', o.updatedAt = datetime()
CREATE (o)-[:BENCH_BOOKED]->(:BenchLedgerEntry {id: randomUUID(), kind: 'payment', amountDong: o.totalDong,
        at: datetime()})
RETURN o {.id, .status, .totalDong, .updatedAt} AS order
"""

#: What the write floors leave behind, deleted at the end of a run (a batch per statement).
FLOOR_CLEANUP = """
MATCH (n) WHERE n:BenchOrder OR n:BenchLedgerEntry
WITH n LIMIT 5000 DETACH DELETE n RETURN count(*) AS deleted
"""

#: The price and stock of the listing the bench buys from (made at the start of the write phase, closed at the end).
BENCH_LISTING_PRICE = 1_000
BENCH_LISTING_STOCK = 1_000_000  # the most a listing may hold
BENCH_TOP_UP = 500_000_000
