"""Use cases of communities: interest groups that verified people create and run, the list of every community
(wards included) with its member count, the communities I belong to, and what a community holds: its posts and its
members.

Rules, all checked here:
- a person at assurance level 2 creates a group and becomes its admin;
- an OPEN group takes a member at once; an APPROVAL group records a request that its moderators or
  admins approve or decline;
- admins set roles (member, moderator, admin); a group always keeps at least one admin, so its last
  admin can neither step down nor leave;
- ward communities belong to their residents: nobody joins or leaves one by hand (identity moves
  people between them when their ward changes); they have no admin, so city officers appoint
  their moderators;
- a community's posts are shown by the one post rule (``social.visibility``, ``graph.social.POST_VISIBLE``);
- who sees a community's members (``community_members``): anyone signed in sees an open group's; only its members
  see an approval group's or a ward's; nobody is listed to someone in a block with them, either way; and in a ward
  community, where being listed tells where one lives, a member is listed only to whoever may see their ward
  (``identity.privacy``: the audience each person chose for their ward).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from neo4j import AsyncManagedTransaction

from auth.permissions import authorize
from auth.viewer import Viewer
from core.errors import ConflictError, ForbiddenError, NotFoundError, Problems, UserInputError
from core.pagination import TEXT, CursorKind, Page, PageRequest, keyset_kind
from core.runtime import Runtime
from core.text import checked_text, fold, search_query
from graph import communities as queries
from graph.communities import CommunityRow, LockedCommunity
from identity import privacy
from identity import views as identity_views
from identity.model import PersonView
from identity.names import COMMUNITY_PUNCTUATION, check_name
from moderation.enforcement import assert_not_suspended
from notifications import notify
from social import standing

COMMUNITY_KINDS = ("ward", "group")
#: Words that name a kind of community ("Phường Hoàn Kiếm", "Xã Sóc Sơn"): they may be typed, but a
#: community's searchable name does not hold them, so they only raise the score, never filter.
COMMUNITY_KIND_WORDS = frozenset({"phuong", "xa"})
JOIN_POLICIES = ("open", "approval")  # chosen for a group; ward communities are 'automatic'
ROLES = ("member", "moderator", "admin")
NAME_LENGTH = (3, 80)
MAX_DESCRIPTION_LENGTH = 2000
NOT_FOUND = standing.NOT_FOUND
#: The input field that names the community in every mutation of communities.
COMMUNITY_ID = "communityId"
WARD_BY_HAND = (
    "Ward communities cannot be joined or left by hand: every resident belongs to the community of "
    "the ward they live in; change your ward in your profile to move."
)


@dataclass(frozen=True)
class CommunityView:
    id: str
    kind: str
    name: str
    description: str | None
    join_policy: str
    created_at: datetime
    member_count: int
    my_role: str | None
    my_request_pending: bool


@dataclass(frozen=True)
class MemberView:
    person: PersonView | None  # None when hidden from the viewer (a block)
    role: str
    since: datetime


@dataclass(frozen=True)
class JoinRequestView:
    person: PersonView
    requested_at: datetime


def community_view(row: CommunityRow) -> CommunityView:
    c = row.community
    return CommunityView(
        id=c.id,
        kind=c.kind,
        name=c.name,
        description=c.description,
        join_policy=c.join_policy or "automatic",
        created_at=c.created_at.to_native(),
        member_count=row.member_count,
        my_role=row.my_role,
        my_request_pending=row.my_request_pending,
    )


async def communities_by_ids(rt: Runtime, viewer: Viewer, ids: list[str]) -> list[CommunityView | None]:
    if not ids:
        return []
    rows = await rt.graph.read(queries.communities_by_ids, ids, viewer.actor_id)
    found = {r.community.id: community_view(r) for r in rows}
    return [found.get(i) for i in ids]


async def community(rt: Runtime, viewer: Viewer, community_id: str) -> CommunityView:
    (found,) = await communities_by_ids(rt, viewer, [community_id])
    if found is None:
        raise NotFoundError(NOT_FOUND)
    return found


#: Cursors of communities and myCommunities: (folded name, id); of communityJoinRequests: (requested at, person
#: id); of Community.members: (member since, person id); of Community.posts: (posted at, post id). The lists of one
#: community or person are scoped to it: a cursor of another community's members is refused; communities is scoped to
#: its search and kind (``for_filters``).
COMMUNITIES_CURSOR = CursorKind("communities", (TEXT, TEXT))
MY_COMMUNITIES_CURSOR = CursorKind("myCommunities", (TEXT, TEXT))
JOIN_REQUESTS_CURSOR = keyset_kind("communityJoinRequests")
MEMBERS_CURSOR = keyset_kind("communityMembers")
POSTS_CURSOR = keyset_kind("communityPosts")


def _community_key(row: CommunityRow) -> tuple[Any, ...]:
    return (row.community.search_name, row.community.id)


async def list_communities(
    rt: Runtime, viewer: Viewer, *, search: str | None, kind: str | None, request: PageRequest
) -> Page[CommunityView]:
    """Every community (or only wards, or only groups), by name; ``search`` matches each word as a
    prefix, with or without diacritics ("phường" and "xã" are optional: ward names are stored without them)."""
    if kind is not None and kind not in COMMUNITY_KINDS:
        raise UserInputError("A community is a WARD or a GROUP.", field="kind")
    words = (
        search_query(search, field="search", optional_words=COMMUNITY_KIND_WORDS) if search and search.strip() else None
    )
    listed = COMMUNITIES_CURSOR.for_filters(search=words, kind=kind)
    window = request.window(listed)
    rows, total = await rt.graph.read(
        queries.communities_page, viewer_id=viewer.actor_id, search=words, kind=kind, window=window
    )
    page = request.page(rows, listed, _community_key, total_count=total)
    return page.shown([community_view(r) for r in page.items])


async def my_communities(rt: Runtime, viewer: Viewer, request: PageRequest) -> Page[CommunityView]:
    """The communities I belong to (my ward's and the groups I joined), by name, with my role in each."""
    me = authorize(viewer, "social.community.read_mine")
    kind = MY_COMMUNITIES_CURSOR.scoped(me)
    rows, total = await rt.graph.read(queries.communities_of_member, me, request.window(kind))
    page = request.page(rows, kind, _community_key, total_count=total)
    return page.shown([community_view(r) for r in page.items])


async def ward_communities(rt: Runtime, viewer: Viewer, commune_ids: list[str]) -> list[CommunityView | None]:
    """The ward community of each commune (None for a commune without one), as ``viewer`` sees it."""
    if not commune_ids:
        return []
    found = await rt.graph.read(queries.ward_communities, commune_ids, viewer.actor_id)
    by_commune = {w.commune_id: community_view(w.community) for w in found}
    return [by_commune.get(i) for i in commune_ids]


# --- what a community holds (its posts: social.post_lists) ---------------------------------------------------------------------------------------


async def community_members(rt: Runtime, viewer: Viewer, community_id: str, request: PageRequest) -> Page[MemberView]:
    """The members newest first, with their role, for whoever may see them (the module's docstring); each person
    comes as ``identity.views`` shows them to the viewer."""
    me = authorize(viewer, "social.community.read_members")
    facts = await rt.graph.read(queries.role_in_community, community_id, me)
    if facts is None:
        raise NotFoundError(NOT_FOUND)
    if facts.role is None and not (facts.kind == "group" and facts.join_policy == "open"):
        raise ForbiddenError("Only its members see who belongs to this community.")
    kind = MEMBERS_CURSOR.scoped(community_id)
    ward_default = privacy.DEFAULT_AUDIENCES["ward"].value
    found = await rt.graph.read(queries.community_members, community_id, me, ward_default, request.window(kind))
    page = request.page(found, kind, lambda m: (m.since, m.person_id))
    people = await identity_views.persons_by_ids(rt, viewer, [m.person_id for m in page.items])
    views = [
        MemberView(person=p, role=m.role, since=m.since.to_native()) if p is not None else None
        for p, m in zip(people, page.items, strict=True)
    ]
    return page.shown(views)


# --- creating -------------------------------------------------------------------------------------------------------


def _check_join_policy(join_policy: str) -> None:
    if join_policy not in JOIN_POLICIES:
        raise UserInputError("A new community is OPEN or needs APPROVAL to join.", field="joinPolicy")


async def create_community(
    rt: Runtime, viewer: Viewer, *, name: str, description: str | None, join_policy: str
) -> CommunityView:
    """A verified person (level 2) opens an interest group and becomes its admin."""
    me = authorize(viewer, "social.community.create")
    problems = Problems()
    cleaned_name = problems.take(
        lambda: check_name(
            name, "name", punctuation=COMMUNITY_PUNCTUATION, length=NAME_LENGTH, what="A community's name"
        )
    )
    cleaned_description = problems.take(
        lambda: checked_text(description, field="description", max_length=MAX_DESCRIPTION_LENGTH)
    )
    problems.take(lambda: _check_join_policy(join_policy))
    problems.raise_if_any()
    assert cleaned_name is not None  # raise_if_any: the name passed its check
    community_id = str(uuid.uuid4())

    async def work(tx: AsyncManagedTransaction) -> None:
        await assert_not_suspended(tx, me)
        await queries.create_community(
            tx,
            id=community_id,
            founder_id=me,
            name=cleaned_name,
            search_name=fold(cleaned_name),
            description=cleaned_description,
            join_policy=join_policy,
        )

    await rt.graph.write(work)
    return await community(rt, viewer, community_id)


# --- joining and leaving ----------------------------------------------------------------------------------------------


async def _lock(tx: AsyncManagedTransaction, community_id: str, person_ids: list[str]) -> LockedCommunity:
    facts = await queries.lock_community(tx, community_id, person_ids)
    if facts is None:
        raise NotFoundError(NOT_FOUND, field=COMMUNITY_ID)
    return facts


async def join_community(rt: Runtime, viewer: Viewer, community_id: str) -> CommunityView:
    """Join an OPEN group at once, or ask to join an APPROVAL group (see ``myJoinRequestPending``)."""
    me = authorize(viewer, "social.community.join")

    async def work(tx: AsyncManagedTransaction) -> None:
        facts = await _lock(tx, community_id, [me])
        if facts.kind == "ward":
            raise ConflictError(WARD_BY_HAND, field=COMMUNITY_ID)
        mine = facts.people[me]
        if mine.role is not None:
            raise ConflictError("You are a member of this community already.", field=COMMUNITY_ID)
        if mine.pending:
            raise ConflictError("You asked to join already; a moderator will decide.", field=COMMUNITY_ID)
        await queries.write_membership(tx, "add" if facts.join_policy == "open" else "ask", me, community_id)

    await rt.graph.write(work)
    return await community(rt, viewer, community_id)


async def leave_community(rt: Runtime, viewer: Viewer, community_id: str) -> CommunityView:
    """Leave a group, or withdraw my pending request to join it. The last admin stays."""
    me = authorize(viewer, "social.community.leave")

    async def work(tx: AsyncManagedTransaction) -> None:
        facts = await _lock(tx, community_id, [me])
        if facts.kind == "ward":
            raise ConflictError(WARD_BY_HAND, field=COMMUNITY_ID)
        mine = facts.people[me]
        if mine.pending:
            await queries.delete_membership(tx, "withdraw", me, community_id)
            return
        if mine.role is None:
            raise ConflictError("You are not a member of this community.", field=COMMUNITY_ID)
        if mine.role == "admin" and await queries.admin_count(tx, community_id) <= 1:
            raise ConflictError(
                "You are this community's only admin: make another member admin before you leave.", field=COMMUNITY_ID
            )
        await queries.delete_membership(tx, "remove", me, community_id)

    await rt.graph.write(work)
    return await community(rt, viewer, community_id)


async def join_requests(rt: Runtime, viewer: Viewer, community_id: str, request: PageRequest) -> Page[JoinRequestView]:
    """Pending requests to join, oldest first: for the community's moderators and admins."""
    mine = await rt.graph.read(standing.membership, community_id, viewer.actor_id)
    me = authorize(viewer, "social.community.read_join_requests", on=mine)
    kind = JOIN_REQUESTS_CURSOR.scoped(community_id)
    rows, total = await rt.graph.read(queries.join_requests, community_id, me, request.window(kind))
    page = request.page(rows, kind, lambda r: (r.at, r.person_id), total_count=total)
    people = await identity_views.persons_by_ids(rt, viewer, [r.person_id for r in page.items])
    views = [
        JoinRequestView(person=p, requested_at=r.at.to_native()) if p is not None else None
        for p, r in zip(people, page.items, strict=True)
    ]
    return page.shown(views)


async def _member_view(rt: Runtime, viewer: Viewer, community_id: str, person_id: str) -> MemberView | None:
    row = await rt.graph.read(queries.member, community_id, person_id)
    if row is None:
        return None
    (person,) = await identity_views.persons_by_ids(rt, viewer, [person_id])
    return MemberView(person=person, role=row.role, since=row.since.to_native())


async def decide_join_request(
    rt: Runtime, viewer: Viewer, community_id: str, person_id: str, *, approve: bool
) -> MemberView | None:
    """A moderator or admin approves (the person becomes a member) or declines a request to join."""

    async def work(tx: AsyncManagedTransaction) -> None:
        # The role is read under the lock; nobody signed in is asked to sign in first, whatever it read (the
        # transaction then rolls back), as before anything else.
        facts = await queries.lock_community(tx, community_id, [viewer.actor_id, person_id])
        mine = standing.membership_under_lock(community_id, viewer.actor_id, facts, field=COMMUNITY_ID)
        me = authorize(viewer, "social.community.decide_join_request", on=mine)
        applicant = facts.people.get(person_id) if facts else None  # facts is there: NOT_FOUND otherwise
        if applicant is None or not applicant.pending:
            raise ConflictError("This person has no pending request to join this community.", field="personId")
        if approve:
            if applicant.status != "active":
                raise ConflictError("This account is closed; decline the request instead.", field="personId")
            await queries.write_membership(tx, "add", person_id, community_id)
        else:
            await queries.delete_membership(tx, "withdraw", person_id, community_id)
        kind = "community_join_approved" if approve else "community_join_declined"
        await notify(tx, rt, person_id, kind, actor=me, subject=community_id, subject_type="Community")

    await rt.graph.write(work)
    return await _member_view(rt, viewer, community_id, person_id) if approve else None


async def set_member_role(rt: Runtime, viewer: Viewer, community_id: str, person_id: str, role: str) -> MemberView:
    """Admins make a member a moderator or an admin, or a member again. In a ward community (which
    has no admin) city officers appoint moderators."""
    me = authorize(viewer, "social.community.set_role")
    if role not in ROLES:
        raise UserInputError("A role is MEMBER, MODERATOR or ADMIN.", field="role")

    async def work(tx: AsyncManagedTransaction) -> None:
        facts = await _lock(tx, community_id, [me, person_id])
        mine = facts.people[me]
        if facts.kind == "ward":
            authorize(viewer, "social.community.appoint_ward_moderator")
            if role == "admin":
                raise UserInputError(
                    "Ward communities are run by the city: their people are members or moderators.", field="role"
                )
        elif mine.role != "admin":  # admins only: moderators run a community but do not set its roles
            raise ForbiddenError("Only this community's admins set roles.")
        target = facts.people.get(person_id)
        if target is None or target.role is None:
            raise ConflictError("This person is not a member of this community.", field="personId")
        if target.role == "admin" and role != "admin" and await queries.admin_count(tx, community_id) <= 1:
            raise ConflictError("A community keeps at least one admin: make another member admin first.", field="role")
        if target.role != role:
            await queries.set_role(tx, person_id, community_id, role)

    await rt.graph.write(work)
    found = await _member_view(rt, viewer, community_id, person_id)
    if found is None:  # they left between the change and this read
        raise ConflictError("This person is no longer a member of this community.", field="personId")
    return found
