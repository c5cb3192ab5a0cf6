"""GraphQL shapes of wallets, ledger entries (statements) and the ledger totals officers check."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry
from strawberry import relay

from marketplace.reconciliation import StuckPaymentView
from marketplace.wallets import EntryView, MoneyResult, WalletView
from marketplace.wallets import LedgerTotals as LedgerTotalsModel
from partners.reads import Duty
from schema.access_log import DutyRead
from schema.common import CountedConnection, Dong, UserError
from schema.identity import Actor
from schema.orders import Order

ERRORS = "Mistakes to fix (empty on success): code, field and message."


@strawberry.enum(description="Why money moved.")
class LedgerEntryKind(Enum):
    _value_: str  # .value is the services' string (strawberry.enum_value only adds a description)
    TOPUP = strawberry.enum_value("topup", description="Money added from outside through the payment provider.")
    PAYOUT = strawberry.enum_value("payout", description="Money withdrawn to a bank account through the provider.")
    PAYMENT = strawberry.enum_value("payment", description="A buyer paid an order: buyer's wallet -> escrow.")
    RELEASE = strawberry.enum_value("release", description="A completed order paid the seller: escrow -> seller.")
    REFUND = strawberry.enum_value("refund", description="An order was refunded: escrow -> buyer.")
    REVERSAL = strawberry.enum_value(
        "reversal", description="A payout the provider failed to pay, put back into the wallet."
    )


@strawberry.enum(description="Where a payout stands.")
class PayoutStatus(Enum):
    _value_: str  # .value is the services' string (strawberry.enum_value only adds a description)
    REQUESTED = strawberry.enum_value("requested", description="Recorded; not yet sent to the provider.")
    SENDING = strawberry.enum_value("sending", description="Sent to the provider; waiting for its answer.")
    PAID = strawberry.enum_value("paid", description="The provider paid it out.")
    FAILED = strawberry.enum_value("failed", description="The provider failed it; the money is back in the wallet.")


@strawberry.type(
    description="An actor's wallet in Vietnamese đồng. Only its owner (or an organisation's owners and "
    "admins) can see it."
)
class Wallet(relay.Node):
    owner_uuid: relay.NodeID[str]
    balance_dong: Dong = strawberry.field(description="What the wallet holds now, in đồng (never negative).")
    currency: str = strawberry.field(description="Always VND.")
    updated_at: datetime | None = strawberry.field(description="When money last moved in or out (null: never).")

    @strawberry.field(description="Whose wallet it is.")
    async def owner(self, info: strawberry.Info) -> Actor | None:
        from resolvers.social import actor  # noqa: PLC0415 (the resolvers import the shapes)

        return await actor(info, self.owner_uuid)

    @classmethod
    def of(cls, view: WalletView) -> Wallet:
        return cls(
            owner_uuid=view.owner_id, balance_dong=Dong(view.balance), currency="VND", updated_at=view.updated_at
        )


@strawberry.type(
    description="One movement of money into or out of my wallet (double entry: the same amount left "
    "another wallet, or went into one)."
)
class LedgerEntry(relay.Node):
    uuid: relay.NodeID[str]
    kind: LedgerEntryKind = strawberry.field(description="Why the money moved.")
    amount_dong: Dong = strawberry.field(
        description="Signed from my wallet's point of view: positive when money came in, negative when it went out."
    )
    balance_after_dong: Dong = strawberry.field(description="My wallet's balance right after this entry.")
    at: datetime = strawberry.field(description="When it was recorded (UTC).")
    memo: str | None = strawberry.field(description="A note on the movement, if any.")
    counterparty: str = strawberry.field(
        description="Where the money came from or went: 'Escrow', 'Payment provider' or 'Another wallet'."
    )
    order_id: strawberry.Private[str | None]

    @strawberry.field(description="The order this movement paid, released or refunded; null otherwise or when hidden.")
    async def order(self, info: strawberry.Info) -> Order | None:
        from resolvers.orders import order_of_entry  # noqa: PLC0415 (the resolvers import the shapes)

        return await order_of_entry(info, self.order_id)

    @classmethod
    def of(cls, view: EntryView) -> LedgerEntry:
        return cls(
            uuid=view.id,
            kind=LedgerEntryKind(view.kind),
            amount_dong=Dong(view.amount),
            balance_after_dong=Dong(view.balance_after),
            at=view.at,
            memo=view.memo,
            counterparty=view.counterparty,
            order_id=view.order_id,
        )


@strawberry.type(description="A page of ledger entries, newest first; `totalCount` is the wallet's number of entries.")
class LedgerEntryConnection(CountedConnection[LedgerEntry]):
    pass


@strawberry.type(description="Officers: the sums that show the ledger is whole.")
class LedgerTotals:
    wallets_dong: Dong = strawberry.field(description="Money in every actor's wallet.")
    escrow_dong: Dong = strawberry.field(description="Money held in escrow for orders not yet completed or refunded.")
    provider_dong: Dong = strawberry.field(
        description="The payment provider's side: minus the money inside the platform (top-ups less payouts)."
    )
    entry_count: int = strawberry.field(description="Number of ledger entries.")
    balanced: bool = strawberry.field(
        description="True when wallets + escrow + provider = 0, no wallet is negative and every entry moved one "
        "positive amount out of one wallet into another."
    )

    @classmethod
    def of(cls, totals: LedgerTotalsModel) -> LedgerTotals:
        return cls(
            wallets_dong=Dong(totals.wallets),
            escrow_dong=Dong(totals.escrow),
            provider_dong=Dong(totals.provider),
            entry_count=totals.entry_count,
            balanced=totals.balanced,
        )


@strawberry.enum(description="Which way money crosses the platform's edge.")
class ProviderTransferKind(Enum):
    _value_: str  # .value is the services' string (strawberry.enum_value only adds a description)
    TOPUP = strawberry.enum_value("topup", description="A top-up: money collected into a wallet.")
    PAYOUT = strawberry.enum_value("payout", description="A payout: money paid out to a bank account.")


@strawberry.type(
    description="Officers: a top-up still pending or a payout not yet paid, older than the "
    "reconciliation threshold (what a crash or a lost provider answer left behind)."
)
class StuckPayment:
    id: strawberry.ID = strawberry.field(
        description="The top-up's or payout's own id (a UUID, as in logs and in `reference`), not a global id: a "
        "stuck payment is not a Node, and `node(id:)` does not load it."
    )
    kind: ProviderTransferKind = strawberry.field(description="Top-up or payout.")
    status: str = strawberry.field(description="pending (top-up), requested or sending (payout).")
    amount_dong: Dong = strawberry.field(description="The amount, in đồng.", extensions=[DutyRead()])
    reference: str = strawberry.field(description="The reference (idempotency key) the provider knows it by.")
    created_at: datetime = strawberry.field(description="When the intent was recorded (UTC).")
    owner_uuid: strawberry.Private[str]
    #: A person's payment read by an officer on duty (the access log).
    duty: strawberry.Private[Duty | None] = None

    @strawberry.field(description="Whose wallet it is for.")
    async def owner(self, info: strawberry.Info) -> Actor | None:
        from resolvers.social import actor  # noqa: PLC0415 (the resolvers import the shapes)

        return await actor(info, self.owner_uuid)

    @classmethod
    def of(cls, view: StuckPaymentView) -> StuckPayment:
        return cls(
            id=strawberry.ID(view.id),
            kind=ProviderTransferKind(view.kind),
            status=view.status,
            amount_dong=Dong(view.amount),
            reference=view.reference,
            created_at=view.created_at,
            owner_uuid=view.owner_id,
            duty=view.duty,
        )


@strawberry.type(description="A page of stuck payments, oldest first.")
class StuckPaymentConnection(CountedConnection[StuckPayment]):  # type: ignore[type-var]  # not nodes: see NodeType
    pass


@strawberry.input(description="Add money to a wallet through the payment provider.")
class WalletTopUpInput:
    amount_dong: Dong = strawberry.field(description="How much, in đồng: 1,000 to 500,000,000 per top-up.")
    idempotency_key: str = strawberry.field(
        description="8-100 characters of [A-Za-z0-9_-:.], new for each top-up (e.g. a UUID). Repeating a request "
        "with its key returns the first result; the same key with another amount is a CONFLICT."
    )
    as_organization: strawberry.ID | None = strawberry.field(
        default=None, description="Global id of an organisation I own or administer, to top up its wallet."
    )


@strawberry.input(description="Withdraw money from a wallet to a bank account through the payment provider.")
class WalletPayoutInput:
    amount_dong: Dong = strawberry.field(description="How much, in đồng; at most the wallet's balance.")
    idempotency_key: str = strawberry.field(
        description="8-100 characters of [A-Za-z0-9_-:.], new for each payout; repeating it returns the first "
        "result, the same key with another amount is a CONFLICT."
    )
    as_organization: strawberry.ID | None = strawberry.field(
        default=None, description="Global id of an organisation I own or administer, to withdraw from its wallet."
    )


@strawberry.type(description="Result of walletTopUp.")
class WalletTopUpPayload:
    wallet: Wallet | None = strawberry.field(default=None, description="The wallet after the top-up.")
    entry: LedgerEntry | None = strawberry.field(default=None, description="The ledger entry of the top-up.")
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS)

    @classmethod
    def of(cls, result: MoneyResult) -> dict:
        return {"wallet": Wallet.of(result.wallet), "entry": LedgerEntry.of(result.entry) if result.entry else None}


@strawberry.type(description="Result of walletPayout.")
class WalletPayoutPayload:
    wallet: Wallet | None = strawberry.field(default=None, description="The wallet after the payout.")
    entry: LedgerEntry | None = strawberry.field(default=None, description="The ledger entry of the payout.")
    payout_status: PayoutStatus | None = strawberry.field(
        default=None,
        description="Where the payout stands (PAID; FAILED with the money back; SENDING when the provider's answer "
        "has not come yet: it is settled later).",
    )
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS)

    @classmethod
    def of(cls, result: MoneyResult) -> dict:
        return {
            **WalletTopUpPayload.of(result),
            "payout_status": PayoutStatus(result.payout_status) if result.payout_status else None,
        }
