"""The viewer: one type for every caller (DESIGN.md, "The viewer")."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Viewer:
    """Who makes a request. Services take it as their first argument.

    Until sign-in exists every request is anonymous; the identity issue adds the person, the
    organisation acted for, the partner app and its scopes.
    """

    kind: str = "anonymous"  # anonymous | person | organization | partner_app
    actor_id: str | None = None
    assurance_level: int = 0
    roles: frozenset[str] = field(default_factory=frozenset)
    scopes: frozenset[str] = field(default_factory=frozenset)

    @property
    def is_anonymous(self) -> bool:
        return self.kind == "anonymous"


ANONYMOUS = Viewer()
