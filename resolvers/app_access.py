"""Resolvers of minimal disclosure (``isAdult``, ``livesInWard``, ``isVerifiedResident``) and ``appAuthorization``."""

from __future__ import annotations

from typing import Annotated

import strawberry

from partners import app_access, predicates
from resolvers.common import runtime, viewer
from schema.app_access import AppAuthorization


async def is_adult(info: strawberry.Info) -> bool | None:
    return await predicates.adult(runtime(info), viewer(info))


async def lives_in_ward(
    info: strawberry.Info,
    code: Annotated[str, strawberry.argument(description="Official 5-digit code of a ward or commune, e.g. 00004.")],
) -> bool | None:
    return await predicates.lives_in_ward(runtime(info), viewer(info), code)


async def is_verified_resident(info: strawberry.Info) -> bool | None:
    return await predicates.verified_resident(runtime(info), viewer(info))


async def app_authorization(info: strawberry.Info) -> AppAuthorization | None:
    found = await app_access.authorization(runtime(info), viewer(info))
    return AppAuthorization.of(found, info.context.language) if found is not None else None
