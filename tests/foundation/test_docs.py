"""The generated tables of the docs are the ones of the code (``hanoismart docs``): the permission table in README.md
and docs/architecture.md, the two error-code tables in README.md and docs/app-developers.md."""

from __future__ import annotations

import subprocess
import sys

import pytest
from typer.testing import CliRunner

from api import cli
from auth.permissions import permission_table
from core.errors import TOP_LEVEL_CODES, USER_ERROR_CODES, error_code_tables
from core.settings import REPO_ROOT

STALE = f"""# A page

Before.

{cli.PERMISSIONS_START}
| permission | what it allows | who | level | for an organisation |
|---|---|---|---|---|
| `social.gone.away` | a permission that no longer exists | anyone | 0 | no |
{cli.PERMISSIONS_END}

After.
"""


@pytest.mark.parametrize("path", cli.PERMISSION_DOCS, ids=lambda p: p.name)
def test_the_committed_permission_table_is_the_one_of_the_code(path):
    text = path.read_text()
    assert cli.with_permission_table(text, permission_table()) == text, (
        f"{path.relative_to(REPO_ROOT)} carries a stale permission table: run `hanoismart docs` and commit it"
    )


@pytest.mark.parametrize("path", cli.ERROR_DOCS, ids=lambda p: p.name)
def test_the_committed_error_tables_are_the_ones_of_the_code(path):
    text = path.read_text()
    assert cli.with_error_tables(text, error_code_tables()) == text, (
        f"{path.relative_to(REPO_ROOT)} carries stale error-code tables: run `hanoismart docs` and commit it"
    )


def test_the_error_tables_list_every_code_of_both_enums():
    tables = error_code_tables()
    payload, _, top_level = tables.partition("Top-level errors")
    assert all(f"| `{code}` |" in payload for code in USER_ERROR_CODES)
    assert all(f"| `{code}` |" in top_level for code in TOP_LEVEL_CODES)


def test_cli_docs_check_agrees():
    result = subprocess.run(
        [sys.executable, "-m", "api.cli", "docs", "--check"], cwd=REPO_ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


def test_docs_rewrites_only_the_table_and_check_then_passes(tmp_path, monkeypatch):
    pages = (tmp_path / "README.md", tmp_path / "architecture.md")
    for page in pages:
        page.write_text(STALE)
    monkeypatch.setattr(cli, "PERMISSION_DOCS", pages)
    monkeypatch.setattr(cli, "ERROR_DOCS", ())
    runner = CliRunner()

    stale = runner.invoke(cli.app, ["docs", "--check"])
    assert stale.exit_code == 1 and "out of date" in stale.output
    assert all(page.read_text() == STALE for page in pages), "--check writes nothing"

    assert runner.invoke(cli.app, ["docs"]).exit_code == 0
    for page in pages:
        before, _, rest = page.read_text().partition(cli.PERMISSIONS_START)
        table, _, after = rest.partition(cli.PERMISSIONS_END)
        assert before == STALE.partition(cli.PERMISSIONS_START)[0] and after == "\n\nAfter.\n"
        assert table == "\n" + permission_table()
    assert runner.invoke(cli.app, ["docs", "--check"]).exit_code == 0


def test_docs_refuses_a_page_without_markers(tmp_path, monkeypatch):
    page = tmp_path / "README.md"
    page.write_text("# No table here\n")
    monkeypatch.setattr(cli, "PERMISSION_DOCS", (page,))
    monkeypatch.setattr(cli, "ERROR_DOCS", ())
    result = CliRunner().invoke(cli.app, ["docs"])
    assert result.exit_code == 1 and "markers" in result.output
    assert page.read_text() == "# No table here\n"


def test_docs_writes_the_error_tables_and_creates_a_missing_guide(tmp_path, monkeypatch):
    readme = tmp_path / "README.md"
    readme.write_text(f"# Errors\n\n{cli.ERRORS_START}\n| `GONE` | old |\n{cli.ERRORS_END}\n\nAfter.\n")
    guide = tmp_path / "docs" / "app-developers.md"
    monkeypatch.setattr(cli, "PERMISSION_DOCS", ())
    monkeypatch.setattr(cli, "ERROR_DOCS", (readme, guide))
    runner = CliRunner()

    stale = runner.invoke(cli.app, ["docs", "--check"])
    assert stale.exit_code == 1 and "out of date" in stale.output
    assert not guide.exists(), "--check writes nothing"

    assert runner.invoke(cli.app, ["docs"]).exit_code == 0
    assert readme.read_text() == f"# Errors\n\n{cli.ERRORS_START}\n{error_code_tables()}{cli.ERRORS_END}\n\nAfter.\n"
    assert guide.read_text().startswith("# Building an app on HanoiSmart\n")
    assert cli.with_error_tables(guide.read_text(), error_code_tables()) == guide.read_text()
    assert runner.invoke(cli.app, ["docs", "--check"]).exit_code == 0
