"""Root fields of the social graph: the feed, connections, follows, blocks, posts, comments, reactions, notifications."""

from __future__ import annotations

import strawberry

from resolvers import social as social_resolvers
from schema.common import UserError
from schema.social import (
    CommentPayload,
    NotificationConnection,
    PostConnection,
    PostPayload,
    ReactionPayload,
    RelationPayload,
)


@strawberry.type
class SocialQuery:
    """Query fields of social; merged into the root Query by schema.assemble."""

    feed: PostConnection = strawberry.field(
        resolver=social_resolvers.feed,
        description="Posts of my connections, the actors I follow and my communities, newest first.",
    )
    notifications: NotificationConnection = strawberry.field(
        resolver=social_resolvers.notifications, description="My notifications, newest first."
    )
    unread_notification_count: int = strawberry.field(
        resolver=social_resolvers.unread_notification_count, description="How many of my notifications are unread."
    )


@strawberry.type
class SocialMutation:
    """Mutation fields of social; merged into the root Mutation by schema.assemble."""

    connection_request: RelationPayload = strawberry.mutation(
        resolver=social_resolvers.connection_request,
        description="Ask a person to connect (if they asked me already, we connect).",
    )
    connection_accept: RelationPayload = strawberry.mutation(
        resolver=social_resolvers.connection_accept, description="Accept a person's request."
    )
    connection_decline: RelationPayload = strawberry.mutation(
        resolver=social_resolvers.connection_decline, description="Decline a person's request."
    )
    connection_cancel: RelationPayload = strawberry.mutation(
        resolver=social_resolvers.connection_cancel, description="Withdraw my pending request."
    )
    connection_remove: RelationPayload = strawberry.mutation(
        resolver=social_resolvers.connection_remove, description="End a connection."
    )
    follow_set: RelationPayload = strawberry.mutation(
        resolver=social_resolvers.follow_set, description="Follow (or unfollow) a person, a business, an agency."
    )
    block_set: RelationPayload = strawberry.mutation(
        resolver=social_resolvers.block_set,
        description="Block (or unblock): hides us from each other everywhere, ends connections, requests and follows.",
    )
    mute_set: RelationPayload = strawberry.mutation(
        resolver=social_resolvers.mute_set,
        description="Mute (or unmute): private; hides their posts from my feed only.",
    )
    social_preferences_set: list[UserError] = strawberry.mutation(
        resolver=social_resolvers.social_preferences_set,
        description="Show or hide my follower and following counts; opt out of people-you-may-know suggestions.",
    )
    post_create: PostPayload = strawberry.mutation(resolver=social_resolvers.post_create, description="Write a post.")
    post_edit: PostPayload = strawberry.mutation(
        resolver=social_resolvers.post_edit, description="Authors: change a post's text or visibility."
    )
    post_delete: PostPayload = strawberry.mutation(
        resolver=social_resolvers.post_delete,
        description="Delete my post; community moderators and officers remove others' posts.",
    )
    comment_create: CommentPayload = strawberry.mutation(
        resolver=social_resolvers.comment_create,
        description="Comment on a post I can see, or reply to a top-level comment.",
    )
    comment_delete: CommentPayload = strawberry.mutation(
        resolver=social_resolvers.comment_delete, description="Delete my comment; moderators remove others' comments."
    )
    reaction_set: ReactionPayload = strawberry.mutation(
        resolver=social_resolvers.reaction_set,
        description="React to a post (one reaction per person per post; null takes it back).",
    )
    notifications_mark_read: int = strawberry.mutation(
        resolver=social_resolvers.notifications_mark_read,
        description="Mark one notification, or all, read; returns how many changed.",
    )
