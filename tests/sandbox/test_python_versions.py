"""Python 3.11 and every later version are supported (issue 12: "Python 3.12 and later"): ``requires-python`` has
no upper bound, and no module of ours imports what Python 3.12 and 3.13 removed from the standard library (PEP 594,
PEP 632, ``imp``, ``asynchat``/``asyncore``...). CI runs 3.11; mypy passes with ``--python-version 3.12`` and every
compiled dependency ships wheels for 3.12 and 3.13 (checked when ``requires-python`` was widened)."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

from core.settings import REPO_ROOT

REMOVED = {
    # 3.12
    "distutils", "imp", "asynchat", "asyncore", "smtpd",
    # 3.13 (PEP 594)
    "aifc", "audioop", "cgi", "cgitb", "chunk", "crypt", "imghdr", "mailcap", "msilib", "nis", "nntplib",
    "ossaudiodev", "pipes", "sndhdr", "spwd", "sunau", "telnetlib", "uu", "xdrlib", "lib2to3",
}  # fmt: skip
SOURCE_FOLDERS = ("api", "auth", "bench", "core", "docs", "graph", "health", "identity", "marketplace", "moderation",
                  "notifications", "places", "resolvers", "sandbox", "schema", "scripts", "social", "tests")  # fmt: skip


def test_requires_python_allows_311_and_later() -> None:
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
    assert project["requires-python"] == ">=3.11"


def test_no_module_imports_what_python_312_or_313_removed() -> None:
    found = []
    for folder in SOURCE_FOLDERS:
        for path in sorted(Path(REPO_ROOT / folder).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                names = []
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                found += [f"{path.relative_to(REPO_ROOT)}: {n}" for n in names if n.split(".")[0] in REMOVED]
    assert found == []
