"""The check of a document an app registers as a persisted operation (``partners.operations``): it must parse and
validate against the schema with the rules every request meets (``schema.assemble.validation_rules``: depth,
aliases, fields, introspection), plus the rules an app's request meets (``schema.app_scope``: default deny, a
non-null field the app could not hold, once-per-operation fields), plus one more that a request does not need: no
field under a scope the app never asks for (at request time such a field would only ever answer FORBIDDEN), and no
field about a person (``PERSON``) when the app asks no person scope.

The app is taken as its widest token could be: the scopes it asks for, acting for a person when it asks any person
scope. A token narrower than that (a grant of fewer scopes) still meets the request-time rules when it runs the
operation.

A document that passes gets its cost (``schema.cost.operation_cost`` in the worst case: page sizes and id lists
bound to variables at their maximum), the dearest of its operations."""

from __future__ import annotations

from typing import Any

from graphql import (
    FieldNode,
    GraphQLError,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLSyntaxError,
    OperationDefinitionNode,
    ValidationRule,
    parse,
    validate,
)

from auth.viewer import Viewer
from core.errors import UserInputError
from core.settings import Settings
from partners import fields
from partners.operations import CheckedDocument
from partners.scopes import PERSON_SCOPES
from schema.app_scope import app_fields_rule, needs, rule_key
from schema.cost import operation_cost

NOT_GRAPHQL = "The document is not valid GraphQL: {detail}"
INVALID = "The document does not validate: {detail}"
NOT_ASKED = "`{coordinate}` needs the scope {scope}, which the app does not ask for; add it to the app's scopes first."
#: Longest detail quoted from graphql-core's message (it may quote the document).
MAX_DETAIL = 300
NO_PERSON = "`{coordinate}` is about a person: the app asks no person scope, so it never acts for one."


def _scopes_rule(scopes: frozenset[str]) -> type[ValidationRule]:
    """Refuses a field under a scope outside ``scopes`` (or about a person when ``scopes`` holds no person scope)."""
    acts_for_person = bool(scopes & PERSON_SCOPES)

    class AskedScopesRule(ValidationRule):
        def enter_field(self, node: FieldNode, *_args: Any) -> None:
            parent = self.context.get_parent_type()
            name = node.name.value
            if not isinstance(parent, GraphQLObjectType | GraphQLInterfaceType) or name.startswith("__"):
                return
            if name not in parent.fields:
                return  # FieldsOnCorrectTypeRule reports it
            coordinate = f"{parent.name}.{name}"
            for need in sorted(needs(self.context.schema, parent, name) or ()):
                if need == fields.PERSON:
                    if not acts_for_person:
                        self.report_error(GraphQLError(NO_PERSON.format(coordinate=coordinate), node))
                elif need not in scopes:
                    self.report_error(GraphQLError(NOT_ASKED.format(coordinate=coordinate, scope=need), node))

    return AskedScopesRule


def _short(detail: str) -> str:
    return detail if len(detail) <= MAX_DETAIL else detail[: MAX_DETAIL - 1] + "…"


def check_document(schema: GraphQLSchema, settings: Settings, document: str, scopes: frozenset[str]) -> CheckedDocument:
    """The mistakes of ``document`` for an app asking ``scopes`` (each an INVALID_INPUT naming ``document``)."""
    from schema.assemble import validation_rules  # noqa: PLC0415 (assemble imports the roots, which import this)

    try:
        parsed = parse(document, max_tokens=settings.max_tokens)
    except GraphQLSyntaxError as error:
        return CheckedDocument(
            [UserInputError(NOT_GRAPHQL, field="document", params={"detail": _short(error.message)})], None
        )
    app = Viewer(kind="partner_app", actor_id="person" if scopes & PERSON_SCOPES else None, scopes=scopes)
    rules = (*validation_rules(settings), app_fields_rule(rule_key(app)), _scopes_rule(scopes))
    found = validate(schema, parsed, rules)
    if found:
        problems = [
            UserInputError(INVALID, field="document", params={"detail": _short(error.message)}) for error in found
        ]
        return CheckedDocument(problems, None)
    # The cost of the dearest operation of the document, whatever the variables (``schema.cost``, worst case).
    names = [d.name.value if d.name else None for d in parsed.definitions if isinstance(d, OperationDefinitionNode)]
    cost = max(operation_cost(schema, parsed, None, name, worst_case=True) for name in names)
    return CheckedDocument([], cost)
