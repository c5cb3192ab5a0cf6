from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class DatabaseStatus:
    reachable: bool
    version: str | None
    edition: str | None


@dataclass(frozen=True)
class MigrationRecord:
    id: str
    number: int
    name: str
    description: str
    checksum: str
    applied_at: datetime


@dataclass(frozen=True)
class Readiness:
    database_reachable: bool
    migrations_applied: int
    migrations_known: int

    @property
    def ready(self) -> bool:
        return self.database_reachable and self.migrations_applied >= self.migrations_known
