"""Root fields of money: wallets, statements, top-ups, payouts, the ledger's totals."""

from __future__ import annotations

import strawberry

from resolvers import wallets as wallet_resolvers
from schema.wallets import (
    LedgerEntryConnection,
    LedgerTotals,
    StuckPaymentConnection,
    Wallet,
    WalletPayoutPayload,
    WalletTopUpPayload,
)


@strawberry.type
class WalletQuery:
    """Query fields of wallets; merged into the root Query by schema.assemble."""

    my_wallet: Wallet = strawberry.field(
        resolver=wallet_resolvers.my_wallet,
        description="My wallet (or an organisation's I own or administer), in đồng.",
    )
    wallet_statement: LedgerEntryConnection = strawberry.field(
        resolver=wallet_resolvers.wallet_statement,
        description="The entries of my wallet (or my organisation's), newest first, each with the balance after it; "
        "a cursor belongs to one wallet's statement.",
    )
    ledger_totals: LedgerTotals = strawberry.field(
        resolver=wallet_resolvers.ledger_totals,
        description="Officers: sums of wallets, escrow and the provider side, and whether the ledger balances.",
    )
    stuck_payments: StuckPaymentConnection = strawberry.field(
        resolver=wallet_resolvers.stuck_payments,
        description="Officers: top-ups still pending and payouts not yet paid after the reconciliation threshold, "
        "oldest first.",
    )


@strawberry.type
class WalletMutation:
    """Mutation fields of wallets; merged into the root Mutation by schema.assemble."""

    wallet_top_up: WalletTopUpPayload | None = strawberry.mutation(
        resolver=wallet_resolvers.wallet_top_up,
        description="Add money to my wallet through the payment provider (needs level 2; idempotent by key).",
    )
    wallet_payout: WalletPayoutPayload | None = strawberry.mutation(
        resolver=wallet_resolvers.wallet_payout,
        description="Withdraw money from my wallet to my bank account through the payment provider (needs level 2; idempotent).",
    )
