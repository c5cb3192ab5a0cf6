"""Strict decoding of what a GraphQL-over-HTTP request carries, so junk is a 400 that says what is wrong.

Refused before anything runs: bytes that are not UTF-8, ``NaN``/``Infinity``, numbers Python will not
read (more than ``sys.get_int_max_str_digits()`` digits, in the JSON or in the document), JSON nested
deeper than ``MAX_JSON_DEPTH``, and lone UTF-16 surrogates (``"\\ud800"`` without its pair) in any
string or key: they are not Unicode, so neither Neo4j, nor UTF-8, nor an error message can carry them.

And on the way out, ``encode_json`` never fails on a lone surrogate that reached a response anyway
(stored before this check existed, say): it becomes U+FFFD.
"""

from __future__ import annotations

import json
import re
import sys

from core.text import is_unicode

#: Deepest JSON nesting accepted (variables are input objects and lists a few levels deep).
MAX_JSON_DEPTH = 64

_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


class RequestRefused(Exception):
    """The request cannot be decoded; ``message`` tells the client what is wrong."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _max_digits() -> int:
    return sys.get_int_max_str_digits() or 4300


def _parse_int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise RequestRefused(
            f"A number in the JSON has {len(text.lstrip('-'))} digits; at most {_max_digits()} are accepted."
        ) from None


def _refuse_constant(name: str) -> float:
    raise RequestRefused(f"`{name}` is not a JSON number.")


def decode_json(data: str | bytes) -> object:
    """JSON text or UTF-8 bytes to a value, with the checks of this module."""
    if isinstance(data, (bytes, bytearray)):
        try:
            data = bytes(data).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise RequestRefused(f"The request is not valid UTF-8 (bad byte at offset {exc.start}).") from None
    try:
        value = json.loads(data, parse_int=_parse_int, parse_constant=_refuse_constant)
    except RecursionError:
        raise RequestRefused(f"The JSON nests deeper than {MAX_JSON_DEPTH} levels.") from None
    check_value(value)
    return value


def _where(path: tuple) -> str:
    return ".".join(str(step) for step in path) or "the top level"


def check_value(value: object) -> None:
    """Refuse nesting deeper than ``MAX_JSON_DEPTH`` and lone surrogates in any string or key."""
    stack: list[tuple[object, tuple]] = [(value, ())]
    while stack:
        item, path = stack.pop()
        if len(path) > MAX_JSON_DEPTH:
            raise RequestRefused(f"The JSON nests deeper than {MAX_JSON_DEPTH} levels.")
        if isinstance(item, str):
            check_text(item, _where(path))
        elif isinstance(item, dict):
            for key, child in item.items():
                check_text(key, f"a key in {_where(path)}")
                stack.append((child, (*path, key)))
        elif isinstance(item, list):
            stack.extend((child, (*path, index)) for index, child in enumerate(item))


def check_text(text: str, where: str) -> None:
    if not is_unicode(text):
        raise RequestRefused(
            f"The string at {where} holds a lone UTF-16 surrogate (a \\ud800-\\udfff escape without its pair), "
            "which is not Unicode text; send valid UTF-8."
        )


def check_document(query: str | None) -> None:
    """A digit run Python will not read as a number (an Int literal of 4,301+ digits) is refused here."""
    if not query:
        return
    limit = _max_digits()
    if re.search(f"[0-9]{{{limit + 1},}}", query):
        raise RequestRefused(
            f"The document holds a run of more than {limit} digits, a number no field accepts; "
            "send such text as a variable."
        )


def describe(value: object) -> str:
    """How a JSON value's kind is named in a refusal."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return "an array"


def encode_json(data: object) -> bytes:
    """Compact UTF-8 JSON; a lone surrogate (not encodable) becomes U+FFFD instead of crashing the response."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=str)
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return _LONE_SURROGATE.sub("\ufffd", text).encode("utf-8")
