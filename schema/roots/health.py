"""Root fields of the platform's health: version, readiness, applied migrations."""

from __future__ import annotations

import strawberry

from resolvers import health as health_resolvers
from schema.health import Health, SchemaMigrationConnection, Version


@strawberry.type
class HealthQuery:
    """Query fields of health; merged into the root Query by schema.assemble."""

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
