"""Stuck payments: what a crash or a lost answer left pending, settled by asking the provider (``reconcile``), and
the list officers watch (``stuck_payments``).

``reconcile`` runs at start and periodically (``api.app``) and from the CLI; it settles or fails each top-up and
payout through the same guarded steps as the request (``marketplace.topups``, ``marketplace.payouts``), so a
request or another reconciliation racing it finds the work done.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from neo4j import AsyncManagedTransaction

from auth.permissions import authorize
from auth.viewer import Viewer
from core.logs import get_logger
from core.pagination import Page, PageRequest, Window, keyset_kind
from core.runtime import Runtime
from graph import ledger as queries
from marketplace.payments import ProviderReceipt, ProviderTransfer, ProviderUnreachable, provider_of, within
from marketplace.payouts import reverse, send
from marketplace.topups import fail_topup, settle_topup
from partners.reads import Duty

log = get_logger(__name__)


@dataclass(frozen=True)
class ReconcileReport:
    settled: int = 0  # top-ups credited, payouts marked paid
    failed: int = 0  # top-ups failed, payouts reversed
    pending: int = 0  # still without an answer from the provider


async def reconcile(rt: Runtime, *, older_than_seconds: float | None = None, limit: int = 500) -> ReconcileReport:
    """Ask the provider, by reference, about each top-up still pending and each payout not yet paid that is older
    than ``older_than_seconds`` (default: the setting), and settle or fail it, each exactly once (the same guarded
    steps as the request: a request or another reconciliation racing it finds the work done)."""
    age = rt.settings.payment_reconcile_after_seconds if older_than_seconds is None else older_than_seconds
    oldest = Window(after=None, before=None, backwards=False, limit=limit)
    stuck = await rt.graph.read(queries.stuck_intents, age_seconds=age, window=oldest)
    outcomes = {"settled": 0, "failed": 0, "pending": 0}
    for intent in stuck:
        try:
            outcome = await (_reconcile_topup(rt, intent) if intent.kind == "topup" else _reconcile_payout(rt, intent))
        except ProviderUnreachable:
            outcome = "pending"
        except Exception:
            log.warning(
                "reconciliation of one payment failed; it stays pending",
                kind=intent.kind,
                id=intent.id,
                exc_info=True,
            )
            outcome = "pending"
        if outcome in outcomes:
            outcomes[outcome] += 1
        log.info("reconciled", kind=intent.kind, id=intent.id, outcome=outcome)
    return ReconcileReport(**outcomes)


async def _lookup(rt: Runtime, reference: str) -> ProviderTransfer | None:
    return await within(rt.settings.payment_provider_timeout_seconds, provider_of(rt).lookup(reference), "a lookup")


async def _reconcile_topup(rt: Runtime, intent: queries.StuckIntent) -> str:
    transfer = await _lookup(rt, intent.reference)
    if transfer is None or not transfer.succeeded:
        failure = "the provider has no record of it" if transfer is None else (transfer.failure or "declined")
        return "failed" if await rt.graph.write(fail_topup, intent.id, failure) else "done"
    receipt = ProviderReceipt(transfer.reference, transfer.amount)
    _, settled = await rt.graph.write(settle_topup, intent.id, receipt)
    return "settled" if settled else "done"


async def _reconcile_payout(rt: Runtime, intent: queries.StuckIntent) -> str:
    payout: queries.Payout | queries.StuckIntent = intent
    if intent.status == "requested":
        claimed = await rt.graph.write(queries.move_payout, intent.id, "requested", "sending")
        if claimed is None:
            return "done"
        payout = claimed
    transfer = await _lookup(rt, intent.reference)
    if transfer is None:  # the provider never got it: send it now (the reference makes it one transfer)
        outcome = await send(rt, payout)
        return {"paid": "settled", "failed": "failed"}.get(outcome, "pending")
    if not transfer.succeeded:
        await rt.graph.write(reverse, intent.id, transfer.failure or "provider failed the payout")
        return "failed"
    moved = await rt.graph.write(
        queries.move_payout, intent.id, "sending", "paid", provider_reference=transfer.reference
    )
    return "settled" if moved else "done"


@dataclass(frozen=True)
class StuckPaymentView:
    id: str
    kind: str  # topup | payout
    status: str
    owner_id: str
    amount: int
    reference: str
    created_at: datetime
    #: An officer sees a person's pending top-up or payout on duty (the access log).
    duty: Duty | None = None


STUCK_PAYMENTS_CURSOR = keyset_kind("stuckPayments")


async def stuck_payments(rt: Runtime, viewer: Viewer, request: PageRequest) -> Page[StuckPaymentView]:
    """Officers: top-ups still pending and payouts not yet paid, older than the reconciliation threshold, oldest
    first, either way (what a crash left for ``reconcile``, or what the provider still has not answered)."""
    authorize(viewer, "marketplace.payment.see_stuck")
    window = request.window(STUCK_PAYMENTS_CURSOR)
    age = rt.settings.payment_reconcile_after_seconds

    async def work(tx: AsyncManagedTransaction) -> tuple[list[queries.StuckIntent], int]:
        found = await queries.stuck_intents(tx, age_seconds=age, window=window)
        return found, await queries.stuck_count(tx, age)

    found, total = await rt.graph.read(work)
    page = request.page(found, STUCK_PAYMENTS_CURSOR, lambda r: (r.created_at, r.id), total_count=total)
    return Page(
        items=[
            StuckPaymentView(
                id=r.id,
                kind=r.kind,
                status=r.status,
                owner_id=r.actor_id,
                amount=r.amount,
                reference=r.reference,
                created_at=r.created_at,
                duty=Duty("payments", r.actor_id) if r.actor_id != viewer.actor_id else None,
            )
            for r in page.items
        ],
        cursors=page.cursors,
        has_next_page=page.has_next_page,
        has_previous_page=page.has_previous_page,
        total_count=page.total_count,
    )
