"""Wallets, ledger, orders, reviews, disputes and idempotency keys."""

from __future__ import annotations

DESCRIPTION = "Wallets, ledger entries, orders, reviews, disputes and idempotency keys: ids and lookups."

STATEMENTS: list[str] = [
    # --- money (wallets, ledger, payouts, idempotency keys) ---
    # A wallet is MERGEd by id on first use: the constraint makes that MERGE safe under concurrency.
    "CREATE CONSTRAINT wallet_id_unique IF NOT EXISTS FOR (w:Wallet) REQUIRE w.id IS UNIQUE",
    "CREATE CONSTRAINT ledger_entry_id_unique IF NOT EXISTS FOR (e:LedgerEntry) REQUIRE e.id IS UNIQUE",
    # Statements: a wallet's entries by its own counter, read backwards from a cursor (each side of an entry).
    "CREATE INDEX ledger_entry_debit_seq IF NOT EXISTS FOR (e:LedgerEntry) ON (e.debitWallet, e.debitSeq)",
    "CREATE INDEX ledger_entry_credit_seq IF NOT EXISTS FOR (e:LedgerEntry) ON (e.creditWallet, e.creditSeq)",
    "CREATE CONSTRAINT payout_id_unique IF NOT EXISTS FOR (p:Payout) REQUIRE p.id IS UNIQUE",
    # scope = '<owner actor id>:<client key>': a concurrent duplicate MERGE blocks until the first one commits.
    "CREATE CONSTRAINT idempotency_key_scope_unique IF NOT EXISTS FOR (k:IdempotencyKey) REQUIRE k.scope IS UNIQUE",
    # orders, reviews, disputes
    "CREATE CONSTRAINT order_id_unique IF NOT EXISTS FOR (o:Order) REQUIRE o.id IS UNIQUE",
    "CREATE INDEX order_status IF NOT EXISTS FOR (o:Order) ON (o.status)",
    # myOrders: an actor's orders as buyer and as seller, newest first, read backwards from a cursor.
    "CREATE INDEX order_buyer_created IF NOT EXISTS FOR (o:Order) ON (o.buyerId, o.createdAt)",
    "CREATE INDEX order_seller_created IF NOT EXISTS FOR (o:Order) ON (o.sellerId, o.createdAt)",
    "CREATE INDEX order_place_key IF NOT EXISTS FOR (o:Order) ON (o.placeKey)",
    "CREATE CONSTRAINT order_event_id_unique IF NOT EXISTS FOR (e:OrderEvent) REQUIRE e.id IS UNIQUE",
    "CREATE CONSTRAINT review_id_unique IF NOT EXISTS FOR (r:Review) REQUIRE r.id IS UNIQUE",
    # One review per order: a second reviewCreate racing the first fails here (CONFLICT).
    "CREATE CONSTRAINT review_order_unique IF NOT EXISTS FOR (r:Review) REQUIRE r.orderId IS UNIQUE",
    "CREATE INDEX review_seller IF NOT EXISTS FOR (r:Review) ON (r.sellerId)",
    "CREATE CONSTRAINT dispute_id_unique IF NOT EXISTS FOR (d:Dispute) REQUIRE d.id IS UNIQUE",
    "CREATE CONSTRAINT dispute_order_unique IF NOT EXISTS FOR (d:Dispute) REQUIRE d.orderId IS UNIQUE",
    "CREATE INDEX dispute_status IF NOT EXISTS FOR (d:Dispute) ON (d.status)",
]
