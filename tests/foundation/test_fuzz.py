"""Bounded fuzzing of the whole schema (hypothesis-graphql, fixed seed, fixed number of examples) plus targeted
probes (cursors, ids of every type, lone surrogates, huge numbers, long text): no HTTP 5xx, no INTERNAL."""

from __future__ import annotations

import base64
import json
import pathlib

import hypothesis_graphql
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.identity.people import register

TYPES = "{ __schema { types { name kind } } }"
SCHEMA = (pathlib.Path(__file__).resolve().parents[2] / "schema.graphql").read_text()
EXAMPLES = 100
#: How the generator writes the schema's own scalars (as literals): any date, time, amount (huge ones too) or JSON.
SCALARS = {
    "Date": st.dates().map(str).map(hypothesis_graphql.nodes.String),
    "DateTime": st.datetimes().map(lambda d: d.isoformat() + "Z").map(hypothesis_graphql.nodes.String),
    "Dong": st.integers(min_value=-(2**70), max_value=2**70).map(hypothesis_graphql.nodes.Int),
    "JSON": st.text(max_size=20).map(hypothesis_graphql.nodes.String),
}


def _documents() -> list[str]:
    """Queries and mutations drawn from the schema, the same ones every run (derandomized)."""
    drawn: list[str] = []

    @settings(
        max_examples=EXAMPLES, derandomize=True, database=None, deadline=None, suppress_health_check=list(HealthCheck)
    )
    @given(
        st.one_of(
            hypothesis_graphql.queries(SCHEMA, custom_scalars=SCALARS),
            hypothesis_graphql.mutations(SCHEMA, custom_scalars=SCALARS),
        )
    )
    def draw(document: str) -> None:
        drawn.append(document)

    draw()
    return drawn


def _probes(type_names: list[str]) -> list[tuple[str, dict]]:
    ids = [
        base64.b64encode(f"{t}:{v}".encode()).decode()
        for t in type_names + ["Nope", ""]
        for v in ("00000000-0000-4000-8000-000000000000", "x", "\U0001f600", "")
    ] + ["", "%%", "a" * 5000]
    probes = [("query($id: ID!) { node(id: $id) { id } }", {"id": i}) for i in ids]
    for text in ("a" * 100_000, " ".join(["w"] * 5000), "\ud800x", "*", '"(', "AND OR NOT"):
        probes.append(("query($q: String!) { actors(search: $q) { totalCount } }", {"q": text}))
        probes.append(("query($q: String!) { postSearch(text: $q) { edges { cursor } } }", {"q": text}))
        probes.append(("query($q: String) { communities(search: $q) { totalCount } }", {"q": text}))
        probes.append(("query($q: String) { listings(filter: {search: $q}) { edges { cursor } } }", {"q": text}))
    for cursor in ("\ud800", "W10", "WzE4NDQ2NzQ0MDczNzA5NTUxNjE2XQ", "x" * 10_000):
        probes.append(("query($a: String) { schemaMigrations(after: $a) { totalCount } }", {"a": cursor}))
        probes.append(("query($a: String) { listings(after: $a) { edges { cursor } } }", {"a": cursor}))
    for number in (2**31, 2**53, 2**63, 2**64, -(2**64), 1e308):
        probes.append(("query($n: Int) { feed(first: $n) { edges { cursor } } }", {"n": number}))
        probes.append(("query($n: Dong) { listings(filter: {maxPriceDong: $n}) { edges { cursor } } }", {"n": number}))
    # Lone surrogates in stored text, several operations in one document, very many fields.
    register = (
        "mutation($i: PersonRegisterInput!) { personRegister(input: $i) { errors { code } } }",
        {
            "i": {
                "fullName": "An\ud800",
                "dateOfBirth": "1990-01-01",
                "sex": "MALE",
                "roles": ["RESIDENT"],
                "document": {"kind": "CCCD", "number": "001090000001"},
                "password": "x\ud800" * 8,
                "wardCode": "00070",
            }
        },
    )
    probes.append(register)
    probes.append(("query A { version { api } } query B { version { api } }", {}))
    probes.append(("query { " + " ".join(f"f{i}: version {{ api }}" for i in range(2000)) + " }", {}))
    probes.append(("query { version { " + "api " * 20000 + "} }", {}))
    return probes


async def test_fuzzed_documents_and_probes_never_fail_inside(client):
    me = await register(client)
    types = (await client.post("/graphql", json={"query": TYPES})).json()["data"]["__schema"]["types"]
    type_names = [t["name"] for t in types if t["kind"] in ("OBJECT", "INTERFACE") and not t["name"].startswith("__")]
    failures = []
    calls = [(d, {}) for d in _documents()] + _probes(type_names)
    for document, variables in calls:
        for headers in ({}, me.auth):
            # ensure_ascii writes a lone surrogate as the JSON escape \\ud800, as a client may send it
            raw = json.dumps({"query": document, "variables": variables}).encode()
            response = await client.post(
                "/graphql", content=raw, headers={**headers, "content-type": "application/json"}
            )
            body = response.json() if response.headers.get("content-type", "").startswith("application/") else {}
            codes = [e.get("extensions", {}).get("code") for e in body.get("errors", []) or []]
            if response.status_code >= 500 or "INTERNAL" in codes:
                failures.append((response.status_code, codes, document[:300], str(variables)[:200]))
    assert not failures, f"{len(failures)} failures:\n" + "\n".join(map(str, failures[:40]))
