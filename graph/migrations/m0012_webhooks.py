"""PLACEHOLDER kept by the usage branch only so that migration numbers stay contiguous (1..N) until the events
engineer's ``m0012_webhooks.py`` (BRIEF-15) is merged: take theirs over this file when merging."""

DESCRIPTION = "Placeholder of the webhooks migration (the events branch's m0012_webhooks replaces it)."

STATEMENTS: list[str] = []
