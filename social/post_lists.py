"""The hot lists of posts (an actor's posts, a community's, the feed) read as one compiled statement each
(``graph.posts``): the page of posts with what the client selected of them, turned into views through the same
exits as everywhere else (``post_view``, ``comment_view``, ``identity.views`` for every actor, the community's
view), ready for the resolvers to prime the request's DataLoaders with.

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
from graph.posts import ActorShape, ListedActor, ListedComment, ListedPost, PostShape
from graph.social import Relation
from identity import views as identity_views
from identity.model import OrganizationView, PersonView
from places.model import Commune
from social import communities as social_communities
from social.comments import comment_view
from social.feed import FEED_CURSOR
from social.model import CommentPage, CommentView, PostView, ReactionSummary
from social.posts import POSTS_CURSOR, post_view
from social.reactions import reaction_summary

__all__ = ["ActorShape", "PostListPage", "PostShape", "community_posts", "feed", "posts_of_author"]


@dataclass(frozen=True)
class PostListPage:
    """A page of posts and the views of what was selected with them, keyed as the loaders of the nested fields
    are: actors by id (None: hidden from the viewer), relations by actor id (None: for myself or signed out),
    reactions, first comments and communities by post or community id, replies by comment id, wards by id."""

    page: Page[PostView]
    authors: dict[str, PersonView | OrganizationView | None] = field(default_factory=dict)
    relations: dict[str, Relation | None] = field(default_factory=dict)
    reactions: dict[str, ReactionSummary] = field(default_factory=dict)
    comments: dict[str, CommentPage] = field(default_factory=dict)
    replies: dict[tuple[str, str], list[CommentView]] = field(default_factory=dict)
    communities: dict[str, social_communities.CommunityView | None] = field(default_factory=dict)
    wards: dict[str, Commune] = field(default_factory=dict)


def _actor_view(found: ListedActor, viewer: Viewer) -> PersonView | OrganizationView | None:
    return identity_views.shown_actor(found.person, found.organization, viewer)


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
    rows = request.page(found, kind, key)
    listed = PostListPage(page=rows.shown([post_view(r.post) for r in rows.items]))

    def actor(actor_id: str, record: ListedActor | None, relation: Relation | None, shape_of: ActorShape) -> None:
        if shape_of.record and record is not None and actor_id not in listed.authors:
            listed.authors[actor_id] = _actor_view(record, viewer)
        if shape_of.relation:
            listed.relations[actor_id] = relation

    def comment(c: ListedComment, post_id: str, shape_of: ActorShape) -> CommentView:
        actor(c.comment.author_id, c.author, c.relation, shape_of)
        if c.replies is not None:
            listed.replies[(c.comment.id, post_id)] = [comment(r, post_id, shape.reply_author) for r in c.replies]
        return comment_view(c.comment, post_id)

    for r in rows.items:
        post_id = r.post.id
        actor(r.post.author_id, r.author, r.author_relation, shape.author)
        if shape.reactions:
            listed.reactions[post_id] = reaction_summary(r.reaction_counts, r.my_reaction)
        if shape.comments:
            shown = [comment(c, post_id, shape.comment_author) for c in r.comments or ()]
            listed.comments[post_id] = CommentPage(comments=shown, total=r.comment_total or 0)
        if r.community is not None:
            listed.communities[r.community.community.id] = social_communities.community_view(r.community)
        if r.ward is not None:
            listed.wards[r.ward["id"]] = Commune.from_record(r.ward)
    return listed


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
