"""Cypher of wallets, ledger entries, payouts and idempotency keys (marketplace money).

A wallet is ``(:Wallet {id, kind, ownerId, balance, seq, createdAt, updatedAt})``: ``kind`` is 'actor',
'escrow' or 'external'; actor wallets are held by their actor, ``(:Actor)-[:HOLDS]->(:Wallet)``. An entry is
``(:LedgerEntry {id, kind, amount, at, memo, debitWallet, debitSeq, debitBalanceAfter, creditWallet, creditSeq,
creditBalanceAfter})`` with ``-[:DEBIT]->`` and ``-[:CREDIT]->`` its two wallets: a ``...Seq`` is that wallet's own
entry counter, so a statement is ordered exactly even when two entries share a timestamp.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypedDict, TypeVar

from neo4j import AsyncManagedTransaction

from core.pagination import Window
from graph.driver import native, run, window_keyset
from graph.paging import both_ways
from graph.rows import node_row, row

T = TypeVar("T")


def _node(kind: type[T], props: Mapping[str, Any]) -> T:
    """``kind`` from a node's map projection (``n {.*}``, which leaves out the properties never set: None for
    those), its temporal values as Python datetimes."""
    return node_row(kind, {key: native(value) for key, value in props.items()})


# --- rows ------------------------------------------------------------------------------------------------------------


class WalletSpec(TypedDict):
    """A wallet to lock (and create on first use), passed whole to LOCK_WALLETS."""

    id: str
    kind: str  # actor | escrow | external
    ownerId: str | None


@dataclass(frozen=True)
class Wallet:
    id: str
    kind: str
    owner_id: str | None
    balance: int
    seq: int  # the wallet's own entry counter
    created_at: datetime | None
    updated_at: datetime | None


@dataclass(frozen=True)
class LedgerEntry:
    """One movement of ``amount`` from ``debit_wallet`` to ``credit_wallet``, with each wallet's balance and entry
    counter right after it."""

    id: str
    kind: str
    amount: int
    at: datetime
    memo: str | None
    order_id: str | None
    debit_wallet: str
    debit_seq: int
    debit_balance_after: int
    credit_wallet: str
    credit_seq: int
    credit_balance_after: int


@dataclass(frozen=True)
class StatementLine:
    """An entry of a wallet's statement and its place (``seq``) in that wallet's entries."""

    entry: LedgerEntry
    seq: int


@dataclass(frozen=True)
class EntryWithOwners:
    """An entry and the actors holding its two wallets (None for escrow and the provider)."""

    entry: LedgerEntry
    debit_owner: str | None
    credit_owner: str | None


@dataclass(frozen=True)
class LedgerTotals:
    wallets: int  # the sum of the actors' wallets
    escrow: int
    provider: int
    negative: int  # wallets below zero (other than the provider's)
    entries: int
    malformed: int  # entries that do not move a positive amount from one wallet to one other


@dataclass(frozen=True)
class Payout:
    id: str
    actor_id: str
    amount: int
    reference: str  # the provider's idempotency key of this payout
    status: str  # requested | sending | paid | failed
    entry_id: str
    created_at: datetime
    provider_reference: str | None
    failure: str | None
    settled_at: datetime | None


@dataclass(frozen=True)
class TopUp:
    id: str
    scope: str  # its idempotency key's scope
    actor_id: str
    amount: int
    reference: str  # the provider's idempotency key of this top-up
    status: str  # pending | settled | failed
    created_at: datetime
    entry_id: str | None
    provider_reference: str | None
    failure: str | None
    settled_at: datetime | None
    reopened_at: datetime | None


@dataclass(frozen=True)
class StuckIntent:
    """A top-up still pending or a payout not yet paid (``kind``: topup | payout)."""

    kind: str
    id: str
    actor_id: str
    amount: int
    reference: str
    status: str
    created_at: datetime


@dataclass(frozen=True)
class KeyClaim:
    """An idempotency key as claimed: ``created`` when it is new to this transaction (or expired, so new again);
    otherwise the operation, fingerprint and result (JSON; None while in progress) stored under it, and the
    intent (a pending top-up) it points at."""

    created: bool
    operation: str | None
    fingerprint: str | None
    result: str | None
    intent_id: str | None


@dataclass(frozen=True)
class StoredKey:
    operation: str
    fingerprint: str
    result: str


# --- wallets and entries ------------------------------------------------------------------------------------------

# Wallets are MERGEd (created on first use) and write-locked in the order of $wallets (the caller sorts them),
# so two transactions moving money between the same wallets cannot deadlock. Setting a property takes the lock:
# a later read in this transaction sees the balance no other transaction can change any more.
LOCK_WALLETS = """
UNWIND $wallets AS spec
MERGE (w:Wallet {id: spec.id})
  ON CREATE SET w.kind = spec.kind, w.ownerId = spec.ownerId, w.balance = 0, w.seq = 0, w.createdAt = datetime(),
                w.fresh = true
SET w.updatedAt = datetime()
WITH w, spec
CALL (w, spec) {
  WITH w, spec WHERE w.fresh
  MATCH (a:Actor {id: spec.ownerId})
  CREATE (a)-[:HOLDS]->(w)
}
REMOVE w.fresh
RETURN count(w) AS locked
"""


async def lock_wallets(tx: AsyncManagedTransaction, wallets: list[WalletSpec]) -> None:
    await run(tx, LOCK_WALLETS, wallets=wallets)


# Runs after LOCK_WALLETS in the same transaction. Returns no row when the debit wallet would go negative
# (the external wallet may): then nothing is written.
POST_ENTRY = """
MATCH (d:Wallet {id: $debit}), (c:Wallet {id: $credit})
WITH d, c WHERE $allowNegative OR d.balance >= $amount
SET d.balance = d.balance - $amount, d.seq = d.seq + 1,
    c.balance = c.balance + $amount, c.seq = c.seq + 1
CREATE (e:LedgerEntry {id: randomUUID(), kind: $kind, amount: $amount, at: datetime.realtime(), memo: $memo,
                       debitBalanceAfter: d.balance, creditBalanceAfter: c.balance,
                       debitWallet: d.id, creditWallet: c.id, debitSeq: d.seq, creditSeq: c.seq, orderId: $orderId})
CREATE (e)-[:DEBIT]->(d)
CREATE (e)-[:CREDIT]->(c)
WITH e
CALL (e) {
  MATCH (o:Order {id: $orderId})
  CREATE (e)-[:FOR]->(o)
}
RETURN e {.*} AS entry
"""


async def post_entry(
    tx: AsyncManagedTransaction,
    *,
    debit: str,
    credit: str,
    amount: int,
    kind: str,
    memo: str | None,
    order_id: str | None,
    allow_negative: bool,
) -> LedgerEntry | None:
    found = await run(
        tx,
        POST_ENTRY,
        debit=debit,
        credit=credit,
        amount=amount,
        kind=kind,
        memo=memo,
        orderId=order_id,
        allowNegative=allow_negative,
    )
    return _node(LedgerEntry, found[0]["entry"]) if found else None


# The escrow wallet holding an order's money: the one its payment credited (whatever shard rule was in force when it
# was paid; before escrow was sharded every payment went to the single wallet that is now shard 0).
ORDER_ESCROW_WALLET = """
MATCH (:Order {id: $orderId})<-[:FOR]-(e:LedgerEntry {kind: 'payment'})-[:CREDIT]->(w:Wallet)
RETURN w.id AS wallet
ORDER BY e.at DESC LIMIT 1
"""


async def order_escrow_wallet(tx: AsyncManagedTransaction, order_id: str) -> str | None:
    found = await run(tx, ORDER_ESCROW_WALLET, orderId=order_id)
    return str(found[0]["wallet"]) if found else None


WALLET_BALANCE = "OPTIONAL MATCH (w:Wallet {id: $id}) RETURN coalesce(w.balance, 0) AS balance"


async def wallet_balance(tx: AsyncManagedTransaction, wallet_id: str) -> int:
    balance: int = (await run(tx, WALLET_BALANCE, id=wallet_id))[0]["balance"]
    return balance


WALLETS_BALANCE = "UNWIND $ids AS id OPTIONAL MATCH (w:Wallet {id: id}) RETURN sum(coalesce(w.balance, 0)) AS balance"


async def wallets_balance(tx: AsyncManagedTransaction, wallet_ids: list[str]) -> int:
    """The sum of these wallets' balances (the shards of escrow or of the provider)."""
    balance: int = (await run(tx, WALLETS_BALANCE, ids=wallet_ids))[0]["balance"]
    return balance


WALLET = "MATCH (w:Wallet {id: $id}) RETURN w {.*} AS wallet"


async def wallet(tx: AsyncManagedTransaction, wallet_id: str) -> Wallet | None:
    """The wallet (None until its first movement)."""
    found = await run(tx, WALLET, id=wallet_id)
    return _node(Wallet, found[0]["wallet"]) if found else None


# A wallet's entries, newest first, paged on the wallet's own entry counter (seq): entries between $lowerSeq and
# $upperSeq (exclusive; the `before` and `after` cursors). Each side is a seek on the (wallet, seq) index read from
# the cursor (backwards when paging forwards, forwards when paging back; ordering by both index properties lets the
# planner use the index order), so a page costs about $limit entries whatever the wallet's history: 275 db hits for
# a wallet of 3,000 entries, first page or deep, where expanding the wallet's entries costs 12,027 (bench-market).
STATEMENT = both_ways("""
CALL () {
  MATCH (e:LedgerEntry) USING INDEX SEEK e:LedgerEntry(debitWallet, debitSeq)
  WHERE e.debitWallet = $id AND e.debitSeq < $upperSeq AND e.debitSeq > $lowerSeq
  WITH e ORDER BY e.debitWallet {DESC}, e.debitSeq {DESC} LIMIT $limit
  RETURN e, e.debitSeq AS seq
  UNION ALL
  MATCH (e:LedgerEntry) USING INDEX SEEK e:LedgerEntry(creditWallet, creditSeq)
  WHERE e.creditWallet = $id AND e.creditSeq < $upperSeq AND e.creditSeq > $lowerSeq
  WITH e ORDER BY e.creditWallet {DESC}, e.creditSeq {DESC} LIMIT $limit
  RETURN e, e.creditSeq AS seq
}
WITH e, seq ORDER BY seq {DESC} LIMIT $limit
RETURN e {.*} AS entry, seq
""")

#: Larger than any wallet's entry counter: the first page reads from the newest entry.
NEWEST = 2**62
#: Smaller than any entry's sequence number (they start at 1).
OLDEST = 0


async def statement(tx: AsyncManagedTransaction, wallet_id: str, window: Window) -> list[StatementLine]:
    """One page of a wallet's entries in the window's reading order (its keys are sequence numbers)."""
    found = await run(
        tx,
        STATEMENT.of(window.backwards),
        id=wallet_id,
        upperSeq=window.after[0] if window.after else NEWEST,
        lowerSeq=window.before[0] if window.before else OLDEST,
        limit=window.limit,
    )
    return [StatementLine(_node(LedgerEntry, r["entry"]), r["seq"]) for r in found]


ENTRIES_BY_IDS = """
UNWIND $ids AS id
MATCH (e:LedgerEntry {id: id})
MATCH (e)-[:DEBIT]->(dw:Wallet), (e)-[:CREDIT]->(cw:Wallet)
RETURN e {.*} AS entry, dw.ownerId AS debitOwner, cw.ownerId AS creditOwner
"""


async def entries_by_ids(tx: AsyncManagedTransaction, ids: list[str]) -> list[EntryWithOwners]:
    found = await run(tx, ENTRIES_BY_IDS, ids=ids)
    return [EntryWithOwners(_node(LedgerEntry, r["entry"]), r["debitOwner"], r["creditOwner"]) for r in found]


# The invariant operators check: the sum of every wallet is zero (the external wallet holds minus the money
# inside the platform) and each entry moved the same amount out of one wallet and into another.
LEDGER_TOTALS = """
CALL () {
  MATCH (w:Wallet)
  RETURN sum(CASE w.kind WHEN 'actor' THEN w.balance ELSE 0 END) AS wallets,
         sum(CASE w.kind WHEN 'escrow' THEN w.balance ELSE 0 END) AS escrow,
         sum(CASE w.kind WHEN 'external' THEN w.balance ELSE 0 END) AS provider,
         sum(CASE WHEN w.kind <> 'external' AND w.balance < 0 THEN 1 ELSE 0 END) AS negative
}
CALL () {
  MATCH (e:LedgerEntry)
  RETURN count(e) AS entries,
         sum(CASE WHEN e.amount > 0 AND COUNT { (e)-[:DEBIT]->(:Wallet) } = 1
                   AND COUNT { (e)-[:CREDIT]->(:Wallet) } = 1 THEN 0 ELSE 1 END) AS malformed
}
RETURN wallets, escrow, provider, negative, entries, malformed
"""


async def ledger_totals(tx: AsyncManagedTransaction) -> LedgerTotals:
    return row(LedgerTotals, (await run(tx, LEDGER_TOTALS))[0])


# --- payouts (outbox) ------------------------------------------------------------------------------------------------

# The reference is the provider's idempotency key of this payout: one per payout (not per client key, which may be
# used again after its retention).
CREATE_PAYOUT = """
CREATE (p:Payout {id: $id, actorId: $actorId, amount: $amount, reference: 'payout:' + $id,
                  status: 'requested', entryId: $entryId, createdAt: datetime()})
RETURN p {.*} AS payout
"""


async def create_payout(
    tx: AsyncManagedTransaction, payout_id: str, actor_id: str, amount: int, entry_id: str
) -> Payout:
    found = await run(tx, CREATE_PAYOUT, id=payout_id, actorId=actor_id, amount=amount, entryId=entry_id)
    return _node(Payout, found[0]["payout"])


PAYOUT = "MATCH (p:Payout {id: $id}) RETURN p {.*} AS payout"


async def payout(tx: AsyncManagedTransaction, payout_id: str) -> Payout | None:
    found = await run(tx, PAYOUT, id=payout_id)
    return _node(Payout, found[0]["payout"]) if found else None


# Moves a payout from one status to the next exactly once (the SET takes the lock before the status is read):
# returns no row when another request got there first, so only one of them talks to the provider.
MOVE_PAYOUT = """
MATCH (p:Payout {id: $id})
SET p.touchedAt = datetime()
WITH p WHERE p.status = $fromStatus
SET p.status = $toStatus, p.providerReference = coalesce($providerReference, p.providerReference),
    p.failure = $failure, p.settledAt = CASE WHEN $toStatus IN ['paid', 'failed'] THEN datetime() END
RETURN p {.*} AS payout
"""


async def move_payout(
    tx: AsyncManagedTransaction,
    payout_id: str,
    from_status: str,
    to_status: str,
    *,
    provider_reference: str | None = None,
    failure: str | None = None,
) -> Payout | None:
    """The payout moved to ``to_status``; None when it was not in ``from_status`` (another request moved it)."""
    found = await run(
        tx,
        MOVE_PAYOUT,
        id=payout_id,
        fromStatus=from_status,
        toStatus=to_status,
        providerReference=provider_reference,
        failure=failure,
    )
    return _node(Payout, found[0]["payout"]) if found else None


# --- top-up intents -------------------------------------------------------------------------------------------------
# A top-up is recorded before the provider is asked: (:TopUp {id, scope, actorId, amount, reference, status,
# createdAt, settledAt, entryId, providerReference, failure}), status 'pending' -> 'settled' | 'failed', committed
# on its own with its idempotency key (pending: operation and fingerprint set, result null, intentId = the top-up).

CREATE_TOPUP = """
CREATE (t:TopUp {id: $id, scope: $scope, actorId: $actorId, amount: $amount, reference: 'topup:' + $id,
                 status: 'pending', createdAt: datetime()})
WITH t
MATCH (k:IdempotencyKey {scope: $scope})
SET k.operation = $operation, k.fingerprint = $fingerprint, k.intentId = t.id, k.claim = null
RETURN t {.*} AS topUp
"""


async def create_topup(
    tx: AsyncManagedTransaction,
    *,
    topup_id: str,
    scope: str,
    actor_id: str,
    amount: int,
    operation: str,
    fingerprint: str,
) -> TopUp:
    """A pending top-up, and the key ``scope`` (claimed in this transaction) pointing at it."""
    found = await run(
        tx,
        CREATE_TOPUP,
        id=topup_id,
        scope=scope,
        actorId=actor_id,
        amount=amount,
        operation=operation,
        fingerprint=fingerprint,
    )
    return _node(TopUp, found[0]["topUp"])


# Locks the top-up (SET before reading its status) so a request and the reconciliation settle it once.
LOCK_TOPUP = """
MATCH (t:TopUp {id: $id})
SET t.touchedAt = datetime()
RETURN t {.*} AS topUp
"""


async def lock_topup(tx: AsyncManagedTransaction, topup_id: str) -> TopUp | None:
    found = await run(tx, LOCK_TOPUP, id=topup_id)
    return _node(TopUp, found[0]["topUp"]) if found else None


TOPUP = "MATCH (t:TopUp {id: $id}) RETURN t {.*} AS topUp"


async def topup(tx: AsyncManagedTransaction, topup_id: str) -> TopUp | None:
    found = await run(tx, TOPUP, id=topup_id)
    return _node(TopUp, found[0]["topUp"]) if found else None


SETTLE_TOPUP = """
MATCH (t:TopUp {id: $id})
SET t.status = 'settled', t.entryId = $entryId, t.providerReference = $providerReference, t.settledAt = datetime(),
    t.settledAfterFailure = CASE WHEN $afterFailure THEN true END
WITH t
OPTIONAL MATCH (k:IdempotencyKey {scope: t.scope}) WHERE k.intentId = t.id
SET k.result = $result
"""


async def settle_topup(
    tx: AsyncManagedTransaction,
    topup_id: str,
    entry_id: str,
    provider_reference: str,
    result: str,
    *,
    after_failure: bool = False,
) -> None:
    """Mark a locked top-up settled and store ``result`` under its key (if the key is still there);
    ``after_failure``: it had been marked failed (the provider collected it after all)."""
    await run(
        tx,
        SETTLE_TOPUP,
        id=topup_id,
        entryId=entry_id,
        providerReference=provider_reference,
        result=result,
        afterFailure=after_failure,
    )


# A failed top-up frees its key: the client may try again with it (nothing was collected).
FAIL_TOPUP = """
MATCH (t:TopUp {id: $id})
SET t.status = 'failed', t.failure = $failure, t.settledAt = datetime()
WITH t
OPTIONAL MATCH (k:IdempotencyKey {scope: t.scope}) WHERE k.intentId = t.id
DELETE k
"""


async def fail_topup(tx: AsyncManagedTransaction, topup_id: str, failure: str) -> None:
    await run(tx, FAIL_TOPUP, id=topup_id, failure=failure)


# A failed top-up back to pending (its key, freed when it failed, stays as it is now: maybe reused already).
REOPEN_TOPUP = """
MATCH (t:TopUp {id: $id})
SET t.status = 'pending', t.settledAt = null, t.reopenedAt = datetime()
"""


async def reopen_topup(tx: AsyncManagedTransaction, topup_id: str) -> None:
    await run(tx, REOPEN_TOPUP, id=topup_id)


# --- what is stuck: intents the provider may have acted on, older than a threshold --------------------------------

_STUCK = """
CALL () {
  MATCH (t:TopUp) WHERE t.status = 'pending' AND t.createdAt < datetime() - duration({seconds: $age})
  RETURN t AS x, 'topup' AS kind
  UNION ALL
  MATCH (p:Payout) WHERE p.status IN ['requested', 'sending'] AND p.createdAt < datetime() - duration({seconds: $age})
  RETURN p AS x, 'payout' AS kind
}
"""

# Oldest first, between the cursors.
STUCK_INTENTS = both_ways(
    _STUCK
    + """
WITH x, kind WHERE ($afterTime IS NULL OR [x.createdAt, x.id] > [datetime($afterTime), $afterId])
  AND ($beforeTime IS NULL OR [x.createdAt, x.id] < [datetime($beforeTime), $beforeId])
RETURN x {.id, .actorId, .amount, .reference, .status, .createdAt} AS intent, kind
ORDER BY x.createdAt {ASC}, x.id {ASC} LIMIT $limit
"""
)

STUCK_COUNT = _STUCK + "RETURN count(x) AS total"


async def stuck_intents(tx: AsyncManagedTransaction, *, age_seconds: float, window: Window) -> list[StuckIntent]:
    """Pending top-ups and payouts not yet paid, created more than ``age_seconds`` ago: one page, oldest first, in
    the window's reading order."""
    found = await run(
        tx,
        STUCK_INTENTS.of(window.backwards),
        age=age_seconds,
        limit=window.limit,
        **window_keyset(window),
    )
    return [_node(StuckIntent, {**r["intent"], "kind": r["kind"]}) for r in found]


async def stuck_count(tx: AsyncManagedTransaction, age_seconds: float) -> int:
    total: int = (await run(tx, STUCK_COUNT, age=age_seconds))[0]["total"]
    return total


# --- idempotency keys --------------------------------------------------------------------------------------------

# Under idempotency_key_scope_unique a second transaction MERGEing the same scope waits for the first to commit
# (then matches its key) or roll back (then creates it itself). A finished key older than the retention is taken
# as unused: it is claimed afresh, under the write lock the SET takes before the key is read.
CLAIM_KEY = """
MERGE (k:IdempotencyKey {scope: $scope})
  ON CREATE SET k.createdAt = datetime(), k.claim = $claim
SET k.claimLock = true
REMOVE k.claimLock
WITH k
CALL (k) {
  WITH k WHERE k.claim IS NULL AND k.result IS NOT NULL
           AND k.createdAt < datetime() - duration({seconds: $retention})
  SET k.createdAt = datetime(), k.claim = $claim, k.operation = null, k.fingerprint = null, k.result = null,
      k.intentId = null
}
RETURN k.claim = $claim AS created, k.operation AS operation, k.fingerprint AS fingerprint, k.result AS result,
       k.intentId AS intentId
"""


async def claim_key(tx: AsyncManagedTransaction, scope: str, claim: str, retention_seconds: float) -> KeyClaim:
    return row(KeyClaim, (await run(tx, CLAIM_KEY, scope=scope, claim=claim, retention=retention_seconds))[0])


FINISH_KEY = """
MATCH (k:IdempotencyKey {scope: $scope})
SET k.operation = $operation, k.fingerprint = $fingerprint, k.result = $result, k.claim = null
"""


async def finish_key(tx: AsyncManagedTransaction, scope: str, operation: str, fingerprint: str, result: str) -> None:
    await run(tx, FINISH_KEY, scope=scope, operation=operation, fingerprint=fingerprint, result=result)


KEY = """
MATCH (k:IdempotencyKey {scope: $scope})
WHERE k.operation IS NOT NULL AND k.result IS NOT NULL
  AND k.createdAt >= datetime() - duration({seconds: $retention})
RETURN k.operation AS operation, k.fingerprint AS fingerprint, k.result AS result
"""


async def stored_key(tx: AsyncManagedTransaction, scope: str, retention_seconds: float) -> StoredKey | None:
    found = await run(tx, KEY, scope=scope, retention=retention_seconds)
    return row(StoredKey, found[0]) if found else None


# Finished keys past their retention, in bounded batches (a pending top-up's key stays until it is settled). The
# first filter reads without locks: a candidate may be re-claimed meanwhile (CLAIM_KEY renews an expired key under
# its lock, fresh createdAt, then stores a new result). So each candidate is write-locked first (SET), then checked
# again, reading what the re-claim committed, and only a key still expired and finished is deleted.
PURGE_KEYS = """
MATCH (k:IdempotencyKey)
WHERE k.createdAt < datetime() - duration({seconds: $retention}) AND k.result IS NOT NULL
WITH k LIMIT $batch
SET k.purgeLock = true
REMOVE k.purgeLock
WITH k
WHERE k.createdAt < datetime() - duration({seconds: $retention}) AND k.result IS NOT NULL AND k.claim IS NULL
DELETE k
RETURN count(*) AS purged
"""


async def purge_keys(tx: AsyncManagedTransaction, retention_seconds: float, batch: int) -> int:
    purged: int = (await run(tx, PURGE_KEYS, retention=retention_seconds, batch=batch))[0]["purged"]
    return purged
