"""Resolvers of communities: decode ids, call one service function of ``social.communities``, wrap."""

from __future__ import annotations

from functools import partial
from typing import Annotated, Any

import strawberry
from strawberry.dataloader import DataLoader

from core.errors import Problems
from core.pagination import PageRequest
from resolvers.common import decode_id, mutate, runtime, viewer
from resolvers.post_lists import communities_loader, post_shape, prime_post_list
from schema.common import AFTER, BEFORE, FIRST, LAST
from schema.communities import (
    Community,
    CommunityConnection,
    CommunityCreateInput,
    CommunityCreatePayload,
    CommunityJoinDecideInput,
    CommunityJoinDecidePayload,
    CommunityJoinInput,
    CommunityJoinPayload,
    CommunityJoinRequest,
    CommunityJoinRequestConnection,
    CommunityKind,
    CommunityLeaveInput,
    CommunityLeavePayload,
    CommunityMember,
    CommunityMemberConnection,
    CommunityRoleSetInput,
    CommunityRoleSetPayload,
)
from schema.social import PostConnection
from social import communities as service
from social import post_lists

COMMUNITY_ID = Annotated[strawberry.ID, strawberry.argument(description="Global id of the community.")]


def decode_ids(info: strawberry.Info, *wanted: tuple[str, str, str]) -> list[str]:
    """The UUIDs inside ``(global id, type name, input field)`` triples; every malformed one is reported at once."""
    problems = Problems()
    found = [problems.take(partial(decode_id, value, type_name, field, info)) for value, type_name, field in wanted]
    problems.raise_if_any()
    return [uuid for uuid in found if uuid is not None]


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
    last: LAST = None,
    before: BEFORE = None,
) -> CommunityConnection:
    page = await service.list_communities(
        runtime(info),
        viewer(info),
        search=search,
        kind=kind.value if kind else None,
        request=PageRequest.from_args(first=first, after=after, last=last, before=before),
    )
    return CommunityConnection.from_page(page, Community.of)


async def my_communities(
    info: strawberry.Info, first: FIRST = None, after: AFTER = None, last: LAST = None, before: BEFORE = None
) -> CommunityConnection:
    request = PageRequest.from_args(first=first, after=after, last=last, before=before)
    return CommunityConnection.from_page(
        await service.my_communities(runtime(info), viewer(info), request), Community.of
    )


async def communities_by_ids(info: strawberry.Info, ids: list[str]) -> list[Community | None]:
    """Communities by id through the request's CommunityByIdLoader (posts' communities, node(id:))."""
    found = await info.context.loader("CommunityByIdLoader", communities_loader).load_many(ids)
    return [Community.of(c) if c else None for c in found]


def _ward_community_loader(context) -> DataLoader:
    async def load(commune_ids: list[str]):
        return await service.ward_communities(context.runtime, context.viewer, commune_ids)

    return DataLoader(load_fn=load)


async def ward_community(info: strawberry.Info, commune_id: str) -> Community | None:
    """The ward community of a commune (``Commune.community``): one statement for all the communes of a request."""
    found = await info.context.loader("WardCommunityByCommuneLoader", _ward_community_loader).load(commune_id)
    return Community.of(found) if found else None


async def community(info: strawberry.Info, id: COMMUNITY_ID) -> Community | None:
    (found,) = await communities_by_ids(info, [decode_id(id, "Community", "id")])
    return found


async def community_join_requests(
    info: strawberry.Info,
    community_id: COMMUNITY_ID,
    first: FIRST = None,
    after: AFTER = None,
    last: LAST = None,
    before: BEFORE = None,
) -> CommunityJoinRequestConnection:
    page = await service.join_requests(
        runtime(info),
        viewer(info),
        decode_id(community_id, "Community", "communityId"),
        PageRequest.from_args(first=first, after=after, last=last, before=before),
    )
    return CommunityJoinRequestConnection.from_page(page, CommunityJoinRequest.of)


async def community_posts(
    info: strawberry.Info,
    community_id: str,
    *,
    first: int | None,
    after: str | None,
    last: int | None,
    before: str | None,
) -> PostConnection:
    request = PageRequest.from_args(first=first, after=after, last=last, before=before)
    shape, comment_limit = post_shape(info)
    listed = await post_lists.community_posts(
        runtime(info), viewer(info), community_id, request, shape, comment_limit=comment_limit
    )
    return prime_post_list(info, listed, shape)


async def community_members(
    info: strawberry.Info,
    community_id: str,
    *,
    first: int | None,
    after: str | None,
    last: int | None,
    before: str | None,
) -> CommunityMemberConnection:
    request = PageRequest.from_args(first=first, after=after, last=last, before=before)
    page = await service.community_members(runtime(info), viewer(info), community_id, request)
    return CommunityMemberConnection.from_page(page, CommunityMember.of)


# --- mutations ---------------------------------------------------------------------------------------------------------


async def community_create(
    info: strawberry.Info, input: Annotated[CommunityCreateInput, strawberry.argument(description="The new group.")]
) -> CommunityCreatePayload | None:
    async def work() -> dict[str, Any]:
        created = await service.create_community(
            runtime(info),
            viewer(info),
            name=input.name,
            description=input.description,
            join_policy=input.join_policy.value,
        )
        return {"community": Community.of(created)}

    return await mutate(info, CommunityCreatePayload, work)


async def community_join(
    info: strawberry.Info,
    input: Annotated[CommunityJoinInput, strawberry.argument(description="The group to join or ask to join.")],
) -> CommunityJoinPayload | None:
    async def work() -> dict[str, Any]:
        community_id = decode_id(input.community_id, "Community", "communityId")
        return {"community": Community.of(await service.join_community(runtime(info), viewer(info), community_id))}

    return await mutate(info, CommunityJoinPayload, work)


async def community_leave(
    info: strawberry.Info,
    input: Annotated[CommunityLeaveInput, strawberry.argument(description="The group to leave.")],
) -> CommunityLeavePayload | None:
    async def work() -> dict[str, Any]:
        community_id = decode_id(input.community_id, "Community", "communityId")
        return {"community": Community.of(await service.leave_community(runtime(info), viewer(info), community_id))}

    return await mutate(info, CommunityLeavePayload, work)


async def community_join_decide(
    info: strawberry.Info,
    input: Annotated[CommunityJoinDecideInput, strawberry.argument(description="The request and the decision.")],
) -> CommunityJoinDecidePayload | None:
    async def work() -> dict[str, Any]:
        community_id, person_id = decode_ids(
            info, (input.community_id, "Community", "communityId"), (input.person_id, "Person", "personId")
        )
        member = await service.decide_join_request(
            runtime(info), viewer(info), community_id, person_id, approve=input.approve
        )
        return {"member": CommunityMember.of(member) if member else None}

    return await mutate(info, CommunityJoinDecidePayload, work)


async def community_role_set(
    info: strawberry.Info,
    input: Annotated[CommunityRoleSetInput, strawberry.argument(description="The member and their new role.")],
) -> CommunityRoleSetPayload | None:
    async def work() -> dict[str, Any]:
        community_id, person_id = decode_ids(
            info, (input.community_id, "Community", "communityId"), (input.person_id, "Person", "personId")
        )
        member = await service.set_member_role(runtime(info), viewer(info), community_id, person_id, input.role.value)
        return {"member": CommunityMember.of(member)}

    return await mutate(info, CommunityRoleSetPayload, work)
