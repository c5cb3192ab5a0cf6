"""``schema.assemble._lean_resolvers``: fields resolved without Strawberry's per-call wrapper where none of it applies,
with the same answers (an attribute, a resolver taking its object and ``info`` in any of Strawberry's ways, sync or
async), and Strawberry's own resolver kept where it does something (arguments, field extensions)."""

from __future__ import annotations

import base64
from types import SimpleNamespace

import pytest
import strawberry
from graphql import GraphQLObjectType
from strawberry.types import Info

from auth.viewer import Viewer
from schema.app_scope import app_resolvers
from schema.assemble import Query, _lean_resolvers, build_schema
from tests.support import gql


@strawberry.type(description="An object whose fields take their object and info in each of Strawberry's ways.")
class Probe:
    word: str = strawberry.field(description="A plain attribute.")

    @strawberry.field(description="self and info.")
    def with_self(self, info: Info) -> str:
        return f"{self.word}/{info.path.key}/{info.field_name}"

    @strawberry.field(description="root, no info.")
    @staticmethod
    def with_root(root: Probe) -> str:
        return root.word.upper()

    @strawberry.field(description="Parent and info, async.")
    @staticmethod
    async def with_parent(parent: strawberry.Parent[Probe], info: Info) -> str:
        return f"{parent.word}:{info.field_name}:{len(info.selected_fields)}"

    @strawberry.field(description="A classmethod resolver with root.")
    @classmethod
    def with_class(cls, root: Probe) -> str:
        return f"{cls.__name__}:{root.word}"

    @strawberry.field(description="An argument: Strawberry's resolver is kept.")
    def echo(self, times: int = 2) -> str:
        return self.word * times


@strawberry.type(description="The API's queries and the probe.")
class ProbeQuery(Query):
    @strawberry.field(description="A probe object.")
    def probe(self) -> Probe:
        return Probe(word="ha")


def _resolver(schema: strawberry.Schema, type_name: str, field_name: str):
    named = schema._schema.type_map[type_name]
    assert isinstance(named, GraphQLObjectType)
    return named.fields[field_name].resolve


def test_lean_resolvers_replace_only_the_wrappers_that_do_nothing(test_settings):
    schema = build_schema(test_settings, query=ProbeQuery)
    for name in ("word", "withSelf", "withRoot", "withParent", "withClass"):
        assert _resolver(schema, "Probe", name).__qualname__.startswith(("_attribute.", "_direct.")), name
    assert _resolver(schema, "Probe", "echo").__qualname__.startswith("GraphQLCoreConverter."), "arguments"
    # a field extension (DutyRead records an officer's reads) keeps Strawberry's resolver, which runs it
    assert _resolver(schema, "Order", "totalDong").__qualname__.startswith("GraphQLCoreConverter.")
    assert _resolver(schema, "Listing", "seller").__qualname__.startswith("_direct.")
    assert _resolver(schema, "Listing", "id").__qualname__.startswith("_direct.")
    plain = build_schema(test_settings, query=ProbeQuery, lean=False)
    del plain.app_middleware  # as build_schema has it before it makes the wrappers
    assert _lean_resolvers(plain) > 500, "every plain field of the API"


def test_the_partner_apps_wrappers_match_the_lean_resolvers(test_settings):
    """The wrappers are found by each field's resolver: made after the lean resolvers, they cover every guarded field,
    and a second lean pass (which would strand them) is refused."""
    schema = build_schema(test_settings)
    assert set(app_resolvers(schema._schema)) == set(schema.app_middleware.wrappers)
    with pytest.raises(RuntimeError, match="before the partner apps' wrappers"):
        _lean_resolvers(schema)


async def test_lean_resolvers_answer_as_strawberry_does(test_settings):
    schema = build_schema(test_settings, query=ProbeQuery)
    person = SimpleNamespace(viewer=Viewer(kind="person", actor_id="p"))  # a resident: the schema's own resolvers
    result = await schema.execute(
        "{ probe { word withSelf aka: withSelf withRoot withParent withClass echo three: echo(times: 3) } }",
        context_value=person,
    )
    assert result.errors is None
    assert result.data == {
        "probe": {
            "word": "ha",
            "withSelf": "ha/withSelf/withSelf",
            "aka": "ha/aka/withSelf",
            "withRoot": "HA",
            "withParent": "ha:withParent:1",
            "withClass": "Probe:ha",
            "echo": "haha",
            "three": "hahaha",
        }
    }


async def test_a_node_id_is_its_global_id(client):
    body = await gql(client, "{ communes(first: 1) { nodes { id code } } }")
    commune = body["data"]["communes"]["nodes"][0]
    assert base64.b64decode(commune["id"]).decode().startswith("Commune:")
    again = await gql(
        client, "query ($id: ID!) { node(id: $id) { id ... on Commune { code } } }", {"id": commune["id"]}
    )
    assert again["data"]["node"] == commune
