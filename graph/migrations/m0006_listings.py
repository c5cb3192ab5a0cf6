"""Marketplace listings and investment interest."""

from __future__ import annotations

DESCRIPTION = "Marketplace listings: ids, browse indexes and the full-text index; investment interest ids."

STATEMENTS: list[str] = []
