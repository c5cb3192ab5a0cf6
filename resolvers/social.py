"""Resolvers of the social graph. Lists batch through per-request DataLoaders, so a request's Cypher
round trips grow with the depth of the query, not with the length of its lists."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from graphql import OperationType
from strawberry.dataloader import DataLoader

from core.errors import AppError, Problems
from core.pagination import PageRequest
from notifications import inbox
from notifications.inbox import InboxRead, NotificationItem
from resolvers.common import (
    decode_id,
    decode_input_id,
    mutate,
    runtime,
    selects,
    viewer,
)
from resolvers.communities import communities_by_ids
from resolvers.identity import actor_of, relation_of
from resolvers.post_lists import (
    actor_loader,
    comments_loader,
    comments_loader_name,
    post_shape,
    prime_post_list,
    reactions_loader,
    relation_loader,
    replies_loader,
    total_only,
)
from schema.common import AFTER, BEFORE, FIRST, LAST
from schema.communities import Community
from schema.social import (
    BlockSetInput,
    BlockSetPayload,
    Comment,
    CommentConnection,
    CommentCreateInput,
    CommentCreatePayload,
    CommentDeleteInput,
    CommentDeletePayload,
    ConnectionAcceptInput,
    ConnectionAcceptPayload,
    ConnectionCancelInput,
    ConnectionCancelPayload,
    ConnectionDeclineInput,
    ConnectionDeclinePayload,
    ConnectionRemoveInput,
    ConnectionRemovePayload,
    ConnectionRequestInput,
    ConnectionRequestPayload,
    FollowSetInput,
    FollowSetPayload,
    MuteSetInput,
    MuteSetPayload,
    Notification,
    NotificationConnection,
    NotificationKind,
    NotificationsMarkReadInput,
    NotificationsMarkReadPayload,
    Post,
    PostConnection,
    PostCreateInput,
    PostCreatePayload,
    PostDeleteInput,
    PostDeletePayload,
    PostUpdateInput,
    PostUpdatePayload,
    ReactionSetInput,
    ReactionSetPayload,
    ReactionSummary,
    Relation,
    SocialPreferences,
    SocialPreferencesSetInput,
    SocialPreferencesSetPayload,
)
from social import blocks as social_blocks
from social import comments as social_comments
from social import connections as social_connections
from social import follows as social_follows
from social import post_lists
from social import posts as social_posts
from social import preferences as social_preferences
from social import reactions as social_reactions
from social.model import CommentPage, CommentView

if TYPE_CHECKING:  # the rows social.relations hands on as they are
    pass

# --- loaders (resolvers.post_lists) ---------------------------------------------------------------------------------


async def actor(info: strawberry.Info, actor_id: str):
    return actor_of(await info.context.loader("ActorByIdLoader", actor_loader).load(actor_id))


async def reactions(info: strawberry.Info, post_id: str) -> ReactionSummary:
    return ReactionSummary.of(await info.context.loader("ReactionsByPostLoader", reactions_loader).load(post_id))


async def comments(
    info: strawberry.Info,
    post_id: str,
    first: int | None,
    after: str | None,
    last: int | None = None,
    before: str | None = None,
) -> CommentConnection:
    request = PageRequest.from_args(first=first, after=after, last=last, before=before)
    if request.after or request.before:
        page = await social_comments.comments_of_post(runtime(info), viewer(info), post_id, request)
    else:  # a first (or last) page: batched with the other posts' (the first ones primed by the feed)
        name = comments_loader_name(request.size, backwards=request.backwards, total_only=total_only(info))
        loader = info.context.loader(name, comments_loader(request.size + 1, request.backwards))
        found: CommentPage = await loader.load(post_id)
        page = social_comments.first_page(post_id, found, request)
    return CommentConnection.from_page(page, Comment.of)


async def replies(info: strawberry.Info, comment: Comment) -> list[Comment]:
    found: list[CommentView] = await info.context.loader("RepliesByCommentLoader", replies_loader).load(
        (comment.uuid, comment.post_id)
    )
    return [Comment.of(c) for c in found]


async def community_by_id(info: strawberry.Info, community_id: str) -> Community | None:
    (found,) = await communities_by_ids(info, [community_id])
    return found


async def comments_by_ids(info: strawberry.Info, ids: list[str]) -> list[Comment | None]:
    return [
        Comment.of(c) if c else None for c in await social_comments.comments_by_ids(runtime(info), viewer(info), ids)
    ]


async def posts_by_ids(info: strawberry.Info, ids: list[str]) -> list[Post | None]:
    return [Post.of(p) if p else None for p in await social_posts.posts_by_ids(runtime(info), viewer(info), ids)]


def _page_request(first: int | None, after: str | None, last: int | None, before: str | None) -> PageRequest:
    return PageRequest.from_args(first=first, after=after, last=last, before=before)


async def relation(info: strawberry.Info, other_id: str) -> Relation | None:
    return relation_of(await info.context.loader("RelationByActorLoader", relation_loader).load(other_id))


async def posts_of(
    info: strawberry.Info,
    author_id: str,
    first: int | None,
    after: str | None,
    last: int | None = None,
    before: str | None = None,
) -> PostConnection:
    shape, comment_limit = post_shape(info)
    listed = await post_lists.posts_of_author(
        runtime(info),
        viewer(info),
        author_id,
        _page_request(first, after, last, before),
        shape,
        comment_limit=comment_limit,
    )
    return prime_post_list(info, listed, shape)


# --- queries ----------------------------------------------------------------------------------------------------------------


async def feed(
    info: strawberry.Info, first: FIRST = None, after: AFTER = None, last: LAST = None, before: BEFORE = None
) -> PostConnection:
    shape, comment_limit = post_shape(info)
    listed = await post_lists.feed(
        runtime(info), viewer(info), _page_request(first, after, last, before), shape, comment_limit=comment_limit
    )
    return prime_post_list(info, listed, shape)


def _inbox_loader(context) -> DataLoader:
    """The inbox of a request in one statement: a page of ``notifications`` and ``unreadNotificationCount``, both
    root fields, load in the same tick (neither awaits anything before), so the batch reads the page, the count
    and the page's actors together (``notifications.inbox.read_inbox``). A key is ``("count",)`` or
    ``("page", request, unread_only, with_actors, with_relations)``. Not cached: read again after a mutation."""

    async def load(keys: list[tuple]) -> list[object]:
        pages = [k for k in keys if k[0] == "page"]
        counted = any(k[0] == "count" for k in keys)
        found: dict[tuple, object] = {}
        for n, key in enumerate(pages):
            _, request, unread_only, with_actors, with_relations = key
            try:
                read = await inbox.read_inbox(
                    context.runtime,
                    context.viewer,
                    request,
                    unread_only,
                    with_count=counted and n == 0,
                    with_actors=with_actors,
                    with_relations=with_relations,
                )
            except AppError as error:  # this page's own error (a refused cursor...): the other fields still answer
                found[key] = error
                continue
            found[key] = read
            if read.unread is not None:
                found[("count",)] = read.unread
        if counted and ("count",) not in found:
            found[("count",)] = await inbox.unread_count(context.runtime, context.viewer)
        return [found[k] for k in keys]

    return DataLoader(load_fn=load, cache=False)


async def notifications(
    info: strawberry.Info,
    first: FIRST = None,
    after: AFTER = None,
    last: LAST = None,
    before: BEFORE = None,
    unread_only: Annotated[bool, strawberry.argument(description="Only unread ones.")] = False,
) -> NotificationConnection:
    request = PageRequest.from_args(first=first, after=after, last=last, before=before)
    with_actors = selects(info, "edges", "node", "actor") or selects(info, "nodes", "actor")
    with_relations = selects(info, "edges", "node", "actor", "relation") or selects(info, "nodes", "actor", "relation")
    key = ("page", request, unread_only, with_actors, with_relations)
    read: InboxRead = await info.context.loader("InboxLoader", _inbox_loader).load(key)
    authors = info.context.loader("ActorByIdLoader", actor_loader)
    for actor_id, view in read.actors.items():
        authors.prime(actor_id, view)
    if read.relations and info.operation.operation is OperationType.QUERY:
        info.context.loader("RelationByActorLoader", relation_loader).primed.update(read.relations)
    return NotificationConnection.from_page(read.page, _notification)


def _notification(n: NotificationItem) -> Notification:
    return Notification(
        uuid=n["id"],
        kind=NotificationKind(n["kind"]),
        created_at=n["createdAt"],
        read_at=n["readAt"],
        subject_id=strawberry.ID(_subject_global_id(n)),
        reason=n["reason"],
        actor_id=n["actorId"],
    )


async def notifications_by_ids(info: strawberry.Info, ids: list[str]) -> list[Notification | None]:
    """node(id:) of notifications: only their recipient sees them (``notifications.inbox.notifications_by_ids``)."""
    found = await inbox.notifications_by_ids(runtime(info), viewer(info), ids)
    return [_notification(n) if n is not None else None for n in found]


def _subject_global_id(n: NotificationItem) -> str:
    # Notifications written before subjectType was stored are about a person (connections) or a post.
    type_name = n["subjectType"] or ("Person" if n["kind"].startswith("connection") else "Post")
    return str(strawberry.relay.GlobalID(type_name, n["subjectId"]))


async def unread_notification_count(info: strawberry.Info) -> int:
    count: int = await info.context.loader("InboxLoader", _inbox_loader).load(("count",))
    return count


# --- mutations ------------------------------------------------------------------------------------------------------------------

ACTOR_TYPES = ("Person", "Organization")
INPUT = strawberry.argument(description="What to do: see the fields of the input type.")


async def _relation_payload(
    info: strawberry.Info, cls: Callable[..., Any], actor_id: str, change: Callable[[str], Awaitable[object]]
) -> Any:
    """A relation mutation: change how I relate to one actor, then show the relation as it is now."""

    async def work() -> dict[str, Any]:
        other = decode_id(actor_id, ACTOR_TYPES, "actorId", info)
        await change(other)
        return {"relation": await relation(info, other)}

    return await mutate(info, cls, work)


async def connection_request(
    info: strawberry.Info, input: Annotated[ConnectionRequestInput, INPUT]
) -> ConnectionRequestPayload | None:
    return await _relation_payload(
        info,
        ConnectionRequestPayload,
        input.actor_id,
        lambda other: social_connections.request_connection(runtime(info), viewer(info), other),
    )


async def connection_accept(
    info: strawberry.Info, input: Annotated[ConnectionAcceptInput, INPUT]
) -> ConnectionAcceptPayload | None:
    return await _relation_payload(
        info,
        ConnectionAcceptPayload,
        input.actor_id,
        lambda other: social_connections.answer_request(runtime(info), viewer(info), other, accept=True),
    )


async def connection_decline(
    info: strawberry.Info, input: Annotated[ConnectionDeclineInput, INPUT]
) -> ConnectionDeclinePayload | None:
    return await _relation_payload(
        info,
        ConnectionDeclinePayload,
        input.actor_id,
        lambda other: social_connections.answer_request(runtime(info), viewer(info), other, accept=False),
    )


async def connection_cancel(
    info: strawberry.Info, input: Annotated[ConnectionCancelInput, INPUT]
) -> ConnectionCancelPayload | None:
    return await _relation_payload(
        info,
        ConnectionCancelPayload,
        input.actor_id,
        lambda other: social_connections.cancel_request(runtime(info), viewer(info), other),
    )


async def connection_remove(
    info: strawberry.Info, input: Annotated[ConnectionRemoveInput, INPUT]
) -> ConnectionRemovePayload | None:
    return await _relation_payload(
        info,
        ConnectionRemovePayload,
        input.actor_id,
        lambda other: social_connections.remove_connection(runtime(info), viewer(info), other),
    )


async def follow_set(info: strawberry.Info, input: Annotated[FollowSetInput, INPUT]) -> FollowSetPayload | None:
    return await _relation_payload(
        info,
        FollowSetPayload,
        input.actor_id,
        lambda other: social_follows.set_following(runtime(info), viewer(info), other, input.following),
    )


async def block_set(info: strawberry.Info, input: Annotated[BlockSetInput, INPUT]) -> BlockSetPayload | None:
    return await _relation_payload(
        info,
        BlockSetPayload,
        input.actor_id,
        lambda other: social_blocks.set_blocked(runtime(info), viewer(info), other, input.blocked),
    )


async def mute_set(info: strawberry.Info, input: Annotated[MuteSetInput, INPUT]) -> MuteSetPayload | None:
    return await _relation_payload(
        info,
        MuteSetPayload,
        input.actor_id,
        lambda other: social_blocks.set_muted(runtime(info), viewer(info), other, input.muted),
    )


async def social_preferences_set(
    info: strawberry.Info, input: Annotated[SocialPreferencesSetInput, INPUT]
) -> SocialPreferencesSetPayload | None:
    async def work() -> dict[str, Any]:
        found = await social_preferences.set_social_preferences(
            runtime(info),
            viewer(info),
            show_follower_count=input.show_follower_count,
            show_following_count=input.show_following_count,
            suggestions_opt_out=input.suggestions_opt_out,
        )
        return {
            "preferences": SocialPreferences(
                show_follower_count=found.show_follower_count,
                show_following_count=found.show_following_count,
                suggestions_opt_out=found.suggestions_opt_out,
            )
        }

    return await mutate(info, SocialPreferencesSetPayload, work)


async def post_create(info: strawberry.Info, input: Annotated[PostCreateInput, INPUT]) -> PostCreatePayload | None:
    async def work() -> dict[str, Any]:
        problems = Problems()
        community = (
            decode_input_id(problems, input.community_id, "Community", "communityId") if input.community_id else None
        )
        post = await social_posts.create_post(
            runtime(info),
            viewer(info),
            text=input.text,
            visibility=input.visibility.value,
            community_id=community or None,
            ward_code=input.ward_code,
            tags=input.tags,
            problems=problems,
        )
        return {"post": Post.of(post)}

    return await mutate(info, PostCreatePayload, work)


async def post_update(info: strawberry.Info, input: Annotated[PostUpdateInput, INPUT]) -> PostUpdatePayload | None:
    async def work() -> dict[str, Any]:
        problems = Problems()
        post = await social_posts.edit_post(
            runtime(info),
            viewer(info),
            decode_input_id(problems, input.post_id, "Post", "postId"),
            text=input.text,
            visibility=input.visibility.value if input.visibility else None,
            problems=problems,
        )
        return {"post": Post.of(post)}

    return await mutate(info, PostUpdatePayload, work)


async def post_delete(info: strawberry.Info, input: Annotated[PostDeleteInput, INPUT]) -> PostDeletePayload | None:
    async def work() -> dict[str, Any]:
        problems = Problems()
        post_id = decode_input_id(problems, input.post_id, "Post", "postId")
        await social_posts.delete_post(runtime(info), viewer(info), post_id, reason=input.reason, problems=problems)
        return {"deleted_post_id": input.post_id}

    return await mutate(info, PostDeletePayload, work)


async def comment_create(
    info: strawberry.Info, input: Annotated[CommentCreateInput, INPUT]
) -> CommentCreatePayload | None:
    async def work() -> dict[str, Any]:
        problems = Problems()
        post_id = decode_input_id(problems, input.post_id, "Post", "postId")
        parent = (
            decode_input_id(problems, input.parent_comment_id, "Comment", "parentCommentId")
            if input.parent_comment_id
            else None
        )
        created = await social_comments.comment(
            runtime(info), viewer(info), post_id, input.text, parent or None, problems=problems
        )
        return {"comment": Comment.of(created)}

    return await mutate(info, CommentCreatePayload, work)


async def comment_delete(
    info: strawberry.Info, input: Annotated[CommentDeleteInput, INPUT]
) -> CommentDeletePayload | None:
    async def work() -> dict[str, Any]:
        problems = Problems()
        comment_id = decode_input_id(problems, input.comment_id, "Comment", "commentId")
        await social_comments.delete_comment(
            runtime(info), viewer(info), comment_id, reason=input.reason, problems=problems
        )
        return {"deleted_comment_id": input.comment_id}

    return await mutate(info, CommentDeletePayload, work)


async def reaction_set(info: strawberry.Info, input: Annotated[ReactionSetInput, INPUT]) -> ReactionSetPayload | None:
    async def work() -> dict[str, Any]:
        post_id = decode_id(input.post_id, "Post", "postId")
        await social_reactions.react(runtime(info), viewer(info), post_id, input.kind.value if input.kind else None)
        (summary,) = await social_reactions.reactions_of_posts(runtime(info), viewer(info), [post_id])
        (post,) = await posts_by_ids(info, [post_id])
        return {"post": post, "reactions": ReactionSummary.of(summary)}

    return await mutate(info, ReactionSetPayload, work)


async def notifications_mark_read(
    info: strawberry.Info, input: Annotated[NotificationsMarkReadInput, INPUT]
) -> NotificationsMarkReadPayload | None:
    async def work() -> dict[str, Any]:
        given = input.notification_ids
        problems = Problems()
        ids = (
            [decode_input_id(problems, i, "Notification", f"notificationIds.{n}") for n, i in enumerate(given)]
            if given is not None
            else None
        )
        done = await inbox.mark_read(runtime(info), viewer(info), ids, problems=problems)
        return {"marked_count": done.marked_count, "unread_count": done.unread_count}

    return await mutate(info, NotificationsMarkReadPayload, work)
