"""One typed settings object, read from the environment (prefix ``HANOISMART_``).

Every variable is listed with its development default in ``.env.example``. The Neo4j connection
also honours the conventional unprefixed ``NEO4J_URI`` / ``NEO4J_USERNAME`` / ``NEO4J_PASSWORD`` /
``NEO4J_DATABASE``: when a URI is given, the project uses that server and starts none itself.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent


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
    neo4j_username: str = Field(
        "neo4j", validation_alias=AliasChoices("HANOISMART_NEO4J_USERNAME", "NEO4J_USERNAME")
    )
    neo4j_password: SecretStr | None = Field(
        None,
        validation_alias=AliasChoices("HANOISMART_NEO4J_PASSWORD", "NEO4J_PASSWORD"),
        description="Password for neo4j_uri. For the local server it is generated under var/.",
    )
    neo4j_database: str = Field(
        "neo4j", validation_alias=AliasChoices("HANOISMART_NEO4J_DATABASE", "NEO4J_DATABASE")
    )
    neo4j_tx_timeout_seconds: float = Field(10.0, gt=0, description="Timeout of one transaction.")
    neo4j_max_pool_size: int = Field(50, ge=1, description="Bolt connections per process.")
    neo4j_connect_timeout_seconds: float = Field(5.0, gt=0)

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
    login_free_failures: int = Field(5, ge=1, description="Failed logins per account before delays start.")
    login_free_failures_per_address: int = Field(30, ge=1, description="Failed logins per client address before delays.")
    login_max_delay_seconds: int = Field(900, ge=1, description="Longest delay imposed after failed logins.")

    # --- social graph ------------------------------------------------------------------------------
    connection_requests_per_day: int = Field(30, ge=1, description="Outgoing connection requests per person per day.")

    # --- marketplace money ---------------------------------------------------------------------------
    payment_provider: Literal["simulated"] = Field(
        "simulated",
        description="Provider of top-ups and payouts; 'simulated' confirms at once and is refused in production.",
    )
    topup_min_dong: int = Field(1_000, ge=1, description="Smallest wallet top-up accepted, in đồng.")
    topup_max_dong: int = Field(500_000_000, ge=1, description="Largest wallet top-up per request, in đồng.")

    # --- marketplace bounds (inputs) ---------------------------------------------------------------
    max_price_dong: int = Field(
        1_000_000_000_000, ge=1, le=2**53 - 1,
        description="Largest listing price (or end of an investment range) accepted, in đồng.",
    )
    max_order_total_dong: int = Field(
        1_000_000_000_000_000, ge=1, le=2**53 - 1,
        description="Largest total of one order (quantity x price, summed over a cart's lines), in đồng.",
    )

    # --- GraphQL safety -----------------------------------------------------------------------
    max_query_depth: int = Field(12, ge=2, description="Deepest selection nesting accepted.")
    max_aliases: int = Field(30, ge=1, description="Most aliases in one document.")
    max_tokens: int = Field(5000, ge=100, description="Most lexical tokens in one document.")
    max_body_bytes: int = Field(1_000_000, ge=1024, description="Largest HTTP request body accepted.")
    introspection_enabled: bool = Field(True, description="Allow schema introspection queries.")
    graphiql_enabled: bool = Field(True, description="Serve GraphiQL to browsers on GET /graphql.")

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
