"""What the bench reads: sample ids found in the graph with Cypher, the same way on every run of one graph.

- ``viewer``: an active person who can sign in with a verified phone or e-mail and has at least ``min_degree``
  connections; among those, the one of median degree (a busy resident, not the graph's biggest hub).
- ``buyer`` and ``seller``: two other level-2 people who can sign in (the write path: orderPlace, orderPay).
- ``person``, ``organization``, ``community``, ``category``: the one with the fewest posts (listings) at or above
  the wanted number, else the one with the most (a small graph still gets a sample, its count is reported).
- ``organization``: when no organisation has posts (the API lets none post), the person with 20 posts or the most
  (``organization_type`` says which).
- ``search``: the longest word of the newest listing title of ``category``.
- ``target``: a person three hops from the viewer through level-2 people (the trust path), else two, else any.

Every query is a one-off read: plain ``execute_query``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from neo4j import AsyncDriver, RoutingControl

GRAPH_SIZE = """
CALL () { MATCH (n:Person) RETURN count(n) AS people }
CALL () { MATCH (n:Organization) RETURN count(n) AS organizations }
CALL () { MATCH (n:Post) RETURN count(n) AS posts }
CALL () { MATCH (n:Comment) RETURN count(n) AS comments }
CALL () { MATCH (n:Community) RETURN count(n) AS communities }
CALL () { MATCH (n:Listing) RETURN count(n) AS listings }
CALL () { MATCH (n:Order) RETURN count(n) AS orders }
CALL () { MATCH (n:Notification) RETURN count(n) AS notifications }
CALL () { MATCH ()-[r:CONNECTED]->() RETURN count(r) AS connections }
CALL () { MATCH ()-[r:REACTED]->() RETURN count(r) AS reactions }
CALL () { MATCH ()-[r:FOLLOWS]->() RETURN count(r) AS follows }
CALL () { MATCH ()-[r:MEMBER_OF]->() RETURN count(r) AS memberships }
CALL () { MATCH (n) RETURN count(n) AS nodes }
CALL () { MATCH ()-[r]->() RETURN count(r) AS relationships }
RETURN people, organizations, posts, comments, communities, listings, orders, notifications, connections, reactions,
       follows, memberships, nodes, relationships
"""

#: People who can sign in with a verified contact (an e-mail sorts before a phone), with their connection count.
SIGN_IN_CANDIDATES = """
MATCH (p:Person {status: 'active'})-[:HAS_CONTACT]->(c:Contact)
WHERE c.verifiedKey IS NOT NULL AND NOT p:TestPersona
WITH p, min(c.verifiedKey) AS key
WITH p, key, COUNT { (p)-[:CONNECTED]-(:Person) } AS degree
WHERE degree >= $minDegree AND coalesce(p.assuranceLevel, 0) >= $minLevel AND NOT p.id IN $exclude
RETURN p.id AS id, key, degree ORDER BY degree, p.id LIMIT 20000
"""

PERSON_WITH_POSTS = """
MATCH (p:Person {status: 'active'}) WHERE NOT p:TestPersona
WITH p, COUNT { (p)-[:POSTED]->(:Post {status: 'active', visibility: 'public'}) } AS n WHERE n > 0
RETURN p.id AS id, n
ORDER BY CASE WHEN n >= $want THEN 0 ELSE 1 END, CASE WHEN n >= $want THEN n ELSE -n END, p.id LIMIT 1
"""

ORGANIZATION_WITH_POSTS = """
MATCH (o:Organization) WHERE coalesce(o.status, 'active') = 'active'
WITH o, COUNT { (o)-[:POSTED]->(:Post {status: 'active', visibility: 'public'}) } AS n WHERE n > 0
RETURN o.id AS id, n
ORDER BY CASE WHEN n >= $want THEN 0 ELSE 1 END, CASE WHEN n >= $want THEN n ELSE -n END, o.id LIMIT 1
"""

COMMUNITY_WITH_POSTS = """
MATCH (c:Community)
WITH c, COUNT { (c)<-[:IN_COMMUNITY]-(:Post {status: 'active'}) } AS n WHERE n > 0
RETURN c.id AS id, n
ORDER BY CASE WHEN n >= $want THEN 0 ELSE 1 END, CASE WHEN n >= $want THEN n ELSE -n END, c.id LIMIT 1
"""

CATEGORY_WITH_LISTINGS = """
MATCH (l:Listing {status: 'active'})
WITH l.category AS id, count(*) AS n
RETURN id, n
ORDER BY CASE WHEN n >= $want THEN 0 ELSE 1 END, CASE WHEN n >= $want THEN n ELSE -n END, id LIMIT 1
"""

NEWEST_TITLE = """
MATCH (l:Listing {status: 'active', category: $category})
RETURN l.title AS title ORDER BY l.createdAt DESC, l.id DESC LIMIT 1
"""

#: A person ``$hops`` hops from the viewer (not closer), the people between level 2 (who may lie on a trust path).
TARGETS = {
    3: """
MATCH (me:Person {id: $viewer})-[:CONNECTED]-(a:Person {assuranceLevel: 2, status: 'active'})
      -[:CONNECTED]-(b:Person {assuranceLevel: 2, status: 'active'})-[:CONNECTED]-(t:Person {status: 'active'})
WHERE t <> me AND a <> t AND NOT EXISTS { (me)-[:CONNECTED]-(t) } AND NOT EXISTS { (me)-[:CONNECTED]-(b) }
  AND b <> me AND NOT EXISTS { (me)-[:CONNECTED]-(:Person)-[:CONNECTED]-(t) }
RETURN t.id AS id LIMIT 1
""",
    2: """
MATCH (me:Person {id: $viewer})-[:CONNECTED]-(a:Person {assuranceLevel: 2, status: 'active'})
      -[:CONNECTED]-(t:Person {status: 'active'})
WHERE t <> me AND NOT EXISTS { (me)-[:CONNECTED]-(t) }
RETURN t.id AS id LIMIT 1
""",
    1: """
MATCH (me:Person {id: $viewer})-[:CONNECTED]-(:Person)-[:CONNECTED]-(t:Person {status: 'active'})
WHERE t <> me
RETURN t.id AS id LIMIT 1
""",
}


class NoData(Exception):
    """The graph lacks what the bench needs (no people at all, or nobody who can sign in)."""


@dataclass
class Samples:
    ids: dict[str, Any] = field(default_factory=dict)
    #: What was found: how many posts the person has, the viewer's degree... (written to the JSON).
    facts: dict[str, Any] = field(default_factory=dict)
    #: Sign-in identifiers (the contact part of a verified key) by role: viewer, buyer, seller.
    identifiers: dict[str, str] = field(default_factory=dict)


async def _rows(driver: AsyncDriver, database: str, query: str, **params: Any) -> list[dict[str, Any]]:
    records, _, _ = await driver.execute_query(query, params, database_=database, routing_=RoutingControl.READ)
    return [record.data() for record in records]


async def graph_size(driver: AsyncDriver, database: str) -> dict[str, int]:
    return (await _rows(driver, database, GRAPH_SIZE))[0]


def _identifier(verified_key: str) -> str:
    """``email:an@example.vn`` -> ``an@example.vn`` (what the person types to sign in)."""
    return verified_key.split(":", 1)[1]  # ``given:`` keeps what --viewer said


def search_word(title: str) -> str | None:
    """The longest word of a title (letters and digits only, so Lucene reads it as a plain term)."""
    words = [w for w in re.findall(r"\w+", title) if len(w) >= 3 and not w.isdigit()]
    return max(words, key=len) if words else None


DEGREE = "MATCH (p:Person {id: $id}) RETURN COUNT { (p)-[:CONNECTED]-(:Person) } AS degree"

NO_PEOPLE = (
    "The graph holds no people. Seed it first, e.g. `.venv/bin/hanoismart seed --people 10000 --seed 1` "
    "(or `hanoismart seed --demo` for a tiny one)."
)


async def find(
    driver: AsyncDriver,
    database: str,
    *,
    quick: bool = False,
    viewer_id: str | None = None,
    viewer_identifier: str | None = None,
) -> Samples:
    """The samples of this graph (see the module's doc); the viewer is ``viewer_id`` when given (signed in with
    ``viewer_identifier``). Raises ``NoData`` when there is nobody to sign in as."""
    samples = Samples()
    size = await graph_size(driver, database)
    if not size["people"]:
        raise NoData(NO_PEOPLE)
    if viewer_id is not None and viewer_identifier is not None:
        viewer = {
            "id": viewer_id,
            "key": f"given:{viewer_identifier}",
            "degree": (await _rows(driver, database, DEGREE, id=viewer_id))[0]["degree"],
        }
    else:
        min_degree = 1 if quick else 10
        candidates = await _rows(driver, database, SIGN_IN_CANDIDATES, minDegree=min_degree, minLevel=0, exclude=[])
        if not candidates:
            candidates = await _rows(driver, database, SIGN_IN_CANDIDATES, minDegree=0, minLevel=0, exclude=[])
        if not candidates:
            raise NoData(
                "Nobody in the graph can sign in: the bench signs in with a verified phone or e-mail (a Contact "
                "with a verifiedKey) and the development password (or give one: --viewer IDENTIFIER). Seed with "
                "`hanoismart seed` (or --demo)."
            )
        viewer = candidates[len(candidates) // 2]
        samples.facts["sign_in_candidates"] = len(candidates)
    samples.ids["viewer"] = viewer["id"]
    samples.identifiers["viewer"] = _identifier(viewer["key"])
    samples.facts["viewer_connections"] = viewer["degree"]

    traders = await _rows(driver, database, SIGN_IN_CANDIDATES, minDegree=0, minLevel=2, exclude=[viewer["id"]])
    if len(traders) >= 2:
        for role, found in zip(("buyer", "seller"), (traders[0], traders[-1]), strict=True):
            samples.ids[role] = found["id"]
            samples.identifiers[role] = _identifier(found["key"])

    for name, query, want in (
        ("person", PERSON_WITH_POSTS, 10),
        ("organization", ORGANIZATION_WITH_POSTS, 20),
        ("community", COMMUNITY_WITH_POSTS, 20),
        ("category", CATEGORY_WITH_LISTINGS, 20),
    ):
        found = await _rows(driver, database, query, want=want)
        if found:
            samples.ids[name] = found[0]["id"]
            samples.facts[f"{name}_items"] = found[0]["n"]
    if "organization" in samples.ids:
        samples.ids["organization_type"] = "Organization"
    else:  # the API lets no organisation post: 20 posts of the most prolific person instead
        found = await _rows(driver, database, PERSON_WITH_POSTS, want=20)
        if found:
            samples.ids["organization"] = found[0]["id"]
            samples.ids["organization_type"] = "Person"
            samples.facts["organization_items"] = found[0]["n"]
    if "category" in samples.ids:
        titles = await _rows(driver, database, NEWEST_TITLE, category=samples.ids["category"])
        word = search_word(titles[0]["title"]) if titles else None
        if word:
            samples.ids["search"] = word
    for hops in (3, 2, 1):
        found = await _rows(driver, database, TARGETS[hops], viewer=viewer["id"])
        if found:
            samples.ids["target"] = found[0]["id"]
            samples.facts["target_distance"] = hops if hops > 1 else "2 or less"
            break
    samples.facts["graph"] = size
    return samples
