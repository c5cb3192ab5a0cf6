"""Use cases of disputes: the buyer of a paid (or fulfilled) order opens one before completion, which freezes the
order ('disputed': no fulfilment, completion or refund); a city officer resolves it with a reason, either REFUND
(escrow -> buyer, order refunded, stock back if never fulfilled) or RELEASE (escrow -> seller, order completed),
in one write transaction with the money, idempotent by key."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from neo4j import AsyncManagedTransaction

from auth.permissions import authorize, holds
from auth.viewer import Viewer
from core.errors import ConflictError, NotFoundError, Problems, UserInputError
from core.pagination import Page, PageRequest, keyset_kind
from core.runtime import Runtime
from core.text import checked_text
from graph import orders as queries
from graph.driver import native
from graph.orders import DisputeRow, LockedOrder
from marketplace.idempotency import check_key, once
from marketplace.orders import MAX_REASON_LENGTH, move
from partners.reads import Duty

OUTCOMES = ("refund", "release")
STATUSES = ("open", "resolved")
NOT_FOUND = "No dispute has this id, or it is not yours to see."


@dataclass(frozen=True)
class DisputeView:
    id: str
    order_id: str
    status: str
    reason: str
    opened_at: datetime
    outcome: str | None
    resolution: str | None
    resolved_at: datetime | None
    buyer_id: str
    seller_id: str
    officer_id: str | None
    #: An officer (not a party) reads the dispute on duty: logged for the buyer and the seller.
    duty: tuple[Duty, ...] = ()


def dispute_view(row: DisputeRow, viewer: Viewer) -> DisputeView:
    on_duty = holds(viewer, "marketplace.dispute.list") and viewer.actor_id not in (row.buyer_id, row.seller_id)
    return DisputeView(
        id=row.id,
        order_id=row.order_id,
        status=row.status,
        reason=row.reason,
        opened_at=native(row.opened_at),
        outcome=row.outcome,
        resolution=row.resolution,
        resolved_at=native(row.resolved_at),
        buyer_id=row.buyer_id,
        seller_id=row.seller_id,
        officer_id=row.officer_id,
        duty=(Duty("marketplace", row.buyer_id), Duty("marketplace", row.seller_id)) if on_duty else (),
    )


def _reason(value: str | None) -> str:
    return (
        checked_text(
            value,
            field="reason",
            max_length=MAX_REASON_LENGTH,
            required=True,
            empty="Say why: the reason is recorded with the dispute.",
        )
        or ""
    )


async def open_dispute(
    rt: Runtime, viewer: Viewer, order_id: str, reason: str, *, problems: Problems | None = None
) -> DisputeView:
    """The buyer disputes a paid or fulfilled order; the order becomes 'disputed'."""
    person = authorize(viewer, "marketplace.dispute.open")
    problems = Problems() if problems is None else problems
    cleaned = problems.take(lambda: _reason(reason)) or ""
    problems.raise_if_any()
    dispute_id = str(uuid.uuid4())

    async def record(tx: AsyncManagedTransaction, order: LockedOrder, actor_id: str) -> None:
        await queries.create_dispute(
            tx, id=dispute_id, order_id=order_id, buyer_id=actor_id, person_id=person, reason=cleaned
        )

    async def work(tx: AsyncManagedTransaction) -> None:
        await move(tx, rt, viewer, order_id, "dispute", cleaned, key_given=False, after=record)

    await rt.graph.write(work)
    return await _fresh(rt, viewer, dispute_id)


async def resolve_dispute(
    rt: Runtime,
    viewer: Viewer,
    dispute_id: str,
    outcome: str,
    reason: str,
    key: str,
    *,
    problems: Problems | None = None,
) -> DisputeView:
    """An officer decides an open dispute: REFUND the buyer or RELEASE the money to the seller."""
    officer = authorize(viewer, "marketplace.dispute.resolve")
    problems = Problems() if problems is None else problems
    if outcome not in OUTCOMES:
        problems.add(UserInputError("The outcome is REFUND or RELEASE.", field="outcome"))
    cleaned = problems.take(lambda: _reason(reason)) or ""
    problems.take(lambda: check_key(key))
    problems.raise_if_any()

    async def work(tx: AsyncManagedTransaction) -> dict[str, Any]:
        async def effect(tx: AsyncManagedTransaction) -> dict[str, Any]:
            order_id = await queries.dispute_order(tx, dispute_id)
            if order_id is None:
                raise NotFoundError(NOT_FOUND, field="disputeId")
            # Lock order first (as every order change does), then the dispute.
            facts = await queries.lock_order(tx, order_id)
            if facts is None:
                raise NotFoundError(NOT_FOUND, field="disputeId")
            if await queries.lock_dispute(tx, dispute_id) != "open":
                raise ConflictError("This dispute is resolved already.")
            await move(tx, rt, viewer, order_id, f"resolve_{outcome}", cleaned, key_given=True, field="disputeId")
            await queries.resolve_dispute(tx, dispute_id, officer, outcome, cleaned)
            return {"disputeId": dispute_id, "outcome": outcome}

        return await once(
            tx,
            owner=officer,
            key=key,
            operation="dispute.resolve",
            request={"disputeId": dispute_id, "outcome": outcome, "reason": cleaned},
            work=effect,
            retention_seconds=rt.settings.idempotency_key_retention_seconds,
        )

    await rt.graph.write(work)
    return await _fresh(rt, viewer, dispute_id)


async def _fresh(rt: Runtime, viewer: Viewer, dispute_id: str) -> DisputeView:
    (view,) = await disputes_by_ids(rt, viewer, [dispute_id])
    if view is None:  # cannot happen: the buyer and officers see the dispute
        raise NotFoundError(NOT_FOUND, field="disputeId")
    return view


async def disputes_by_ids(rt: Runtime, viewer: Viewer, ids: list[str]) -> list[DisputeView | None]:
    """Disputes the viewer may see: the order's buyer and seller (and their representatives), officers."""
    if not ids:
        return []
    rows = await rt.graph.read(queries.disputes_by_ids, ids, viewer.actor_id, holds(viewer, "marketplace.dispute.list"))
    found = {v.id: v for v in (dispute_view(r, viewer) for r in rows)}
    return [found.get(i) for i in ids]


async def disputes_of_orders(rt: Runtime, viewer: Viewer, order_ids: list[str]) -> list[DisputeView | None]:
    """Disputes of orders already shown to the viewer (a DataLoader batch)."""
    rows = await rt.graph.read(queries.disputes_of_orders, order_ids)
    found = {v.order_id: v for v in (dispute_view(r, viewer) for r in rows)}
    return [found.get(i) for i in order_ids]


#: Cursors of disputes: (openedAt, id), scoped to the status filter (``for_filters``): a cursor taken under another
#: status is refused.
DISPUTES_CURSOR = keyset_kind("disputes")


async def dispute_queue(rt: Runtime, viewer: Viewer, status: str | None, request: PageRequest) -> Page[DisputeView]:
    """Officers: disputes, oldest first (either way)."""
    authorize(viewer, "marketplace.dispute.list")
    if status is not None and status not in STATUSES:
        raise UserInputError("A dispute is OPEN or RESOLVED.", field="status")
    kind = DISPUTES_CURSOR.for_filters(status=status)
    rows, total = await rt.graph.read(queries.dispute_queue, status, request.window(kind))
    page = request.page(rows, kind, lambda r: (r.opened_at, r.id), total_count=total)
    return Page(
        items=[dispute_view(r, viewer) for r in page.items],
        cursors=page.cursors,
        has_next_page=page.has_next_page,
        has_previous_page=page.has_previous_page,
        total_count=page.total_count,
    )
