"""Helpers every resolver uses: the runtime and viewer of the request, global ids, payload errors."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

import strawberry
from strawberry import relay
from strawberry.relay.types import GlobalIDValueError
from strawberry.types.nodes import SelectedField, Selection

from auth.viewer import Viewer
from core.errors import UserInputError
from core.runtime import Runtime
from schema.common import UserError

P = TypeVar("P")


def runtime(info: strawberry.Info) -> Runtime:
    return info.context.runtime


def viewer(info: strawberry.Info) -> Viewer:
    return info.context.viewer


def user_agent(info: strawberry.Info) -> str | None:
    return info.context.request.headers.get("user-agent")


def client_address(info: strawberry.Info) -> str | None:
    client = info.context.request.client
    return client.host if client else None


def decode_id(value: str, type_names: str | tuple[str, ...], field: str) -> str:
    """The UUID inside a global id of one of ``type_names``; INVALID_INPUT otherwise."""
    names = (type_names,) if isinstance(type_names, str) else type_names
    try:
        global_id = relay.GlobalID.from_id(value)
    except (GlobalIDValueError, ValueError) as exc:
        raise UserInputError("This is not a global id of this API; pass an `id` it returned.", field=field) from exc
    if global_id.type_name not in names:
        raise UserInputError(f"This id is not the id of a {' or '.join(names)}.", field=field)
    return global_id.node_id


def acting_organization(value: str | None) -> str | None:
    """The UUID of the organisation an `asOrganization` argument names, or None when it is not given."""
    return decode_id(value, "Organization", "asOrganization") if value else None


async def payload(cls: Callable[..., P], work: Callable[[], Awaitable[dict]]) -> P:
    """Run a mutation's service call; user-fixable errors go into the payload's ``errors``."""
    try:
        return cls(**await work())
    except UserInputError as error:
        return cls(errors=[UserError.from_error(error)])


def selects(info: strawberry.Info, *path: str) -> bool:
    """Whether the client selected the field at ``path`` (camelCase names) below the current field, looking
    through fragments: lets a hot root field project only what will be shown."""
    return selected_field(info, *path) is not None


def selected_field(info: strawberry.Info, *path: str) -> SelectedField | None:
    """The first selection of the field at ``path`` below the current field (its ``arguments`` hold the
    client's values, variables resolved), or None."""

    def fields(selections: list[Selection]):
        for selection in selections:
            if isinstance(selection, SelectedField):
                yield selection
            else:  # a fragment spread or inline fragment: its fields count as selected here
                yield from fields(selection.selections)

    level = [s for s in info.selected_fields if isinstance(s, SelectedField)]
    for name in path:
        level = [f for parent in level for f in fields(parent.selections) if f.name == name]
        if not level:
            return None
    return level[0]
