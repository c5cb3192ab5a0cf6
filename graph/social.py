"""Cypher of the social graph: connections, follows, blocks, communities, posts, comments, reactions, feed.

The visibility of a post is one Cypher predicate, ``POST_VISIBLE``, the mirror of
``social.visibility.may_see_post``; every query that returns posts applies it, so a page is never
short of items the viewer may see and never holds one they may not. The block rule is
``graph.rules.blocked_either_way`` wherever it applies (nothing passes a block in either direction).

Every function returns typed rows (frozen dataclasses, ``graph.rows``); a timestamp stays a Neo4j ``DateTime``.
Notifications are ``graph.notifications``.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from neo4j import AsyncManagedTransaction
from neo4j.time import DateTime

from core.pagination import Window
from graph.driver import keyset, run, window_keyset
from graph.identity import ActorRecord, ActorShape, FoldedList, actor_map
from graph.listings import sandbox_admits
from graph.paging import BothWays, both_ways
from graph.rows import row
from graph.rules import acts_for, audience_admits, audience_property, blocked_either_way

# --- ward communities (migration 4) ------------------------------------------------------------------

CREATE_WARD_COMMUNITIES = """
MATCH (w:Commune)
MERGE (c:Community {wardCode: w.code})
ON CREATE SET c.id = $prefix + w.id, c.createdAt = datetime()
SET c:ReferenceData, c.kind = 'ward', c.name = CASE w.kind WHEN 'phường' THEN 'Phường ' ELSE 'Xã ' END + w.name,
    c.searchName = w.searchName, c.joinPolicy = 'automatic'
MERGE (c)-[:FOR_WARD]->(w)
"""


async def create_ward_communities(tx: AsyncManagedTransaction) -> None:
    # A ward community's id is derived from its commune's, so it is the same in every database.
    await run(tx, CREATE_WARD_COMMUNITIES, prefix="ward-")


SYNC_WARD_MEMBERSHIP = """
MATCH (p:Person {id: $personId})
OPTIONAL MATCH (p)-[old:MEMBER_OF]->(c:Community {kind: 'ward'})
WHERE NOT EXISTS { (p)-[:LIVES_IN]->(:Commune)<-[:FOR_WARD]-(c) }
DELETE old
WITH DISTINCT p
OPTIONAL MATCH (p)-[:LIVES_IN]->(:Commune)<-[:FOR_WARD]-(ward:Community)
FOREACH (_ IN CASE WHEN ward IS NULL THEN [] ELSE [1] END |
  MERGE (p)-[m:MEMBER_OF]->(ward) ON CREATE SET m.since = datetime(), m.role = 'member')
"""


async def sync_ward_membership(tx: AsyncManagedTransaction, person_id: str) -> None:
    await run(tx, SYNC_WARD_MEMBERSHIP, personId=person_id)


# --- relationships between two actors -------------------------------------------------------------------

#: The facts of ``Relation`` (how ``me`` relates to ``other``), each key with its expression, returned as columns
#: (``_RELATION_FACTS``). The compiled reads read the edges instead and turn them into the same facts
#: (``graph.identity.relation_of_edges``; ``tests/rules/test_relation_edges_agree.py`` holds the two together).
_RELATION_EXPRESSIONS = {
    "isPerson": "other:Person",
    "status": "other.status",
    "connected": "EXISTS { (me)-[:CONNECTED]-(other) }",
    "requestedByMe": "EXISTS { (me)-[:REQUESTED]->(other) }",
    "requestedByThem": "EXISTS { (other)-[:REQUESTED]->(me) }",
    "following": "EXISTS { (me)-[:FOLLOWS]->(other) }",
    "blockedByMe": "EXISTS { (me)-[:BLOCKED]->(other) }",
    "blockedByThem": "EXISTS { (other)-[:BLOCKED]->(me) }",
    "muted": "EXISTS { (me)-[:MUTED]->(other) }",
}

_RELATION_FACTS = "\nRETURN " + ",\n       ".join(f"{e} AS {k}" for k, e in _RELATION_EXPRESSIONS.items()) + "\n"


LOCK_RELATION = (
    """
MATCH (me:Person {id: $me}), (other:Actor {id: $other})
SET me.socialLock = coalesce(me.socialLock, 0) + 1, other.socialLock = coalesce(other.socialLock, 0) + 1
"""
    + _RELATION_FACTS
)

RELATION = "MATCH (me:Person {id: $me}), (other:Actor {id: $other})" + _RELATION_FACTS

#: ``Actor.relation`` for a whole list of actors in one statement (``otherId`` names each row).
RELATIONS = """
UNWIND $others AS otherId
MATCH (me:Person {id: $me}), (other:Actor {id: otherId})
WITH otherId, me, other""" + _RELATION_FACTS.replace("RETURN ", "RETURN otherId AS otherId, ", 1)


@dataclass(frozen=True)
class Relation:
    """How ``me`` relates to ``other`` (each direction of a request and of a block apart)."""

    is_person: bool
    status: str | None
    connected: bool
    requested_by_me: bool
    requested_by_them: bool
    following: bool
    blocked_by_me: bool
    blocked_by_them: bool
    muted: bool


async def relation(tx: AsyncManagedTransaction, me: str, other: str) -> Relation | None:
    found = await run(tx, RELATION, me=me, other=other)
    return row(Relation, found[0]) if found else None


async def relations(tx: AsyncManagedTransaction, me: str, others: list[str]) -> dict[str, Relation]:
    """How ``me`` relates to each of ``others``, by id, in one statement; unknown ids are left out."""
    return {r["otherId"]: row(Relation, r) for r in await run(tx, RELATIONS, me=me, others=others)}


async def lock_relation(tx: AsyncManagedTransaction, me: str, other: str) -> Relation | None:
    """Write-lock both actors (so two requests between them serialise) and read how they relate."""
    found = await run(tx, LOCK_RELATION, me=me, other=other)
    return row(Relation, found[0]) if found else None


#: The daily cap counts requests *sent*, not those still pending: each sent request's time is kept on the
#: sender (``requestsSentAt``, the last 24 hours only), which withdrawing, declining or accepting does not touch.
#: Run after ``lock_relation`` (which write-locks the sender), so parallel requests claim slots one at a time.
CLAIM_REQUEST_SLOT = """
MATCH (me:Person {id: $me})
WITH me, [t IN coalesce(me.requestsSentAt, []) WHERE t > datetime() - duration({days: 1})] AS recent
WITH me, recent, size(recent) < $cap AS allowed
SET me.requestsSentAt = CASE WHEN allowed THEN recent + [datetime()] ELSE recent END
RETURN allowed,
       CASE WHEN allowed THEN 0
            ELSE duration.inSeconds(datetime(), recent[0] + duration({days: 1})).seconds + 1 END AS retryAfterSeconds
"""


async def claim_request_slot(tx: AsyncManagedTransaction, me: str, cap: int) -> int | None:
    """Count one more request sent today; None if claimed, else seconds until a slot frees up."""
    claim = (await run(tx, CLAIM_REQUEST_SLOT, me=me, cap=cap))[0]
    return None if claim["allowed"] else max(1, int(claim["retryAfterSeconds"]))


CREATE_REQUEST = """
MATCH (me:Person {id: $me}), (other:Person {id: $other})
CREATE (me)-[:REQUESTED {at: datetime()}]->(other)
"""
DELETE_REQUEST = "MATCH (:Person {id: $from})-[r:REQUESTED]->(:Person {id: $to}) DELETE r RETURN count(r) AS n"
CONNECT = """
MATCH (a:Person {id: $a}), (b:Person {id: $b})
OPTIONAL MATCH (a)-[r:REQUESTED]-(b)
DELETE r
WITH DISTINCT a, b
MERGE (a)-[c:CONNECTED]-(b)
ON CREATE SET c.since = datetime()
RETURN c.since AS since
"""
DISCONNECT = "MATCH (:Person {id: $a})-[c:CONNECTED]-(:Person {id: $b}) DELETE c RETURN count(c) AS n"
FOLLOW = """
MATCH (me:Person {id: $me}), (other:Actor {id: $other})
MERGE (me)-[f:FOLLOWS]->(other) ON CREATE SET f.since = datetime()
"""
UNFOLLOW = "MATCH (:Person {id: $me})-[f:FOLLOWS]->(:Actor {id: $other}) DELETE f RETURN count(f) AS n"
BLOCK = """
MATCH (me:Person {id: $me}), (other:Actor {id: $other})
OPTIONAL MATCH (me)-[r:CONNECTED|REQUESTED|FOLLOWS]-(other)
DELETE r
WITH DISTINCT me, other
MERGE (me)-[b:BLOCKED]->(other) ON CREATE SET b.at = datetime()
"""
UNBLOCK = "MATCH (:Person {id: $me})-[b:BLOCKED]->(:Actor {id: $other}) DELETE b RETURN count(b) AS n"
MUTE = """
MATCH (me:Person {id: $me}), (other:Actor {id: $other})
MERGE (me)-[m:MUTED]->(other) ON CREATE SET m.at = datetime()
"""
UNMUTE = "MATCH (:Person {id: $me})-[m:MUTED]->(:Actor {id: $other}) DELETE m RETURN count(m) AS n"

_EDGE_WRITES = {
    "request": CREATE_REQUEST,
    "follow": FOLLOW,
    "block": BLOCK,
    "mute": MUTE,
}
_EDGE_DELETES = {
    "unfollow": UNFOLLOW,
    "unblock": UNBLOCK,
    "unmute": UNMUTE,
}


async def write_edge(tx: AsyncManagedTransaction, action: str, me: str, other: str) -> None:
    await run(tx, _EDGE_WRITES[action], me=me, other=other)


async def delete_edge(tx: AsyncManagedTransaction, action: str, me: str, other: str) -> int:
    return int((await run(tx, _EDGE_DELETES[action], me=me, other=other))[0]["n"])


async def delete_request(tx: AsyncManagedTransaction, from_id: str, to_id: str) -> int:
    return int((await run(tx, DELETE_REQUEST, **{"from": from_id, "to": to_id}))[0]["n"])


async def connect(tx: AsyncManagedTransaction, a: str, b: str) -> None:
    await run(tx, CONNECT, a=a, b=b)


async def disconnect(tx: AsyncManagedTransaction, a: str, b: str) -> int:
    return int((await run(tx, DISCONNECT, a=a, b=b))[0]["n"])


# --- lists of people (keyset pagination on (since, id), either way) ----------------------------------------

#: The property holding who may see a person's lists of relations (their ``connections`` field's audience).
RELATIONS_AUDIENCE = audience_property("connections")


def relations_shown(owner: str = "o", viewer: str = "viewer", viewer_id: str = "viewerId") -> str:
    """Mirror of ``social.visibility.may_see_relations``: the viewer (bound to ``viewer``, null when anonymous; its id
    ``viewer_id``, a variable or parameter) may see the lists of relations (connections, followers, following, mutual
    connections) of the actor bound to ``owner``. A person's lists are their ``connections`` field, shown by the
    profile-audience rule (``graph.rules.audience_admits``, ``$relationsAudienceDefault`` when never chosen): themself
    always, everyone when PUBLIC, their connections when CONNECTIONS. An organisation's followers are seen by whoever
    acts for it (``graph.rules.acts_for``). ``$viewerIsPerson``: the viewer is the signed-in person, not a partner app
    acting for them (``relation_of``)."""
    admits = audience_admits(
        owner, "connections", default="$relationsAudienceDefault", viewer=viewer, viewer_is_person="$viewerIsPerson"
    )
    return f"""
CASE WHEN {owner}:Person
  THEN {admits}
  ELSE {viewer} IS NOT NULL AND $viewerIsPerson AND {acts_for(owner, viewer_id)}
END"""


#: ``relations_shown`` of the owner ``o`` for the viewer ``viewer`` (its id ``viewerId``).
RELATIONS_SHOWN = relations_shown()

#: Each list: the pattern from the owner ``{o}`` to the listed actor ``x`` and the relationship ``r`` whose time
#: orders it (``{viewer}``: the viewer). Chosen from this fixed allow-list only, never from client text.
LIST_PATTERNS = {
    "connections": ("({o})-[r:CONNECTED]-(x:Person)", "r.since"),
    "followers": ("({o})<-[r:FOLLOWS]-(x:Person)", "r.since"),
    "following": ("({o})-[r:FOLLOWS]->(x:Actor)", "r.since"),
    "requests_in": ("({o})<-[r:REQUESTED]-(x:Person)", "r.at"),
    "requests_out": ("({o})-[r:REQUESTED]->(x:Person)", "r.at"),
    "mutual": ("({o})-[r:CONNECTED]-(x:Person)-[:CONNECTED]-({viewer})", "r.since"),
}

#: The parameters of a list's page (``window_keyset`` and the limit), named by ``list_parameters``.
_PAGE_PARAMETERS = ("limit", "afterTime", "afterId", "beforeTime", "beforeId")


def _parameter(prefix: str, name: str) -> str:
    """The name of a page parameter of the list whose parameters start with ``prefix`` ("": the plain names)."""
    return f"{prefix}{name[0].upper()}{name[1:]}" if prefix else name


def list_parameters(window: Window, prefix: str = "") -> dict[str, Any]:
    """The parameters of a page of a list (``people_list_map``, built with the same ``prefix``)."""
    values: dict[str, Any] = {"limit": window.limit, **window_keyset(window)}
    return {_parameter(prefix, name): values[name] for name in _PAGE_PARAMETERS}


def relations_facts(owner: str, viewer: str) -> str:
    """Cypher map expression: what decides whether the viewer bound to ``viewer`` (a ``:Person``, null when anonymous;
    ``$viewerId`` its id) sees the lists of people of the actor bound to ``owner``, the same for every list of theirs
    (``PeopleList`` less the page): whether the two blocked one another, whether the viewer may see the lists
    (``relations_shown``, with the facts ``social.visibility.may_see_relations`` re-checks) and the owner's count
    settings. A statement binds it once per owner (``people_list_map`` reads it from that variable)."""
    blocked = f"({viewer} IS NOT NULL AND {blocked_either_way(viewer, owner)})"
    facts = {
        "blocked": blocked,
        "shown": f"(NOT {blocked} AND {relations_shown(owner, viewer, '$viewerId')})",
        "ownerIsPerson": f"{owner}:Person",
        "audience": f"{owner}.{RELATIONS_AUDIENCE}",
        "connected": f"{viewer} IS NOT NULL AND EXISTS {{ ({owner})-[:CONNECTED]-({viewer}) }}",
        "viewerRole": f"head([({viewer})-[rep:REPRESENTS]->({owner}) | rep.role])",
        "ownerActive": f"coalesce({owner}.status, 'active') = 'active'",
        "showFollowerCount": f"coalesce({owner}.showFollowerCount, true)",
        "showFollowingCount": f"coalesce({owner}.showFollowingCount, true)",
    }
    return "{" + ",\n  ".join(f"{name}: {expression}" for name, expression in facts.items()) + "}"


def people_list_map(kind: str, owner: str, viewer: str, facts: str, shape: ActorShape | None, prefix: str = "") -> str:
    """Cypher map expression (``PeopleList``'s keys): the list ``kind`` of the actor bound to ``owner`` for the viewer
    bound to ``viewer``, from the variable ``facts`` bound to their ``relations_facts``: those facts, the page of
    listed actors read either way (written with ``{DESC}`` tokens, ``graph.paging.both_ways``; ``Window``: newest
    first from the after-cursor, oldest first from the before-cursor; its parameters named with ``prefix``,
    ``list_parameters``) and the list's total. A list hidden from the viewer reads none of its rows. ``shape``: what
    is read of each listed actor besides its id (``graph.identity.actor_map``), None for nothing. The list's own
    statement (``list_query``) and its owner's (``graph.identity.actor_map``, the list folded in) both read it from
    here."""
    pattern, time = LIST_PATTERNS[kind]
    pattern = pattern.format(o=owner, viewer=viewer)
    p = {name: "$" + _parameter(prefix, name) for name in _PAGE_PARAMETERS}
    actor = f", actor: {actor_map('x', viewer, shape)}" if shape is not None else ""
    listed = (
        f"x.status = 'active' AND ({viewer} IS NULL OR NOT {blocked_either_way(viewer, 'x')})"
        f" AND (x:Organization OR {sandbox_admits('x')})"  # a sandbox app neither sees nor counts real people
    )
    return f"""{facts} {{.*,
  listed: COLLECT {{
    MATCH {pattern}
    WHERE {facts}.shown AND {listed}
      AND ({p["afterTime"]} IS NULL OR [{time}, x.id] < [datetime({p["afterTime"]}), {p["afterId"]}])
      AND ({p["beforeTime"]} IS NULL OR [{time}, x.id] > [datetime({p["beforeTime"]}), {p["beforeId"]}])
    WITH x, {time} AS at ORDER BY at {{DESC}}, x.id {{DESC}} LIMIT {p["limit"]}
    RETURN {{id: x.id, at: at{actor}}}
  }},
  total: CASE WHEN {facts}.shown THEN COUNT {{ MATCH {pattern} WHERE {listed} }} END
}}"""


def folded_facts(owner: str) -> str:
    """The variable a statement that folds lists of people into its owner's read binds to the owner's
    ``relations_facts`` (``graph.identity.actors_statement``)."""
    return f"{owner}_relations"


def _folded_prefix(index: int) -> str:
    return f"list{index}"


def folded_list_map(index: int, folded: FoldedList, owner: str, viewer: str) -> str:
    """``people_list_map`` of the ``index``-th list folded into its owner's statement (``graph.identity.actor_map``,
    ``ActorShape.lists``; the statement binds ``folded_facts(owner)``), in its reading order; its page's parameters
    are ``folded_list_parameters``'."""
    found = people_list_map(folded.kind, owner, viewer, folded_facts(owner), folded.actor, _folded_prefix(index))
    return both_ways(found).of(folded.backwards)


def folded_list_parameters(windows: list[Window], context: Mapping[str, Any]) -> dict[str, Any]:
    """The parameters of the lists folded into their owner's statement, the page of the i-th ``windows[i]``;
    ``context``: what every list reads of its viewer (``$relationsAudienceDefault``, ``$viewerIsPerson``,
    ``$sandboxAppId``, as ``list_actors`` takes them)."""
    pages = {k: v for i, w in enumerate(windows) for k, v in list_parameters(w, _folded_prefix(i)).items()}
    return {**context, **pages}


def _list_query(kind: str, shape: ActorShape | None = None) -> str:
    """One statement per page: the list of its owner ``$ownerId`` (``people_list_map``)."""
    return f"""
MATCH (o:Actor {{id: $ownerId}})
OPTIONAL MATCH (viewer:Person {{id: $viewerId}})
WITH o, viewer, {relations_facts("o", "viewer")} AS facts
RETURN {people_list_map(kind, "o", "viewer", "facts", shape)} AS list
"""


LIST_QUERIES = {kind: both_ways(_list_query(kind)) for kind in LIST_PATTERNS}


@functools.cache
def list_query(kind: str, shape: ActorShape | None) -> BothWays:
    """A list's statement, reading besides each listed actor what ``shape`` asks of it (``graph.identity.actor_map``:
    the view's record, the viewer's relation...), so a page with its people is one statement; ``None``: ids only."""
    return LIST_QUERIES[kind] if shape is None else both_ways(_list_query(kind, shape))


@dataclass(frozen=True)
class ListedActor:
    """An actor of a list of people, with the time that orders the list (when connected, followed, asked), and what
    the statement read of it when asked (``list_query``)."""

    id: str
    at: DateTime
    actor: ActorRecord | None = None


@dataclass(frozen=True)
class PeopleList:
    """A page of a list of people, and what decides whether the viewer may see it at all."""

    #: the owner and the viewer block each other (the owner is then unknown to the viewer)
    blocked: bool
    #: the viewer may see this list (``RELATIONS_SHOWN``); when False, ``listed`` is empty and ``total`` None
    shown: bool
    listed: list[ListedActor]
    total: int | None
    owner_is_person: bool
    #: the owner's stored ``connections`` audience, None when never chosen
    audience: str | None
    connected: bool
    viewer_role: str | None
    owner_active: bool
    show_follower_count: bool
    show_following_count: bool


async def list_actors(
    tx: AsyncManagedTransaction,
    kind: str,
    owner_id: str,
    viewer_id: str | None,
    window: Window,
    audience_default: str,
    viewer_is_person: bool = True,
    sandbox_app_id: str | None = None,
    shape: ActorShape | None = None,
) -> PeopleList | None:
    """One page of a list of people in reading order (``window.backwards``: oldest first from ``before``); None when
    the owner does not exist."""
    found = await run(
        tx,
        list_query(kind, shape).of(window.backwards),
        ownerId=owner_id,
        viewerId=viewer_id,
        relationsAudienceDefault=audience_default,
        viewerIsPerson=viewer_is_person,
        sandboxAppId=sandbox_app_id,
        **list_parameters(window),
    )
    return people_list_of(found[0]["list"]) if found else None


def people_list_of(found: Mapping[str, Any]) -> PeopleList:
    """A list as ``people_list_map`` read it (its own statement's, or folded into its owner's)."""
    record = dict(found)
    record["listed"] = [ListedActor(id=x["id"], at=x["at"], actor=x.get("actor")) for x in record["listed"]]
    return row(PeopleList, record)


@dataclass(frozen=True)
class SocialSettings:
    show_follower_count: bool
    show_following_count: bool
    suggestions_opt_out: bool


#: Change a person's social settings and read them all back, each with its default when never set (the people lists
#: read the two counts' settings themselves, ``_list_query``).
SET_SOCIAL_SETTINGS = """
MATCH (p:Person {id: $id})
SET p += $props
RETURN coalesce(p.showFollowerCount, true) AS showFollowerCount,
       coalesce(p.showFollowingCount, true) AS showFollowingCount,
       coalesce(p.suggestionsOptOut, false) AS suggestionsOptOut
"""


async def set_social_settings(
    tx: AsyncManagedTransaction, person_id: str, props: Mapping[str, bool]
) -> SocialSettings | None:
    """Change the settings in ``props`` and read them all back (None: no such person)."""
    found = await run(tx, SET_SOCIAL_SETTINGS, id=person_id, props=props)
    return row(SocialSettings, found[0]) if found else None


# --- posts ------------------------------------------------------------------------------------------------

#: Mirror of social.visibility.may_see_post, over ``post``, its ``author`` and the optional ``viewer``.
POST_VISIBLE = f"""
post.status = 'active'
AND (viewer IS NULL OR NOT {blocked_either_way("viewer", "author")})
AND (post.visibility = 'public'
     OR (viewer IS NOT NULL AND author = viewer)
     OR (post.visibility = 'connections' AND viewer IS NOT NULL AND EXISTS {{ (author)-[:CONNECTED]-(viewer) }})
     OR (post.visibility = 'community' AND viewer IS NOT NULL
         AND EXISTS {{ (post)-[:IN_COMMUNITY]->(:Community)<-[:MEMBER_OF]-(viewer) }}))
"""

#: A post's ward is the one it is about (``wardCode``), else the ward of the ward community it was posted in.
POST_PROJECTION = """
post {.id, .text, .visibility, .tags, .createdAt, .editedAt, .status} AS post,
author.id AS authorId,
head([(post)-[:IN_COMMUNITY]->(c:Community) | c.id]) AS communityId,
coalesce(head([(post)-[:ABOUT_WARD]->(w:Commune) | w.id]),
         head([(post)-[:IN_COMMUNITY]->(:Community)-[:FOR_WARD]->(w:Commune) | w.id])) AS wardId
"""


@dataclass(frozen=True)
class PostRow:
    """A post as ``POST_PROJECTION`` reads it."""

    id: str
    author_id: str
    text: str
    visibility: str
    tags: tuple[str, ...]
    status: str
    created_at: DateTime
    edited_at: DateTime | None
    community_id: str | None
    ward_id: str | None


def post_row(record: Mapping[str, Any]) -> PostRow:
    """A ``PostRow`` from a record of ``POST_PROJECTION``'s columns."""
    post = record["post"]
    return PostRow(
        id=post["id"],
        author_id=record["authorId"],
        text=post["text"],
        visibility=post["visibility"],
        tags=tuple(post.get("tags") or ()),
        status=post["status"],
        created_at=post["createdAt"],
        edited_at=post.get("editedAt"),
        community_id=record["communityId"],
        ward_id=record["wardId"],
    )


CREATE_POST = """
MATCH (author:Actor {id: $authorId})
CREATE (author)-[:POSTED]->(post:Post {id: $id, text: $text, searchText: $searchText, visibility: $visibility,
                                       tags: $tags, status: 'active', createdAt: datetime()})
WITH author, post
CALL (post) { MATCH (c:Community {id: $communityId}) CREATE (post)-[:IN_COMMUNITY]->(c) }
CALL (post) { MATCH (w:Commune {code: $wardCode}) CREATE (post)-[:ABOUT_WARD]->(w) }
RETURN post.id AS id
"""


async def create_post(
    tx: AsyncManagedTransaction,
    *,
    id: str,
    author_id: str,
    text: str,
    search_text: str,
    visibility: str,
    tags: list[str],
    community_id: str | None,
    ward_code: str | None,
) -> None:
    await run(
        tx,
        CREATE_POST,
        id=id,
        authorId=author_id,
        text=text,
        searchText=search_text,
        visibility=visibility,
        tags=tags,
        communityId=community_id,
        wardCode=ward_code,
    )


POST_FACTS = """
MATCH (author:Actor)-[:POSTED]->(post:Post {id: $id})
SET post.lock = true
RETURN author.id AS authorId, post.status AS status,
       head([(post)-[:IN_COMMUNITY]->(c:Community) | c.id]) AS communityId
"""


@dataclass(frozen=True)
class LockedPost:
    author_id: str
    status: str
    community_id: str | None


async def lock_post(tx: AsyncManagedTransaction, post_id: str) -> LockedPost | None:
    found = await run(tx, POST_FACTS, id=post_id)
    return row(LockedPost, found[0]) if found else None


UPDATE_POST = "MATCH (post:Post {id: $id}) SET post += $props, post.editedAt = datetime()"


async def update_post(tx: AsyncManagedTransaction, post_id: str, props: Mapping[str, str]) -> None:
    await run(tx, UPDATE_POST, id=post_id, props=props)


#: The facts ``social.visibility.may_see_post`` decides on, for one post and viewer, with the two directions of a
#: block apart (for rules that let a viewer's own block aside, such as reporting).
VIEWER_POST_FACTS = """
MATCH (author:Actor)-[:POSTED]->(post:Post {id: $postId})
OPTIONAL MATCH (viewer:Person {id: $viewerId})
RETURN post.status AS status, post.visibility AS visibility, author.id AS authorId,
       viewer IS NOT NULL AND EXISTS { (author)-[:BLOCKED]->(viewer) } AS authorBlockedViewer,
       viewer IS NOT NULL AND EXISTS { (viewer)-[:BLOCKED]->(author) } AS viewerBlockedAuthor,
       viewer IS NOT NULL AND EXISTS { (author)-[:CONNECTED]-(viewer) } AS connected,
       viewer IS NOT NULL AND EXISTS { (post)-[:IN_COMMUNITY]->(:Community)<-[:MEMBER_OF]-(viewer) } AS member
"""


@dataclass(frozen=True)
class ViewerPostFacts:
    status: str
    visibility: str
    author_id: str
    author_blocked_viewer: bool
    viewer_blocked_author: bool
    connected: bool
    member: bool


async def post_facts_for_viewer(
    tx: AsyncManagedTransaction, post_id: str, viewer_id: str | None
) -> ViewerPostFacts | None:
    found = await run(tx, VIEWER_POST_FACTS, postId=post_id, viewerId=viewer_id)
    return row(ViewerPostFacts, found[0]) if found else None


POSTS_BY_IDS = f"""
OPTIONAL MATCH (viewer:Person {{id: $viewerId}})
UNWIND $ids AS id
MATCH (author:Actor)-[:POSTED]->(post:Post {{id: id}})
WHERE {POST_VISIBLE}
RETURN {POST_PROJECTION}
"""


async def posts_by_ids(tx: AsyncManagedTransaction, ids: list[str], viewer_id: str | None) -> list[PostRow]:
    return [post_row(r) for r in await run(tx, POSTS_BY_IDS, ids=ids, viewerId=viewer_id)]


def _first_comments(order: str) -> str:
    """A post's top-level comments the viewer may see, oldest first, between optional (time, id) cursors, at most
    $commentLimit of them (0: none, and nothing is read). ``order`` is ``ASC`` where only first pages are read
    (the feed's projection) or the ``{ASC}`` token of a list read either way (``graph.paging.both_ways``)."""
    return f"""CALL (post, viewer) {{
  MATCH (author:Person)-[:COMMENTED]->(c:Comment {{status: 'active'}})-[:ON]->(post)
  WHERE $commentLimit > 0 AND NOT EXISTS {{ (c)-[:REPLY_TO]->() }}
    AND (viewer IS NULL OR NOT {blocked_either_way("viewer", "author")})
    AND ($commentsAfterTime IS NULL OR [c.createdAt, c.id] > [datetime($commentsAfterTime), $commentsAfterId])
    AND ($commentsBeforeTime IS NULL OR [c.createdAt, c.id] < [datetime($commentsBeforeTime), $commentsBeforeId])
  WITH c, author ORDER BY c.createdAt {order}, c.id {order} LIMIT $commentLimit
  RETURN collect(c {{.id, .text, .createdAt, authorId: author.id}}) AS comments
}}"""


#: The first comments of each feed post, projected by the feed (first pages only, whatever way the feed is read).
FIRST_COMMENTS = _first_comments("ASC")

COMMENT_TOTAL = f"""CASE WHEN $commentLimit > 0 THEN COUNT {{
  (a:Person)-[:COMMENTED]->(c:Comment {{status: 'active'}})-[:ON]->(post)
  WHERE NOT EXISTS {{ (c)-[:REPLY_TO]->() }} AND (viewer IS NULL OR NOT {blocked_either_way("viewer", "a")})
}} END"""


@dataclass(frozen=True)
class CommentRow:
    """A comment or a reply as ``FIRST_COMMENTS`` and ``REPLIES_OF_COMMENTS`` collect them."""

    id: str
    author_id: str
    text: str
    created_at: DateTime


def _comment_rows(comments: list[Mapping[str, Any]]) -> tuple[CommentRow, ...]:
    return tuple(row(CommentRow, c) for c in comments)


@dataclass(frozen=True)
class ReactionCount:
    kind: str
    count: int


def _reaction_counts(counts: list[Mapping[str, Any]]) -> tuple[ReactionCount, ...]:
    return tuple(row(ReactionCount, c) for c in counts)


# The feed is the hot root field: besides the posts it projects, when the client selected them, each post's
# author record (identity's own projection, turned into a view by identity.views), its reaction counts and its
# first comments, so a feed page with authors, reactions and comments is one statement instead of four. Read either
# way (``Window``): newest first from ``$after``, or oldest first from ``$before`` for a backward page.
#: The posts of a feed: of my connections, the actors I follow, my communities and my own (binds ``viewer``,
#: ``author`` and ``post``; the feed's queries filter them).
FEED_POSTS = """
MATCH (viewer:Person {id: $viewerId})
CALL (viewer) {
  MATCH (viewer)-[:CONNECTED]-(author:Person)-[:POSTED]->(post:Post) RETURN author, post
  UNION
  MATCH (viewer)-[:FOLLOWS]->(author:Actor)-[:POSTED]->(post:Post) RETURN author, post
  UNION
  MATCH (viewer)-[:MEMBER_OF]->(:Community)<-[:IN_COMMUNITY]-(post:Post)<-[:POSTED]-(author:Actor) RETURN author, post
  UNION
  MATCH (viewer)-[:POSTED]->(post:Post) RETURN viewer AS author, post
}"""

# --- comments and reactions ---------------------------------------------------------------------------------

CREATE_COMMENT = """
MATCH (me:Person {id: $authorId}), (post:Post {id: $postId})
CREATE (me)-[:COMMENTED]->(c:Comment {id: $id, text: $text, status: 'active', createdAt: datetime()})-[:ON]->(post)
WITH c
CALL (c) { MATCH (parent:Comment {id: $parentId}) CREATE (c)-[:REPLY_TO]->(parent) }
RETURN c.id AS id
"""


async def create_comment(
    tx: AsyncManagedTransaction, *, id: str, author_id: str, post_id: str, text: str, parent_id: str | None
) -> None:
    await run(tx, CREATE_COMMENT, id=id, authorId=author_id, postId=post_id, text=text, parentId=parent_id)


COMMENT_FACTS = f"""
MATCH (author:Person)-[:COMMENTED]->(c:Comment {{id: $id}})-[:ON]->(post:Post)
SET c.lock = true
RETURN author.id AS authorId, post.id AS postId, c.status AS status,
       EXISTS {{ (c)-[:REPLY_TO]->() }} AS isReply,
       head([(post)-[:IN_COMMUNITY]->(community:Community) | community.id]) AS communityId,
       EXISTS {{ MATCH (viewer:Person {{id: $viewerId}}) WHERE {blocked_either_way("author", "viewer")} }}
         AS blockedEitherWay
"""


@dataclass(frozen=True)
class LockedComment:
    author_id: str
    post_id: str
    status: str
    is_reply: bool
    community_id: str | None
    #: its author and the viewer asked about block each other (False when no viewer was named)
    blocked_either_way: bool


async def lock_comment(
    tx: AsyncManagedTransaction, comment_id: str, viewer_id: str | None = None
) -> LockedComment | None:
    """Write-lock a comment and read its facts."""
    found = await run(tx, COMMENT_FACTS, id=comment_id, viewerId=viewer_id)
    return row(LockedComment, found[0]) if found else None


SET_COMMENT_STATUS = "MATCH (c:Comment {id: $id}) SET c.status = $status, c.removedAt = datetime()"


async def set_comment_status(tx: AsyncManagedTransaction, comment_id: str, status: str) -> None:
    await run(tx, SET_COMMENT_STATUS, id=comment_id, status=status)


#: Top-level comments of each post, oldest first, with their total; read either way (``Window``): the first page of
#: many posts at once (the ``Post.comments`` loader) or any page of one post.
COMMENTS_OF_POSTS = both_ways(f"""
OPTIONAL MATCH (viewer:Person {{id: $viewerId}})
UNWIND $postIds AS postId
MATCH (post:Post {{id: postId}})
{_first_comments("{ASC}")}
RETURN postId, comments, {COMMENT_TOTAL} AS total
""")


@dataclass(frozen=True)
class PostComments:
    post_id: str
    comments: tuple[CommentRow, ...]
    total: int


async def comments_of_posts(
    tx: AsyncManagedTransaction, post_ids: list[str], viewer_id: str | None, window: Window
) -> list[PostComments]:
    """A page of each post's comments in reading order (``window.backwards``: newest first from ``before``)."""
    found = await run(
        tx,
        COMMENTS_OF_POSTS.of(window.backwards),
        postIds=post_ids,
        viewerId=viewer_id,
        commentLimit=window.limit,
        **keyset(window.after, prefix="commentsAfter"),
        **keyset(window.before, prefix="commentsBefore"),
    )
    return [PostComments(r["postId"], _comment_rows(r["comments"]), r["total"]) for r in found]


REPLIES_OF_COMMENTS = f"""
OPTIONAL MATCH (viewer:Person {{id: $viewerId}})
UNWIND $commentIds AS commentId
MATCH (parent:Comment {{id: commentId}})
CALL (parent, viewer) {{
  MATCH (author:Person)-[:COMMENTED]->(c:Comment {{status: 'active'}})-[:REPLY_TO]->(parent)
  WHERE viewer IS NULL OR NOT {blocked_either_way("viewer", "author")}
  WITH c, author ORDER BY c.createdAt, c.id LIMIT 50
  RETURN collect(c {{.id, .text, .createdAt, authorId: author.id}}) AS replies
}}
RETURN commentId, replies
"""


@dataclass(frozen=True)
class CommentReplies:
    comment_id: str
    replies: tuple[CommentRow, ...]


async def replies_of_comments(
    tx: AsyncManagedTransaction, comment_ids: list[str], viewer_id: str | None
) -> list[CommentReplies]:
    found = await run(tx, REPLIES_OF_COMMENTS, commentIds=comment_ids, viewerId=viewer_id)
    return [CommentReplies(r["commentId"], _comment_rows(r["replies"])) for r in found]


#: Comments by id as ``node(id:)`` shows them: active, on a post the viewer may see (``POST_VISIBLE``), a reply only
#: under an active comment, and never across a block with their author.
COMMENTS_BY_IDS = f"""
OPTIONAL MATCH (viewer:Person {{id: $viewerId}})
UNWIND $ids AS id
MATCH (commenter:Person)-[:COMMENTED]->(c:Comment {{id: id, status: 'active'}})-[:ON]->(post:Post)
MATCH (author:Actor)-[:POSTED]->(post)
WHERE {POST_VISIBLE}
  AND (viewer IS NULL OR NOT {blocked_either_way("viewer", "commenter")})
  AND NOT EXISTS {{ (c)-[:REPLY_TO]->(parent:Comment) WHERE parent.status <> 'active' }}
RETURN c {{.id, .text, .createdAt, authorId: commenter.id}} AS comment, post.id AS postId
"""


@dataclass(frozen=True)
class CommentOnPost:
    comment: CommentRow
    post_id: str


async def comments_by_ids(tx: AsyncManagedTransaction, ids: list[str], viewer_id: str | None) -> list[CommentOnPost]:
    found = await run(tx, COMMENTS_BY_IDS, ids=ids, viewerId=viewer_id)
    return [CommentOnPost(row(CommentRow, r["comment"]), r["postId"]) for r in found]


#: Both write-lock the reactor first, so one person's reactions run one at a time (40 parallel calls leave one
#: REACTED edge, and "is it new?" is answered once).
REACT = """
MATCH (me:Person {id: $me}), (post:Post {id: $postId})
SET me.socialLock = coalesce(me.socialLock, 0) + 1
WITH me, post, EXISTS { (me)-[:REACTED]->(post) } AS existed
MERGE (me)-[r:REACTED]->(post)
ON CREATE SET r.at = datetime()
SET r.kind = $kind
RETURN NOT existed AS created
"""
UNREACT = """
MATCH (me:Person {id: $me})
SET me.socialLock = coalesce(me.socialLock, 0) + 1
WITH me
OPTIONAL MATCH (me)-[r:REACTED]->(:Post {id: $postId})
DELETE r
RETURN false AS created
"""


async def react(tx: AsyncManagedTransaction, me: str, post_id: str, kind: str | None) -> bool:
    """Set (or with ``kind`` None take back) my reaction; True when a reaction was created, not just changed."""
    if kind is None:
        await run(tx, UNREACT, me=me, postId=post_id)
        return False
    found = await run(tx, REACT, me=me, postId=post_id, kind=kind)
    return bool(found and found[0]["created"])


REACTIONS_OF_POSTS = f"""
OPTIONAL MATCH (viewer:Person {{id: $viewerId}})
UNWIND $postIds AS postId
MATCH (post:Post {{id: postId}})
OPTIONAL MATCH (who:Person)-[r:REACTED]->(post)
WHERE viewer IS NULL OR NOT {blocked_either_way("viewer", "who")}
WITH postId, viewer, r.kind AS kind, count(r) AS n, collect(who) AS people
RETURN postId, collect(CASE WHEN kind IS NULL THEN null ELSE {{kind: kind, count: n}} END) AS counts,
       head([x IN collect(CASE WHEN viewer IN people THEN kind END) WHERE x IS NOT NULL]) AS mine
"""


@dataclass(frozen=True)
class PostReactions:
    post_id: str
    counts: tuple[ReactionCount, ...]
    mine: str | None


async def reactions_of_posts(
    tx: AsyncManagedTransaction, post_ids: list[str], viewer_id: str | None
) -> list[PostReactions]:
    found = await run(tx, REACTIONS_OF_POSTS, postIds=post_ids, viewerId=viewer_id)
    return [PostReactions(r["postId"], _reaction_counts(r["counts"]), r["mine"]) for r in found]


MEMBERSHIP = """
MATCH (p:Person {id: $personId}), (c:Community {id: $communityId})
RETURN head([(p)-[m:MEMBER_OF]->(c) | m.role]) AS role, c.kind AS kind
"""


@dataclass(frozen=True)
class CommunityMembership:
    """A person's role in a community (None: not a member) and the community's kind."""

    role: str | None
    kind: str


async def membership(tx: AsyncManagedTransaction, person_id: str, community_id: str) -> CommunityMembership | None:
    found = await run(tx, MEMBERSHIP, personId=person_id, communityId=community_id)
    return row(CommunityMembership, found[0]) if found else None
