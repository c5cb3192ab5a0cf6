"""Cypher of communities: interest groups people create, join (at once or on approval) and run.

Ward communities are made by migration 4 (``graph.social``) and joined automatically; the queries
here read them too but never change who belongs to one (the service refuses first).

Membership is ``(:Person)-[:MEMBER_OF {role, since}]->(:Community)``; a pending request to join a
community with an approval policy is ``(:Person)-[:ASKED_TO_JOIN {at}]->(:Community)``. Every change
of membership first write-locks the community (``LOCK_COMMUNITY``), so two concurrent changes, e.g.
the last two admins stepping down at once, run one after the other and see each other's result.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from neo4j import AsyncManagedTransaction
from neo4j.time import DateTime

from core.pagination import Window
from graph.driver import run, window_keyset
from graph.paging import both_ways
from graph.rows import row, rows
from graph.rules import audience_admits, blocked_either_way

# --- creating a community ------------------------------------------------------------------------------------

CREATE_COMMUNITY = """
MATCH (founder:Person {id: $founderId})
CREATE (c:Community {id: $id, kind: 'group', name: $name, searchName: $searchName, description: $description,
                     joinPolicy: $joinPolicy, createdAt: datetime()})
CREATE (founder)-[:MEMBER_OF {role: 'admin', since: datetime()}]->(c)
RETURN c.id AS id
"""


async def create_community(
    tx: AsyncManagedTransaction,
    *,
    id: str,
    founder_id: str,
    name: str,
    search_name: str,
    description: str | None,
    join_policy: str,
) -> None:
    await run(
        tx,
        CREATE_COMMUNITY,
        id=id,
        founderId=founder_id,
        name=name,
        searchName=search_name,
        description=description,
        joinPolicy=join_policy,
    )


# --- membership facts under a write lock ------------------------------------------------------------------------

LOCK_COMMUNITY = """
MATCH (c:Community {id: $communityId})
SET c.membershipLock = coalesce(c.membershipLock, 0) + 1
WITH c
CALL (c) {
  UNWIND $personIds AS personId
  MATCH (p:Person {id: personId})
  RETURN collect({id: p.id, status: p.status, role: head([(p)-[m:MEMBER_OF]->(c) | m.role]),
                  pending: EXISTS { (p)-[:ASKED_TO_JOIN]->(c) }}) AS people
}
RETURN c.kind AS kind, c.joinPolicy AS joinPolicy, people
"""


@dataclass(frozen=True)
class Standing:
    """A person's place in a community: their account status, role (None: not a member) and pending request."""

    id: str
    status: str | None
    role: str | None
    pending: bool


@dataclass(frozen=True)
class LockedCommunity:
    kind: str
    join_policy: str | None
    people: dict[str, Standing]  # by person id


async def lock_community(
    tx: AsyncManagedTransaction, community_id: str, person_ids: Sequence[str | None]
) -> LockedCommunity | None:
    """Write-lock the community and read its kind, policy, and each person's role and pending request
    there (people who do not exist, and None, are left out of ``people``)."""
    found = await run(tx, LOCK_COMMUNITY, communityId=community_id, personIds=list(person_ids))
    if not found:
        return None
    people = rows(Standing, found[0]["people"])
    return LockedCommunity(kind=found[0]["kind"], join_policy=found[0]["joinPolicy"], people={p.id: p for p in people})


#: Only asked of groups (a ward community has no admin), under the lock above.
ADMIN_COUNT = """
MATCH (c:Community {id: $communityId})
RETURN COUNT { (c)<-[:MEMBER_OF {role: 'admin'}]-(:Person) } AS admins
"""


async def admin_count(tx: AsyncManagedTransaction, community_id: str) -> int:
    admins: int = (await run(tx, ADMIN_COUNT, communityId=community_id))[0]["admins"]
    return admins


ROLE_IN_COMMUNITY = """
MATCH (c:Community {id: $communityId})
RETURN c.kind AS kind, c.joinPolicy AS joinPolicy,
       head([(:Person {id: $personId})-[m:MEMBER_OF]->(c) | m.role]) AS role
"""


@dataclass(frozen=True)
class RoleInCommunity:
    kind: str
    join_policy: str | None  # None: a ward community (joined by residence)
    role: str | None  # None: not a member


async def role_in_community(
    tx: AsyncManagedTransaction, community_id: str, person_id: str | None
) -> RoleInCommunity | None:
    """The community's kind, join policy and the person's role in it; None when there is no such community."""
    found = await run(tx, ROLE_IN_COMMUNITY, communityId=community_id, personId=person_id)
    return row(RoleInCommunity, found[0]) if found else None


# --- changing membership -------------------------------------------------------------------------------------------

ADD_MEMBER = """
MATCH (p:Person {id: $personId}), (c:Community {id: $communityId})
OPTIONAL MATCH (p)-[asked:ASKED_TO_JOIN]->(c)
DELETE asked
WITH DISTINCT p, c
MERGE (p)-[m:MEMBER_OF]->(c)
ON CREATE SET m.role = 'member', m.since = datetime()
"""

ASK_TO_JOIN = """
MATCH (p:Person {id: $personId}), (c:Community {id: $communityId})
MERGE (p)-[r:ASKED_TO_JOIN]->(c)
ON CREATE SET r.at = datetime()
"""

REMOVE_MEMBER = """
MATCH (:Person {id: $personId})-[m:MEMBER_OF]->(:Community {id: $communityId})
DELETE m
RETURN count(m) AS n
"""

WITHDRAW_REQUEST = """
MATCH (:Person {id: $personId})-[r:ASKED_TO_JOIN]->(:Community {id: $communityId})
DELETE r
RETURN count(r) AS n
"""

SET_ROLE = """
MATCH (:Person {id: $personId})-[m:MEMBER_OF]->(:Community {id: $communityId})
SET m.role = $role
"""

_MEMBERSHIP_WRITES = {"add": ADD_MEMBER, "ask": ASK_TO_JOIN}
_MEMBERSHIP_DELETES = {"remove": REMOVE_MEMBER, "withdraw": WITHDRAW_REQUEST}


async def write_membership(tx: AsyncManagedTransaction, change: str, person_id: str, community_id: str) -> None:
    """``add`` a member (and drop their pending request) or ``ask`` to join."""
    await run(tx, _MEMBERSHIP_WRITES[change], personId=person_id, communityId=community_id)


async def delete_membership(tx: AsyncManagedTransaction, change: str, person_id: str, community_id: str) -> int:
    """``remove`` a member or ``withdraw`` a pending request; returns how many were deleted."""
    deleted: int = (await run(tx, _MEMBERSHIP_DELETES[change], personId=person_id, communityId=community_id))[0]["n"]
    return deleted


async def set_role(tx: AsyncManagedTransaction, person_id: str, community_id: str, role: str) -> None:
    await run(tx, SET_ROLE, personId=person_id, communityId=community_id, role=role)


MEMBER = """
MATCH (p:Person {id: $personId})-[m:MEMBER_OF]->(:Community {id: $communityId})
RETURN p.id AS personId, m.role AS role, m.since AS since
"""


@dataclass(frozen=True)
class Member:
    person_id: str
    role: str
    since: DateTime


async def member(tx: AsyncManagedTransaction, community_id: str, person_id: str) -> Member | None:
    found = await run(tx, MEMBER, communityId=community_id, personId=person_id)
    return row(Member, found[0]) if found else None


# --- reading communities -------------------------------------------------------------------------------------------

#: A community ``c`` for the optional ``viewer`` (bound once, by an index seek, before the list).
#: The member count is the degree of ``c`` (answered from the node's relationship counts, without
#: visiting a ward's tens of thousands of members), so it counts every MEMBER_OF edge.
COMMUNITY_PROJECTION = """
c {.id, .kind, .name, .searchName, .description, .joinPolicy, .createdAt} AS community,
COUNT { (c)<-[:MEMBER_OF]-() } AS memberCount,
CASE WHEN viewer IS NULL THEN null ELSE head([(viewer)-[m:MEMBER_OF]->(c) | m.role]) END AS myRole,
viewer IS NOT NULL AND EXISTS { (viewer)-[:ASKED_TO_JOIN]->(c) } AS myRequestPending
"""

VIEWER = "OPTIONAL MATCH (viewer:Person {id: $viewerId})"


@dataclass(frozen=True)
class Community:
    """A community as stored (``community`` in ``COMMUNITY_PROJECTION``); ward communities have no join policy."""

    id: str
    kind: str
    name: str
    search_name: str
    description: str | None
    join_policy: str | None
    created_at: DateTime


@dataclass(frozen=True)
class CommunityRow:
    community: Community
    member_count: int
    my_role: str | None
    my_request_pending: bool


def community_row(record: Any) -> CommunityRow:
    """A ``CommunityRow`` from a record (or map) of ``COMMUNITY_PROJECTION``'s columns."""
    return CommunityRow(
        community=row(Community, record["community"]),
        member_count=record["memberCount"],
        my_role=record["myRole"],
        my_request_pending=record["myRequestPending"],
    )


COMMUNITIES_BY_IDS = f"""
{VIEWER}
UNWIND $ids AS id
MATCH (c:Community {{id: id}})
RETURN {COMMUNITY_PROJECTION}
"""


async def communities_by_ids(tx: AsyncManagedTransaction, ids: list[str], viewer_id: str | None) -> list[CommunityRow]:
    return [community_row(r) for r in await run(tx, COMMUNITIES_BY_IDS, ids=ids, viewerId=viewer_id)]


#: Communities ordered by folded name then id (the keyset), read either way (``graph.paging``). Candidates: every
#: community; those of one kind (a range of index ``community_kind_name``, already in name order); or the
#: full-text index's matches for the search words.
_KEYSET = """($afterName IS NULL OR [c.searchName, c.id] > [$afterName, $afterId])
  AND ($beforeName IS NULL OR [c.searchName, c.id] < [$beforeName, $beforeId])"""

_CANDIDATES = {
    "all": f"MATCH (c:Community) WHERE {_KEYSET}",
    "kind": f"MATCH (c:Community) WHERE c.kind = $kind AND c.searchName >= coalesce($afterName, '') AND {_KEYSET}",
    "search": f"""CALL db.index.fulltext.queryNodes('community_name_fulltext', $search) YIELD node AS c
WHERE c:Community AND ($kind IS NULL OR c.kind = $kind) AND {_KEYSET}""",
}

COMMUNITIES_PAGES = {
    name: both_ways(f"""
{VIEWER}
CALL () {{
  {candidates}
  WITH c ORDER BY c.searchName {{ASC}}, c.id {{ASC}} LIMIT $limit
  RETURN c
}}
RETURN {COMMUNITY_PROJECTION}
ORDER BY c.searchName {{ASC}}, c.id {{ASC}}
""")
    for name, candidates in _CANDIDATES.items()
}

COMMUNITIES_COUNT = """
MATCH (c:Community) WHERE $kind IS NULL OR c.kind = $kind
RETURN count(c) AS total
"""

COMMUNITIES_SEARCH_COUNT = """
CALL db.index.fulltext.queryNodes('community_name_fulltext', $search) YIELD node AS c
WITH c WHERE $kind IS NULL OR c.kind = $kind
RETURN count(c) AS total
"""


def _name_keyset(key: tuple[str, ...] | None, prefix: str) -> dict[str, str | None]:
    """The parameters of a (folded name, id) cursor: ``{afterName, afterId}`` (or ``before...``), None when absent."""
    return {f"{prefix}Name": key[0] if key else None, f"{prefix}Id": key[1] if key else None}


async def communities_page(
    tx: AsyncManagedTransaction, *, viewer_id: str | None, search: str | None, kind: str | None, window: Window
) -> tuple[list[CommunityRow], int]:
    """One page of the directory in reading order (``window.backwards``: from ``before``, last name first), and how
    many communities the whole list holds."""
    candidates = "search" if search else "kind" if kind else "all"
    page_query = COMMUNITIES_PAGES[candidates].of(window.backwards)
    count_query = COMMUNITIES_SEARCH_COUNT if search else COMMUNITIES_COUNT
    found = await run(
        tx,
        page_query,
        viewerId=viewer_id,
        search=search,
        kind=kind,
        limit=window.limit,
        **_name_keyset(window.after, "after"),
        **_name_keyset(window.before, "before"),
    )
    total: int = (await run(tx, count_query, search=search, kind=kind))[0]["total"]
    return [community_row(r) for r in found], total


#: The communities a person belongs to, by name (the keyset of the directory), read either way.
MY_COMMUNITIES = both_ways(f"""
MATCH (viewer:Person {{id: $viewerId}})-[:MEMBER_OF]->(c:Community)
WHERE {_KEYSET}
WITH viewer, c ORDER BY c.searchName {{ASC}}, c.id {{ASC}} LIMIT $limit
RETURN {COMMUNITY_PROJECTION}
ORDER BY c.searchName {{ASC}}, c.id {{ASC}}
""")

MY_COMMUNITIES_COUNT = """
OPTIONAL MATCH (viewer:Person {id: $viewerId})
RETURN CASE WHEN viewer IS NULL THEN 0 ELSE COUNT { (viewer)-[:MEMBER_OF]->(:Community) } END AS total
"""


async def communities_of_member(
    tx: AsyncManagedTransaction, person_id: str, window: Window
) -> tuple[list[CommunityRow], int]:
    """One page of the communities ``person_id`` belongs to (with their role), and how many they belong to."""
    found = await run(
        tx,
        MY_COMMUNITIES.of(window.backwards),
        viewerId=person_id,
        limit=window.limit,
        **_name_keyset(window.after, "after"),
        **_name_keyset(window.before, "before"),
    )
    total: int = (await run(tx, MY_COMMUNITIES_COUNT, viewerId=person_id))[0]["total"]
    return [community_row(r) for r in found], total


#: The ward community of each commune (``FOR_WARD``, made by migration 4), for the optional viewer.
WARD_COMMUNITIES = f"""
{VIEWER}
UNWIND $communeIds AS communeId
MATCH (c:Community)-[:FOR_WARD]->(:Commune {{id: communeId}})
RETURN communeId, {COMMUNITY_PROJECTION}
"""


@dataclass(frozen=True)
class WardCommunity:
    commune_id: str
    community: CommunityRow


async def ward_communities(
    tx: AsyncManagedTransaction, commune_ids: list[str], viewer_id: str | None
) -> list[WardCommunity]:
    """The ward community of each of ``commune_ids`` that has one (in no particular order)."""
    found = await run(tx, WARD_COMMUNITIES, communeIds=commune_ids, viewerId=viewer_id)
    return [WardCommunity(r["communeId"], community_row(r)) for r in found]


#: The viewer (bound by an index seek) and the people asking to join, less those in a block with the viewer.
_ASKING = f"""
MATCH (viewer:Person {{id: $viewerId}})
MATCH (c:Community {{id: $communityId}})<-[r:ASKED_TO_JOIN]-(p:Person {{status: 'active'}})
WHERE NOT {blocked_either_way("p", "viewer")}
"""

JOIN_REQUESTS = both_ways(f"""{_ASKING}
  AND ($afterTime IS NULL OR [r.at, p.id] > [datetime($afterTime), $afterId])
  AND ($beforeTime IS NULL OR [r.at, p.id] < [datetime($beforeTime), $beforeId])
WITH p, r ORDER BY r.at {{ASC}}, p.id {{ASC}} LIMIT $limit
RETURN p.id AS personId, r.at AS at
ORDER BY at {{ASC}}, personId {{ASC}}
""")

JOIN_REQUESTS_COUNT = f"""{_ASKING}
RETURN count(r) AS total
"""


@dataclass(frozen=True)
class JoinRequest:
    person_id: str
    at: DateTime


async def join_requests(
    tx: AsyncManagedTransaction, community_id: str, viewer_id: str, window: Window
) -> tuple[list[JoinRequest], int]:
    """One page of the pending requests to join (oldest first; ``window.backwards``: newest first from ``before``);
    people in a block with the viewer are left out."""
    found = await run(
        tx,
        JOIN_REQUESTS.of(window.backwards),
        communityId=community_id,
        viewerId=viewer_id,
        limit=window.limit,
        **window_keyset(window),
    )
    total: int = (await run(tx, JOIN_REQUESTS_COUNT, communityId=community_id, viewerId=viewer_id))[0]["total"]
    return rows(JoinRequest, found), total


# --- what a community holds: its members (its posts: graph.posts) ------------------------------------------------------------

#: Being listed in a ward community tells where one lives: there a member is listed only to whoever may see their
#: ward, by the profile-audience rule (``graph.rules.audience_admits``: the audience the member chose for their ward,
#: ``$wardAudienceDefault`` when never chosen; themself always).
_MEMBER_SHOWN = f"""
(c.kind <> 'ward' OR {audience_admits("p", "ward", default="$wardAudienceDefault", viewer="viewer")})
"""

#: A community's members newest first (when they joined, then id), read either way; people in a block with the
#: viewer and closed accounts are left out.
COMMUNITY_MEMBERS = both_ways(f"""
MATCH (viewer:Person {{id: $viewerId}})
MATCH (c:Community {{id: $communityId}})<-[m:MEMBER_OF]-(p:Person {{status: 'active'}})
WHERE NOT {blocked_either_way("viewer", "p")} AND {_MEMBER_SHOWN}
  AND ($afterTime IS NULL OR [m.since, p.id] < [datetime($afterTime), $afterId])
  AND ($beforeTime IS NULL OR [m.since, p.id] > [datetime($beforeTime), $beforeId])
WITH p, m ORDER BY m.since {{DESC}}, p.id {{DESC}} LIMIT $limit
RETURN p.id AS personId, m.role AS role, m.since AS since
ORDER BY since {{DESC}}, personId {{DESC}}
""")


async def community_members(
    tx: AsyncManagedTransaction, community_id: str, viewer_id: str, ward_audience_default: str, window: Window
) -> list[Member]:
    """One page of the members the viewer may see, in reading order (``window.backwards``: oldest first from
    ``before``); ``ward_audience_default`` is the ward's audience for whoever never chose one (``identity.privacy``)."""
    found = await run(
        tx,
        COMMUNITY_MEMBERS.of(window.backwards),
        communityId=community_id,
        viewerId=viewer_id,
        limit=window.limit,
        wardAudienceDefault=ward_audience_default,
        **window_keyset(window),
    )
    return rows(Member, found)
