"""Root fields of communities: browsing, my communities, joining, join requests, member roles."""

from __future__ import annotations

import strawberry

from resolvers import communities as community_resolvers
from schema.communities import (
    Community,
    CommunityConnection,
    CommunityCreatePayload,
    CommunityJoinDecidePayload,
    CommunityJoinPayload,
    CommunityJoinRequestConnection,
    CommunityLeavePayload,
    CommunityRoleSetPayload,
)


@strawberry.type
class CommunityQuery:
    """Query fields of communities; merged into the root Query by schema.assemble."""

    communities: CommunityConnection = strawberry.field(
        resolver=community_resolvers.communities,
        description="Ward communities and interest groups in name order, with member counts; `search` finds them by "
        "name with or without diacritics ('phuong hoan kiem' and 'hoàn kiếm' find 'Phường Hoàn Kiếm').",
    )
    community: Community | None = strawberry.field(
        resolver=community_resolvers.community, description="One community with its details; null when unknown."
    )
    my_communities: CommunityConnection = strawberry.field(
        resolver=community_resolvers.my_communities,
        description="The communities I belong to, in name order: my ward's (every resident belongs to it) and the "
        "groups I joined; `myRole` says my role in each. Pending requests to join are not memberships. Signed-in "
        "people only.",
    )
    community_join_requests: CommunityJoinRequestConnection = strawberry.field(
        resolver=community_resolvers.community_join_requests,
        description="A community's moderators and admins: pending requests to join, oldest first.",
    )


@strawberry.type
class CommunityMutation:
    """Mutation fields of communities; merged into the root Mutation by schema.assemble."""

    community_create: CommunityCreatePayload | None = strawberry.mutation(
        resolver=community_resolvers.community_create,
        description="Create an interest group (needs level 2); I become its admin.",
    )
    community_join: CommunityJoinPayload | None = strawberry.mutation(
        resolver=community_resolvers.community_join,
        description="Join an OPEN group, or ask to join one that needs APPROVAL.",
    )
    community_leave: CommunityLeavePayload | None = strawberry.mutation(
        resolver=community_resolvers.community_leave,
        description="Leave a group, or withdraw my request to join it (a group's last admin stays).",
    )
    community_join_decide: CommunityJoinDecidePayload | None = strawberry.mutation(
        resolver=community_resolvers.community_join_decide,
        description="Moderators and admins: approve or decline a request to join.",
    )
    community_role_set: CommunityRoleSetPayload | None = strawberry.mutation(
        resolver=community_resolvers.community_role_set,
        description="Admins: make a member a moderator, an admin, or a member again (officers appoint ward moderators).",
    )
