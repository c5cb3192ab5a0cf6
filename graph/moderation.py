"""Cypher of moderation: reports people file about content or accounts, the actions moderators take,
and suspensions.

    (:Person)-[:FILED]->(:Report {id, reason, status, subjectKind, createdAt, outcome, resolvedAt, openKey})
    (:Report)-[:ABOUT]->(subject: Post | Comment | Person | Organization)
    (:Report)-[:FOR_COMMUNITY]->(:Community)        when the subject is a post or comment in a community
    (:ModerationAction {id, action, reason, at, until})-[:BY]->(moderator), -[:RESOLVES]->(report),
                                                      -[:ON]->(subject), -[:AGAINST]->(responsible actor)
    (:Person {suspendedUntil})

``openKey`` (reporter id + subject id) is set while a report is open and removed when it is decided;
its uniqueness constraint (migration 5) backs the rule "one open report per reporter per subject"
even against concurrent requests. Subject labels come from the fixed allow-list ``SUBJECT_LABELS``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from neo4j import AsyncManagedTransaction
from neo4j.time import DateTime

from core.pagination import Window
from graph.driver import run, window_keyset
from graph.paging import both_ways
from graph.rows import row, rows
from graph.rules import runs_community

SUBJECT_LABELS = {"post": "Post", "comment": "Comment", "person": "Person", "organization": "Organization"}

# --- the subject of a report -------------------------------------------------------------------------------------


def _blocked_viewer(responsible: str) -> str:
    """The actor bound to ``responsible`` blocked the viewer: they stay invisible to the viewer, who cannot report
    them or what they wrote. One direction only (unlike ``graph.rules.blocked_either_way``): a block by the viewer
    does not stop them reporting."""
    return f"EXISTS {{ ({responsible})-[:BLOCKED]->(:Person {{id: $viewerId}}) }} AS blockedViewer"


_SUBJECT_FACTS = {
    "post": f"""
MATCH (author:Actor)-[:POSTED]->(s:Post {{id: $id}})
RETURN s.status AS status, author.id AS authorId, null AS postId,
       head([(s)-[:IN_COMMUNITY]->(c:Community) | c.id]) AS communityId,
       {_blocked_viewer("author")}
""",
    "comment": f"""
MATCH (author:Person)-[:COMMENTED]->(s:Comment {{id: $id}})-[:ON]->(post:Post)
RETURN s.status AS status, author.id AS authorId, post.id AS postId,
       head([(post)-[:IN_COMMUNITY]->(c:Community) | c.id]) AS communityId,
       {_blocked_viewer("author")}
""",
    "person": f"""
MATCH (s:Person {{id: $id}})
RETURN s.status AS status, s.id AS authorId, null AS postId, null AS communityId,
       {_blocked_viewer("s")}
""",
    "organization": f"""
MATCH (s:Organization {{id: $id}})
RETURN s.status AS status, s.id AS authorId, null AS postId, null AS communityId,
       {_blocked_viewer("s")}
""",
}


@dataclass(frozen=True)
class SubjectFacts:
    """A report's subject: its status, the actor responsible for it (its author, or the account itself), the post
    of a comment, its community, and whether the one responsible blocked the viewer."""

    status: str | None
    author_id: str
    post_id: str | None
    community_id: str | None
    blocked_viewer: bool


async def subject_facts(
    tx: AsyncManagedTransaction, kind: str, subject_id: str, viewer_id: str | None
) -> SubjectFacts | None:
    found = await run(tx, _SUBJECT_FACTS[kind], id=subject_id, viewerId=viewer_id)
    return row(SubjectFacts, found[0]) if found else None


# --- filing a report -----------------------------------------------------------------------------------------------

LOCK_REPORTER = """
MATCH (me:Person {id: $reporterId})
SET me.reportLock = coalesce(me.reportLock, 0) + 1
WITH me
OPTIONAL MATCH (open:Report {openKey: $openKey})
RETURN open IS NOT NULL AS alreadyOpen
"""


async def lock_reporter(tx: AsyncManagedTransaction, reporter_id: str, open_key: str) -> bool:
    """Write-lock the reporter (their reports are filed one at a time); True if this report is open already."""
    already_open: bool = (await run(tx, LOCK_REPORTER, reporterId=reporter_id, openKey=open_key))[0]["alreadyOpen"]
    return already_open


def _create_report(label: str) -> str:
    return f"""
MATCH (me:Person {{id: $reporterId}}), (s:{label} {{id: $subjectId}})
CREATE (me)-[:FILED]->(r:Report {{id: $id, reason: $reason, status: 'open', subjectKind: $kind, openKey: $openKey,
                                 createdAt: datetime()}})-[:ABOUT]->(s)
WITH r
CALL (r) {{ MATCH (c:Community {{id: $communityId}}) CREATE (r)-[:FOR_COMMUNITY]->(c) }}
RETURN r.id AS id
"""


CREATE_REPORT = {kind: _create_report(label) for kind, label in SUBJECT_LABELS.items()}


async def create_report(
    tx: AsyncManagedTransaction,
    *,
    id: str,
    reporter_id: str,
    kind: str,
    subject_id: str,
    reason: str,
    open_key: str,
    community_id: str | None,
) -> None:
    await run(
        tx,
        CREATE_REPORT[kind],
        id=id,
        reporterId=reporter_id,
        subjectId=subject_id,
        reason=reason,
        kind=kind,
        openKey=open_key,
        communityId=community_id,
    )


# --- reading reports -------------------------------------------------------------------------------------------------

#: The optional viewer, bound once by an index seek before a list of reports.
VIEWER = "OPTIONAL MATCH (viewer:Person {id: $viewerId})"

#: The viewer's role in the community of report ``r`` (None: no community, or not a member there), for
#: ``auth.rules.runs_community``.
VIEWER_ROLE = """
CASE WHEN viewer IS NULL THEN null
     ELSE head([(r)-[:FOR_COMMUNITY]->(:Community)<-[m:MEMBER_OF]-(viewer) | m.role]) END AS viewerRole
"""

#: One report ``r`` as stored, with its subject, the actor responsible for it, its community, the
#: action that decided it and the viewer's role in that community.
REPORT_PROJECTION = f"""
r {{.id, .status, .reason, .subjectKind, .createdAt, .outcome, .resolvedAt}} AS report,
head([(p:Person)-[:FILED]->(r) | p.id]) AS reporterId,
head([(r)-[:ABOUT]->(s) | s {{.id, .status, .text}}]) AS subject,
head([(r)-[:ABOUT]->(:Comment)-[:ON]->(post:Post) | post.id]) AS postId,
coalesce(head([(r)-[:ABOUT]->(:Post|Comment)<-[:POSTED|COMMENTED]-(a:Actor) | a.id]),
         head([(r)-[:ABOUT]->(a:Actor) | a.id])) AS targetId,
head([(r)-[:FOR_COMMUNITY]->(c:Community) | c.id]) AS communityId,
head([(a:ModerationAction)-[:RESOLVES]->(r) | a {{.id, .action, .reason, .at, .until}}]) AS action,
{VIEWER_ROLE}"""

REPORTS_BY_IDS = f"""
{VIEWER}
UNWIND $ids AS id
MATCH (r:Report {{id: id}})
RETURN {REPORT_PROJECTION}
"""


@dataclass(frozen=True)
class Report:
    """A report as stored (``report`` in ``REPORT_PROJECTION``)."""

    id: str
    status: str
    reason: str
    subject_kind: str
    created_at: DateTime
    outcome: str | None
    resolved_at: DateTime | None


@dataclass(frozen=True)
class Subject:
    """What a report is about (a post, a comment, a person or an organisation); ``text`` only for posts and
    comments; ``status`` as stored (None for an account stored before statuses)."""

    id: str
    status: str | None
    text: str | None


@dataclass(frozen=True)
class Action:
    """A moderation action as stored; ``until`` only for a suspension."""

    id: str
    action: str
    reason: str | None
    at: DateTime
    until: DateTime | None


@dataclass(frozen=True)
class ReportRow:
    """One report with what ``REPORT_PROJECTION`` reads around it."""

    report: Report
    reporter_id: str | None
    subject: Subject | None
    post_id: str | None
    target_id: str | None
    community_id: str | None
    action: Action | None
    viewer_role: str | None


def _report_row(record: Any) -> ReportRow:
    subject, action = record["subject"], record["action"]
    return ReportRow(
        report=row(Report, record["report"]),
        reporter_id=record["reporterId"],
        subject=row(Subject, subject) if subject is not None else None,
        post_id=record["postId"],
        target_id=record["targetId"],
        community_id=record["communityId"],
        action=row(Action, action) if action is not None else None,
        viewer_role=record["viewerRole"],
    )


async def reports_by_ids(tx: AsyncManagedTransaction, ids: list[str], viewer_id: str | None) -> list[ReportRow]:
    return [_report_row(r) for r in await run(tx, REPORTS_BY_IDS, ids=ids, viewerId=viewer_id)]


#: Both bounds of a page of reports in display order (oldest first), for ``both_ways``.
_QUEUE_BOUNDS = """
    ($afterTime IS NULL OR [r.createdAt, r.id] > [datetime($afterTime), $afterId])
    AND ($beforeTime IS NULL OR [r.createdAt, r.id] < [datetime($beforeTime), $beforeId])"""

#: Officers: every report with this status, oldest first (a range of index ``report_status``, in
#: createdAt order, from the cursor on), read either way.
ALL_REPORTS = both_ways(f"""
{VIEWER}
CALL () {{
  MATCH (r:Report)
  WHERE r.status = $status AND r.createdAt >= coalesce(datetime($afterTime), datetime('1970-01-01T00:00:00Z'))
    AND {_QUEUE_BOUNDS}
  WITH r ORDER BY r.createdAt {{ASC}}, r.id {{ASC}} LIMIT $limit
  RETURN r
}}
RETURN {REPORT_PROJECTION}
ORDER BY r.createdAt {{ASC}}, r.id {{ASC}}
""")

#: Community moderators and admins: reports about posts and comments of the communities they run.
COMMUNITY_REPORTS = both_ways(f"""
MATCH (viewer:Person {{id: $viewerId}})-[:MEMBER_OF]->(c:Community)<-[:FOR_COMMUNITY]-(r:Report)
WHERE {runs_community("viewer", "c")} AND r.status = $status
  AND {_QUEUE_BOUNDS}
WITH DISTINCT viewer, r ORDER BY r.createdAt {{ASC}}, r.id {{ASC}} LIMIT $limit
RETURN {REPORT_PROJECTION}
ORDER BY r.createdAt {{ASC}}, r.id {{ASC}}
""")

_QUEUES = {"all": ALL_REPORTS, "communities": COMMUNITY_REPORTS}


async def report_queue(
    tx: AsyncManagedTransaction, scope: str, viewer_id: str, status: str, window: Window
) -> list[ReportRow]:
    """One page of the queue in reading order (``window.backwards``: newest first from ``before``)."""
    found = await run(
        tx,
        _QUEUES[scope].of(window.backwards),
        viewerId=viewer_id,
        status=status,
        limit=window.limit,
        **window_keyset(window),
    )
    return [_report_row(r) for r in found]


#: One community the person runs (any, if they run several), with their role there.
COMMUNITY_RUN_BY = f"""
MATCH (viewer:Person {{id: $viewerId}})-[m:MEMBER_OF]->(c:Community)
WHERE {runs_community("viewer", "c")}
RETURN c.id AS communityId, m.role AS role
LIMIT 1
"""


@dataclass(frozen=True)
class CommunityRun:
    community_id: str
    role: str


async def community_run_by(tx: AsyncManagedTransaction, viewer_id: str | None) -> CommunityRun | None:
    """A community the person moderates or administers; None when they run none (or nobody is signed in)."""
    found = await run(tx, COMMUNITY_RUN_BY, viewerId=viewer_id)
    return row(CommunityRun, found[0]) if found else None


REPORTS_OF_REPORTER = both_ways(f"""
MATCH (viewer:Person {{id: $viewerId}})-[:FILED]->(r:Report)
WHERE ($afterTime IS NULL OR [r.createdAt, r.id] < [datetime($afterTime), $afterId])
  AND ($beforeTime IS NULL OR [r.createdAt, r.id] > [datetime($beforeTime), $beforeId])
WITH viewer, r ORDER BY r.createdAt {{DESC}}, r.id {{DESC}} LIMIT $limit
RETURN {REPORT_PROJECTION}
ORDER BY r.createdAt {{DESC}}, r.id {{DESC}}
""")


async def reports_of_reporter(tx: AsyncManagedTransaction, viewer_id: str, window: Window) -> list[ReportRow]:
    """One page of the reports a person filed (newest first; ``window.backwards``: oldest first from ``before``)."""
    found = await run(
        tx,
        REPORTS_OF_REPORTER.of(window.backwards),
        viewerId=viewer_id,
        limit=window.limit,
        **window_keyset(window),
    )
    return [_report_row(r) for r in found]


# --- acting on a report ------------------------------------------------------------------------------------------------

LOCK_REPORT = f"""
MATCH (viewer:Person {{id: $viewerId}})
MATCH (r:Report {{id: $reportId}})-[:ABOUT]->(s)
SET r.lock = coalesce(r.lock, 0) + 1
WITH viewer, r, s,
     coalesce(head([(s:Post|Comment)<-[:POSTED|COMMENTED]-(a:Actor) | a]), CASE WHEN s:Actor THEN s END) AS target
RETURN r.status AS status, r.subjectKind AS subjectKind, s.id AS subjectId, s.status AS subjectStatus,
       target.id AS targetId, coalesce(target:Person, false) AS targetIsPerson,
       head([(r)-[:FOR_COMMUNITY]->(c:Community) | c.id]) AS communityId,
       {VIEWER_ROLE}"""


@dataclass(frozen=True)
class LockedReport:
    """What deciding a report needs: its status, its subject, the actor responsible (``target_id``, None if gone)
    and the viewer's role in the report's community."""

    status: str
    subject_kind: str
    subject_id: str
    subject_status: str | None
    target_id: str | None
    target_is_person: bool
    community_id: str | None
    viewer_role: str | None


async def lock_report(tx: AsyncManagedTransaction, report_id: str, viewer_id: str) -> LockedReport | None:
    """Write-lock the report (two moderators cannot decide it twice) and read what deciding it needs."""
    found = await run(tx, LOCK_REPORT, reportId=report_id, viewerId=viewer_id)
    return row(LockedReport, found[0]) if found else None


RECORD_ACTION = """
MATCH (r:Report {id: $reportId})-[:ABOUT]->(s), (by:Person {id: $moderatorId})
WITH r, s, by, datetime() AS now
CREATE (a:ModerationAction {id: $id, action: $action, reason: $reason, at: now,
                            until: CASE WHEN $days IS NULL THEN null ELSE now + duration({days: $days}) END})
CREATE (a)-[:BY]->(by), (a)-[:RESOLVES]->(r), (a)-[:ON]->(s)
SET r.status = $status, r.outcome = $action, r.resolvedAt = now
REMOVE r.openKey
WITH a
CALL (a) { MATCH (t:Actor {id: $targetId}) CREATE (a)-[:AGAINST]->(t) }
RETURN a.until AS until
"""


async def record_action(
    tx: AsyncManagedTransaction,
    *,
    id: str,
    report_id: str,
    moderator_id: str,
    action: str,
    reason: str,
    status: str,
    days: int | None,
    target_id: str | None,
) -> None:
    await run(
        tx,
        RECORD_ACTION,
        id=id,
        reportId=report_id,
        moderatorId=moderator_id,
        action=action,
        reason=reason,
        status=status,
        days=days,
        targetId=target_id,
    )


_REMOVE_CONTENT = {
    "post": """
MATCH (s:Post {id: $subjectId})
SET s.status = 'removed', s.removedAt = datetime(), s.removedReason = $reason, s.removedBy = $moderatorId
""",
    "comment": """
MATCH (s:Comment {id: $subjectId})
SET s.status = 'removed', s.removedAt = datetime(), s.removedReason = $reason, s.removedBy = $moderatorId
""",
}


async def remove_content(
    tx: AsyncManagedTransaction, kind: str, subject_id: str, moderator_id: str, reason: str
) -> None:
    await run(tx, _REMOVE_CONTENT[kind], subjectId=subject_id, moderatorId=moderator_id, reason=reason)


RECORD_DIRECT_REMOVAL = """
MATCH (s {id: $subjectId}) WHERE s:Post OR s:Comment
MATCH (by:Person {id: $moderatorId})
OPTIONAL MATCH (author:Actor)-[:POSTED|COMMENTED]->(s)
CREATE (a:ModerationAction {id: $id, action: 'remove_content', reason: $reason, at: datetime()})
CREATE (a)-[:BY]->(by), (a)-[:ON]->(s)
FOREACH (_ IN CASE WHEN author IS NULL THEN [] ELSE [1] END | CREATE (a)-[:AGAINST]->(author))
RETURN s.id AS subjectId, author.id AS targetId, coalesce(author:Person, false) AS targetIsPerson
"""


@dataclass(frozen=True)
class Removal:
    """The content removed and the actor responsible for it (None when its author is gone)."""

    subject_id: str
    target_id: str | None
    target_is_person: bool


async def record_direct_removal(
    tx: AsyncManagedTransaction, *, id: str, subject_id: str, moderator_id: str, reason: str
) -> Removal:
    """A removal a moderator made without a report (postDelete / commentDelete): logged all the same. Returns
    the subject's id and the actor responsible, as ``lock_report`` does."""
    found = await run(tx, RECORD_DIRECT_REMOVAL, id=id, subjectId=subject_id, moderatorId=moderator_id, reason=reason)
    return row(Removal, found[0])


RESOLVE_OTHER_REPORTS = """
MATCH (a:ModerationAction {id: $actionId})-[:ON]->(s)<-[:ABOUT]-(other:Report {status: 'open'})
SET other.status = 'resolved', other.outcome = a.action, other.resolvedAt = a.at
REMOVE other.openKey
CREATE (a)-[:RESOLVES]->(other)
RETURN count(other) AS n
"""


async def resolve_other_reports(tx: AsyncManagedTransaction, action_id: str) -> int:
    """The content is gone: every other open report about it is resolved by the same action."""
    resolved: int = (await run(tx, RESOLVE_OTHER_REPORTS, actionId=action_id))[0]["n"]
    return resolved


REPORTERS_OF_ACTION = """
MATCH (:ModerationAction {id: $actionId})-[:RESOLVES]->(r:Report)<-[:FILED]-(p:Person {status: 'active'})
RETURN r.id AS reportId, p.id AS reporterId
"""


@dataclass(frozen=True)
class Reporter:
    report_id: str
    reporter_id: str


async def reporters_of_action(tx: AsyncManagedTransaction, action_id: str) -> list[Reporter]:
    """The reporter of every report an action decided (active accounts only)."""
    return rows(Reporter, await run(tx, REPORTERS_OF_ACTION, actionId=action_id))


SUSPEND = """
MATCH (p:Person {id: $personId}), (a:ModerationAction {id: $actionId})
SET p.suspendedUntil = CASE WHEN p.suspendedUntil > a.until THEN p.suspendedUntil ELSE a.until END
RETURN p.suspendedUntil AS until
"""


async def suspend(tx: AsyncManagedTransaction, person_id: str, action_id: str) -> None:
    """Suspend until the action's ``until``; a longer suspension already running is kept."""
    await run(tx, SUSPEND, personId=person_id, actionId=action_id)


SUSPENDED_UNTIL = """
MATCH (p:Person {id: $personId})
RETURN CASE WHEN p.suspendedUntil > datetime() THEN p.suspendedUntil END AS until
"""


async def suspended_until(tx: AsyncManagedTransaction, person_id: str) -> DateTime | None:
    """The end of the person's suspension if it is still running, else None."""
    found = await run(tx, SUSPENDED_UNTIL, personId=person_id)
    until: DateTime | None = found[0]["until"] if found else None
    return until
