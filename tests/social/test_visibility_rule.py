"""The post-visibility rule has one definition in words and code (social.visibility.may_see_post) and
one Cypher mirror (graph.social.POST_VISIBLE). This checks they agree on every combination."""

from __future__ import annotations

import itertools
import uuid

import pytest

from auth.viewer import ANONYMOUS, Viewer
from core.pagination import Window
from graph import notifications as notification_queries
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


@pytest.mark.parametrize(
    ("visibility", "relation", "status"), list(itertools.product(VISIBILITIES, RELATIONS, STATUSES))
)
async def test_cypher_mirror_agrees_with_the_rule(graph, visibility, relation, status):
    author, viewer_id, community, post = (str(uuid.uuid4()) for _ in range(4))

    async def seed(tx):
        await tx.run(
            SEED,
            author=author,
            viewer=viewer_id,
            community=community,
            post=post,
            visibility=visibility,
            status=status,
            relation=relation,
        )

    await graph.write(seed)
    if relation == "anonymous":
        viewer, asked_as = ANONYMOUS, None
    elif relation == "self":
        viewer, asked_as = Viewer(kind="person", actor_id=author), author
    else:
        viewer, asked_as = Viewer(kind="person", actor_id=viewer_id), viewer_id
    facts = PostFacts(
        status=status,
        visibility=visibility,
        author_id=author,
        blocked_either_way=relation in ("blocked_by_author", "blocks_author"),
        viewer_connected_to_author=relation == "connected",
        viewer_member_of_community=relation == "member",
    )
    cypher_says = bool(await graph.read(queries.posts_by_ids, [post], asked_as))
    assert cypher_says == may_see_post(viewer, facts)
    # the facts the graph reads for rules that apply may_see_post themselves (reporting) are these same facts
    read = await graph.read(queries.post_facts_for_viewer, post, asked_as)
    assert read is not None
    assert (read.status, read.visibility, read.author_id, read.connected, read.member) == (
        status,
        visibility,
        author,
        facts.viewer_connected_to_author,
        facts.viewer_member_of_community and visibility == "community",
    )  # only a community post has a community
    assert (read.author_blocked_viewer, read.viewer_blocked_author) == (
        relation == "blocked_by_author",
        relation == "blocks_author",
    )


ACTOR = "CREATE (:Actor:Person {id: $id, status: 'active'})"


@pytest.mark.parametrize(
    ("visibility", "relation", "status"),
    list(itertools.product(VISIBILITIES, [r for r in RELATIONS if r != "anonymous"], STATUSES)),
)
async def test_notifications_about_a_post_follow_the_rule_for_their_recipient(graph, visibility, relation, status):
    """A notification naming a post (a mention by a third person) is written, and then shown in the inbox, exactly
    when its recipient, as the viewer, may see the post."""
    author, viewer_id, community, post, actor = (str(uuid.uuid4()) for _ in range(5))

    async def seed(tx):
        await tx.run(
            SEED,
            author=author,
            viewer=viewer_id,
            community=community,
            post=post,
            visibility=visibility,
            status=status,
            relation=relation,
        )
        await tx.run(ACTOR, id=actor)

    await graph.write(seed)
    recipient = author if relation == "self" else viewer_id
    facts = PostFacts(
        status=status,
        visibility=visibility,
        author_id=author,
        blocked_either_way=relation in ("blocked_by_author", "blocks_author"),
        viewer_connected_to_author=relation == "connected",
        viewer_member_of_community=relation == "member",
    )
    expected = may_see_post(Viewer(kind="person", actor_id=recipient), facts)

    async def notify(tx):
        return await notification_queries.notify_about_post(
            tx, id=str(uuid.uuid4()), recipient_id=recipient, kind="mention", actor_id=actor, post_id=post
        )

    assert await graph.write(notify) == expected

    async def stored_regardless(tx):
        await notification_queries.create_notification(
            tx,
            id=str(uuid.uuid4()),
            recipient_id=recipient,
            kind="mention",
            actor_id=actor,
            subject_id=post,
            subject_type="Post",
        )

    await graph.write(stored_regardless)

    async def read_inbox(tx):
        window = Window(after=None, before=None, backwards=False, limit=10)
        return await notification_queries.inbox(
            tx, recipient, False, window, with_count=True, with_actors=False, with_relations=False
        )

    inbox = await graph.read(read_inbox)
    assert len(inbox.page) == (2 if expected else 0)
    assert inbox.unread == len(inbox.page)
    assert await graph.read(notification_queries.unread_count, recipient) == len(inbox.page)
