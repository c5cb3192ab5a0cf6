"""The reads of a person's personal data made during one request, for the person's access log.

Every path that hands a partner app (or an officer on duty) a non-null personal value calls ``record``; the
access-log extension writes the set once, after execution and before the response leaves (fail closed: if it
cannot be written, the answer is 503 with no data). A field read twice in one request (aliases, two paths) is
one entry; a hidden (null) field is never recorded, because nothing was disclosed.
"""

from __future__ import annotations

from dataclasses import dataclass, field


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


@dataclass
class ReadSet:
    reads: set[Read] = field(default_factory=set)

    def record(
        self, person_id: str, field_name: str, *, scope: str | None = None, basis: str = "grant", duty: str = ""
    ) -> None:
        if basis not in ("grant", "duty"):
            raise ValueError("basis is 'grant' or 'duty'")
        self.reads.add(Read(person_id, field_name, scope, basis, duty))

    def by_person(self) -> dict[str, list[Read]]:
        grouped: dict[str, list[Read]] = {}
        for read in sorted(self.reads):
            grouped.setdefault(read.person_id, []).append(read)
        return grouped

    def __bool__(self) -> bool:
        return bool(self.reads)
