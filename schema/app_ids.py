"""Per-app ids for partner apps, applied once on the built schema (``partners.app_ids`` says what and why).

For a ``partner_app`` viewer:
- out: ``Person.id`` and ``Wallet.id`` hold the app's handle of the person instead of their internal id;
  ``Notification.subjectId`` too when it names a person; every cursor (``<X>Edge.cursor``,
  ``PageInfo.startCursor``/``endCursor``) is sealed with the app's key;
- in: the ``after``/``before`` argument of every field is opened before the field's resolver runs; a value that
  does not open is the list's usual ``INVALID_INPUT`` (``core.pagination.NOT_ISSUED``). Person ids in arguments
  are opened where they are decoded (``resolvers.common.decode_id``, ``resolvers.node``).

What to change is decided here, per field, once on the built schema (``out_change``, ``cursor_args``); the change
itself runs inside the one resolver wrapper of partner apps that ``schema.app_scope.app_resolvers`` builds per field
(scope check, these ids, access-log recording in one call). A person or anonymous viewer's request runs the schema's
own resolvers: it never meets any of it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from graphql import GraphQLField
from strawberry import relay
from strawberry.relay.types import GlobalIDValueError

from core.errors import UserInputError
from core.pagination import NOT_ISSUED
from partners import app_ids

Resolver = Callable[..., Any]
#: How an app's value of a field changes on the way out: ``change(context, value) -> value``.
Change = Callable[[Any, Any], Any]
#: The types whose global id's value is a person's internal id (a wallet is named by its owner).
PERSON_NAMED = ("Person", "Wallet")
CURSOR_ARGS = ("after", "before")


def _person_named_id(ctx: Any, gid: relay.GlobalID) -> relay.GlobalID:
    """``id`` of a type named by a person: the app's handle as its value."""
    return relay.GlobalID(gid.type_name, app_ids.person_out(ctx.runtime, ctx.viewer, gid.node_id))


def _subject_id(ctx: Any, value: str) -> str:
    """``Notification.subjectId``: a person's global id holds the app's handle."""
    try:
        gid = relay.GlobalID.from_id(value)
    except (GlobalIDValueError, ValueError):
        return value
    if gid.type_name not in PERSON_NAMED:
        return value
    return str(relay.GlobalID(gid.type_name, app_ids.person_out(ctx.runtime, ctx.viewer, gid.node_id)))


def _cursor_out(ctx: Any, cursor: str | None) -> str | None:
    """A cursor, sealed for an app."""
    return app_ids.cursor_out(ctx.runtime, ctx.viewer, cursor)


def out_change(type_name: str, field_name: str) -> Change | None:
    """How an app's value of ``type_name.field_name`` changes (a person's id, a cursor), or None."""
    if field_name == "id" and type_name in PERSON_NAMED:
        return _person_named_id
    if (type_name, field_name) == ("Notification", "subjectId"):
        return _subject_id
    if (type_name.endswith("Edge") and field_name == "cursor") or (
        type_name == "PageInfo" and field_name in ("startCursor", "endCursor")
    ):
        return _cursor_out
    return None


def cursor_args(field: GraphQLField) -> tuple[str, ...]:
    """The cursor arguments (``after``/``before``) of a paged field, opened for an app before its resolver runs."""
    return tuple(name for name in CURSOR_ARGS if name in field.args)


def open_cursors(ctx: Any, names: tuple[str, ...], args: dict[str, Any]) -> None:
    """A paged field: the app's sealed ``after``/``before`` opened in ``args``; one that does not open is the
    list's usual ``INVALID_INPUT``."""
    for name in names:
        given = args.get(name)
        if given is None:
            continue
        opened = app_ids.cursor_in(ctx.runtime, ctx.viewer, given) if given else given
        if opened is None:
            raise UserInputError(NOT_ISSUED, field=name)
        args[name] = opened
