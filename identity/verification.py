"""Level 2: a city officer checks the identity document of a person who asked for it."""

from __future__ import annotations

import uuid

from neo4j import AsyncManagedTransaction

from auth.permissions import authorize, holds
from auth.viewer import Viewer
from core.errors import ConflictError, ForbiddenError, NotFoundError, UserInputError
from core.pagination import Page, PageRequest, keyset_kind
from core.runtime import Runtime
from core.text import checked_text
from graph import identity as queries
from graph.identity import ActorRecord, RequestRow
from identity.account import read_already
from identity.model import PersonView, VerificationRequestView
from identity.views import persons_by_ids
from partners.reads import Duty

#: Bounds of a rejection's reason and of the applicant's note for the officer (README "Input bounds").
MAX_REASON_LENGTH = 1000
MAX_NOTE_LENGTH = 500
#: Said when a rejection gives no reason (``core.text.checked_text``'s ``empty``).
REASON_MISSING = "Say why the request is rejected, so the person can fix it."


def _sees_request(viewer: Viewer, applicant_id: str) -> bool:
    """A request, and the document details it carries, are seen by its applicant and by the officers who work the
    queue; nobody else."""
    return viewer.actor_id == applicant_id or holds(viewer, "identity.verification.queue")


def _request_view(row: RequestRow, viewer: Viewer, applicant: PersonView | None) -> VerificationRequestView:
    sees_document = _sees_request(viewer, row.applicant_id)
    birth = row.applicant_date_of_birth
    # An officer sees the applicant's details because of their duty: each one handed out is in the access log.
    on_duty = sees_document and viewer.actor_id != row.applicant_id
    return VerificationRequestView(
        id=row.id,
        status=row.status,
        created_at=row.created_at.to_native(),
        decided_at=row.decided_at.to_native() if row.decided_at else None,
        reason=row.reason,
        note=row.note,
        decided_by_name=row.decided_by_name,
        applicant=applicant,
        applicant_full_name=row.applicant_full_name if sees_document else None,
        applicant_date_of_birth=birth.to_native() if sees_document and birth is not None else None,
        applicant_sex=row.applicant_sex if sees_document else None,
        document_kind=row.document_kind if sees_document else None,
        document_last4=row.document_last4 if sees_document else None,
        duty=Duty("verification", row.applicant_id) if on_duty else None,
    )


def check_note(note: str | None) -> str | None:
    """The applicant's note for the officer as stored (None when blank), at most ``MAX_NOTE_LENGTH`` characters."""
    return checked_text(note, field="note", max_length=MAX_NOTE_LENGTH)


def check_reason(reason: str | None, *, approve: bool) -> str | None:
    """A decision's reason as stored: required to reject, at most ``MAX_REASON_LENGTH`` characters."""
    return checked_text(
        reason, field="reason", max_length=MAX_REASON_LENGTH, required=not approve, empty=REASON_MISSING
    )


async def request_verification(rt: Runtime, viewer: Viewer, note: str | None = None) -> VerificationRequestView | None:
    """Ask a city officer to check my identity document (for level 2), with an optional note for the officer."""
    person_id = authorize(viewer, "identity.verification.request")
    checked_note = check_note(note)
    if viewer.assurance_level >= 2:
        raise UserInputError("Your identity is verified at level 2 already.", code="CONFLICT")
    created = await rt.graph.write(queries.create_verification_request, person_id, str(uuid.uuid4()), checked_note)
    if created is None:
        raise UserInputError(
            "You have a pending verification request already; an officer will decide it.", code="CONFLICT"
        )
    return (await verification_requests_by_ids(rt, viewer, [created]))[0]


async def my_verification_requests(rt: Runtime, viewer: Viewer) -> list[VerificationRequestView]:
    person_id = authorize(viewer, "identity.verification.read")
    found = await rt.graph.read(queries.requests_of_person, person_id)
    return [_request_view(r, viewer, None) for r in found]


def requests_read(viewer: Viewer, record: ActorRecord) -> list[VerificationRequestView] | None:
    """What ``my_verification_requests`` answers, from the viewer's own record read with their requests (None when it
    may not be taken from it)."""
    found = record.get("verificationRequests")
    if found is None or not read_already(viewer, "identity.verification.read", record):
        return None
    requests = sorted((queries.request_row(r) for r in found), key=lambda r: r.created_at, reverse=True)
    return [_request_view(r, viewer, None) for r in requests]


async def verification_requests_by_ids(
    rt: Runtime, viewer: Viewer, ids: list[str]
) -> list[VerificationRequestView | None]:
    if viewer.is_anonymous:
        return [None] * len(ids)
    found = await rt.graph.read(queries.requests_by_ids, ids)
    visible = [r for r in found if _sees_request(viewer, r.applicant_id)]
    applicant_ids = [r.applicant_id for r in visible]
    applicants = dict(zip(applicant_ids, await persons_by_ids(rt, viewer, applicant_ids), strict=False))
    views = {r.id: _request_view(r, viewer, applicants[r.applicant_id]) for r in visible}
    return [views.get(i) for i in ids]


#: Cursors of verificationRequests: (createdAt, id), scoped to the status listed (a cursor of the pending queue is
#: not one of the approved requests).
VERIFICATION_CURSOR = keyset_kind("verificationRequests")


async def verification_queue(
    rt: Runtime, viewer: Viewer, status: str, request: PageRequest
) -> Page[VerificationRequestView]:
    """Requests with ``status``, oldest first: the officers' work queue."""
    authorize(viewer, "identity.verification.queue")
    kind = VERIFICATION_CURSOR.scoped(status)
    found = await rt.graph.read(queries.verification_queue, status, request.window(kind))
    page = request.page(found, kind, lambda r: (r.created_at, r.id))
    applicants = await persons_by_ids(rt, viewer, [r.applicant_id for r in page.items])
    return Page(
        items=[_request_view(r, viewer, a) for r, a in zip(page.items, applicants, strict=True)],
        cursors=page.cursors,
        has_next_page=page.has_next_page,
        has_previous_page=page.has_previous_page,
    )


async def decide_verification(
    rt: Runtime, viewer: Viewer, request_id: str, *, approve: bool, reason: str | None
) -> VerificationRequestView | None:
    officer_id = authorize(viewer, "identity.verification.decide")
    reason = check_reason(reason, approve=approve)

    async def work(tx: AsyncManagedTransaction) -> None:
        request = await queries.lock_request(tx, request_id)
        if request is None:
            raise NotFoundError("No verification request has this id.", field="verificationRequestId")
        if request.applicant_id == officer_id:
            raise ForbiddenError("You may not decide your own verification request; another officer must decide it.")
        if request.applicant_status != "active":
            raise ConflictError(
                "The applicant closed their account; this request can no longer be decided.",
                field="verificationRequestId",
            )
        if request.status == "approved":
            raise ConflictError("This request was approved already.", field="verificationRequestId")
        if request.status != "pending":
            raise ConflictError("This request was rejected already.", field="verificationRequestId")
        await queries.decide_request(tx, request_id, officer_id, "approved" if approve else "rejected", reason)

    await rt.graph.write(work)
    return (await verification_requests_by_ids(rt, viewer, [request_id]))[0]
