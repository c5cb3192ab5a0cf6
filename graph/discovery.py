"""Cypher of discovery: people you may know, trust paths, and search of posts and communities.

Anchors: every query starts from the viewer (and the target) through the ``actor_id_unique`` index,
written ``(x:Actor {id: $id})`` followed by a label check. The id constraint is on ``:Actor``, so
``(x:Person {id: $id})`` would not use it and would scan every person.

Traversals are bounded: people you may know looks at most 2 hops away and caps the candidates of
each source before scoring them; a trust path is at most 4 ``CONNECTED`` hops, found by a
breadth-first ``SHORTEST`` search whose node predicates are applied during the search. Search reads
the full-text indexes of migrations 2 and 4 and keeps only the posts ``POST_VISIBLE`` lets the viewer see; a page
of posts found is projected as the other lists of posts are (``graph.posts.page_statement``), in the same statement.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from neo4j import AsyncManagedTransaction

from graph.driver import run
from graph.identity import VIEWER, ActorRecord, ActorShape, actor_map
from graph.paging import POSITIONAL_SLICE
from graph.posts import ListedPost, PostShape, page_statement, read_page
from graph.rows import rows
from graph.rules import actors_blocked_either_way, audience_admits
from graph.social import POST_VISIBLE

# --- people you may know -----------------------------------------------------------------------------------

#: A shared community counts only when the viewer may know the candidate is a member: a ward
#: community reveals the candidate's ward, so it counts only when the profile-audience rule
#: (``graph.rules.audience_admits``: the audience the candidate chose for their ward, ``$wardAudienceDefault``
#: when never chosen) lets the viewer see it. A candidate is never the viewer nor one of their connections
#: (``_SUGGESTIBLE``), so the rule is asked for anyone else and reads no relationship.
_COMMUNITY_VISIBLE = f"""
(community.kind <> 'ward' OR {audience_admits("candidate", "ward", default="$wardAudienceDefault", viewer=None)})
"""

#: Who may be suggested: active, not opted out, not me, and not in ``excluded`` (my connections, the people
#: I asked or who asked me, and those blocked either way with me), collected once up front.
_SUGGESTIBLE = """
candidate <> me AND NOT candidate IN excluded
AND candidate.status = 'active' AND NOT coalesce(candidate.suggestionsOptOut, false) AND NOT candidate:TestPersona
"""

#: Candidates come from two bounded sources, each capped before scoring: friends of friends (at most
#: ``$pathCap`` two-hop paths are walked; counting the distinct friends on them gives the mutual
#: connections for free) and members of my communities (at most ``$candidateCap``). Each shared
#: community is then found from the candidate's few memberships, not from the community's members.
PEOPLE_YOU_MAY_KNOW = f"""
MATCH (me:Actor {{id: $viewerId}})
WHERE me:Person AND me.status = 'active'
WITH me,
     COLLECT {{ MATCH (me)-[:CONNECTED|REQUESTED]-(other:Actor) RETURN DISTINCT other }}
       + {actors_blocked_either_way("me")} AS excluded,
     COLLECT {{ MATCH (me)-[:MEMBER_OF]->(community:Community) RETURN community }} AS myCommunities
CALL (me, excluded, myCommunities) {{
  MATCH (me)-[:CONNECTED]-(friend:Person)-[:CONNECTED]-(candidate:Person)
  WHERE friend.status = 'active'
  WITH me, excluded, candidate, friend LIMIT $pathCap
  WITH me, excluded, candidate, count(DISTINCT friend) AS mutualCount
  WHERE {_SUGGESTIBLE}
  RETURN candidate, mutualCount
  ORDER BY mutualCount DESC LIMIT $candidateCap
  UNION
  UNWIND myCommunities AS community
  MATCH (community)<-[:MEMBER_OF]-(candidate:Person)
  WHERE {_SUGGESTIBLE} AND {_COMMUNITY_VISIBLE}
  WITH DISTINCT candidate LIMIT $candidateCap
  RETURN candidate, 0 AS mutualCount
}}
WITH me, myCommunities, candidate, max(mutualCount) AS mutualCount
WITH me, candidate, mutualCount,
     [(candidate)-[:MEMBER_OF]->(community:Community) WHERE community IN myCommunities AND {_COMMUNITY_VISIBLE}
      | community {{.name, .kind}}] AS shared
WITH me, candidate, mutualCount, shared, $mutualWeight * mutualCount + $communityWeight * size(shared) AS score
WHERE score > 0
ORDER BY score DESC, mutualCount DESC, candidate.id
LIMIT $limit
RETURN candidate.id AS id, score, mutualCount, shared{{actor}}
"""


_PEOPLE_YOU_MAY_KNOW = PEOPLE_YOU_MAY_KNOW
PEOPLE_YOU_MAY_KNOW = _PEOPLE_YOU_MAY_KNOW.replace("{actor}", "")


@functools.cache
def people_you_may_know_statement(shape: ActorShape | None) -> str:
    """``PEOPLE_YOU_MAY_KNOW``, reading besides each suggestion what ``shape`` asks of the person
    (``graph.identity.actor_map``, for the viewer ``me``), so the suggestions and their people are one statement."""
    if shape is None:
        return PEOPLE_YOU_MAY_KNOW
    return _PEOPLE_YOU_MAY_KNOW.replace("{actor}", f", {actor_map('candidate', 'me', shape)} AS actor")


@dataclass(frozen=True)
class SharedCommunity:
    name: str
    kind: str


@dataclass(frozen=True)
class Suggestion:
    id: str
    score: int
    mutual_count: int
    shared: tuple[SharedCommunity, ...]
    actor: ActorRecord | None = None


async def people_you_may_know(
    tx: AsyncManagedTransaction,
    viewer_id: str,
    *,
    limit: int,
    path_cap: int,
    candidate_cap: int,
    mutual_weight: int,
    community_weight: int,
    ward_audience_default: str,
    shape: ActorShape | None = None,
) -> list[Suggestion]:
    """Best-scored suggestions for ``viewer_id``, best first; ``ward_audience_default`` is the ward's audience for
    whoever never chose one (``identity.privacy``)."""
    found = await run(
        tx,
        people_you_may_know_statement(shape),
        viewerId=viewer_id,
        limit=limit,
        pathCap=path_cap,
        candidateCap=candidate_cap,
        mutualWeight=mutual_weight,
        communityWeight=community_weight,
        wardAudienceDefault=ward_audience_default,
    )
    return [
        Suggestion(
            id=r["id"],
            score=r["score"],
            mutual_count=r["mutualCount"],
            shared=tuple(rows(SharedCommunity, r["shared"])),
            actor=r.get("actor"),
        )
        for r in found
    ]


# --- trust path ----------------------------------------------------------------------------------------------

#: The shortest chain of CONNECTED edges (1 to 4 hops) from the viewer to the target person, or to
#: any active person who REPRESENTS the target organisation (an accepted role: a pending invitation is an
#: INVITED_TO_REPRESENT relationship, which no path follows). Every person strictly between the two
#: ends is level-2 verified, active, not blocked by or with the viewer, and shows the viewer their connection
#: list (``graph.rules.audience_admits`` on their ``connections`` field, ``$relationsAudienceDefault`` when never
#: chosen; mirror of ``social.visibility.may_see_relations``): each of them reveals their two neighbours on the
#: path, whereas the first hop is the viewer's own connection and the last is revealed by the person before the
#: target, so the ends are not asked. The predicate sits
#: inside the quantified path pattern, so the breadth-first search prunes with it rather than
#: filtering shortest paths afterwards (a ``shortestPath`` with an ``all()`` predicate falls back to an
#: exhaustive search when the first shortest path fails it: tens of thousands of db hits on 10k people).
#: The viewer as the organisation's representative is 0 hops.
TRUST_PATH = f"""
MATCH (me:Actor {{id: $viewerId}}), (to:Actor {{id: $toId}})
WHERE me:Person AND me.status = 'active' AND to.status = 'active'
WITH me, to, {actors_blocked_either_way("me")} AS blocked
WHERE NOT to IN blocked
CALL (to) {{
  WITH to WHERE to:Person
  RETURN to AS end
  UNION
  MATCH (to:Organization)<-[:REPRESENTS]-(end:Person)
  RETURN end
}}
WITH me, end, blocked
WHERE end.status = 'active' AND NOT end IN blocked
CALL (me, end, blocked) {{
  WITH me, end WHERE me = end
  RETURN [me.id] AS ids, 0 AS hops, [me] AS people
  UNION
  WITH me, end, blocked WHERE me <> end
  MATCH path = SHORTEST 1 (me)
    ((a:Person)-[:CONNECTED]-(b:Person WHERE b.assuranceLevel = 2 AND b.status = 'active' AND NOT b IN blocked
      AND {audience_admits("b", "connections", default="$relationsAudienceDefault", viewer="me")})){{0,3}}
    (last:Person)-[:CONNECTED]-(end)
  RETURN [n IN nodes(path) | n.id] AS ids, length(path) AS hops, nodes(path) AS people
}}
WITH me, ids, hops, people
ORDER BY hops, ids
LIMIT 1
RETURN ids, hops{{actors}}
"""


_TRUST_PATH = TRUST_PATH
TRUST_PATH = _TRUST_PATH.replace("{actors}", "")


@functools.cache
def trust_path_statement(shape: ActorShape | None) -> str:
    """``TRUST_PATH``, reading besides the path what ``shape`` asks of each person on it (``graph.identity.actor_map``,
    for the viewer ``me``): the path and its people in one statement."""
    if shape is None:
        return TRUST_PATH
    return _TRUST_PATH.replace("{actors}", f", [n IN people | {actor_map('n', 'me', shape)}] AS actors")


@dataclass(frozen=True)
class TrustPath:
    ids: list[str]  # person ids from the viewer to the end
    hops: int
    actors: list[ActorRecord] | None = None  # what the statement read of each, when asked


async def trust_path(
    tx: AsyncManagedTransaction,
    viewer_id: str,
    to_id: str,
    relations_audience_default: str,
    shape: ActorShape | None = None,
) -> TrustPath | None:
    """The shortest trust path, or None when there is no such path; ``relations_audience_default`` is the audience
    of a person's connection list when never chosen."""
    found = await run(
        tx,
        trust_path_statement(shape),
        viewerId=viewer_id,
        toId=to_id,
        relationsAudienceDefault=relations_audience_default,
    )
    if not found:
        return None
    return TrustPath(ids=found[0]["ids"], hops=found[0]["hops"], actors=found[0].get("actors"))


# --- search --------------------------------------------------------------------------------------------------

#: The posts matching a Lucene query that the viewer may see, best match first (equal matches newest first), from the
#: ``$window`` best text matches; a page is a slice of positions in that ranked, filtered list: forwards the
#: ``$size + 1`` from ``$after + 1`` (up to ``$before``), backwards the ``$size + 1`` before ``$before`` (or before
#: the end). Binds a row for each post of the page, as ``graph.posts.page_statement`` projects them: ``viewer``,
#: ``author``, ``post``, its ``position`` and the page's first position ``start``.
SEARCH_RANKED = f"""
{VIEWER}
CALL db.index.fulltext.queryNodes('post_text_fulltext', $query, {{limit: $window}}) YIELD node, score
WITH viewer, node AS post, score
MATCH (author:Actor)-[:POSTED]->(post)
WHERE {POST_VISIBLE}
WITH post, author, score
ORDER BY score DESC, post.createdAt DESC, post.id
WITH collect({{post: post, author: author}}) AS ranked
{POSITIONAL_SLICE}
{VIEWER}
UNWIND range(start, finish - 1) AS position
WITH viewer, start, position, ranked[position].post AS post, ranked[position].author AS author
"""


@functools.cache
def search_posts_statement(shape: PostShape) -> str:
    """The page of a search of posts (``SEARCH_RANKED``) with what ``shape`` selects of them, in one statement built
    once per shape (``graph.posts.page_statement``, the other lists' projection of posts)."""
    return page_statement(SEARCH_RANKED, shape, columns=("position",), carried=("start",))


#: The search of posts alone (ids, authors' ids, ...: no nested field selected).
SEARCH_POSTS = search_posts_statement(PostShape())


@dataclass(frozen=True)
class RankedPosts:
    """A page of a ranked list of posts in display order (as ``graph.posts.ListedPosts``), the first at position
    ``start``."""

    posts: list[ListedPost]
    actors: list[ActorRecord]
    start: int


async def search_posts(
    tx: AsyncManagedTransaction,
    query: str,
    viewer_id: str | None,
    shape: PostShape,
    *,
    after: int | None,
    before: int | None,
    size: int,
    backwards: bool,
    window: int,
    comment_limit: int = 0,
) -> RankedPosts:
    """A page of the posts matching ``query`` that the viewer may see, in display order (by position), with what
    ``shape`` selects of them and ``start``, the position of the first (``POSITIONAL_SLICE``'s ``low`` when the page
    holds none: after ``after``)."""
    found = await read_page(
        tx,
        search_posts_statement(shape),
        shape,
        comment_limit=comment_limit,
        query=query,
        viewerId=viewer_id,
        after=after,
        before=before,
        size=size,
        backwards=backwards,
        window=window,
    )
    start = found.start if found.start is not None else (0 if after is None else after + 1)
    return RankedPosts(posts=sorted(found.posts, key=lambda p: p.position or 0), actors=found.actors, start=start)
