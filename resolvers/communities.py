"""Resolvers of communities: decode ids, call one service function of ``social.communities``, wrap."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.dataloader import DataLoader

from core.pagination import PageRequest
from resolvers.common import decode_id, payload, runtime, viewer
from schema.common import AFTER, FIRST
from schema.communities import (
    Community,
    CommunityConnection,
    CommunityCreateInput,
    CommunityJoinRequest,
    CommunityJoinRequestConnection,
    CommunityKind,
    CommunityMember,
    CommunityMemberPayload,
    CommunityPayload,
    CommunityRole,
)
from social import communities as service

COMMUNITY_ID = Annotated[strawberry.ID, strawberry.argument(description="Global id of the community.")]
PERSON_ID = Annotated[strawberry.ID, strawberry.argument(description="Global id of the person.")]


# --- queries ---------------------------------------------------------------------------------------------------------


async def communities(
    info: strawberry.Info,
    search: Annotated[
        str | None,
        strawberry.argument(
            description="Words of the name, with or without diacritics (at most 200 characters and 20 words)."
        ),
    ] = None,
    kind: Annotated[
        CommunityKind | None, strawberry.argument(description="Only ward communities or only groups.")
    ] = None,
    first: FIRST = None,
    after: AFTER = None,
) -> CommunityConnection:
    page = await service.list_communities(
        runtime(info),
        viewer(info),
        search=search,
        kind=kind.value if kind else None,
        request=PageRequest.from_args(first=first, after=after),
    )
    return CommunityConnection.from_page(page, Community.of)


def _communities_loader(context) -> DataLoader:
    async def load(ids: list[str]):
        return await service.communities_by_ids(context.runtime, context.viewer, ids)

    return DataLoader(load_fn=load)


async def communities_by_ids(info: strawberry.Info, ids: list[str]) -> list[Community | None]:
    """Communities by id through the request's CommunityByIdLoader (posts' communities, node(id:))."""
    found = await info.context.loader("CommunityByIdLoader", _communities_loader).load_many(ids)
    return [Community.of(c) if c else None for c in found]


async def community(info: strawberry.Info, id: COMMUNITY_ID) -> Community | None:
    (found,) = await communities_by_ids(info, [decode_id(id, "Community", "id")])
    return found


async def community_join_requests(
    info: strawberry.Info, community_id: COMMUNITY_ID, first: FIRST = None, after: AFTER = None
) -> CommunityJoinRequestConnection:
    page = await service.join_requests(
        runtime(info),
        viewer(info),
        decode_id(community_id, "Community", "communityId"),
        PageRequest.from_args(first=first, after=after),
    )
    return CommunityJoinRequestConnection.from_page(page, CommunityJoinRequest.of)


# --- mutations ---------------------------------------------------------------------------------------------------------


async def community_create(
    info: strawberry.Info, input: Annotated[CommunityCreateInput, strawberry.argument(description="The new group.")]
) -> CommunityPayload:
    async def work() -> dict:
        created = await service.create_community(
            runtime(info),
            viewer(info),
            name=input.name,
            description=input.description,
            join_policy=input.join_policy.value,
        )
        return {"community": Community.of(created)}

    return await payload(CommunityPayload, work)


async def community_join(info: strawberry.Info, id: COMMUNITY_ID) -> CommunityPayload:
    async def work() -> dict:
        joined = await service.join_community(runtime(info), viewer(info), decode_id(id, "Community", "id"))
        return {"community": Community.of(joined)}

    return await payload(CommunityPayload, work)


async def community_leave(info: strawberry.Info, id: COMMUNITY_ID) -> CommunityPayload:
    async def work() -> dict:
        left = await service.leave_community(runtime(info), viewer(info), decode_id(id, "Community", "id"))
        return {"community": Community.of(left)}

    return await payload(CommunityPayload, work)


async def community_join_decide(
    info: strawberry.Info,
    community_id: COMMUNITY_ID,
    person_id: PERSON_ID,
    approve: Annotated[
        bool, strawberry.argument(description="True to accept the person as a member, false to decline.")
    ],
) -> CommunityMemberPayload:
    async def work() -> dict:
        member = await service.decide_join_request(
            runtime(info),
            viewer(info),
            decode_id(community_id, "Community", "communityId"),
            decode_id(person_id, "Person", "personId"),
            approve=approve,
        )
        return {"member": CommunityMember.of(member) if member else None}

    return await payload(CommunityMemberPayload, work)


async def community_role_set(
    info: strawberry.Info,
    community_id: COMMUNITY_ID,
    person_id: PERSON_ID,
    role: Annotated[CommunityRole, strawberry.argument(description="The member's new role.")],
) -> CommunityMemberPayload:
    async def work() -> dict:
        member = await service.set_member_role(
            runtime(info),
            viewer(info),
            decode_id(community_id, "Community", "communityId"),
            decode_id(person_id, "Person", "personId"),
            role.value,
        )
        return {"member": CommunityMember.of(member)}

    return await payload(CommunityMemberPayload, work)
