"""Resolvers of the social graph. Lists batch through per-request DataLoaders, so a request's Cypher
round trips grow with the depth of the query, not with the length of its lists."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.dataloader import DataLoader

from core.errors import UserInputError
from core.pagination import Page, PageRequest
from identity import views as identity_views
from identity.model import OrganizationView
from notifications import inbox
from notifications.inbox import NotificationItem
from resolvers.common import decode_id, payload, runtime, selected_field, selects, viewer
from resolvers.communities import communities_by_ids
from schema.common import AFTER, BEFORE, FIRST, LAST, UserError
from schema.communities import Community
from schema.identity import ActorConnection, Organization, Person
from schema.social import (
    Comment,
    CommentConnection,
    CommentPayload,
    Notification,
    NotificationConnection,
    NotificationKind,
    Post,
    PostConnection,
    PostCreateInput,
    PostPayload,
    PostVisibility,
    ReactionKind,
    ReactionPayload,
    ReactionSummary,
    Relation,
    RelationPayload,
)
from social import blocks as social_blocks
from social import comments as social_comments
from social import connections as social_connections
from social import feed as social_feed
from social import follows as social_follows
from social import people as social_people
from social import posts as social_posts
from social import preferences as social_preferences
from social import reactions as social_reactions
from social import relations as social_relations
from social.model import CommentPage, CommentView

if TYPE_CHECKING:  # the rows social.relations hands on as they are
    from graph.social import Relation as RelationFacts

DEFAULT_COMMENTS = 20


# --- loaders --------------------------------------------------------------------------------------------------------


def _actor_loader(context) -> DataLoader:
    async def load(ids: list[str]):
        return await identity_views.actors_by_ids(context.runtime, context.viewer, ids)

    return DataLoader(load_fn=load)


def _reactions_loader(context) -> DataLoader:
    async def load(post_ids: list[str]):
        return await social_reactions.reactions_of_posts(context.runtime, context.viewer, post_ids)

    return DataLoader(load_fn=load)


def _comments_loader(first: int):
    def factory(context) -> DataLoader:
        async def load(post_ids: list[str]):
            return await social_comments.comments_of_posts(context.runtime, context.viewer, post_ids, first)

        return DataLoader(load_fn=load)

    return factory


def _relation_loader(context) -> DataLoader[str, RelationFacts | None]:
    """My relation to the actors of a list, one statement for them all. Not cached: a relation read after a
    mutation of the same request (its payload's) is read again, as it is now."""

    async def load(actor_ids: list[str]) -> list[RelationFacts | None]:
        return await social_relations.relations_to(context.runtime, context.viewer, actor_ids)

    return DataLoader(load_fn=load, cache=False)


def _replies_loader(context) -> DataLoader:
    async def load(keys: list[tuple[str, str]]):
        comment_ids = [k[0] for k in keys]
        return await social_comments.replies_of_comments(context.runtime, context.viewer, comment_ids, dict(keys))

    return DataLoader(load_fn=load)


def actor_type(view):
    if view is None:
        return None
    return Organization.of(view) if isinstance(view, OrganizationView) else Person.of(view)


async def actor(info: strawberry.Info, actor_id: str):
    return actor_type(await info.context.loader("ActorByIdLoader", _actor_loader).load(actor_id))


async def reactions(info: strawberry.Info, post_id: str) -> ReactionSummary:
    return ReactionSummary.of(await info.context.loader("ReactionsByPostLoader", _reactions_loader).load(post_id))


async def comments(info: strawberry.Info, post_id: str, first: int | None, after: str | None) -> CommentConnection:
    request = PageRequest.from_args(first=first, after=after)
    if request.after:
        (page,) = await social_comments.comments_of_posts(
            runtime(info), viewer(info), [post_id], request.size + 1, request.keyset(social_comments.COMMENTS_CURSOR)
        )
    else:
        loader = info.context.loader(f"CommentsByPostLoader:{request.size}", _comments_loader(request.size + 1))
        page = await loader.load(post_id)
    return _comment_connection(page, request)


def _comment_connection(page: CommentPage, request: PageRequest) -> CommentConnection:
    shown = page.comments[: request.size]
    return CommentConnection.from_page(
        Page(
            items=shown,
            cursors=[social_comments.COMMENTS_CURSOR.encode(c.created_at, c.id) for c in shown],
            has_next_page=len(page.comments) > request.size,
            has_previous_page=request.after is not None,
            total_count=page.total,
        ),
        Comment.of,
    )


async def replies(info: strawberry.Info, comment: Comment) -> list[Comment]:
    found: list[CommentView] = await info.context.loader("RepliesByCommentLoader", _replies_loader).load(
        (comment.uuid, comment.post_id)
    )
    return [Comment.of(c) for c in found]


async def community_by_id(info: strawberry.Info, community_id: str) -> Community | None:
    (found,) = await communities_by_ids(info, [community_id])
    return found


async def posts_by_ids(info: strawberry.Info, ids: list[str]) -> list[Post | None]:
    return [Post.of(p) if p else None for p in await social_posts.posts_by_ids(runtime(info), viewer(info), ids)]


async def comments_by_ids(info: strawberry.Info, ids: list[str]) -> list[Comment | None]:
    found = await social_comments.comments_by_ids(runtime(info), viewer(info), ids)
    return [Comment.of(c) if c else None for c in found]


# --- people lists on Person and Organization ---------------------------------------------------------------------------


async def people_list(
    info: strawberry.Info, owner_id: str, kind: str, first: int | None, after: str | None
) -> ActorConnection:
    page = await social_people.list_actors(
        runtime(info), viewer(info), owner_id, kind, PageRequest.from_args(first=first, after=after)
    )
    return ActorConnection.from_page(page, actor_type)


def _relation(found: RelationFacts | None) -> Relation | None:
    if found is None:
        return None
    return Relation(
        connected=found.connected,
        request_sent=found.requested_by_me,
        request_received=found.requested_by_them,
        following=found.following,
        blocked=found.blocked_by_me,
        muted=found.muted,
    )


async def relation(info: strawberry.Info, other_id: str) -> Relation | None:
    return _relation(await info.context.loader("RelationByActorLoader", _relation_loader).load(other_id))


async def posts_of(info: strawberry.Info, author_id: str, first: int | None, after: str | None) -> PostConnection:
    page = await social_posts.posts_of_author(
        runtime(info), viewer(info), author_id, PageRequest.from_args(first=first, after=after)
    )
    return PostConnection.from_page(page, Post.of)


# --- queries ----------------------------------------------------------------------------------------------------------------


def _first_comments_request(info: strawberry.Info) -> PageRequest | None:
    """The page of comments the client asks of each feed post, when the feed query can fetch it (no cursor)."""
    selected = selected_field(info, "edges", "node", "comments")
    if selected is None or selected.arguments.get("after"):
        return None
    first = selected.arguments.get("first")
    try:
        # A literal argument arrives as its source text ("3"); a variable as its value.
        return PageRequest.from_args(first=int(first) if first is not None else None, after=None)
    except (UserInputError, ValueError, TypeError):
        return None  # the comments field itself reports the mistake


async def feed(info: strawberry.Info, first: FIRST = None, after: AFTER = None) -> PostConnection:
    comments_request = _first_comments_request(info)
    projected = await social_feed.feed(
        runtime(info),
        viewer(info),
        PageRequest.from_args(first=first, after=after),
        with_authors=selects(info, "edges", "node", "author"),
        with_reactions=selects(info, "edges", "node", "reactions"),
        comment_limit=comments_request.size + 1 if comments_request else 0,
    )
    # What the feed query projected is primed into the loaders the nested fields read, so they cost nothing.
    authors = info.context.loader("ActorByIdLoader", _actor_loader)
    for author_id, view in projected.authors.items():
        authors.prime(author_id, view)
    reactions = info.context.loader("ReactionsByPostLoader", _reactions_loader)
    for post_id, summary in projected.reactions.items():
        reactions.prime(post_id, summary)
    if comments_request:
        size = comments_request.size
        comments = info.context.loader(f"CommentsByPostLoader:{size}", _comments_loader(size + 1))
        for post_id, page in projected.comments.items():
            comments.prime(post_id, page)
    return PostConnection.from_page(projected.page, Post.of)


async def notifications(
    info: strawberry.Info,
    first: FIRST = None,
    after: AFTER = None,
    last: LAST = None,
    before: BEFORE = None,
    unread_only: Annotated[bool, strawberry.argument(description="Only unread ones.")] = False,
) -> NotificationConnection:
    request = PageRequest.from_args(first=first, after=after, last=last, before=before)
    page = await inbox.notifications(runtime(info), viewer(info), request, unread_only)
    return NotificationConnection.from_page(
        page,
        lambda n: Notification(
            id=strawberry.ID(n["id"]),
            kind=NotificationKind(n["kind"]),
            created_at=n["createdAt"],
            read_at=n["readAt"],
            subject_id=strawberry.ID(_subject_global_id(n)),
            reason=n["reason"],
            actor_id=n["actorId"],
        ),
    )


def _subject_global_id(n: NotificationItem) -> str:
    # Notifications written before subjectType was stored are about a person (connections) or a post.
    type_name = n["subjectType"] or ("Person" if n["kind"].startswith("connection") else "Post")
    return str(strawberry.relay.GlobalID(type_name, n["subjectId"]))


async def unread_notification_count(info: strawberry.Info) -> int:
    return await inbox.unread_count(runtime(info), viewer(info))


# --- mutations ------------------------------------------------------------------------------------------------------------------

ACTOR_ID = Annotated[strawberry.ID, strawberry.argument(description="Global id of the person or organisation.")]


async def _relation_result(info: strawberry.Info, other: str, work) -> dict:
    await work
    return {"relation": await relation(info, other)}


def _relation_mutation(call):
    async def resolver(info: strawberry.Info, actor_id: ACTOR_ID) -> RelationPayload:
        async def work() -> dict:
            other = decode_id(actor_id, ("Person", "Organization"), "actorId")
            return await _relation_result(info, other, call(info, other))

        return await payload(RelationPayload, work)

    return resolver


connection_request = _relation_mutation(
    lambda info, other: social_connections.request_connection(runtime(info), viewer(info), other)
)
connection_accept = _relation_mutation(
    lambda info, other: social_connections.answer_request(runtime(info), viewer(info), other, accept=True)
)
connection_decline = _relation_mutation(
    lambda info, other: social_connections.answer_request(runtime(info), viewer(info), other, accept=False)
)
connection_cancel = _relation_mutation(
    lambda info, other: social_connections.cancel_request(runtime(info), viewer(info), other)
)
connection_remove = _relation_mutation(
    lambda info, other: social_connections.remove_connection(runtime(info), viewer(info), other)
)


async def _set_edge(
    info: strawberry.Info, actor_id: str, set_edge: Callable[..., Awaitable[None]], on: bool
) -> RelationPayload:
    async def work() -> dict:
        other = decode_id(actor_id, ("Person", "Organization"), "actorId")
        return await _relation_result(info, other, set_edge(runtime(info), viewer(info), other, on))

    return await payload(RelationPayload, work)


async def follow_set(
    info: strawberry.Info,
    actor_id: ACTOR_ID,
    following: Annotated[bool, strawberry.argument(description="True to follow, false to unfollow.")],
) -> RelationPayload:
    return await _set_edge(info, actor_id, social_follows.set_following, following)


async def block_set(
    info: strawberry.Info,
    actor_id: ACTOR_ID,
    blocked: Annotated[bool, strawberry.argument(description="True to block, false to unblock.")],
) -> RelationPayload:
    return await _set_edge(info, actor_id, social_blocks.set_blocked, blocked)


async def mute_set(
    info: strawberry.Info,
    actor_id: ACTOR_ID,
    muted: Annotated[bool, strawberry.argument(description="True to mute, false to unmute.")],
) -> RelationPayload:
    return await _set_edge(info, actor_id, social_blocks.set_muted, muted)


async def social_preferences_set(
    info: strawberry.Info,
    show_follower_count: Annotated[bool | None, strawberry.argument(description="Show how many follow me.")] = None,
    show_following_count: Annotated[bool | None, strawberry.argument(description="Show how many I follow.")] = None,
    suggestions_opt_out: Annotated[bool | None, strawberry.argument(description="Never suggest me to others.")] = None,
) -> list[UserError]:
    try:
        await social_preferences.set_social_preferences(
            runtime(info),
            viewer(info),
            show_follower_count=show_follower_count,
            show_following_count=show_following_count,
            suggestions_opt_out=suggestions_opt_out,
        )
    except UserInputError as error:
        return [UserError.from_error(error)]
    return []


async def post_create(
    info: strawberry.Info, input: Annotated[PostCreateInput, strawberry.argument(description="The post.")]
) -> PostPayload:
    async def work() -> dict:
        community = decode_id(input.community_id, "Community", "communityId") if input.community_id else None
        post = await social_posts.create_post(
            runtime(info),
            viewer(info),
            text=input.text,
            visibility=input.visibility.value,
            community_id=community,
            ward_code=input.ward_code,
            tags=input.tags,
        )
        return {"post": Post.of(post)}

    return await payload(PostPayload, work)


POST_ID = Annotated[strawberry.ID, strawberry.argument(description="Global id of the post.")]


async def post_edit(
    info: strawberry.Info,
    id: POST_ID,
    text: Annotated[str | None, strawberry.argument(description="New text.")] = None,
    visibility: Annotated[PostVisibility | None, strawberry.argument(description="New visibility.")] = None,
) -> PostPayload:
    async def work() -> dict:
        post = await social_posts.edit_post(
            runtime(info),
            viewer(info),
            decode_id(id, "Post", "id"),
            text=text,
            visibility=visibility.value if visibility else None,
        )
        return {"post": Post.of(post)}

    return await payload(PostPayload, work)


async def post_delete(
    info: strawberry.Info,
    id: POST_ID,
    reason: Annotated[
        str | None, strawberry.argument(description="Moderators: why it is removed (required; up to 1000 characters).")
    ] = None,
) -> PostPayload:
    async def work() -> dict:
        await social_posts.delete_post(runtime(info), viewer(info), decode_id(id, "Post", "id"), reason=reason)
        return {}

    return await payload(PostPayload, work)


async def comment_create(
    info: strawberry.Info,
    post_id: POST_ID,
    text: Annotated[str, strawberry.argument(description="The comment (up to 2000 characters).")],
    parent_id: Annotated[
        strawberry.ID | None, strawberry.argument(description="Global id of the comment answered.")
    ] = None,
) -> CommentPayload:
    async def work() -> dict:
        parent = decode_id(parent_id, "Comment", "parentId") if parent_id else None
        created = await social_comments.comment(
            runtime(info), viewer(info), decode_id(post_id, "Post", "postId"), text, parent
        )
        return {"comment": Comment.of(created)}

    return await payload(CommentPayload, work)


async def comment_delete(
    info: strawberry.Info,
    id: Annotated[strawberry.ID, strawberry.argument(description="Global id of the comment.")],
    reason: Annotated[
        str | None, strawberry.argument(description="Moderators: why it is removed (required; up to 1000 characters).")
    ] = None,
) -> CommentPayload:
    async def work() -> dict:
        await social_comments.delete_comment(runtime(info), viewer(info), decode_id(id, "Comment", "id"), reason=reason)
        return {}

    return await payload(CommentPayload, work)


async def reaction_set(
    info: strawberry.Info,
    post_id: POST_ID,
    kind: Annotated[ReactionKind | None, strawberry.argument(description="My reaction; null takes it back.")] = None,
) -> ReactionPayload:
    async def work() -> dict:
        post = decode_id(post_id, "Post", "postId")
        await social_reactions.react(runtime(info), viewer(info), post, kind.value if kind else None)
        (summary,) = await social_reactions.reactions_of_posts(runtime(info), viewer(info), [post])
        return {"reactions": ReactionSummary.of(summary)}

    return await payload(ReactionPayload, work)


async def notifications_mark_read(
    info: strawberry.Info,
    id: Annotated[
        strawberry.ID | None, strawberry.argument(description="One notification; null marks all read.")
    ] = None,
) -> int:
    return await inbox.mark_read(runtime(info), viewer(info), str(id) if id else None)
