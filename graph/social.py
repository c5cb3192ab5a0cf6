"""Cypher of the social graph: connections, follows, blocks, communities, posts, comments, reactions, feed.

The visibility of a post is one Cypher predicate, ``POST_VISIBLE``, the mirror of
``social.visibility.may_see_post``; every query that returns posts applies it, so a page is never
short of items the viewer may see and never holds one they may not.
"""

from __future__ import annotations

from dataclasses import dataclass

from neo4j import AsyncManagedTransaction

from graph import rows as typed
from graph.driver import keyset, run
from graph.identity import PERSON_PROJECTION

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

_RELATION_COLUMNS = """other:Person AS isPerson, other.status AS status,
       EXISTS { (me)-[:CONNECTED]-(other) } AS connected,
       EXISTS { (me)-[:REQUESTED]->(other) } AS requestedByMe,
       EXISTS { (other)-[:REQUESTED]->(me) } AS requestedByThem,
       EXISTS { (me)-[:FOLLOWS]->(other) } AS following,
       EXISTS { (me)-[:BLOCKED]->(other) } AS blockedByMe,
       EXISTS { (other)-[:BLOCKED]->(me) } AS blockedByThem,
       EXISTS { (me)-[:MUTED]->(other) } AS muted
"""
_RELATION_FACTS = "\nRETURN " + _RELATION_COLUMNS

LOCK_RELATION = (
    """
MATCH (me:Person {id: $me}), (other:Actor {id: $other})
SET me.socialLock = coalesce(me.socialLock, 0) + 1, other.socialLock = coalesce(other.socialLock, 0) + 1
"""
    + _RELATION_FACTS
)

RELATIONS = (
    """
UNWIND $others AS otherId
MATCH (me:Person {id: $me}), (other:Actor {id: otherId})
RETURN otherId AS id, """
    + _RELATION_COLUMNS
)


@dataclass(frozen=True)
class RelationFacts:
    """How ``me`` relates to another actor (``id``), edge by edge and in both directions."""

    id: str
    is_person: bool
    status: str | None
    connected: bool
    requested_by_me: bool
    requested_by_them: bool
    following: bool
    blocked_by_me: bool
    blocked_by_them: bool
    muted: bool


async def relations(tx: AsyncManagedTransaction, me: str, others: list[str]) -> dict[str, RelationFacts]:
    """How ``me`` relates to each of ``others``, by id, in one statement; unknown ids are left out."""
    return {facts.id: facts for facts in typed.rows(RelationFacts, await run(tx, RELATIONS, me=me, others=others))}


async def lock_relation(tx: AsyncManagedTransaction, me: str, other: str) -> dict | None:
    """Write-lock both actors (so two requests between them serialise) and read how they relate."""
    rows = await run(tx, LOCK_RELATION, me=me, other=other)
    return dict(rows[0]) if rows else None


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
    row = (await run(tx, CLAIM_REQUEST_SLOT, me=me, cap=cap))[0]
    return None if row["allowed"] else max(1, row["retryAfterSeconds"])


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
    return (await run(tx, _EDGE_DELETES[action], me=me, other=other))[0]["n"]


async def delete_request(tx: AsyncManagedTransaction, from_id: str, to_id: str) -> int:
    return (await run(tx, DELETE_REQUEST, **{"from": from_id, "to": to_id}))[0]["n"]


async def connect(tx: AsyncManagedTransaction, a: str, b: str) -> None:
    await run(tx, CONNECT, a=a, b=b)


async def disconnect(tx: AsyncManagedTransaction, a: str, b: str) -> int:
    return (await run(tx, DISCONNECT, a=a, b=b))[0]["n"]


# --- lists of people (keyset pagination on (since, id)) ---------------------------------------------------

#: Each list: the pattern from the owner ``o`` to the listed actor ``x`` and the relationship ``r``
#: whose time orders it. Chosen from this fixed allow-list only, never from client text.
LIST_PATTERNS = {
    "connections": ("(o)-[r:CONNECTED]-(x:Person)", "r.since"),
    "followers": ("(o)<-[r:FOLLOWS]-(x:Person)", "r.since"),
    "following": ("(o)-[r:FOLLOWS]->(x:Actor)", "r.since"),
    "requests_in": ("(o)<-[r:REQUESTED]-(x:Person)", "r.at"),
    "requests_out": ("(o)-[r:REQUESTED]->(x:Person)", "r.at"),
    "mutual": ("(o)-[r:CONNECTED]-(x:Person)-[:CONNECTED]-(viewer)", "r.since"),
}


def _list_query(kind: str) -> str:
    pattern, time = LIST_PATTERNS[kind]
    return f"""
MATCH (o:Actor {{id: $ownerId}})
OPTIONAL MATCH (viewer:Person {{id: $viewerId}})
MATCH {pattern}
WHERE x.status = 'active'
  AND (viewer IS NULL OR NOT EXISTS {{ (viewer)-[:BLOCKED]-(x) }})
  AND ($afterTime IS NULL OR [{time}, x.id] < [datetime($afterTime), $afterId])
WITH x, {time} AS at
ORDER BY at DESC, x.id DESC
LIMIT $limit
RETURN x.id AS id, at
"""


LIST_QUERIES = {kind: _list_query(kind) for kind in LIST_PATTERNS}

LIST_COUNTS = {
    kind: f"""
MATCH (o:Actor {{id: $ownerId}})
OPTIONAL MATCH (viewer:Person {{id: $viewerId}})
RETURN COUNT {{ MATCH {pattern} WHERE x.status = 'active' AND (viewer IS NULL OR NOT EXISTS {{ (viewer)-[:BLOCKED]-(x) }}) }} AS total
"""
    for kind, (pattern, _time) in LIST_PATTERNS.items()
}


async def list_actors(
    tx: AsyncManagedTransaction,
    kind: str,
    owner_id: str,
    viewer_id: str | None,
    after: tuple[str, str] | None,
    limit: int,
) -> tuple[list[dict], int]:
    rows = await run(
        tx,
        LIST_QUERIES[kind],
        ownerId=owner_id,
        viewerId=viewer_id,
        limit=limit,
        **keyset(after),
    )
    total = (await run(tx, LIST_COUNTS[kind], ownerId=owner_id, viewerId=viewer_id))[0]["total"]
    return [dict(r) for r in rows], total


SOCIAL_SETTINGS = """
MATCH (p:Actor {id: $id})
RETURN coalesce(p.showFollowerCount, true) AS showFollowerCount,
       coalesce(p.showFollowingCount, true) AS showFollowingCount,
       coalesce(p.suggestionsOptOut, false) AS suggestionsOptOut
"""


async def social_settings(tx: AsyncManagedTransaction, actor_id: str) -> dict | None:
    rows = await run(tx, SOCIAL_SETTINGS, id=actor_id)
    return dict(rows[0]) if rows else None


SET_SOCIAL_SETTINGS = "MATCH (p:Person {id: $id}) SET p += $props"


async def set_social_settings(tx: AsyncManagedTransaction, person_id: str, props: dict) -> None:
    await run(tx, SET_SOCIAL_SETTINGS, id=person_id, props=props)


# --- posts ------------------------------------------------------------------------------------------------

#: Mirror of social.visibility.may_see_post, over ``post``, its ``author`` and the optional ``viewer``.
POST_VISIBLE = """
post.status = 'active'
AND (viewer IS NULL OR NOT EXISTS { (viewer)-[:BLOCKED]-(author) })
AND (post.visibility = 'public'
     OR (viewer IS NOT NULL AND author = viewer)
     OR (post.visibility = 'connections' AND viewer IS NOT NULL AND EXISTS { (author)-[:CONNECTED]-(viewer) })
     OR (post.visibility = 'community' AND viewer IS NOT NULL
         AND EXISTS { (post)-[:IN_COMMUNITY]->(:Community)<-[:MEMBER_OF]-(viewer) }))
"""

POST_PROJECTION = """
post {.id, .text, .visibility, .tags, .createdAt, .editedAt, .status} AS post,
author.id AS authorId,
head([(post)-[:IN_COMMUNITY]->(c:Community) | c.id]) AS communityId,
head([(post)-[:ABOUT_WARD]->(w:Commune) | w.id]) AS wardId
"""

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


async def lock_post(tx: AsyncManagedTransaction, post_id: str) -> dict | None:
    rows = await run(tx, POST_FACTS, id=post_id)
    return dict(rows[0]) if rows else None


UPDATE_POST = "MATCH (post:Post {id: $id}) SET post += $props, post.editedAt = datetime()"


async def update_post(tx: AsyncManagedTransaction, post_id: str, props: dict) -> None:
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


async def post_facts_for_viewer(tx: AsyncManagedTransaction, post_id: str, viewer_id: str | None) -> dict | None:
    rows = await run(tx, VIEWER_POST_FACTS, postId=post_id, viewerId=viewer_id)
    return dict(rows[0]) if rows else None


POSTS_BY_IDS = f"""
OPTIONAL MATCH (viewer:Person {{id: $viewerId}})
UNWIND $ids AS id
MATCH (author:Actor)-[:POSTED]->(post:Post {{id: id}})
WHERE {POST_VISIBLE}
RETURN {POST_PROJECTION}
"""


async def posts_by_ids(tx: AsyncManagedTransaction, ids: list[str], viewer_id: str | None) -> list[dict]:
    return [dict(r) for r in await run(tx, POSTS_BY_IDS, ids=ids, viewerId=viewer_id)]


#: A post's top-level comments the viewer may see, oldest first, after an optional (time, id) cursor, at most
#: $commentLimit of them (0: none, and nothing is read); and their total. Used per post by the comments list
#: and by the feed's projection.
FIRST_COMMENTS = """CALL (post, viewer) {
  MATCH (author:Person)-[:COMMENTED]->(c:Comment {status: 'active'})-[:ON]->(post)
  WHERE $commentLimit > 0 AND NOT EXISTS { (c)-[:REPLY_TO]->() }
    AND (viewer IS NULL OR NOT EXISTS { (viewer)-[:BLOCKED]-(author) })
    AND ($commentsAfterTime IS NULL OR [c.createdAt, c.id] > [datetime($commentsAfterTime), $commentsAfterId])
  WITH c, author ORDER BY c.createdAt, c.id LIMIT $commentLimit
  RETURN collect(c {.id, .text, .createdAt, authorId: author.id}) AS comments
}"""

COMMENT_TOTAL = """CASE WHEN $commentLimit > 0 THEN COUNT {
  (a:Person)-[:COMMENTED]->(c:Comment {status: 'active'})-[:ON]->(post)
  WHERE NOT EXISTS { (c)-[:REPLY_TO]->() } AND (viewer IS NULL OR NOT EXISTS { (viewer)-[:BLOCKED]-(a) })
} END"""

# The feed is the hot root field: besides the posts it projects, when the client selected them, each post's
# author record (identity's own projection, turned into a view by identity.service), its reaction counts and its
# first comments, so a feed page with authors, reactions and comments is one statement instead of four.
FEED = f"""
MATCH (viewer:Person {{id: $viewerId}})
CALL (viewer) {{
  MATCH (viewer)-[:CONNECTED]-(author:Person)-[:POSTED]->(post:Post) RETURN author, post
  UNION
  MATCH (viewer)-[:FOLLOWS]->(author:Actor)-[:POSTED]->(post:Post) RETURN author, post
  UNION
  MATCH (viewer)-[:MEMBER_OF]->(:Community)<-[:IN_COMMUNITY]-(post:Post)<-[:POSTED]-(author:Actor) RETURN author, post
  UNION
  MATCH (viewer)-[:POSTED]->(post:Post) RETURN viewer AS author, post
}}
WITH viewer, author, post
WHERE {POST_VISIBLE}
  AND NOT EXISTS {{ (viewer)-[:MUTED]->(author) }}
  AND ($afterTime IS NULL OR [post.createdAt, post.id] < [datetime($afterTime), $afterId])
WITH viewer, author, post ORDER BY post.createdAt DESC, post.id DESC LIMIT $limit
OPTIONAL CALL (author) {{
  WITH author AS p WHERE $withAuthor AND p:Person
  RETURN {PERSON_PROJECTION}
}}
CALL (viewer, post) {{
  MATCH (who:Person)-[r:REACTED]->(post) WHERE $withReactions AND NOT EXISTS {{ (viewer)-[:BLOCKED]-(who) }}
  WITH r.kind AS kind, count(*) AS n
  RETURN collect({{kind: kind, count: n}}) AS reactionCounts
}}
{FIRST_COMMENTS}
RETURN {POST_PROJECTION},
       CASE WHEN person IS NULL THEN null
            ELSE {{person: person, ward: ward, contacts: contacts, document: document, connected: connected}} END
         AS authorRecord,
       reactionCounts,
       CASE WHEN $withReactions THEN head(COLLECT {{ MATCH (viewer)-[r:REACTED]->(post) RETURN r.kind }}) END
         AS myReaction,
       comments, {COMMENT_TOTAL} AS commentTotal
"""


async def feed(
    tx: AsyncManagedTransaction,
    viewer_id: str,
    after: tuple[str, str] | None,
    limit: int,
    *,
    with_author: bool = False,
    with_reactions: bool = False,
    comment_limit: int = 0,
) -> list[dict]:
    rows = await run(
        tx,
        FEED,
        viewerId=viewer_id,
        limit=limit,
        withAuthor=with_author,
        withReactions=with_reactions,
        **keyset(after),
        commentLimit=comment_limit,
        **keyset(None, prefix="commentsAfter"),
    )
    return [dict(r) for r in rows]


POSTS_OF_AUTHOR = f"""
OPTIONAL MATCH (viewer:Person {{id: $viewerId}})
MATCH (author:Actor {{id: $authorId}})-[:POSTED]->(post:Post)
WHERE {POST_VISIBLE}
  AND ($afterTime IS NULL OR [post.createdAt, post.id] < [datetime($afterTime), $afterId])
WITH viewer, author, post ORDER BY post.createdAt DESC, post.id DESC LIMIT $limit
RETURN {POST_PROJECTION}
"""


async def posts_of_author(
    tx: AsyncManagedTransaction, author_id: str, viewer_id: str | None, after: tuple[str, str] | None, limit: int
) -> list[dict]:
    rows = await run(
        tx,
        POSTS_OF_AUTHOR,
        authorId=author_id,
        viewerId=viewer_id,
        limit=limit,
        **keyset(after),
    )
    return [dict(r) for r in rows]


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


COMMENT_FACTS = """
MATCH (author:Person)-[:COMMENTED]->(c:Comment {id: $id})-[:ON]->(post:Post)
SET c.lock = true
RETURN author.id AS authorId, post.id AS postId, c.status AS status,
       EXISTS { (c)-[:REPLY_TO]->() } AS isReply,
       head([(post)-[:IN_COMMUNITY]->(community:Community) | community.id]) AS communityId,
       EXISTS { (author)-[:BLOCKED]-(:Person {id: $viewerId}) } AS blockedEitherWay
"""


async def lock_comment(tx: AsyncManagedTransaction, comment_id: str, viewer_id: str | None = None) -> dict | None:
    """Write-lock a comment and read its facts; ``blockedEitherWay``: its author and ``viewer_id`` block each other."""
    rows = await run(tx, COMMENT_FACTS, id=comment_id, viewerId=viewer_id)
    return dict(rows[0]) if rows else None


SET_COMMENT_STATUS = "MATCH (c:Comment {id: $id}) SET c.status = $status, c.removedAt = datetime()"


async def set_comment_status(tx: AsyncManagedTransaction, comment_id: str, status: str) -> None:
    await run(tx, SET_COMMENT_STATUS, id=comment_id, status=status)


COMMENTS_OF_POSTS = f"""
OPTIONAL MATCH (viewer:Person {{id: $viewerId}})
UNWIND $postIds AS postId
MATCH (post:Post {{id: postId}})
{FIRST_COMMENTS}
RETURN postId, comments, {COMMENT_TOTAL} AS total
"""


async def comments_of_posts(
    tx: AsyncManagedTransaction, post_ids: list[str], viewer_id: str | None, after: tuple[str, str] | None, limit: int
) -> list[dict]:
    rows = await run(
        tx,
        COMMENTS_OF_POSTS,
        postIds=post_ids,
        viewerId=viewer_id,
        commentLimit=limit,
        **keyset(after, prefix="commentsAfter"),
    )
    return [dict(r) for r in rows]


REPLIES_OF_COMMENTS = """
OPTIONAL MATCH (viewer:Person {id: $viewerId})
UNWIND $commentIds AS commentId
MATCH (parent:Comment {id: commentId})
CALL (parent, viewer) {
  MATCH (author:Person)-[:COMMENTED]->(c:Comment {status: 'active'})-[:REPLY_TO]->(parent)
  WHERE viewer IS NULL OR NOT EXISTS { (viewer)-[:BLOCKED]-(author) }
  WITH c, author ORDER BY c.createdAt, c.id LIMIT 50
  RETURN collect(c {.id, .text, .createdAt, authorId: author.id}) AS replies
}
RETURN commentId, replies
"""


async def replies_of_comments(tx: AsyncManagedTransaction, comment_ids: list[str], viewer_id: str | None) -> list[dict]:
    return [dict(r) for r in await run(tx, REPLIES_OF_COMMENTS, commentIds=comment_ids, viewerId=viewer_id)]


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
    rows = await run(tx, REACT, me=me, postId=post_id, kind=kind)
    return bool(rows and rows[0]["created"])


REACTIONS_OF_POSTS = """
OPTIONAL MATCH (viewer:Person {id: $viewerId})
UNWIND $postIds AS postId
MATCH (post:Post {id: postId})
OPTIONAL MATCH (who:Person)-[r:REACTED]->(post)
WHERE viewer IS NULL OR NOT EXISTS { (viewer)-[:BLOCKED]-(who) }
WITH postId, viewer, r.kind AS kind, count(r) AS n, collect(who) AS people
RETURN postId, collect(CASE WHEN kind IS NULL THEN null ELSE {kind: kind, count: n} END) AS counts,
       head([x IN collect(CASE WHEN viewer IN people THEN kind END) WHERE x IS NOT NULL]) AS mine
"""


async def reactions_of_posts(tx: AsyncManagedTransaction, post_ids: list[str], viewer_id: str | None) -> list[dict]:
    return [dict(r) for r in await run(tx, REACTIONS_OF_POSTS, postIds=post_ids, viewerId=viewer_id)]


MEMBERSHIP = """
MATCH (p:Person {id: $personId}), (c:Community {id: $communityId})
RETURN head([(p)-[m:MEMBER_OF]->(c) | m.role]) AS role, c.kind AS kind
"""


async def membership(tx: AsyncManagedTransaction, person_id: str, community_id: str) -> dict | None:
    rows = await run(tx, MEMBERSHIP, personId=person_id, communityId=community_id)
    return dict(rows[0]) if rows else None


# --- notifications ----------------------------------------------------------------------------------------------

#: Only people have an inbox: a notification for an organisation (a seller, an investor) is not written.
CREATE_NOTIFICATION = """
MATCH (:Person {id: $recipientId})
CREATE (:Notification {id: $id, recipientId: $recipientId, kind: $kind, actorId: $actorId, subjectId: $subjectId,
                       subjectType: $subjectType, reason: $reason, createdAt: datetime()})
"""


async def create_notification(
    tx: AsyncManagedTransaction,
    *,
    id: str,
    recipient_id: str,
    kind: str,
    actor_id: str | None,
    subject_id: str,
    subject_type: str | None = None,
    reason: str | None = None,
) -> None:
    await run(
        tx,
        CREATE_NOTIFICATION,
        id=id,
        recipientId=recipient_id,
        kind=kind,
        actorId=actor_id,
        subjectId=subject_id,
        subjectType=subject_type,
        reason=reason,
    )


#: A notification about a post (comment, reaction, mention) is written only when its recipient, as the viewer,
#: may see the post (``POST_VISIBLE``) and no block stands between them and the actor.
NOTIFY_ABOUT_POST = f"""
MATCH (post:Post {{id: $postId}})<-[:POSTED]-(author:Actor)
MATCH (viewer:Person {{id: $recipientId, status: 'active'}}), (actor:Actor {{id: $actorId}})
WHERE NOT EXISTS {{ (viewer)-[:BLOCKED]-(actor) }} AND {POST_VISIBLE}
CREATE (n:Notification {{id: $id, recipientId: $recipientId, kind: $kind, actorId: $actorId, subjectId: post.id,
                        subjectType: 'Post', createdAt: datetime()}})
RETURN count(n) AS written
"""


async def notify_about_post(
    tx: AsyncManagedTransaction, *, id: str, recipient_id: str, kind: str, actor_id: str, post_id: str
) -> bool:
    """Tell ``recipient_id`` about ``post_id`` if they may see it; True if a notification was written."""
    rows = await run(
        tx, NOTIFY_ABOUT_POST, id=id, recipientId=recipient_id, kind=kind, actorId=actor_id, postId=post_id
    )
    return bool(rows and rows[0]["written"])


#: Markers that a notice was sent, so repeated actions do not notify again: ``(reactor)-[:REACTION_NOTICE]->(post)``
#: once ever, and ``(sender)-[:<marker> {at, notificationId}]->(recipient)`` at most once in ``$days`` days and not
#: while the last one is unread, for the repeatable kinds of ``REPEATED_NOTICE_MARKERS`` (a requester and the person
#: asked to connect, an organisation and the person invited to represent it). Callers hold a write lock on the
#: sender (so parallel calls claim once); each is an Expand(Into) between two nodes found by id, whatever the size
#: of the inbox.
CLAIM_REACTION_NOTICE = """
MATCH (me:Person {id: $me}), (post:Post {id: $postId})
OPTIONAL MATCH (me)-[old:REACTION_NOTICE]->(post)
FOREACH (_ IN CASE WHEN old IS NULL THEN [1] ELSE [] END | CREATE (me)-[:REACTION_NOTICE {at: datetime()}]->(post))
RETURN old IS NULL AS claimed
"""


async def claim_reaction_notice(tx: AsyncManagedTransaction, reactor_id: str, post_id: str) -> bool:
    """True (and marked) the first time ``reactor_id``'s reaction to ``post_id`` is to be told; False ever after."""
    rows = await run(tx, CLAIM_REACTION_NOTICE, me=reactor_id, postId=post_id)
    return bool(rows and rows[0]["claimed"])


#: The allow-list of repeatable notification kinds and the relationship type that marks their last notice.
REPEATED_NOTICE_MARKERS = {"connection_requested": "REQUEST_NOTICE", "representative_invited": "INVITATION_NOTICE"}


def _claim_repeated_notice(marker: str) -> str:
    return f"""
MATCH (me:Actor {{id: $me}}), (other:Person {{id: $other}})
OPTIONAL MATCH (me)-[old:{marker}]->(other)
OPTIONAL MATCH (last:Notification {{id: old.notificationId}})
WITH me, other, old,
     old IS NULL OR (old.at < datetime() - duration({{days: $days}}) AND (last IS NULL OR last.readAt IS NOT NULL)) AS due
FOREACH (_ IN CASE WHEN due AND old IS NULL THEN [1] ELSE [] END |
  CREATE (me)-[:{marker} {{at: datetime(), notificationId: $notificationId}}]->(other))
FOREACH (_ IN CASE WHEN due AND old IS NOT NULL THEN [1] ELSE [] END |
  SET old.at = datetime(), old.notificationId = $notificationId)
RETURN due
"""


CLAIM_REPEATED_NOTICE = {kind: _claim_repeated_notice(marker) for kind, marker in REPEATED_NOTICE_MARKERS.items()}


async def claim_repeated_notice(
    tx: AsyncManagedTransaction, kind: str, sender_id: str, recipient_id: str, notification_id: str, days: int
) -> bool:
    """True (and marked with ``notification_id``) if the recipient is to be told of ``kind`` from this sender: no
    such notice from them in the last ``days`` days, and the last one read."""
    rows = await run(
        tx, CLAIM_REPEATED_NOTICE[kind], me=sender_id, other=recipient_id, notificationId=notification_id, days=days
    )
    return bool(rows and rows[0]["due"])


#: Kinds of notification whose subject is a post someone else wrote; the inbox shows them only while the
#: recipient may still see that post (it may have been hidden, deleted or its author blocked since).
POST_NOTICE_KINDS = ["comment", "reaction", "mention"]

#: A notification is shown unless its actor and recipient block each other or it names a post hidden from them.
NOTIFICATION_SHOWN = f"""
NOT EXISTS {{ (viewer)-[:BLOCKED]-(:Actor {{id: n.actorId}}) }}
AND (NOT n.kind IN $postKinds
     OR EXISTS {{ MATCH (author:Actor)-[:POSTED]->(post:Post {{id: n.subjectId}}) WHERE {POST_VISIBLE} }})
"""


#: Sorted first, then filtered by ``NOTIFICATION_SHOWN`` only until the page is full (``createdAt IS NOT NULL``
#: lets the planner seek the (recipientId, createdAt) index): 6,429 db hits for a page of 21 out of 3,000
#: notifications, where filtering all of them before sorting cost 24,127 (57,108 with the post check). The final
#: ORDER BY (on at most ``$limit`` rows) is what guarantees the page's order: nothing promises that a filter and a
#: LIMIT after a sort keep its order.
NOTIFICATIONS = f"""
MATCH (viewer:Person {{id: $recipientId}})
MATCH (n:Notification {{recipientId: $recipientId}})
WHERE n.createdAt IS NOT NULL AND ($unreadOnly = false OR n.readAt IS NULL)
  AND ($afterTime IS NULL OR [n.createdAt, n.id] < [datetime($afterTime), $afterId])
WITH viewer, n ORDER BY n.createdAt DESC, n.id DESC
WHERE {NOTIFICATION_SHOWN}
WITH n LIMIT $limit
RETURN n.id AS id, n.kind AS kind, n.actorId AS actorId, n.subjectId AS subjectId, n.subjectType AS subjectType,
       n.reason AS reason, n.createdAt AS createdAt, n.readAt AS readAt
ORDER BY createdAt DESC, id DESC
"""


async def notifications(
    tx: AsyncManagedTransaction, recipient_id: str, unread_only: bool, after: tuple[str, str] | None, limit: int
) -> list[dict]:
    rows = await run(
        tx,
        NOTIFICATIONS,
        recipientId=recipient_id,
        unreadOnly=unread_only,
        limit=limit,
        postKinds=POST_NOTICE_KINDS,
        **keyset(after),
    )
    return [dict(r) for r in rows]


UNREAD_COUNT = f"""
OPTIONAL MATCH (viewer:Person {{id: $recipientId}})
OPTIONAL MATCH (n:Notification {{recipientId: $recipientId}})
WHERE viewer IS NOT NULL AND n.createdAt IS NOT NULL AND n.readAt IS NULL
  AND {NOTIFICATION_SHOWN}
RETURN count(n) AS unread
"""


async def unread_count(tx: AsyncManagedTransaction, recipient_id: str) -> int:
    return (await run(tx, UNREAD_COUNT, recipientId=recipient_id, postKinds=POST_NOTICE_KINDS))[0]["unread"]


MARK_READ = """
MATCH (n:Notification {recipientId: $recipientId})
WHERE n.readAt IS NULL AND ($id IS NULL OR n.id = $id)
SET n.readAt = datetime()
RETURN count(n) AS marked
"""


async def mark_read(tx: AsyncManagedTransaction, recipient_id: str, notification_id: str | None) -> int:
    return (await run(tx, MARK_READ, recipientId=recipient_id, id=notification_id))[0]["marked"]
