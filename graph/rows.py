"""Typed rows: how a graph function hands a record to a domain (DESIGN.md, "Static checks").

A graph function returns frozen dataclasses (or TypedDicts for a nested map passed on whole), never a bare dict
read by string keys. ``row(Kind, record)`` builds one from a record whose keys are the camelCase names of the
dataclass's snake_case fields (``authorId`` -> ``author_id``); a missing key is a programming error.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from typing import Any, TypeVar

T = TypeVar("T")

_CAMEL = re.compile(r"_([a-z0-9])")


_KEYS: dict[type, tuple[tuple[str, str], ...]] = {}


def _keys(kind: type) -> tuple[tuple[str, str], ...]:
    """(field name, record key) of each field of the dataclass ``kind``, worked out once per kind."""
    found = _KEYS.get(kind)
    if found is None:
        fields = dataclasses.fields(kind)
        found = _KEYS[kind] = tuple((f.name, _CAMEL.sub(lambda m: m.group(1).upper(), f.name)) for f in fields)
    return found


def row(kind: type[T], record: Mapping[str, Any]) -> T:
    """The dataclass ``kind`` filled from ``record`` (a neo4j.Record or a dict), camelCase keys to snake_case fields."""
    return kind(**{name: record[key] for name, key in _keys(kind)})


def node_row(kind: type[T], properties: Mapping[str, Any]) -> T:
    """``kind`` from a node's map projection (``n {.*}``), which leaves out the properties never set: those are None."""
    return kind(**{name: properties.get(key) for name, key in _keys(kind)})


def rows(kind: type[T], records: list[Any]) -> list[T]:
    return [row(kind, r) for r in records]
