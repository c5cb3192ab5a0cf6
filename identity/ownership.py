"""Who decides who represents an organisation: its owners, and only they.

Acting *for* an organisation (selling, paying, answering for it, seeing its pending invitations and the history of
its representatives) is ``auth.rules.acts_for``: its owners and admins, checked by ``identity.acting``. Choosing
*who* represents it is a narrower rule, kept here: owners carry the organisation's legal weight, so only an owner
invites, changes or revokes a representative, and withdraws an invitation. Admins act for the organisation but do
not choose its people. The rule is decided in Python only (under the organisation's representation lock), so it
has no Cypher mirror.
"""

from __future__ import annotations

from auth.permissions import permission
from core.errors import ForbiddenError

OWNER = "owner"


def decides_representation(role: str | None) -> bool:
    """The person, whose representative role in the organisation is ``role`` (None: none), decides who represents
    it: they are one of its owners."""
    return role == OWNER


def require_owner(action: str, role: str | None) -> None:
    """FORBIDDEN, with the permission's ``refusal`` (``auth.permissions``: every permission checked here declares
    one, so the message is a sentence the catalogs translate), unless ``role`` decides representation."""
    if not decides_representation(role):
        refusal = permission(action).refusal
        assert refusal is not None, f"{action} declares no refusal for its owners-only check"
        raise ForbiddenError(refusal)
