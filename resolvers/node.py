"""``node(id:)``: any object by its Relay global id."""

from __future__ import annotations

import inspect
from typing import Annotated

import strawberry
from strawberry import relay
from strawberry.relay.types import GlobalIDValueError

from core.errors import UserInputError


async def node(
    info: strawberry.Info,
    id: Annotated[strawberry.ID, strawberry.argument(description="A global `id` returned by this API.")],
) -> relay.Node | None:
    try:
        global_id = relay.GlobalID.from_id(id)
        node_type = global_id.resolve_type(info)
        # An interface (Node, Actor) names no stored object: only a concrete type knows how to load its nodes.
        if info.schema.get_type_by_name(global_id.type_name).is_interface:  # type: ignore[union-attr]
            raise ValueError(global_id.type_name)
    except (GlobalIDValueError, ValueError, TypeError) as exc:
        raise UserInputError("This id is not a global id of this API; pass an `id` it returned.", field="id") from exc
    # The type's resolve_nodes applies the viewer's visibility rules: a hidden object is null.
    found = node_type.resolve_node(global_id.node_id, info=info, required=False)
    return await found if inspect.isawaitable(found) else found
