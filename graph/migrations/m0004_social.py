"""The social graph: communities (one per ward or commune), posts, comments, notifications, reports."""

from __future__ import annotations

from graph.driver import Graph
from graph.social import create_ward_communities

DESCRIPTION = "Constraints and indexes of the social graph; a community for each of Hà Nội's 126 communes."

STATEMENTS = [
    "CREATE CONSTRAINT community_id_unique IF NOT EXISTS FOR (c:Community) REQUIRE c.id IS UNIQUE",
    "CREATE CONSTRAINT community_ward_code_unique IF NOT EXISTS FOR (c:Community) REQUIRE c.wardCode IS UNIQUE",
    "CREATE CONSTRAINT post_id_unique IF NOT EXISTS FOR (p:Post) REQUIRE p.id IS UNIQUE",
    "CREATE INDEX post_created_at IF NOT EXISTS FOR (p:Post) ON (p.createdAt)",
    "CREATE CONSTRAINT comment_id_unique IF NOT EXISTS FOR (c:Comment) REQUIRE c.id IS UNIQUE",
    "CREATE CONSTRAINT notification_id_unique IF NOT EXISTS FOR (n:Notification) REQUIRE n.id IS UNIQUE",
    "CREATE INDEX notification_recipient IF NOT EXISTS FOR (n:Notification) ON (n.recipientId, n.createdAt)",
    "CREATE CONSTRAINT report_id_unique IF NOT EXISTS FOR (r:Report) REQUIRE r.id IS UNIQUE",
    "CREATE INDEX report_status IF NOT EXISTS FOR (r:Report) ON (r.status, r.createdAt)",
    "CREATE CONSTRAINT moderation_action_id_unique IF NOT EXISTS FOR (m:ModerationAction) REQUIRE m.id IS UNIQUE",
    "CREATE FULLTEXT INDEX post_text_fulltext IF NOT EXISTS FOR (p:Post) ON EACH [p.text, p.searchText]",
    "CREATE FULLTEXT INDEX community_name_fulltext IF NOT EXISTS FOR (c:Community) ON EACH [c.name, c.searchName]",
]


async def apply(graph: Graph) -> None:
    await graph.write(create_ward_communities)
