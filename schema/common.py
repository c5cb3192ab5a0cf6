"""Shapes shared by every domain: the payload error type and Relay connections with a total count."""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import Annotated, Generic, NewType, Self, TypeVar

import strawberry
from graphql import GraphQLError
from strawberry import relay
from strawberry.types.scalar import ScalarDefinition

from core.errors import TOP_LEVEL_CODES, USER_ERROR_CODES, AppError
from core.i18n import translate
from core.pagination import Page

#: The items of a connection. relay.Connection types them as nodes, as most are; strawberry builds a connection of
#: any type, and the few lists of items that are not nodes (notifications, invitations, join requests, stuck
#: payments) say so where they are declared.
NodeType = TypeVar("NodeType", bound=relay.Node)
Item = TypeVar("Item")

#: The arguments every list and every act-for-an-organisation field takes, described once.
FIRST = Annotated[
    int | None,
    strawberry.argument(description="Forward paging: page size (default 20, at most 100). Not with `last`."),
]
AFTER = Annotated[
    str | None,
    strawberry.argument(description="Forward paging: the items after this cursor (`pageInfo.endCursor`)."),
]
LAST = Annotated[
    int | None,
    strawberry.argument(description="Backward paging: the last items before `before` (at most 100). Not with `first`."),
]
BEFORE = Annotated[
    str | None,
    strawberry.argument(description="Backward paging: the items before this cursor (`pageInfo.startCursor`)."),
]
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


def _coded(name: str, codes: dict[str, str]) -> type[enum.Enum]:
    """An enum of ``codes``, each value described by its meaning (core.errors is the one list)."""
    return enum.Enum(name, {code: strawberry.enum_value(code, description=text) for code, text in codes.items()})  # type: ignore[return-value]


UserErrorCode = strawberry.enum(
    _coded("UserErrorCode", USER_ERROR_CODES),
    description="Why a mutation refused its input: the stable contract of payload `errors` (messages may change).",
)

ErrorCode = strawberry.enum(
    _coded("ErrorCode", TOP_LEVEL_CODES),
    description=(
        "The `extensions.code` of a top-level GraphQL error (the caller or the server, not the input: see "
        "`UserErrorCode`). Published for documentation; no field returns it."
    ),
)


@strawberry.type(
    description=(
        "A mistake in a mutation's input, returned inside its payload; every mistake of the input is listed at once."
    )
)
class UserError:
    code: UserErrorCode = strawberry.field(  # type: ignore[valid-type]
        description="What is wrong, as a stable machine-readable code; clients branch on this, never on `message`."
    )
    field: list[str] | None = strawberry.field(
        description=(
            'Path to the input value at fault, as it appears in the request: `["input", "document", "number"]`; '
            'list positions are decimal strings (`["input", "items", "2", "quantity"]`). Null when the mistake is '
            "about the input as a whole (a state conflict)."
        )
    )
    message: str = strawberry.field(
        description="What went wrong and how to fix it, for people, in the language of `Accept-Language` (vi, en)."
    )

    @classmethod
    def from_error(cls, error: AppError, language: str = "en", *, root: str = "input") -> UserError:
        """The payload error for ``error``; its ``field`` (relative to the input) becomes a path from ``root``."""
        return cls(
            code=UserErrorCode[error.code],
            field=[root, *error.path] if error.field else None,
            message=translate(error.template, error.params, language),
        )


@strawberry.type(description="A page of items with Relay cursors; every list of the API has this shape.")
class CountedConnection(relay.Connection[NodeType], Generic[NodeType]):
    total_count: int | None = strawberry.field(
        description="Number of items in the whole list, when cheap to count; else null."
    )

    @strawberry.field(description="The items of this page, without cursors: a shortcut for `edges { node }`.")
    def nodes(self) -> list[NodeType]:
        return [edge.node for edge in self.edges]

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
