"""The post-visibility rule has one definition in words and code (social.visibility.may_see_post) and
one Cypher mirror (graph.social.POST_VISIBLE). This checks they agree on every combination."""

from __future__ import annotations

import itertools
import uuid

import pytest

from auth.viewer import ANONYMOUS, Viewer
from graph import social as queries
from social.visibility import VISIBILITIES, PostFacts, may_see_post

RELATIONS = ("anonymous", "self", "connected", "member", "stranger", "blocked_by_author", "blocks_author")
STATUSES = ("active", "deleted", "removed")

SEED = """
CREATE (author:Actor:Person {id: $author, status: 'active'})
CREATE (viewer:Actor:Person {id: $viewer, status: 'active'})
CREATE (community:Community {id: $community, kind: 'group'})
CREATE (author)-[:POSTED]->(post:Post {id: $post, text: 't', visibility: $visibility, status: $status,
                                       createdAt: datetime(), tags: []})
FOREACH (_ IN CASE WHEN $visibility = 'community' THEN [1] ELSE [] END | CREATE (post)-[:IN_COMMUNITY]->(community))
FOREACH (_ IN CASE WHEN $relation = 'connected' THEN [1] ELSE [] END | CREATE (author)-[:CONNECTED]->(viewer))
FOREACH (_ IN CASE WHEN $relation = 'member' THEN [1] ELSE [] END | CREATE (viewer)-[:MEMBER_OF {role: 'member'}]->(community))
FOREACH (_ IN CASE WHEN $relation = 'blocked_by_author' THEN [1] ELSE [] END | CREATE (author)-[:BLOCKED]->(viewer))
FOREACH (_ IN CASE WHEN $relation = 'blocks_author' THEN [1] ELSE [] END | CREATE (viewer)-[:BLOCKED]->(author))
"""


@pytest.mark.parametrize(("visibility", "relation", "status"), list(itertools.product(VISIBILITIES, RELATIONS, STATUSES)))
async def test_cypher_mirror_agrees_with_the_rule(graph, visibility, relation, status):
    author, viewer_id, community, post = (str(uuid.uuid4()) for _ in range(4))

    async def seed(tx):
        await tx.run(SEED, author=author, viewer=viewer_id, community=community, post=post,
                     visibility=visibility, status=status, relation=relation)

    await graph.write(seed)
    if relation == "anonymous":
        viewer, asked_as = ANONYMOUS, None
    elif relation == "self":
        viewer, asked_as = Viewer(kind="person", actor_id=author), author
    else:
        viewer, asked_as = Viewer(kind="person", actor_id=viewer_id), viewer_id
    facts = PostFacts(
        status=status, visibility=visibility, author_id=author,
        blocked_either_way=relation in ("blocked_by_author", "blocks_author"),
        viewer_connected_to_author=relation == "connected",
        viewer_member_of_community=relation == "member",
    )
    cypher_says = bool(await graph.read(queries.posts_by_ids, [post], asked_as))
    assert cypher_says == may_see_post(viewer, facts)
