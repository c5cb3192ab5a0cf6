"""Compiled lists of posts: a page of an actor's posts, of a community's, of the feed or of a search
(``graph.discovery``) as ONE statement that projects exactly what the client selected below the list (DESIGN.md,
"Request life" point 3).

The resolver of the list reads the selection into a ``PostShape`` (hashable); ``post_list_query`` assembles the
statement from the constants of the graph modules for that shape, once per shape (``lru_cache``: the same text
for the same shape, so Neo4j's plan cache hits), every value a parameter. What it can project, each only when
selected:

- the post (``graph.social.POST_PROJECTION``) with its ward (``graph.places.COMMUNE_FIELDS``), every post passing
  ``graph.social.POST_VISIBLE`` (the feed also leaves out whom the viewer muted);
- its author, the authors of its first comments and of their replies: each actor of the page read once, by
  identity's own compiled projection (``graph.identity.actor_map``): the slim display record when nothing but display
  fields is selected of any of them, else the full record; the viewer's relation to them and an organisation's
  representatives when selected; ``identity.views`` turns the records into views;
- its reaction counts (none across a block) and the viewer's own reaction;
- its comment total and first comments (none across a block), each with its replies;
- its community (``graph.communities.COMMUNITY_PROJECTION``).

The domain turns the rows into views through the same exits as the loaders (``social.post_lists``) and the
resolvers prime the request's DataLoaders with them, so the nested fields run no query.

``actors_call`` and ``listed_actors`` read the actors of another compiled list (the inbox's, ``graph.notifications``)
by identity's full projections.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from neo4j import AsyncManagedTransaction

from core.pagination import Window
from graph.communities import COMMUNITY_PROJECTION, CommunityRow, community_row
from graph.driver import run, window_keyset
from graph.identity import (
    RELATION_EDGES,
    ActorRecord,
    ActorShape,
    OrganizationRow,
    PersonRecord,
    PersonRow,
    RelationEdges,
    actor_map,
    organization_map,
    person_map,
    relation_of_edges,
)
from graph.paging import both_ways
from graph.places import COMMUNE_FIELDS, CommuneMap
from graph.rows import row
from graph.rules import blocked_either_way
from graph.social import (
    COMMENT_TOTAL,
    FEED_POSTS,
    POST_PROJECTION,
    POST_VISIBLE,
    CommentRow,
    PostRow,
    ReactionCount,
    Relation,
    post_row,
)

# --- the shape of a selection ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PostShape:
    """What a client selected below a list of posts. ``comments``: the comments field is selected (its total is read);
    ``comment_rows``: its edges are (the first ``$commentLimit`` comments are read, oldest first). The actors shown
    with a post (``author``, the comments' and the replies' authors): what is selected of each
    (``graph.identity.ActorShape``), None when not selected."""

    author: ActorShape | None = None
    reactions: bool = False
    comments: bool = False
    comment_rows: bool = False
    comment_author: ActorShape | None = None
    replies: bool = False
    reply_author: ActorShape | None = None
    community: bool = False
    ward: bool = False

    @property
    def actors(self) -> ActorShape | None:
        """What the statement reads of every actor of the page, each read once whichever places show it: what
        answers the selection of each place (``merged``); None when no place shows an actor."""
        return merged(self.author, self.comment_author, self.reply_author)


def merged(*shapes: ActorShape | None) -> ActorShape | None:
    """One shape that answers each of ``shapes`` (None: not selected): the slim display record only when none asks
    for more, the relation when one asks for it, the viewer's own lists and the representatives any asks for."""
    found = [s for s in shapes if s is not None]
    if not found:
        return None
    return ActorShape(
        display=all(s.display for s in found),
        relation=any(s.relation for s in found),
        own=frozenset[str]().union(*(s.own for s in found)),
        representatives=merged(*(s.representatives for s in found)),
    )


#: The sources of a list: the MATCH that binds ``viewer`` (null when anonymous), ``author`` and ``post``, and what
#: it adds to ``POST_VISIBLE``. From this fixed allow-list only.
SOURCES = {
    "author": (
        "OPTIONAL MATCH (viewer:Person {id: $viewerId})\nMATCH (author:Actor {id: $authorId})-[:POSTED]->(post:Post)",
        "",
    ),
    "community": (
        "OPTIONAL MATCH (viewer:Person {id: $viewerId})\n"
        "MATCH (:Community {id: $communityId})<-[:IN_COMMUNITY]-(post:Post)<-[:POSTED]-(author:Actor)",
        "",
    ),
    "feed": (FEED_POSTS, "AND NOT EXISTS { (viewer)-[:MUTED]->(author) }"),
}


_ITEM = re.compile(r"^(?P<expression>.+) AS (?P<name>[A-Za-z0-9]+),?$")


def _as_map(projection: str, variable: str | None, actor: str, kind: str | None) -> str:
    """A projection of identity's (``expression AS name`` lines, over ``variable``) as one map expression over the
    actor bound to ``actor``: ``{name: expression, ...}``. Spliced, not restated: a change of the projection is a
    change here too (``tests/social/test_post_list_statements.py`` reads every field through it)."""
    entries = [f"kind: '{kind}'"] if kind else []
    pending = ""
    for line in projection.strip().splitlines():
        pending += " " + line.strip() if pending else line.strip()
        item = _ITEM.match(pending)
        if item is None:
            continue  # an expression over several lines
        pending = ""
        expression = item["expression"]
        if variable is not None:
            expression = re.sub(rf"\b{variable}\b", actor, expression)
        entries.append(f"{item['name']}: {expression}")
    assert not pending, f"not 'expression AS name' items, one a line: {pending!r}"
    return "{" + ", ".join(entries) + "}"


def _actor_record(actor: str) -> str:
    """The record of the actor bound to ``actor`` as one map: identity's projection of a person (``kind:
    'person'``) or of an organisation, with whether the viewer and they blocked one another."""
    person = person_map(actor, "person")
    organization = organization_map(actor, "organization")
    return f"CASE WHEN {actor}:Person THEN {person} ELSE {organization} END"


#: The relationships that make up ``Relation`` (``graph.social``): read in one pattern comprehension per actor (each
#: edge with its type and whether it starts at the viewer), turned into ``Relation``'s facts by ``_relation``.
RELATION_TYPES = "|".join(RELATION_EDGES)


def _relation_edges(actor: str) -> str:
    """The viewer's relation to the actor bound to ``actor`` as the edges between them (null when signed out or
    for myself, as ``social.relations.relations_to`` answers)."""
    return (
        f"CASE WHEN viewer IS NULL OR viewer = {actor} THEN null ELSE {{isPerson: {actor}:Person,"
        f" status: {actor}.status, edges: [(viewer)-[e:{RELATION_TYPES}]-({actor}) | [type(e), startNode(e) = viewer]]}}"
        " END"
    )


def _replies() -> str:
    return f"""CALL (comment, viewer) {{
  MATCH (replier:Person)-[:COMMENTED]->(reply:Comment {{status: 'active'}})-[:REPLY_TO]->(comment)
  WHERE viewer IS NULL OR NOT {blocked_either_way("viewer", "replier")}
  WITH reply, replier ORDER BY reply.createdAt, reply.id LIMIT 50
  RETURN collect(reply {{.id, .text, .createdAt, authorId: replier.id}}) AS replies, collect(replier.id) AS replierIds
}}"""


def _comments(shape: PostShape) -> str:
    """Binds ``comments`` (the first ``$commentLimit`` top-level comments of ``post``, each with its replies when
    selected) and ``commentActors`` (the ids of their authors and of the replies' authors)."""
    replies = _replies() if shape.replies else ""
    with_replies = ", replies: replies" if shape.replies else ""
    repliers = " + reduce(ids = [], more IN collect(replierIds) | ids + more)" if shape.replies else ""
    return f"""CALL (post, viewer) {{
  MATCH (commenter:Person)-[:COMMENTED]->(comment:Comment {{status: 'active'}})-[:ON]->(post)
  WHERE NOT EXISTS {{ (comment)-[:REPLY_TO]->() }}
    AND (viewer IS NULL OR NOT {blocked_either_way("viewer", "commenter")})
  WITH viewer, comment, commenter ORDER BY comment.createdAt, comment.id LIMIT $commentLimit
  {replies}
  RETURN collect(comment {{.id, .text, .createdAt, authorId: commenter.id{with_replies}}}) AS comments,
         collect(commenter.id){repliers} AS commentActors
}}"""


REACTIONS = f"""CALL (viewer, post) {{
  MATCH (who:Person)-[r:REACTED]->(post) WHERE viewer IS NULL OR NOT {blocked_either_way("viewer", "who")}
  WITH r.kind AS kind, count(*) AS n
  RETURN collect({{kind: kind, count: n}}) AS reactionCounts
}}"""
MY_REACTION = (
    "CASE WHEN viewer IS NULL THEN null ELSE head(COLLECT { MATCH (viewer)-[r:REACTED]->(post) RETURN r.kind }) END"
)

COMMUNITY = f"""OPTIONAL CALL (post, viewer) {{
  MATCH (post)-[:IN_COMMUNITY]->(c:Community)
  CALL (c, viewer) {{ RETURN {COMMUNITY_PROJECTION} }}
  RETURN {{community: community, memberCount: memberCount, myRole: myRole, myRequestPending: myRequestPending}}
    AS communityRecord
}}"""

POST_WARD = (
    f"coalesce(head([(post)-[:ABOUT_WARD]->(c:Commune) | {COMMUNE_FIELDS}]),"
    f" head([(post)-[:IN_COMMUNITY]->(:Community)-[:FOR_WARD]->(c:Commune) | {COMMUNE_FIELDS}]))"
)


def actors_call(ids: str, *, record: bool, relation: bool) -> str:
    """Binds ``actors``: each actor of the list ``ids`` (a variable) once, with its record (``record``) and the
    viewer's relation to it (``relation``): identity's projections, once for a whole page however many levels show
    actors (the statement stays small to plan). ``listed_actors`` reads it."""
    entries = ["id: actor.id"]
    if record:
        entries.append(f"record: {_actor_record('actor')}")
    if relation:
        entries.append(f"relation: {_relation_edges('actor')}")
    return f"""CALL (viewer, {ids}) {{
  UNWIND {ids} AS actorId
  WITH DISTINCT viewer, actorId
  MATCH (actor:Actor {{id: actorId}})
  RETURN collect({{{", ".join(entries)}}}) AS actors
}}"""


def _actors(shape: ActorShape) -> str:
    """Binds ``actors``: each actor of ``actorIds`` (the page's authors, commenters and repliers) once, as ``shape``
    asks (``graph.identity.actor_map``, read as ``ActorRecord``), once for a whole page however many levels show
    actors (the statement stays small to plan)."""
    return f"""CALL (viewer, actorIds) {{
  UNWIND actorIds AS actorId
  WITH DISTINCT viewer, actorId
  MATCH (actor:Actor {{id: actorId}})
  RETURN collect({actor_map("actor", "viewer", shape)}) AS actors
}}"""


def page_statement(head: str, shape: PostShape, *, columns: tuple[str, ...] = (), carried: tuple[str, ...] = ()) -> str:
    """The statement of a page of posts: ``head`` binds a row for each post of the page (``viewer``, a ``:Person`` or
    null; ``author``; ``post``; the variables named in ``columns`` and ``carried``), each passing ``POST_VISIBLE``;
    the rest projects what ``shape`` selects of them. It returns one row (none when the page holds no post): ``rows``
    (the page's posts, in no promised order, each with its ``columns``), ``actors`` and the ``carried`` variables
    (the same for every post of the page)."""
    parts = [head]
    returned = [_as_map(POST_PROJECTION, None, "", None)[1:-1], *(f"{c}: {c}" for c in columns)]
    kept = "".join(f", {c}" for c in carried)
    if shape.reactions:
        parts.append(REACTIONS)
        returned += ["reactionCounts: reactionCounts", f"myReaction: {MY_REACTION}"]
    if shape.comment_rows:
        parts.append(_comments(shape))
        returned.append("comments: comments")
    if shape.comments:
        returned.append(f"commentTotal: {COMMENT_TOTAL}")
    if shape.community:
        parts.append(COMMUNITY)
        returned.append("communityRecord: communityRecord")
    if shape.ward:
        returned.append(f"postWard: {POST_WARD}")
    authors = "collect(author.id)" if shape.author is not None else "[]"
    commenters = shape.comment_rows and (shape.comment_author or shape.reply_author) is not None
    nested = "collect(commentActors)" if commenters else "[]"
    parts.append(
        f"WITH viewer{kept}, collect({{{', '.join(returned)}}}) AS rows, {authors} AS authorIds, {nested} AS nested\n"
        f"WITH viewer{kept}, rows, authorIds + reduce(ids = [], more IN nested | ids + more) AS actorIds"
    )
    actors = shape.actors
    if actors is not None:
        parts.append(_actors(actors))
        parts.append(f"RETURN rows, actors{kept}")
    else:
        parts.append(f"RETURN rows, [] AS actors{kept}")
    return "\n".join(parts)


@lru_cache(maxsize=256)
def post_list_query(source: str, shape: PostShape) -> tuple[str, str]:
    """The statement of a page of posts from ``source`` (``SOURCES``) for ``shape`` (``page_statement``), forwards
    and backwards (``graph.paging.both_ways``), built once per (source, shape)."""
    matched, extra = SOURCES[source]
    head = f"""{matched}
WITH viewer, author, post
WHERE {POST_VISIBLE} {extra}
  AND ($afterTime IS NULL OR [post.createdAt, post.id] < [datetime($afterTime), $afterId])
  AND ($beforeTime IS NULL OR [post.createdAt, post.id] > [datetime($beforeTime), $beforeId])
WITH viewer, author, post ORDER BY post.createdAt {{DESC}}, post.id {{DESC}} LIMIT $limit"""
    both = both_ways(page_statement(head, shape))
    return both.forwards, both.backwards


# --- rows ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ListedActor:
    """An actor shown with an item, as identity's projection read them (one of the two is set), and whether the
    viewer and they blocked one another."""

    person: PersonRow | None
    organization: OrganizationRow | None


@dataclass(frozen=True)
class ListedComment:
    """A comment (or a reply) of a compiled list, its ``replies`` None when not selected (its author is among the
    page's ``actors``)."""

    comment: CommentRow
    replies: tuple[ListedComment, ...] | None


@dataclass(frozen=True)
class ListedPost:
    """A post of a compiled list with what was selected of it (None, or empty, when not selected); ``position``: its
    position in a ranked list (a search), None in the others."""

    post: PostRow
    reaction_counts: tuple[ReactionCount, ...]
    my_reaction: str | None
    #: None when the comments' edges were not selected
    comments: tuple[ListedComment, ...] | None
    comment_total: int | None
    community: CommunityRow | None
    ward: CommuneMap | None
    position: int | None = None


@dataclass(frozen=True)
class ListedPosts:
    """What the statement of a page of posts (``page_statement``) read: its posts, in reading order (``post_list``)
    or by position (a ranked list), and every actor shown with them as ``PostShape.actors`` asked
    (``graph.identity.ActorRecord``: ``identity.views.actor_view`` turns each into a view); ``start``, a ranked page's
    first position (``graph.paging.POSITIONAL_SLICE``; None when the page holds no post)."""

    posts: list[ListedPost]
    actors: list[ActorRecord]
    start: int | None = None


def listed_actors(actors: list[Mapping[str, Any]]) -> dict[str, tuple[ListedActor | None, Relation | None]]:
    """The ``actors`` of ``actors_call`` by id: each one's record and relation (None when not read)."""
    return {a["id"]: (_actor(a.get("record")), _relation(a.get("relation"))) for a in actors}


def _actor(found: Mapping[str, Any] | None) -> ListedActor | None:
    if found is None:
        return None
    if found["kind"] == "person":
        record = PersonRecord(
            person=found["person"],
            ward=found["ward"],
            contacts=found["contacts"],
            document=found["document"],
            connected=found["connected"],
        )
        return ListedActor(PersonRow(record=record, blocked=found["blocked"]), None)
    return ListedActor(None, row(OrganizationRow, found))


def _relation(found: RelationEdges | None) -> Relation | None:
    """``Relation`` from the edges between the viewer and an actor (``_relation_edges``), read by identity's one
    rule for edges (``graph.identity.relation_of_edges``, held to ``graph.social.RELATIONS`` by
    ``tests/rules/test_relation_edges_agree.py``)."""
    return None if found is None else row(Relation, relation_of_edges(found))


def _comment(found: Mapping[str, Any]) -> ListedComment:
    replies = found.get("replies")
    return ListedComment(
        comment=CommentRow(
            id=found["id"], author_id=found["authorId"], text=found["text"], created_at=found["createdAt"]
        ),
        replies=None if replies is None else _in_order(_comment(r) for r in replies),
    )


def _in_order(comments: Any) -> tuple[ListedComment, ...]:
    """Comments oldest first (a collect keeps no promised order)."""
    return tuple(sorted(comments, key=lambda c: (c.comment.created_at, c.comment.id)))


def _listed(r: Mapping[str, Any]) -> ListedPost:
    comments = r.get("comments")
    return ListedPost(
        post=post_row(r),
        reaction_counts=tuple(row(ReactionCount, c) for c in r.get("reactionCounts") or ()),
        my_reaction=r.get("myReaction"),
        comments=None if comments is None else _in_order(_comment(c) for c in comments),
        comment_total=r.get("commentTotal"),
        community=community_row(r["communityRecord"]) if r.get("communityRecord") else None,
        ward=r.get("postWard"),
        position=r.get("position"),
    )


async def read_page(
    tx: AsyncManagedTransaction, statement: str, shape: PostShape, *, comment_limit: int, **params: object
) -> ListedPosts:
    """Run the statement of a page of posts (``page_statement``) for ``shape`` with ``params``
    (``comment_limit``: how many first comments of each post, when their rows are selected): its posts in no
    promised order, its actors and, for a ranked page, its first position."""
    found = await run(tx, statement, commentLimit=max(comment_limit, 1) if shape.comments else 0, **params)
    if not found:
        return ListedPosts(posts=[], actors=[])
    return ListedPosts(
        posts=[_listed(r) for r in found[0]["rows"]], actors=found[0]["actors"], start=found[0].get("start")
    )


async def post_list(
    tx: AsyncManagedTransaction,
    source: str,
    shape: PostShape,
    window: Window,
    *,
    viewer_id: str | None,
    author_id: str | None = None,
    community_id: str | None = None,
    comment_limit: int = 0,
) -> ListedPosts:
    """One page of posts of ``source`` in reading order (``window.backwards``: oldest first from ``before``), with
    what ``shape`` selects of each (``comment_limit``: how many first comments of each, when their rows are
    selected)."""
    forwards, backwards = post_list_query(source, shape)
    found = await read_page(
        tx,
        backwards if window.backwards else forwards,
        shape,
        comment_limit=comment_limit,
        viewerId=viewer_id,
        authorId=author_id,
        communityId=community_id,
        limit=window.limit,
        **window_keyset(window),
    )
    rows = sorted(found.posts, key=lambda p: (p.post.created_at, p.post.id))
    return ListedPosts(posts=rows if window.backwards else rows[::-1], actors=found.actors)
