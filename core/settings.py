"""One typed settings object, read from the environment (prefix ``HANOISMART_``).

Every variable is listed with its development default in ``.env.example``. The Neo4j connection
also honours the conventional unprefixed ``NEO4J_URI`` / ``NEO4J_USERNAME`` / ``NEO4J_PASSWORD`` /
``NEO4J_DATABASE``: when a URI is given, the project uses that server and starts none itself.
"""

from __future__ import annotations

import ipaddress
import math
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent

#: What a webhook delivery's lease keeps beyond one attempt's deadline (recording the attempt; clocks): the
#: dispatcher does not start an attempt with less lease left than ``webhook_timeout_seconds`` plus this.
WEBHOOK_LEASE_MARGIN_SECONDS = 5


class Settings(BaseSettings):
    """Runtime configuration. Field descriptions double as the documentation of ``.env.example``."""

    model_config = SettingsConfigDict(
        env_prefix="HANOISMART_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        populate_by_name=True,
    )

    environment: Literal["development", "test", "production"] = Field(
        "development", description="Deployment environment; production refuses development defaults."
    )
    host: str = Field("127.0.0.1", description="Address the API listens on.")
    port: int = Field(8000, ge=1, le=65535, description="Port the API listens on.")
    var_dir: Path = Field(
        REPO_ROOT / "var", description="Where local state lives: Neo4j data, generated secrets, caches."
    )

    # --- Neo4j -----------------------------------------------------------------------------
    neo4j_uri: str | None = Field(
        None,
        validation_alias=AliasChoices("HANOISMART_NEO4J_URI", "NEO4J_URI"),
        description="Bolt URI of an existing Neo4j (bolt:// or neo4j://). Unset: start a local one.",
    )
    neo4j_username: str = Field("neo4j", validation_alias=AliasChoices("HANOISMART_NEO4J_USERNAME", "NEO4J_USERNAME"))
    neo4j_password: SecretStr | None = Field(
        None,
        validation_alias=AliasChoices("HANOISMART_NEO4J_PASSWORD", "NEO4J_PASSWORD"),
        description="Password for neo4j_uri. For the local server it is generated under var/.",
    )
    neo4j_database: str = Field("neo4j", validation_alias=AliasChoices("HANOISMART_NEO4J_DATABASE", "NEO4J_DATABASE"))
    neo4j_tx_timeout_seconds: float = Field(10.0, gt=0, description="Timeout of one transaction.")
    neo4j_max_pool_size: int = Field(50, ge=1, description="Bolt connections per process.")
    neo4j_connect_timeout_seconds: float = Field(5.0, gt=0)
    # Overload (graph/driver.py AdmissionGate): at most neo4j_max_pool_size transactions at once, a bounded queue.
    neo4j_admission_queue: int = Field(
        1000, ge=0, description="Transactions that may wait for a free connection; beyond that UNAVAILABLE at once."
    )
    neo4j_admission_wait_seconds: float = Field(
        10.0, gt=0, description="Longest wait for a free connection before UNAVAILABLE (with retryAfterSeconds)."
    )

    # --- Neo4j outages (graph/driver.py OutageBreaker) --------------------------------------
    neo4j_probe_timeout_seconds: float = Field(
        2.0,
        gt=0,
        description="Connect timeout of an outage probe (its own connection); a probe that times out proves "
        "nothing (a slow Neo4j is not a dead one). The API's pool keeps neo4j_connect_timeout_seconds.",
    )
    neo4j_down_probe_seconds: float = Field(
        1.0,
        gt=0,
        description="While Neo4j is known down, requests answer UNAVAILABLE at once (retryAfterSeconds = this) "
        "and a probe asks Neo4j this often; the first answer ends the outage.",
    )
    neo4j_suspect_after_seconds: float = Field(
        1.0,
        gt=0,
        description="A database call still running this long after admission makes a probe check Neo4j; if it is "
        "down, waiting calls answer UNAVAILABLE at once instead of after the driver's retries.",
    )

    # --- the local Neo4j the project starts itself ------------------------------------------
    neo4j_version: str = Field("5.26.30", description="Neo4j release fetched from Maven Central.")
    neo4j_bolt_port: int = Field(7687, ge=1, le=65535, description="Bolt port of the local Neo4j.")
    neo4j_heap: str = Field("1g", description="JVM heap of the local Neo4j (-Xms/-Xmx).")
    neo4j_pagecache: str = Field("512m", description="Page cache of the local Neo4j.")
    neo4j_start_timeout_seconds: float = Field(120.0, gt=0)
    neo4j_fast_start: bool = Field(
        False, description="Start the JVM with C1 only: ~30% faster start, slower steady state (tests)."
    )

    migrate_on_start: bool = Field(True, description="Apply pending migrations when the API starts.")

    # --- identity and sign-in ---------------------------------------------------------------------
    identity_hmac_key: SecretStr | None = Field(
        None,
        description="Key of the HMAC that replaces identity-document numbers (32+ bytes). "
        "Unset outside production: generated once under var/. Changing it orphans every stored digest.",
    )
    keys_dir: Path | None = Field(
        None, description="Folder of the Ed25519 token-signing keys (default var/keys); generated on first start."
    )
    access_token_ttl_seconds: int = Field(600, ge=60, le=3600, description="Lifetime of an access token.")
    refresh_token_ttl_days: int = Field(30, ge=1, le=365, description="Lifetime of an unused session.")
    otp_ttl_seconds: int = Field(600, ge=60, le=3600, description="Lifetime of a one-time code.")
    otp_max_attempts: int = Field(5, ge=1, le=10, description="Wrong guesses before a one-time code dies.")
    otp_per_destination_per_hour: int = Field(5, ge=1, description="Codes sent to one phone/e-mail per hour.")
    login_free_failures: int = Field(
        5, ge=1, description="Failed logins per account from one client address before delays start."
    )
    login_free_failures_per_address: int = Field(
        30, ge=1, description="Failed logins per client address before delays."
    )
    login_max_delay_seconds: int = Field(900, ge=1, description="Longest delay imposed after failed logins.")

    # --- one-time codes and registration limits (counted windows, claimed atomically) -------------
    otp_per_account_per_hour: int = Field(
        10, ge=1, description="Codes one signed-in account may ask for per hour, whatever the destinations."
    )
    otp_reset_failures_per_day: int = Field(
        10, ge=1, description="Wrong password-reset codes per day, per destination and per account; the owner is told."
    )
    password_reset_starts_per_address_per_hour: int = Field(
        30, ge=1, description="Password-reset requests per client address per hour (known or unknown contacts)."
    )
    registrations_per_address_per_hour: int = Field(
        20, ge=1, description="Registration attempts per client address per hour (claimed before hashing)."
    )
    registrations_per_hour: int = Field(
        500, ge=1, description="Registration attempts per hour on the whole platform (claimed before hashing)."
    )
    registration_conflicts_per_address_per_day: int = Field(
        5,
        ge=1,
        description="Registrations refused as duplicates (CONFLICT) per client address per day, after which "
        "the address may not register for the rest of the day: bounds probing which citizen IDs have accounts.",
    )

    # --- anonymous denial and oracles: wrong reset codes per address, refused contacts per account ----------
    otp_reset_failures_per_address_per_day: int = Field(
        5,
        ge=1,
        description="Wrong password-reset codes per client address per day (keep it below "
        "OTP_RESET_FAILURES_PER_DAY, so one address alone cannot spend a contact's daily cap).",
    )
    contact_conflicts_per_account_per_day: int = Field(
        5,
        ge=1,
        description="contactAdd calls refused because another account verified the contact, per account "
        "per day; once spent, every contactAdd of that account is RATE_LIMITED for the rest of the day.",
    )

    # --- sign-in hardening: account-wide throttle, proxies, refresh grace, session lifetime -------------
    login_first_delay_seconds: int = Field(
        1,
        ge=1,
        le=3600,
        description="Wait once a throttle's free failures are used up; it doubles with each further failure.",
    )
    login_free_failures_per_account: int = Field(
        20, ge=1, description="Failed logins per account from all addresses together before delays start."
    )
    login_account_max_delay_seconds: int = Field(
        60,
        ge=1,
        description="Longest delay the account-wide throttle imposes (an address the owner signed in from never waits for it).",
    )
    trusted_proxies: str = Field(
        "",
        description="Comma-separated IPs or CIDR networks of the reverse proxies in front of the API. Only for a "
        "request from one of them is the client address taken from X-Forwarded-For (the right-most address "
        "that is not a trusted proxy). Empty: the TCP peer is the client.",
    )
    refresh_reuse_grace_seconds: int = Field(
        10,
        ge=0,
        le=120,
        description="A refresh token presented again within this many seconds of its rotation, by the same "
        "user agent, gets the same successor (a retry after a lost response); later, the session is closed.",
    )
    session_max_lifetime_days: int = Field(
        90, ge=1, le=3650, description="Absolute lifetime of a session: after it refresh fails, even if used daily."
    )

    @field_validator("trusted_proxies")
    @classmethod
    def _proxy_addresses(cls, value: str) -> str:
        for entry in filter(None, (e.strip() for e in value.split(","))):
            if entry == "*":
                raise ValueError("list the proxies' addresses or networks; '*' would let any client forge its address")
            try:
                ipaddress.ip_network(entry, strict=False)
            except ValueError as exc:
                raise ValueError(f"{entry!r} is neither an IP address nor a CIDR network") from exc
        return value

    # --- social graph ------------------------------------------------------------------------------
    connection_requests_per_day: int = Field(30, ge=1, description="Outgoing connection requests per person per day.")

    # --- marketplace money ---------------------------------------------------------------------------
    payment_provider: Literal["simulated"] = Field(
        "simulated",
        description="Provider of top-ups and payouts; 'simulated' confirms at once and is refused in production.",
    )
    topup_min_dong: int = Field(1_000, ge=1, description="Smallest wallet top-up accepted, in đồng.")
    topup_max_dong: int = Field(500_000_000, ge=1, description="Largest wallet top-up per request, in đồng.")
    # Crash windows and idempotency keys (marketplace/wallets.py reconcile, marketplace/idempotency.py).
    payment_reconcile_after_seconds: float = Field(
        300, ge=0, description="A top-up or payout still pending this long is asked about at the provider."
    )
    payment_reconcile_interval_seconds: float = Field(
        60, ge=0, description="How often the API reconciles pending payments and purges expired keys (0: never)."
    )
    idempotency_key_retention_seconds: int = Field(
        86_400, ge=1, description="How long an idempotency key is kept; a reuse after that is a new request."
    )
    idempotency_purge_batch: int = Field(1000, ge=1, description="Expired keys deleted per transaction.")
    payment_provider_timeout_seconds: float = Field(
        10, gt=0, description="Longest wait for one provider call (collect, disburse, lookup); then it is unanswered."
    )

    # --- marketplace bounds (inputs) ---------------------------------------------------------------
    max_price_dong: int = Field(
        1_000_000_000_000,
        ge=1,
        le=2**53 - 1,
        description="Largest listing price (or end of an investment range) accepted, in đồng.",
    )
    max_order_total_dong: int = Field(
        1_000_000_000_000_000,
        ge=1,
        le=2**53 - 1,
        description="Largest total of one order (quantity x price, summed over a cart's lines), in đồng.",
    )

    # --- GraphQL safety -----------------------------------------------------------------------
    max_query_depth: int = Field(12, ge=2, description="Deepest selection nesting accepted.")
    max_aliases: int = Field(30, ge=1, description="Most aliases in one document.")
    max_tokens: int = Field(5000, ge=100, description="Most lexical tokens in one document.")
    max_body_bytes: int = Field(1_000_000, ge=1024, description="Largest HTTP request body accepted.")
    introspection_enabled: bool = Field(
        True, description="Allow schema introspection queries (and 'Did you mean' hints). Default: off in production."
    )
    graphiql_enabled: bool = Field(
        True, description="Serve GraphiQL to browsers on GET /graphql. Default: off in production."
    )

    # --- partner platform (OAuth 2.1 / OpenID Connect provider) -----------------------------------
    oauth_issuer: str = Field(
        "http://127.0.0.1:8000",
        description="The OpenID Provider's issuer URL (`iss` of ID and app tokens, base of /oauth/* and discovery): "
        "the public https origin of the API in production, no trailing slash.",
    )
    pairwise_key: SecretStr | None = Field(
        None,
        description="Key of the pairwise subject identifiers apps see instead of internal ids (32+ bytes). Unset "
        "outside production: generated once under var/. Never change it: every app would see new users.",
    )
    authorization_code_ttl_seconds: int = Field(
        60, ge=10, le=600, description="Lifetime of an OAuth authorization code (single use)."
    )
    app_access_token_ttl_seconds: int = Field(
        600, ge=60, le=3600, description="Lifetime of an access token issued to a partner app."
    )
    app_refresh_token_ttl_days: int = Field(
        30, ge=1, le=365, description="Lifetime of an app's unused refresh token (rotated at each use)."
    )
    grant_ttl_days: int = Field(
        365, ge=1, le=730, description="How long a person's consent to an app lasts before they are asked again."
    )
    client_secret_overlap_days: int = Field(
        7, ge=0, le=90, description="How long a rotated client secret keeps working beside the new one."
    )

    # --- the HTTP edge --------------------------------------------------------------------------
    max_fields: int = Field(
        250,
        ge=10,
        description="Most fields one operation may select, a fragment counted at each use (QUERY_TOO_COMPLEX).",
    )
    cors_allowed_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Origins (scheme://host[:port], comma-separated) whose browser apps may call the API; "
        "empty: no cross-origin calls.",
    )
    graphiql_assets_dir: Path = Field(
        REPO_ROOT / "var" / "graphiql",
        description="GraphiQL's scripts and styles, fetched from the npm registry by scripts/fetch_graphiql.py.",
    )
    # --- partner platform II: rate limits, query cost, webhooks, usage ------------------------------------------
    quota_storage_uri: str = Field(
        "async+memory://",
        description="Where rate-limit and query-cost windows are counted (the `limits` library's storage URI): "
        "`async+memory://` is exact for one API process; several processes share `async+redis://host:6379`.",
    )
    # Request windows (quotas.requests): at most N GraphQL requests in any rate_limit_window_seconds.
    rate_limit_window_seconds: int = Field(
        60, ge=1, le=3600, description="Length of the request windows (a moving window: any span this long)."
    )
    rate_limit_app: int = Field(600, ge=1, description="Requests per window of a production partner app.")
    rate_limit_sandbox_app: int = Field(60, ge=1, description="Requests per window of a partner app in its sandbox.")
    rate_limit_app_person: int = Field(
        120, ge=1, description="Requests per window of a partner app acting for one person (within the app's own)."
    )
    rate_limit_person: int = Field(
        300, ge=1, description="Requests per window of a signed-in person through first-party clients."
    )
    rate_limit_address: int = Field(
        120, ge=1, description="Requests per window of anonymous callers from one client address."
    )
    token_failures_per_address: int = Field(
        5,
        ge=1,
        description="Token-endpoint failures recorded per minute for one client from one client address "
        "(App.tokenFailures); beyond them nothing more is recorded for that pair until the minute has passed.",
    )
    # query cost (schema.cost, quotas.cost; docs/partners.md "Query cost")
    query_cost_max: int = Field(
        10_000,
        ge=1,
        description="Most points one operation may cost (objects 1, connections page size × (1 + children), "
        "mutations 10); a costlier one is refused with QUERY_TOO_COMPLEX before any resolver runs.",
    )
    query_cost_window_seconds: int = Field(
        60, ge=1, description="The moving window in which the query-cost budgets below are counted."
    )
    query_cost_budget_app: int = Field(
        10_000, ge=1, description="Points a production partner app may spend per window (all its tokens together)."
    )
    query_cost_budget_sandbox_app: int = Field(
        1_000, ge=1, description="Points a partner app still in its sandbox may spend per window."
    )
    query_cost_budget_person: int = Field(
        10_000, ge=1, description="Points a signed-in person may spend per window through the city's own clients."
    )
    query_cost_budget_anonymous: int = Field(
        5_000, ge=1, description="Points anonymous requests from one client address may spend per window."
    )
    usage_flush_interval_seconds: float = Field(
        60,
        gt=0,
        description="How often the partner apps' usage counts kept in memory are added to the graph (UsageDay); "
        "once more at shutdown. A failed flush keeps its counts for the next.",
    )
    # webhooks (webhooks.dispatcher)
    webhook_dispatch_interval_seconds: float = Field(
        5.0,
        ge=0,
        description="How often the webhook dispatcher looks for due deliveries when nothing wakes it (0: it is "
        "paused; the API still queues deliveries).",
    )
    webhook_batch_size: int = Field(50, ge=1, le=1000, description="Most deliveries the dispatcher leases at once.")
    webhook_lease_seconds: int = Field(
        60,
        ge=5,
        le=3600,
        description="How long a leased delivery is the dispatcher's before another may take it. At least "
        "ceil(batch size / concurrency) x timeout + WEBHOOK_LEASE_MARGIN_SECONDS, so a whole batch is sent within its "
        "lease (checked at start).",
    )
    webhook_timeout_seconds: float = Field(
        10.0,
        gt=0,
        le=60,
        description="One attempt's overall deadline: resolving the host name, connecting, sending the delivery and "
        "reading the start of the answer (only its status counts).",
    )
    webhook_concurrency: int = Field(10, ge=1, le=200, description="Most webhook requests in flight at once.")
    webhook_secret_overlap_hours: int = Field(
        24, ge=0, le=168, description="How long a rotated webhook signing secret keeps signing beside the new one."
    )

    @field_validator("cors_allowed_origins", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            return [origin.strip().rstrip("/") for origin in value.split(",") if origin.strip()]
        return value

    password_hash_profile: Literal["standard", "test"] = Field(
        "standard",
        description="argon2id parameters of new password hashes: standard (RFC 9106 low-memory: t=3, 64 MiB, "
        "p=4) or test (t=1, 1 MiB, p=1; accepted only with environment=test, to keep the suite fast).",
    )

    @model_validator(mode="after")
    def _a_webhook_batch_fits_in_its_lease(self) -> Settings:
        """A batch is sent within its lease: otherwise another dispatcher could lease (and send) a delivery again
        while this one still sends it. (The dispatcher also skips a delivery whose remaining lease is too short.)"""
        rounds = math.ceil(self.webhook_batch_size / self.webhook_concurrency)
        needed = rounds * self.webhook_timeout_seconds + WEBHOOK_LEASE_MARGIN_SECONDS
        if self.webhook_lease_seconds < needed:
            raise ValueError(
                f"webhook_lease_seconds ({self.webhook_lease_seconds}) must be at least ceil(webhook_batch_size / "
                f"webhook_concurrency) x webhook_timeout_seconds + {WEBHOOK_LEASE_MARGIN_SECONDS} = {needed:g}"
            )
        return self

    @model_validator(mode="after")
    def _cheap_hashes_only_in_tests(self) -> Settings:
        if self.password_hash_profile != "standard" and self.environment != "test":
            raise ValueError("password_hash_profile 'test' is for the test suite only (environment=test)")
        return self

    @model_validator(mode="after")
    def _production_closes_the_schema(self) -> Settings:
        """In production, introspection and GraphiQL are off unless switched on explicitly."""
        if self.environment == "production":
            for name in ("introspection_enabled", "graphiql_enabled"):
                if name not in self.model_fields_set:
                    setattr(self, name, False)
        return self

    # --- logging --------------------------------------------------------------------------------
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field("INFO")
    log_format: Literal["auto", "json", "console"] = Field(
        "auto", description="auto: human-readable in a terminal, JSON lines otherwise."
    )

    @property
    def uses_local_neo4j(self) -> bool:
        return not self.neo4j_uri


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
