"""Resolvers of wallets and statements: decode ids, call marketplace.wallets, topups, payouts or reconciliation, wrap the result."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry

from core.pagination import PageRequest
from marketplace import payouts, reconciliation, topups
from marketplace import wallets as service
from resolvers.common import acting_organization, mutate, runtime, viewer
from schema.common import AFTER, AS_ORGANIZATION, BEFORE, FIRST, LAST
from schema.wallets import (
    LedgerEntry,
    LedgerEntryConnection,
    LedgerTotals,
    StuckPayment,
    StuckPaymentConnection,
    Wallet,
    WalletPayoutInput,
    WalletPayoutPayload,
    WalletTopUpInput,
    WalletTopUpPayload,
)


async def my_wallet(
    info: strawberry.Info,
    as_organization: AS_ORGANIZATION = None,
) -> Wallet:
    org = acting_organization(as_organization)
    return Wallet.of(await service.my_wallet(runtime(info), viewer(info), org))


async def wallet_statement(
    info: strawberry.Info,
    as_organization: AS_ORGANIZATION = None,
    first: FIRST = None,
    after: AFTER = None,
    last: LAST = None,
    before: BEFORE = None,
) -> LedgerEntryConnection:
    org = acting_organization(as_organization)
    request = PageRequest.from_args(first=first, after=after, last=last, before=before)
    page = await service.statement(runtime(info), viewer(info), org, request)
    return LedgerEntryConnection.from_page(page, LedgerEntry.of)


async def ledger_totals(info: strawberry.Info) -> LedgerTotals:
    return LedgerTotals.of(await service.ledger_totals(runtime(info), viewer(info)))


async def stuck_payments(
    info: strawberry.Info, first: FIRST = None, after: AFTER = None, last: LAST = None, before: BEFORE = None
) -> StuckPaymentConnection:
    request = PageRequest.from_args(first=first, after=after, last=last, before=before)
    page = await reconciliation.stuck_payments(runtime(info), viewer(info), request)
    return StuckPaymentConnection.from_page(page, StuckPayment.of)


async def wallet_top_up(
    info: strawberry.Info,
    input: Annotated[WalletTopUpInput, strawberry.argument(description="Amount, idempotency key, organisation.")],
) -> WalletTopUpPayload | None:
    async def work() -> dict[str, Any]:
        org = acting_organization(input.as_organization)
        return WalletTopUpPayload.of(
            await topups.top_up(runtime(info), viewer(info), org, input.amount_dong, input.idempotency_key)
        )

    return await mutate(info, WalletTopUpPayload, work)


async def wallet_payout(
    info: strawberry.Info,
    input: Annotated[WalletPayoutInput, strawberry.argument(description="Amount, idempotency key, organisation.")],
) -> WalletPayoutPayload | None:
    async def work() -> dict[str, Any]:
        org = acting_organization(input.as_organization)
        return WalletPayoutPayload.of(
            await payouts.payout(runtime(info), viewer(info), org, input.amount_dong, input.idempotency_key)
        )

    return await mutate(info, WalletPayoutPayload, work)


async def wallets_by_ids(info: strawberry.Info, ids: list[str]) -> list[Wallet | None]:
    views = await service.wallets_by_owner_ids(runtime(info), viewer(info), ids)
    return [Wallet.of(v) if v else None for v in views]


async def entries_by_ids(info: strawberry.Info, ids: list[str]) -> list[LedgerEntry | None]:
    return [LedgerEntry.of(v) if v else None for v in await service.entries_by_ids(runtime(info), viewer(info), ids)]
