"""The GraphQL documents of the bench scripts are valid against the schema: a renamed field or argument fails here,
not in front of whoever runs ``make bench`` later."""

from __future__ import annotations

import ast
from pathlib import Path

from graphql import build_schema, parse, validate

ROOT = Path(__file__).resolve().parents[2]


def _documents() -> list[tuple[str, str]]:
    found = []
    for path in sorted((ROOT / "bench").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Assign)
                and isinstance(node.value, ast.Constant)
                and isinstance(node.value.value, str)
            ):
                text = node.value.value.strip()
                if text.startswith(("mutation", "query")) or (text.startswith("{") and "\n" in text):
                    found.append((f"{path.name}:{node.lineno}", text))
    return found


def test_bench_scripts_send_documents_the_schema_accepts() -> None:
    schema = build_schema((ROOT / "schema.graphql").read_text(encoding="utf-8"))
    documents = _documents()
    assert len(documents) >= 3  # the scan finds the scripts' documents (it would pass vacuously otherwise)
    invalid = {where: [e.message for e in validate(schema, parse(text))] for where, text in documents}
    assert {where: errors for where, errors in invalid.items() if errors} == {}
