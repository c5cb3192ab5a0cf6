"""The partner platform: apps, OAuth clients and secrets, grants, codes, app refresh tokens, the access log.

The scope catalogue is code (``partners.scopes``); an app's requested scopes and a grant's scopes are stored on
the app and the grant with the purposes they were shown with (docs/partners.md, "Data model")."""

from __future__ import annotations

DESCRIPTION = "Partner apps, OAuth clients and secrets, grants, codes, app refresh tokens, access log."

STATEMENTS: list[str] = [
    "CREATE CONSTRAINT app_id_unique IF NOT EXISTS FOR (a:App) REQUIRE a.id IS UNIQUE",
    "CREATE CONSTRAINT client_id_unique IF NOT EXISTS FOR (c:Client) REQUIRE c.clientId IS UNIQUE",
    "CREATE CONSTRAINT client_secret_sha256_unique IF NOT EXISTS FOR (s:ClientSecret) REQUIRE s.sha256 IS UNIQUE",
    "CREATE CONSTRAINT grant_id_unique IF NOT EXISTS FOR (g:Grant) REQUIRE g.id IS UNIQUE",
    "CREATE CONSTRAINT authorization_code_hash_unique IF NOT EXISTS FOR (c:AuthorizationCode) REQUIRE c.hash IS UNIQUE",
    "CREATE CONSTRAINT app_refresh_token_hash_unique IF NOT EXISTS FOR (t:AppRefreshToken) REQUIRE t.hash IS UNIQUE",
    "CREATE CONSTRAINT access_log_entry_id_unique IF NOT EXISTS FOR (e:AccessLogEntry) REQUIRE e.id IS UNIQUE",
    # A person's grants (one live grant per person and app), a person's access log newest first.
    "CREATE INDEX grant_person_app IF NOT EXISTS FOR (g:Grant) ON (g.personId, g.appId)",
    "CREATE INDEX access_log_person_at IF NOT EXISTS FOR (e:AccessLogEntry) ON (e.personId, e.at)",
    # Housekeeping: expired codes and tokens.
    "CREATE INDEX authorization_code_expires IF NOT EXISTS FOR (c:AuthorizationCode) ON (c.expiresAt)",
]
