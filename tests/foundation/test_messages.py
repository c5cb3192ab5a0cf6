"""Every message a person can read exists in Vietnamese as well as English (``core.i18n``).

Messages are English templates with ``{placeholders}`` (``AppError(message, params=...)``): an f-string cannot be
looked up in a catalog, so none is passed to an error; every literal template has a translation in
``core/locales/vi/*.po`` with the same placeholders. A message is found where it is given to an error class, to a
function that makes one (``MESSAGE_FUNCTIONS``: ``busy``, ``translate``, and the OpenID Provider's page refusals
``PageRefusal``, ``BadRequest``, ``_error_page``) or as the ``empty=`` message of ``core.text.checked_text``; given
directly, through a constant or a variable of its module, or as either branch of a conditional. Messages built by
a function (the permission refusals) are checked by their own tests.

The OpenID Provider (``partners.authorization``, ``oauth``) speaks two ways. What a person reads on its sign-in,
consent and error pages is a message like any other: it is here, and its Vietnamese is in ``oauth.po`` (the pages'
own HTML texts are checked by ``tests/partners/test_pages.py``). What the protocol answers to an app's back end
(``OAuthFailure``: a JSON ``error`` and ``error_description``, RFC 6749 / 7009 / 7662 / OIDC) is for a developer,
in printable ASCII English as the RFCs' convention is, never shown to the person by us: it is not an error class
here, so this test neither asks for its Vietnamese nor lets it pass for one.
"""

from __future__ import annotations

import ast
import string
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

import core.errors
from core.i18n import LOCALES_DIR, catalog

ROOT = Path(__file__).resolve().parents[2]
#: The packages whose errors reach a client.
PACKAGES = (
    "api",
    "auth",
    "core",
    "graph",
    "health",
    "identity",
    "marketplace",
    "moderation",
    "notifications",
    "oauth",
    "partners",
    "places",
    "quotas",
    "resolvers",
    "sandbox",
    "schema",
    "social",
    "webhooks",
)
ERROR_CLASSES = {
    name
    for name, value in vars(core.errors).items()
    if isinstance(value, type) and issubclass(value, core.errors.AppError)
} | {"InvalidTokenError"}
#: Functions and classes whose argument at this position is a message a client reads.
MESSAGE_FUNCTIONS = {"busy": 0, "translate": 0, "PageRefusal": 0, "BadRequest": 0, "_error_page": 2}
#: Keyword arguments that carry such a message (``checked_text(..., empty="Write something first.")``).
MESSAGE_KEYWORDS = {"empty"}


def _resolve(
    message: ast.expr, assigned: dict[str, list[ast.expr]], kind: str = "literal", seen: frozenset[str] = frozenset()
) -> Iterator[tuple[str | None, str]]:
    """The templates a message argument can be: a literal, an f-string (None), either branch of a conditional, or
    what a variable of its module is assigned."""
    if isinstance(message, ast.JoinedStr):
        yield None, "f-string"
    elif isinstance(message, ast.Constant) and isinstance(message.value, str):
        yield message.value, kind
    elif isinstance(message, ast.IfExp):
        yield from _resolve(message.body, assigned, kind, seen)
        yield from _resolve(message.orelse, assigned, kind, seen)
    elif isinstance(message, ast.Name) and message.id in assigned and message.id not in seen:
        for value in assigned[message.id]:
            yield from _resolve(value, assigned, "constant", seen | {message.id})


def _templates() -> list[tuple[str, int, str | None, str]]:
    """(file, line, template or None for an f-string, kind) of every message given to an error class."""
    found = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            assigned: dict[str, list[ast.expr]] = {}
            for node in ast.walk(tree):
                if isinstance(node, ast.Assign):
                    for target in node.targets:
                        if isinstance(target, ast.Name):
                            assigned.setdefault(target.id, []).append(node.value)

            for node in ast.walk(tree):
                if not isinstance(node, ast.Call):
                    continue
                func = node.func
                name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
                messages = [k.value for k in node.keywords if k.arg in MESSAGE_KEYWORDS]
                position = 0 if name in ERROR_CLASSES else MESSAGE_FUNCTIONS.get(name)
                if position is not None and len(node.args) > position:
                    messages.append(node.args[position])
                for message in messages:
                    for template, kind in _resolve(message, assigned):
                        found.append((str(path.relative_to(ROOT)), message.lineno, template, kind))
    return found


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_no_error_message_is_an_f_string() -> None:
    """A message with values is a template plus ``params``, so it can be translated."""
    assert [f"{file}:{line}" for file, line, template, _ in _templates() if template is None] == []


def test_every_error_message_has_a_vietnamese_translation() -> None:
    vi = catalog("vi")
    missing = sorted(
        {f"{file}:{line}: {template}" for file, line, template, _ in _templates() if template and template not in vi}
    )
    assert missing == []


def test_translations_keep_the_placeholders_of_their_template() -> None:
    wrong = [
        template
        for template, translation in catalog("vi").items()
        if _placeholders(template) != _placeholders(translation)
    ]
    assert wrong == []


def test_each_template_is_translated_in_one_catalog_only() -> None:
    """The catalogs are read in file order and the last translation wins: a second one would be dead, and a test
    of the first would fail. A template used by two domains is translated once, in either one's catalog."""
    where: dict[str, list[str]] = {}
    for path in sorted((LOCALES_DIR / "vi").glob("*.po")):
        with path.open("rb") as source:
            for message in read_po(source, locale="vi"):
                if message.id:
                    where.setdefault(str(message.id), []).append(path.name)
    assert {template: files for template, files in where.items() if len(files) > 1} == {}


@pytest.mark.parametrize(
    ("header", "language"),
    [
        (None, "en"),
        ("", "en"),
        ("vi", "vi"),
        ("vi-VN,vi;q=0.9,en-US;q=0.8,en;q=0.7", "vi"),
        ("en-US,en;q=0.9,vi;q=0.8", "en"),
        ("fr-FR, vi;q=0.5", "vi"),
        ("vi;q=0, en", "en"),
        ("de, fr", "en"),
        ("*", "en"),
        ("not a header;;;q=x", "en"),
        ("x" * 1000, "en"),
    ],
)
def test_accept_language_picks_vietnamese_or_english(header: str | None, language: str) -> None:
    from core.i18n import negotiate

    assert negotiate(header) == language
