"""Per-app ids for partner apps, applied once on the built schema (``partners.app_ids`` says what and why).

For a ``partner_app`` viewer:
- out: ``Person.id`` and ``Wallet.id`` hold the app's handle of the person instead of their internal id;
  ``Notification.subjectId`` too when it names a person; every cursor (``<X>Edge.cursor``,
  ``PageInfo.startCursor``/``endCursor``) is sealed with the app's key;
- in: the ``after``/``before`` argument of every field is opened before the field's resolver runs; a value that
  does not open is the list's usual ``INVALID_INPUT`` (``core.pagination.NOT_ISSUED``). Person ids in arguments
  are opened where they are decoded (``resolvers.common.decode_id``, ``resolvers.node``).

Like ``schema.app_scope.guard``, a plain function around graphql-core's resolver: a person or anonymous viewer pays
one function call and one comparison per wrapped field, and sees exactly what it saw before.
"""

from __future__ import annotations

from collections.abc import Callable
from inspect import isawaitable
from typing import Any

from graphql import GraphQLField, GraphQLObjectType, GraphQLResolveInfo, GraphQLSchema, default_field_resolver
from strawberry import relay
from strawberry.relay.types import GlobalIDValueError

from core.errors import UserInputError
from core.pagination import NOT_ISSUED
from partners import app_ids

Resolver = Callable[..., Any]
#: The types whose global id's value is a person's internal id (a wallet is named by its owner).
PERSON_NAMED = ("Person", "Wallet")
CURSOR_ARGS = ("after", "before")


def _then(value: Any, change: Callable[[Any], Any]) -> Any:
    if isawaitable(value):

        async def later() -> Any:
            return change(await value)

        return later()
    return change(value)


def _is_app(info: GraphQLResolveInfo) -> bool:
    return bool(info.context.viewer.is_app)


def _person_named_id(resolve: Resolver) -> Resolver:
    """``id`` of a type named by a person: the app's handle as its value."""

    def wrapped(source: Any, info: GraphQLResolveInfo, **args: Any) -> Any:
        found = resolve(source, info, **args)
        if not _is_app(info):
            return found
        ctx = info.context

        def change(gid: relay.GlobalID) -> relay.GlobalID:
            return relay.GlobalID(gid.type_name, app_ids.person_out(ctx.runtime, ctx.viewer, gid.node_id))

        return _then(found, change)

    return wrapped


def _subject_id(resolve: Resolver) -> Resolver:
    """``Notification.subjectId``: a person's global id holds the app's handle."""

    def wrapped(source: Any, info: GraphQLResolveInfo, **args: Any) -> Any:
        found = resolve(source, info, **args)
        if not _is_app(info):
            return found
        ctx = info.context

        def change(value: str) -> str:
            try:
                gid = relay.GlobalID.from_id(value)
            except (GlobalIDValueError, ValueError):
                return value
            if gid.type_name not in PERSON_NAMED:
                return value
            return str(relay.GlobalID(gid.type_name, app_ids.person_out(ctx.runtime, ctx.viewer, gid.node_id)))

        return _then(found, change)

    return wrapped


def _cursor_out(resolve: Resolver) -> Resolver:
    """A cursor, sealed for an app."""

    def wrapped(source: Any, info: GraphQLResolveInfo, **args: Any) -> Any:
        found = resolve(source, info, **args)
        if not _is_app(info):
            return found
        ctx = info.context
        return _then(found, lambda cursor: app_ids.cursor_out(ctx.runtime, ctx.viewer, cursor))

    return wrapped


def _cursors_in(resolve: Resolver, names: tuple[str, ...]) -> Resolver:
    """A paged field: the app's sealed ``after``/``before`` opened before its resolver runs."""

    def wrapped(source: Any, info: GraphQLResolveInfo, **args: Any) -> Any:
        if _is_app(info):
            ctx = info.context
            for name in names:
                given = args.get(name)
                if given is None:
                    continue
                opened = app_ids.cursor_in(ctx.runtime, ctx.viewer, given) if given else given
                if opened is None:
                    raise UserInputError(NOT_ISSUED, field=name)
                args[name] = opened
        return resolve(source, info, **args)

    return wrapped


def _wrap(field: GraphQLField, wrapper: Callable[[Resolver], Resolver]) -> None:
    field.resolve = wrapper(field.resolve or default_field_resolver)


def per_app_ids(schema: GraphQLSchema) -> None:
    """Wrap the resolvers that show or read person ids and cursors (once, on the built schema)."""
    for type_name, named in schema.type_map.items():
        if not isinstance(named, GraphQLObjectType) or type_name.startswith("__"):
            continue
        for field_name, field in named.fields.items():
            if field_name == "id" and type_name in PERSON_NAMED:
                _wrap(field, _person_named_id)
            elif (type_name, field_name) == ("Notification", "subjectId"):
                _wrap(field, _subject_id)
            elif (type_name.endswith("Edge") and field_name == "cursor") or (
                type_name == "PageInfo" and field_name in ("startCursor", "endCursor")
            ):
                _wrap(field, _cursor_out)
            cursor_args = tuple(name for name in CURSOR_ARGS if name in field.args)
            if cursor_args:
                field.resolve = _cursors_in(field.resolve or default_field_resolver, cursor_args)
