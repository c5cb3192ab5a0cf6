"""Default deny for app tokens: every field an app can reach has a decision in ``partners.fields`` (a scope, PUBLIC,
PERSON or DENIED), proven by walking the whole schema from Query and Mutation; the walk can fail (a field without a
decision is reported, and refused at validation, before any resolver runs); an undecided or DENIED field or mutation
is FORBIDDEN naming its coordinate with no data at all, while a person's request is untouched."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
import strawberry
from graphql import GraphQLInterfaceType, GraphQLObjectType, GraphQLSchema, GraphQLUnionType, get_named_type

from auth.viewer import Viewer
from core.settings import Settings
from partners import fields
from partners.reads import ReadSet
from partners.scopes import BY_NAME
from schema.assemble import Query, build_schema
from tests.identity.people import register, uuid_of
from tests.partners.support import app_token, make_partner, seed_app, seed_grant
from tests.support import gql


def undecided(schema: GraphQLSchema) -> list[str]:
    """Every field an app could reach that has no decision. The walk follows each decided field (not DENIED) into
    its type, and an interface or union into every type implementing it (a fragment can reach each); a refused
    field's type is reached only if another decided field leads to it."""
    missing: list[str] = []
    seen: set[str] = set()
    pending = [schema.query_type, schema.mutation_type]
    while pending:
        named = pending.pop()
        if named is None or named.name in seen or named.name.startswith("__"):
            continue
        seen.add(named.name)
        if isinstance(named, GraphQLInterfaceType | GraphQLUnionType):
            pending.extend(schema.get_possible_types(named))
            continue
        if not isinstance(named, GraphQLObjectType):
            continue
        for name, field in named.fields.items():
            decided = fields.decision(named.name, name)
            if decided is None:
                missing.append(f"{named.name}.{name}")
            elif decided != fields.DENIED:
                pending.append(get_named_type(field.type))
    return missing


@pytest.fixture(scope="module")
def schema() -> strawberry.Schema:
    return build_schema(Settings())


def test_every_field_an_app_can_reach_has_a_decision(schema):
    assert undecided(schema._schema) == []


def test_the_walk_fails_for_a_field_without_a_decision(schema, monkeypatch):
    monkeypatch.delitem(fields.FIELDS, "Person.phone")
    monkeypatch.delitem(fields.FIELDS, "Query.feed")
    assert sorted(undecided(schema._schema)) == ["Person.phone", "Query.feed"]


def test_every_decision_names_a_coordinate_and_a_scope_that_exist(schema):
    types = schema._schema.type_map
    for coordinate, decided in fields.FIELDS.items():
        type_name, field_name = coordinate.split(".")
        named = types.get(type_name)
        assert isinstance(named, GraphQLObjectType), coordinate
        assert field_name in named.fields or field_name in ("__schema", "__type"), coordinate
        assert decided in BY_NAME or decided in (fields.PUBLIC, fields.PERSON, fields.DENIED), coordinate
    for type_name, decided in fields.TYPES.items():
        assert isinstance(types.get(type_name), GraphQLObjectType), type_name
        assert decided in BY_NAME or decided in (fields.PUBLIC, fields.DENIED), type_name


def test_every_scoped_field_is_guarded_at_execution(schema):
    """Each field decided by a scope or PERSON has its resolver wrapped by ``schema.app_scope.guard``."""
    guarded = 0
    for type_name, named in schema._schema.type_map.items():
        if not isinstance(named, GraphQLObjectType) or type_name.startswith("__"):
            continue
        for name, field in named.fields.items():
            decided = fields.decision(type_name, name)
            if decided == fields.PERSON or fields.is_scope(decided):
                assert getattr(field.resolve, "app_scope", None) == decided, f"{type_name}.{name}"
                guarded += 1
            else:
                assert not hasattr(field.resolve, "app_scope"), f"{type_name}.{name}"
    assert guarded > 30


CALLS: list[str] = []


@strawberry.type(name="Query", description="The root Query with one more field.")
class WithNewField(Query):
    @strawberry.field(description="A field someone added without deciding it for apps.")
    def brand_new(self) -> str:
        CALLS.append("brandNew")
        return "new"


async def test_a_field_added_without_a_decision_is_refused_to_apps_before_any_resolver_runs():
    extended = build_schema(Settings(), query=WithNewField)
    assert undecided(extended._schema) == ["Query.brandNew"]
    app = Viewer(kind="partner_app", actor_id="p", scopes=frozenset({"profile.basic"}), app_id="a", grant_id="g")
    person = Viewer(kind="person", actor_id="p")

    result = await extended.execute("{ brandNew }", context_value=SimpleNamespace(viewer=app, reads=ReadSet()))
    assert result.data is None and CALLS == []
    (error,) = result.errors or []
    assert error.original_error is not None
    assert error.original_error.code == "FORBIDDEN"  # type: ignore[attr-defined]
    assert error.original_error.extensions == {"coordinate": "Query.brandNew"}  # type: ignore[attr-defined]
    result = await extended.execute("{ brandNew }", context_value=SimpleNamespace(viewer=person, reads=ReadSet()))
    assert result.data == {"brandNew": "new"} and CALLS == ["brandNew"]


async def test_undecided_and_denied_fields_and_mutations_are_refused_at_validation(app, client):
    partner = await make_partner(app, client)
    seeded = await seed_app(app, partner, scopes=("openid", "profile.basic", "ward.read"))
    person = await register(client, fullName="Bùi Văn Từ Chối", wardCode="00070")
    headers = app_token(app, seeded, await seed_grant(app, seeded, uuid_of(person.id)))

    refused = {
        "query { me { displayName } mySessions { id } }": "Query.mySessions",
        'query { developmentMessages(to: "0912345678") { code } }': "Query.developmentMessages",
        "query { me { identityDocumentKind } }": "Person.identityDocumentKind",
        "query { me { ...Mine } } fragment Mine on Person { displayName audiences { ward } }": "Person.audiences",
        'query { node(id: "x") { ... on Actor { followers { totalCount } } } }': "Actor.followers",
        'mutation { profileUpdate(input: {wardCode: "00004"}) { errors { code } } }': "Mutation.profileUpdate",
        'mutation { accountClose(input: {password: "x"}) { errors { code } } }': "Mutation.accountClose",
    }
    for document, coordinate in refused.items():
        response = await client.post("/graphql", json={"query": document}, headers=headers)
        body = response.json()
        assert "data" not in body, (document, body)
        codes = {(e["extensions"]["code"], e["extensions"].get("coordinate")) for e in body["errors"]}
        assert ("FORBIDDEN", coordinate) in codes, (document, body)
        assert all(code == "FORBIDDEN" for code, _ in codes), body
    # nothing ran: the ward is the one the person registered with
    mine = await gql(client, "query { me { ward { code } } }", headers=person.auth)
    assert mine["data"]["me"]["ward"] == {"code": "00070"}
    # the person's own request of the same fields is untouched
    body = await gql(client, "query { me { displayName } mySessions { id } }", headers=person.auth)
    assert "errors" not in body and len(body["data"]["mySessions"]) == 1


async def test_a_refused_non_null_field_nulls_its_nearest_nullable_parent_and_the_rest_arrives(app, client):
    partner = await make_partner(app, client)
    from tests.marketplace.listing_helpers import create_listing

    await create_listing(client, partner.owner, title="Xe đạp cũ")
    seeded = await seed_app(app, partner, scopes=("openid", "profile.basic"))
    person = await register(client)
    headers = app_token(app, seeded, await seed_grant(app, seeded, uuid_of(person.id), scopes=("openid",)))

    query = "query { listings(first: 5) { edges { node { title seller { id displayName } } } } }"
    body = await gql(client, query, headers=headers)
    (edge,) = body["data"]["listings"]["edges"]
    # Actor.displayName is String!: its refusal nulls the nullable `seller`, and the listing is still there
    assert edge["node"] == {"title": "Xe đạp cũ", "seller": None}
    (error,) = body["errors"]
    assert error["path"] == ["listings", "edges", 0, "node", "seller", "displayName"]
    assert error["extensions"]["requiredScope"] == "profile.basic"
    # ids need no scope
    body = await gql(client, "query { listings(first: 5) { edges { node { seller { id } } } } }", headers=headers)
    assert "errors" not in body
