"""What an operation costs, computed from the document before anything runs (docs/partners.md, "Query cost").

The model (Shopify's and GitHub's, with our pagination's numbers):

- a scalar or enum field costs 0 (``__typename`` included);
- an object field costs 1 plus what its own selection costs;
- a connection (any field with a ``first`` or ``last`` argument) costs ``n × (1 + its selection)``, ``n`` being the
  page size asked: ``first``/``last`` as the request's *coerced* variables give it (``first: $n`` with ``n = 100``
  costs what ``first: 100`` does), ``core.pagination.DEFAULT_PAGE_SIZE`` when neither is given, never more than
  ``MAX_PAGE_SIZE`` (a larger page is refused by the list itself) nor less than 0. The connection's ``edges`` and
  ``nodes`` are then objects inside it: each item is paid for by the multiplication;
- a list fetched by ids (``nodes(ids:)``) costs ``len(ids) × (1 + its selection)``;
- any other list of objects (a cart's items, a comment's replies) costs as one object: such lists are short by
  construction;
- a mutation's root field costs ``MUTATION_COST`` plus what its payload's selection costs;
- a fragment costs what its fields cost, at each place it is spread; ``@skip``/``@include`` are honoured;
- a selection on an interface or a union costs the most expensive of its possible types (the fields each
  possible type would resolve, with the fragments whose type condition it matches).

``operation_cost`` is called in the validation stage of every request (``schema.assemble.RequestPipeline``, with the
variables coerced once there) and by the persisted operations at registration (``worst_case=True``: a page size or
a list of ids bound to a variable the call does not give counts at its maximum, since any value could come at run
time). The walk is a recursion over the selection sets (graphql-core's ``TypeInfo`` bookkeeping, done by hand),
because an abstract type needs one subtotal per possible type; it is memoised per (selection set, type), so a
fragment spread on every member of an interface is walked once per type, and it is bounded by the validation rules
that run before it (depth, fields counted at each use of a fragment).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLIncludeDirective,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLSkipDirective,
    InlineFragmentNode,
    IntValueNode,
    ListValueNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    VariableNode,
    get_named_type,
    get_operation_ast,
    is_abstract_type,
    is_list_type,
    is_non_null_type,
    is_object_type,
)
from graphql.execution.values import get_variable_values
from graphql.type.introspection import SchemaMetaFieldDef, TypeMetaFieldDef, TypeNameMetaFieldDef
from graphql.utilities import type_from_ast
from strawberry.types import ExecutionContext

from auth.viewer import ANONYMOUS
from core.errors import AppError
from core.pagination import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from quotas.cost import Budget, Standing, budget_for, spend, standing
from quotas.requests import Window
from resolvers.node import MAX_NODES

#: What a mutation's root field costs before its payload's selection (a write, a transaction).
MUTATION_COST = 10
#: The arguments that size a connection's page.
PAGE_ARGUMENTS = ("first", "last")
#: The argument of a list fetched by ids, and its longest length.
IDS_ARGUMENT = "ids"


class _Unbound:
    """A variable the worst-case estimate does not know (any value may come at run time)."""


UNBOUND = _Unbound()


def operation_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    variables: Mapping[str, Any] | None,
    operation_name: str | None,
    *,
    worst_case: bool = False,
) -> int:
    """The cost of the operation ``operation_name`` of ``document`` (the only one when None) against ``schema``.

    ``variables`` are the request's *coerced* variables (``graphql.execution.values.get_variable_values``: defaults
    filled in, values of the variables' types). With ``worst_case`` a variable missing from ``variables`` may hold
    anything: a page size bound to it counts as ``MAX_PAGE_SIZE``, a list of ids as ``MAX_NODES``, and a
    ``@skip``/``@include`` condition bound to it includes its selection. The document must have passed validation
    (unknown fields and fragments are counted as 0, a fragment cycle is not followed)."""
    operation = get_operation_ast(document, operation_name)
    if operation is None:
        return 0
    return _walk_operation(schema, document, operation, variables or {}, worst_case=worst_case)


def _walk_operation(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation: OperationDefinitionNode,
    variables: Mapping[str, Any],
    *,
    worst_case: bool,
) -> int:
    root = schema.get_root_type(operation.operation)
    if root is None:
        return 0
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    walk = _Walk(schema, fragments, variables, worst_case)
    if operation.operation == OperationType.MUTATION:
        return walk.mutation(operation.selection_set, root)
    return walk.selection(operation.selection_set, root)


class _Walk:
    """One cost computation: the document's fragments, the variables, and the subtotals already known."""

    __slots__ = ("fragments", "memo", "on_path", "schema", "variables", "worst_case")

    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: dict[str, FragmentDefinitionNode],
        variables: Mapping[str, Any],
        worst_case: bool,
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables
        self.worst_case = worst_case
        self.memo: dict[tuple[int, str], int] = {}
        self.on_path: set[str] = set()

    # --- selections -------------------------------------------------------------------------------------------
    def mutation(self, selection_set: SelectionSetNode, root: GraphQLObjectType) -> int:
        """A mutation's root fields: each ``MUTATION_COST`` plus its payload's selection (root fields run one
        after the other, so their costs add up)."""
        total = 0
        for node in self._fields(selection_set, root):
            field = self._field_def(root, node.name.value)
            if field is None:
                continue
            total += MUTATION_COST + self._children(node, field)
        return total

    def selection(self, selection_set: SelectionSetNode, parent: Any) -> int:
        """What ``selection_set`` costs on ``parent``: for an interface or union, the most its possible types
        cost."""
        if is_abstract_type(parent):
            possible = self.schema.get_possible_types(parent)
            return max((self._on_object(selection_set, t) for t in possible), default=0)
        if is_object_type(parent):
            return self._on_object(selection_set, parent)
        return 0

    def _on_object(self, selection_set: SelectionSetNode, parent: GraphQLObjectType) -> int:
        key = (id(selection_set), parent.name)
        known = self.memo.get(key)
        if known is not None:
            return known
        total = 0
        for node in self._fields(selection_set, parent):
            field = self._field_def(parent, node.name.value)
            if field is not None:
                total += self._field(node, field)
        self.memo[key] = total
        return total

    def _fields(self, selection_set: SelectionSetNode, parent: GraphQLObjectType) -> list[FieldNode]:
        """The fields ``selection_set`` selects on the object type ``parent``: fragments whose type condition
        ``parent`` matches expanded, ``@skip``/``@include`` applied. Two selections of one response name are one
        field at run time but each is counted here (their selections are merged by execution; counting each is an
        upper bound, exact for the usual case of one selection per name)."""
        found: list[FieldNode] = []
        for selection in selection_set.selections:
            if not self._included(selection):
                continue
            if isinstance(selection, FieldNode):
                found.append(selection)
            elif isinstance(selection, InlineFragmentNode):
                if selection.type_condition is None or self._matches(selection.type_condition, parent):
                    found.extend(self._fields(selection.selection_set, parent))
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.fragments.get(name)
                if fragment is None or name in self.on_path or not self._matches(fragment.type_condition, parent):
                    continue
                self.on_path.add(name)
                try:
                    found.extend(self._fields(fragment.selection_set, parent))
                finally:
                    self.on_path.discard(name)
        return found

    def _matches(self, condition: Any, parent: GraphQLObjectType) -> bool:
        wanted = type_from_ast(self.schema, condition)
        if wanted is None:
            return False
        if wanted is parent:
            return True
        return is_abstract_type(wanted) and self.schema.is_sub_type(wanted, parent)

    # --- fields -----------------------------------------------------------------------------------------------
    def _field(self, node: FieldNode, field: GraphQLField) -> int:
        named = get_named_type(field.type)
        if not (is_object_type(named) or is_abstract_type(named)):
            return 0  # scalar or enum
        children = self._children(node, field)
        pages = [a for a in PAGE_ARGUMENTS if a in field.args]
        if pages:
            return self._page_size(node, pages) * (1 + children)
        if IDS_ARGUMENT in field.args and _is_list(field.type):
            return self._ids_count(node) * (1 + children)
        return 1 + children

    def _children(self, node: FieldNode, field: GraphQLField) -> int:
        if node.selection_set is None:
            return 0
        return self.selection(node.selection_set, get_named_type(field.type))

    def _page_size(self, node: FieldNode, names: list[str]) -> int:
        """The page a connection field asks for: the larger of ``first``/``last`` given (both given is refused by
        the list: counted as the larger), the default page when neither is, clamped to [0, MAX_PAGE_SIZE]."""
        sizes = [self._argument(node, name) for name in names]
        given = [s for s in sizes if s is not None]
        if any(s is UNBOUND for s in given):
            return MAX_PAGE_SIZE
        numbers = [s for s in given if isinstance(s, int) and not isinstance(s, bool)]
        size = max(numbers) if numbers else DEFAULT_PAGE_SIZE
        return min(max(size, 0), MAX_PAGE_SIZE)

    def _ids_count(self, node: FieldNode) -> int:
        value = self._argument(node, IDS_ARGUMENT, literal_list=True)
        if value is UNBOUND:
            return MAX_NODES
        if isinstance(value, (list, tuple)):
            return min(len(value), MAX_NODES)
        return 1 if value is not None else 0

    def _argument(self, node: FieldNode, name: str, *, literal_list: bool = False) -> Any:
        """An argument's value: an integer literal, a list literal (its items, when ``literal_list``), a variable's
        coerced value (``UNBOUND`` in the worst case when the call does not give it), or None when absent."""
        for argument in node.arguments or ():
            if argument.name.value != name:
                continue
            value = argument.value
            if isinstance(value, VariableNode):
                return self._variable(value.name.value)
            if isinstance(value, IntValueNode):
                return int(value.value)
            if literal_list and isinstance(value, ListValueNode):
                return list(value.values)
            return None
        return None

    def _variable(self, name: str) -> Any:
        if name in self.variables:
            return self.variables[name]
        return UNBOUND if self.worst_case else None

    def _included(self, selection: Any) -> bool:
        """``@skip(if:)`` / ``@include(if:)`` on the coerced variables; in the worst case a condition on a variable
        the call does not give includes the selection."""
        directives = selection.directives
        if not directives:
            return True
        for directive in directives:
            name = directive.name.value
            if name not in (GraphQLSkipDirective.name, GraphQLIncludeDirective.name):
                continue
            condition = self._condition(directive)
            if condition is UNBOUND:
                continue
            if name == GraphQLSkipDirective.name and condition is True:
                return False
            if name == GraphQLIncludeDirective.name and condition is False:
                return False
        return True

    def _condition(self, directive: Any) -> Any:
        for argument in directive.arguments or ():
            if argument.name.value == "if":
                value = argument.value
                if isinstance(value, VariableNode):
                    return self._variable(value.name.value)
                return getattr(value, "value", None)
        return None

    def _field_def(self, parent: GraphQLObjectType, name: str) -> GraphQLField | None:
        if name == "__typename":
            return TypeNameMetaFieldDef
        if parent is self.schema.query_type:
            if name == "__schema":
                return SchemaMetaFieldDef
            if name == "__type":
                return TypeMetaFieldDef
        return parent.fields.get(name)


class DocumentText:
    """A parsed document as a cache key, by its text: the parse cache gives one document per text (and the token
    limit, the same for every request of a schema), so the text stands for the document, and its hash is computed
    once by Python where a document, a frozen dataclass, would be hashed node by node on every request (tens of µs
    for a page of listings). Used by the validation cache (``schema.assemble``) and ``_fixed_cost``."""

    __slots__ = ("document", "text")

    def __init__(self, text: str, document: DocumentNode) -> None:
        self.text = text
        self.document = document

    def __hash__(self) -> int:
        return hash(self.text)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, DocumentText) and other.text == self.text


#: Operations priced once, by (schema, document's text, operation name).
PRICED_DOCUMENTS = 512


@lru_cache(maxsize=PRICED_DOCUMENTS)
def _fixed_cost(schema: GraphQLSchema, text: DocumentText, operation_name: str | None) -> int | None:
    """The cost of the operation when no variable can change it (``_priced_by_variables``), computed once per
    document; None when a variable can (the request's coerced variables price it, every time)."""
    document = text.document
    operation = get_operation_ast(document, operation_name)
    if operation is None or any(_priced_by_variables(getattr(d, "selection_set", None)) for d in document.definitions):
        return None
    return _walk_operation(schema, document, operation, {}, worst_case=False)


def _priced_by_variables(selection_set: SelectionSetNode | None) -> bool:
    """Whether a variable is given, below ``selection_set``, to what the cost reads: a page size (``first``,
    ``last``), a list of ids, an ``@skip``/``@include`` condition. Looked for in every definition of a document
    (fragments included, used or not): an upper bound of what the operation reads, which is all it needs."""
    if selection_set is None:
        return False
    for selection in selection_set.selections:
        for directive in selection.directives or ():
            if directive.name.value in (GraphQLSkipDirective.name, GraphQLIncludeDirective.name) and any(
                isinstance(argument.value, VariableNode) for argument in directive.arguments or ()
            ):
                return True
        if isinstance(selection, FieldNode) and any(
            argument.name.value in (*PAGE_ARGUMENTS, IDS_ARGUMENT) and isinstance(argument.value, VariableNode)
            for argument in selection.arguments or ()
        ):
            return True
        if _priced_by_variables(getattr(selection, "selection_set", None)):
            return True
    return False


def _is_list(type_: Any) -> bool:
    if is_non_null_type(type_):
        type_ = type_.of_type
    return is_list_type(type_)


# --- the request stage: cost, maximum, budget (schema.assemble.RequestPipeline.validate) ---------------------------

TOO_COMPLEX = (
    "This operation costs {cost} points; at most {maximum} are allowed for one operation. Ask for smaller pages "
    "(`first`/`last`) or fewer nested lists."
)
OVER_BUDGET = (
    "This operation costs {cost} points and {remaining} are left of your {budget} points per {window} seconds; "
    "retry after `extensions.retryAfterSeconds`."
)


async def charge(execution_context: ExecutionContext) -> None:
    """Price the request's operation and take its cost from the caller's budget, once validation passed; refuse it
    before any resolver runs when it costs more than one operation may (QUERY_TOO_COMPLEX) or more than the budget
    holds (RATE_LIMITED, HTTP 429 through ``request.state.over_budget``). Every answer gets ``extensions.cost``
    ``{requested, remaining, resetAt}``; ``request.state.query_cost`` keeps what was requested (the usage
    counters). Variables that cannot be coerced are refused here, with graphql-core's own errors (execution would
    refuse them the same way), and cost nothing."""
    context = execution_context.context
    runtime = getattr(context, "runtime", None)
    request = getattr(context, "request", None)
    if runtime is None or request is None:
        return  # a schema executed outside the API (a test's bare context): no caller, no budget
    settings = runtime.settings
    document = execution_context.graphql_document
    cost = 0
    operation = None
    if not execution_context.pre_execution_errors and document is not None:
        operation = get_operation_ast(document, execution_context._provided_operation_name)
        if operation is not None:
            schema = execution_context.schema._schema
            coerced = get_variable_values(
                schema, operation.variable_definitions or (), execution_context.variables or {}, max_errors=50
            )
            if isinstance(coerced, list):
                execution_context.pre_execution_errors = coerced
            else:
                text, name = execution_context.query, execution_context._provided_operation_name
                fixed = _fixed_cost(schema, DocumentText(text, document), name) if text is not None else None
                cost = (
                    fixed
                    if fixed is not None
                    else _walk_operation(schema, document, operation, coerced.coerced, worst_case=False)
                )
    request.state.query_cost = cost
    viewer = getattr(context, "viewer", ANONYMOUS)
    client = request.client
    budget = budget_for(runtime, viewer, client.host if client else None)
    storage = runtime.quota_storage
    maximum = min(settings.query_cost_max, budget.points)
    refusal: AppError | None = None
    if cost > maximum:
        found = await standing(storage, budget) if storage is not None else None
        refusal = AppError(
            TOO_COMPLEX,
            code="QUERY_TOO_COMPLEX",
            params={"cost": cost, "maximum": maximum},
            extensions={"cost": {"requested": cost, "maximum": maximum}},
        )
    elif storage is not None:
        found = await spend(storage, budget, cost)
        if not found.allowed:
            wait = found.retry_after()
            refusal = AppError(
                OVER_BUDGET,
                code="RATE_LIMITED",
                params={
                    "cost": cost,
                    "remaining": found.remaining,
                    "budget": budget.points,
                    "window": budget.window_seconds,
                },
                extensions={
                    "retryAfterSeconds": round(wait, 3),
                    "cost": {"requested": cost, "remaining": found.remaining},
                },
            )
            request.state.over_budget = True
            # RateLimit-* of the 429 (api.graphql_view): the budget's, with nothing left until its points come back
            request.state.over_budget_window = Window(
                limit=budget.points,
                remaining=0,
                reset_at=datetime.fromtimestamp(time.time() + wait, UTC),
                kind="cost",
                window_seconds=budget.window_seconds,
            )
    else:
        found = None
    execution_context.extensions_results["cost"] = cost_extension(cost, budget, found)
    if refusal is not None:
        execution_context.pre_execution_errors = [
            GraphQLError(refusal.message, nodes=[operation] if operation else None, original_error=refusal)
        ]


def cost_extension(cost: int, budget: Budget, found: Standing | None) -> dict[str, Any]:
    """``extensions.cost`` of an answer: the points requested, those left in the caller's window and when its
    oldest spent points come back (null when nothing is spent, or when the process keeps no budgets)."""
    if found is None:
        return {"requested": cost, "remaining": None, "resetAt": None}
    spent = found.remaining < budget.points
    return {"requested": cost, "remaining": found.remaining, "resetAt": utc_text(found.reset_at) if spent else None}


def utc_text(at: float) -> str:
    """A Unix time as ISO 8601 UTC (``2026-11-30T23:59:00.123Z``)."""
    return datetime.fromtimestamp(at, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


__all__ = ["MUTATION_COST", "charge", "operation_cost"]
