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
