"""Posts: writing, editing and removing them, and reading them as a viewer may see them.

Every post leaves this module through ``POST_VISIBLE`` (``graph.social``), the Cypher mirror of
``social.visibility.may_see_post``: a query never returns a post its viewer may not see."""

from __future__ import annotations

import re
import uuid
from typing import NoReturn

from neo4j import AsyncManagedTransaction

from auth.permissions import authorize
from auth.viewer import Viewer
from core.errors import ForbiddenError, NotFoundError, Problems, UserInputError
from core.pagination import keyset_kind
from core.runtime import Runtime
from core.text import checked_text, fold
from graph import social as queries
from moderation.enforcement import assert_not_suspended, record_removal
from places.communes import require_commune
from social.model import PostView
from social.publishing import MAX_REASON_LENGTH, checked_body, may_remove_for_others, tell_mentioned
from social.visibility import VISIBILITIES

MAX_POST_LENGTH = 5000
_TAG = re.compile(r"^[\w-]{1,40}$")

POSTS_CURSOR = keyset_kind("posts")


def post_view(found: queries.PostRow) -> PostView:
    return PostView(
        id=found.id,
        author_id=found.author_id,
        text=found.text,
        visibility=found.visibility,
        tags=found.tags,
        created_at=found.created_at.to_native(),
        edited_at=found.edited_at.to_native() if found.edited_at else None,
        community_id=found.community_id,
        ward_id=found.ward_id,
    )


def _check_tags(tags: list[str] | None) -> list[str]:
    cleaned = sorted({fold(t).replace(" ", "-") for t in tags or [] if t.strip()})
    if len(cleaned) > 10 or not all(_TAG.match(t) for t in cleaned):
        raise UserInputError("Up to 10 tags of letters, digits and dashes (40 characters each).", field="tags")
    return cleaned


async def create_post(
    rt: Runtime,
    viewer: Viewer,
    *,
    text: str,
    visibility: str,
    community_id: str | None,
    ward_code: str | None,
    tags: list[str] | None,
    problems: Problems | None = None,
) -> PostView:
    """Write a post. Every mistake of the input is reported at once, with those of ``problems`` (what the caller
    found in the same input, such as a malformed ``communityId``), before anything is read or written."""
    me = authorize(viewer, "social.post.create")
    problems = Problems() if problems is None else problems
    body = problems.take(lambda: checked_body(text, MAX_POST_LENGTH, "text"))
    if visibility not in VISIBILITIES:
        problems.add(UserInputError("Visibility is PUBLIC, CONNECTIONS or COMMUNITY.", field="visibility"))
    elif (visibility == "community") != (community_id is not None) and not _named(problems, "communityId"):
        problems.add(
            UserInputError("A COMMUNITY post names its community, and only such a post does.", field="communityId")
        )
    cleaned_tags = problems.take(lambda: _check_tags(tags))
    problems.raise_if_any()
    assert body is not None and cleaned_tags is not None
    post_id = str(uuid.uuid4())

    async def work(tx: AsyncManagedTransaction) -> None:
        await assert_not_suspended(tx, me)
        if community_id is not None:
            member = await queries.membership(tx, me, community_id)
            if member is None:
                raise NotFoundError("No community has this id.", field="communityId")
            if member.role is None:
                raise ForbiddenError("Only members post in a community; join it first.")
        if ward_code is not None:
            await require_commune(tx, ward_code, field="wardCode")
        await queries.create_post(
            tx,
            id=post_id,
            author_id=me,
            text=body,
            search_text=fold(body),
            visibility=visibility,
            tags=cleaned_tags,
            community_id=community_id,
            ward_code=ward_code,
        )
        await tell_mentioned(tx, rt, me, body, post_id)

    await rt.graph.write(work)
    return await visible_post(rt, viewer, post_id)


def _named(problems: Problems, field: str) -> bool:
    """Whether a mistake about ``field`` is recorded already (one error per field is enough)."""
    return any(error.field == field for error in problems.errors)


async def edit_post(
    rt: Runtime,
    viewer: Viewer,
    post_id: str,
    *,
    text: str | None,
    visibility: str | None,
    problems: Problems | None = None,
) -> PostView:
    """The author changes a post's text or visibility. ``problems``: as for ``create_post`` (a malformed
    ``postId``)."""
    me = authorize(viewer, "social.post.edit")
    problems = Problems() if problems is None else problems
    props: dict[str, str] = {}
    if text is not None and (body := problems.take(lambda: checked_body(text, MAX_POST_LENGTH, "text"))) is not None:
        props.update(text=body, searchText=fold(body))
    if visibility is not None:
        if visibility not in VISIBILITIES:
            problems.add(UserInputError("Visibility is PUBLIC, CONNECTIONS or COMMUNITY.", field="visibility"))
        props["visibility"] = visibility
    problems.raise_if_any()

    async def work(tx: AsyncManagedTransaction) -> None:
        facts = await queries.lock_post(tx, post_id)
        if facts is None or facts.status != "active":
            raise NotFoundError("No post has this id.", field="postId")
        if facts.author_id != me:
            await _refuse_others(tx, me, post_id, "Only the author edits a post.")
        await assert_not_suspended(tx, me)
        if props.get("visibility") == "community" and facts.community_id is None:
            raise UserInputError("Only a post written in a community can be COMMUNITY-only.", field="visibility")
        if props.get("visibility") in ("public", "connections") and facts.community_id is not None:
            raise UserInputError("A community post stays visible to its community only.", field="visibility")
        await queries.update_post(tx, post_id, props)

    await rt.graph.write(work)
    return await visible_post(rt, viewer, post_id)


async def delete_post(
    rt: Runtime, viewer: Viewer, post_id: str, *, reason: str | None = None, problems: Problems | None = None
) -> None:
    """Authors delete their posts; community moderators and officers remove posts (moderation records it).
    ``problems``: as for ``create_post`` (a malformed ``postId``)."""
    me = authorize(viewer, "social.post.delete")
    problems = Problems() if problems is None else problems
    cleaned_reason = problems.take(lambda: checked_text(reason, field="reason", max_length=MAX_REASON_LENGTH))
    problems.raise_if_any()

    async def work(tx: AsyncManagedTransaction) -> None:
        facts = await queries.lock_post(tx, post_id)
        if facts is None or facts.status != "active":
            raise NotFoundError("No post has this id.", field="postId")
        if facts.author_id == me:
            await queries.update_post(tx, post_id, {"status": "deleted"})
            return
        if await may_remove_for_others(tx, viewer, me, facts.community_id):
            await record_removal(tx, rt, me, "post", post_id, cleaned_reason or "")
            return
        await _refuse_others(
            tx, me, post_id, "Only the author, the community's moderators or city officers remove a post."
        )

    await rt.graph.write(work)


async def _refuse_others(tx: AsyncManagedTransaction, me: str, post_id: str, forbidden: str) -> NoReturn:
    """Refuse a change of someone else's post as an unknown id would be (NOT_FOUND naming ``postId``) when the caller
    may not see it (connections-only, community-only, across a block), so a refusal never tells "hidden" from "does
    not exist"; FORBIDDEN (``forbidden``) only for a post the caller sees."""
    if not await queries.posts_by_ids(tx, [post_id], me):
        raise NotFoundError("No post has this id.", field="postId")
    raise ForbiddenError(forbidden)


async def posts_by_ids(rt: Runtime, viewer: Viewer, ids: list[str]) -> list[PostView | None]:
    """The posts of ``ids`` the viewer may see, in that order; None for the others."""
    found = {p.id: post_view(p) for p in await rt.graph.read(queries.posts_by_ids, ids, viewer.actor_id)}
    return [found.get(i) for i in ids]


async def visible_post(rt: Runtime, viewer: Viewer, post_id: str, field: str = "postId") -> PostView:
    """The post, if the viewer may see it; NOT_FOUND naming ``field`` (as for an unknown id) otherwise."""
    (post,) = await posts_by_ids(rt, viewer, [post_id])
    if post is None:
        raise NotFoundError("No post has this id.", field=field)
    return post
