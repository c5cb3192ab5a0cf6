"""Root fields of the social graph: the feed, connections, follows, blocks, posts, comments, reactions, notifications."""

from __future__ import annotations

import strawberry

from resolvers import social as social_resolvers
from schema.social import (
    BlockSetPayload,
    CommentCreatePayload,
    CommentDeletePayload,
    ConnectionAcceptPayload,
    ConnectionCancelPayload,
    ConnectionDeclinePayload,
    ConnectionRemovePayload,
    ConnectionRequestPayload,
    FollowSetPayload,
    MuteSetPayload,
    NotificationConnection,
    NotificationsMarkReadPayload,
    PostConnection,
    PostCreatePayload,
    PostDeletePayload,
    PostUpdatePayload,
    ReactionSetPayload,
    SocialPreferencesSetPayload,
)


@strawberry.type
class SocialQuery:
    """Query fields of social; merged into the root Query by schema.assemble."""

    feed: PostConnection = strawberry.field(
        resolver=social_resolvers.feed,
        description="Posts of my connections, the actors I follow and my communities, and my own, newest first "
        "(not of the actors I muted).",
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

    connection_request: ConnectionRequestPayload | None = strawberry.mutation(
        resolver=social_resolvers.connection_request,
        description="Ask a person to connect (if they asked me already, we connect).",
    )
    connection_accept: ConnectionAcceptPayload | None = strawberry.mutation(
        resolver=social_resolvers.connection_accept, description="Accept a person's request to connect."
    )
    connection_decline: ConnectionDeclinePayload | None = strawberry.mutation(
        resolver=social_resolvers.connection_decline, description="Decline a person's request to connect."
    )
    connection_cancel: ConnectionCancelPayload | None = strawberry.mutation(
        resolver=social_resolvers.connection_cancel, description="Withdraw my pending request to connect."
    )
    connection_remove: ConnectionRemovePayload | None = strawberry.mutation(
        resolver=social_resolvers.connection_remove, description="End a connection."
    )
    follow_set: FollowSetPayload | None = strawberry.mutation(
        resolver=social_resolvers.follow_set, description="Follow (or unfollow) a person, a business, an agency."
    )
    block_set: BlockSetPayload | None = strawberry.mutation(
        resolver=social_resolvers.block_set,
        description="Block (or unblock): hides us from each other everywhere, ends connections, requests and follows.",
    )
    mute_set: MuteSetPayload | None = strawberry.mutation(
        resolver=social_resolvers.mute_set,
        description="Mute (or unmute): private; hides their posts from my feed only.",
    )
    social_preferences_set: SocialPreferencesSetPayload | None = strawberry.mutation(
        resolver=social_resolvers.social_preferences_set,
        description="Show or hide my follower and following counts; opt out of people-you-may-know suggestions. "
        "Who sees my lists of relations themselves is the CONNECTIONS field of profileAudienceSet.",
    )
    post_create: PostCreatePayload | None = strawberry.mutation(
        resolver=social_resolvers.post_create, description="Write a post."
    )
    post_update: PostUpdatePayload | None = strawberry.mutation(
        resolver=social_resolvers.post_update, description="Authors: change a post's text or visibility."
    )
    post_delete: PostDeletePayload | None = strawberry.mutation(
        resolver=social_resolvers.post_delete,
        description="Delete my post; community moderators and officers remove others' posts (with a reason).",
    )
    comment_create: CommentCreatePayload | None = strawberry.mutation(
        resolver=social_resolvers.comment_create,
        description="Comment on a post I can see, or reply to one of its top-level comments.",
    )
    comment_delete: CommentDeletePayload | None = strawberry.mutation(
        resolver=social_resolvers.comment_delete,
        description="Delete my comment; moderators remove others' comments (with a reason).",
    )
    reaction_set: ReactionSetPayload | None = strawberry.mutation(
        resolver=social_resolvers.reaction_set,
        description="React to a post (one reaction per person per post; null takes it back).",
    )
    notifications_mark_read: NotificationsMarkReadPayload | None = strawberry.mutation(
        resolver=social_resolvers.notifications_mark_read,
        description="Mark some of my notifications read, or all of them; says how many changed and how many stay "
        "unread.",
    )
