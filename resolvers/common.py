"""Helpers every resolver uses: the runtime and viewer of the request, global ids, payload errors."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import strawberry
from graphql import GraphQLInputObjectType, GraphQLInputType, GraphQLList, GraphQLNonNull
from strawberry import relay
from strawberry.relay.types import GlobalIDValueError
from strawberry.types.nodes import SelectedField, Selection

from auth.viewer import Viewer
from core.errors import InputErrors, NotFoundError, Problems, UserInputError
from core.logs import get_logger
from core.runtime import Runtime
from partners import app_ids
from schema.common import UserError

P = TypeVar("P")

log = get_logger("resolvers")


def runtime(info: strawberry.Info) -> Runtime:
    return info.context.runtime


def viewer(info: strawberry.Info) -> Viewer:
    return info.context.viewer


def user_agent(info: strawberry.Info) -> str | None:
    return info.context.request.headers.get("user-agent")


def client_address(info: strawberry.Info) -> str | None:
    client = info.context.request.client
    return client.host if client else None


NOT_A_GLOBAL_ID = "This is not a global id of this API; pass an `id` it returned."

#: The types whose global id's value names a person (a wallet is named by its owner): for a partner app it holds
#: the app's handle of the person (``partners.app_ids``), never the internal id.
PERSON_NAMED = frozenset({"Person", "Wallet"})


def decode_id(value: str, type_names: str | tuple[str, ...], field: str, info: strawberry.Info | None = None) -> str:
    """The UUID inside a global id of one of ``type_names``; INVALID_INPUT otherwise.

    ``info`` is required when a person's id is accepted: for a partner app the id's value is the app's handle of
    the person, opened here; an internal id (or another app's handle) is refused as not a global id of this API."""
    names = (type_names,) if isinstance(type_names, str) else type_names
    try:
        global_id = relay.GlobalID.from_id(value)
    except (GlobalIDValueError, ValueError) as exc:
        raise UserInputError(NOT_A_GLOBAL_ID, field=field) from exc
    if global_id.type_name not in names:
        if len(names) == 1:
            raise UserInputError("This id is not the id of a {type}.", field=field, params={"type": names[0]})
        raise UserInputError(
            "This id is not the id of any of {types}.", field=field, params={"types": ", ".join(names)}
        )
    if global_id.type_name in PERSON_NAMED:
        assert info is not None, f"decode_id of {field}: a person's id needs `info` (partners.app_ids)"
        opened = app_ids.person_in(runtime(info), viewer(info), global_id.node_id)
        if opened is None:
            raise UserInputError(NOT_A_GLOBAL_ID, field=field)
        return opened
    return global_id.node_id


def decode_input_id(
    problems: Problems,
    value: str,
    type_names: str | tuple[str, ...],
    field: str,
    info: strawberry.Info | None = None,
) -> str:
    """The UUID of a global id of a mutation's input; "" after recording in ``problems`` why it is not one, so the
    service refuses the input together with every other mistake of it (services check the input before they use
    any id). ``info`` as for ``decode_id``."""
    return problems.take(lambda: decode_id(value, type_names, field, info)) or ""


def decode_input_organization(problems: Problems, value: str | None) -> str | None:
    """The organisation an input's ``asOrganization`` names, None when not given; "" after recording in
    ``problems`` why it is not an organisation's id (the service refuses the input before acting for anyone)."""
    return decode_input_id(problems, value, "Organization", "asOrganization") if value else None


def acting_organization(value: str | None) -> str | None:
    """The UUID of the organisation an `asOrganization` argument names, or None when it is not given."""
    return decode_id(value, "Organization", "asOrganization") if value else None


def language(info: strawberry.Info) -> str:
    """The language of the caller's messages (``Accept-Language``): "en" or "vi"."""
    return getattr(info.context, "language", "en")


async def mutate(info: strawberry.Info, cls: Callable[..., P], work: Callable[[], Awaitable[dict[str, Any]]]) -> P:
    """Run a mutation the one way (``core.errors``): ``work()`` returns the payload's fields; a mistake about the
    input (``UserInputError``, every error of ``InputErrors``, ``NotFoundError``) becomes the payload's ``errors``
    with ``field`` a path into ``input``; anything else (UNAUTHENTICATED, FORBIDDEN, RATE_LIMITED...) is a
    top-level error that nulls only this mutation's field. Services name fields relative to the input
    (``"document.number"``); a name that is not in the input is a bug: refused in development and tests, reduced
    to the part that exists in production."""
    try:
        return cls(**await work())
    except (UserInputError, NotFoundError) as error:
        errors = error.errors if isinstance(error, InputErrors) else [error]
        return cls(errors=[_user_error(info, e) for e in errors])


def _user_error(info: strawberry.Info, error: UserInputError | NotFoundError) -> UserError:
    input_type = info._raw_info.parent_type.fields[info.field_name].args["input"].type
    parts = error.path
    valid = _existing_prefix(input_type, parts)
    if len(valid) != len(parts) or (isinstance(error, NotFoundError) and not error.field):
        if info.context.settings.environment != "production":
            raise AssertionError(f"{info.field_name}: error field {error.field!r} is not a path into its input")
        log.warning("error field outside the input", mutation=info.field_name, field=error.field)
    built = UserError.from_error(error, language(info))
    if error.field:
        built.field = ["input", *valid]
    return built


def _existing_prefix(type_: GraphQLInputType, parts: list[str]) -> list[str]:
    """The longest prefix of ``parts`` that is a path inside an input of type ``type_``."""
    walked: list[str] = []
    for part in parts:
        while isinstance(type_, GraphQLNonNull):
            type_ = type_.of_type
        if isinstance(type_, GraphQLList) and part.isdigit():
            type_ = type_.of_type
        elif isinstance(type_, GraphQLInputObjectType) and part in type_.fields:
            type_ = type_.fields[part].type
        else:
            break
        walked.append(part)
    return walked


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
