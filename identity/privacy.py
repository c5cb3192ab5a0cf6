"""The one place that decides who sees which personal field (DESIGN.md, "Privacy by construction").

Every path that can reach a person's profile (the field, ``node(id:)``, lists, search, other
domains) receives a ``PersonView`` made here by ``person_view(record, viewer)``; a field the viewer
may not see is ``None`` in the view, and the API shows it as null.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from auth.viewer import Viewer


class Audience(StrEnum):
    PUBLIC = "public"
    CONNECTIONS = "connections"
    ONLY_ME = "only_me"


#: Personal fields whose audience the owner chooses, with their protective defaults.
DEFAULT_AUDIENCES: dict[str, Audience] = {
    "dateOfBirth": Audience.ONLY_ME,
    "sex": Audience.ONLY_ME,
    "phone": Audience.ONLY_ME,
    "email": Audience.ONLY_ME,
    "ward": Audience.CONNECTIONS,
    "investorSectors": Audience.PUBLIC,
    # who sees my lists of relations (connections, followers, following): the rule is social.visibility's
    "connections": Audience.CONNECTIONS,
}


def audience_property(field: str) -> str:
    """Graph property holding a field's audience, e.g. ``audience_dateOfBirth``."""
    return f"audience_{field}"


def default_audience_properties() -> dict[str, str]:
    return {audience_property(f): a.value for f, a in DEFAULT_AUDIENCES.items()}


class Relation(StrEnum):
    SELF = "self"
    CONNECTION = "connection"
    OTHER = "other"


def relation_of(viewer: Viewer, subject_id: str, *, connected: bool) -> Relation:
    """The person themself (signed in, or a partner app acting for them under their grant: it never sees more than
    they would, its scopes narrow it further), one of their connections (a signed-in person only: a person cannot
    hand their connections' private data to an app), or anyone else."""
    if viewer.actor_id == subject_id and viewer.kind in ("person", "partner_app"):
        return Relation.SELF
    if connected and viewer.kind == "person":
        return Relation.CONNECTION
    return Relation.OTHER


def may_see(audience: Audience, relation: Relation) -> bool:
    """The person always sees their own field, everyone sees it when PUBLIC, their connections when CONNECTIONS,
    nobody else when ONLY_ME. Mirror, for the queries that list people by a field they reveal (a ward's members,
    lists of relations): ``graph.rules.audience_admits``, held to this by ``tests/rules/test_profile_audience_agrees.py``."""
    if relation is Relation.SELF:
        return True
    if audience is Audience.PUBLIC:
        return True
    return audience is Audience.CONNECTIONS and relation is Relation.CONNECTION


def audience_of(person: Mapping[str, object], field: str) -> Audience:
    """The audience the person chose for ``field`` (its stored ``audience_<field>`` property), else the default."""
    stored = person.get(audience_property(field))
    return Audience(stored) if isinstance(stored, str) and stored else DEFAULT_AUDIENCES[field]
