"""Payouts: money taken out of a wallet to the owner's bank account, through the payment provider.

A payout is recorded first (the entry wallet -> provider, plus a ``(:Payout)`` outbox row, in one transaction under
the idempotency key) and disbursed after the commit; a disbursement the provider fails is reversed in a new
transaction. A payout whose answer was lost stays 'sending' until ``marketplace.reconciliation.reconcile``.
"""

from __future__ import annotations

import uuid
from typing import TypedDict

from neo4j import AsyncManagedTransaction

from auth.viewer import Viewer
from core.errors import Problems
from core.logs import get_logger
from core.runtime import Runtime
from graph import ledger as queries
from marketplace import idempotency
from marketplace.acting import act_as
from marketplace.ledger import PROVIDER, actor_wallet, post_entry
from marketplace.payments import PaymentProviderError, ProviderUnreachable, provider_of, within
from marketplace.wallets import MoneyResult, check_positive, money_result

log = get_logger(__name__)


class PayoutRecorded(TypedDict):
    """What a recorded payout stores under its idempotency key (as JSON), so a repeat answers the same."""

    entryId: str
    payoutId: str
    amount: int


async def payout(rt: Runtime, viewer: Viewer, organization_id: str | None, amount: int, key: str) -> MoneyResult:
    """Move ``amount`` đồng from the acting actor's wallet to the provider and record a payout to disburse (the
    intent, committed); after the commit the provider pays it ('paid'), or fails and the money comes back ('failed'
    + a reversal entry). When the provider's answer is lost the payout stays 'sending' until ``reconcile``."""
    problems = Problems()
    problems.take(lambda: check_positive(amount))
    problems.take(lambda: idempotency.check_key(key))
    problems.raise_if_any()
    request = {"amount": amount}

    async def work(tx: AsyncManagedTransaction) -> tuple[str, PayoutRecorded]:
        acting = await act_as(tx, viewer, "marketplace.wallet.withdraw", organization_id)

        async def record(tx: AsyncManagedTransaction) -> PayoutRecorded:
            entry = await post_entry(
                tx,
                debit=actor_wallet(acting),
                credit=PROVIDER,
                amount=amount,
                kind="payout",
                memo="Payout to my bank account",
            )
            created = await queries.create_payout(tx, str(uuid.uuid4()), acting, amount, entry.id)
            return PayoutRecorded(entryId=entry.id, payoutId=created.id, amount=amount)

        recorded = await idempotency.once(
            tx,
            owner=acting,
            key=key,
            operation="walletPayout",
            request=request,
            work=record,
            retention_seconds=rt.settings.idempotency_key_retention_seconds,
        )
        return acting, recorded

    actor_id, recorded = await rt.graph.write(work)
    await disburse(rt, recorded["payoutId"])
    return await rt.graph.read(lambda tx: money_result(tx, actor_id, recorded["entryId"], recorded["payoutId"]))


async def disburse(rt: Runtime, payout_id: str) -> None:
    """Send a 'requested' payout through the provider (the outbox step after commit). Claims it first
    ('requested' -> 'sending') so two requests never pay it twice; a payout left 'sending' (a crash, a lost answer)
    is settled by ``reconcile``."""
    claimed = await rt.graph.write(queries.move_payout, payout_id, "requested", "sending")
    if claimed is not None:
        await send(rt, claimed)


async def send(rt: Runtime, payout: queries.Payout | queries.StuckIntent) -> str:
    """Ask the provider to pay a 'sending' payout (the reference makes a repeat the same transfer) and settle it by
    the answer: 'paid', 'failed' (reversed), or 'sending' when no answer came."""
    try:
        receipt = await within(
            rt.settings.payment_provider_timeout_seconds,
            provider_of(rt).disburse(payout.actor_id, payout.amount, payout.reference),
            "a disbursement",
        )
    except PaymentProviderError as exc:
        log.warning("payout failed at the provider; reversing it", payout=payout.id, reason=str(exc))
        await rt.graph.write(reverse, payout.id, str(exc) or "provider refused the payout")
        return "failed"
    except ProviderUnreachable as exc:
        log.warning("payout pending: no answer from the provider", payout=payout.id, reason=str(exc))
        return "sending"
    await rt.graph.write(queries.move_payout, payout.id, "sending", "paid", provider_reference=receipt.reference)
    return "paid"


async def reverse(tx: AsyncManagedTransaction, payout_id: str, failure: str) -> None:
    """A 'sending' payout the provider failed: 'failed', and its money back into the wallet (once)."""
    failed = await queries.move_payout(tx, payout_id, "sending", "failed", failure=failure)
    if failed is not None:
        await post_entry(
            tx,
            debit=PROVIDER,
            credit=actor_wallet(failed.actor_id),
            amount=failed.amount,
            kind="reversal",
            memo="Payout failed at the provider; money returned",
        )
