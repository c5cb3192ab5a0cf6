"""GraphQL shapes of the social graph: posts, comments, reactions, communities, notifications."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry
from strawberry import relay

from schema.common import AFTER, BEFORE, FIRST, LAST, CountedConnection, UserError
from schema.communities import Community
from schema.identity import Actor
from schema.places import Commune
from social.model import CommentView, PostView
from social.model import ReactionSummary as ReactionSummaryModel


@strawberry.enum(description="Who may see a post.")
class PostVisibility(Enum):
    _value_: str  # .value is the services' string (strawberry.enum_value only adds a description)
    PUBLIC = strawberry.enum_value("public", description="Everyone.")
    CONNECTIONS = strawberry.enum_value("connections", description="The author's connections.")
    COMMUNITY = strawberry.enum_value("community", description="Members of the post's community.")


@strawberry.enum(description="Kind of reaction; a person has at most one per post.")
class ReactionKind(Enum):
    _value_: str  # .value is the services' string (strawberry.enum_value only adds a description)
    LIKE = strawberry.enum_value("like", description="Thích.")
    LOVE = strawberry.enum_value("love", description="Yêu thích.")
    HAHA = strawberry.enum_value("haha", description="Haha.")
    WOW = strawberry.enum_value("wow", description="Wow.")
    SAD = strawberry.enum_value("sad", description="Buồn.")
    ANGRY = strawberry.enum_value("angry", description="Phẫn nộ.")


@strawberry.enum(description="What a notification is about.")
class NotificationKind(Enum):
    _value_: str  # .value is the services' string (strawberry.enum_value only adds a description)
    CONNECTION_REQUESTED = strawberry.enum_value("connection_requested", description="Someone asked to connect.")
    CONNECTION_ACCEPTED = strawberry.enum_value("connection_accepted", description="Someone accepted my request.")
    COMMENT = strawberry.enum_value("comment", description="Someone commented on my post.")
    REACTION = strawberry.enum_value("reaction", description="Someone reacted to my post.")
    MENTION = strawberry.enum_value("mention", description="Someone mentioned me.")
    COMMUNITY_JOIN_APPROVED = strawberry.enum_value(
        "community_join_approved",
        description="A moderator let me into a community I asked to join (subject: the community).",
    )
    COMMUNITY_JOIN_DECLINED = strawberry.enum_value(
        "community_join_declined",
        description="A moderator declined my request to join a community (subject: the community).",
    )
    REPORT_DECIDED = strawberry.enum_value(
        "report_decided", description="A moderator decided a report I filed; its outcome is on the report (subject)."
    )
    CONTENT_REMOVED = strawberry.enum_value(
        "content_removed", description="Moderators removed my post or comment (subject), for the `reason` given."
    )
    ORDER_PLACED = strawberry.enum_value(
        "order_placed", description="A buyer ordered from me (subject: the order; `reason` holds the buyer's note)."
    )
    ORDER_UPDATED = strawberry.enum_value(
        "order_updated",
        description="The other party (or an officer deciding a dispute) moved one of my orders on; the subject order "
        "shows its status and history, `reason` the reason given, if any.",
    )
    WARNED = strawberry.enum_value("warned", description="Moderators warned me, for the `reason` given.")
    ACCOUNT_SUSPENDED = strawberry.enum_value(
        "account_suspended", description="City officers suspended my account for a while, for the `reason` given."
    )
    INVESTMENT_INTEREST = strawberry.enum_value(
        "investment_interest",
        description="An investor stated interest in my investment listing (subject: the interest).",
    )
    INVESTMENT_INTEREST_ANSWERED = strawberry.enum_value(
        "investment_interest_answered", description="A listing owner answered my investment interest (subject: it)."
    )
    REPRESENTATIVE_INVITED = strawberry.enum_value(
        "representative_invited",
        description="An owner invited me to represent an organisation (subject: the organisation); answer with "
        "representativeInvitationAccept or representativeInvitationDecline.",
    )


@strawberry.type(description="How many people reacted with one kind.")
class ReactionCount:
    kind: ReactionKind = strawberry.field(description="The kind of reaction.")
    count: int = strawberry.field(description="How many (people hidden from you by a block are not counted).")


@strawberry.type(description="Reactions to a post.")
class ReactionSummary:
    total: int = strawberry.field(description="All reactions.")
    counts: list[ReactionCount] = strawberry.field(description="Per kind, most frequent first.")
    mine: ReactionKind | None = strawberry.field(description="My reaction, if any.")

    @classmethod
    def of(cls, s: ReactionSummaryModel) -> ReactionSummary:
        ordered = sorted(s.counts.items(), key=lambda kv: (-kv[1], kv[0]))
        return cls(
            total=s.total,
            counts=[ReactionCount(kind=ReactionKind(k), count=n) for k, n in ordered],
            mine=ReactionKind(s.mine) if s.mine else None,
        )


@strawberry.type(
    description="A comment on a post, or a reply to a comment (one level); node(id:) finds it while its post is "
    "visible to you."
)
class Comment(relay.Node):
    uuid: relay.NodeID[str]
    text: str = strawberry.field(description="The comment.")
    created_at: datetime = strawberry.field(description="When it was written (UTC).")
    author_id: strawberry.Private[str]
    post_id: strawberry.Private[str]

    @strawberry.field(description="Who wrote it; null when hidden from you.")
    async def author(self, info: strawberry.Info) -> Actor | None:
        from resolvers.identity import actor_shown  # noqa: PLC0415 (the resolvers import the shapes)

        return await actor_shown(info, self.author_id)

    @strawberry.field(description="Replies to this comment, oldest first (top-level comments only).")
    async def replies(self, info: strawberry.Info) -> list[Comment]:
        from resolvers.social import replies  # noqa: PLC0415 (the resolvers import the shapes)

        return await replies(info, self)

    @classmethod
    def of(cls, c: CommentView) -> Comment:
        return cls(uuid=c.id, text=c.text, created_at=c.created_at, author_id=c.author_id, post_id=c.post_id)


@strawberry.type(description="A page of comments.")
class CommentConnection(CountedConnection[Comment]):
    pass


@strawberry.type(description="A post: text with a visibility, optional ward and tags, comments and reactions.")
class Post(relay.Node):
    uuid: relay.NodeID[str]
    text: str = strawberry.field(description="The text.")
    visibility: PostVisibility = strawberry.field(description="Who may see it.")
    tags: list[str] = strawberry.field(description="Tags, lower-case without diacritics.")
    created_at: datetime = strawberry.field(description="When it was posted (UTC).")
    edited_at: datetime | None = strawberry.field(description="When the author last edited it.")
    author_id: strawberry.Private[str]
    community_id: strawberry.Private[str | None]
    ward_id: strawberry.Private[str | None]

    @strawberry.field(description="Who posted it; null when hidden from you.")
    async def author(self, info: strawberry.Info) -> Actor | None:
        from resolvers.identity import actor_shown  # noqa: PLC0415 (the resolvers import the shapes)

        return await actor_shown(info, self.author_id)

    @strawberry.field(description="Reactions, with my own.")
    async def reactions(self, info: strawberry.Info) -> ReactionSummary:
        from resolvers.social import reactions  # noqa: PLC0415 (the resolvers import the shapes)

        return await reactions(info, self.uuid)

    @strawberry.field(description="Top-level comments, oldest first.")
    async def comments(
        self,
        info: strawberry.Info,
        first: FIRST = None,
        after: AFTER = None,
        last: LAST = None,
        before: BEFORE = None,
    ) -> CommentConnection:
        from resolvers.social import comments  # noqa: PLC0415 (the resolvers import the shapes)

        return await comments(info, self.uuid, first, after, last, before)

    @strawberry.field(description="The community it was posted in, if any.")
    async def community(self, info: strawberry.Info) -> Community | None:
        from resolvers.social import community_by_id  # noqa: PLC0415 (the resolvers import the shapes)

        return await community_by_id(info, self.community_id) if self.community_id else None

    @strawberry.field(description="The ward or commune it is about, if any.")
    async def ward(self, info: strawberry.Info) -> Commune | None:
        from resolvers.places import commune_by_id  # noqa: PLC0415 (the resolvers import the shapes)

        return await commune_by_id(info, self.ward_id) if self.ward_id else None

    @classmethod
    def of(cls, p: PostView) -> Post:
        return cls(
            uuid=p.id,
            text=p.text,
            visibility=PostVisibility(p.visibility),
            tags=list(p.tags),
            created_at=p.created_at,
            edited_at=p.edited_at,
            author_id=p.author_id,
            community_id=p.community_id,
            ward_id=p.ward_id,
        )


@strawberry.type(description="A page of posts, newest first.")
class PostConnection(CountedConnection[Post]):
    pass


@strawberry.type(
    description="Something that happened that concerns me. Only its recipient sees it (in `notifications` and "
    "through node(id:))."
)
class Notification(relay.Node):
    uuid: relay.NodeID[str]
    kind: NotificationKind = strawberry.field(description="What happened.")
    created_at: datetime = strawberry.field(description="When (UTC).")
    read_at: datetime | None = strawberry.field(description="When I marked it read; null while unread.")
    subject_id: strawberry.ID = strawberry.field(
        description="Global id of what it is about: a person, post, comment, community, report, order or "
        "investment interest (see `kind`); "
        "fetch it with node(id:)."
    )
    reason: str | None = strawberry.field(
        description="Why, when moderators acted against me (removal, warning, suspension); else null."
    )
    actor_id: strawberry.Private[str | None]

    @strawberry.field(description="Who did it; null when hidden from you, and for the city's moderation decisions.")
    async def actor(self, info: strawberry.Info) -> Actor | None:
        from resolvers.social import actor  # noqa: PLC0415 (the resolvers import the shapes)

        return await actor(info, self.actor_id) if self.actor_id else None


@strawberry.type(description="A page of notifications, newest first.")
class NotificationConnection(CountedConnection[Notification]):
    pass


@strawberry.type(description="How I relate to another actor. Only I see this.")
class Relation:
    connected: bool = strawberry.field(description="We are connected.")
    request_sent: bool = strawberry.field(description="I asked to connect and wait for an answer.")
    request_received: bool = strawberry.field(description="They asked me to connect.")
    following: bool = strawberry.field(description="I follow them.")
    blocked: bool = strawberry.field(description="I blocked them.")
    muted: bool = strawberry.field(description="I muted them (private: they are not told).")


@strawberry.type(description="My social preferences. Only I see them.")
class SocialPreferences:
    show_follower_count: bool = strawberry.field(
        description="Others see how many follow me (`followers.totalCount`; default true)."
    )
    show_following_count: bool = strawberry.field(
        description="Others see how many actors I follow (`following.totalCount`; default true)."
    )
    suggestions_opt_out: bool = strawberry.field(
        description="I am never suggested in people-you-may-know (default false)."
    )


# --- inputs and payloads ---------------------------------------------------------------------------------------------------

ERRORS = "Mistakes to fix (empty on success): code, field (a path into the input) and message."
RELATION = "How I relate to the actor now."
PERSON_TO_ASK = "Global id of the person."
ACTOR_TO_CHANGE = "Global id of the person or organisation."


@strawberry.input(description="Whom to ask to connect.")
class ConnectionRequestInput:
    actor_id: strawberry.ID = strawberry.field(description=PERSON_TO_ASK + " If they asked me already, we connect.")


@strawberry.type(description="Result of connectionRequest.")
class ConnectionRequestPayload:
    relation: Relation | None = strawberry.field(default=None, description=RELATION)
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS)


@strawberry.input(description="Whose request to accept.")
class ConnectionAcceptInput:
    actor_id: strawberry.ID = strawberry.field(description=PERSON_TO_ASK + " They asked me to connect.")


@strawberry.type(description="Result of connectionAccept.")
class ConnectionAcceptPayload:
    relation: Relation | None = strawberry.field(default=None, description=RELATION)
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS)


@strawberry.input(description="Whose request to decline.")
class ConnectionDeclineInput:
    actor_id: strawberry.ID = strawberry.field(description=PERSON_TO_ASK + " They asked me to connect.")


@strawberry.type(description="Result of connectionDecline.")
class ConnectionDeclinePayload:
    relation: Relation | None = strawberry.field(default=None, description=RELATION)
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS)


@strawberry.input(description="Whom my pending request to withdraw was sent to.")
class ConnectionCancelInput:
    actor_id: strawberry.ID = strawberry.field(description=PERSON_TO_ASK + " I asked them to connect.")


@strawberry.type(description="Result of connectionCancel.")
class ConnectionCancelPayload:
    relation: Relation | None = strawberry.field(default=None, description=RELATION)
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS)


@strawberry.input(description="The connection to end.")
class ConnectionRemoveInput:
    actor_id: strawberry.ID = strawberry.field(description=PERSON_TO_ASK + " We are connected.")


@strawberry.type(description="Result of connectionRemove.")
class ConnectionRemovePayload:
    relation: Relation | None = strawberry.field(default=None, description=RELATION)
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS)


@strawberry.input(description="Whom to follow or unfollow.")
class FollowSetInput:
    actor_id: strawberry.ID = strawberry.field(description=ACTOR_TO_CHANGE)
    following: bool = strawberry.field(description="True to follow, false to unfollow.")


@strawberry.type(description="Result of followSet.")
class FollowSetPayload:
    relation: Relation | None = strawberry.field(default=None, description=RELATION)
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS)


@strawberry.input(description="Whom to block or unblock.")
class BlockSetInput:
    actor_id: strawberry.ID = strawberry.field(description=ACTOR_TO_CHANGE)
    blocked: bool = strawberry.field(description="True to block, false to unblock (only my own block).")


@strawberry.type(description="Result of blockSet.")
class BlockSetPayload:
    relation: Relation | None = strawberry.field(default=None, description=RELATION)
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS)


@strawberry.input(description="Whom to mute or unmute.")
class MuteSetInput:
    actor_id: strawberry.ID = strawberry.field(description=ACTOR_TO_CHANGE)
    muted: bool = strawberry.field(description="True to mute, false to unmute.")


@strawberry.type(description="Result of muteSet.")
class MuteSetPayload:
    relation: Relation | None = strawberry.field(default=None, description=RELATION)
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS)


@strawberry.input(description="The social preferences to change; a field left out (or null) stays as it is.")
class SocialPreferencesSetInput:
    show_follower_count: bool | None = strawberry.field(default=None, description="Show how many follow me.")
    show_following_count: bool | None = strawberry.field(default=None, description="Show how many I follow.")
    suggestions_opt_out: bool | None = strawberry.field(default=None, description="Never suggest me to others.")


@strawberry.type(description="Result of socialPreferencesSet.")
class SocialPreferencesSetPayload:
    preferences: SocialPreferences | None = strawberry.field(default=None, description="My preferences now.")
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS)


@strawberry.input(description="A new post.")
class PostCreateInput:
    text: str = strawberry.field(description="Up to 5000 characters. Mention a person as @[<their uuid>].")
    visibility: PostVisibility = strawberry.field(description="Who may see it.")
    community_id: strawberry.ID | None = strawberry.field(
        default=None, description="Global id of the community (COMMUNITY posts, and only those)."
    )
    ward_code: str | None = strawberry.field(default=None, description="Code of the ward or commune it is about.")
    tags: list[str] | None = strawberry.field(
        default=None, description="Up to 10 tags of letters, digits and dashes (40 characters each)."
    )


@strawberry.type(description="Result of postCreate.")
class PostCreatePayload:
    post: Post | None = strawberry.field(default=None, description="The new post.")
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS)


@strawberry.input(description="What to change in one of my posts; a field left out (or null) stays as it is.")
class PostUpdateInput:
    post_id: strawberry.ID = strawberry.field(description="Global id of the post (mine).")
    text: str | None = strawberry.field(default=None, description="New text (up to 5000 characters).")
    visibility: PostVisibility | None = strawberry.field(
        default=None, description="New visibility (a community post stays COMMUNITY)."
    )


@strawberry.type(description="Result of postUpdate.")
class PostUpdatePayload:
    post: Post | None = strawberry.field(default=None, description="The post as it is now.")
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS)


MODERATOR_REASON = "Moderators removing someone else's: why (required; up to 1000 characters). Authors need none."


@strawberry.input(description="The post to delete.")
class PostDeleteInput:
    post_id: strawberry.ID = strawberry.field(description="Global id of the post.")
    reason: str | None = strawberry.field(default=None, description=MODERATOR_REASON)


@strawberry.type(description="Result of postDelete.")
class PostDeletePayload:
    deleted_post_id: strawberry.ID | None = strawberry.field(
        default=None, description="Global id of the post deleted (to drop it from a client's cache)."
    )
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS)


@strawberry.input(description="A comment on a post, or a reply to one of its top-level comments.")
class CommentCreateInput:
    post_id: strawberry.ID = strawberry.field(description="Global id of the post (one I may see).")
    text: str = strawberry.field(description="The comment (up to 2000 characters).")
    parent_comment_id: strawberry.ID | None = strawberry.field(
        default=None, description="Global id of the top-level comment of this post answered (one level of replies)."
    )


@strawberry.type(description="Result of commentCreate.")
class CommentCreatePayload:
    comment: Comment | None = strawberry.field(default=None, description="The new comment.")
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS)


@strawberry.input(description="The comment to delete.")
class CommentDeleteInput:
    comment_id: strawberry.ID = strawberry.field(description="Global id of the comment.")
    reason: str | None = strawberry.field(default=None, description=MODERATOR_REASON)


@strawberry.type(description="Result of commentDelete.")
class CommentDeletePayload:
    deleted_comment_id: strawberry.ID | None = strawberry.field(
        default=None, description="Global id of the comment deleted (to drop it from a client's cache)."
    )
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS)


@strawberry.input(description="My reaction to a post.")
class ReactionSetInput:
    post_id: strawberry.ID = strawberry.field(description="Global id of the post (one I may see).")
    kind: ReactionKind | None = strawberry.field(default=None, description="My reaction; null takes it back.")


@strawberry.type(description="Result of reactionSet.")
class ReactionSetPayload:
    post: Post | None = strawberry.field(default=None, description="The post reacted to.")
    reactions: ReactionSummary | None = strawberry.field(default=None, description="The post's reactions now.")
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS)


@strawberry.input(description="Which of my notifications to mark read.")
class NotificationsMarkReadInput:
    notification_ids: list[strawberry.ID] | None = strawberry.field(
        default=None,
        description="Global ids of my notifications (at most 100); null (or left out) marks all of them read.",
    )


@strawberry.type(description="Result of notificationsMarkRead.")
class NotificationsMarkReadPayload:
    marked_count: int | None = strawberry.field(
        default=None, description="How many were unread and are now read (null when refused)."
    )
    unread_count: int | None = strawberry.field(
        default=None, description="How many of my notifications stay unread (null when refused)."
    )
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS)
