"""Use cases of the social graph. Every rule respects blocks and each field's audience: people reach
the API only as identity views, posts only through ``POST_VISIBLE`` / ``may_see_post``."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime

from neo4j import AsyncManagedTransaction

from auth.permissions import require_person
from auth.viewer import Viewer
from core.errors import ForbiddenError, NotFoundError, RateLimitedError, UserInputError
from core.pagination import Page, PageRequest, keyset_kind
from core.runtime import Runtime
from core.text import checked_text, fold, nfc
from graph import social as queries
from identity import views as identity_views
from identity.model import OrganizationView, PersonView
from moderation.enforcement import assert_not_suspended
from moderation.service import record_removal
from social.model import LIST_KINDS, REACTION_KINDS, CommentPage, CommentView, FeedPage, PostView, ReactionSummary
from social.notifications import notify, notify_unless_repeated
from social.visibility import VISIBILITIES, PostFacts, may_see_post

NOT_FOUND = "No person or organisation has this id."
MAX_POST_LENGTH = 5000
MAX_COMMENT_LENGTH = 2000
MAX_REASON_LENGTH = 1000
_TAG = re.compile(r"^[\w-]{1,40}$")


# --- connections, follows, blocks, mutes ---------------------------------------------------------------------


async def _relation(tx: AsyncManagedTransaction, me: str, other: str, *, past_their_block: bool = False) -> dict:
    """Lock both and read how we relate. A blocker is invisible to whom they blocked (the same answer as an
    unknown id), except to block them back or lift that block (``past_their_block``)."""
    if me == other:
        raise UserInputError("That is you.", field="actorId")
    relation = await queries.lock_relation(tx, me, other)
    if relation is None or relation["status"] != "active" or (relation["blockedByThem"] and not past_their_block):
        raise NotFoundError(NOT_FOUND)
    return relation


async def request_connection(rt: Runtime, viewer: Viewer, other: str) -> str:
    """Ask someone to connect; if they asked me already, we connect at once. Returns the state.

    At most ``connection_requests_per_day`` requests are *sent* in any 24 hours (withdrawn, declined and
    accepted ones count too); the target is notified at most once a day per requester (``REPEATED_NOTICE_DAYS``)."""
    me = require_person(viewer)
    cap = rt.settings.connection_requests_per_day

    async def work(tx: AsyncManagedTransaction) -> str:
        relation = await _relation(tx, me, other)
        if not relation["isPerson"]:
            raise UserInputError("Organisations are followed, not connected with.", field="actorId")
        if relation["blockedByMe"]:
            raise UserInputError("You blocked this person; unblock them first.", code="CONFLICT", field="actorId")
        if relation["connected"]:
            raise UserInputError("You are connected already.", code="CONFLICT", field="actorId")
        if relation["requestedByThem"]:
            await queries.connect(tx, me, other)
            await _notify(tx, other, "connection_accepted", me, me)
            return "connected"
        if relation["requestedByMe"]:
            raise UserInputError("You asked already; wait for their answer.", code="CONFLICT", field="actorId")
        retry_after = await queries.claim_request_slot(tx, me, cap)
        if retry_after is not None:
            raise RateLimitedError(f"You may send {cap} connection requests a day.", retry_after_seconds=retry_after)
        await queries.write_edge(tx, "request", me, other)
        await notify_unless_repeated(
            tx, other, "connection_requested", sender=me, actor=me, subject=me, subject_type="Person"
        )
        return "requested"

    return await rt.graph.write(work)


async def answer_request(rt: Runtime, viewer: Viewer, requester: str, *, accept: bool) -> None:
    me = require_person(viewer)

    async def work(tx: AsyncManagedTransaction) -> None:
        relation = await _relation(tx, me, requester)
        if not relation["requestedByThem"]:
            raise UserInputError("This person has not asked to connect with you.", code="CONFLICT", field="actorId")
        if accept:
            await queries.connect(tx, requester, me)
            await _notify(tx, requester, "connection_accepted", me, me)
        else:
            await queries.delete_request(tx, requester, me)

    await rt.graph.write(work)


async def cancel_request(rt: Runtime, viewer: Viewer, other: str) -> None:
    me = require_person(viewer)
    if not await rt.graph.write(queries.delete_request, me, other):
        raise UserInputError("You have no pending request to this person.", code="CONFLICT", field="actorId")


async def remove_connection(rt: Runtime, viewer: Viewer, other: str) -> None:
    me = require_person(viewer)
    if not await rt.graph.write(queries.disconnect, me, other):
        raise UserInputError("You are not connected with this person.", code="CONFLICT", field="actorId")


async def set_edge(rt: Runtime, viewer: Viewer, other: str, kind: str, on: bool) -> None:
    """Follow, block or mute (on), or undo it (off). Blocking removes connections, requests and
    follows in both directions; muting is private and only hides them from my feed. A blocked person
    may block back; each block is lifted only by whoever made it, so the other one's stays."""
    me = require_person(viewer)

    async def work(tx: AsyncManagedTransaction) -> None:
        relation = await _relation(tx, me, other, past_their_block=kind == "block")
        if on:
            if kind == "follow" and relation["blockedByMe"]:
                raise UserInputError("You blocked this actor; unblock them first.", code="CONFLICT", field="actorId")
            await queries.write_edge(tx, kind, me, other)
        elif not await queries.delete_edge(tx, "un" + kind, me, other):
            raise UserInputError(f"There was nothing to undo ({kind}).", code="CONFLICT", field="actorId")

    await rt.graph.write(work)


async def relations_to(rt: Runtime, viewer: Viewer, others: list[str]) -> list[queries.RelationFacts | None]:
    """How I relate to each of ``others``, in one statement; None for anonymous viewers, myself and unknown ids.
    Across a block by them it shows only my own edges (all that a block leaves: my block and mute), so it
    reveals nothing of theirs."""
    if viewer.is_anonymous:
        return [None for _ in others]
    me = viewer.actor_id
    found = await rt.graph.read(queries.relations, me, list({other for other in others if other != me}))
    return [found.get(other) if other != me else None for other in others]


# --- lists of people -------------------------------------------------------------------------------------------

#: Cursors of every list, (time, id), named by list so one list's cursor is refused by another.
PEOPLE_CURSORS = {kind: keyset_kind(f"people.{kind}") for kind in LIST_KINDS}
FEED_CURSOR = keyset_kind("feed")
POSTS_CURSOR = keyset_kind("posts")
COMMENTS_CURSOR = keyset_kind("comments")
NOTIFICATIONS_CURSOR = keyset_kind("notifications")


async def list_actors(
    rt: Runtime, viewer: Viewer, owner: str, kind: str, request: PageRequest
) -> Page[PersonView | OrganizationView]:
    """Connections, followers, following, requests in and out (owner only), mutual connections."""
    if kind not in LIST_KINDS:
        raise UserInputError("Unknown list.", field="kind")
    if kind in ("requests_in", "requests_out") and viewer.actor_id != owner:
        raise ForbiddenError("Only the person themself sees their pending requests.")
    if kind == "mutual" and viewer.is_anonymous:
        return Page(items=[], cursors=[], has_next_page=False, has_previous_page=False, total_count=0)
    (owner_view,) = await identity_views.actors_by_ids(rt, viewer, [owner])
    if owner_view is None:
        raise NotFoundError(NOT_FOUND)
    after = request.keyset(PEOPLE_CURSORS[kind])
    rows, total = await rt.graph.read(queries.list_actors, kind, owner, viewer.actor_id, after, request.size + 1)
    page_rows = rows[: request.size]
    views = await identity_views.actors_by_ids(rt, viewer, [r["id"] for r in page_rows])
    pairs = [(v, r) for v, r in zip(views, page_rows, strict=False) if v is not None]
    settings = await rt.graph.read(queries.social_settings, owner)
    hidden = viewer.actor_id != owner and (
        (kind == "followers" and not settings["showFollowerCount"])
        or (kind == "following" and not settings["showFollowingCount"])
    )
    return Page(
        items=[v for v, _ in pairs],
        cursors=[PEOPLE_CURSORS[kind].encode(r["at"], r["id"]) for _, r in pairs],
        has_next_page=len(rows) > request.size,
        has_previous_page=after is not None,
        total_count=None if hidden else total,
    )


async def set_social_preferences(
    rt: Runtime,
    viewer: Viewer,
    *,
    show_follower_count: bool | None,
    show_following_count: bool | None,
    suggestions_opt_out: bool | None,
) -> None:
    me = require_person(viewer)
    props = {
        k: v
        for k, v in {
            "showFollowerCount": show_follower_count,
            "showFollowingCount": show_following_count,
            "suggestionsOptOut": suggestions_opt_out,
        }.items()
        if v is not None
    }
    await rt.graph.write(queries.set_social_settings, me, props)


# --- posts ---------------------------------------------------------------------------------------------------------


def _post_view(row: dict) -> PostView:
    post = row["post"]
    return PostView(
        id=post["id"],
        author_id=row["authorId"],
        text=post["text"],
        visibility=post["visibility"],
        tags=tuple(post.get("tags") or ()),
        created_at=post["createdAt"].to_native(),
        edited_at=post["editedAt"].to_native() if post.get("editedAt") else None,
        community_id=row.get("communityId"),
        ward_id=row.get("wardId"),
    )


def _check_text(text: str, limit: int, field: str) -> str:
    """Post and comment text: one line has its spaces collapsed; the rule itself is ``core.text.checked_text``."""
    single_line = nfc(text) if "\n" not in (text or "") else text
    return checked_text(single_line, field=field, max_length=limit, required=True) or ""


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
) -> PostView:
    me = require_person(viewer)
    body = _check_text(text, MAX_POST_LENGTH, "text")
    if visibility not in VISIBILITIES:
        raise UserInputError("Visibility is PUBLIC, CONNECTIONS or COMMUNITY.", field="visibility")
    if (visibility == "community") != (community_id is not None):
        raise UserInputError("A COMMUNITY post names its community, and only such a post does.", field="communityId")
    cleaned_tags = _check_tags(tags)
    post_id = str(uuid.uuid4())

    async def work(tx: AsyncManagedTransaction) -> None:
        await assert_not_suspended(tx, me)
        if community_id is not None:
            member = await queries.membership(tx, me, community_id)
            if member is None:
                raise UserInputError("No community has this id.", field="communityId")
            if member["role"] is None:
                raise ForbiddenError("Only members post in a community; join it first.")
        if ward_code is not None:
            from graph.places import commune_by_code  # noqa: PLC0415

            if await commune_by_code(tx, ward_code) is None:
                raise UserInputError("No ward or commune of Hà Nội has this code.", field="wardCode")
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
        await _notify_mentions(tx, me, body, post_id)

    await rt.graph.write(work)
    return (await posts_by_ids(rt, viewer, [post_id]))[0]


async def edit_post(rt: Runtime, viewer: Viewer, post_id: str, *, text: str | None, visibility: str | None) -> PostView:
    me = require_person(viewer)
    props: dict = {}
    if text is not None:
        body = _check_text(text, MAX_POST_LENGTH, "text")
        props.update(text=body, searchText=fold(body))
    if visibility is not None:
        if visibility not in VISIBILITIES:
            raise UserInputError("Visibility is PUBLIC, CONNECTIONS or COMMUNITY.", field="visibility")
        props["visibility"] = visibility

    async def work(tx: AsyncManagedTransaction) -> None:
        facts = await queries.lock_post(tx, post_id)
        if facts is None or facts["status"] != "active":
            raise NotFoundError("No post has this id.")
        if facts["authorId"] != me:
            raise ForbiddenError("Only the author edits a post.")
        await assert_not_suspended(tx, me)
        if props.get("visibility") == "community" and facts["communityId"] is None:
            raise UserInputError("Only a post written in a community can be COMMUNITY-only.", field="visibility")
        if props.get("visibility") in ("public", "connections") and facts["communityId"] is not None:
            raise UserInputError("A community post stays visible to its community only.", field="visibility")
        await queries.update_post(tx, post_id, props)

    await rt.graph.write(work)
    return (await posts_by_ids(rt, viewer, [post_id]))[0]


async def delete_post(rt: Runtime, viewer: Viewer, post_id: str, *, reason: str | None = None) -> None:
    """Authors delete their posts; community moderators and officers remove posts (moderation.py)."""
    me = require_person(viewer)
    cleaned_reason = checked_text(reason, field="reason", max_length=MAX_REASON_LENGTH)

    async def work(tx: AsyncManagedTransaction) -> None:
        facts = await queries.lock_post(tx, post_id)
        if facts is None or facts["status"] != "active":
            raise NotFoundError("No post has this id.")
        if facts["authorId"] == me:
            await queries.update_post(tx, post_id, {"status": "deleted"})
            return
        if await _may_moderate(tx, viewer, facts["communityId"]):
            await record_removal(tx, me, "post", post_id, cleaned_reason or "")
            return
        raise ForbiddenError("Only the author, the community's moderators or city officers remove a post.")

    await rt.graph.write(work)


async def _may_moderate(tx: AsyncManagedTransaction, viewer: Viewer, community_id: str | None) -> bool:
    if viewer.has_role("officer"):
        return True
    if community_id is None:
        return False
    member = await queries.membership(tx, viewer.actor_id, community_id)
    return member is not None and member["role"] in ("moderator", "admin")


async def may_see_post_but_for_my_blocks(rt: Runtime, viewer: Viewer, post_id: str) -> bool:
    """The visibility rule (``may_see_post``) with the viewer's own block of the author left aside: a block by
    the author still hides the post. For reporting: one may report what one blocked."""
    row = await rt.graph.read(queries.post_facts_for_viewer, post_id, viewer.actor_id)
    if row is None:
        return False
    facts = PostFacts(
        status=row["status"],
        visibility=row["visibility"],
        author_id=row["authorId"],
        blocked_either_way=row["authorBlockedViewer"],
        viewer_connected_to_author=row["connected"],
        viewer_member_of_community=row["member"],
    )
    return may_see_post(viewer, facts)


async def posts_by_ids(rt: Runtime, viewer: Viewer, ids: list[str]) -> list[PostView | None]:
    rows = await rt.graph.read(queries.posts_by_ids, ids, viewer.actor_id)
    found = {r["post"]["id"]: _post_view(r) for r in rows}
    return [found.get(i) for i in ids]


async def feed(
    rt: Runtime,
    viewer: Viewer,
    request: PageRequest,
    *,
    with_authors: bool = False,
    with_reactions: bool = False,
    comment_limit: int = 0,
) -> FeedPage:
    """Posts of my connections, the actors I follow and my communities, newest first; with their authors'
    views, reaction summaries and first ``comment_limit`` comments from the same query when the caller will
    show them."""
    me = require_person(viewer)
    after = request.keyset(FEED_CURSOR)
    rows = await rt.graph.read(
        queries.feed,
        me,
        after,
        request.size + 1,
        with_author=with_authors,
        with_reactions=with_reactions,
        comment_limit=comment_limit,
    )
    shown = rows[: request.size]
    items = [_post_view(r) for r in shown]
    page = Page(
        items=items,
        cursors=[FEED_CURSOR.encode(p.created_at, p.id) for p in items],
        has_next_page=len(rows) > request.size,
        has_previous_page=after is not None,
    )
    authors = {r["authorId"]: identity_views.person_view(r["authorRecord"], viewer) for r in shown if r["authorRecord"]}
    reactions = {
        r["post"]["id"]: ReactionSummary(
            counts={c["kind"]: c["count"] for c in r["reactionCounts"]}, mine=r["myReaction"]
        )
        for r in shown
        if with_reactions
    }
    comments = {
        r["post"]["id"]: _comment_page(r["post"]["id"], r["comments"], r["commentTotal"])
        for r in shown
        if comment_limit
    }
    return FeedPage(page=page, authors=authors, reactions=reactions, comments=comments)


async def posts_of_author(rt: Runtime, viewer: Viewer, author: str, request: PageRequest) -> Page[PostView]:
    after = request.keyset(POSTS_CURSOR)
    rows = await rt.graph.read(queries.posts_of_author, author, viewer.actor_id, after, request.size + 1)
    items = [_post_view(r) for r in rows[: request.size]]
    return Page(
        items=items,
        cursors=[POSTS_CURSOR.encode(p.created_at, p.id) for p in items],
        has_next_page=len(rows) > request.size,
        has_previous_page=after is not None,
    )


# --- comments and reactions --------------------------------------------------------------------------------------------


async def _visible_post_or_404(rt: Runtime, viewer: Viewer, post_id: str) -> PostView:
    (post,) = await posts_by_ids(rt, viewer, [post_id])
    if post is None:
        raise NotFoundError("No post has this id.")
    return post


async def comment(rt: Runtime, viewer: Viewer, post_id: str, text: str, parent_id: str | None) -> CommentView:
    """Comment on a post I may see; a reply answers a top-level comment (one level of replies)."""
    me = require_person(viewer)
    body = _check_text(text, MAX_COMMENT_LENGTH, "text")
    post = await _visible_post_or_404(rt, viewer, post_id)
    comment_id = str(uuid.uuid4())

    async def work(tx: AsyncManagedTransaction) -> None:
        await assert_not_suspended(tx, me)
        if parent_id is not None:
            parent = await queries.lock_comment(tx, parent_id, me)
            # a comment across a block is hidden both ways: the same answer as an unknown comment
            if (
                parent is None
                or parent["postId"] != post_id
                or parent["status"] != "active"
                or parent["blockedEitherWay"]
            ):
                raise UserInputError("Reply to an existing comment of the same post.", field="parentId")
            if parent["isReply"]:
                raise UserInputError("Replies go one level deep: answer the top-level comment.", field="parentId")
        await queries.create_comment(tx, id=comment_id, author_id=me, post_id=post_id, text=body, parent_id=parent_id)
        if post.author_id != me:
            await _notify_about_post(tx, post.author_id, "comment", me, post_id)
        await _notify_mentions(tx, me, body, post_id)

    await rt.graph.write(work)
    return CommentView(comment_id, me, body, datetime.now(UTC), post_id)


async def delete_comment(rt: Runtime, viewer: Viewer, comment_id: str, *, reason: str | None = None) -> None:
    """Authors delete their comments; moderators remove others' with a reason (logged by moderation)."""
    me = require_person(viewer)
    cleaned_reason = checked_text(reason, field="reason", max_length=MAX_REASON_LENGTH)

    async def work(tx: AsyncManagedTransaction) -> None:
        facts = await queries.lock_comment(tx, comment_id)
        if facts is None or facts["status"] != "active":
            raise NotFoundError("No comment has this id.")
        if facts["authorId"] == me:
            await queries.set_comment_status(tx, comment_id, "deleted")
        elif await _may_moderate(tx, viewer, facts["communityId"]):
            await record_removal(tx, me, "comment", comment_id, cleaned_reason or "")
        else:
            raise ForbiddenError("Only the author, the community's moderators or city officers remove a comment.")

    await rt.graph.write(work)


async def react(rt: Runtime, viewer: Viewer, post_id: str, kind: str | None) -> None:
    """One reaction per person per post: a new kind replaces the old; None takes it back.

    The author hears of it once per (reactor, post), ever: when the reaction is new and they were not told
    of this person's reaction to this post before. Changing the kind, or taking it back and reacting again,
    notifies no one (the reactor is write-locked for the decision, so parallel calls notify once)."""
    me = require_person(viewer)
    if kind is not None and kind not in REACTION_KINDS:
        raise UserInputError(f"A reaction is one of {', '.join(REACTION_KINDS)}.", field="kind")
    post = await _visible_post_or_404(rt, viewer, post_id)

    async def work(tx: AsyncManagedTransaction) -> None:
        created = await queries.react(tx, me, post_id, kind)
        if created and post.author_id != me and await queries.claim_reaction_notice(tx, me, post_id):
            await _notify_about_post(tx, post.author_id, "reaction", me, post_id)

    await rt.graph.write(work)


async def comments_of_posts(
    rt: Runtime, viewer: Viewer, post_ids: list[str], first: int, after: tuple[str, str] | None = None
) -> list[CommentPage]:
    rows = await rt.graph.read(queries.comments_of_posts, post_ids, viewer.actor_id, after, first)
    by_post = {r["postId"]: r for r in rows}
    return [
        _comment_page(post_id, by_post[post_id]["comments"], by_post[post_id]["total"])
        if post_id in by_post
        else CommentPage(comments=[], total=0)
        for post_id in post_ids
    ]


def _comment_page(post_id: str, comments: list[dict], total: int) -> CommentPage:
    return CommentPage(
        comments=[
            CommentView(c["id"], c["authorId"], c["text"], c["createdAt"].to_native(), post_id) for c in comments
        ],
        total=total,
    )


async def replies_of_comments(
    rt: Runtime, viewer: Viewer, comment_ids: list[str], post_ids: dict[str, str]
) -> list[list[CommentView]]:
    rows = {
        r["commentId"]: r["replies"]
        for r in await rt.graph.read(queries.replies_of_comments, comment_ids, viewer.actor_id)
    }
    return [
        [
            CommentView(c["id"], c["authorId"], c["text"], c["createdAt"].to_native(), post_ids[cid])
            for c in rows.get(cid, [])
        ]
        for cid in comment_ids
    ]


async def reactions_of_posts(rt: Runtime, viewer: Viewer, post_ids: list[str]) -> list[ReactionSummary]:
    rows = {r["postId"]: r for r in await rt.graph.read(queries.reactions_of_posts, post_ids, viewer.actor_id)}
    return [
        ReactionSummary(counts={c["kind"]: c["count"] for c in rows[p]["counts"]}, mine=rows[p]["mine"])
        if p in rows
        else ReactionSummary()
        for p in post_ids
    ]


# --- notifications (written in the transaction of what caused them) ----------------------------------------------------


async def _notify(tx: AsyncManagedTransaction, recipient: str, kind: str, actor: str, subject: str) -> None:
    await notify(tx, recipient, kind, actor=actor, subject=subject, subject_type=_SUBJECT_TYPES[kind])


_SUBJECT_TYPES = {"connection_requested": "Person", "connection_accepted": "Person"}


async def _notify_about_post(tx: AsyncManagedTransaction, recipient: str, kind: str, actor: str, post_id: str) -> None:
    """Comments, reactions and mentions name a post: the recipient is told only if, as the viewer, they may see
    it (the one visibility rule, ``POST_VISIBLE``, checked in this transaction) and no block stands between them
    and the actor. A notification never tells anyone about content they may not see."""
    await queries.notify_about_post(
        tx, id=str(uuid.uuid4()), recipient_id=recipient, kind=kind, actor_id=actor, post_id=post_id
    )


_MENTION = re.compile(r"@\[([0-9a-f-]{36})\]")


async def _notify_mentions(tx: AsyncManagedTransaction, author: str, text: str, post_id: str) -> None:
    """Mentions are written ``@[<person uuid>]`` by client apps; each mentioned person who may see the post
    is told once."""
    for mentioned in sorted(set(_MENTION.findall(text)) - {author}):
        await _notify_about_post(tx, mentioned, "mention", author, post_id)


async def notifications(rt: Runtime, viewer: Viewer, request: PageRequest, unread_only: bool) -> Page[dict]:
    me = require_person(viewer)
    after = request.keyset(NOTIFICATIONS_CURSOR)
    rows = await rt.graph.read(queries.notifications, me, unread_only, after, request.size + 1)
    items = [
        {**r, "createdAt": r["createdAt"].to_native(), "readAt": r["readAt"].to_native() if r["readAt"] else None}
        for r in rows[: request.size]
    ]
    return Page(
        items=items,
        cursors=[NOTIFICATIONS_CURSOR.encode(i["createdAt"], i["id"]) for i in items],
        has_next_page=len(rows) > request.size,
        has_previous_page=after is not None,
    )


async def unread_count(rt: Runtime, viewer: Viewer) -> int:
    return await rt.graph.read(queries.unread_count, require_person(viewer))


async def mark_read(rt: Runtime, viewer: Viewer, notification_id: str | None) -> int:
    return await rt.graph.write(queries.mark_read, require_person(viewer), notification_id)
