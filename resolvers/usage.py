"""Resolvers of partner apps' usage: thin glue to ``partners.usage`` and ``partners.token_failures``."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import strawberry

from core.pagination import PageRequest
from partners import token_failures, usage
from resolvers.common import decode_id, runtime, viewer
from schema.usage import AppUsage, TokenFailure, TokenFailureConnection


async def app_usage(
    info: strawberry.Info,
    app_id: Annotated[strawberry.ID, strawberry.argument(description="Global id of the app.")],
    from_: Annotated[date, strawberry.argument(name="from", description="The first day (Hà Nội), included.")],
    to: Annotated[date, strawberry.argument(description="The last day (Hà Nội), included; at most 92 days in all.")],
) -> AppUsage:
    found = await usage.app_usage(runtime(info), viewer(info), decode_id(app_id, "App", "appId"), from_, to)
    return AppUsage.of(found)


async def app_token_failures(
    info: strawberry.Info,
    app_id: str,
    first: int | None,
    after: str | None,
    last: int | None = None,
    before: str | None = None,
) -> TokenFailureConnection:
    page = await token_failures.token_failures_of_app(
        runtime(info), viewer(info), app_id, PageRequest.from_args(first=first, after=after, last=last, before=before)
    )
    return TokenFailureConnection.from_page(page, TokenFailure.of)
