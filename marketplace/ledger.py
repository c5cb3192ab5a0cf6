"""Double-entry money movements between wallets: the primitives every money-moving use case calls.

Every movement is one ``(:LedgerEntry)`` moving ``amount`` đồng out of a debit wallet into a credit wallet, written
in the caller's write transaction together with the state change that causes it, so money never moves without its
reason (and the reason never happens without its money). Three kinds of wallet:

- an actor's wallet (``actor_wallet(actor_id)``), created on first use;
- ``ESCROW``: the platform holds a buyer's payment until the order completes or is refunded;
- ``PROVIDER``: the outside world (the payment provider). Top-ups move money provider -> actor, payouts actor ->
  provider, so its balance is always minus the money inside the platform and the sum of all wallets is zero. It is
  the only wallet that may go negative.
"""

from __future__ import annotations

from neo4j import AsyncManagedTransaction

from core.errors import InsufficientFundsError, UserInputError
from graph import ledger as queries
from graph.driver import native

ESCROW = "escrow"
PROVIDER = "provider"
#: 'reversal' puts back the money of a payout the provider failed to pay.
KINDS = frozenset({"topup", "payout", "payment", "release", "refund", "reversal"})
_ACTOR_PREFIX = "actor:"


def actor_wallet(actor_id: str) -> str:
    """The WalletRef of an actor's wallet (a person's or an organisation's)."""
    return _ACTOR_PREFIX + actor_id


def wallet_owner(wallet: str) -> str | None:
    """The actor id holding ``wallet``; None for escrow and the provider."""
    return wallet[len(_ACTOR_PREFIX):] if wallet.startswith(_ACTOR_PREFIX) else None


def _spec(wallet: str) -> dict:
    if wallet == ESCROW:
        return {"id": ESCROW, "kind": "escrow", "ownerId": None}
    if wallet == PROVIDER:
        return {"id": PROVIDER, "kind": "external", "ownerId": None}
    owner = wallet_owner(wallet)
    if not owner:
        raise ValueError(f"not a wallet reference: {wallet!r}")
    return {"id": wallet, "kind": "actor", "ownerId": owner}


async def post_entry(tx: AsyncManagedTransaction, *, debit: str, credit: str, amount: int, kind: str,
                     order_id: str | None = None, memo: str | None = None) -> dict:
    """One double-entry movement of ``amount`` đồng from wallet ``debit`` to wallet ``credit`` inside the caller's
    write transaction. Locks both wallets (sorted by id, so no two movements deadlock) before reading balances;
    raises InsufficientFundsError (field 'amountDong') when ``debit`` (other than PROVIDER) would go negative; the
    caller lets it propagate so its transaction rolls back. Returns the entry: {id, kind, amount, at, memo,
    debitBalanceAfter, creditBalanceAfter, debitWallet, creditWallet, orderId}."""
    if kind not in KINDS:
        raise ValueError(f"unknown ledger entry kind {kind!r}")
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise UserInputError("The amount must be a positive whole number of đồng.", field="amountDong")
    if debit == credit:
        raise ValueError("a movement needs two different wallets")
    specs = sorted([_spec(debit), _spec(credit)], key=lambda s: s["id"])
    await queries.lock_wallets(tx, specs)
    entry = await queries.post_entry(tx, debit=debit, credit=credit, amount=amount, kind=kind, memo=memo,
                                     order_id=order_id, allow_negative=debit == PROVIDER)
    if entry is None:
        have = await queries.wallet_balance(tx, debit)
        raise InsufficientFundsError(
            f"The wallet holds {have:,} đồng, less than the {amount:,} đồng needed.", field="amountDong"
        )
    return {**entry, "at": native(entry.get("at"))}


async def balance(tx: AsyncManagedTransaction, wallet: str) -> int:
    """The balance of ``wallet`` in đồng (0 for a wallet never used)."""
    return await queries.wallet_balance(tx, wallet)
