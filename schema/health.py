"""GraphQL shapes of the platform's health: version, readiness and applied migrations."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry import relay

from health.model import DatabaseStatus, MigrationRecord, Readiness
from schema.common import CountedConnection


@strawberry.type(description="Versions of the running API and of the Neo4j server it reads.")
class Version:
    api: str = strawberry.field(description="Version of the HanoiSmart API package.")
    neo4j: str | None = strawberry.field(description="Neo4j server version, or null when unreachable.")
    neo4j_edition: str | None = strawberry.field(description="Neo4j edition (community or enterprise).")

    @classmethod
    def of(cls, api: str, database: DatabaseStatus) -> Version:
        return cls(api=api, neo4j=database.version, neo4j_edition=database.edition)


@strawberry.type(description="Whether the API can serve requests right now.")
class Health:
    database_reachable: bool = strawberry.field(description="Neo4j answered a query just now.")
    migrations_applied: int = strawberry.field(description="Highest migration number recorded in the graph.")
    migrations_known: int = strawberry.field(description="Number of migrations this API version ships.")
    ready: bool = strawberry.field(description="Database reachable and every migration applied.")

    @classmethod
    def of(cls, readiness: Readiness) -> Health:
        return cls(
            database_reachable=readiness.database_reachable,
            migrations_applied=readiness.migrations_applied,
            migrations_known=readiness.migrations_known,
            ready=readiness.ready,
        )


@strawberry.type(description="A schema migration (constraints, indexes, reference data) applied to the graph.")
class SchemaMigration(relay.Node):
    uuid: relay.NodeID[str] = strawberry.field(description="Internal UUID (prefer the global `id`).")
    number: int = strawberry.field(description="Position in the migration sequence, from 1.")
    name: str = strawberry.field(description="Short name of the migration.")
    description: str = strawberry.field(description="What the migration does.")
    checksum: str = strawberry.field(description="SHA-256 of its statements, to detect edits after applying.")
    applied_at: datetime = strawberry.field(description="When it was applied (UTC).")

    @classmethod
    def of(cls, record: MigrationRecord) -> SchemaMigration:
        return cls(
            uuid=record.id,
            number=record.number,
            name=record.name,
            description=record.description,
            checksum=record.checksum,
            applied_at=record.applied_at,
        )


@strawberry.type(description="A page of applied schema migrations.")
class SchemaMigrationConnection(CountedConnection[SchemaMigration]):
    pass
