"""Top-ups: money brought into a wallet from outside, through the payment provider.

The provider is called outside every transaction, after the intent is committed: a top-up records a pending
``(:TopUp)`` under its idempotency key, collects, then settles (the entry provider -> wallet). A lost answer leaves
it pending: a retry with the key, or ``marketplace.reconciliation.reconcile``, settles it once.
"""

from __future__ import annotations

import json
import uuid
from typing import TypedDict, cast

from neo4j import AsyncManagedTransaction

from auth.viewer import Viewer
from core.errors import PaymentDeclinedError, Problems, UnavailableError, UserInputError
from core.logs import get_logger
from core.runtime import Runtime
from core.settings import Settings
from graph import ledger as queries
from marketplace import idempotency
from marketplace.acting import act_as
from marketplace.ledger import PROVIDER, actor_wallet, post_entry
from marketplace.payments import PaymentProviderError, ProviderReceipt, ProviderUnreachable, provider_of, within
from marketplace.wallets import MoneyResult, check_positive, money_result

log = get_logger(__name__)

TOPUP = "walletTopUp"


class TopUpDone(TypedDict):
    """What a settled top-up stores under its idempotency key (as JSON), so a repeat answers the same."""

    entryId: str
    amount: int


async def top_up(rt: Runtime, viewer: Viewer, organization_id: str | None, amount: int, key: str) -> MoneyResult:
    """Collect ``amount`` đồng through the provider, then credit the acting actor's wallet (provider -> wallet), in
    three steps: record the intent (a pending TopUp under the key, committed), call the provider outside any
    transaction with the top-up's reference (the provider's idempotency key), settle (entry + key result). A crash
    or a lost answer between the last two leaves the top-up pending: a retry with the key, or ``reconcile``, settles
    it once. A repeated key returns the first result without calling the provider again."""
    settings = rt.settings
    problems = Problems()
    if problems.take(lambda: check_positive(amount)) is not None and not (
        settings.topup_min_dong <= amount <= settings.topup_max_dong
    ):
        problems.add(
            UserInputError(
                "A top-up is between {low:,} and {high:,} đồng.",
                field="amountDong",
                params={"low": settings.topup_min_dong, "high": settings.topup_max_dong},
            )
        )
    problems.take(lambda: idempotency.check_key(key))
    problems.raise_if_any()
    request = {"amount": amount}
    retention = settings.idempotency_key_retention_seconds

    async def begin(tx: AsyncManagedTransaction) -> tuple[str, MoneyResult | queries.TopUp]:
        """(acting actor, the first result of a repeated key or the pending top-up to collect)."""
        acting = await act_as(tx, viewer, "marketplace.wallet.top_up", organization_id)
        scope, claimed = await idempotency.claim(tx, owner=acting, key=key, retention_seconds=retention)
        if claimed.created:
            intent = await queries.create_topup(
                tx,
                topup_id=str(uuid.uuid4()),
                scope=scope,
                actor_id=acting,
                amount=amount,
                operation=TOPUP,
                fingerprint=idempotency.fingerprint(TOPUP, request),
            )
            return acting, intent
        idempotency.check_same_request(claimed, TOPUP, request)
        if claimed.result is not None:
            done = cast(TopUpDone, json.loads(claimed.result))
            return acting, await money_result(tx, acting, done["entryId"])
        pending = await queries.topup(tx, claimed.intent_id) if claimed.intent_id else None
        if pending is None:
            raise LookupError(f"the key {scope} of a top-up in progress names no top-up")
        return acting, pending

    actor_id, begun = await rt.graph.write(begin)
    if isinstance(begun, MoneyResult):
        return begun
    intent = begun
    try:
        receipt = await within(
            settings.payment_provider_timeout_seconds,
            provider_of(rt).collect(actor_id, amount, intent.reference),
            "a collection",
        )
    except PaymentProviderError as exc:
        await rt.graph.write(fail_topup, intent.id, str(exc) or "declined")
        raise PaymentDeclinedError(
            "The payment provider declined the top-up ({reason}); nothing was recorded.",
            params={"reason": str(exc) or "declined"},
        ) from exc
    except ProviderUnreachable as exc:
        log.warning("top-up pending: no answer from the provider", topup=intent.id, reason=str(exc))
        if await rt.graph.write(_reopen_topup, intent.id):
            log.warning("top-up failed meanwhile, but this call may have collected it: pending again", topup=intent.id)
        raise _pending(settings) from exc

    async def settle(tx: AsyncManagedTransaction) -> MoneyResult:
        done, _ = await settle_topup(tx, intent.id, receipt)
        return await money_result(tx, actor_id, done["entryId"])

    return await rt.graph.write(settle)


def _pending(settings: Settings) -> UnavailableError:
    retry = max(1.0, min(60.0, settings.payment_reconcile_after_seconds))
    return UnavailableError(
        "The payment provider did not answer; the top-up is recorded as pending and will be settled. Retry with the "
        "same idempotency key to see the outcome.",
        retry_after_seconds=retry,
    )


async def _locked(tx: AsyncManagedTransaction, topup_id: str) -> queries.TopUp:
    intent = await queries.lock_topup(tx, topup_id)
    if intent is None:
        raise LookupError(f"no top-up {topup_id}")
    return intent


async def settle_topup(tx: AsyncManagedTransaction, topup_id: str, receipt: ProviderReceipt) -> tuple[TopUpDone, bool]:
    """Settle a top-up once (under its lock) with the provider's receipt: the entry provider -> wallet and the key's
    result. Returns (result, True when this call settled it); a top-up already settled gives its result and False.
    A receipt means the provider collected the money, so a top-up marked failed is credited too: reconciliation
    fails a top-up the provider had no record of, and a retry racing it may have collected it meanwhile. That late
    settlement (also of a top-up reopened by ``_reopen_topup``) is logged and recorded on the top-up
    (``settledAfterFailure``, its ``failure`` kept) for officers."""
    intent = await _locked(tx, topup_id)
    if intent.status == "settled":
        if intent.entry_id is None:
            raise LookupError(f"the settled top-up {topup_id} has no entry")
        return TopUpDone(entryId=intent.entry_id, amount=intent.amount), False
    late = intent.status == "failed" or intent.reopened_at is not None
    memo = f"Top-up, provider reference {receipt.reference}"
    if late:
        log.warning(
            "top-up collected after it was marked failed; crediting it",
            topup=topup_id,
            failure=intent.failure,
            provider_reference=receipt.reference,
        )
        memo += " (collected after it was marked failed)"
    entry = await post_entry(
        tx, debit=PROVIDER, credit=actor_wallet(intent.actor_id), amount=intent.amount, kind="topup", memo=memo
    )
    done = TopUpDone(entryId=entry.id, amount=intent.amount)
    await queries.settle_topup(
        tx,
        topup_id,
        entry.id,
        receipt.reference,
        json.dumps(done, sort_keys=True, ensure_ascii=False),
        after_failure=late,
    )
    return done, True


async def fail_topup(tx: AsyncManagedTransaction, topup_id: str, failure: str) -> bool:
    """Fail a pending top-up once (its key is freed for a new attempt); False when it was not pending."""
    intent = await queries.lock_topup(tx, topup_id)
    if intent is None or intent.status != "pending":
        return False
    await queries.fail_topup(tx, topup_id, failure)
    return True


async def _reopen_topup(tx: AsyncManagedTransaction, topup_id: str) -> bool:
    """A top-up failed while a call that may have collected it was unanswered (reconciliation found no record of it
    at the provider before the call got there): pending again, so reconciliation asks the provider once more and
    credits what it collected. True when it was reopened."""
    intent = await queries.lock_topup(tx, topup_id)
    if intent is None or intent.status != "failed":
        return False
    await queries.reopen_topup(tx, topup_id)
    return True
