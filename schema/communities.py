"""GraphQL shapes of communities: the Community node (ward communities and interest groups) with its posts and
members, joining, join requests, member roles."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry import relay

from schema.common import AFTER, BEFORE, FIRST, LAST, CountedConnection, UserError
from schema.identity import Person
from social.communities import CommunityView, JoinRequestView, MemberView

if TYPE_CHECKING:  # schema.social imports this module; strawberry.lazy reaches these shapes when the schema is built
    from schema.social import PostConnection

ERRORS = "Mistakes to fix (empty on success): code, field and message."


@strawberry.enum(description="Kind of community.")
class CommunityKind(Enum):
    _value_: str  # .value is the services' string (strawberry.enum_value only adds a description)
    WARD = strawberry.enum_value("ward", description="The community of a ward or commune; its residents belong to it.")
    GROUP = strawberry.enum_value("group", description="An interest group that a verified person created.")


@strawberry.enum(description="How people become members of a community.")
class CommunityJoinPolicy(Enum):
    _value_: str  # .value is the services' string (strawberry.enum_value only adds a description)
    OPEN = strawberry.enum_value("open", description="Anyone signed in joins at once.")
    APPROVAL = strawberry.enum_value("approval", description="A moderator or admin approves each request to join.")
    AUTOMATIC = strawberry.enum_value(
        "automatic", description="Ward communities: residents belong to their ward's community; nobody joins by hand."
    )


@strawberry.enum(description="A member's role in a community.")
class CommunityRole(Enum):
    _value_: str  # .value is the services' string (strawberry.enum_value only adds a description)
    MEMBER = strawberry.enum_value("member", description="Reads and posts.")
    MODERATOR = strawberry.enum_value(
        "moderator", description="Also decides requests to join and reports about the community's posts and comments."
    )
    ADMIN = strawberry.enum_value("admin", description="Also sets roles; a group keeps at least one admin.")


@strawberry.type(
    description="A community: every ward or commune is one (its residents belong to it); verified people "
    "create interest groups."
)
class Community(relay.Node):
    uuid: relay.NodeID[str]
    name: str = strawberry.field(description="Name, e.g. Hoàn Kiếm (a ward) or Câu lạc bộ xe đạp Hồ Tây (a group).")
    kind: CommunityKind = strawberry.field(description="A ward community or an interest group.")
    my_role: CommunityRole | None = strawberry.field(description="My role here; null when I am not a member.")
    description: str | None = strawberry.field(description="What the group is about; null for ward communities.")
    join_policy: CommunityJoinPolicy = strawberry.field(description="How people become members.")
    member_count: int = strawberry.field(description="How many members it has.")
    my_join_request_pending: bool = strawberry.field(description="I asked to join and wait for a decision.")
    created_at: datetime = strawberry.field(description="When the community was created (UTC).")

    @strawberry.field(
        description="The community's posts, newest first, as far as I may see them: the posts of a community are for "
        "its members (join it, or live in the ward, to read them), and nothing crosses a block. One page: `first` and "
        "`after`, or `last` and `before`."
    )
    async def posts(
        self,
        info: strawberry.Info,
        first: FIRST = None,
        after: AFTER = None,
        last: LAST = None,
        before: BEFORE = None,
    ) -> Annotated[PostConnection, strawberry.lazy("schema.social")]:
        from resolvers.communities import community_posts  # noqa: PLC0415 (the resolvers import the shapes)

        return await community_posts(info, self.uuid, first=first, after=after, last=last, before=before)

    @strawberry.field(
        description="The members and their roles, newest member first. Who sees them: anyone signed in sees an OPEN "
        "group's members; only its members see those of a group that needs APPROVAL or of a ward (FORBIDDEN "
        "otherwise; UNAUTHENTICATED when signed out). People in a block with me, either way, are left out. In a ward "
        "community, where being listed tells where someone lives, a member is listed only if their ward's audience "
        "(`ProfileAudiences.ward`) includes me. Each person shows only the fields their privacy settings let me see."
    )
    async def members(
        self,
        info: strawberry.Info,
        first: FIRST = None,
        after: AFTER = None,
        last: LAST = None,
        before: BEFORE = None,
    ) -> CommunityMemberConnection:
        from resolvers.communities import community_members  # noqa: PLC0415 (the resolvers import the shapes)

        return await community_members(info, self.uuid, first=first, after=after, last=last, before=before)

    @classmethod
    def of(cls, v: CommunityView) -> Community:
        return cls(
            uuid=v.id,
            name=v.name,
            kind=CommunityKind(v.kind),
            my_role=CommunityRole(v.my_role) if v.my_role else None,
            description=v.description,
            join_policy=CommunityJoinPolicy(v.join_policy),
            member_count=v.member_count,
            my_join_request_pending=v.my_request_pending,
            created_at=v.created_at,
        )


@strawberry.type(description="A page of communities, by name.")
class CommunityConnection(CountedConnection[Community]):
    pass


@strawberry.type(description="A member of a community and their role.")
class CommunityMember:
    person: Person | None = strawberry.field(description="The member; null when hidden from me by a block.")
    role: CommunityRole = strawberry.field(description="Their role.")
    since: datetime = strawberry.field(description="When they joined (UTC).")

    @classmethod
    def of(cls, v: MemberView) -> CommunityMember:
        return cls(person=Person.of(v.person) if v.person else None, role=CommunityRole(v.role), since=v.since)


@strawberry.type(description="A page of a community's members, newest member first.")
class CommunityMemberConnection(CountedConnection[CommunityMember]):  # type: ignore[type-var]  # not nodes: see NodeType
    pass


@strawberry.type(description="A person's pending request to join a community that needs approval.")
class CommunityJoinRequest:
    person: Person = strawberry.field(description="Who asked.")
    requested_at: datetime = strawberry.field(description="When they asked (UTC).")

    @classmethod
    def of(cls, v: JoinRequestView) -> CommunityJoinRequest:
        return cls(person=Person.of(v.person), requested_at=v.requested_at)


@strawberry.type(description="A page of requests to join, oldest first.")
class CommunityJoinRequestConnection(CountedConnection[CommunityJoinRequest]):  # type: ignore[type-var]  # not nodes: see NodeType
    pass


# --- inputs and payloads: one of each per mutation --------------------------------------------------------------

COMMUNITY_ID = "Global id of the community."
PERSON_ID = "Global id of the person."


@strawberry.input(description="A new interest group.")
class CommunityCreateInput:
    name: str = strawberry.field(description="Its name, 3 to 80 characters, e.g. Câu lạc bộ xe đạp Hồ Tây.")
    description: str | None = strawberry.field(default=None, description="What it is about (up to 2000 characters).")
    join_policy: CommunityJoinPolicy = strawberry.field(description="OPEN or APPROVAL (AUTOMATIC is for wards only).")


@strawberry.type(description="Result of communityCreate.")
class CommunityCreatePayload:
    community: Community | None = strawberry.field(default=None, description="The new group; I am its admin.")
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS)


@strawberry.input(description="The group to join, or to ask to join.")
class CommunityJoinInput:
    community_id: strawberry.ID = strawberry.field(description=COMMUNITY_ID)


@strawberry.type(description="Result of communityJoin.")
class CommunityJoinPayload:
    community: Community | None = strawberry.field(
        default=None, description="The community as I see it now (`myRole`, or `myJoinRequestPending`)."
    )
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS)


@strawberry.input(description="The group to leave, or whose request to join to withdraw.")
class CommunityLeaveInput:
    community_id: strawberry.ID = strawberry.field(description=COMMUNITY_ID)


@strawberry.type(description="Result of communityLeave.")
class CommunityLeavePayload:
    community: Community | None = strawberry.field(default=None, description="The community as I see it now.")
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS)


@strawberry.input(description="A decision on a request to join.")
class CommunityJoinDecideInput:
    community_id: strawberry.ID = strawberry.field(description=COMMUNITY_ID)
    person_id: strawberry.ID = strawberry.field(description="Global id of the person who asked to join.")
    approve: bool = strawberry.field(description="True to accept the person as a member, false to decline.")


@strawberry.type(description="Result of communityJoinDecide.")
class CommunityJoinDecidePayload:
    member: CommunityMember | None = strawberry.field(
        default=None, description="The new member and their role; null after a declined request."
    )
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS)


@strawberry.input(description="A member's new role.")
class CommunityRoleSetInput:
    community_id: strawberry.ID = strawberry.field(description=COMMUNITY_ID)
    person_id: strawberry.ID = strawberry.field(description=PERSON_ID)
    role: CommunityRole = strawberry.field(description="The member's new role.")


@strawberry.type(description="Result of communityRoleSet.")
class CommunityRoleSetPayload:
    member: CommunityMember | None = strawberry.field(default=None, description="The member and their role now.")
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS)
