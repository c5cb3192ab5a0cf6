"""Scopes on every field for partner apps, default deny (``partners.fields`` decides; this module enforces).

Two checks, both for ``partner_app`` viewers only; a person or anonymous viewer never meets them:

1. **Before execution** (``app_rules``: the request pipeline of ``schema.assemble`` adds ``app_fields_rule`` to the
   validation rules of an app's request only): a field with no decision, or ``DENIED``, is refused with ``FORBIDDEN`` naming its
   coordinate, and no resolver runs. The same walk refuses a field whose scope the token lacks when nothing could
   hold its null: a non-null field with no nullable field or list item above it (``cart: Cart!`` at the root), whose
   null would otherwise erase the whole answer after resolvers ran. ``@skip``/``@include`` are not evaluated: a
   refused field is refused wherever it is written.
2. **During execution** (``app_resolvers``, run once on the built schema): each field decided by a scope or ``PERSON``
   gets an app wrapper of its resolver, which an app's request runs instead (``AppResolvers``). For an app whose token lacks the scope, the field resolves to null with ``FORBIDDEN`` on its
   path (``extensions.requiredScope``), and the rest of the answer arrives; a non-null field's null goes to the
   nearest nullable field or list item above it (the GraphQL rule), which check 1 guarantees exists. When the field
   is under a personal scope (``partners.scopes.PERSONAL_SCOPES``) and its value is not null, the read is recorded
   in the request's ``ReadSet`` (about the ``Person`` it is a field of, else the app's person).

The wrapper is a plain function around graphql-core's resolver, not a Strawberry ``FieldExtension`` (which would turn
every attribute field it is on, ``Person.displayName``, into a full resolver call for every viewer), and it is one
wrapper per field whatever it does (this scope check, ``schema.app_ids``' per-app ids and cursors, the read recorded).
The schema keeps its own resolvers: the wrappers are swapped in, through graphql-core's middleware manager, only
for an app's request, so a person's or anonymous request runs exactly the resolvers it would without apps.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from functools import lru_cache
from inspect import isawaitable
from typing import Any

from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfo,
    GraphQLSchema,
    GraphQLUnionType,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationRule,
    default_field_resolver,
    get_named_type,
)
from graphql.execution import MiddlewareManager
from graphql.utilities import type_from_ast

from auth.viewer import Viewer
from core.errors import ForbiddenError
from partners import fields
from partners.scopes import PERSON_SCOPES, PERSONAL_SCOPES
from schema import app_ids

NOT_GRANTED = "This app was not granted the scope `{scope}`, which `{coordinate}` needs; ask the person to grant it."
NEEDS_PERSON = (
    "`{coordinate}` is about a person: only an app acting for a person with their consent may use it, "
    "not an app's own (client-credentials) token."
)
REFUSED = "Partner apps may not use `{coordinate}`."
ONCE = (
    "A partner app may ask `{coordinate}` only once per request (one selection, no aliases); "
    "send one request per question."
)


def holds(viewer: Viewer, need: str) -> bool:
    """Whether an app viewer holds ``need`` (a scope, or ``PERSON``: acts for a person)."""
    if need == fields.PERSON or need in PERSON_SCOPES:
        return viewer.actor_id is not None and (need == fields.PERSON or need in viewer.scopes)
    return need in viewer.scopes


def refusal(viewer: Viewer, need: str, coordinate: str) -> ForbiddenError:
    """The FORBIDDEN an app viewer gets for a field it does not hold ``need`` for."""
    params = {"coordinate": coordinate, "scope": need}
    if viewer.actor_id is None and (need == fields.PERSON or need in PERSON_SCOPES):
        extensions = {"requiredScope": need} if need != fields.PERSON else {}
        return ForbiddenError(NEEDS_PERSON, params=params, extensions=extensions)
    return ForbiddenError(NOT_GRANTED, params=params, extensions={"requiredScope": need})


# --- 2. during execution ---------------------------------------------------------------------------------------


def _app_resolver(
    resolve: Callable[..., Any],
    type_name: str,
    field_name: str,
    need: str | None,
    cursors: tuple[str, ...],
    change: app_ids.Change | None,
) -> Callable[..., Any]:
    """The one wrapper of a field for a partner app: its scope, its cursors in, its ids out, its read recorded."""
    coordinate = f"{type_name}.{field_name}"
    personal = need in PERSONAL_SCOPES
    of_person = type_name == "Person"
    after = change is not None or personal

    def record(value: Any, source: Any, viewer: Viewer, info: GraphQLResolveInfo, arguments: dict[str, Any]) -> None:
        if value is None:
            return
        person_id = getattr(source, "uuid", None) if of_person else viewer.actor_id
        if person_id is not None:
            logged = fields.logged_coordinate(coordinate, arguments)
            info.context.reads.record(person_id, logged, scope=need, path=info.path.as_list())

    def finish(value: Any, source: Any, info: GraphQLResolveInfo, arguments: dict[str, Any]) -> Any:
        if change is not None:
            value = change(info.context, value)
        if personal:
            record(value, source, info.context.viewer, info, arguments)
        return value

    async def finish_later(
        pending: Awaitable[Any], source: Any, info: GraphQLResolveInfo, arguments: dict[str, Any]
    ) -> Any:
        return finish(await pending, source, info, arguments)

    def resolver(source: Any, info: GraphQLResolveInfo, **kwargs: Any) -> Any:
        context = info.context
        viewer = context.viewer
        if viewer.kind != "partner_app":
            return resolve(source, info, **kwargs)
        if need is not None and not holds(viewer, need):
            raise refusal(viewer, need, coordinate)
        if cursors:
            app_ids.open_cursors(context, cursors, kwargs)
        value = resolve(source, info, **kwargs)
        if not after:
            return value
        if isawaitable(value):
            return finish_later(value, source, info, kwargs)
        return finish(value, source, info, kwargs)

    return resolver


def _passing(resolve: Callable[..., Any]) -> Callable[..., Any]:
    """A resolver of its own for a field whose resolver is shared (or graphql-core's default), so that the app's
    wrapper of that field, looked up by resolver, is that field's alone."""

    def resolver(source: Any, info: GraphQLResolveInfo, **kwargs: Any) -> Any:
        return resolve(source, info, **kwargs)

    return resolver


def app_resolvers(schema: GraphQLSchema) -> dict[Callable[..., Any], Callable[..., Any]]:
    """One pass over the built schema: for every field a partner app's request treats differently (decided by a
    scope or ``PERSON``; a person's id or a cursor on the way out; cursors in its arguments), the field's own
    resolver mapped to its app wrapper (``_app_resolver``). The schema keeps its own resolvers: a person's or
    anonymous request runs them directly and pays nothing; an app's request runs the wrappers through
    ``AppResolvers``. A guarded field's resolver is marked with ``app_scope`` (what the tests check)."""
    wrappers: dict[Callable[..., Any], Callable[..., Any]] = {}
    for type_name, named in schema.type_map.items():
        if not isinstance(named, GraphQLObjectType) or type_name.startswith("__"):
            continue
        for field_name, field in named.fields.items():
            decided = fields.decision(type_name, field_name)
            need = decided if decided == fields.PERSON or fields.is_scope(decided) else None
            cursors = app_ids.cursor_args(field)
            change = app_ids.out_change(type_name, field_name)
            if need is None and not cursors and change is None:
                continue
            if field.resolve is None or field.resolve in wrappers or not hasattr(field.resolve, "__dict__"):
                field.resolve = _passing(field.resolve or default_field_resolver)
            own = field.resolve
            if need is not None:
                own.app_scope = need  # what tests/partners/test_default_deny.py checks
            wrappers[own] = _app_resolver(own, type_name, field_name, need, cursors, change)
    return wrappers


class AppResolvers(MiddlewareManager):
    """graphql-core's hook into each field's resolver (its middleware manager), used for partner apps' requests
    only: the field's own resolver is swapped for its app wrapper (``app_resolvers``); any other field runs as it
    is. One dictionary lookup per field resolved."""

    def __init__(self, wrappers: dict[Callable[..., Any], Callable[..., Any]]) -> None:
        super().__init__()
        self.wrappers = wrappers

    def get_field_resolver(self, field_resolver: Callable[..., Any]) -> Callable[..., Any]:
        return self.wrappers.get(field_resolver, field_resolver)


# --- 1. before execution ---------------------------------------------------------------------------------------


def _has_nullable_position(output: GraphQLOutputType) -> bool:
    """Whether a value of this type has a place that may be null (itself, or an item of a list in it)."""
    while True:
        if not isinstance(output, GraphQLNonNull):
            return True
        inner = output.of_type
        if not isinstance(inner, GraphQLList):
            return False
        output = inner.of_type


def needs(schema: GraphQLSchema, parent: GraphQLObjectType | GraphQLInterfaceType, name: str) -> set[str] | None:
    """What an app needs for ``parent.name``: the scopes (or ``PERSON``) of each type it can resolve on (empty for
    PUBLIC); None when it is refused (no decision, or DENIED, on any of them)."""
    concrete = [parent] if isinstance(parent, GraphQLObjectType) else list(schema.get_possible_types(parent))
    found: set[str] = set()
    for each in concrete:
        decided = fields.decision(each.name, name)
        if decided is None or decided == fields.DENIED:
            return None
        if decided != fields.PUBLIC:
            found.add(decided)
    return found


def rule_key(viewer: Viewer) -> Viewer:
    """What of an app viewer the validation rule depends on: its scopes and whether it acts for a person."""
    return Viewer(kind="partner_app", actor_id="person" if viewer.actor_id else None, scopes=viewer.scopes)


@lru_cache(maxsize=256)
def app_fields_rule(app: Viewer) -> type[ValidationRule]:
    """The validation rule of the requests of an app viewer keyed by ``rule_key`` (one class per scopes-and-person,
    so Strawberry's validation cache, keyed by the rules, keeps apps' answers apart from persons' and from each
    other's)."""

    class AppFieldsRule(ValidationRule):
        def enter_operation_definition(self, node: OperationDefinitionNode, *_args: Any) -> None:
            root = self.context.schema.get_root_type(node.operation)
            if root is not None:
                selected: dict[str, list[FieldNode]] = {}
                for error in _walk(self.context.schema, self.context.get_fragment, node.selection_set, root, selected):
                    self.report_error(error)
                for coordinate, nodes in sorted(selected.items()):
                    if len(nodes) > 1:
                        refused = ForbiddenError(ONCE, params={"coordinate": coordinate})
                        self.report_error(_error(refused, nodes[1:], coordinate))

    def _walk(
        schema: GraphQLSchema,
        fragment: Callable[[str], Any],
        selections: SelectionSetNode,
        parent: GraphQLObjectType | GraphQLInterfaceType | GraphQLUnionType,
        selected: dict[str, list[FieldNode]],
        held: bool = False,
        spread: tuple[str, ...] = (),
    ) -> Iterator[GraphQLError]:
        for selection in selections.selections:
            if isinstance(selection, FieldNode):
                yield from _field(schema, fragment, selection, parent, selected, held, spread)
                continue
            if isinstance(selection, InlineFragmentNode):
                condition, inner = selection.type_condition, selection.selection_set
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                found = fragment(name)
                if found is None or name in spread:
                    continue  # graphql-core's own rules report these
                condition, inner, spread = found.type_condition, found.selection_set, (*spread, name)
            else:
                continue
            typed = type_from_ast(schema, condition) if condition is not None else parent
            if isinstance(typed, GraphQLObjectType | GraphQLInterfaceType | GraphQLUnionType):
                yield from _walk(schema, fragment, inner, typed, selected, held, spread)

    def _field(
        schema: GraphQLSchema,
        fragment: Callable[[str], Any],
        node: FieldNode,
        parent: GraphQLObjectType | GraphQLInterfaceType | GraphQLUnionType,
        selected: dict[str, list[FieldNode]],
        held: bool,
        spread: tuple[str, ...],
    ) -> Iterator[GraphQLError]:
        name = node.name.value
        if name == "__typename" or isinstance(parent, GraphQLUnionType):
            return  # a union has no field but __typename (FieldsOnCorrectTypeRule reports any other)
        coordinate = f"{parent.name}.{name}"
        if name in ("__schema", "__type"):
            if fields.decision(parent.name, name) != fields.PUBLIC:
                yield _error(ForbiddenError(REFUSED, params={"coordinate": coordinate}), node, coordinate)
            return
        definition: GraphQLField | None = parent.fields.get(name)
        if definition is None:
            return  # FieldsOnCorrectTypeRule reports it
        if coordinate in fields.ONCE_PER_OPERATION:
            selected.setdefault(coordinate, []).append(node)
        needed = needs(schema, parent, name)
        if needed is None:
            yield _error(ForbiddenError(REFUSED, params={"coordinate": coordinate}), node, coordinate)
            return
        if not held and isinstance(definition.type, GraphQLNonNull):
            for need in sorted(needed):
                if not holds(app, need):
                    yield _error(refusal(app, need, coordinate), node, coordinate)
                    return
        named = get_named_type(definition.type)
        if node.selection_set is not None and isinstance(
            named, GraphQLObjectType | GraphQLInterfaceType | GraphQLUnionType
        ):
            below = held or _has_nullable_position(definition.type)
            yield from _walk(schema, fragment, node.selection_set, named, selected, below, spread)

    return AppFieldsRule


def _error(error: ForbiddenError, node: FieldNode | list[FieldNode], coordinate: str) -> GraphQLError:
    error.extensions.setdefault("coordinate", coordinate)
    return GraphQLError(error.message, node, original_error=error)


def app_rules(viewer: Viewer) -> tuple[type[ValidationRule], ...]:
    """The validation rules a request adds for its viewer: ``app_fields_rule`` for a partner app, none otherwise."""
    if viewer.is_app:
        return (app_fields_rule(rule_key(viewer)),)
    return ()
