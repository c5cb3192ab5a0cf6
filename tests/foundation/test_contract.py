"""The shape every part of the schema keeps (API contract v1, README "Errors"), checked on the assembled schema, so a
mutation, payload, input or list added later keeps it too. Each test lists every offender at once.

- a mutation takes exactly one argument, ``input: <Op>Input!``, and returns its own nullable ``<Op>Payload``
  (no other field returns it), which has ``errors: [UserError!]!``;
- ``UserError.code`` is the ``UserErrorCode`` enum (the codes of ``core.errors``), ``UserError.field`` is
  ``[String!]``;
- no input field is a bare ``id`` (ids are ``<type>Id``);
- every field returning a ``*Connection`` takes ``first``, ``after``, ``last``, ``before``; every connection has
  ``edges``, ``nodes`` and ``pageInfo``;
- every type, field, argument, input field and enum value has a description.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import strawberry
from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    get_named_type,
    is_introspection_type,
    is_specified_scalar_type,
)

from core.errors import TOP_LEVEL_CODES, USER_ERROR_CODES
from schema.assemble import build_schema
from schema.common import UserError

PAGING_ARGUMENTS = ("first", "after", "last", "before")
CONNECTION_FIELDS = ("edges", "nodes", "pageInfo")


@pytest.fixture(scope="module")
def schema(test_settings) -> GraphQLSchema:
    return build_schema(test_settings)._schema


def own_types(schema: GraphQLSchema) -> list[GraphQLNamedType]:
    """The schema's named types, without introspection types and GraphQL's own scalars."""
    return [
        t
        for name, t in sorted(schema.type_map.items())
        if not is_introspection_type(t) and not is_specified_scalar_type(t)
    ]


def output_fields(schema: GraphQLSchema) -> Iterator[tuple[str, str, GraphQLField]]:
    """(type name, field name, field) of every field of every object and interface type."""
    for named in own_types(schema):
        if isinstance(named, GraphQLObjectType | GraphQLInterfaceType):
            for field_name, field in named.fields.items():
                yield named.name, field_name, field


def pascal(name: str) -> str:
    return name[:1].upper() + name[1:]


def mutations(schema: GraphQLSchema) -> dict[str, GraphQLField]:
    assert schema.mutation_type is not None
    return dict(schema.mutation_type.fields)


def test_every_mutation_takes_one_input_named_after_it(schema):
    wrong = []
    for name, field in mutations(schema).items():
        wanted = f"{pascal(name)}Input"
        arguments = field.args
        input_type = arguments["input"].type if "input" in arguments else None
        ok = (
            list(arguments) == ["input"]
            and isinstance(input_type, GraphQLNonNull)
            and isinstance(input_type.of_type, GraphQLInputObjectType)
            and input_type.of_type.name == wanted
        )
        if not ok:
            shown = ", ".join(f"{arg}: {a.type}" for arg, a in arguments.items()) or "no argument"
            wrong.append(f"Mutation.{name}({shown}): wanted (input: {wanted}!)")
    assert wrong == [], f"{len(wrong)} of {len(mutations(schema))} mutations:\n" + "\n".join(wrong)


def test_every_mutation_returns_its_own_nullable_payload(schema):
    wrong = []
    for name, field in mutations(schema).items():
        wanted = f"{pascal(name)}Payload"
        returned = field.type
        if isinstance(returned, GraphQLNonNull):
            wrong.append(f"Mutation.{name}: {returned} is non-null; a mutation field is nullable ({wanted})")
        elif not isinstance(returned, GraphQLObjectType) or returned.name != wanted:
            wrong.append(f"Mutation.{name}: returns {returned}, wanted {wanted}")
    assert wrong == [], f"{len(wrong)} of {len(mutations(schema))} mutations:\n" + "\n".join(wrong)


def test_a_payload_belongs_to_its_mutation_alone(schema):
    """No other field (another mutation, a query, a field of an object) returns a mutation's payload."""
    returning: dict[str, list[str]] = {}
    for type_name, field_name, field in output_fields(schema):
        returning.setdefault(get_named_type(field.type).name, []).append(f"{type_name}.{field_name}")
    shared = sorted(
        {
            f"{get_named_type(field.type).name} is returned by {', '.join(returning[get_named_type(field.type).name])}"
            for field in mutations(schema).values()
            if len(returning[get_named_type(field.type).name]) > 1
        }
    )
    assert shared == [], f"{len(shared)} shared payloads:\n" + "\n".join(shared)


def test_every_payload_has_errors_as_a_list_of_user_errors(schema):
    wrong = []
    for name, field in mutations(schema).items():
        payload = get_named_type(field.type)
        errors = payload.fields.get("errors") if isinstance(payload, GraphQLObjectType) else None
        if errors is None or str(errors.type) != "[UserError!]!":
            wrong.append(f"{payload.name} (Mutation.{name}): errors is {errors.type if errors else 'missing'}")
    assert wrong == [], "\n".join(wrong)


def test_user_error_codes_are_enums_and_field_is_a_path(schema):
    user_error = schema.get_type("UserError")
    assert isinstance(user_error, GraphQLObjectType)
    assert {name: str(f.type) for name, f in user_error.fields.items()} == {
        "code": "UserErrorCode!",
        "field": "[String!]",
        "message": "String!",
    }
    user_codes, top_level = schema.get_type("UserErrorCode"), schema.get_type("ErrorCode")
    assert isinstance(user_codes, GraphQLEnumType) and isinstance(top_level, GraphQLEnumType)
    assert list(user_codes.values) == list(USER_ERROR_CODES)
    assert list(top_level.values) == list(TOP_LEVEL_CODES)
    assert {n: v.description for n, v in user_codes.values.items()} == USER_ERROR_CODES


def test_no_input_field_is_a_bare_id(schema):
    """An id in an input is named after what it names: ``postId``, ``communityId``, ``listingIds``."""
    bare = sorted(
        f"{t.name}.id" for t in own_types(schema) if isinstance(t, GraphQLInputObjectType) and "id" in t.fields
    )
    assert bare == []


def test_every_connection_field_pages_both_ways(schema):
    wrong = sorted(
        f"{type_name}.{field_name} lacks {', '.join(a for a in PAGING_ARGUMENTS if a not in field.args)}"
        for type_name, field_name, field in output_fields(schema)
        if get_named_type(field.type).name.endswith("Connection")
        and not all(argument in field.args for argument in PAGING_ARGUMENTS)
    )
    assert wrong == [], f"{len(wrong)} connection fields:\n" + "\n".join(wrong)


def test_every_connection_has_edges_nodes_and_page_info(schema):
    connections = [t for t in own_types(schema) if isinstance(t, GraphQLObjectType) and t.name.endswith("Connection")]
    assert len(connections) > 10
    wrong = sorted(
        f"{t.name} lacks {', '.join(f for f in CONNECTION_FIELDS if f not in t.fields)}"
        for t in connections
        if not all(f in t.fields for f in CONNECTION_FIELDS)
    )
    assert wrong == []
    kinds = {
        t.name: (str(t.fields["pageInfo"].type), isinstance(t.fields["nodes"].type, GraphQLNonNull))
        for t in connections
    }
    assert {name for name, (page_info, listed) in kinds.items() if page_info != "PageInfo!" or not listed} == set()


def _undescribed(schema: GraphQLSchema) -> Iterator[str]:
    for named in own_types(schema):
        if not named.description:
            yield named.name
        if isinstance(named, GraphQLObjectType | GraphQLInterfaceType):
            for field_name, field in named.fields.items():
                if not field.description:
                    yield f"{named.name}.{field_name}"
                for arg_name, argument in field.args.items():
                    if not argument.description:
                        yield f"{named.name}.{field_name}({arg_name}:)"
        elif isinstance(named, GraphQLInputObjectType):
            for field_name, input_field in named.fields.items():
                if not input_field.description:
                    yield f"{named.name}.{field_name}"
        elif isinstance(named, GraphQLEnumType):
            for value_name, value in named.values.items():
                if not value.description:
                    yield f"{named.name}.{value_name}"


def test_everything_has_a_description(schema):
    missing = sorted(set(_undescribed(schema)))
    assert missing == [], f"{len(missing)} without a description:\n" + "\n".join(missing)


@strawberry.type
class BrokenThing:
    id: strawberry.ID


@strawberry.input
class ThingBreakInput:
    id: strawberry.ID


@strawberry.type
class BrokenThingConnection:
    count: int


@strawberry.type
class SharedPayload:
    thing: BrokenThing | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class BrokenQuery:
    @strawberry.field
    def things(self, first: int | None = None) -> BrokenThingConnection:
        return BrokenThingConnection(count=0)


@strawberry.type
class BrokenMutation:
    @strawberry.mutation
    def thing_make(self, id: strawberry.ID) -> SharedPayload:
        return SharedPayload()

    @strawberry.mutation
    def thing_break(self, input: ThingBreakInput) -> SharedPayload:
        return SharedPayload()


def test_the_checks_can_fail(test_settings):
    """Each check refuses a schema of this test's own that breaks its rule (and describes nothing)."""
    broken = build_schema(test_settings, query=BrokenQuery, mutation=BrokenMutation)._schema
    for check in (
        test_every_mutation_takes_one_input_named_after_it,
        test_every_mutation_returns_its_own_nullable_payload,
        test_a_payload_belongs_to_its_mutation_alone,
        test_no_input_field_is_a_bare_id,
        test_every_connection_field_pages_both_ways,
        test_every_connection_has_edges_nodes_and_page_info,
        test_everything_has_a_description,
    ):
        with pytest.raises(AssertionError):
            check(broken)
