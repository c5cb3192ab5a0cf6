"""The schema is a contract: a breaking change of ``schema.graphql`` must be named in ``CHANGELOG.md``.

``hanoismart schema --check-contract`` (run by ``make check``, so by ``make test`` and CI) diffs ``schema.graphql``
of every commit since ``BASELINE`` that changed it against each of its parents, and the working tree against
``HEAD``, with graphql-core's ``find_breaking_changes``. Each breaking change has a schema coordinate
(``coordinate_of``); the check refuses the history when a coordinate is not named in the *current*
``CHANGELOG.md`` (a later commit may complete the changelog of an earlier one; nothing is ever waived).

How the changelog names a coordinate (``Named``), in backticks anywhere in the file:

- exactly: ``Type``, ``Type.field``, ``Type.field(arg:)``, ``Enum.VALUE``, ``@directive``, ``@directive(arg:)``;
- a signature names its field and each argument it lists: ``Mutation.postUpdate(input: PostUpdateInput!)``
  names ``Mutation.postUpdate`` and ``Mutation.postUpdate(input:)``;
- a named field covers the changes of its arguments (``Mutation.connectionRequest`` covers
  ``Mutation.connectionRequest(actorId:)``), a named directive those of its arguments;
- ``Type.*`` covers one kind of change only: a field of ``Type`` that became nullable (``X!`` to ``X``), the one
  line "every ``Mutation.*`` field became nullable". Any other change of a field is named field by field.

Dangerous changes (an added enum value, an optional argument) are not breaking and need no line.

Shallow clones: a commit whose parent is not in the clone cannot be diffed; the report says so and checks what
exists. Every run says what it checked, so a pass is never silent.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from graphql import BreakingChange, BreakingChangeType, GraphQLError, GraphQLSchema, build_schema, find_breaking_changes

#: The last commit before API contract v1 (issue 12): every change of ``schema.graphql`` after it is checked.
BASELINE = "98982c83081a08a21b8f6942dbcb8894d19cfa2b"
SCHEMA_FILE = "schema.graphql"
CHANGELOG_FILE = "CHANGELOG.md"

_NAME = r"[_A-Za-z][_0-9A-Za-z]*"
_TYPE = r"[^\s.]+"
#: graphql-core's wording of each breaking change, with the coordinate it names in the group ``c``.
_COORDINATES: dict[BreakingChangeType, re.Pattern[str]] = {
    BreakingChangeType.TYPE_REMOVED: re.compile(rf"^(?:Standard scalar )?(?P<c>{_NAME}) was removed"),
    BreakingChangeType.TYPE_CHANGED_KIND: re.compile(rf"^(?P<c>{_NAME}) changed from "),
    BreakingChangeType.TYPE_REMOVED_FROM_UNION: re.compile(rf"^{_NAME} was removed from union type (?P<c>{_NAME})\.$"),
    BreakingChangeType.VALUE_REMOVED_FROM_ENUM: re.compile(rf"^Enum value (?P<c>{_NAME}\.{_NAME}) was removed\.$"),
    BreakingChangeType.REQUIRED_INPUT_FIELD_ADDED: re.compile(rf"^A required field (?P<c>{_NAME}\.{_NAME}) was added"),
    BreakingChangeType.IMPLEMENTED_INTERFACE_REMOVED: re.compile(rf"^(?P<c>{_NAME}) no longer implements interface "),
    BreakingChangeType.FIELD_REMOVED: re.compile(rf"^Field (?P<c>{_NAME}\.{_NAME}) was removed\.$"),
    BreakingChangeType.FIELD_CHANGED_KIND: re.compile(
        rf"^Field (?P<c>{_NAME}\.{_NAME}) changed type from (?P<old>{_TYPE}) to (?P<new>{_TYPE})\.$"
    ),
    BreakingChangeType.REQUIRED_ARG_ADDED: re.compile(rf"^A required argument (?P<c>{_NAME}\.{_NAME}\({_NAME}:\))"),
    BreakingChangeType.ARG_REMOVED: re.compile(rf"^Argument (?P<c>{_NAME}\.{_NAME}\({_NAME}:\)) was removed\.$"),
    BreakingChangeType.ARG_CHANGED_KIND: re.compile(rf"^Argument (?P<c>{_NAME}\.{_NAME}\({_NAME}:\)) has changed"),
    BreakingChangeType.DIRECTIVE_REMOVED: re.compile(rf"^Directive (?P<c>@{_NAME}) was removed\.$"),
    BreakingChangeType.DIRECTIVE_ARG_REMOVED: re.compile(rf"^Argument (?P<c>@{_NAME}\({_NAME}:\)) was removed\.$"),
    BreakingChangeType.REQUIRED_DIRECTIVE_ARG_ADDED: re.compile(rf"^A required argument (?P<c>@{_NAME}\({_NAME}:\))"),
    BreakingChangeType.DIRECTIVE_REPEATABLE_REMOVED: re.compile(rf"^Repeatable flag was removed from (?P<c>@{_NAME})"),
    BreakingChangeType.DIRECTIVE_LOCATION_REMOVED: re.compile(rf"^{_NAME} was removed from (?P<c>@{_NAME})\.$"),
}


def coordinate_of(change: BreakingChange) -> str:
    """The schema coordinate a breaking change is about; ValueError for a wording this module does not know (a
    new graphql-core), so the check refuses instead of passing."""
    pattern = _COORDINATES.get(change.type)
    found = pattern.match(change.description) if pattern else None
    if found is None:
        raise ValueError(f"cannot name the schema coordinate of {change.type.name}: {change.description}")
    return found["c"]


def _became_nullable(change: BreakingChange) -> bool:
    """Whether the change is a field whose type only lost its non-null mark (``X!`` to ``X``)."""
    if change.type is not BreakingChangeType.FIELD_CHANGED_KIND:
        return False
    found = _COORDINATES[change.type].match(change.description)
    return found is not None and found["old"] == found["new"] + "!"


@dataclass(frozen=True)
class Break:
    """One breaking change of ``schema.graphql``, where it happened."""

    coordinate: str
    description: str
    kind: str  # BreakingChangeType name
    where: str  # "ded2273 (against 98982c8)" or "the working tree (against HEAD)"
    became_nullable: bool = False

    @property
    def changelog_line(self) -> str:
        return f"- `{self.coordinate}`: {self.description}"

    @property
    def named_by(self) -> str:
        """The coordinate a changelog line names to cover this change: an argument's field (or directive)."""
        return self.coordinate.split("(", 1)[0]


def changelog_lines(breaks: Iterable[Break]) -> list[str]:
    """One suggested changelog line per field, type or directive, in the order first broken: a field's line also
    covers the changes of its arguments (``Named.covers``), so they are told on the same line."""
    grouped: dict[str, list[str]] = {}
    for change in breaks:
        descriptions = grouped.setdefault(change.named_by, [])
        if change.description not in descriptions:
            descriptions.append(change.description)
    return [f"- `{coordinate}`: {' '.join(descriptions)}" for coordinate, descriptions in grouped.items()]


_SPAN = re.compile(r"`([^`\n]+)`")
_COORDINATE = re.compile(rf"^(?P<owner>@?{_NAME})(?:\.(?P<member>{_NAME}|\*))?(?:\((?P<args>[^()]*)\))?(?:\s*:.*)?$")
_ARG_NAME = re.compile(rf"({_NAME})\s*:")


@dataclass
class Named:
    """The coordinates a changelog names (see the module's docstring for the rules)."""

    exact: set[str] = field(default_factory=set)
    #: Types written ``Type.*``: their fields' nullability changes are named.
    nullable_types: set[str] = field(default_factory=set)

    @classmethod
    def read(cls, text: str) -> Named:
        named = cls()
        for span in _SPAN.findall(text):
            found = _COORDINATE.match(span.strip())
            if found is None:
                continue
            owner, member, args = found["owner"], found["member"], found["args"]
            if member == "*":
                named.nullable_types.add(owner)
                continue
            base = f"{owner}.{member}" if member else owner
            if args is None:
                named.exact.add(base)
                continue
            arg_names = _ARG_NAME.findall(args)
            named.exact.update(f"{base}({name}:)" for name in arg_names)
            if not re.fullmatch(rf"\s*{_NAME}\s*:\s*", args):  # a signature, not one argument's coordinate
                named.exact.add(base)
        return named

    def covers(self, change: Break) -> bool:
        coordinate = change.coordinate
        if coordinate in self.exact:
            return True
        if "(" in coordinate and coordinate.split("(", 1)[0] in self.exact:  # the field or directive is named
            return True
        return change.became_nullable and coordinate.split(".", 1)[0] in self.nullable_types


@lru_cache(maxsize=4)
def _schema_of(sdl: str) -> GraphQLSchema:
    """``sdl`` built into a schema (validated; no source locations kept). Cached: walking the history, the new side of
    one commit is the old side of the next, and building is nearly all of a check's time."""
    return build_schema(sdl, no_location=True)


def breaking_changes(old_sdl: str, new_sdl: str, where: str) -> list[Break]:
    """The breaking changes from ``old_sdl`` to ``new_sdl``; ValueError when either is not a valid schema or a
    change cannot be named."""
    try:
        old, new = _schema_of(old_sdl), _schema_of(new_sdl)
    except (GraphQLError, TypeError) as exc:
        raise ValueError(f"{where}: {SCHEMA_FILE} is not a valid schema: {exc}") from exc
    return [
        Break(coordinate_of(change), change.description, change.type.name, where, _became_nullable(change))
        for change in find_breaking_changes(old, new)
    ]


@dataclass
class Report:
    """What the check looked at and what it found."""

    checked: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    breaks: list[Break] = field(default_factory=list)
    missing: list[Break] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems and not self.missing

    def missing_lines(self) -> list[str]:
        """The changelog lines that would name what is missing (``changelog_lines``)."""
        return changelog_lines(self.missing)


class _Git:
    def __init__(self, repo: Path) -> None:
        self.repo = repo

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["git", "-C", str(self.repo), *args], capture_output=True, text=True, check=False)

    def out(self, *args: str) -> str:
        done = self.run(*args)
        if done.returncode != 0:
            raise RuntimeError(f"git {' '.join(args)}: {done.stderr.strip()}")
        return done.stdout

    def has_commit(self, rev: str) -> bool:
        return self.run("cat-file", "-e", f"{rev}^{{commit}}").returncode == 0

    def file_at(self, rev: str, path: str) -> str | None:
        done = self.run("show", f"{rev}:{path}")
        return done.stdout if done.returncode == 0 else None

    def short(self, rev: str) -> str:
        return self.out("rev-parse", "--short", rev).strip()

    def shallow_commits(self) -> set[str]:
        """Commits whose parents this clone does not hold (the boundary of a shallow clone)."""
        path = Path(self.out("rev-parse", "--git-path", "shallow").strip())
        path = path if path.is_absolute() else self.repo / path
        return set(path.read_text().split()) if path.exists() else set()


def _pairs(git: _Git, baseline: str, report: Report) -> Iterable[tuple[str, str | None, str | None]]:
    """(where, old schema, new schema) of each change of ``schema.graphql`` to check, oldest first; notes what
    cannot be checked."""
    if not git.has_commit("HEAD"):
        report.notes.append("no commit yet: only the working tree is checked")
        return
    if git.has_commit(baseline):
        commits_range = f"{baseline}..HEAD"
    else:
        report.notes.append(
            f"the baseline {baseline[:7]} is not in this clone (a shallow clone?): every commit present is "
            "checked; fetch more history (`git fetch --unshallow`) to check from the baseline exactly"
        )
        commits_range = "HEAD"
    shallow = git.shallow_commits()
    listed = git.out("log", "--full-history", "--reverse", "--format=%H %P", commits_range, "--", SCHEMA_FILE)
    for line in listed.splitlines():
        commit, *parents = line.split()
        new = git.file_at(commit, SCHEMA_FILE)
        if not parents:
            if commit in shallow:
                report.notes.append(
                    f"{git.short(commit)} changed {SCHEMA_FILE} but its parent is not in this clone (shallow): "
                    "not checked"
                )
            else:
                report.checked.append(f"{git.short(commit)}: the first {SCHEMA_FILE}, nothing to break")
            continue
        for parent in parents:
            if not git.has_commit(parent):
                report.notes.append(f"{git.short(commit)}: its parent {parent[:7]} is not in this clone: not checked")
                continue
            yield f"{git.short(commit)} (against {git.short(parent)})", git.file_at(parent, SCHEMA_FILE), new
    head = git.file_at("HEAD", SCHEMA_FILE)
    try:
        current: str | None = (git.repo / SCHEMA_FILE).read_text()
    except FileNotFoundError:
        current = None
    if current == head:
        report.checked.append(f"the working tree: {SCHEMA_FILE} as committed in HEAD")
    else:
        yield "the working tree (against HEAD)", head, current


def check(repo: Path, *, baseline: str = BASELINE, changelog: str | None = None) -> Report:
    """Check the history of ``repo`` since ``baseline`` against its changelog (``changelog`` text, else the
    working tree's ``CHANGELOG.md``)."""
    report = Report()
    git = _Git(repo)
    if git.run("rev-parse", "--is-inside-work-tree").returncode != 0:
        report.problems.append(f"{repo} is not a git checkout: the schema history cannot be checked")
        return report
    if changelog is None:
        try:
            changelog = (repo / CHANGELOG_FILE).read_text()
        except FileNotFoundError:
            changelog = ""
            report.notes.append(f"there is no {CHANGELOG_FILE}: no breaking change is named")
    named = Named.read(changelog)
    try:
        for where, old, new in _pairs(git, baseline, report):
            if new is None:
                report.problems.append(f"{where}: {SCHEMA_FILE} was deleted")
                continue
            if old is None:
                report.checked.append(f"{where}: {SCHEMA_FILE} added, nothing to break")
                continue
            try:
                found = breaking_changes(old, new, where)
            except ValueError as exc:
                report.problems.append(str(exc))
                continue
            missing = [b for b in found if not named.covers(b)]
            report.breaks += found
            report.missing += missing
            summary = (
                f"{len(found)} breaking change(s), {len(found) - len(missing)} named" if found else "nothing broken"
            )
            report.checked.append(f"{where}: {summary}")
    except RuntimeError as exc:
        report.problems.append(str(exc))
    return report
