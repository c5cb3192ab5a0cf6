"""Scopes on every field for partner apps, default deny (``partners.fields`` decides; this module enforces).

Two checks, both for ``partner_app`` viewers only; a person or anonymous viewer never meets them:

1. **Before execution** (``AppScopes``, a schema extension that adds ``app_fields_rule`` to the validation rules of
   an app's request only): a field with no decision, or ``DENIED``, is refused with ``FORBIDDEN`` naming its
   coordinate, and no resolver runs. The same walk refuses a field whose scope the token lacks when nothing could
   hold its null: a non-null field with no nullable field or list item above it (``cart: Cart!`` at the root), whose
   null would otherwise erase the whole answer after resolvers ran. ``@skip``/``@include`` are not evaluated: a
   refused field is refused wherever it is written.
2. **During execution** (``guard``, run once on the built schema): each field decided by a scope or ``PERSON`` gets
   its resolver wrapped. For an app whose token lacks the scope, the field resolves to null with ``FORBIDDEN`` on its
   path (``extensions.requiredScope``), and the rest of the answer arrives; a non-null field's null goes to the
   nearest nullable field or list item above it (the GraphQL rule), which check 1 guarantees exists. When the field
   is under a personal scope (``partners.scopes.PERSONAL_SCOPES``) and its value is not null, the read is recorded
   in the request's ``ReadSet`` (about the ``Person`` it is a field of, else the app's person).

The wrapper is a plain function around graphql-core's resolver, not a Strawberry ``FieldExtension``: an extension
would turn every attribute field it is on (``Person.displayName``) into a full resolver call (``Info`` object,
argument parsing) for every viewer, while the wrapper costs a person one function call and one comparison.
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
from graphql.utilities import type_from_ast
from strawberry.extensions import SchemaExtension

from auth.viewer import Viewer
from core.errors import ForbiddenError
from partners import fields
from partners.scopes import PERSON_SCOPES, PERSONAL_SCOPES

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


def _guarded(resolve: Callable[..., Any], type_name: str, field_name: str, need: str) -> Callable[..., Any]:
    coordinate = f"{type_name}.{field_name}"
    personal = need in PERSONAL_SCOPES
    of_person = type_name == "Person"

    def record(value: Any, source: Any, viewer: Viewer, info: GraphQLResolveInfo, arguments: dict[str, Any]) -> None:
        if value is None:
            return
        person_id = getattr(source, "uuid", None) if of_person else viewer.actor_id
        if person_id is not None:
            logged = fields.logged_coordinate(coordinate, arguments)
            info.context.reads.record(person_id, logged, scope=need, path=info.path.as_list())

    async def recorded(
        pending: Awaitable[Any], source: Any, viewer: Viewer, info: GraphQLResolveInfo, arguments: dict[str, Any]
    ) -> Any:
        value = await pending
        record(value, source, viewer, info, arguments)
        return value

    def resolver(source: Any, info: GraphQLResolveInfo, **kwargs: Any) -> Any:
        viewer = info.context.viewer
        if viewer.kind != "partner_app":
            return resolve(source, info, **kwargs)
        if not holds(viewer, need):
            raise refusal(viewer, need, coordinate)
        value = resolve(source, info, **kwargs)
        if not personal:
            return value
        if isawaitable(value):
            return recorded(value, source, viewer, info, kwargs)
        record(value, source, viewer, info, kwargs)
        return value

    resolver.app_scope = need  # type: ignore[attr-defined]  # what tests/partners/test_default_deny.py checks
    resolver.__wrapped__ = resolve  # type: ignore[attr-defined]
    return resolver


def guard(schema: GraphQLSchema) -> None:
    """Wrap the resolver of every field decided by a scope or ``PERSON`` (once, on the built schema)."""
    for type_name, named in schema.type_map.items():
        if not isinstance(named, GraphQLObjectType) or type_name.startswith("__"):
            continue
        for field_name, field in named.fields.items():
            need = fields.decision(type_name, field_name)
            if need == fields.PERSON or fields.is_scope(need):
                assert need is not None
                field.resolve = _guarded(field.resolve or default_field_resolver, type_name, field_name, need)


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


class AppScopes(SchemaExtension):
    """Adds ``app_fields_rule`` to the validation of a partner app's request (persons' requests are untouched)."""

    def on_operation(self) -> Iterator[None]:
        context = self.execution_context.context
        viewer = getattr(context, "viewer", None)
        if isinstance(viewer, Viewer) and viewer.is_app:
            rules = self.execution_context.validation_rules
            self.execution_context.validation_rules = (*rules, app_fields_rule(rule_key(viewer)))
        yield
