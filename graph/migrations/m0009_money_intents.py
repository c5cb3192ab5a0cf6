"""Top-up intents, stuck-payment lookups and the purge of expired idempotency keys."""

from __future__ import annotations

DESCRIPTION = "Top-up intents (TopUp), pending top-ups and payouts by age, idempotency keys by age."

STATEMENTS: list[str] = [
    "CREATE CONSTRAINT topup_id_unique IF NOT EXISTS FOR (t:TopUp) REQUIRE t.id IS UNIQUE",
    # Reconciliation and the officers' stuckPayments list: pending intents older than a threshold, oldest first.
    "CREATE INDEX topup_status_created IF NOT EXISTS FOR (t:TopUp) ON (t.status, t.createdAt)",
    "CREATE INDEX payout_status_created IF NOT EXISTS FOR (p:Payout) ON (p.status, p.createdAt)",
    # The periodic purge of keys past their retention.
    "CREATE INDEX idempotency_key_created IF NOT EXISTS FOR (k:IdempotencyKey) ON (k.createdAt)",
]
