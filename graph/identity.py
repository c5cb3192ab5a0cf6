"""Cypher of the identity domain: people, organisations, documents, contacts, verification.

Credentials and the contacts people sign in with are sign-in's (``graph.auth``). A person's or an organisation's
record, with the viewer's relation to it, leaves here as ``PersonRecord`` / ``OrganizationRow``; only
``identity.views`` turns them into what a viewer may see.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Required, TypedDict

from neo4j import AsyncManagedTransaction
from neo4j.time import Date, DateTime

from core.pagination import Window
from graph.driver import run, window_keyset
from graph.paging import POSITIONAL_SLICE, both_ways
from graph.places import CommuneMap
from graph.rows import row, rows
from graph.rules import blocked_either_way

# --- people ---------------------------------------------------------------------------------------

CREATE_PERSON = """
CREATE (p:Actor:Person {id: $id, createdAt: datetime(), status: 'active', assuranceLevel: 0, passwordVersion: 0})
SET p += $props, p.dateOfBirth = date($dateOfBirth)
CREATE (d:IdentityDocument {id: $document.id, kind: $document.kind, digest: $document.digest,
                            last4: $document.last4, country: $document.country, createdAt: datetime()})
CREATE (p)-[:PROVED_BY]->(d)
WITH p
CALL (p) {
  MATCH (c:Commune {code: $wardCode})
  CREATE (p)-[:LIVES_IN {since: datetime()}]->(c)
}
FOREACH (contact IN $contacts |
  CREATE (p)-[:HAS_CONTACT]->(:Contact {id: contact.id, kind: contact.kind, value: contact.value,
                                        createdAt: datetime()}))
RETURN p.id AS id
"""


class NewDocument(TypedDict):
    """An identity document as stored: its keyed digest and last four characters, never the number."""

    id: str
    kind: str
    digest: str
    last4: str
    country: str


class NewContact(TypedDict):
    id: str
    kind: str
    value: str


async def create_person(
    tx: AsyncManagedTransaction,
    *,
    id: str,
    props: Mapping[str, object],
    date_of_birth: str,
    document: NewDocument,
    ward_code: str | None,
    contacts: list[NewContact],
) -> str:
    found = await run(
        tx,
        CREATE_PERSON,
        id=id,
        props=props,
        dateOfBirth=date_of_birth,
        document=document,
        wardCode=ward_code,
        contacts=contacts,
    )
    created: str = found[0]["id"]
    return created


def _blocked_with_viewer(actor: str) -> str:
    """Cypher predicate: the actor bound to ``actor`` and the viewer (``$viewerId``, null when anonymous) blocked
    one another (``graph.rules.blocked_either_way``)."""
    return (
        f"($viewerId IS NOT NULL AND EXISTS {{ MATCH (rule_viewer:Actor {{id: $viewerId}})"
        f" WHERE {blocked_either_way(actor, 'rule_viewer')} }})"
    )


def _person_parts(p: str, connected: str) -> dict[str, str]:
    """The columns of a person's full record (``PersonRecord``) as Cypher expressions of the person bound to ``p``;
    ``connected``: whether they and the viewer are connected."""
    return {
        "person": f"{p} {{.*, passwordHash: null}}",
        "ward": f"head([({p})-[:LIVES_IN]->(c:Commune) | c {{.id, .code, .name, .kind, .nameAscii, .province}}])",
        "contacts": f"[({p})-[:HAS_CONTACT]->(k:Contact) | k {{.id, .kind, .value, .verifiedAt, .createdAt}}]",
        "document": f"head([({p})-[:PROVED_BY]->(d:IdentityDocument) | d {{.kind, .last4, .country}}])",
        "connected": connected,
    }


def _columns(columns: Mapping[str, str]) -> str:
    """A RETURN list of ``columns`` (name: Cypher expression), one ``expression AS name`` a line."""
    return "\n" + ",\n".join(f"{expression} AS {name}" for name, expression in columns.items()) + "\n"


def _map(columns: Mapping[str, str], kind: str | None) -> str:
    """``columns`` (name: Cypher expression) as one Cypher map expression, led by ``kind: '<kind>'`` when given."""
    entries = ([f"kind: '{kind}'"] if kind else []) + [f"{name}: {expression}" for name, expression in columns.items()]
    return "{" + ", ".join(entries) + "}"


def _person_columns(p: str) -> dict[str, str]:
    """``PERSON_PROJECTION``'s columns over the person bound to ``p``, for the viewer ``$viewerId``."""
    connected = f"($viewerId IS NOT NULL AND EXISTS {{ ({p})-[:CONNECTED]-(:Actor {{id: $viewerId}}) }})"
    return {**_person_parts(p, connected), "blocked": _blocked_with_viewer(p)}


def person_map(p: str, kind: str | None = None) -> str:
    """Cypher map expression: ``PERSON_PROJECTION`` over the person bound to ``p`` (the ``PersonRecord`` columns and
    ``blocked``, one key each; led by ``kind: '<kind>'`` when given), for a statement that reads a person as one value
    (an author, a seller). The one source of that projection for other domains' statements: they splice this, never
    a parse of the projection's text."""
    return _map(_person_columns(p), kind)


PERSON_PROJECTION = _columns(_person_columns("p"))


class PersonProperties(TypedDict, total=False):
    """The stored properties of a person (``p {.*}``, the password hash left out) that views read."""

    id: Required[str]
    displayName: Required[str]
    createdAt: Required[DateTime]
    status: str
    roles: list[str]
    assuranceLevel: int
    dateOfBirth: Date | None
    sex: str | None
    investorSectors: list[str]
    personaOfAppId: str  # a test persona (label TestPersona) of this sandbox app


class ProfileContact(TypedDict):
    id: str
    kind: str
    value: str
    verifiedAt: DateTime | None
    createdAt: DateTime


class DocumentMap(TypedDict):
    kind: str
    last4: str
    country: str


class PersonRecord(TypedDict):
    """A person as ``PERSON_PROJECTION`` reads them (less ``blocked``): the one thing ``identity.views.person_view``
    turns into a view. Other domains' queries that splice the projection hand the map on whole."""

    person: PersonProperties
    ward: CommuneMap | None
    contacts: list[ProfileContact]
    document: DocumentMap | None
    connected: bool


@dataclass(frozen=True)
class PersonRow:
    """A person's record, and whether they and the viewer blocked one another."""

    record: PersonRecord
    blocked: bool


# --- the slim display projection ------------------------------------------------------------------------------------


def display_projection(actor: str, viewer: str | None = None) -> str:
    """Cypher map expression: the display record of the actor (person or organisation) bound to ``actor``, what an
    author, a seller or a connection shown in a list needs when the client asks only for its display fields
    (``identity.views.DISPLAY_FIELDS``): id, name, kind, assurance level, when the account was opened, its status
    (a closed account), an organisation's kind; and what privacy decides from: whether it is a sandbox app's test
    persona (``personaOfAppId``) and whether it and the viewer blocked one another (``graph.rules.blocked_either_way``).
    It reads no relationship but the viewer's blocks: no ward, contacts, document or connection.

    ``viewer`` names a variable the statement already binds to the viewer (null when anonymous); without it the
    viewer is found by ``$viewerId`` (null when anonymous). Only ``identity.views.display_view`` turns the map into
    a view (``ActorDisplay``)."""
    blocked = (
        f"({viewer} IS NOT NULL AND {blocked_either_way(actor, viewer)})"
        if viewer is not None
        else _blocked_with_viewer(actor)
    )
    return (
        f"{actor} {{.id, .displayName, .assuranceLevel, .status, .createdAt, .orgKind, .personaOfAppId,"
        f" isPerson: {actor}:Person, blocked: {blocked}}}"
    )


class ActorDisplay(TypedDict):
    """An actor as ``display_projection`` reads it."""

    id: str
    displayName: str
    assuranceLevel: int | None
    status: str | None
    createdAt: DateTime
    orgKind: str | None  # an organisation's kind; None for a person
    personaOfAppId: str | None  # a test persona (label TestPersona) of this sandbox app
    isPerson: bool
    blocked: bool


DISPLAYS_BY_IDS = f"""
UNWIND $ids AS id
MATCH (a:Actor {{id: id}})
RETURN {display_projection("a")} AS actor
"""


async def displays_by_ids(tx: AsyncManagedTransaction, ids: list[str], viewer_id: str | None) -> list[ActorDisplay]:
    """The display records of these actors, people and organisations alike (unknown ids left out)."""
    return [r["actor"] for r in await run(tx, DISPLAYS_BY_IDS, ids=ids, viewerId=viewer_id)]


PERSONS_BY_IDS = f"""
UNWIND $ids AS id
MATCH (p:Person {{id: id}})
RETURN {PERSON_PROJECTION}
"""


async def persons_by_ids(tx: AsyncManagedTransaction, ids: list[str], viewer_id: str | None) -> list[PersonRow]:
    return [
        PersonRow(
            record=PersonRecord(
                person=r["person"],
                ward=r["ward"],
                contacts=r["contacts"],
                document=r["document"],
                connected=r["connected"],
            ),
            blocked=r["blocked"],
        )
        for r in await run(tx, PERSONS_BY_IDS, ids=ids, viewerId=viewer_id)
    ]


DOCUMENT_REGISTERED = """
MATCH (d:IdentityDocument {digest: $digest})
RETURN count(d) > 0 AS registered
"""


async def document_registered(tx: AsyncManagedTransaction, digest: str) -> bool:
    """Whether an account (open or closed) holds the identity document with this digest."""
    return bool((await run(tx, DOCUMENT_REGISTERED, digest=digest))[0]["registered"])


UPDATE_PERSON = """
MATCH (p:Person {id: $id, status: 'active'})
SET p += $props
RETURN p.id AS id
"""


async def update_person(tx: AsyncManagedTransaction, person_id: str, props: Mapping[str, object]) -> bool:
    return bool(await run(tx, UPDATE_PERSON, id=person_id, props=props))


MOVE_TO_WARD = """
MATCH (p:Person {id: $id})
OPTIONAL MATCH (p)-[old:LIVES_IN]->(:Commune)
DELETE old
WITH DISTINCT p
MATCH (c:Commune {code: $wardCode})
CREATE (p)-[:LIVES_IN {since: datetime()}]->(c)
RETURN c.code AS code
"""


async def move_to_ward(tx: AsyncManagedTransaction, person_id: str, ward_code: str) -> bool:
    return bool(await run(tx, MOVE_TO_WARD, id=person_id, wardCode=ward_code))


ROLES_OF = "MATCH (p:Person {id: $id}) RETURN p.roles AS roles, p.assuranceLevel AS level, p.status AS status"


@dataclass(frozen=True)
class Roles:
    """A person's roles (None when never set), assurance level and account status."""

    roles: list[str] | None
    level: int
    status: str


async def roles_of(tx: AsyncManagedTransaction, person_id: str) -> Roles | None:
    found = await run(tx, ROLES_OF, id=person_id)
    return row(Roles, found[0]) if found else None


#: Actors whose name matches, best first, among the ``$window`` best matches (people only when ``$people``: signed-out
#: callers find organisations only); a page is a slice of positions (``graph.paging.POSITIONAL_SLICE``). ``{actor}``:
#: what is read of each actor of the page besides its id and kind (``search_actors_statement``).
_SEARCH_ACTORS = f"""
CALL db.index.fulltext.queryNodes('actor_name_fulltext', $query) YIELD node, score
WHERE node.status = 'active' AND ($people OR NOT node:Person) AND NOT node:TestPersona  // test personas: never found
WITH node, score
ORDER BY score DESC, node.id
WITH collect(node)[..$window] AS ranked
{POSITIONAL_SLICE}
OPTIONAL MATCH (viewer:Actor {{id: $viewerId}}) WHERE viewer:Person
RETURN [n IN ranked[start..finish] |
        {{id: n.id, kind: CASE WHEN n:Person THEN 'person' ELSE 'organization' END, actor: {{actor}}}}] AS hits, start
"""
SEARCH_ACTORS = _SEARCH_ACTORS.replace("{actor}", "null")


@functools.cache
def search_actors_statement(shape: ActorShape | None) -> str:
    """``SEARCH_ACTORS``, reading besides each actor of the page what ``shape`` asks of it (``actor_map``): the page
    and its actors in one statement."""
    return SEARCH_ACTORS if shape is None else _SEARCH_ACTORS.replace("{actor}", actor_map("n", "viewer", shape))


@dataclass(frozen=True)
class ActorHit:
    """An actor found by name: ``kind`` is ``person`` or ``organization``; ``actor``: what the statement read of it,
    when asked."""

    id: str
    kind: str
    actor: ActorRecord | None = None


@dataclass(frozen=True)
class ActorHits:
    """Consecutive hits of the ranked list, the first at position ``start``."""

    hits: list[ActorHit]
    start: int


async def search_actors(
    tx: AsyncManagedTransaction,
    query: str,
    *,
    people: bool,
    after: int | None,
    before: int | None,
    size: int,
    backwards: bool,
    window: int,
    viewer_id: str | None = None,
    shape: ActorShape | None = None,
) -> ActorHits:
    """A page of the actors matching a Lucene query, best first (see ``SEARCH_ACTORS``)."""
    found = (
        await run(
            tx,
            search_actors_statement(shape),
            query=query,
            people=people,
            after=after,
            before=before,
            size=size,
            backwards=backwards,
            window=window,
            viewerId=viewer_id,
        )
    )[0]
    return ActorHits(hits=rows(ActorHit, found["hits"]), start=found["start"])


# --- contacts ---------------------------------------------------------------------------------------

ADD_CONTACT = """
MATCH (p:Person {id: $personId, status: 'active'})
MERGE (p)-[:HAS_CONTACT]->(c:Contact {kind: $kind, value: $value})
ON CREATE SET c.id = $id, c.createdAt = datetime()
RETURN c {.id, .kind, .value, .verifiedAt} AS contact
"""


class Contact(TypedDict):
    """One of a person's phones or e-mails (``verifiedAt`` None until proven by a code), passed on whole."""

    id: str
    kind: str
    value: str
    verifiedAt: DateTime | None


async def add_contact(tx: AsyncManagedTransaction, person_id: str, id: str, kind: str, value: str) -> Contact | None:
    found = await run(tx, ADD_CONTACT, personId=person_id, id=id, kind=kind, value=value)
    contact: Contact | None = found[0]["contact"] if found else None
    return contact


CONTACT_OF = """
MATCH (:Person {id: $personId})-[:HAS_CONTACT]->(c:Contact {id: $contactId})
RETURN c {.id, .kind, .value, .verifiedAt} AS contact
"""


async def contact_of(tx: AsyncManagedTransaction, person_id: str, contact_id: str) -> Contact | None:
    found = await run(tx, CONTACT_OF, personId=person_id, contactId=contact_id)
    contact: Contact | None = found[0]["contact"] if found else None
    return contact


VERIFY_CONTACT = """
MATCH (p:Person {id: $personId})-[:HAS_CONTACT]->(c:Contact {id: $contactId})
SET c.verifiedAt = coalesce(c.verifiedAt, datetime()), c.verifiedKey = c.kind + ':' + c.value
SET p.assuranceLevel = CASE WHEN p.assuranceLevel < 1 THEN 1 ELSE p.assuranceLevel END
"""


async def verify_contact(tx: AsyncManagedTransaction, person_id: str, contact_id: str) -> None:
    await run(tx, VERIFY_CONTACT, personId=person_id, contactId=contact_id)


# --- verification by officers ------------------------------------------------------------------------

CREATE_VERIFICATION_REQUEST = """
MATCH (p:Person {id: $personId, status: 'active'})
SET p.verificationLock = coalesce(p.verificationLock, 0) + 1
WITH p
WHERE NOT EXISTS { (p)<-[:FOR]-(:VerificationRequest {status: 'pending'}) }
CREATE (v:VerificationRequest {id: $id, status: 'pending', note: $note, createdAt: datetime()})-[:FOR]->(p)
RETURN v.id AS id
"""


async def create_verification_request(
    tx: AsyncManagedTransaction, person_id: str, id: str, note: str | None
) -> str | None:
    """The new pending request's id (``note``: the applicant's note for the officer); None when the person has one
    pending already (or is not active)."""
    found = await run(tx, CREATE_VERIFICATION_REQUEST, personId=person_id, id=id, note=note)
    created: str | None = found[0]["id"] if found else None
    return created


REQUEST_PROJECTION = """
v {.id, .status, .createdAt, .decidedAt, .reason, .note} AS request,
p.id AS applicantId,
p {.fullName, .sex, .dateOfBirth} AS applicant,
head([(p)-[:PROVED_BY]->(d:IdentityDocument) | d {.kind, .last4}]) AS document,
head([(v)<-[:DECIDED]-(o:Person) | o.displayName]) AS decidedByName
"""


@dataclass(frozen=True)
class RequestRow:
    """A verification request as ``REQUEST_PROJECTION`` reads it: the request, what an officer checks the document
    against (the applicant's name, sex and birth date: None once they closed their account), the document's kind
    and last four characters, and the name of the officer who decided it."""

    id: str
    status: str
    created_at: DateTime
    decided_at: DateTime | None
    reason: str | None
    note: str | None
    applicant_id: str
    applicant_full_name: str | None
    applicant_sex: str | None
    applicant_date_of_birth: Date | None
    document_kind: str | None
    document_last4: str | None
    decided_by_name: str | None


def request_row(record: Mapping[str, Any]) -> RequestRow:
    """A request from the columns of ``REQUEST_PROJECTION`` (a record, or the same keys in a map)."""
    return _request_row(record)


def _request_row(record: Mapping[str, Any]) -> RequestRow:
    request, applicant, document = record["request"], record["applicant"] or {}, record["document"] or {}
    return RequestRow(
        id=request["id"],
        status=request["status"],
        created_at=request["createdAt"],
        decided_at=request["decidedAt"],
        reason=request["reason"],
        note=request.get("note"),
        applicant_id=record["applicantId"],
        applicant_full_name=applicant.get("fullName"),
        applicant_sex=applicant.get("sex"),
        applicant_date_of_birth=applicant.get("dateOfBirth"),
        document_kind=document.get("kind"),
        document_last4=document.get("last4"),
        decided_by_name=record["decidedByName"],
    )


#: Oldest first (the officers' work queue); read either way (``graph.paging.both_ways``).
VERIFICATION_QUEUE = both_ways(f"""
MATCH (v:VerificationRequest)-[:FOR]->(p:Person)
WHERE v.status = $status
  AND (v.status <> 'pending' OR p.status = 'active')
  AND ($afterTime IS NULL OR [v.createdAt, v.id] > [datetime($afterTime), $afterId])
  AND ($beforeTime IS NULL OR [v.createdAt, v.id] < [datetime($beforeTime), $beforeId])
WITH v, p ORDER BY v.createdAt {{ASC}}, v.id {{ASC}} LIMIT $limit
RETURN {REQUEST_PROJECTION}
ORDER BY request.createdAt {{ASC}}, request.id {{ASC}}
""")


async def verification_queue(tx: AsyncManagedTransaction, status: str, window: Window) -> list[RequestRow]:
    """One page of the requests with ``status``, in reading order (``window.backwards``: newest first from
    ``before``)."""
    found = await run(
        tx,
        VERIFICATION_QUEUE.of(window.backwards),
        status=status,
        limit=window.limit,
        **window_keyset(window),
    )
    return [_request_row(r) for r in found]


REQUESTS_OF_PERSON = f"""
MATCH (v:VerificationRequest)-[:FOR]->(p:Person {{id: $personId}})
WITH v, p ORDER BY v.createdAt DESC
RETURN {REQUEST_PROJECTION}
"""


async def requests_of_person(tx: AsyncManagedTransaction, person_id: str) -> list[RequestRow]:
    return [_request_row(r) for r in await run(tx, REQUESTS_OF_PERSON, personId=person_id)]


REQUESTS_BY_IDS = f"""
UNWIND $ids AS id
MATCH (v:VerificationRequest {{id: id}})-[:FOR]->(p:Person)
RETURN {REQUEST_PROJECTION}
"""


async def requests_by_ids(tx: AsyncManagedTransaction, ids: list[str]) -> list[RequestRow]:
    return [_request_row(r) for r in await run(tx, REQUESTS_BY_IDS, ids=ids)]


LOCK_REQUEST = """
MATCH (v:VerificationRequest {id: $id})-[:FOR]->(p:Person)
SET v.lock = true
RETURN v.status AS status, p.id AS applicantId, p.status AS applicantStatus
"""


@dataclass(frozen=True)
class LockedRequest:
    status: str
    applicant_id: str
    applicant_status: str


async def lock_request(tx: AsyncManagedTransaction, id: str) -> LockedRequest | None:
    """Lock a request for a decision: its status, its applicant and the applicant's account status (None:
    no such request). Statements after it in the transaction see the state the lock holder leaves."""
    found = await run(tx, LOCK_REQUEST, id=id)
    return row(LockedRequest, found[0]) if found else None


DECIDE_REQUEST = """
MATCH (v:VerificationRequest {id: $id, status: 'pending'})-[:FOR]->(p:Person)
MATCH (officer:Person {id: $officerId})
SET v.status = $status, v.decidedAt = datetime(), v.reason = $reason
CREATE (officer)-[:DECIDED {at: v.decidedAt, decision: $status}]->(v)
SET p.assuranceLevel = CASE WHEN $status = 'approved' THEN 2 ELSE p.assuranceLevel END
RETURN v.id AS id
"""


async def decide_request(
    tx: AsyncManagedTransaction, id: str, officer_id: str, status: str, reason: str | None
) -> bool:
    """Record the decision on a pending request (who and when) and raise an approved applicant to level 2."""
    return bool(await run(tx, DECIDE_REQUEST, id=id, officerId=officer_id, status=status, reason=reason))


# --- organisations ------------------------------------------------------------------------------------

CREATE_ORGANIZATION = """
MATCH (founder:Person {id: $founderId, status: 'active'})
CREATE (o:Actor:Organization {id: $id, createdAt: datetime(), status: 'active', assuranceLevel: 0})
SET o += $props
CREATE (d:IdentityDocument {id: $document.id, kind: $document.kind, digest: $document.digest,
                            last4: $document.last4, country: $document.country, createdAt: datetime()})
CREATE (o)-[:PROVED_BY]->(d)
CREATE (founder)-[:REPRESENTS {role: 'owner', since: datetime()}]->(o)
CREATE (change:RepresentationChange {id: $changeId, action: 'grant', role: 'owner', at: datetime(),
                                     reason: 'registered the organisation'})
CREATE (change)-[:BY]->(founder), (change)-[:OF]->(founder), (change)-[:FOR]->(o)
RETURN o.id AS id
"""


async def create_organization(
    tx: AsyncManagedTransaction,
    *,
    id: str,
    founder_id: str,
    props: Mapping[str, object],
    document: NewDocument,
    change_id: str,
) -> str | None:
    found = await run(
        tx, CREATE_ORGANIZATION, id=id, founderId=founder_id, props=props, document=document, changeId=change_id
    )
    created: str | None = found[0]["id"] if found else None
    return created


def _organization_parts(o: str, viewer_role: str) -> dict[str, str]:
    """The columns of an organisation's record (``OrganizationRow`` less ``blocked``) as Cypher expressions of the
    organisation bound to ``o``; ``viewer_role``: the viewer's representative role in it."""
    return {
        "organization": f"{o} {{.*}}",
        "taxCodeLast4": f"head([({o})-[:PROVED_BY]->(d:IdentityDocument) | d.last4])",
        "viewerRole": viewer_role,
    }


def _organization_columns(o: str) -> dict[str, str]:
    """``ORGANIZATION_PROJECTION``'s columns over the organisation bound to ``o``, for the viewer ``$viewerId``."""
    role = f"head([(:Person {{id: $viewerId}})-[r:REPRESENTS]->({o}) | r.role])"
    return {**_organization_parts(o, role), "blocked": _blocked_with_viewer(o)}


def organization_map(o: str, kind: str | None = None) -> str:
    """Cypher map expression: ``ORGANIZATION_PROJECTION`` over the organisation bound to ``o`` (``OrganizationRow``'s
    columns, ``blocked`` included; led by ``kind: '<kind>'`` when given): the twin of ``person_map``."""
    return _map(_organization_columns(o), kind)


ORGANIZATION_PROJECTION = _columns(_organization_columns("o"))


class OrganizationProperties(TypedDict, total=False):
    """The stored properties of an organisation (``o {.*}``) that views read."""

    id: Required[str]
    displayName: Required[str]
    orgKind: Required[str]
    createdAt: Required[DateTime]
    sector: str | None
    assuranceLevel: int
    status: str


@dataclass(frozen=True)
class OrganizationRow:
    """An organisation, the viewer's representative role in it, and whether it and the viewer blocked one another."""

    organization: OrganizationProperties
    tax_code_last4: str | None
    viewer_role: str | None
    blocked: bool


ORGANIZATIONS_BY_IDS = f"""
UNWIND $ids AS id
MATCH (o:Organization {{id: id}})
RETURN {ORGANIZATION_PROJECTION}
"""


async def organizations_by_ids(
    tx: AsyncManagedTransaction, ids: list[str], viewer_id: str | None
) -> list[OrganizationRow]:
    return rows(OrganizationRow, await run(tx, ORGANIZATIONS_BY_IDS, ids=ids, viewerId=viewer_id))


# --- actors of either kind, compiled from what the client selected ------------------------------------------------

#: What a person may ask of themself only, read with them when selected (``ActorShape.own``).
OWN_LISTS = ("organizations", "verificationRequests")


@dataclass(frozen=True)
class ActorShape:
    """What a statement reads of each actor, from the client's selection below it: the slim display record only
    (``display``), or the full record of a person or an organisation; the viewer's relation to it (``relation``);
    and, for the viewer themself, their own lists (``own``, names of ``OWN_LISTS``). Hashable: statements are built
    once per shape (``actor_map``, ``actors_statement``)."""

    display: bool = False
    relation: bool = False
    own: frozenset[str] = frozenset()
    #: An organisation's representatives (signed-in viewers only), each person read as this shape asks; None: not read.
    representatives: ActorShape | None = None
    #: Lists of people of the actor read with it (``FoldedList``), the i-th under ``lists[i]``.
    lists: tuple[FoldedList, ...] = ()


@dataclass(frozen=True)
class FoldedList:
    """A list of people of an actor (its connections, followers...) read in the statement that reads the actor
    (``graph.social.people_list_map``): the list's kind (a key of ``graph.social.LIST_PATTERNS``), its reading
    order (``backwards``: from the before-cursor) and what is read of each listed actor (``actor``; None: ids only).
    The page's bounds travel as parameters (``graph.social.folded_list_parameters``)."""

    kind: str
    backwards: bool
    actor: ActorShape | None


@functools.cache
def actor_map(actor: str, viewer: str, shape: ActorShape) -> str:
    """Cypher map expression: what ``shape`` asks of the actor bound to ``actor`` (a person or an organisation), for
    the viewer bound to ``viewer`` (a ``:Person``, null when anonymous), read as ``ActorRecord``. The display record
    (``display_projection``), or the full record of either kind (``PersonRecord`` columns under ``person``,
    ``OrganizationRow``'s under ``organization``, null for the other kind) and whether the two blocked one another
    (``graph.rules.blocked_either_way``); the viewer's relation (the facts of ``graph.social.Relation``, read as its edges: null for an
    anonymous viewer and for themself); the viewer's own lists, read only when the actor is the viewer."""
    parts: dict[str, str] = {"id": f"{actor}.id"}
    if shape.display:
        parts["display"] = display_projection(actor, viewer)
    else:
        connected = f"({viewer} IS NOT NULL AND EXISTS {{ ({actor})-[:CONNECTED]-({viewer}) }})"
        person = ", ".join(f"{k}: {e}" for k, e in _person_parts(actor, connected).items())
        role = f"CASE WHEN {viewer} IS NULL THEN null ELSE head([({viewer})-[r:REPRESENTS]->({actor}) | r.role]) END"
        organization = ", ".join(f"{k}: {e}" for k, e in _organization_parts(actor, role).items())
        parts["person"] = f"CASE WHEN {actor}:Person THEN {{{person}}} END"
        parts["organization"] = f"CASE WHEN {actor}:Organization THEN {{{organization}}} END"
        parts["blocked"] = f"({viewer} IS NOT NULL AND {blocked_either_way(actor, viewer)})"
    if shape.relation:
        # The viewer's edges with the actor, in one pattern comprehension (``relation_of_edges`` reads the facts of
        # ``graph.social.Relation`` from them): a statement of many actors plans one expression, not seven EXISTS.
        parts["relation"] = (
            f"CASE WHEN {viewer} IS NULL OR {viewer} = {actor} THEN null ELSE {{isPerson: {actor}:Person,"
            f" status: {actor}.status, edges: [({viewer})-[{actor}_edge:{'|'.join(RELATION_EDGES)}]-({actor}) |"
            f" [type({actor}_edge), startNode({actor}_edge) = {viewer}]]}} END"
        )
    if "organizations" in shape.own:
        represented = ", ".join(f"{k}: {e}" for k, e in _organization_parts("own_org", "own_rep.role").items())
        parts["organizations"] = (
            f"CASE WHEN {viewer} = {actor} THEN [({actor})-[own_rep:REPRESENTS]->(own_org:Organization)"
            f" WHERE NOT {blocked_either_way('own_org', viewer)} | {{{represented}, role: own_rep.role}}] END"
        )
    if "verificationRequests" in shape.own:
        parts["verificationRequests"] = (
            f"CASE WHEN {viewer} = {actor} THEN [({actor})<-[:FOR]-(v:VerificationRequest) | {{"
            f"request: v {{.id, .status, .createdAt, .decidedAt, .reason, .note}}, applicantId: {actor}.id,"
            f" applicant: {actor} {{.fullName, .sex, .dateOfBirth}},"
            f" document: head([({actor})-[:PROVED_BY]->(d:IdentityDocument) | d {{.kind, .last4}}]),"
            f" decidedByName: head([(v)<-[:DECIDED]-(o:Person) | o.displayName])}}] END"
        )
    if shape.lists:  # the statement binds the owner's ``graph.social.folded_facts`` (``actors_statement``)
        from graph.social import folded_list_map  # noqa: PLC0415 (graph.social imports this module)

        folded = (folded_list_map(index, shown, actor, viewer) for index, shown in enumerate(shape.lists))
        parts["lists"] = "[" + ", ".join(folded) + "]"
    if shape.representatives is not None:
        person = actor_map(f"{actor}_rep", viewer, shape.representatives)
        parts["representatives"] = (
            f"CASE WHEN {actor}:Organization AND {viewer} IS NOT NULL THEN"
            f" [({actor}_rep:Person)-[{actor}_role:REPRESENTS]->({actor}) |"
            f" {{role: {actor}_role.role, since: {actor}_role.since, person: {person}}}] END"
        )
    return "{" + ", ".join(f"{k}: {e}" for k, e in parts.items()) + "}"


#: The relationships between two actors that ``Actor.relation`` tells.
RELATION_EDGES = ("CONNECTED", "REQUESTED", "FOLLOWS", "BLOCKED", "MUTED")


class RelationEdges(TypedDict):
    """The viewer's relation to an actor as ``actor_map`` reads it: the actor's kind and status, and each edge
    between them as [type, whether the viewer is its start]."""

    isPerson: bool
    status: str | None
    edges: list[list[Any]]


def relation_of_edges(found: RelationEdges) -> dict[str, Any]:
    """The facts of ``graph.social.Relation`` (keys camelCased, for ``graph.rows.row``) from the edges ``actor_map``
    read: the same facts ``graph.social.RELATIONS`` reads with one EXISTS each."""
    edges = {(kind, mine) for kind, mine in found["edges"]}
    return {
        "isPerson": found["isPerson"],
        "status": found["status"],
        "connected": ("CONNECTED", True) in edges or ("CONNECTED", False) in edges,
        "requestedByMe": ("REQUESTED", True) in edges,
        "requestedByThem": ("REQUESTED", False) in edges,
        "following": ("FOLLOWS", True) in edges,
        "blockedByMe": ("BLOCKED", True) in edges,
        "blockedByThem": ("BLOCKED", False) in edges,
        "muted": ("MUTED", True) in edges,
    }


class RepresentativeRecord(TypedDict):
    """A representative of an organisation as ``actor_map`` reads them: their role, since when, and the person."""

    role: str
    since: DateTime
    person: ActorRecord


class OrganizationRecord(TypedDict):
    """An organisation's full record as ``actor_map`` reads it (``OrganizationRow`` less ``blocked``)."""

    organization: OrganizationProperties
    taxCodeLast4: str | None
    viewerRole: str | None


class OwnOrganization(OrganizationRecord):
    """An organisation the viewer represents, with their role, as ``actor_map`` reads it."""

    role: str


class ActorRecord(TypedDict, total=False):
    """An actor as ``actor_map`` reads it: ``display``, or ``person`` / ``organization`` (one of them null) and
    ``blocked``; ``relation`` when asked (a ``graph.social.Relation`` map, null for the viewer themself or an
    anonymous viewer); the viewer's own lists when asked and the actor is the viewer (else null)."""

    id: Required[str]
    display: ActorDisplay
    person: PersonRecord | None
    organization: OrganizationRecord | None
    blocked: bool
    relation: RelationEdges | None
    organizations: list[OwnOrganization] | None
    verificationRequests: list[Mapping[str, Any]] | None
    representatives: list[RepresentativeRecord] | None
    lists: list[Mapping[str, Any]]  # the folded lists (``ActorShape.lists``), read by ``graph.social.people_list_of``


#: The viewer of a statement that reads actors: a person (or the person a partner app acts for), null when anonymous.
VIEWER = "OPTIONAL MATCH (viewer:Actor {id: $viewerId}) WHERE viewer:Person"


@functools.cache
def actors_statement(shape: ActorShape) -> str:
    """Actors of either kind by id (unknown ids left out), as ``shape`` asks, in one statement; with lists of people
    folded in (``ActorShape.lists``), what decides whether the viewer sees them is read once per actor."""
    facts = ""
    if shape.lists:
        from graph.social import folded_facts, relations_facts  # noqa: PLC0415 (graph.social imports this module)

        facts = f"WITH viewer, a, {relations_facts('a', 'viewer')} AS {folded_facts('a')}"
    return f"""
{VIEWER}
UNWIND $ids AS id
MATCH (a:Actor {{id: id}})
{facts}
RETURN {actor_map("a", "viewer", shape)} AS actor
"""


async def actors_by_ids(
    tx: AsyncManagedTransaction,
    ids: list[str],
    viewer_id: str | None,
    shape: ActorShape = ActorShape(),
    parameters: Mapping[str, Any] | None = None,
) -> list[ActorRecord]:
    """People and organisations by id in one statement, whatever their kind (``actors_statement``); ``parameters``:
    those of the lists folded in (``ActorShape.lists``, ``graph.social.folded_list_parameters``)."""
    found = await run(tx, actors_statement(shape), ids=ids, viewerId=viewer_id, **(parameters or {}))
    return [r["actor"] for r in found]


ACTING_ROLE = """
MATCH (o:Organization {id: $orgId})
RETURN o.status AS status, head([(:Person {id: $personId})-[r:REPRESENTS]->(o) | r.role]) AS role
"""


@dataclass(frozen=True)
class ActingRole:
    """An organisation's status, and the person's representative role in it (None: they do not represent it)."""

    status: str
    role: str | None


async def acting_role(tx: AsyncManagedTransaction, person_id: str, org_id: str) -> ActingRole | None:
    """The organisation's status and the person's representative role in it (None: no such organisation)."""
    found = await run(tx, ACTING_ROLE, personId=person_id, orgId=org_id)
    return row(ActingRole, found[0]) if found else None


REPRESENTATIVE_ROLE = (
    "MATCH (:Person {id: $personId})-[r:REPRESENTS]->(:Organization {id: $orgId}) RETURN r.role AS role"
)


async def representative_role(tx: AsyncManagedTransaction, person_id: str, org_id: str) -> str | None:
    found = await run(tx, REPRESENTATIVE_ROLE, personId=person_id, orgId=org_id)
    role: str | None = found[0]["role"] if found else None
    return role


SET_REPRESENTATIVE = """
MATCH (o:Organization {id: $orgId}), (p:Person {id: $personId, status: 'active'}), (by:Person {id: $byId})
SET o.representationLock = coalesce(o.representationLock, 0) + 1
MERGE (p)-[r:REPRESENTS]->(o)
ON CREATE SET r.since = datetime()
SET r.role = $role
CREATE (change:RepresentationChange {id: $changeId, action: 'grant', role: $role, at: datetime()})
CREATE (change)-[:BY]->(by), (change)-[:OF]->(p), (change)-[:FOR]->(o)
RETURN r.role AS role
"""


async def set_representative(
    tx: AsyncManagedTransaction, org_id: str, person_id: str, role: str, by_id: str, change_id: str
) -> bool:
    return bool(
        await run(tx, SET_REPRESENTATIVE, orgId=org_id, personId=person_id, role=role, byId=by_id, changeId=change_id)
    )


REMOVE_REPRESENTATIVE = """
MATCH (p:Person {id: $personId})-[r:REPRESENTS]->(o:Organization {id: $orgId}), (by:Person {id: $byId})
SET o.representationLock = coalesce(o.representationLock, 0) + 1
WITH p, r, o, by, r.role AS role
DELETE r
CREATE (change:RepresentationChange {id: $changeId, action: 'revoke', role: role, at: datetime()})
CREATE (change)-[:BY]->(by), (change)-[:OF]->(p), (change)-[:FOR]->(o)
RETURN role
"""


async def remove_representative(
    tx: AsyncManagedTransaction, org_id: str, person_id: str, by_id: str, change_id: str
) -> bool:
    return bool(await run(tx, REMOVE_REPRESENTATIVE, orgId=org_id, personId=person_id, byId=by_id, changeId=change_id))


OWNER_COUNT = """
MATCH (o:Organization {id: $orgId})
SET o.representationLock = coalesce(o.representationLock, 0) + 1
RETURN COUNT { (:Person)-[:REPRESENTS {role: 'owner'}]->(o) } AS owners
"""


async def lock_and_count_owners(tx: AsyncManagedTransaction, org_id: str) -> int:
    found = await run(tx, OWNER_COUNT, orgId=org_id)
    owners: int = found[0]["owners"] if found else 0
    return owners


REPRESENTATIVES_OF = """
UNWIND $orgIds AS orgId
MATCH (p:Person)-[r:REPRESENTS]->(:Organization {id: orgId})
RETURN orgId, p.id AS personId, r.role AS role, r.since AS since
ORDER BY r.since
"""


@dataclass(frozen=True)
class RepresentativeRow:
    org_id: str
    person_id: str
    role: str
    since: DateTime


async def representatives_of(tx: AsyncManagedTransaction, org_ids: list[str]) -> list[RepresentativeRow]:
    return rows(RepresentativeRow, await run(tx, REPRESENTATIVES_OF, orgIds=org_ids))


REPRESENTATION_HISTORY = """
MATCH (c:RepresentationChange)-[:FOR]->(:Organization {id: $orgId})
MATCH (c)-[:BY]->(by:Person), (c)-[:OF]->(of:Person)
RETURN c {.id, .action, .role, .at, .reason} AS change, by.id AS byId, of.id AS ofId
ORDER BY c.at DESC
LIMIT 200
"""


@dataclass(frozen=True)
class HistoryRow:
    """A recorded grant or revocation of a representative role (``reason`` for the automatic ones), who made it
    (``by_id``) and whose role it changed (``of_id``)."""

    id: str
    action: str
    role: str
    at: DateTime
    reason: str | None
    by_id: str
    of_id: str


async def representation_history(tx: AsyncManagedTransaction, org_id: str) -> list[HistoryRow]:
    return [
        HistoryRow(
            id=r["change"]["id"],
            action=r["change"]["action"],
            role=r["change"]["role"],
            at=r["change"]["at"],
            reason=r["change"]["reason"],
            by_id=r["byId"],
            of_id=r["ofId"],
        )
        for r in await run(tx, REPRESENTATION_HISTORY, orgId=org_id)
    ]


# --- invitations to represent ---------------------------------------------------------------------------
# An owner's representativeSet for someone who does not represent the organisation yet only invites them:
# (:Person)-[:INVITED_TO_REPRESENT {role, invitedBy, createdAt}]->(:Organization). It is a relationship type
# of its own, so no REPRESENTS query (acting for, representatives, trust paths) can count it; accepting turns
# it into REPRESENTS in one transaction. Every change of an invitation first takes the organisation's
# representation lock (``lock_organization``), like every change of its representatives.

LOCK_ORGANIZATION = """
MATCH (o:Organization {id: $orgId})
SET o.representationLock = coalesce(o.representationLock, 0) + 1
RETURN o.status AS status
"""


async def lock_organization(tx: AsyncManagedTransaction, org_id: str) -> str | None:
    """Take the organisation's representation lock; its status, None when there is no such organisation."""
    found = await run(tx, LOCK_ORGANIZATION, orgId=org_id)
    status: str | None = found[0]["status"] if found else None
    return status


INVITE_REPRESENTATIVE = f"""
MATCH (o:Organization {{id: $orgId}}), (p:Person {{id: $personId, status: 'active'}}), (by:Person {{id: $byId}})
WHERE NOT {blocked_either_way("p", "by")} AND NOT {blocked_either_way("p", "o")}
  AND NOT EXISTS {{ (p)-[:REPRESENTS {{role: 'owner'}}]->(o) }}
  AND ($role = 'owner' OR NOT EXISTS {{ (p)-[:REPRESENTS]->(o) }})
OPTIONAL MATCH (p)-[pending:INVITED_TO_REPRESENT]->(o)
WITH o, p, by, pending IS NULL AS created
MERGE (p)-[i:INVITED_TO_REPRESENT]->(o)
ON CREATE SET i.createdAt = datetime()
SET i.role = $role, i.invitedBy = by.id
RETURN created
"""


async def invite_representative(
    tx: AsyncManagedTransaction, org_id: str, person_id: str, role: str, by_id: str
) -> bool | None:
    """Invite (or re-invite with another role) an active person who does not block and is not blocked by the
    inviter and does not represent the organisation yet (or, for ``owner``, represents it with a lesser role: a
    promotion to owner is an invitation too): True when the invitation is new, False when a pending one was
    updated, None when refused."""
    found = await run(tx, INVITE_REPRESENTATIVE, orgId=org_id, personId=person_id, role=role, byId=by_id)
    created: bool | None = found[0]["created"] if found else None
    return created


INVITATION_PROJECTION = """
o.id AS orgId, p.id AS personId, i.role AS role, i.invitedBy AS invitedById, i.createdAt AS createdAt
"""


@dataclass(frozen=True)
class InvitationRow:
    """A pending invitation to represent an organisation (``invited_by_id`` None for ones from before it was kept)."""

    org_id: str
    person_id: str
    role: str
    invited_by_id: str | None
    created_at: DateTime


INVITATION = f"""
MATCH (p:Person {{id: $personId}})-[i:INVITED_TO_REPRESENT]->(o:Organization {{id: $orgId}})
RETURN {INVITATION_PROJECTION}
"""


async def invitation(tx: AsyncManagedTransaction, org_id: str, person_id: str) -> InvitationRow | None:
    found = await run(tx, INVITATION, orgId=org_id, personId=person_id)
    return row(InvitationRow, found[0]) if found else None


ACCEPT_INVITATION = """
MATCH (p:Person {id: $personId, status: 'active'})-[i:INVITED_TO_REPRESENT]->(o:Organization {id: $orgId})
OPTIONAL MATCH (by:Person {id: i.invitedBy})
WITH p, i, o, by, i.role AS role
DELETE i
MERGE (p)-[r:REPRESENTS]->(o)
ON CREATE SET r.since = datetime()
SET r.role = role
CREATE (change:RepresentationChange {id: $changeId, action: 'grant', role: role, at: datetime(),
                                     reason: 'accepted the invitation'})
CREATE (change)-[:OF]->(p), (change)-[:FOR]->(o)
FOREACH (inviter IN CASE WHEN by IS NULL THEN [] ELSE [by] END | CREATE (change)-[:BY]->(inviter))
RETURN role
"""


async def accept_invitation(tx: AsyncManagedTransaction, org_id: str, person_id: str, change_id: str) -> str | None:
    """Turn the person's pending invitation into REPRESENTS, recorded as a grant by the inviter: the role, or
    None when there is no pending invitation."""
    found = await run(tx, ACCEPT_INVITATION, orgId=org_id, personId=person_id, changeId=change_id)
    role: str | None = found[0]["role"] if found else None
    return role


DELETE_INVITATION = """
MATCH (p:Person {id: $personId})-[i:INVITED_TO_REPRESENT]->(o:Organization {id: $orgId})
WITH i, i.role AS role
DELETE i
RETURN role
"""


async def delete_invitation(tx: AsyncManagedTransaction, org_id: str, person_id: str) -> str | None:
    """Decline or withdraw: the role the deleted invitation offered, None when there was none."""
    found = await run(tx, DELETE_INVITATION, orgId=org_id, personId=person_id)
    role: str | None = found[0]["role"] if found else None
    return role


#: An invitation is only as good as its inviter's ownership: when an owner stops being one (revoked, demoted), the
#: invitations they sent for that organisation are deleted in the same transaction, so none can be accepted later.
DROP_INVITATIONS_SENT_BY = """
MATCH (o:Organization {id: $orgId})<-[i:INVITED_TO_REPRESENT]-(:Person)
WHERE i.invitedBy = $inviterId
DELETE i
RETURN count(*) AS dropped
"""


async def drop_invitations_sent_by(tx: AsyncManagedTransaction, org_id: str, inviter_id: str) -> int:
    """Delete the pending invitations ``inviter_id`` sent for the organisation; how many there were."""
    found = await run(tx, DROP_INVITATIONS_SENT_BY, orgId=org_id, inviterId=inviter_id)
    dropped: int = found[0]["dropped"] if found else 0
    return dropped


#: Newest first; read either way (``graph.paging.both_ways``).
PENDING_INVITATIONS = both_ways(f"""
MATCH (o:Organization {{id: $orgId}})<-[i:INVITED_TO_REPRESENT]-(p:Person)
WHERE ($afterTime IS NULL OR [i.createdAt, p.id] < [datetime($afterTime), $afterId])
  AND ($beforeTime IS NULL OR [i.createdAt, p.id] > [datetime($beforeTime), $beforeId])
WITH p, i, o ORDER BY i.createdAt {{DESC}}, p.id {{DESC}} LIMIT $limit
RETURN {INVITATION_PROJECTION}
ORDER BY createdAt {{DESC}}, personId {{DESC}}
""")

PENDING_INVITATION_COUNT = """
MATCH (o:Organization {id: $orgId})
RETURN COUNT { (:Person)-[:INVITED_TO_REPRESENT]->(o) } AS total
"""


async def pending_invitations(
    tx: AsyncManagedTransaction, org_id: str, window: Window
) -> tuple[list[InvitationRow], int]:
    """One page of the organisation's invitations that wait for an answer (newest first; in reading order), and how
    many there are."""
    found = await run(
        tx,
        PENDING_INVITATIONS.of(window.backwards),
        orgId=org_id,
        limit=window.limit,
        **window_keyset(window),
    )
    total = await run(tx, PENDING_INVITATION_COUNT, orgId=org_id)
    count: int = total[0]["total"] if total else 0
    return rows(InvitationRow, found), count


#: Newest first; read either way (``graph.paging.both_ways``).
INVITATIONS_OF_PERSON = both_ways(f"""
MATCH (p:Person {{id: $personId}})-[i:INVITED_TO_REPRESENT]->(o:Organization {{status: 'active'}})
WHERE ($afterTime IS NULL OR [i.createdAt, o.id] < [datetime($afterTime), $afterId])
  AND ($beforeTime IS NULL OR [i.createdAt, o.id] > [datetime($beforeTime), $beforeId])
WITH p, i, o ORDER BY i.createdAt {{DESC}}, o.id {{DESC}} LIMIT $limit
RETURN {INVITATION_PROJECTION}
ORDER BY createdAt {{DESC}}, orgId {{DESC}}
""")

INVITATION_COUNT = """
MATCH (p:Person {id: $personId})
RETURN COUNT { (p)-[:INVITED_TO_REPRESENT]->(:Organization {status: 'active'}) } AS total
"""


async def invitations_of_person(
    tx: AsyncManagedTransaction, person_id: str, window: Window
) -> tuple[list[InvitationRow], int]:
    """One page of the person's pending invitations from active organisations (newest first; in reading order), and
    how many there are."""
    found = await run(
        tx,
        INVITATIONS_OF_PERSON.of(window.backwards),
        personId=person_id,
        limit=window.limit,
        **window_keyset(window),
    )
    total = await run(tx, INVITATION_COUNT, personId=person_id)
    count: int = total[0]["total"] if total else 0
    return rows(InvitationRow, found), count


ORGANIZATIONS_OF_PERSON = """
MATCH (:Person {id: $personId})-[r:REPRESENTS]->(o:Organization)
RETURN o.id AS id, r.role AS role
"""


@dataclass(frozen=True)
class OrganizationRole:
    """An organisation the person represents, and their role in it."""

    id: str
    role: str


async def organizations_of_person(tx: AsyncManagedTransaction, person_id: str) -> list[OrganizationRole]:
    return rows(OrganizationRole, await run(tx, ORGANIZATIONS_OF_PERSON, personId=person_id))


# --- closing an account and the data export --------------------------------------------------------------

CLOSE_ACCOUNT = """
MATCH (p:Person {id: $id, status: 'active'})
OPTIONAL MATCH (p)-[:HAS_CONTACT]->(c:Contact)
DETACH DELETE c
WITH DISTINCT p
OPTIONAL MATCH (p)-[lives:LIVES_IN]->(:Commune)
DELETE lives
WITH DISTINCT p
OPTIONAL MATCH (p)-[:MEMBER_OF {role: 'admin'}]->(orphaned:Community {kind: 'group'})
WHERE NOT EXISTS { (other:Person)-[:MEMBER_OF {role: 'admin'}]->(orphaned) WHERE other <> p }
CALL (p, orphaned) {
  // a group keeps an admin: its longest-standing moderator, else its longest-standing member, takes over
  MATCH (heir:Person {status: 'active'})-[m:MEMBER_OF]->(orphaned)
  WHERE heir <> p
  WITH m ORDER BY CASE m.role WHEN 'moderator' THEN 0 ELSE 1 END, m.since LIMIT 1
  SET m.role = 'admin'
}
WITH DISTINCT p
OPTIONAL MATCH (p)-[membership:MEMBER_OF|ASKED_TO_JOIN]->(:Community {kind: 'group'})
DELETE membership
WITH DISTINCT p
OPTIONAL MATCH (p)-[:HAS_SESSION]->(s:Session)
SET s.revokedAt = coalesce(s.revokedAt, datetime()), s.revokedReason = coalesce(s.revokedReason, 'account closed')
WITH DISTINCT p
SET p.status = 'closed', p.closedAt = datetime(), p.displayName = $closedName,
    p.fullName = null, p.searchName = null, p.dateOfBirth = null, p.sex = null, p.passwordHash = null,
    p.investorSectors = [], p.roles = []
RETURN p.id AS id
"""


async def close_account(tx: AsyncManagedTransaction, person_id: str, closed_name: str) -> bool:
    return bool(await run(tx, CLOSE_ACCOUNT, id=person_id, closedName=closed_name))


MY_DATA = """
MATCH (p:Person {id: $id})
RETURN p {.*, passwordHash: null, verificationLock: null} AS person,
  [(p)-[:PROVED_BY]->(d:IdentityDocument) | d {.kind, .last4, .country, .createdAt}] AS documents,
  [(p)-[:HAS_CONTACT]->(c:Contact) | c {.kind, .value, .verifiedAt, .createdAt}] AS contacts,
  [(p)-[l:LIVES_IN]->(c:Commune) | {code: c.code, name: c.name, since: l.since}] AS wards,
  [(p)-[:HAS_SESSION]->(s:Session) | s {.id, .userAgent, .createdAt, .lastUsedAt, .revokedAt, .revokedReason}]
    AS sessions,
  [(p)<-[:FOR]-(v:VerificationRequest) | v {.id, .status, .createdAt, .decidedAt, .reason}] AS verificationRequests,
  [(p)-[r:REPRESENTS]->(o:Organization) | {organizationId: o.id, organization: o.displayName, role: r.role,
                                           since: r.since}] AS representations,
  [(p)-[i:INVITED_TO_REPRESENT]->(o:Organization) | {organizationId: o.id, organization: o.displayName,
                                                     role: i.role, invitedAt: i.createdAt}] AS representativeInvitations
"""


class PersonalData(TypedDict):
    """Everything ``MY_DATA`` reads about a person, passed on whole to the export (stored values, not views)."""

    person: Mapping[str, object]
    documents: list[Mapping[str, object]]
    contacts: list[Mapping[str, object]]
    wards: list[Mapping[str, object]]
    sessions: list[Mapping[str, object]]
    verificationRequests: list[Mapping[str, object]]
    representations: list[Mapping[str, object]]
    representativeInvitations: list[Mapping[str, object]]


async def my_data(tx: AsyncManagedTransaction, person_id: str) -> PersonalData | None:
    found = await run(tx, MY_DATA, id=person_id)
    if not found:
        return None
    record = found[0]
    return PersonalData(
        person=record["person"],
        documents=record["documents"],
        contacts=record["contacts"],
        wards=record["wards"],
        sessions=record["sessions"],
        verificationRequests=record["verificationRequests"],
        representations=record["representations"],
        representativeInvitations=record["representativeInvitations"],
    )
