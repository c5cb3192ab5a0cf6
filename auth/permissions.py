"""Permission checks shared by every service: signed in, assurance level, granted roles."""

from __future__ import annotations

from auth.viewer import Viewer
from core.errors import ForbiddenError, UnauthenticatedError

LEVEL_NAMES = {
    0: "level 0 (self-declared)",
    1: "level 1 (a phone or e-mail proven by a one-time code)",
    2: "level 2 (identity document checked by a city officer)",
}


def require_person(viewer: Viewer) -> str:
    """The signed-in person's id, or UNAUTHENTICATED."""
    if viewer.kind != "person" or viewer.actor_id is None:
        raise UnauthenticatedError("Sign in first: send `Authorization: Bearer <accessToken>`.")
    return viewer.actor_id


def require_level(viewer: Viewer, level: int, action: str) -> str:
    """The person's id if their assurance level is at least ``level``, else FORBIDDEN saying which."""
    person_id = require_person(viewer)
    if viewer.assurance_level < level:
        raise ForbiddenError(
            f"To {action} you need verification {LEVEL_NAMES[level]}; yours is {LEVEL_NAMES[viewer.assurance_level]}.",
            extensions={"requiredLevel": level, "currentLevel": viewer.assurance_level},
        )
    return person_id


def require_role(viewer: Viewer, role: str, action: str) -> str:
    person_id = require_person(viewer)
    if not viewer.has_role(role):
        raise ForbiddenError(f"Only a city {role} may {action}.", extensions={"requiredRole": role})
    return person_id
