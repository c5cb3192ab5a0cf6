"""The developer sandbox's queries: is the database empty, wipe it for a new demo, find a person by what a developer
knows of them, list the city officers. Nothing here writes a product state: the demo data itself is made through the
domains' services (``sandbox.demo``)."""

from __future__ import annotations

from dataclasses import dataclass

from neo4j import AsyncManagedTransaction

from graph.driver import run
from graph.rows import rows

#: Labels that are not "other data": migration records and the reference data migrations load (communes, ward
#: communities). The same labels the test suite keeps between tests.
PRESERVED_LABELS = ["SchemaMigration", "ReferenceData"]

COUNT_OTHER_DATA = """
MATCH (n) WHERE none(label IN labels(n) WHERE label IN $preserved)
RETURN count(n) AS total
"""


async def count_other_data(tx: AsyncManagedTransaction) -> int:
    """How many nodes are neither migration records nor reference data."""
    return int((await run(tx, COUNT_OTHER_DATA, preserved=PRESERVED_LABELS))[0]["total"])


WIPE_OTHER_DATA = """
MATCH (n) WHERE none(label IN labels(n) WHERE label IN $preserved)
WITH n LIMIT $batch
DETACH DELETE n
RETURN count(*) AS deleted
"""


async def wipe_other_data(tx: AsyncManagedTransaction, batch: int) -> int:
    """Delete up to ``batch`` nodes that are neither migration records nor reference data; how many went (the caller
    repeats until none is left, one transaction a batch)."""
    return int((await run(tx, WIPE_OTHER_DATA, preserved=PRESERVED_LABELS, batch=batch))[0]["deleted"])


@dataclass(frozen=True)
class PersonRef:
    """A person as the development commands name them."""

    id: str
    display_name: str
    roles: list[str]
    assurance_level: int
    status: str


PERSON_FIELDS = """p.id AS id, p.displayName AS displayName, coalesce(p.roles, []) AS roles,
       p.assuranceLevel AS assuranceLevel, p.status AS status"""

PERSONS_BY_ID_OR_CONTACT = f"""
OPTIONAL MATCH (byId:Person {{id: $id}})
OPTIONAL MATCH (byContact:Person)-[:HAS_CONTACT]->(:Contact {{value: $contact}})
WITH [x IN collect(DISTINCT byId) + collect(DISTINCT byContact) WHERE x IS NOT NULL] AS found
UNWIND found AS p
WITH DISTINCT p
RETURN {PERSON_FIELDS}
ORDER BY p.id
"""


async def persons_by_id_or_contact(tx: AsyncManagedTransaction, *, id: str, contact: str) -> list[PersonRef]:
    """The person with this id, and every person with this phone or e-mail (verified or not: one account can have
    verified it, others may have it unverified)."""
    return rows(PersonRef, await run(tx, PERSONS_BY_ID_OR_CONTACT, id=id, contact=contact))


ACTIVE_OFFICERS = f"""
MATCH (p:Person {{status: 'active'}}) WHERE 'officer' IN p.roles
RETURN {PERSON_FIELDS}
ORDER BY p.displayName, p.id
"""


async def active_officers(tx: AsyncManagedTransaction) -> list[PersonRef]:
    return rows(PersonRef, await run(tx, ACTIVE_OFFICERS))


# --- the synthetic city (``sandbox.city``): each step one UNWIND statement per batch, in the shape the product's
# own statements write (graph.identity CREATE_PERSON and CREATE_ORGANIZATION, graph.social CREATE_POST,
# CREATE_COMMENT, CONNECT, REACT, graph.communities CREATE_COMMUNITY, graph.listings CREATE_LISTING, graph.orders
# CREATE_ORDER, the transitions and CREATE_REVIEW, graph.notifications), with the times given instead of datetime().

WARD_COMMUNITIES = "MATCH (c:Community {kind: 'ward'}) RETURN c.wardCode AS code, c.id AS id"


async def ward_communities(tx: AsyncManagedTransaction) -> dict[str, str]:
    """The ward communities by commune code (reference data: the same ids in every database)."""
    return {r["code"]: r["id"] for r in await run(tx, WARD_COMMUNITIES)}


CITY_STEPS: dict[str, str] = {
    "people": """
UNWIND $rows AS r
CREATE (p:Actor:Person {id: r.id, createdAt: r.createdAt, status: 'active', passwordVersion: 0})
SET p += r.props, p.dateOfBirth = r.dateOfBirth
CREATE (d:IdentityDocument {id: r.document.id, kind: r.document.kind, digest: r.document.digest,
                            last4: r.document.last4, country: r.document.country, createdAt: r.createdAt})
CREATE (p)-[:PROVED_BY]->(d)
WITH p, r
MATCH (c:Commune {code: r.wardCode})
CREATE (p)-[:LIVES_IN {since: r.createdAt}]->(c)
WITH p, r
MATCH (ward:Community {id: r.communityId})
CREATE (p)-[:MEMBER_OF {since: r.createdAt, role: 'member'}]->(ward)
FOREACH (contact IN r.contacts |
  CREATE (p)-[:HAS_CONTACT]->(:Contact {id: contact.id, kind: contact.kind, value: contact.value,
                                        createdAt: contact.createdAt, verifiedAt: contact.verifiedAt,
                                        verifiedKey: contact.verifiedKey}))
""",
    "verifications": """
UNWIND $rows AS r
MATCH (p:Person {id: r.personId}), (officer:Person {id: r.officerId})
CREATE (v:VerificationRequest {id: r.id, status: 'approved', createdAt: r.createdAt, decidedAt: r.decidedAt,
                               reason: r.reason})-[:FOR]->(p)
CREATE (officer)-[:DECIDED {at: r.decidedAt, decision: 'approved'}]->(v)
""",
    "connections": """
UNWIND $rows AS r
MATCH (a:Person {id: r.a}), (b:Person {id: r.b})
CREATE (a)-[:CONNECTED {since: r.since}]->(b)
""",
    "request-notices": """
UNWIND $rows AS r
MATCH (a:Person {id: r.a}), (b:Person {id: r.b})
CREATE (a)-[:REQUEST_NOTICE {at: r.at, notificationId: r.notificationId}]->(b)
""",
    "pending-requests": """
UNWIND $rows AS r
MATCH (a:Person {id: r.a}), (b:Person {id: r.b})
CREATE (a)-[:REQUESTED {at: r.at}]->(b)
CREATE (a)-[:REQUEST_NOTICE {at: r.at, notificationId: r.notificationId}]->(b)
""",
    "organizations": """
UNWIND $rows AS r
MATCH (founder:Person {id: r.founderId})
CREATE (o:Actor:Organization {id: r.id, createdAt: r.createdAt, status: 'active', assuranceLevel: 0})
SET o += r.props
CREATE (d:IdentityDocument {id: r.document.id, kind: r.document.kind, digest: r.document.digest,
                            last4: r.document.last4, country: r.document.country, createdAt: r.createdAt})
CREATE (o)-[:PROVED_BY]->(d)
CREATE (founder)-[:REPRESENTS {role: 'owner', since: r.createdAt}]->(o)
CREATE (change:RepresentationChange {id: r.changeId, action: 'grant', role: 'owner', at: r.createdAt,
                                     reason: 'registered the organisation'})
CREATE (change)-[:BY]->(founder), (change)-[:OF]->(founder), (change)-[:FOR]->(o)
""",
    "follows": """
UNWIND $rows AS r
MATCH (p:Person {id: r.personId}), (o:Organization {id: r.orgId})
CREATE (p)-[:FOLLOWS {since: r.since}]->(o)
""",
    "groups": """
UNWIND $rows AS r
MATCH (founder:Person {id: r.founderId})
CREATE (c:Community {id: r.id, kind: 'group', createdAt: r.createdAt})
SET c += r.props
CREATE (founder)-[:MEMBER_OF {role: 'admin', since: r.createdAt}]->(c)
""",
    "members": """
UNWIND $rows AS r
MATCH (p:Person {id: r.personId}), (c:Community {id: r.groupId})
CREATE (p)-[:MEMBER_OF {role: 'member', since: r.since}]->(c)
""",
    "posts": """
UNWIND $rows AS r
MATCH (author:Actor {id: r.authorId})
CREATE (author)-[:POSTED]->(post:Post {id: r.id, text: r.text, searchText: r.searchText, visibility: r.visibility,
                                       tags: r.tags, status: 'active', createdAt: r.createdAt})
WITH post, r
CALL (post, r) { MATCH (c:Community {id: r.communityId}) CREATE (post)-[:IN_COMMUNITY]->(c) }
CALL (post, r) { MATCH (w:Commune {code: r.wardCode}) CREATE (post)-[:ABOUT_WARD]->(w) }
""",
    "comments": """
UNWIND $rows AS r
MATCH (me:Person {id: r.authorId}), (post:Post {id: r.postId})
CREATE (me)-[:COMMENTED]->(c:Comment {id: r.id, text: r.text, status: 'active', createdAt: r.createdAt})-[:ON]->(post)
WITH c, r
CALL (c, r) { MATCH (parent:Comment {id: r.parentId}) CREATE (c)-[:REPLY_TO]->(parent) }
""",
    "reactions": """
UNWIND $rows AS r
MATCH (me:Person {id: r.personId}), (post:Post {id: r.postId})
CREATE (me)-[:REACTED {at: r.at, kind: r.kind}]->(post)
""",
    "reaction-notices": """
UNWIND $rows AS r
MATCH (me:Person {id: r.personId}), (post:Post {id: r.postId})
CREATE (me)-[:REACTION_NOTICE {at: r.at}]->(post)
""",
    "listings": """
UNWIND $rows AS r
MATCH (seller:Actor {id: r.sellerId})
CREATE (seller)-[:LISTS]->(l:Listing {id: r.id})
SET l += r.props, l.createdAt = r.createdAt, l.updatedAt = r.updatedAt
""",
    "orders": """
UNWIND $rows AS r
MATCH (buyer:Actor {id: r.buyerId}), (seller:Actor {id: r.sellerId}), (l:Listing {id: r.listingId})
CREATE (buyer)-[:PLACED]->(o:Order {id: r.id, status: 'completed', totalDong: r.totalDong, createdAt: r.createdAt,
                                    updatedAt: r.updatedAt, fulfilledAt: r.fulfilledAt, placeKey: r.placeKey,
                                    buyerId: r.buyerId, sellerId: r.sellerId})-[:SOLD_BY]->(seller)
CREATE (o)-[:INCLUDES {quantity: r.quantity, unitPriceDong: r.unitPriceDong, title: r.title}]->(l)
WITH o, r
UNWIND r.events AS event
MATCH (by:Actor {id: event.byId})
CREATE (e:OrderEvent {id: event.id, from: event.from, to: event.to, at: event.at, personId: event.personId})
CREATE (e)-[:BY]->(by), (e)-[:OF]->(o)
""",
    "reviews": """
UNWIND $rows AS r
MATCH (o:Order {id: r.orderId}), (buyer:Actor {id: r.buyerId})
CREATE (review:Review {id: r.id, orderId: r.orderId, sellerId: r.sellerId, rating: r.rating, text: r.text,
                       createdAt: r.createdAt, personId: r.buyerId})
CREATE (buyer)-[:WROTE]->(review), (review)-[:REVIEWS]->(o)
""",
    "ratings": """
UNWIND $rows AS r
MATCH (seller:Actor {id: r.id})
SET seller.ratingTotal = coalesce(seller.ratingTotal, 0) + r.total,
    seller.ratingCount = coalesce(seller.ratingCount, 0) + r.count
""",
    "notifications": """
UNWIND $rows AS r
CREATE (:Notification {id: r.id, recipientId: r.recipientId, kind: r.kind, actorId: r.actorId, subjectId: r.subjectId,
                       subjectType: r.subjectType, createdAt: r.createdAt, readAt: r.readAt})
""",
}

#: Whether a batch of a step was written, from its first row (every batch is one transaction).
CITY_STEP_DONE: dict[str, str] = {
    "people": "MATCH (n:Person {id: $row.id}) RETURN count(n) > 0 AS done",
    "verifications": "MATCH (n:VerificationRequest {id: $row.id}) RETURN count(n) > 0 AS done",
    "connections": "MATCH (:Person {id: $row.a})-[c:CONNECTED]->(:Person {id: $row.b}) RETURN count(c) > 0 AS done",
    "request-notices": "MATCH (:Person {id: $row.a})-[c:REQUEST_NOTICE]->(:Person {id: $row.b}) "
    "RETURN count(c) > 0 AS done",
    "pending-requests": "MATCH (:Person {id: $row.a})-[c:REQUESTED]->(:Person {id: $row.b}) RETURN count(c) > 0 AS done",
    "organizations": "MATCH (n:Organization {id: $row.id}) RETURN count(n) > 0 AS done",
    "follows": "MATCH (:Person {id: $row.personId})-[f:FOLLOWS]->(:Organization {id: $row.orgId}) "
    "RETURN count(f) > 0 AS done",
    "groups": "MATCH (n:Community {id: $row.id}) RETURN count(n) > 0 AS done",
    "members": "MATCH (:Person {id: $row.personId})-[m:MEMBER_OF]->(:Community {id: $row.groupId}) "
    "RETURN count(m) > 0 AS done",
    "posts": "MATCH (n:Post {id: $row.id}) RETURN count(n) > 0 AS done",
    "comments": "MATCH (n:Comment {id: $row.id}) RETURN count(n) > 0 AS done",
    "reactions": "MATCH (:Person {id: $row.personId})-[r:REACTED]->(:Post {id: $row.postId}) RETURN count(r) > 0 AS done",
    "reaction-notices": "MATCH (:Person {id: $row.personId})-[r:REACTION_NOTICE]->(:Post {id: $row.postId}) "
    "RETURN count(r) > 0 AS done",
    "listings": "MATCH (n:Listing {id: $row.id}) RETURN count(n) > 0 AS done",
    "orders": "MATCH (n:Order {id: $row.id}) RETURN count(n) > 0 AS done",
    "reviews": "MATCH (n:Review {id: $row.id}) RETURN count(n) > 0 AS done",
    # ratings are added to (not set): a batch is done when its first seller shows them
    "ratings": "MATCH (n:Actor {id: $row.id}) RETURN n.ratingCount IS NOT NULL AS done",
    "notifications": "MATCH (n:Notification {id: $row.id}) RETURN count(n) > 0 AS done",
}


async def write_city_step(tx: AsyncManagedTransaction, step: str, rows: list[dict[str, object]]) -> None:
    """Write one batch of a city step (``CITY_STEPS``)."""
    await run(tx, CITY_STEPS[step], rows=rows)


async def city_step_done(tx: AsyncManagedTransaction, step: str, row: dict[str, object]) -> bool:
    """Whether the batch starting with ``row`` of ``step`` is in the graph already."""
    found = await run(tx, CITY_STEP_DONE[step], row=row)
    return bool(found and found[0]["done"])
