"""Bookkeeping of migrations themselves."""

DESCRIPTION = "Unique number and id of recorded schema migrations."

STATEMENTS = [
    "CREATE CONSTRAINT schema_migration_number_unique IF NOT EXISTS FOR (m:SchemaMigration) REQUIRE m.number IS UNIQUE",
    "CREATE CONSTRAINT schema_migration_id_unique IF NOT EXISTS FOR (m:SchemaMigration) REQUIRE m.id IS UNIQUE",
]
