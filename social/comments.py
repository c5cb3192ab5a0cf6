"""Comments on posts: one level of replies; a comment across a block is hidden both ways, as a post is."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from neo4j import AsyncManagedTransaction

from auth.permissions import authorize
from auth.viewer import Viewer
from core.errors import ForbiddenError, NotFoundError, Problems, UserInputError
from core.pagination import CursorKind, Page, PageRequest, Window, keyset_kind
from core.runtime import Runtime
from core.text import checked_text
from graph import social as queries
from moderation.enforcement import assert_not_suspended, record_removal
from notifications import notify
from social.model import CommentPage, CommentView
from social.posts import visible_post
from social.publishing import MAX_REASON_LENGTH, checked_body, may_remove_for_others, tell_mentioned

MAX_COMMENT_LENGTH = 2000

COMMENTS_CURSOR = keyset_kind("comments")


async def comment(
    rt: Runtime,
    viewer: Viewer,
    post_id: str,
    text: str,
    parent_id: str | None,
    *,
    problems: Problems | None = None,
) -> CommentView:
    """Comment on a post I may see; a reply answers a top-level comment (one level of replies). ``problems``:
    mistakes the caller found in the same input (a malformed id), reported with the text's."""
    me = authorize(viewer, "social.comment.create")
    problems = Problems() if problems is None else problems
    body = problems.take(lambda: checked_body(text, MAX_COMMENT_LENGTH, "text"))
    problems.raise_if_any()
    assert body is not None
    post = await visible_post(rt, viewer, post_id)
    comment_id = str(uuid.uuid4())

    async def work(tx: AsyncManagedTransaction) -> None:
        await assert_not_suspended(tx, me)
        if parent_id is not None:
            parent = await queries.lock_comment(tx, parent_id, me)
            # a comment across a block is hidden both ways: the same answer as an unknown comment
            if parent is None or parent.post_id != post_id or parent.status != "active" or parent.blocked_either_way:
                raise NotFoundError("This post has no comment with this id.", field="parentCommentId")
            if parent.is_reply:
                raise UserInputError(
                    "Replies go one level deep: answer the top-level comment.", field="parentCommentId"
                )
        await queries.create_comment(tx, id=comment_id, author_id=me, post_id=post_id, text=body, parent_id=parent_id)
        if post.author_id != me:
            await notify(tx, rt, post.author_id, "comment", actor=me, subject=post_id, subject_type="Post")
        await tell_mentioned(tx, rt, me, body, post_id)

    await rt.graph.write(work)
    return CommentView(comment_id, me, body, datetime.now(UTC), post_id)


async def delete_comment(
    rt: Runtime, viewer: Viewer, comment_id: str, *, reason: str | None = None, problems: Problems | None = None
) -> None:
    """Authors delete their comments; moderators remove others' with a reason (logged by moderation).
    ``problems``: as for ``comment``."""
    me = authorize(viewer, "social.comment.delete")
    problems = Problems() if problems is None else problems
    cleaned_reason = problems.take(lambda: checked_text(reason, field="reason", max_length=MAX_REASON_LENGTH))
    problems.raise_if_any()

    async def work(tx: AsyncManagedTransaction) -> None:
        facts = await queries.lock_comment(tx, comment_id)
        if facts is None or facts.status != "active":
            raise NotFoundError("No comment has this id.", field="commentId")
        if facts.author_id == me:
            await queries.set_comment_status(tx, comment_id, "deleted")
        elif await may_remove_for_others(tx, viewer, me, facts.community_id):
            await record_removal(tx, rt, me, "comment", comment_id, cleaned_reason or "")
        elif not await queries.comments_by_ids(tx, [comment_id], me):
            # hidden from the caller (its post, or its author across a block): as an unknown id
            raise NotFoundError("No comment has this id.", field="commentId")
        else:
            raise ForbiddenError("Only the author, the community's moderators or city officers remove a comment.")

    await rt.graph.write(work)


def comment_view(found: queries.CommentRow, post_id: str) -> CommentView:
    return CommentView(found.id, found.author_id, found.text, found.created_at.to_native(), post_id)


def comment_page(post_id: str, comments: tuple[queries.CommentRow, ...], total: int) -> CommentPage:
    return CommentPage(comments=[comment_view(c, post_id) for c in comments], total=total)


def comments_cursor(post_id: str) -> CursorKind:
    """The cursors of one post's comments: a cursor of another post's comments is refused."""
    return COMMENTS_CURSOR.scoped(post_id)


async def first_comments_of_posts(
    rt: Runtime, viewer: Viewer, post_ids: list[str], limit: int, *, backwards: bool = False
) -> list[CommentPage]:
    """The first ``limit`` top-level comments of each post the viewer may see (oldest first; ``backwards``: the last
    ones, newest first), and their total: the batch behind ``Post.comments`` without a cursor (``first_page`` makes
    a page of it)."""
    window = Window(after=None, before=None, backwards=backwards, limit=limit)
    found = await rt.graph.read(queries.comments_of_posts, post_ids, viewer.actor_id, window)
    by_post = {p.post_id: p for p in found}
    return [
        comment_page(post_id, by_post[post_id].comments, by_post[post_id].total)
        if post_id in by_post
        else CommentPage(comments=[], total=0)
        for post_id in post_ids
    ]


def first_page(post_id: str, found: CommentPage, request: PageRequest) -> Page[CommentView]:
    """The first (or, backwards, the last) page of a post's comments from what ``first_comments_of_posts`` read
    (``request.size + 1``, the same way as ``request``)."""
    return request.page(
        found.comments, comments_cursor(post_id), lambda c: (c.created_at, c.id), total_count=found.total
    )


async def comments_of_post(rt: Runtime, viewer: Viewer, post_id: str, request: PageRequest) -> Page[CommentView]:
    """Any page of a post's top-level comments, either way (oldest first in display order)."""
    cursor = comments_cursor(post_id)
    found = await rt.graph.read(queries.comments_of_posts, [post_id], viewer.actor_id, request.window(cursor))
    page = comment_page(post_id, found[0].comments, found[0].total) if found else CommentPage(comments=[], total=0)
    return request.page(page.comments, cursor, lambda c: (c.created_at, c.id), total_count=page.total)


async def comments_by_ids(rt: Runtime, viewer: Viewer, ids: list[str]) -> list[CommentView | None]:
    """Comments by id in the order asked, None for one the viewer may not see (removed, on a post hidden from them,
    across a block): ``node(id:)`` and ``nodes(ids:)``."""
    if not ids:
        return []
    found = await rt.graph.read(queries.comments_by_ids, ids, viewer.actor_id)
    views = {c.comment.id: comment_view(c.comment, c.post_id) for c in found}
    return [views.get(comment_id) for comment_id in ids]


async def replies_of_comments(
    rt: Runtime, viewer: Viewer, comment_ids: list[str], post_ids: dict[str, str]
) -> list[list[CommentView]]:
    """The replies to each comment (``post_ids``: the post of each comment)."""
    found = {
        r.comment_id: r.replies for r in await rt.graph.read(queries.replies_of_comments, comment_ids, viewer.actor_id)
    }
    return [[comment_view(c, post_ids[cid]) for c in found.get(cid, ())] for cid in comment_ids]
