"""Wallets, ledger, orders, reviews, disputes and idempotency keys."""

from __future__ import annotations

DESCRIPTION = "Wallets, ledger entries, orders, reviews, disputes and idempotency keys: ids and lookups."

STATEMENTS: list[str] = []
