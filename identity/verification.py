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
from graph.identity import RequestRow
from identity.model import PersonView, VerificationRequestView
from identity.views import persons_by_ids

#: Bound of a rejection's reason (README "Input bounds").
MAX_REASON_LENGTH = 1000


def _sees_request(viewer: Viewer, applicant_id: str) -> bool:
    """A request, and the document details it carries, are seen by its applicant and by the officers who work the
    queue; nobody else."""
    return viewer.actor_id == applicant_id or holds(viewer, "identity.verification.queue")


def _request_view(row: RequestRow, viewer: Viewer, applicant: PersonView | None) -> VerificationRequestView:
    sees_document = _sees_request(viewer, row.applicant_id)
    birth = row.applicant_date_of_birth
    return VerificationRequestView(
        id=row.id,
        status=row.status,
        created_at=row.created_at.to_native(),
        decided_at=row.decided_at.to_native() if row.decided_at else None,
        reason=row.reason,
        decided_by_name=row.decided_by_name,
        applicant=applicant,
        applicant_full_name=row.applicant_full_name if sees_document else None,
        applicant_date_of_birth=birth.to_native() if sees_document and birth is not None else None,
        applicant_sex=row.applicant_sex if sees_document else None,
        document_kind=row.document_kind if sees_document else None,
        document_last4=row.document_last4 if sees_document else None,
    )


async def request_verification(rt: Runtime, viewer: Viewer) -> VerificationRequestView | None:
    """Ask a city officer to check my identity document (for level 2)."""
    person_id = authorize(viewer, "identity.verification.request")
    if viewer.assurance_level >= 2:
        raise UserInputError("Your identity is verified at level 2 already.", code="CONFLICT")
    created = await rt.graph.write(queries.create_verification_request, person_id, str(uuid.uuid4()))
    if created is None:
        raise UserInputError(
            "You have a pending verification request already; an officer will decide it.", code="CONFLICT"
        )
    return (await verification_requests_by_ids(rt, viewer, [created]))[0]


async def my_verification_requests(rt: Runtime, viewer: Viewer) -> list[VerificationRequestView]:
    person_id = authorize(viewer, "identity.verification.read")
    found = await rt.graph.read(queries.requests_of_person, person_id)
    return [_request_view(r, viewer, None) for r in found]


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


#: Cursors of verificationRequests: (createdAt, id).
VERIFICATION_CURSOR = keyset_kind("verificationRequests")


async def verification_queue(
    rt: Runtime, viewer: Viewer, status: str, request: PageRequest
) -> Page[VerificationRequestView]:
    """Requests with ``status``, oldest first: the officers' work queue."""
    authorize(viewer, "identity.verification.queue")
    after = request.keyset(VERIFICATION_CURSOR)
    found = await rt.graph.read(queries.verification_queue, status, after, request.size + 1)
    page_rows = found[: request.size]
    applicants = await persons_by_ids(rt, viewer, [r.applicant_id for r in page_rows])
    items = [_request_view(r, viewer, a) for r, a in zip(page_rows, applicants, strict=False)]
    return Page(
        items=items,
        cursors=[VERIFICATION_CURSOR.encode(r.created_at, r.id) for r in page_rows],
        has_next_page=len(found) > request.size,
        has_previous_page=after is not None,
    )


async def decide_verification(
    rt: Runtime, viewer: Viewer, request_id: str, *, approve: bool, reason: str | None
) -> VerificationRequestView | None:
    officer_id = authorize(viewer, "identity.verification.decide")
    reason = checked_text(
        reason,
        field="reason",
        max_length=MAX_REASON_LENGTH,
        required=not approve,
        empty="Say why the request is rejected, so the person can fix it.",
    )

    async def work(tx: AsyncManagedTransaction) -> None:
        request = await queries.lock_request(tx, request_id)
        if request is None:
            raise NotFoundError("No verification request has this id.")
        if request.applicant_id == officer_id:
            raise ForbiddenError("You may not decide your own verification request; another officer must decide it.")
        if request.applicant_status != "active":
            raise ConflictError(
                "The applicant closed their account; this request can no longer be decided.", field="id"
            )
        if request.status != "pending":
            raise ConflictError(f"This request was {request.status} already.", field="id")
        await queries.decide_request(tx, request_id, officer_id, "approved" if approve else "rejected", reason)

    await rt.graph.write(work)
    return (await verification_requests_by_ids(rt, viewer, [request_id]))[0]
