"""The feed: posts of my connections, the actors I follow, my communities and my own, newest first (not of whom
I muted, and only those I may see: ``POST_VISIBLE``)."""

from __future__ import annotations

from auth.permissions import authorize
from auth.viewer import Viewer
from core.pagination import PageRequest, keyset_kind
from core.runtime import Runtime
from graph import social as queries
from identity import views as identity_views
from social.comments import comment_page
from social.model import FeedPage
from social.posts import post_view
from social.reactions import reaction_summary

#: Cursors of the feed: (createdAt, id), scoped to the viewer (``FEED_CURSOR.scoped(me)``): a cursor of another
#: person's feed is refused.
FEED_CURSOR = keyset_kind("feed")


async def feed(
    rt: Runtime,
    viewer: Viewer,
    request: PageRequest,
    *,
    with_authors: bool = False,
    with_reactions: bool = False,
    comment_limit: int = 0,
) -> FeedPage:
    """A page of my feed; with its authors' views, reaction summaries and first ``comment_limit`` comments from the
    same query when the caller will show them."""
    me = authorize(viewer, "social.feed.read")
    kind = FEED_CURSOR.scoped(me)
    found = await rt.graph.read(
        queries.feed,
        me,
        request.window(kind),
        with_author=with_authors,
        with_reactions=with_reactions,
        comment_limit=comment_limit,
    )
    page = request.page([post_view(r.post) for r in found], kind, lambda p: (p.created_at, p.id))
    shown_ids = {p.id for p in page.items}
    shown = [r for r in found if r.post.id in shown_ids]
    authors = {r.post.author_id: identity_views.person_view(r.author_record, viewer) for r in shown if r.author_record}
    reactions = {r.post.id: reaction_summary(r.reaction_counts, r.my_reaction) for r in shown if with_reactions}
    comments = {r.post.id: comment_page(r.post.id, r.comments, r.comment_total or 0) for r in shown if comment_limit}
    return FeedPage(page=page, authors=authors, reactions=reactions, comments=comments)
