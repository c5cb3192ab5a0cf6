"""The viewer: one type for every caller (DESIGN.md, "The viewer")."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Viewer:
    """Who makes a request. Services take it as their first argument.

    ``kind`` is anonymous or person today; organisation representatives act as persons with a
    representative role checked per organisation, and partner apps (with scopes) come with the
    partner-platform issue.
    """

    kind: str = "anonymous"  # anonymous | person | partner_app
    actor_id: str | None = None
    session_id: str | None = None
    assurance_level: int = 0
    roles: frozenset[str] = field(default_factory=frozenset)
    scopes: frozenset[str] = field(default_factory=frozenset)

    @property
    def is_anonymous(self) -> bool:
        return self.kind == "anonymous"

    def has_role(self, role: str) -> bool:
        return role in self.roles


ANONYMOUS = Viewer()
