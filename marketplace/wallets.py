"""Wallets and their statements: my wallet, the entries seen from one wallet, and the ledger totals officers check.

Money moves only through ``marketplace.ledger.post_entry``, inside one write transaction per mutation:
``marketplace.topups`` brings money in, ``marketplace.payouts`` takes it out, ``marketplace.reconciliation`` settles
what a crash left pending. This module reads, and shapes the result those mutations answer (``MoneyResult``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from neo4j import AsyncManagedTransaction

from auth.permissions import authorize, holds
from auth.viewer import Viewer
from core.errors import AppError, UserInputError
from core.pagination import INT, CursorKind, Page, PageRequest
from core.runtime import Runtime
from graph import ledger as queries
from identity.acting import acting_actor
from marketplace.ledger import ESCROW, PROVIDER, actor_wallet, platform_wallet

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


def _wallet_view(owner_id: str, found: queries.Wallet | None) -> WalletView:
    if found is None:
        return WalletView(owner_id, 0, None)
    return WalletView(owner_id, found.balance, found.updated_at)


def _counterparty(other_wallet: str) -> str:
    return COUNTERPARTIES.get(platform_wallet(other_wallet) or other_wallet, "Another wallet")


def _entry_view(entry: queries.LedgerEntry, owner_id: str) -> EntryView:
    """``entry`` (a stored LedgerEntry) as seen from ``owner_id``'s wallet."""
    mine = actor_wallet(owner_id)
    credit = entry.credit_wallet == mine
    return EntryView(
        id=entry.id,
        owner_id=owner_id,
        kind=entry.kind,
        amount=entry.amount if credit else -entry.amount,
        balance_after=entry.credit_balance_after if credit else entry.debit_balance_after,
        at=entry.at,
        memo=entry.memo,
        counterparty=_counterparty(entry.debit_wallet if credit else entry.credit_wallet),
        order_id=entry.order_id,
    )


async def money_result(
    tx: AsyncManagedTransaction, actor_id: str, entry_id: str, payout_id: str | None = None
) -> MoneyResult:
    """What a top-up or a payout answers: the wallet now, the entry seen from it, and the payout's status."""
    found = await queries.entries_by_ids(tx, [entry_id])
    entry = _entry_view(found[0].entry, actor_id) if found else None
    wallet = _wallet_view(actor_id, await queries.wallet(tx, actor_wallet(actor_id)))
    status = None
    if payout_id:
        payout = await queries.payout(tx, payout_id)
        status = payout.status if payout else None
    return MoneyResult(wallet, entry, status)


def check_positive(amount: int) -> int:
    """``amount`` when it is more than zero, else USER_INPUT on 'amountDong'."""
    if amount <= 0:
        raise UserInputError("The amount must be a positive number of đồng.", field="amountDong")
    return amount


# --- reads ---------------------------------------------------------------------------------------------------------


async def my_wallet(rt: Runtime, viewer: Viewer, organization_id: str | None) -> WalletView:
    actor_id = await acting_actor(rt, viewer, "marketplace.wallet.see", organization_id)
    return _wallet_view(actor_id, await rt.graph.read(queries.wallet, actor_wallet(actor_id)))


async def _visible_owners(rt: Runtime, viewer: Viewer, owner_ids: set[str]) -> set[str]:
    """The wallet owners among ``owner_ids`` whose wallets the viewer may see: themselves, and the organisations
    they own or administer."""
    if not holds(viewer, "marketplace.wallet.see") or viewer.actor_id is None:
        return set()
    visible = {viewer.actor_id} & owner_ids
    for owner in owner_ids - visible:
        try:
            await acting_actor(rt, viewer, "marketplace.wallet.see", owner)
        except AppError:
            continue
        visible.add(owner)
    return visible


async def wallets_by_owner_ids(rt: Runtime, viewer: Viewer, owner_ids: list[str]) -> list[WalletView | None]:
    visible = await _visible_owners(rt, viewer, set(owner_ids))

    async def work(tx: AsyncManagedTransaction) -> dict[str, queries.Wallet | None]:
        return {o: await queries.wallet(tx, actor_wallet(o)) for o in visible}

    found = await rt.graph.read(work) if visible else {}
    return [_wallet_view(o, found[o]) if o in visible else None for o in owner_ids]


async def entries_by_ids(rt: Runtime, viewer: Viewer, ids: list[str]) -> list[EntryView | None]:
    """Entries for ``node(id:)``: each seen from the viewer's side; None for entries of wallets not theirs."""
    if viewer.kind != "person":
        return [None] * len(ids)
    found = await rt.graph.read(queries.entries_by_ids, ids)
    owners = {o for r in found for o in (r.debit_owner, r.credit_owner) if o}
    visible = await _visible_owners(rt, viewer, owners)
    views: dict[str, EntryView] = {}
    for r in found:
        owner = next((o for o in (r.credit_owner, r.debit_owner) if o in visible), None)
        if owner:
            views[r.entry.id] = _entry_view(r.entry, owner)
    return [views.get(i) for i in ids]


#: Cursors of walletStatement, scoped to the wallet's owner (``STATEMENT_CURSOR.scoped(owner)``): the entry's
#: sequence number in the wallet.
STATEMENT_CURSOR = CursorKind("walletStatement", (INT,))


async def statement(rt: Runtime, viewer: Viewer, organization_id: str | None, request: PageRequest) -> Page[EntryView]:
    """The acting actor's ledger entries, newest first (either way), each with the wallet's balance right after it."""
    actor_id = await acting_actor(rt, viewer, "marketplace.statement.see", organization_id)
    kind = STATEMENT_CURSOR.scoped(actor_id)
    window = request.window(kind)
    wallet_id = actor_wallet(actor_id)

    async def work(tx: AsyncManagedTransaction) -> tuple[list[queries.StatementLine], int]:
        lines = await queries.statement(tx, wallet_id, window)
        wallet = await queries.wallet(tx, wallet_id)
        return lines, wallet.seq if wallet else 0

    lines, total = await rt.graph.read(work)
    page = request.page(lines, kind, lambda line: (line.seq,), total_count=total)
    return Page(
        items=[_entry_view(line.entry, actor_id) for line in page.items],
        cursors=page.cursors,
        has_next_page=page.has_next_page,
        has_previous_page=page.has_previous_page,
        total_count=page.total_count,
    )


async def ledger_totals(rt: Runtime, viewer: Viewer) -> LedgerTotals:
    authorize(viewer, "marketplace.ledger.see_totals")
    totals = await rt.graph.read(queries.ledger_totals)
    balanced = totals.wallets + totals.escrow + totals.provider == 0 and totals.malformed == 0 and totals.negative == 0
    return LedgerTotals(totals.wallets, totals.escrow, totals.provider, totals.entries, balanced)
