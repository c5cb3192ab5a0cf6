"""The schema contract guard (``api/contract.py``, ``hanoismart schema --check-contract``): a breaking change of
``schema.graphql`` is refused unless CHANGELOG.md names its coordinate. Each test builds a small git history in
``tmp_path``, so the guard is seen refusing as well as accepting."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from graphql import BreakingChangeType, build_schema, find_breaking_changes
from typer.testing import CliRunner

from api import cli, contract
from core.settings import REPO_ROOT

V1 = """
type Query {
  \"\"\"Kept.\"\"\"
  kept: String!
  \"\"\"Removed in v2.\"\"\"
  removed: String
  \"\"\"A colour.\"\"\"
  colour: Colour
}

enum Colour { RED GREEN }
"""

#: ``Query.removed`` is gone: breaking.
V2_REMOVED = V1.replace('  """Removed in v2."""\n  removed: String\n', "")
#: An enum value added: dangerous, not breaking.
V2_ENUM_VALUE = V1.replace("RED GREEN", "RED GREEN BLUE")

_GIT_ENV = {
    "GIT_AUTHOR_NAME": "t",
    "GIT_AUTHOR_EMAIL": "t@example.vn",
    "GIT_COMMITTER_NAME": "t",
    "GIT_COMMITTER_EMAIL": "t@example.vn",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, env={**os.environ, **_GIT_ENV}, check=True
    )
    return done.stdout.strip()


def commit(repo: Path, message: str, **files: str) -> str:
    for name, text in files.items():
        (repo / name.replace("_", ".")).write_text(text)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--allow-empty", "-m", message)
    return git(repo, "rev-parse", "HEAD")


@pytest.fixture
def repo(tmp_path: Path) -> tuple[Path, str]:
    """A repository whose baseline commit holds V1 and an empty changelog."""
    path = tmp_path / "repo"
    path.mkdir()
    git(path, "init", "-q", "-b", "main")
    baseline = commit(path, "v1", schema_graphql=V1, CHANGELOG_md="# Changelog\n")
    return path, baseline


def test_a_removed_field_is_refused_until_the_changelog_names_it(repo):
    path, baseline = repo
    removing = commit(path, "remove Query.removed", schema_graphql=V2_REMOVED)

    refused = contract.check(path, baseline=baseline)
    assert not refused.ok
    assert [b.coordinate for b in refused.missing] == ["Query.removed"]
    assert refused.missing_lines() == ["- `Query.removed`: Field Query.removed was removed."]
    assert refused.missing[0].where == f"{removing[:7]} (against {baseline[:7]})"

    commit(path, "changelog", CHANGELOG_md="# Changelog\n\n- `Query.removed` is gone: read `Query.kept`.\n")
    accepted = contract.check(path, baseline=baseline)
    assert accepted.ok, accepted
    assert [b.coordinate for b in accepted.breaks] == ["Query.removed"]
    assert any("1 breaking change(s), 1 named" in line for line in accepted.checked)


def test_a_dangerous_change_needs_no_line(repo):
    path, baseline = repo
    commit(path, "add BLUE", schema_graphql=V2_ENUM_VALUE)
    report = contract.check(path, baseline=baseline)
    assert report.ok and report.breaks == []
    assert any("nothing broken" in line for line in report.checked)


def test_the_working_tree_is_checked_against_head(repo):
    path, baseline = repo
    (path / "schema.graphql").write_text(V2_REMOVED)
    report = contract.check(path, baseline=baseline)
    assert [(b.coordinate, b.where) for b in report.missing] == [("Query.removed", "the working tree (against HEAD)")]
    (path / "CHANGELOG.md").write_text("- `Query.removed` went.\n")
    assert contract.check(path, baseline=baseline).ok


def test_commits_before_the_baseline_are_not_checked(repo):
    path, _ = repo
    commit(path, "remove Query.removed", schema_graphql=V2_REMOVED)
    later = commit(path, "unrelated", README_md="hello\n")
    report = contract.check(path, baseline=later)
    assert report.ok and report.breaks == []
    assert report.checked == ["the working tree: schema.graphql as committed in HEAD"], "says what it checked"


def test_a_change_in_a_merged_branch_is_checked(repo):
    path, baseline = repo
    git(path, "checkout", "-q", "-b", "side")
    commit(path, "side removes", schema_graphql=V2_REMOVED)
    git(path, "checkout", "-q", "main")
    commit(path, "main edits the changelog", CHANGELOG_md="# Changelog\n\nnothing yet\n")
    git(path, "merge", "-q", "--no-edit", "side")
    report = contract.check(path, baseline=baseline)
    assert {b.coordinate for b in report.missing} == {"Query.removed"}


def test_a_shallow_clone_says_what_it_could_not_check(repo, tmp_path):
    path, baseline = repo
    commit(path, "remove Query.removed", schema_graphql=V2_REMOVED)
    commit(path, "put it back", schema_graphql=V1)
    clone = tmp_path / "clone"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", f"file://{path}", str(clone)],
        check=True,
        capture_output=True,
        env={**os.environ, **_GIT_ENV},
    )
    report = contract.check(clone, baseline=baseline)
    assert any("is not in this clone" in note for note in report.notes), report.notes
    assert any("not checked" in note for note in report.notes), report.notes
    assert report.ok, "nothing checkable is broken"

    deeper = tmp_path / "deeper"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "2", f"file://{path}", str(deeper)],
        check=True,
        capture_output=True,
        env={**os.environ, **_GIT_ENV},
    )
    report = contract.check(deeper, baseline=baseline)
    # Putting the field back breaks nothing; removing it happened in the commit whose parent is missing.
    assert report.ok, report
    assert any("not checked" in note for note in report.notes), report.notes
    assert any("nothing broken" in line for line in report.checked), report.checked


def test_outside_a_git_checkout_the_check_refuses(tmp_path):
    (tmp_path / "schema.graphql").write_text(V1)
    report = contract.check(tmp_path)
    assert not report.ok and "not a git checkout" in report.problems[0]


def test_an_invalid_schema_is_refused(repo):
    path, baseline = repo
    commit(path, "broken", schema_graphql="type Query { oops: Nope }")
    report = contract.check(path, baseline=baseline)
    assert not report.ok and "not a valid schema" in report.problems[0]


def test_a_deleted_schema_is_refused(repo):
    path, baseline = repo
    git(path, "rm", "-q", "schema.graphql")
    git(path, "commit", "-q", "-m", "delete")
    report = contract.check(path, baseline=baseline)
    assert not report.ok and "was deleted" in " ".join(report.problems)


# --- how a breaking change is named --------------------------------------------------------------------------

#: (old SDL, new SDL, the coordinate of the one breaking change), one per kind graphql-core reports.
KINDS: dict[BreakingChangeType, tuple[str, str, str]] = {
    BreakingChangeType.TYPE_REMOVED: ("type Query { a: Int } type Gone { a: Int }", "type Query { a: Int }", "Gone"),
    BreakingChangeType.TYPE_CHANGED_KIND: (
        "type Query { a: T } type T { a: Int }",
        "type Query { a: T } interface T { a: Int }",
        "T",
    ),
    BreakingChangeType.TYPE_REMOVED_FROM_UNION: (
        "type Query { u: U } union U = A | B type A { a: Int } type B { b: Int }",
        "type Query { u: U } union U = A type A { a: Int } type B { b: Int }",
        "U",
    ),
    BreakingChangeType.VALUE_REMOVED_FROM_ENUM: (
        "type Query { e: E } enum E { X Y }",
        "type Query { e: E } enum E { X }",
        "E.Y",
    ),
    BreakingChangeType.REQUIRED_INPUT_FIELD_ADDED: (
        "type Query { a(i: I): Int } input I { x: Int }",
        "type Query { a(i: I): Int } input I { x: Int y: Int! }",
        "I.y",
    ),
    BreakingChangeType.IMPLEMENTED_INTERFACE_REMOVED: (
        "type Query { a: A } interface N { id: ID } type A implements N { id: ID }",
        "type Query { a: A } interface N { id: ID } type A { id: ID }",
        "A",
    ),
    BreakingChangeType.FIELD_REMOVED: ("type Query { a: Int b: Int }", "type Query { a: Int }", "Query.b"),
    BreakingChangeType.FIELD_CHANGED_KIND: (
        "type Query { a: Int b: Int c: String }",
        "type Query { a: String b: Int c: String }",
        "Query.a",
    ),
    BreakingChangeType.REQUIRED_ARG_ADDED: ("type Query { a: Int }", "type Query { a(x: Int!): Int }", "Query.a(x:)"),
    BreakingChangeType.ARG_REMOVED: ("type Query { a(x: Int): Int }", "type Query { a: Int }", "Query.a(x:)"),
    BreakingChangeType.ARG_CHANGED_KIND: (
        "type Query { a(x: Int): Int }",
        "type Query { a(x: String): Int b(y: Int): Int }",
        "Query.a(x:)",
    ),
    BreakingChangeType.DIRECTIVE_REMOVED: (
        "directive @d on FIELD type Query { a: Int }",
        "type Query { a: Int }",
        "@d",
    ),
    BreakingChangeType.DIRECTIVE_ARG_REMOVED: (
        "directive @d(x: Int) on FIELD type Query { a: Int }",
        "directive @d on FIELD type Query { a: Int }",
        "@d(x:)",
    ),
    BreakingChangeType.REQUIRED_DIRECTIVE_ARG_ADDED: (
        "directive @d on FIELD type Query { a: Int }",
        "directive @d(x: Int!) on FIELD type Query { a: Int }",
        "@d(x:)",
    ),
    BreakingChangeType.DIRECTIVE_REPEATABLE_REMOVED: (
        "directive @d repeatable on FIELD type Query { a: Int }",
        "directive @d on FIELD type Query { a: Int }",
        "@d",
    ),
    BreakingChangeType.DIRECTIVE_LOCATION_REMOVED: (
        "directive @d on FIELD | QUERY type Query { a: Int }",
        "directive @d on FIELD type Query { a: Int }",
        "@d",
    ),
}


def test_every_kind_of_breaking_change_has_a_coordinate():
    """A new kind in graphql-core fails here (and the guard refuses it) until it is mapped."""
    assert set(KINDS) == set(BreakingChangeType)


@pytest.mark.parametrize("kind", list(KINDS), ids=lambda k: k.name)
def test_coordinate_of_each_kind(kind):
    old, new, coordinate = KINDS[kind]
    changes = find_breaking_changes(build_schema(old), build_schema(new))
    assert [(c.type, contract.coordinate_of(c)) for c in changes] == [(kind, coordinate)]


def test_an_unknown_wording_is_refused_not_passed():
    from graphql import BreakingChange

    with pytest.raises(ValueError, match="cannot name"):
        contract.coordinate_of(BreakingChange(BreakingChangeType.FIELD_REMOVED, "Something new happened."))


def _break(coordinate: str, *, nullable: bool = False) -> contract.Break:
    return contract.Break(coordinate, "", "", "", nullable)


@pytest.mark.parametrize(
    ("changelog", "coordinate", "named"),
    [
        ("- `Query.removed` went", "Query.removed", True),
        ("- `Query.removedAll` went", "Query.removed", False),
        ("- Query.removed went (no backticks)", "Query.removed", False),
        ("- `Query.feed(first:)` is gone", "Query.feed(first:)", True),
        ("- `Query.feed(first:)` is gone", "Query.feed", False),
        ("- `Query.feed` takes `input`", "Query.feed(first:)", True),  # a named field covers its arguments
        ("- `Mutation.postUpdate(input: PostUpdateInput!)`", "Mutation.postUpdate", True),
        ("- `Mutation.postUpdate(input: PostUpdateInput!)`", "Mutation.postUpdate(input:)", True),
        ("- `Mutation.a(x: Int, y: [ID!]!)`", "Mutation.a(y:)", True),
        ("- `Mutation.a: APayload` now", "Mutation.a", True),
        ("- `RelationPayload` is replaced", "RelationPayload", True),
        ("- `RelationPayload` is replaced", "RelationPayload.relation", False),  # a type does not cover its fields
        ("- `ReactionKind.LIKE` went", "ReactionKind.LIKE", True),
        ("- `@auth` went", "@auth(role:)", True),
        ("- `[String!]` is a list", "String", False),
    ],
)
def test_what_a_changelog_names(changelog, coordinate, named):
    assert contract.Named.read(changelog).covers(_break(coordinate)) is named


def test_suggested_lines_tell_a_field_and_its_arguments_on_one_line():
    old = "type Query { a: Int } type Mutation { m(x: ID!, y: Int): P! n: P! } type P { a: Int }"
    new = "type Query { a: Int } type Mutation { m(input: MInput!): P n: P } type P { a: Int } input MInput { x: ID! }"
    breaks = contract.breaking_changes(old, new, "test")
    assert {b.coordinate for b in breaks} == {
        "Mutation.m",
        "Mutation.m(x:)",
        "Mutation.m(y:)",
        "Mutation.m(input:)",
        "Mutation.n",
    }
    lines = contract.changelog_lines(breaks)
    assert [line.split(":", 1)[0] for line in lines] == ["- `Mutation.m`", "- `Mutation.n`"]
    assert "Mutation.m(x:) was removed" in lines[0] and "Mutation.m(input:) was added" in lines[0]
    named = contract.Named.read("\n".join(lines))
    assert all(named.covers(b) for b in breaks), "the suggested lines name every change"


def test_a_wildcard_names_only_fields_that_became_nullable():
    named = contract.Named.read("- Every `Mutation.*` field became nullable.")
    assert named.covers(_break("Mutation.postCreate", nullable=True))
    assert not named.covers(_break("Mutation.postCreate"))  # another change of its type is named field by field
    assert not named.covers(_break("Mutation.postCreate(text:)"))
    assert not named.covers(_break("Query.me", nullable=True))


def test_became_nullable_is_read_from_graphql_core():
    old = "type Query { a: Int } type Mutation { m: P! n: P! } type P { a: Int } type Q { a: Int }"
    new = "type Query { a: Int } type Mutation { m: P n: Q } type P { a: Int } type Q { a: Int }"
    found = {b.coordinate: b.became_nullable for b in contract.breaking_changes(old, new, "test")}
    assert found == {"Mutation.m": True, "Mutation.n": False}


# --- the command ---------------------------------------------------------------------------------------------


def test_breaking_changes_prints_changelog_lines(repo, monkeypatch):
    path, baseline = repo
    commit(path, "remove", schema_graphql=V2_REMOVED)
    monkeypatch.setattr(cli, "REPO_ROOT", path)
    monkeypatch.setattr(contract, "BASELINE", baseline)
    result = CliRunner().invoke(cli.app, ["schema", "--breaking-changes"])
    assert result.exit_code == 0, result.output
    assert "- `Query.removed`: Field Query.removed was removed." in result.stdout


def test_check_contract_refuses_and_prints_the_missing_lines(repo, monkeypatch):
    path, baseline = repo
    commit(path, "remove", schema_graphql=V2_REMOVED)
    monkeypatch.setattr(cli, "REPO_ROOT", path)
    monkeypatch.setattr(contract, "BASELINE", baseline)
    refused = CliRunner().invoke(cli.app, ["schema", "--check-contract"])  # schema.graphql of this checkout is fresh
    assert refused.exit_code == 1
    assert "- `Query.removed`: Field Query.removed was removed." in refused.output
    (path / "CHANGELOG.md").write_text("- `Query.removed` went.\n")
    accepted = CliRunner().invoke(cli.app, ["schema", "--check-contract"])
    assert accepted.exit_code == 0, accepted.output
    assert "1 breaking change(s), each named" in accepted.output


def test_this_checkout_keeps_the_contract():
    """What `make check` runs: the committed schema is the code's, and every break since the baseline is named."""
    result = subprocess.run(
        [sys.executable, "-m", "api.cli", "schema", "--check-contract"], cwd=REPO_ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
