"""Shapes shared by every domain: the payload error type and Relay connections with a total count."""

from __future__ import annotations

from typing import Generic, TypeVar

import strawberry
from strawberry import relay

from core.errors import AppError
from core.pagination import Page

NodeType = TypeVar("NodeType")


@strawberry.type(description="A mistake the user can fix, returned inside a mutation payload.")
class UserError:
    code: str = strawberry.field(description="Stable machine-readable code, e.g. INVALID_INPUT or CONFLICT.")
    field: str | None = strawberry.field(description="The input field at fault (camelCase path), if any.")
    message: str = strawberry.field(description="What went wrong and how to fix it, for people.")

    @classmethod
    def from_error(cls, error: AppError) -> UserError:
        return cls(code=error.code, field=error.field, message=error.message)


@strawberry.type(description="A page of items with Relay cursors; every list of the API has this shape.")
class CountedConnection(relay.Connection[NodeType], Generic[NodeType]):
    total_count: int | None = strawberry.field(
        description="Number of items in the whole list, when cheap to count; else null."
    )

    @classmethod
    def from_page(cls, page: Page, convert) -> CountedConnection:
        return cls(
            edges=[relay.Edge(cursor=c, node=convert(item)) for item, c in zip(page.items, page.cursors)],
            page_info=relay.PageInfo(
                has_next_page=page.has_next_page,
                has_previous_page=page.has_previous_page,
                start_cursor=page.cursors[0] if page.cursors else None,
                end_cursor=page.cursors[-1] if page.cursors else None,
            ),
            total_count=page.total_count,
        )
