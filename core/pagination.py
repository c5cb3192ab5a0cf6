"""Keyset pagination shared by every list: self-describing cursors, strictly parsed; capped page sizes.

A cursor is the URL-safe base64 of a small JSON array: the name of the list that issued it, then the sort key of
one item (``["feed", "2026-05-01T08:00:00.123Z", "9f1c..."]``). Clients treat it as opaque. Each list declares
its cursors once as a ``CursorKind`` (its name and the type of each part of the key); ``PageRequest.after_key``
decodes through ``CursorKind.decode``, the one function that reads a cursor: anything that is not a cursor this
list issued (garbage, a cursor of another list or another sort, a part of the wrong type, a time that is not
one, an integer out of range, text that is not valid Unicode) is an ``INVALID_INPUT`` naming ``after`` (or
``before``), never a failure further down. Services read ``PageRequest`` and return ``Page``; the schema layer
turns a ``Page`` into a Relay connection.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Generic, TypeVar

from core.errors import UserInputError
from core.text import is_unicode

T = TypeVar("T")
V = TypeVar("V")

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
#: Longest cursor accepted (characters); the longest one issued (a community's name and id) is far shorter.
MAX_CURSOR_LENGTH = 2000
#: Integers in a cursor (positions, sequence numbers, prices) stay within what JSON clients read exactly.
MAX_CURSOR_INT = 2**53 - 1
#: Text in a cursor (an id, a code, a folded name) is at most this long.
MAX_CURSOR_TEXT = 500

NOT_ISSUED = "This cursor is not one this list issued; pass a cursor from this list's pageInfo."

#: The widest UTC offset Neo4j's ``datetime()`` accepts.
MAX_UTC_OFFSET = timedelta(hours=18)

_ISO_TIME = re.compile(r"^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$")

#: The types a part of a cursor's key may have.
TIME = "time"  # an ISO 8601 date-time with an offset, as Neo4j's ``datetime()`` reads it; decoded as UTC ("...Z")
TEXT = "text"  # a string (an id, a code, a name)
INT = "int"  # a whole number from 0 to MAX_CURSOR_INT (or the kind's ``max_int``)
NUMBER = "number"  # a finite number (a rating)
OPTIONAL_INT = "int?"  # INT or null (a price that may be missing)
PARTS = (TIME, TEXT, INT, NUMBER, OPTIONAL_INT)


def _utc_time(value: Any) -> str | None:
    """A cursor's time as UTC ISO 8601 (``...Z``, its fraction of a second kept to the nanosecond), or None when it
    is not a time Neo4j's ``datetime()`` reads: a bad date, an offset beyond ±18:00, a year outside 1-9999 (also
    once moved to UTC)."""
    if not isinstance(value, str):
        return None
    match = _ISO_TIME.match(value)
    if not match:
        return None
    base, fraction, zone = match.groups()
    try:
        at = datetime.fromisoformat(base + ("+00:00" if zone == "Z" else zone))
        if abs(at.utcoffset() or timedelta()) > MAX_UTC_OFFSET:
            return None
        utc = at.astimezone(UTC)
    except (ValueError, OverflowError):
        return None
    return utc.replace(tzinfo=None).isoformat(timespec="seconds") + (fraction or "") + "Z"


def _valid_text(value: Any) -> bool:
    return isinstance(value, str) and len(value) <= MAX_CURSOR_TEXT and is_unicode(value)


def _valid_int(value: Any, maximum: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= maximum


def _valid_number(value: Any) -> bool:
    return (
        isinstance(value, (int, float))
        and not isinstance(value, bool)
        and math.isfinite(value)
        and abs(value) <= MAX_CURSOR_INT
    )


@dataclass(frozen=True)
class CursorKind:
    """The cursors of one list: the list's name (written inside each cursor) and the type of each key part."""

    name: str
    parts: tuple[str, ...]
    #: Upper bound of the INT parts (a search position stays inside the ranked window).
    max_int: int = MAX_CURSOR_INT

    def __post_init__(self) -> None:
        assert all(p in PARTS for p in self.parts), self.parts

    def scoped(self, scope: str) -> CursorKind:
        """The cursors of one instance of a list that belongs to something (a person's posts, a post's comments,
        a community's members): a cursor of another person's posts is then refused as not issued by this list."""
        return CursorKind(f"{self.name}:{scope}", self.parts, self.max_int)

    def for_filters(self, **values: Any) -> CursorKind:
        """The cursors of a list read under these filters and search text (normalised by the caller: a search as
        the query it became, a set of kinds sorted): scoped to a short stable digest of the values, so a cursor
        taken under other filters (or of another search) is refused as not issued by this list. Values are
        JSON: None, booleans, numbers, strings and lists of them."""
        normal = json.dumps(sorted(values.items()), separators=(",", ":"), ensure_ascii=False, default=str)
        return self.scoped(hashlib.blake2s(normal.encode()).hexdigest()[:12])

    def encode(self, *key: Any) -> str:
        """The cursor of an item whose sort key is ``key``; a TIME part may be a Neo4j or Python datetime."""
        assert len(key) == len(self.parts), (self.name, key)
        values = [
            _time_text(v) if part == TIME else float(v) if part == NUMBER else v
            for part, v in zip(self.parts, key, strict=False)
        ]
        raw = json.dumps([self.name, *values], separators=(",", ":"), ensure_ascii=False).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    def decode(self, cursor: str, *, field: str = "after") -> tuple[Any, ...]:
        """The key inside a cursor this list issued; INVALID_INPUT naming ``field`` for anything else."""
        wrong = UserInputError(NOT_ISSUED, field=field)
        if not isinstance(cursor, str) or not cursor or len(cursor) > MAX_CURSOR_LENGTH:
            raise wrong
        try:
            padded = cursor + "=" * (-len(cursor) % 4)
            decoded = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")).decode("utf-8"))
        except (binascii.Error, ValueError, UnicodeError, RecursionError) as exc:
            raise wrong from exc
        if not isinstance(decoded, list) or len(decoded) != len(self.parts) + 1 or decoded[0] != self.name:
            raise wrong
        key = []
        for part, value in zip(self.parts, decoded[1:], strict=False):
            if part == TIME:  # read by Python, passed on as UTC: Neo4j never sees an offset or year it refuses
                value = _utc_time(value)
                ok = value is not None
            else:
                checks: dict[str, Callable[[Any], bool]] = {
                    TEXT: _valid_text,
                    INT: lambda v: _valid_int(v, self.max_int),
                    NUMBER: _valid_number,
                    OPTIONAL_INT: lambda v: v is None or _valid_int(v, MAX_CURSOR_INT),
                }
                ok = checks[part](value)
            if not ok:
                raise wrong
            key.append(float(value) if part == NUMBER else value)
        return tuple(key)


def _time_text(at: Any) -> str:
    """A Neo4j DateTime (``iso_format``) or a Python datetime (``isoformat``) as ISO 8601 text."""
    return str(at.iso_format() if hasattr(at, "iso_format") else at.isoformat())


def keyset_kind(name: str) -> CursorKind:
    """The cursors of a list ordered by (time, id), the most common kind."""
    return CursorKind(name, (TIME, TEXT))


@dataclass(frozen=True)
class Window:
    """What a graph query needs to read one page of a keyset list, in either direction.

    ``after``/``before`` are sort keys in *display order* (exclusive bounds; either may be None). Forwards the
    query reads in display order from ``after``; backwards (``last``) it reads in the opposite order from
    ``before`` (``graph.paging.both_ways`` gives the query both ways) and ``PageRequest.page`` puts the rows back in
    display order. ``limit`` is the page size plus one: the extra row tells whether more items lie beyond."""

    after: tuple[Any, ...] | None
    before: tuple[Any, ...] | None
    backwards: bool
    limit: int


@dataclass(frozen=True)
class PageRequest:
    """What a client asked for: forwards (first/after) or backwards (last/before). The cursors stay as the
    client sent them until the service decodes them with its list's ``CursorKind``."""

    size: int
    after: str | None = None
    before: str | None = None
    backwards: bool = False

    def window(self, kind: CursorKind) -> Window:
        """The bounds of this page in ``kind``'s keys; INVALID_INPUT naming ``after`` or ``before`` for a cursor
        this list did not issue."""
        return Window(
            after=kind.decode(self.after, field="after") if self.after is not None else None,
            before=kind.decode(self.before, field="before") if self.before is not None else None,
            backwards=self.backwards,
            limit=self.size + 1,
        )

    def page(
        self,
        rows: list[T],
        kind: CursorKind,
        key: Callable[[T], tuple[Any, ...]],
        *,
        total_count: int | None = None,
    ) -> Page[T]:
        """The page of ``rows`` as a graph query returned them for ``window(kind)`` (reading order, at most
        ``size + 1``), in display order with a cursor each. ``hasPreviousPage`` forwards (and ``hasNextPage``
        backwards) says whether a cursor was given, as Relay allows when counting is not cheap."""
        items = rows[: self.size]
        more = len(rows) > self.size
        if self.backwards:
            items.reverse()
        return Page(
            items=items,
            cursors=[kind.encode(*key(item)) for item in items],
            has_next_page=(self.before is not None) if self.backwards else more,
            has_previous_page=more if self.backwards else self.after is not None,
            total_count=total_count,
        )

    def positions(self, kind: CursorKind) -> tuple[int | None, int | None]:
        """The positions after and before which a positional list's page lies (``graph.paging.POSITIONAL_SLICE``),
        decoded from cursors of ``kind`` (a single INT part); INVALID_INPUT naming ``after`` or ``before``."""
        window = self.window(kind)
        return (window.after[0] if window.after else None, window.before[0] if window.before else None)

    def ranked_page(self, items: list[T], start: int, kind: CursorKind) -> Page[T]:
        """The page of a positional list from the ``size + 1`` items (at most) that ``POSITIONAL_SLICE`` read in
        display order, the first at position ``start``; each item's cursor is its position."""
        more = len(items) > self.size
        first = start + (len(items) - self.size if self.backwards and more else 0)
        shown = items[len(items) - self.size :] if self.backwards and more else items[: self.size]
        return Page(
            items=shown,
            cursors=[kind.encode(first + i) for i in range(len(shown))],
            has_next_page=(self.before is not None) if self.backwards else more,
            has_previous_page=more if self.backwards else first > 0,
        )

    def after_key(self, kind: CursorKind) -> tuple[Any, ...] | None:
        """The sort key after which a forward-only list continues (None on the first page)."""
        if self.backwards:
            raise UserInputError("This list pages forwards only; use `first` and `after`.", field="last")
        if self.after is None:
            return None
        return kind.decode(self.after, field="after")

    def keyset(self, kind: CursorKind) -> tuple[str, str] | None:
        """The (time, id) pair after which a forward-only keyset list continues, or None."""
        key = self.after_key(kind)
        return (key[0], key[1]) if key is not None else None

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
            raise UserInputError(
                "Page size is capped at {limit}; ask for fewer items.", field=field, params={"limit": MAX_PAGE_SIZE}
            )
        return cls(size=size, after=after or None, before=before or None, backwards=last is not None)


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of items in display order, each with its cursor."""

    items: list[T]
    cursors: list[str]
    has_next_page: bool
    has_previous_page: bool
    total_count: int | None = None

    def shown(self, views: list[V | None]) -> Page[V]:
        """This page with each item replaced by its view (``views``, in the same order), leaving out items the
        viewer gets no view of; cursors and page flags stay."""
        kept = [(v, c) for v, c in zip(views, self.cursors, strict=True) if v is not None]
        return Page(
            items=[v for v, _ in kept],
            cursors=[c for _, c in kept],
            has_next_page=self.has_next_page,
            has_previous_page=self.has_previous_page,
            total_count=self.total_count,
        )
