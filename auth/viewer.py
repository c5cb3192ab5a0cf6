"""The viewer: one type for every caller (DESIGN.md, "The viewer")."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Viewer:
    """Who makes a request. Services take it as their first argument.

    ``kind`` is anonymous, person, or partner_app. Organisation representatives act as persons with a
    representative role checked per organisation. A ``partner_app`` viewer is an app acting for the person
    ``actor_id`` under the grant ``grant_id`` (docs/partners.md): it sees at most what that person would, narrowed
    by ``scopes``; a client-credentials token (the app itself, no person) has ``actor_id`` None.
    """

    kind: str = "anonymous"  # anonymous | person | partner_app
    actor_id: str | None = None
    session_id: str | None = None
    assurance_level: int = 0
    roles: frozenset[str] = field(default_factory=frozenset)
    scopes: frozenset[str] = field(default_factory=frozenset)
    #: partner_app only: the app, its OAuth client, the person's grant, and whether the app is still in its sandbox.
    app_id: str | None = None
    client_id: str | None = None
    grant_id: str | None = None
    sandbox: bool = False
    #: partner_app only: the app runs registered operations only (``partners.operations``; docs/partners.md).
    persisted_only: bool = False

    @property
    def is_anonymous(self) -> bool:
        return self.kind == "anonymous"

    @property
    def is_app(self) -> bool:
        """A partner app's token (for a person or for the app itself)."""
        return self.kind == "partner_app"

    def has_role(self, role: str) -> bool:
        return role in self.roles


ANONYMOUS = Viewer()
