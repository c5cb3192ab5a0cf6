"""Partner usage: per-app daily counters (``UsageDay``), the markers that make a counter flush safe to run twice
(``UsageFlush``), and the last token-endpoint failures of each OAuth client (``TokenFailure``)."""

DESCRIPTION = "Usage days per (app, Hà Nội day), usage flush markers, token-endpoint failures per client."

STATEMENTS = [
    # One node per app and day: the flush MERGEs on it (the constraint also keeps two processes from making two).
    "CREATE CONSTRAINT usage_day_app_day_unique IF NOT EXISTS FOR (u:UsageDay) REQUIRE (u.appId, u.day) IS UNIQUE",
    # A flush adds its counts once: its marker is created in the same transaction as the additions.
    "CREATE CONSTRAINT usage_flush_id_unique IF NOT EXISTS FOR (f:UsageFlush) REQUIRE f.id IS UNIQUE",
    "CREATE INDEX usage_flush_at IF NOT EXISTS FOR (f:UsageFlush) ON (f.at)",
    "CREATE CONSTRAINT token_failure_id_unique IF NOT EXISTS FOR (f:TokenFailure) REQUIRE f.id IS UNIQUE",
    "CREATE INDEX token_failure_client_seq IF NOT EXISTS FOR (f:TokenFailure) ON (f.clientId, f.seq)",
]
