"""Limits on what one GraphQL document may ask for, checked before execution.

Each limit here is built once, when the schema is assembled (DESIGN.md: validation rules are built
once so the validation cache hits on a repeated document).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationRule,
)
from graphql.validation.validate import ValidationAbortedError
from strawberry.extensions import SchemaExtension
from strawberry.schema.exceptions import CannotGetOperationTypeError
from strawberry.types import ExecutionContext


class FieldLimitExceeded(ValidationAbortedError):
    """Raised (not reported) so that graphql-core stops validating at once: the other rules (overlapping
    fields above all) cost time that grows faster than the number of fields."""


def _own_fields(selection_set: SelectionSetNode) -> tuple[int, Counter[str]]:
    """Fields selected by one definition itself, and how many times it spreads each fragment."""
    fields = 0
    spreads: Counter[str] = Counter()
    stack = [selection_set]
    while stack:
        for selection in stack.pop().selections:
            if isinstance(selection, FragmentSpreadNode):
                spreads[selection.name.value] += 1
                continue
            if isinstance(selection, FieldNode):
                fields += 1
            if isinstance(selection, FieldNode | InlineFragmentNode) and selection.selection_set is not None:
                stack.append(selection.selection_set)
    return fields, spreads


def count_fields(document: DocumentNode) -> dict[OperationDefinitionNode, int]:
    """Fields each operation selects, a fragment counted again at every use; a spread that closes a
    cycle (refused by graphql-core's own rule) or names no fragment counts nothing."""
    fragments = {
        d.name.value: _own_fields(d.selection_set)
        for d in document.definitions
        if isinstance(d, FragmentDefinitionNode)
    }
    totals: dict[str, int] = {}
    for root in fragments:  # post-order walk without recursion, as graphql-core's FragmentNestingVisitor
        if root in totals:
            continue
        path = [(root, iter(fragments[root][1]))]
        on_path = {root}
        while path:
            name, pending = path[-1]
            for spread in pending:
                if spread in fragments and spread not in totals and spread not in on_path:
                    path.append((spread, iter(fragments[spread][1])))
                    on_path.add(spread)
                    break
            else:
                path.pop()
                on_path.remove(name)
                own, spreads = fragments[name]
                totals[name] = own + sum(times * totals.get(spread, 0) for spread, times in spreads.items())
    counts = {}
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            own, spreads = _own_fields(definition.selection_set)
            counts[definition] = own + sum(times * totals.get(spread, 0) for spread, times in spreads.items())
    return counts


def max_fields_rule(limit: int) -> type[ValidationRule]:
    """A validation rule refusing an operation that selects more than ``limit`` fields (QUERY_TOO_COMPLEX)."""

    class MaxFieldsRule(ValidationRule):
        def enter_document(self, node: DocumentNode, *_args: Any) -> None:
            for operation, count in count_fields(node).items():
                if count > limit:
                    name = f" '{operation.name.value}'" if operation.name else ""
                    raise FieldLimitExceeded(
                        f"The operation{name} selects {count} fields (a fragment counts at each use); "
                        f"at most {limit} are allowed.",
                        operation,
                    )

    return MaxFieldsRule


class OperationNotChosen(CannotGetOperationTypeError):
    """Strawberry's own refusal (HTTP 400), with a message naming the operations of the document."""

    def __init__(self, operation_name: str | None, reason: str) -> None:
        super().__init__(operation_name)
        self.reason = reason

    def as_http_error_reason(self) -> str:
        return self.reason


def check_operation_choice(execution_context: ExecutionContext) -> None:
    """GraphQL spec, GetOperation(): without ``operationName`` a document must hold exactly one
    operation, and a given ``operationName`` must name one of them. Strawberry would run the first
    operation instead; this makes both a request error (HTTP 400, ``BAD_REQUEST``) naming the operations.
    Run once the document is parsed (``schema.assemble.RequestPipeline``)."""
    document = execution_context.graphql_document
    if document is None:  # a syntax error, reported as such
        return
    # Strawberry keeps the operationName the client sent here (its public property falls back to the first).
    wanted = execution_context._provided_operation_name
    definitions = document.definitions
    if wanted is None and len(definitions) == 1:
        return  # one definition, no name asked: the common case, nothing to check
    operations = [d for d in definitions if isinstance(d, OperationDefinitionNode)]
    if wanted is None and len(operations) <= 1:
        return
    names = ", ".join(op.name.value if op.name else "an anonymous one" for op in operations)
    if wanted is None:
        raise OperationNotChosen(
            None,
            f"The document holds {len(operations)} operations ({names}); say which one to run with `operationName`.",
        )
    if not any(op.name and op.name.value == wanted for op in operations):
        shown = wanted if len(wanted) <= 100 else wanted[:100] + "…"
        raise OperationNotChosen(wanted, f'No operation named "{shown}" in the document; it holds: {names or "none"}.')


class OperationChoice(SchemaExtension):
    """``check_operation_choice`` as a Strawberry extension (the API's schema runs it in its request pipeline)."""

    def on_parse(self):
        yield
        check_operation_choice(self.execution_context)


__all__ = [
    "FieldLimitExceeded",
    "OperationChoice",
    "OperationNotChosen",
    "check_operation_choice",
    "count_fields",
    "max_fields_rule",
]
