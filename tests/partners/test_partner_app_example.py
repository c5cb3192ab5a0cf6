"""docs/partners.md and its example app: the scope table is the catalogue's (``hanoismart docs``), every excerpt
the guide shows is the code of docs/examples/partner_app.py, and the example signs a person in against a live
server (the consent given in Chromium), as a partner runs it."""

from __future__ import annotations

import re
import textwrap

from graphql import build_schema as parse_sdl
from graphql import parse, validate

from api import cli
from core.settings import REPO_ROOT
from partners.scopes import CATALOGUE, scope_table
from tests.sandbox.test_guide_examples import region

GUIDE = REPO_ROOT / "docs" / "partners.md"
EXAMPLES = REPO_ROOT / "docs" / "examples"
_EXCERPT = re.compile(r"<!-- example: (?P<file>[\w.]+)#(?P<region>[\w-]+) -->\n```\w+\n(?P<code>.*?)```", re.DOTALL)


def test_the_scope_table_of_the_guide_is_the_catalogue():
    text = GUIDE.read_text()
    assert cli.with_scope_table(text, scope_table()) == text, "run `hanoismart docs` and commit docs/partners.md"
    assert all(f"| `{scope.name}` |" in text for scope in CATALOGUE)


def test_every_excerpt_in_the_guide_is_the_code_of_the_example():
    excerpts = list(_EXCERPT.finditer(GUIDE.read_text()))
    assert len(excerpts) >= 6
    for excerpt in excerpts:
        expected = region(EXAMPLES / excerpt["file"], excerpt["region"])
        assert excerpt["code"].strip() + "\n" == expected, f"{excerpt['file']}#{excerpt['region']} differs"


def test_the_graphql_of_the_guide_is_valid_against_the_schema():
    schema = parse_sdl((REPO_ROOT / "schema.graphql").read_text())
    blocks = re.findall(r"```graphql\n(.*?)```", GUIDE.read_text(), re.DOTALL)
    assert len(blocks) >= 5
    for block in blocks:
        assert [e.message for e in validate(schema, parse(textwrap.dedent(block)))] == [], block
