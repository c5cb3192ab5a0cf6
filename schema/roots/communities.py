"""Root fields of communities: browsing, joining, join requests, member roles."""

from __future__ import annotations

import strawberry

from resolvers import communities as community_resolvers
from schema.communities import (
    Community,
    CommunityConnection,
    CommunityJoinRequestConnection,
    CommunityMemberPayload,
    CommunityPayload,
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
    community_join_requests: CommunityJoinRequestConnection = strawberry.field(
        resolver=community_resolvers.community_join_requests,
        description="A community's moderators and admins: pending requests to join, oldest first.",
    )


@strawberry.type
class CommunityMutation:
    """Mutation fields of communities; merged into the root Mutation by schema.assemble."""

    community_create: CommunityPayload = strawberry.mutation(
        resolver=community_resolvers.community_create,
        description="Create an interest group (needs level 2); I become its admin.",
    )
    community_join: CommunityPayload = strawberry.mutation(
        resolver=community_resolvers.community_join,
        description="Join an OPEN group, or ask to join one that needs APPROVAL.",
    )
    community_leave: CommunityPayload = strawberry.mutation(
        resolver=community_resolvers.community_leave,
        description="Leave a group, or withdraw my request to join it (a group's last admin stays).",
    )
    community_join_decide: CommunityMemberPayload = strawberry.mutation(
        resolver=community_resolvers.community_join_decide,
        description="Moderators and admins: approve or decline a request to join.",
    )
    community_role_set: CommunityMemberPayload = strawberry.mutation(
        resolver=community_resolvers.community_role_set,
        description="Admins: make a member a moderator, an admin, or a member again (officers appoint ward moderators).",
    )
