"""Who decides who represents an organisation (identity.ownership): its owners only, narrower than acting for it."""

from __future__ import annotations

import pytest

from auth import rules
from core.errors import ForbiddenError
from identity.model import REPRESENTATIVE_ROLES
from identity.ownership import decides_representation, require_owner

ROLES = (None, *REPRESENTATIVE_ROLES, "founder")  # "founder": a role the rule does not know


def test_only_owners_decide_representation_and_every_one_of_them_acts_for_the_organisation():
    assert [role for role in ROLES if decides_representation(role)] == ["owner"]
    for role in ROLES:
        if decides_representation(role):
            assert rules.acts_for("person", "org", role, organization_active=True), "an owner acts for it too"


@pytest.mark.parametrize(
    ("action", "message"),
    [
        ("identity.representative.set", "Only an owner of this organisation may change its representatives."),
        ("identity.invitation.withdraw", "Only an owner of this organisation may withdraw its invitations."),
    ],
)
def test_a_refusal_says_the_permission_s_words(action, message):
    require_owner(action, "owner")
    for role in (None, "admin", "member"):
        with pytest.raises(ForbiddenError) as refused:
            require_owner(action, role)
        assert refused.value.message == message
