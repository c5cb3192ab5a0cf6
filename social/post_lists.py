"""The hot lists of posts (an actor's posts, a community's, the feed, a search: ``social.discovery``) read as one
compiled statement each (``graph.posts``): the page of posts with what the client selected of them, turned into
views through the same exits as everywhere else (``post_view``, ``comment_view``, the community's view), ready for
the resolvers to prime the request's DataLoaders with. The actors shown with them (authors, commenters, repliers)
are handed on as identity's compiled reads hand them (``identity.views.ActorRecord``): only
``identity.views.actor_view`` turns them into views (the resolvers' ``prime_records``).

Which posts: ``POST_VISIBLE`` inside the statement (``social.visibility.may_see_post``), and the feed leaves out
whom I muted; comments, replies and reactions across a block are left out as their loaders leave them out.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from auth.permissions import authorize
from auth.viewer import Viewer
from core.pagination import CursorKind, Page, PageRequest
from core.runtime import Runtime
from graph import posts as queries
from graph.posts import ListedComment, ListedPost, PostShape
from identity.views import ActorRecord, ActorShape
from places.model import Commune
from social import communities as social_communities
from social.comments import comment_view
from social.feed import FEED_CURSOR
from social.model import CommentPage, CommentView, PostView, ReactionSummary
from social.posts import POSTS_CURSOR, post_view
from social.reactions import reaction_summary

__all__ = ["ActorShape", "PostListPage", "PostShape", "community_posts", "feed", "listed_page", "posts_of_author"]


@dataclass(frozen=True)
class PostListPage:
    """A page of posts and the views of what was selected with them, keyed as the loaders of the nested fields
    are: reactions, first comments and communities by post or community id, replies by comment id, wards by id; the
    actors shown with them as the statement read them (``actor_shape``: what it read of each; None: no actor)."""

    page: Page[PostView]
    actors: list[ActorRecord] = field(default_factory=list)
    actor_shape: ActorShape | None = None
    reactions: dict[str, ReactionSummary] = field(default_factory=dict)
    comments: dict[str, CommentPage] = field(default_factory=dict)
    replies: dict[tuple[str, str], list[CommentView]] = field(default_factory=dict)
    communities: dict[str, social_communities.CommunityView | None] = field(default_factory=dict)
    wards: dict[str, Commune] = field(default_factory=dict)


def listed_page(rows: Page[ListedPost], actors: list[ActorRecord], shape: PostShape) -> PostListPage:
    """The page of a compiled list of posts (``rows``, with the ``actors`` its statement read) as views."""
    listed = PostListPage(
        page=rows.shown([post_view(r.post) for r in rows.items]), actors=actors, actor_shape=shape.actors
    )

    def comment(c: ListedComment, post_id: str) -> CommentView:
        if c.replies is not None:
            listed.replies[(c.comment.id, post_id)] = [comment(r, post_id) for r in c.replies]
        return comment_view(c.comment, post_id)

    for r in rows.items:
        post_id = r.post.id
        if shape.reactions:
            listed.reactions[post_id] = reaction_summary(r.reaction_counts, r.my_reaction)
        if shape.comments:
            shown = [comment(c, post_id) for c in r.comments or ()]
            listed.comments[post_id] = CommentPage(comments=shown, total=r.comment_total or 0)
        if r.community is not None:
            listed.communities[r.community.community.id] = social_communities.community_view(r.community)
        if r.ward is not None:
            listed.wards[r.ward["id"]] = Commune.from_record(r.ward)
    return listed


async def _read(
    rt: Runtime,
    viewer: Viewer,
    source: str,
    shape: PostShape,
    request: PageRequest,
    kind: CursorKind,
    key: Callable[[ListedPost], tuple[Any, ...]],
    *,
    comment_limit: int,
    **ids: str,
) -> PostListPage:
    found = await rt.graph.read(
        queries.post_list,
        source,
        shape,
        request.window(kind),
        viewer_id=viewer.actor_id,
        comment_limit=comment_limit,
        **ids,
    )
    return listed_page(request.page(found.posts, kind, key), found.actors, shape)


def _by_view_time(r: ListedPost) -> tuple[Any, ...]:
    return (r.post.created_at.to_native(), r.post.id)


async def posts_of_author(
    rt: Runtime, viewer: Viewer, author: str, request: PageRequest, shape: PostShape, *, comment_limit: int = 0
) -> PostListPage:
    """An actor's posts the viewer may see, newest first (cursors scoped to the author: ``social.posts``)."""
    kind = POSTS_CURSOR.scoped(author)
    return await _read(
        rt, viewer, "author", shape, request, kind, _by_view_time, comment_limit=comment_limit, author_id=author
    )


async def community_posts(
    rt: Runtime, viewer: Viewer, community_id: str, request: PageRequest, shape: PostShape, *, comment_limit: int = 0
) -> PostListPage:
    """The community's posts newest first, as far as the viewer may see them (the one post rule: a community's
    posts are for its members; never across a block); cursors as ``social.communities`` gives them (the stored time,
    to the nanosecond)."""
    kind = social_communities.POSTS_CURSOR.scoped(community_id)
    return await _read(
        rt,
        viewer,
        "community",
        shape,
        request,
        kind,
        lambda r: (r.post.created_at, r.post.id),
        comment_limit=comment_limit,
        community_id=community_id,
    )


async def feed(
    rt: Runtime, viewer: Viewer, request: PageRequest, shape: PostShape, *, comment_limit: int = 0
) -> PostListPage:
    """A page of my feed (``social.feed``): posts of my connections, the actors I follow, my communities and my
    own, newest first, not of whom I muted."""
    me = authorize(viewer, "social.feed.read")
    kind = FEED_CURSOR.scoped(me)
    return await _read(rt, viewer, "feed", shape, request, kind, _by_view_time, comment_limit=comment_limit)
