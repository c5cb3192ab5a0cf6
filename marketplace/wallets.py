"""Wallet use cases: my wallet, top-ups, payouts, statements and the ledger totals officers check.

Money moves only through ``marketplace.ledger.post_entry`` inside one write transaction per mutation, wrapped in
``marketplace.idempotency`` so a repeated request has its effect once. The payment provider is called outside every
transaction, after the intent is committed: a top-up records a pending ``(:TopUp)``, collects, then settles; a payout
records first (wallet -> provider, plus a ``(:Payout)`` outbox row) and disburses after the commit; a failed
disbursement is reversed in a new transaction. ``reconcile`` settles or fails what a crash left pending.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime

from neo4j import AsyncManagedTransaction

from auth.permissions import require_role
from auth.viewer import Viewer
from core.errors import AppError, PaymentDeclinedError, UnavailableError, UserInputError
from core.logs import get_logger
from core.pagination import INT, CursorKind, Page, PageRequest, keyset_kind
from core.runtime import Runtime
from graph import ledger as queries
from graph.driver import native
from identity import service as identity
from marketplace import idempotency
from marketplace.ledger import ESCROW, PROVIDER, actor_wallet, platform_wallet, post_entry
from marketplace.payments import PaymentProviderError, ProviderReceipt, ProviderUnreachable, within

log = get_logger(__name__)

READ_LEVEL = 0  # any signed-in person reads their own wallet (organisations: owners and admins)
MOVE_LEVEL = 2  # moving money needs a verified identity
COUNTERPARTIES = {ESCROW: "Escrow", PROVIDER: "Payment provider"}


@dataclass(frozen=True)
class WalletView:
    owner_id: str
    balance: int
    updated_at: datetime | None


@dataclass(frozen=True)
class EntryView:
    """One ledger entry seen from one wallet: ``amount`` is + when money came in, - when it went out."""

    id: str
    owner_id: str
    kind: str
    amount: int
    balance_after: int
    at: datetime
    memo: str | None
    counterparty: str
    order_id: str | None


@dataclass(frozen=True)
class MoneyResult:
    wallet: WalletView
    entry: EntryView | None
    payout_status: str | None = None


@dataclass(frozen=True)
class LedgerTotals:
    wallets: int
    escrow: int
    provider: int
    entry_count: int
    balanced: bool


def _wallet_view(owner_id: str, record: dict | None) -> WalletView:
    if record is None:
        return WalletView(owner_id, 0, None)
    return WalletView(owner_id, record["balance"], native(record.get("updatedAt")))


def _counterparty(other_wallet: str) -> str:
    return COUNTERPARTIES.get(platform_wallet(other_wallet) or other_wallet, "Another wallet")


def _entry_view(entry: dict, owner_id: str) -> EntryView:
    """``entry`` (a stored LedgerEntry) as seen from ``owner_id``'s wallet."""
    mine = actor_wallet(owner_id)
    credit = entry["creditWallet"] == mine
    return EntryView(
        id=entry["id"],
        owner_id=owner_id,
        kind=entry["kind"],
        amount=entry["amount"] if credit else -entry["amount"],
        balance_after=entry["creditBalanceAfter"] if credit else entry["debitBalanceAfter"],
        at=native(entry["at"]),
        memo=entry.get("memo"),
        counterparty=_counterparty(entry["debitWallet"] if credit else entry["creditWallet"]),
        order_id=entry.get("orderId"),
    )


async def _result(tx: AsyncManagedTransaction, actor_id: str, stored: dict) -> MoneyResult:
    rows = await queries.entries_by_ids(tx, [stored["entryId"]])
    entry = _entry_view(rows[0]["entry"], actor_id) if rows else None
    wallet = _wallet_view(actor_id, await queries.wallet(tx, actor_wallet(actor_id)))
    status = None
    if stored.get("payoutId"):
        payout = await queries.payout(tx, stored["payoutId"])
        status = payout["status"] if payout else None
    return MoneyResult(wallet, entry, status)


# --- reads ---------------------------------------------------------------------------------------------------------


async def my_wallet(rt: Runtime, viewer: Viewer, organization_id: str | None) -> WalletView:
    actor_id = await identity.acting_actor(rt, viewer, organization_id, level=READ_LEVEL, action="see a wallet")
    return _wallet_view(actor_id, await rt.graph.read(queries.wallet, actor_wallet(actor_id)))


async def _visible_owners(rt: Runtime, viewer: Viewer, owner_ids: set[str]) -> set[str]:
    """The wallet owners among ``owner_ids`` whose wallets the viewer may see: themselves, and the organisations
    they own or administer."""
    if viewer.kind != "person" or viewer.actor_id is None:
        return set()
    visible = {viewer.actor_id} & owner_ids
    for owner in owner_ids - visible:
        try:
            await identity.acting_actor(rt, viewer, owner, level=READ_LEVEL, action="see a wallet")
        except AppError:
            continue
        visible.add(owner)
    return visible


async def wallets_by_owner_ids(rt: Runtime, viewer: Viewer, owner_ids: list[str]) -> list[WalletView | None]:
    visible = await _visible_owners(rt, viewer, set(owner_ids))

    async def work(tx):
        return {o: await queries.wallet(tx, actor_wallet(o)) for o in visible}

    records = await rt.graph.read(work) if visible else {}
    return [_wallet_view(o, records[o]) if o in visible else None for o in owner_ids]


async def entries_by_ids(rt: Runtime, viewer: Viewer, ids: list[str]) -> list[EntryView | None]:
    """Entries for ``node(id:)``: each seen from the viewer's side; None for entries of wallets not theirs."""
    if viewer.kind != "person":
        return [None] * len(ids)
    rows = await rt.graph.read(queries.entries_by_ids, ids)
    owners = {o for r in rows for o in (r["debitOwner"], r["creditOwner"]) if o}
    visible = await _visible_owners(rt, viewer, owners)
    found: dict[str, EntryView] = {}
    for row in rows:
        owner = next((o for o in (row["creditOwner"], row["debitOwner"]) if o in visible), None)
        if owner:
            found[row["entry"]["id"]] = _entry_view(row["entry"], owner)
    return [found.get(i) for i in ids]


#: Cursors of walletStatement: the entry's sequence number in the wallet.
STATEMENT_CURSOR = CursorKind("walletStatement", (INT,))


def _after_seq(request: PageRequest) -> int | None:
    key = request.after_key(STATEMENT_CURSOR)
    return key[0] if key else None


async def statement(rt: Runtime, viewer: Viewer, organization_id: str | None, request: PageRequest) -> Page[EntryView]:
    """The acting actor's ledger entries, newest first, each with the wallet's balance right after it."""
    actor_id = await identity.acting_actor(rt, viewer, organization_id, level=READ_LEVEL, action="see a statement")
    after = _after_seq(request)
    wallet_id = actor_wallet(actor_id)

    async def work(tx):
        rows = await queries.statement(tx, wallet_id, after, request.size + 1)
        total = (await queries.wallet(tx, wallet_id) or {}).get("seq", 0)
        return rows, total

    rows, total = await rt.graph.read(work)
    shown = rows[: request.size]
    return Page(
        items=[_entry_view(r["entry"], actor_id) for r in shown],
        cursors=[STATEMENT_CURSOR.encode(r["seq"]) for r in shown],
        has_next_page=len(rows) > request.size,
        has_previous_page=after is not None,
        total_count=total,
    )


async def ledger_totals(rt: Runtime, viewer: Viewer) -> LedgerTotals:
    require_role(viewer, "officer", "see the ledger totals")
    row = await rt.graph.read(queries.ledger_totals)
    balanced = row["wallets"] + row["escrow"] + row["provider"] == 0 and row["malformed"] == 0 and row["negative"] == 0
    return LedgerTotals(row["wallets"], row["escrow"], row["provider"], row["entries"], balanced)


# --- top-ups -------------------------------------------------------------------------------------------------------


def _check_positive(amount: int) -> int:
    if amount <= 0:
        raise UserInputError("The amount must be a positive number of đồng.", field="amountDong")
    return amount


TOPUP = "walletTopUp"


async def top_up(rt: Runtime, viewer: Viewer, organization_id: str | None, amount: int, key: str) -> MoneyResult:
    """Collect ``amount`` đồng through the provider, then credit the acting actor's wallet (provider -> wallet), in
    three steps: record the intent (a pending TopUp under the key, committed), call the provider outside any
    transaction with the top-up's reference (the provider's idempotency key), settle (entry + key result). A crash
    or a lost answer between the last two leaves the top-up pending: a retry with the key, or ``reconcile``, settles
    it once. A repeated key returns the first result without calling the provider again."""
    settings = rt.settings
    _check_positive(amount)
    if not settings.topup_min_dong <= amount <= settings.topup_max_dong:
        raise UserInputError(
            f"A top-up is between {settings.topup_min_dong:,} and {settings.topup_max_dong:,} đồng.", field="amountDong"
        )
    idempotency.check_key(key)
    request = {"amount": amount}
    retention = settings.idempotency_key_retention_seconds

    async def begin(tx):
        acting = await identity.act_for(tx, viewer, organization_id, level=MOVE_LEVEL, action="top up a wallet")
        scope, row = await idempotency.claim(tx, owner=acting, key=key, retention_seconds=retention)
        if row["created"]:
            intent = await queries.create_topup(
                tx,
                topup_id=str(uuid.uuid4()),
                scope=scope,
                actor_id=acting,
                amount=amount,
                operation=TOPUP,
                fingerprint=idempotency.fingerprint(TOPUP, request),
            )
            return acting, None, intent
        idempotency.check_same_request(row, TOPUP, request)
        if row["result"] is not None:
            return acting, await _result(tx, acting, json.loads(row["result"])), None
        return acting, None, await queries.topup(tx, row["intentId"])

    actor_id, done, intent = await rt.graph.write(begin)
    if done is not None:
        return done
    try:
        receipt = await within(
            settings.payment_provider_timeout_seconds,
            rt.payments.collect(actor_id, amount, intent["reference"]),
            "a collection",
        )
    except PaymentProviderError as exc:
        await rt.graph.write(_fail_topup, intent["id"], str(exc) or "declined")
        raise PaymentDeclinedError(
            f"The payment provider declined the top-up ({exc}); nothing was recorded.", field="amountDong"
        ) from exc
    except ProviderUnreachable as exc:
        log.warning("top-up pending: no answer from the provider", topup=intent["id"], reason=str(exc))
        if await rt.graph.write(_reopen_topup, intent["id"]):
            log.warning(
                "top-up failed meanwhile, but this call may have collected it: pending again", topup=intent["id"]
            )
        raise _pending("top-up", settings) from exc

    async def settle(tx):
        stored, _ = await _settle_topup(tx, intent["id"], receipt)
        return await _result(tx, actor_id, stored)

    return await rt.graph.write(settle)


def _pending(what: str, settings) -> UnavailableError:
    retry = max(1.0, min(60.0, settings.payment_reconcile_after_seconds))
    return UnavailableError(
        f"The payment provider did not answer; the {what} is recorded as pending and will be settled. Retry with the "
        "same idempotency key to see the outcome.",
        retry_after_seconds=retry,
    )


async def _settle_topup(tx: AsyncManagedTransaction, topup_id: str, receipt: ProviderReceipt) -> tuple[dict, bool]:
    """Settle a top-up once (under its lock) with the provider's receipt: the entry provider -> wallet and the key's
    result. Returns (result, True when this call settled it); a top-up already settled gives its result and False.
    A receipt means the provider collected the money, so a top-up marked failed is credited too: reconciliation
    fails a top-up the provider had no record of, and a retry racing it may have collected it meanwhile. That late
    settlement (also of a top-up reopened by ``_reopen_topup``) is logged and recorded on the top-up
    (``settledAfterFailure``, its ``failure`` kept) for officers."""
    intent = await queries.lock_topup(tx, topup_id)
    if intent["status"] == "settled":
        return {"entryId": intent["entryId"], "amount": intent["amount"]}, False
    late = intent["status"] == "failed" or intent.get("reopenedAt") is not None
    memo = f"Top-up, provider reference {receipt.reference}"
    if late:
        log.warning(
            "top-up collected after it was marked failed; crediting it",
            topup=topup_id,
            failure=intent.get("failure"),
            provider_reference=receipt.reference,
        )
        memo += " (collected after it was marked failed)"
    entry = await post_entry(
        tx, debit=PROVIDER, credit=actor_wallet(intent["actorId"]), amount=intent["amount"], kind="topup", memo=memo
    )
    stored = {"entryId": entry["id"], "amount": intent["amount"]}
    await queries.settle_topup(
        tx,
        topup_id,
        entry["id"],
        receipt.reference,
        json.dumps(stored, sort_keys=True, ensure_ascii=False),
        after_failure=late,
    )
    return stored, True


async def _fail_topup(tx: AsyncManagedTransaction, topup_id: str, failure: str) -> bool:
    """Fail a pending top-up once (its key is freed for a new attempt); False when it was not pending."""
    intent = await queries.lock_topup(tx, topup_id)
    if intent is None or intent["status"] != "pending":
        return False
    await queries.fail_topup(tx, topup_id, failure)
    return True


async def _reopen_topup(tx: AsyncManagedTransaction, topup_id: str) -> bool:
    """A top-up failed while a call that may have collected it was unanswered (reconciliation found no record of it
    at the provider before the call got there): pending again, so reconciliation asks the provider once more and
    credits what it collected. True when it was reopened."""
    intent = await queries.lock_topup(tx, topup_id)
    if intent is None or intent["status"] != "failed":
        return False
    await queries.reopen_topup(tx, topup_id)
    return True


# --- payouts -------------------------------------------------------------------------------------------------------


async def payout(rt: Runtime, viewer: Viewer, organization_id: str | None, amount: int, key: str) -> MoneyResult:
    """Move ``amount`` đồng from the acting actor's wallet to the provider and record a payout to disburse (the
    intent, committed); after the commit the provider pays it ('paid'), or fails and the money comes back ('failed'
    + a reversal entry). When the provider's answer is lost the payout stays 'sending' until ``reconcile``."""
    _check_positive(amount)
    idempotency.check_key(key)
    request = {"amount": amount}

    async def work(tx):
        acting = await identity.act_for(tx, viewer, organization_id, level=MOVE_LEVEL, action="withdraw money")

        async def record(tx):
            entry = await post_entry(
                tx,
                debit=actor_wallet(acting),
                credit=PROVIDER,
                amount=amount,
                kind="payout",
                memo="Payout to my bank account",
            )
            row = await queries.create_payout(tx, str(uuid.uuid4()), acting, amount, entry["id"])
            return {"entryId": entry["id"], "payoutId": row["id"], "amount": amount}

        stored = await idempotency.once(
            tx,
            owner=acting,
            key=key,
            operation="walletPayout",
            request=request,
            work=record,
            retention_seconds=rt.settings.idempotency_key_retention_seconds,
        )
        return acting, stored

    actor_id, stored = await rt.graph.write(work)
    await disburse(rt, stored["payoutId"])
    return await rt.graph.read(lambda tx: _result(tx, actor_id, stored))


async def disburse(rt: Runtime, payout_id: str) -> None:
    """Send a 'requested' payout through the provider (the outbox step after commit). Claims it first
    ('requested' -> 'sending') so two requests never pay it twice; a payout left 'sending' (a crash, a lost answer)
    is settled by ``reconcile``."""
    claimed = await rt.graph.write(queries.move_payout, payout_id, "requested", "sending")
    if claimed is not None:
        await _send(rt, claimed)


async def _send(rt: Runtime, payout: dict) -> str:
    """Ask the provider to pay a 'sending' payout (the reference makes a repeat the same transfer) and settle it by
    the answer: 'paid', 'failed' (reversed), or 'sending' when no answer came."""
    try:
        receipt = await within(
            rt.settings.payment_provider_timeout_seconds,
            rt.payments.disburse(payout["actorId"], payout["amount"], payout["reference"]),
            "a disbursement",
        )
    except PaymentProviderError as exc:
        log.warning("payout failed at the provider; reversing it", payout=payout["id"], reason=str(exc))
        await rt.graph.write(_reverse, payout["id"], str(exc) or "provider refused the payout")
        return "failed"
    except ProviderUnreachable as exc:
        log.warning("payout pending: no answer from the provider", payout=payout["id"], reason=str(exc))
        return "sending"
    await rt.graph.write(queries.move_payout, payout["id"], "sending", "paid", provider_reference=receipt.reference)
    return "paid"


async def _reverse(tx: AsyncManagedTransaction, payout_id: str, failure: str) -> None:
    failed = await queries.move_payout(tx, payout_id, "sending", "failed", failure=failure)
    if failed is not None:
        await post_entry(
            tx,
            debit=PROVIDER,
            credit=actor_wallet(failed["actorId"]),
            amount=failed["amount"],
            kind="reversal",
            memo="Payout failed at the provider; money returned",
        )


# --- reconciliation: what a crash left pending ----------------------------------------------------------------------


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
    stuck = await rt.graph.read(queries.stuck_intents, age_seconds=age, after=None, limit=limit)
    outcomes = {"settled": 0, "failed": 0, "pending": 0}
    for row in stuck:
        intent = row["intent"]
        try:
            outcome = await (_reconcile_topup(rt, intent) if row["kind"] == "topup" else _reconcile_payout(rt, intent))
        except ProviderUnreachable:
            outcome = "pending"
        except Exception:
            log.warning(
                "reconciliation of one payment failed; it stays pending",
                kind=row["kind"],
                id=intent["id"],
                exc_info=True,
            )
            outcome = "pending"
        if outcome in outcomes:
            outcomes[outcome] += 1
        log.info("reconciled", kind=row["kind"], id=intent["id"], outcome=outcome)
    return ReconcileReport(**outcomes)


async def _lookup(rt: Runtime, reference: str):
    return await within(rt.settings.payment_provider_timeout_seconds, rt.payments.lookup(reference), "a lookup")


async def _reconcile_topup(rt: Runtime, intent: dict) -> str:
    transfer = await _lookup(rt, intent["reference"])
    if transfer is None or not transfer.succeeded:
        failure = "the provider has no record of it" if transfer is None else (transfer.failure or "declined")
        return "failed" if await rt.graph.write(_fail_topup, intent["id"], failure) else "done"
    receipt = ProviderReceipt(transfer.reference, transfer.amount)
    _, settled = await rt.graph.write(_settle_topup, intent["id"], receipt)
    return "settled" if settled else "done"


async def _reconcile_payout(rt: Runtime, payout: dict) -> str:
    if payout["status"] == "requested":
        payout = await rt.graph.write(queries.move_payout, payout["id"], "requested", "sending")
        if payout is None:
            return "done"
    transfer = await _lookup(rt, payout["reference"])
    if transfer is None:  # the provider never got it: send it now (the reference makes it one transfer)
        outcome = await _send(rt, payout)
        return {"paid": "settled", "failed": "failed"}.get(outcome, "pending")
    if not transfer.succeeded:
        await rt.graph.write(_reverse, payout["id"], transfer.failure or "provider failed the payout")
        return "failed"
    moved = await rt.graph.write(
        queries.move_payout, payout["id"], "sending", "paid", provider_reference=transfer.reference
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


STUCK_PAYMENTS_CURSOR = keyset_kind("stuckPayments")


async def stuck_payments(rt: Runtime, viewer: Viewer, request: PageRequest) -> Page[StuckPaymentView]:
    """Officers: top-ups still pending and payouts not yet paid, older than the reconciliation threshold, oldest
    first (what a crash left for ``reconcile``, or what the provider still has not answered)."""
    require_role(viewer, "officer", "see stuck payments")
    after = request.keyset(STUCK_PAYMENTS_CURSOR)
    age = rt.settings.payment_reconcile_after_seconds

    async def work(tx):
        rows = await queries.stuck_intents(tx, age_seconds=age, after=after, limit=request.size + 1)
        return rows, await queries.stuck_count(tx, age)

    rows, total = await rt.graph.read(work)
    shown = [
        StuckPaymentView(
            id=r["intent"]["id"],
            kind=r["kind"],
            status=r["intent"]["status"],
            owner_id=r["intent"]["actorId"],
            amount=r["intent"]["amount"],
            reference=r["intent"]["reference"],
            created_at=native(r["intent"]["createdAt"]),
        )
        for r in rows[: request.size]
    ]
    return Page(
        items=shown,
        cursors=[STUCK_PAYMENTS_CURSOR.encode(v.created_at, v.id) for v in shown],
        has_next_page=len(rows) > request.size,
        has_previous_page=after is not None,
        total_count=total,
    )
