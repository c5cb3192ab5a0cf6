"""The loaders of posts and of what is shown with them (authors, relations, reactions, first comments, replies,
communities), and the compiled lists of posts (``social.post_lists``): the shape of what the client selected below a
list and the priming of the loaders from what its one statement read (its actors through ``resolvers.identity``). A
leaf of the resolvers: ``resolvers.social``, ``resolvers.communities`` and ``resolvers.discovery`` use it, and it
imports none of them."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING

import strawberry
from strawberry.dataloader import DataLoader
from strawberry.types.nodes import SelectedField

from core.errors import UserInputError
from core.pagination import PageRequest
from graph.posts import merged
from identity import views as identity_views
from resolvers.common import selected_field, selects
from resolvers.identity import below, prime_actors, prime_records, shape_below
from resolvers.places import prime_communes
from schema.social import Post, PostConnection
from social import comments as social_comments
from social import communities as social_communities
from social import reactions as social_reactions
from social import relations as social_relations
from social.communities import CommunityView
from social.post_lists import ActorShape, PostListPage, PostShape

if TYPE_CHECKING:  # the rows social.relations hands on as they are
    from graph.social import Relation as RelationFacts

# --- loaders --------------------------------------------------------------------------------------------------------


def actor_loader(context) -> DataLoader:
    async def load(ids: list[str]):
        return await identity_views.actors_by_ids(context.runtime, context.viewer, ids)

    return DataLoader(load_fn=load)


def reactions_loader(context) -> DataLoader:
    async def load(post_ids: list[str]):
        return await social_reactions.reactions_of_posts(context.runtime, context.viewer, post_ids)

    return DataLoader(load_fn=load)


def comments_loader(first: int, backwards: bool = False):
    def factory(context) -> DataLoader:
        async def load(post_ids: list[str]):
            return await social_comments.first_comments_of_posts(
                context.runtime, context.viewer, post_ids, first, backwards=backwards
            )

        return DataLoader(load_fn=load)

    return factory


class RelationLoader(DataLoader[str, "RelationFacts | None"]):
    """My relation to the actors of a list, one statement for them all. Not cached: a relation read after a
    mutation of the same request (its payload's) is read again, as it is now. A compiled list of a query (never
    of a mutation) hands it the relations it read (``primed``), so they are not read again."""

    def __init__(self, load_fn: Callable[[list[str]], Awaitable[list[RelationFacts | None]]]) -> None:
        super().__init__(load_fn=load_fn, cache=False)
        self.primed: dict[str, RelationFacts | None] = {}

    def load(self, key: str) -> Awaitable[RelationFacts | None]:
        if key in self.primed:
            known: asyncio.Future[RelationFacts | None] = asyncio.get_running_loop().create_future()
            known.set_result(self.primed[key])
            return known
        return super().load(key)


def relation_loader(context) -> RelationLoader:
    async def load(actor_ids: list[str]) -> list[RelationFacts | None]:
        return await social_relations.relations_to(context.runtime, context.viewer, actor_ids)

    return RelationLoader(load)


def replies_loader(context) -> DataLoader:
    async def load(keys: list[tuple[str, str]]):
        comment_ids = [k[0] for k in keys]
        return await social_comments.replies_of_comments(context.runtime, context.viewer, comment_ids, dict(keys))

    return DataLoader(load_fn=load)


def communities_loader(context) -> DataLoader:
    async def load(ids: list[str]):
        return await social_communities.communities_by_ids(context.runtime, context.viewer, ids)

    return DataLoader(load_fn=load)


def prime_communities(info: strawberry.Info, communities: Mapping[str, CommunityView | None]) -> None:
    """Hand the request's CommunityByIdLoader the communities a compiled list read."""
    loader = info.context.loader("CommunityByIdLoader", communities_loader)
    for community_id, view in communities.items():
        loader.prime(community_id, view)


# --- compiled lists of posts -------------------------------------------------------------------------------------


def _item_selects(info: strawberry.Info, *path: str) -> bool:
    """Whether the items of the list being resolved (``edges.node`` or ``nodes``) select the field at ``path``."""
    return selects(info, "edges", "node", *path) or selects(info, "nodes", *path)


def _item_field(info: strawberry.Info, *path: str) -> SelectedField | None:
    return selected_field(info, "edges", "node", *path) or selected_field(info, "nodes", *path)


def _first_comments_request(info: strawberry.Info) -> PageRequest | None:
    """The page of comments the client asks of each post of a list, when the list's statement can fetch it (a
    first page: no cursor, forwards)."""
    selected = _item_field(info, "comments")
    if selected is None or any(selected.arguments.get(a) is not None for a in ("after", "before", "last")):
        return None
    first = selected.arguments.get("first")
    try:
        # A literal argument arrives as its source text ("3"); a variable as its value.
        return PageRequest.from_args(first=int(first) if first is not None else None, after=None)
    except (UserInputError, ValueError, TypeError):
        return None  # the comments field itself reports the mistake


def comments_loader_name(size: int, *, backwards: bool = False, total_only: bool = False) -> str:
    """The name of the request's loader of the first (``backwards``: last) ``size`` comments of posts. A selection
    of nothing but their total (``total_only``) has a loader of its own, which a compiled list primes with the totals
    alone (no comment read): a selection of the comments themselves never meets those empty pages."""
    return f"CommentsByPostLoader:{size}" + (":last" if backwards else "") + (":total" if total_only else "")


def total_only(info: strawberry.Info) -> bool:
    """Whether the comments field being resolved selects nothing but the total (``totalCount``)."""
    return (below(info) or frozenset()) <= {"totalCount", "__typename"}


def _actor_shape(info: strawberry.Info, *path: str) -> ActorShape | None:
    """What the items select of the actor at ``path`` (``resolvers.identity.shape_below``, through ``edges.node`` and
    ``nodes`` both); None when not selected."""
    return merged(shape_below(info, "edges", "node", *path), shape_below(info, "nodes", *path))


def post_shape(info: strawberry.Info) -> tuple[PostShape, int]:
    """What the client selected below the list of posts being resolved (``graph.posts.PostShape``), and how many
    first comments of each post to read (the page size asked, and one more to tell whether more follow)."""
    comments = _first_comments_request(info)
    rows = comments is not None and any(
        _item_selects(info, "comments", *path) for path in (("edges",), ("nodes",), ("pageInfo",))
    )
    under = ("comments", "edges", "node") if _item_selects(info, "comments", "edges") else ("comments", "nodes")
    shape = PostShape(
        author=_actor_shape(info, "author"),
        reactions=_item_selects(info, "reactions"),
        comments=comments is not None,
        comment_rows=rows,
        comment_author=_actor_shape(info, *under, "author") if rows else None,
        replies=rows and _item_selects(info, *under, "replies"),
        reply_author=_actor_shape(info, *under, "replies", "author") if rows else None,
        community=_item_selects(info, "community"),
        ward=_item_selects(info, "ward"),
    )
    return shape, comments.size + 1 if comments is not None else 0


def prime_post_list(info: strawberry.Info, listed: PostListPage, shape: PostShape) -> PostConnection:
    """The connection of a compiled list of posts, with what its statement read primed into the loaders the
    nested fields read, so they run no query: its actors through identity's one exit (``prime_records``: their
    views, the viewer's relation to them, an organisation's representatives), reactions, first comments (or their
    totals alone), replies, communities and wards."""
    context = info.context
    if listed.actor_shape is not None:
        views = prime_records(info, listed.actors, listed.actor_shape)
        if not listed.actor_shape.display:  # a full view answers a place that selects display fields only too
            prime_actors(info, views, display=True)
    reactions = context.loader("ReactionsByPostLoader", reactions_loader)
    for post_id, summary in listed.reactions.items():
        reactions.prime(post_id, summary)
    comments_request = _first_comments_request(info) if shape.comments else None
    if comments_request is not None:
        size = comments_request.size
        # A page read with its comments answers a selection of the total alone too; one read without does not.
        for total in (True,) if not shape.comment_rows else (False, True):
            comments = context.loader(comments_loader_name(size, total_only=total), comments_loader(size + 1))
            for post_id, page in listed.comments.items():
                comments.prime(post_id, page)
    replies = context.loader("RepliesByCommentLoader", replies_loader)
    for key, found in listed.replies.items():
        replies.prime(key, found)
    prime_communities(info, listed.communities)
    prime_communes(info, listed.wards)
    return PostConnection.from_page(listed.page, Post.of)
