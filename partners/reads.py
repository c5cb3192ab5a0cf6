"""The reads of a person's personal data made during one request, for the person's access log.

Every path that hands a partner app (or an officer on duty) a non-null personal value calls ``record``; the
access-log extension writes the set once, after execution and before the response leaves (fail closed: if it
cannot be written, the answer is 503 with no data). A field read twice in one request (aliases, two paths) is
one entry; a hidden (null) field is never recorded, because nothing was disclosed.

A read made by a GraphQL field carries its response path (``info.path``): a value that resolved but never reached
the answer (a non-null sibling refused, the null bubbling up over it) was not disclosed either, so before writing,
``ReadSet.keep_delivered`` keeps only the reads with a path present and non-null in the final ``data`` (a read
recorded without a path, as userinfo's, is always kept).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

#: A response path: the keys (response names: aliases) and list indexes from ``data`` down to a field's value.
Path = tuple[str | int, ...]


@dataclass(frozen=True, order=True)
class Read:
    person_id: str
    field: str  # the schema coordinate read, e.g. "Person.phone", or a predicate "Query.isAdult"
    scope: str | None  # the scope it was read under (apps), None for an officer's duty read
    basis: str  # "grant" (a partner app under the person's grant) | "duty" (an officer on duty)
    duty: str = ""  # the officer's duty for a "duty" read ("verification", "moderation", ...); "" for an app's


@dataclass(frozen=True)
class Duty:
    """The duty under which a viewer is handed a person's non-public data (an officer checking a verification
    request, deciding a report), and whose data it is: a view carries it, and the GraphQL field that hands out a
    non-null value records ``Type.field`` for ``person_id`` with ``basis="duty"`` (``schema.access_log.DutyRead``)."""

    name: str
    person_id: str


def delivered(data: Any, path: Path) -> bool:
    """Whether the answer's ``data`` holds a non-null value at ``path``."""
    here = data
    for key in path:
        if isinstance(key, int):
            if not isinstance(here, list) or not 0 <= key < len(here):
                return False
        elif not isinstance(here, dict) or key not in here:
            return False
        here = here[key]
    return here is not None


@dataclass
class ReadSet:
    reads: set[Read] = field(default_factory=set)
    #: Where each read's values were put in the answer; a read recorded once without a path is not in here.
    paths: dict[Read, set[Path]] = field(default_factory=dict)
    #: The reads recorded at least once without a path (always kept).
    unplaced: set[Read] = field(default_factory=set)

    def record(
        self,
        person_id: str,
        field_name: str,
        *,
        scope: str | None = None,
        basis: str = "grant",
        duty: str = "",
        path: Sequence[str | int] | None = None,
    ) -> None:
        """Record a read; ``path`` is the response path of the value handed out (a GraphQL field's
        ``info.path.as_list()``), None for a read that is disclosed whatever happens after (userinfo)."""
        if basis not in ("grant", "duty"):
            raise ValueError("basis is 'grant' or 'duty'")
        read = Read(person_id, field_name, scope, basis, duty)
        self.reads.add(read)
        if path is None:
            self.unplaced.add(read)
        else:
            self.paths.setdefault(read, set()).add(tuple(path))

    def keep_delivered(self, data: Any) -> None:
        """Forget the reads whose values never reached the answer ``data`` (the final ``result.data``; None when
        no data left): a read stays when it was recorded without a path, or one of its paths holds a non-null
        value in ``data``."""
        self.reads = {
            read
            for read in self.reads
            if read in self.unplaced or any(delivered(data, path) for path in self.paths.get(read, ()))
        }
        self.paths = {read: paths for read, paths in self.paths.items() if read in self.reads}

    def by_person(self) -> dict[str, list[Read]]:
        grouped: dict[str, list[Read]] = {}
        for read in sorted(self.reads):
            grouped.setdefault(read.person_id, []).append(read)
        return grouped

    def __bool__(self) -> bool:
        return bool(self.reads)
