"""Shapes shared by every domain: the payload error type and Relay connections with a total count."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Generic, NewType, Self, TypeVar

import strawberry
from graphql import GraphQLError
from strawberry import relay
from strawberry.types.scalar import ScalarDefinition

from core.errors import AppError
from core.pagination import Page

#: The items of a connection. relay.Connection types them as nodes, as most are; strawberry builds a connection of
#: any type, and the few lists of items that are not nodes (notifications, invitations, join requests, stuck
#: payments) say so where they are declared.
NodeType = TypeVar("NodeType", bound=relay.Node)
Item = TypeVar("Item")

#: The arguments every list and every act-for-an-organisation field takes, described once.
FIRST = Annotated[int | None, strawberry.argument(description="Page size (default 20, at most 100).")]
AFTER = Annotated[str | None, strawberry.argument(description="Cursor from `pageInfo.endCursor`.")]
AS_ORGANIZATION_DESCRIPTION = "Global id of an organisation I own or administer, to act for it."
AS_ORGANIZATION = Annotated[strawberry.ID | None, strawberry.argument(description=AS_ORGANIZATION_DESCRIPTION)]

#: Largest amount the API accepts: JavaScript clients read JSON numbers exactly up to 2^53 - 1.
MAX_DONG = 2**53 - 1


def _parse_dong(value: object) -> int:
    # A GraphQLError (not ValueError) so the client sees the reason with the input path, coded
    # GRAPHQL_VALIDATION_FAILED, instead of a masked INTERNAL error.
    if isinstance(value, bool) or not isinstance(value, int):
        raise GraphQLError(f"Amounts are whole đồng: pass an integer such as 150000, not {value!r}.")
    if abs(value) > MAX_DONG:
        raise GraphQLError(f"Amounts are at most {MAX_DONG:,} đồng.")
    return value


Dong = NewType("Dong", int)
"""Annotate every amount of money with ``Dong``; ``SCALARS`` tells the schema how it travels."""


def optional_dong(amount: int | None) -> Dong | None:
    return None if amount is None else Dong(amount)


SCALARS: dict[object, ScalarDefinition] = {
    Dong: strawberry.scalar(
        name="Dong",
        description=(
            "An amount of money in Vietnamese đồng (VND has no minor unit): a JSON integer, never a float or a "
            "string, up to 2^53 - 1 so JavaScript reads it exactly. GraphQL's Int (32-bit) would stop at 2.1 billion "
            "đồng."
        ),
        serialize=int,
        parse_value=_parse_dong,
    ),
}


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
    def from_page(cls, page: Page[Item], convert: Callable[[Item], NodeType]) -> Self:
        return cls(
            edges=[relay.Edge(cursor=c, node=convert(item)) for item, c in zip(page.items, page.cursors, strict=False)],
            page_info=relay.PageInfo(
                has_next_page=page.has_next_page,
                has_previous_page=page.has_previous_page,
                start_cursor=page.cursors[0] if page.cursors else None,
                end_cursor=page.cursors[-1] if page.cursors else None,
            ),
            total_count=page.total_count,
        )
