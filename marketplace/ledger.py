"""Double-entry money movements between wallets: the primitives every money-moving use case calls.

Every movement is one ``(:LedgerEntry)`` moving ``amount`` đồng out of a debit wallet into a credit wallet, written
in the caller's write transaction together with the state change that causes it, so money never moves without its
reason (and the reason never happens without its money). Three kinds of wallet:

- an actor's wallet (``actor_wallet(actor_id)``), created on first use;
- ``ESCROW``: the platform holds a buyer's payment until the order completes or is refunded;
- ``PROVIDER``: the outside world (the payment provider). Top-ups move money provider -> actor, payouts actor ->
  provider, so its balance is always minus the money inside the platform and the sum of all wallets is zero. It is
  the only wallet that may go negative.

Escrow and the provider are each ``SHARDS`` wallets (shards), not one: every movement write-locks both its wallets
until commit, so one shared escrow wallet made every payment, release and refund of the whole market wait for each
other (and one provider wallet every top-up and payout). A movement touches the shard chosen by a hash of its order
(escrow: the payment, release and refund of one order always meet the same shard, which therefore never goes
negative) or else of the actor's wallet on the other side (a wallet already locked by that movement, so sharding
adds no new contention). Shard 0 keeps the id of the former single wallet. A release or refund debits the escrow
wallet its order's payment entry credited (looked up in the same transaction), not the shard the hash picks now, so
orders paid into the single wallet before sharding (or under another ``SHARDS``) settle from where their money is.
The invariant is unchanged: the sum of every wallet, shards included, is zero; totals and balances of ESCROW and
PROVIDER sum their shards.
"""

from __future__ import annotations

import hashlib

from neo4j import AsyncManagedTransaction

from core.errors import InsufficientFundsError, UserInputError
from graph import ledger as queries
from graph.ledger import LedgerEntry, WalletSpec

ESCROW = "escrow"
PROVIDER = "provider"
#: Wallets that each of ESCROW and PROVIDER is spread over (see the module docstring).
SHARDS = 16
#: 'reversal' puts back the money of a payout the provider failed to pay.
KINDS = frozenset({"topup", "payout", "payment", "release", "refund", "reversal"})
_ACTOR_PREFIX = "actor:"


def actor_wallet(actor_id: str) -> str:
    """The WalletRef of an actor's wallet (a person's or an organisation's)."""
    return _ACTOR_PREFIX + actor_id


def wallet_owner(wallet: str) -> str | None:
    """The actor id holding ``wallet``; None for escrow and the provider."""
    return wallet[len(_ACTOR_PREFIX) :] if wallet.startswith(_ACTOR_PREFIX) else None


def shard(wallet: str, key: str) -> str:
    """The shard of ESCROW or PROVIDER that a movement keyed by ``key`` uses (``wallet`` itself for shard 0)."""
    number = int.from_bytes(hashlib.sha256(key.encode()).digest()[:4], "big") % SHARDS
    return shard_id(wallet, number)


def platform_wallet(wallet: str) -> str | None:
    """ESCROW or PROVIDER for any of its shards; None for an actor's wallet."""
    base = wallet.split(":", 1)[0]
    return base if base in (ESCROW, PROVIDER) else None


def _spec(wallet: str) -> WalletSpec:
    platform = platform_wallet(wallet)
    if platform == ESCROW:
        return {"id": wallet, "kind": "escrow", "ownerId": None}
    if platform == PROVIDER:
        return {"id": wallet, "kind": "external", "ownerId": None}
    owner = wallet_owner(wallet)
    if not owner:
        raise ValueError(f"not a wallet reference: {wallet!r}")
    return {"id": wallet, "kind": "actor", "ownerId": owner}


async def post_entry(
    tx: AsyncManagedTransaction,
    *,
    debit: str,
    credit: str,
    amount: int,
    kind: str,
    order_id: str | None = None,
    memo: str | None = None,
    field: str | None = "amountDong",
) -> LedgerEntry:
    """One double-entry movement of ``amount`` đồng from wallet ``debit`` to wallet ``credit`` inside the caller's
    write transaction. Locks both wallets (sorted by id, so no two movements deadlock) before reading balances;
    raises InsufficientFundsError (naming ``field``, the input field that holds the amount, or nothing when the
    amount is not the caller's input: an order's total) when ``debit`` (other than PROVIDER) would go negative; the
    caller lets it propagate so its transaction rolls back. Returns the entry (with both wallets' balances after it)."""
    if kind not in KINDS:
        raise ValueError(f"unknown ledger entry kind {kind!r}")
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise UserInputError("The amount must be a positive whole number of đồng.", field=field)
    if debit == credit:
        raise ValueError("a movement needs two different wallets")
    shard_key = order_id or (credit if platform_wallet(debit) else debit)
    if debit == ESCROW and order_id is not None:
        # A release or refund takes the money from where the order's payment put it (orders paid before escrow was
        # sharded, or under another SHARDS, hold it elsewhere than the shard the hash picks now).
        debit = await queries.order_escrow_wallet(tx, order_id) or shard(ESCROW, shard_key)
    elif debit in (ESCROW, PROVIDER):
        debit = shard(debit, shard_key)
    if credit in (ESCROW, PROVIDER):
        credit = shard(credit, shard_key)
    specs = sorted([_spec(debit), _spec(credit)], key=lambda s: s["id"])
    await queries.lock_wallets(tx, specs)
    entry = await queries.post_entry(
        tx,
        debit=debit,
        credit=credit,
        amount=amount,
        kind=kind,
        memo=memo,
        order_id=order_id,
        allow_negative=platform_wallet(debit) == PROVIDER,
    )
    if entry is None:
        have = await queries.wallet_balance(tx, debit)
        raise InsufficientFundsError(
            "The wallet holds {have:,} đồng, less than the {amount:,} đồng needed.",
            field=field,
            params={"have": have, "amount": amount},
        )
    return entry


async def balance(tx: AsyncManagedTransaction, wallet: str) -> int:
    """The balance of ``wallet`` in đồng (0 for a wallet never used); of ESCROW or PROVIDER, all its shards'."""
    if wallet in (ESCROW, PROVIDER):
        return await queries.wallets_balance(tx, [shard_id(wallet, n) for n in range(SHARDS)])
    return await queries.wallet_balance(tx, wallet)


def shard_id(wallet: str, number: int) -> str:
    return wallet if number == 0 else f"{wallet}:{number}"
