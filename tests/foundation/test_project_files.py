"""The files a newcomer reads: docker-compose.yml, .env.example, schema.graphql, descriptions."""

from __future__ import annotations

import json
import subprocess
import sys

import jsonschema
import yaml
from graphql import GraphQLEnumType, GraphQLInputObjectType, GraphQLInterfaceType, GraphQLObjectType

from core.errors import ERROR_CODES
from core.settings import REPO_ROOT, Settings
from schema.assemble import build_schema

COMPOSE_SCHEMA = REPO_ROOT / "tests" / "data" / "compose-spec.json"


def test_docker_compose_is_valid_against_the_compose_specification():
    compose = yaml.safe_load((REPO_ROOT / "docker-compose.yml").read_text())
    schema = json.loads(COMPOSE_SCHEMA.read_text())
    jsonschema.Draft201909Validator(schema).validate(compose)
    neo4j, api = compose["services"]["neo4j"], compose["services"]["api"]
    assert neo4j["image"].startswith("neo4j:5.26")
    assert "healthcheck" in neo4j
    assert any(v.split(":")[0] in compose["volumes"] for v in neo4j["volumes"]), "Neo4j data needs a named volume"
    assert api["depends_on"]["neo4j"]["condition"] == "service_healthy"
    assert api["build"]["dockerfile"] == "Dockerfile" and (REPO_ROOT / "Dockerfile").exists()
    assert "NEO4J_PASSWORD" in neo4j["environment"]["NEO4J_AUTH"], "auth must come from the environment"


def test_the_compose_check_can_fail():
    broken = {"services": {"neo4j": {"image": "neo4j:5.26", "healthcheck": {"interval": 5}}}}
    schema = json.loads(COMPOSE_SCHEMA.read_text())
    try:
        jsonschema.Draft201909Validator(schema).validate(broken)
    except jsonschema.ValidationError:
        return
    raise AssertionError("a healthcheck interval must be a duration string")


def test_env_example_lists_every_setting():
    text = (REPO_ROOT / ".env.example").read_text()
    listed = {line.split("=", 1)[0].lstrip("# ").strip() for line in text.splitlines() if "=" in line}
    expected = {f"HANOISMART_{name.upper()}" for name in Settings.model_fields}
    # Neo4j connection settings are documented under their conventional names.
    for name in ("NEO4J_URI", "NEO4J_USERNAME", "NEO4J_PASSWORD", "NEO4J_DATABASE"):
        expected.discard(f"HANOISMART_{name}")
        expected.add(name)
    assert expected <= listed, f"missing from .env.example: {sorted(expected - listed)}"


def test_committed_schema_graphql_matches_the_live_schema():
    committed = (REPO_ROOT / "schema.graphql").read_text()
    live = build_schema(Settings()).as_str() + "\n"
    assert committed == live, "schema.graphql is stale: run `hanoismart schema` and commit it"


def test_cli_schema_check_agrees():
    result = subprocess.run(
        [sys.executable, "-m", "api.cli", "schema", "--check"], cwd=REPO_ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


def test_every_type_field_and_argument_is_described():
    schema = build_schema(Settings())._schema
    missing = []
    for name, gtype in schema.type_map.items():
        if name.startswith("__") or name in {"String", "Int", "Float", "Boolean", "ID"}:
            continue
        if not gtype.description:
            missing.append(name)
        if isinstance(gtype, (GraphQLObjectType, GraphQLInterfaceType, GraphQLInputObjectType)):
            for field_name, field in gtype.fields.items():
                if not field.description:
                    missing.append(f"{name}.{field_name}")
                for arg_name, arg in getattr(field, "args", {}).items():
                    if not arg.description:
                        missing.append(f"{name}.{field_name}({arg_name})")
        if isinstance(gtype, GraphQLEnumType):
            missing += [f"{name}.{v}" for v, value in gtype.values.items() if not value.description]
    assert missing == []


def test_readme_lists_every_error_code():
    readme = (REPO_ROOT / "README.md").read_text()
    assert [code for code in ERROR_CODES if f"`{code}`" not in readme] == []
