"""Keyset pagination shared by every list: opaque cursors, capped page sizes.

A cursor is the URL-safe base64 of a small JSON array holding the sort key of one item; clients
treat it as opaque. Services read ``PageRequest`` and return ``Page``; the schema layer turns a
``Page`` into a Relay connection.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from core.errors import UserInputError

T = TypeVar("T")

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


def encode_cursor(key: list[Any]) -> str:
    raw = json.dumps(key, separators=(",", ":"), ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def keyset_cursor(at, item_id: str) -> str:
    """The cursor of an item in a list ordered by (time, id): what ``PageRequest.keyset()`` reads back.
    ``at`` is a Neo4j DateTime or a Python datetime."""
    return encode_cursor([at.iso_format() if hasattr(at, "iso_format") else at.isoformat(), item_id])


def decode_cursor(cursor: str, *, field: str) -> list[Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        key = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise UserInputError("This cursor is not one this API issued; pass a cursor from pageInfo.", field=field) from exc
    if not isinstance(key, list):
        raise UserInputError("This cursor is not one this API issued; pass a cursor from pageInfo.", field=field)
    return key


@dataclass(frozen=True)
class PageRequest:
    """What a client asked for: forwards (first/after) or backwards (last/before)."""

    size: int
    after: list[Any] | None = None
    before: list[Any] | None = None
    backwards: bool = False

    def keyset(self) -> tuple[str, str] | None:
        """The (sort value, id) pair after which a forward-only keyset list continues, or None."""
        if self.backwards:
            raise UserInputError("This list pages forwards only; use `first` and `after`.", field="last")
        if self.after is None:
            return None
        if len(self.after) != 2:
            raise UserInputError("This cursor is not one this list issued; pass a cursor from pageInfo.", field="after")
        return str(self.after[0]), str(self.after[1])

    @classmethod
    def from_args(
        cls, *, first: int | None, after: str | None, last: int | None = None, before: str | None = None
    ) -> PageRequest:
        if first is not None and last is not None:
            raise UserInputError("Pass either `first` or `last`, not both.", field="first")
        size = last if last is not None else first
        if size is None:
            size = DEFAULT_PAGE_SIZE
        field = "last" if last is not None else "first"
        if size < 0:
            raise UserInputError("Page size must not be negative.", field=field)
        if size > MAX_PAGE_SIZE:
            raise UserInputError(f"Page size is capped at {MAX_PAGE_SIZE}; ask for fewer items.", field=field)
        return cls(
            size=size,
            after=decode_cursor(after, field="after") if after else None,
            before=decode_cursor(before, field="before") if before else None,
            backwards=last is not None,
        )


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of items in display order, each with its cursor."""

    items: list[T]
    cursors: list[str]
    has_next_page: bool
    has_previous_page: bool
    total_count: int | None = None
