"""Wallet use cases: my wallet, top-ups, payouts, statements and the ledger totals officers check.

Money moves only through ``marketplace.ledger.post_entry`` inside one write transaction per mutation, wrapped in
``marketplace.idempotency.once`` so a repeated request has its effect once. The payment provider is called outside
every transaction: a top-up collects first and records after; a payout records first (wallet -> provider, plus a
``(:Payout)`` outbox row) and disburses after the commit; a failed disbursement is reversed in a new transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from neo4j import AsyncManagedTransaction

from auth.permissions import require_role
from auth.viewer import Viewer
from core.errors import AppError, PaymentDeclinedError, UserInputError
from core.logs import get_logger
from core.pagination import INT, CursorKind, Page, PageRequest
from core.runtime import Runtime
from graph import ledger as queries
from graph.driver import native
from identity import service as identity
from marketplace import idempotency
from marketplace.ledger import ESCROW, PROVIDER, actor_wallet, post_entry
from marketplace.payments import PaymentProviderError

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
    return COUNTERPARTIES.get(other_wallet, "Another wallet")


def _entry_view(entry: dict, owner_id: str) -> EntryView:
    """``entry`` (a stored LedgerEntry) as seen from ``owner_id``'s wallet."""
    mine = actor_wallet(owner_id)
    credit = entry["creditWallet"] == mine
    return EntryView(
        id=entry["id"], owner_id=owner_id, kind=entry["kind"],
        amount=entry["amount"] if credit else -entry["amount"],
        balance_after=entry["creditBalanceAfter"] if credit else entry["debitBalanceAfter"],
        at=native(entry["at"]), memo=entry.get("memo"),
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
    balanced = (row["wallets"] + row["escrow"] + row["provider"] == 0 and row["malformed"] == 0
                and row["negative"] == 0)
    return LedgerTotals(row["wallets"], row["escrow"], row["provider"], row["entries"], balanced)


# --- top-ups -------------------------------------------------------------------------------------------------------

def _check_positive(amount: int) -> int:
    if amount <= 0:
        raise UserInputError("The amount must be a positive number of đồng.", field="amountDong")
    return amount


async def top_up(rt: Runtime, viewer: Viewer, organization_id: str | None, amount: int, key: str) -> MoneyResult:
    """Collect ``amount`` đồng through the provider, then credit the acting actor's wallet (provider -> wallet).
    A repeated key returns the first result without calling the provider again."""
    settings = rt.settings
    _check_positive(amount)
    if not settings.topup_min_dong <= amount <= settings.topup_max_dong:
        raise UserInputError(
            f"A top-up is between {settings.topup_min_dong:,} and {settings.topup_max_dong:,} đồng.", field="amountDong"
        )
    idempotency.check_key(key)
    actor_id = await identity.acting_actor(rt, viewer, organization_id, level=MOVE_LEVEL, action="top up a wallet")
    request = {"amount": amount}

    async def repeat(tx):
        stored = await idempotency.stored_result(tx, owner=actor_id, key=key, operation="walletTopUp", request=request)
        return None if stored is None else await _result(tx, actor_id, stored)

    if (done := await rt.graph.read(repeat)) is not None:
        return done
    # The provider deduplicates on the reference, which the key determines: a concurrent duplicate that also got
    # here collects once at the provider and is recorded once by `once` below.
    try:
        receipt = await rt.payments.collect(actor_id, amount, f"topup:{actor_id}:{key}")
    except PaymentProviderError as exc:
        raise PaymentDeclinedError(
            f"The payment provider declined the top-up ({exc}); nothing was recorded.", field="amountDong"
        ) from exc

    async def work(tx):
        acting = await identity.act_for(tx, viewer, organization_id, level=MOVE_LEVEL, action="top up a wallet")

        async def record(tx):
            entry = await post_entry(tx, debit=PROVIDER, credit=actor_wallet(acting), amount=amount, kind="topup",
                                     memo=f"Top-up, provider reference {receipt.reference}")
            return {"entryId": entry["id"], "amount": amount}

        stored = await idempotency.once(tx, owner=acting, key=key, operation="walletTopUp", request=request,
                                        work=record)
        return await _result(tx, acting, stored)

    return await rt.graph.write(work)


# --- payouts -------------------------------------------------------------------------------------------------------

async def payout(rt: Runtime, viewer: Viewer, organization_id: str | None, amount: int, key: str) -> MoneyResult:
    """Move ``amount`` đồng from the acting actor's wallet to the provider and record a payout to disburse; after
    the commit the provider pays it ('paid'), or fails and the money comes back ('failed' + a reversal entry)."""
    _check_positive(amount)
    idempotency.check_key(key)
    request = {"amount": amount}

    async def work(tx):
        acting = await identity.act_for(tx, viewer, organization_id, level=MOVE_LEVEL, action="withdraw money")

        async def record(tx):
            entry = await post_entry(tx, debit=actor_wallet(acting), credit=PROVIDER, amount=amount, kind="payout",
                                     memo="Payout to my bank account")
            row = await queries.create_payout(tx, acting, amount, f"payout:{acting}:{key}", entry["id"])
            return {"entryId": entry["id"], "payoutId": row["id"], "amount": amount}

        stored = await idempotency.once(tx, owner=acting, key=key, operation="walletPayout", request=request,
                                        work=record)
        return acting, stored

    actor_id, stored = await rt.graph.write(work)
    await disburse(rt, stored["payoutId"])
    return await rt.graph.read(lambda tx: _result(tx, actor_id, stored))


async def disburse(rt: Runtime, payout_id: str) -> None:
    """Send a 'requested' payout through the provider (the outbox step after commit). Claims it first
    ('requested' -> 'sending') so two requests never pay it twice; a payout left 'sending' by a crash is for an
    operator to reconcile with the provider."""
    claimed = await rt.graph.write(queries.move_payout, payout_id, "requested", "sending")
    if claimed is None:
        return
    try:
        receipt = await rt.payments.disburse(claimed["actorId"], claimed["amount"], claimed["reference"])
    except PaymentProviderError as exc:
        log.warning("payout failed at the provider; reversing it", payout=payout_id, reason=str(exc))
        await rt.graph.write(_reverse, payout_id, str(exc) or "provider refused the payout")
        return
    await rt.graph.write(queries.move_payout, payout_id, "sending", "paid", provider_reference=receipt.reference)


async def _reverse(tx: AsyncManagedTransaction, payout_id: str, failure: str) -> None:
    failed = await queries.move_payout(tx, payout_id, "sending", "failed", failure=failure)
    if failed is not None:
        await post_entry(tx, debit=PROVIDER, credit=actor_wallet(failed["actorId"]), amount=failed["amount"],
                         kind="reversal", memo="Payout failed at the provider; money returned")

