"""The root types and the assembled Strawberry schema, with the safety extensions of every request."""

from __future__ import annotations

from functools import partial

import strawberry
from strawberry import relay
from strawberry.extensions import (
    DisableIntrospection,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    ValidationCache,
)
from strawberry.schema.config import StrawberryConfig

from core.settings import Settings
from resolvers import health as health_resolvers
from resolvers import node as node_resolvers
from schema.health import Health, SchemaMigrationConnection, Version


@strawberry.type(description="Everything that can be read. Lists are Relay connections (`first`/`after`).")
class Query:
    node: relay.Node | None = strawberry.field(
        resolver=node_resolvers.node,
        description="Fetch any object by its global id (Relay). Null when it does not exist or is hidden from you.",
    )
    version: Version = strawberry.field(
        resolver=health_resolvers.version, description="Versions of the API and of its Neo4j server."
    )
    health: Health = strawberry.field(
        resolver=health_resolvers.health, description="Readiness: database reachable and migrations applied."
    )
    schema_migrations: SchemaMigrationConnection = strawberry.field(
        resolver=health_resolvers.schema_migrations,
        description="Migrations applied to the graph, in order.",
    )


def extensions(settings: Settings) -> list:
    """Schema extensions as classes or factories, so each request gets fresh instances."""
    chosen = [
        partial(ParserCache, maxsize=512),
        partial(ValidationCache, maxsize=512),
        partial(MaxTokensLimiter, max_token_count=settings.max_tokens),
        partial(QueryDepthLimiter, max_depth=settings.max_query_depth),
        partial(MaxAliasesLimiter, max_alias_count=settings.max_aliases),
    ]
    if not settings.introspection_enabled:
        chosen.append(DisableIntrospection)
    return chosen


class HanoiSmartSchema(strawberry.Schema):
    def process_errors(self, errors, execution_context=None) -> None:
        """Errors are logged once, with the request id, by ``api.errors.format_error``."""


def build_schema(settings: Settings, *, query: type = Query, mutation: type | None = None) -> strawberry.Schema:
    """The schema of the API. Tests may pass a ``query`` that extends ``Query``."""
    return HanoiSmartSchema(
        query=query,
        mutation=mutation,
        extensions=extensions(settings),
        config=StrawberryConfig(auto_camel_case=True),
    )
