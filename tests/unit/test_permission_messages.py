"""Every refusal of sign-in and identity is said in Vietnamese too, including the messages built by a function.

``tests/foundation/test_messages.py`` reads the literal templates given to an error; the messages composed at run
time are checked here: the FORBIDDEN / UNAUTHENTICATED / NOT_FOUND refusals ``auth.permissions.authorize`` builds from
each permission (enumerated by ``refusal_messages``, and shown to be all it can say by calling it for every kind of
viewer and standing), and the messages handed over in a constant (RATE_LIMITED limits, name rules, defaults).
"""

from __future__ import annotations

import ast
import string
from pathlib import Path

import pytest

from auth import permissions
from auth.permissions import (
    PERMISSIONS,
    Membership,
    Representation,
    authorize,
    refusal_messages,
)
from auth.tokens import InvalidTokenError
from auth.viewer import Viewer
from core.errors import AppError
from core.i18n import catalog, translate
from identity.model import REPRESENTATIVE_ROLES
from identity.names import NAME_MESSAGES
from identity.ownership import require_owner
from identity.verification import REASON_MISSING

ROOT = Path(__file__).resolve().parents[2]

ANONYMOUS = Viewer(kind="anonymous")


def _viewers() -> list[Viewer]:
    people = [
        Viewer(kind="person", actor_id="me", session_id="s", assurance_level=level, roles=frozenset(roles))
        for level in (0, 1, 2)
        for roles in ((), ("officer",), ("administrator",), ("officer", "administrator"))
    ]
    return [ANONYMOUS, *people]


def _standings() -> list[Representation | Membership | None]:
    representations = [
        Representation("org", role=role, active=active, exists=exists)
        for role in (None, *REPRESENTATIVE_ROLES)
        for active in (True, False)
        for exists in (True, False)
    ]
    memberships = [Membership("community", role=role) for role in (None, "member", "moderator", "admin")]
    return [None, *representations, *memberships]


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("action", sorted(PERMISSIONS))
def test_every_refusal_a_permission_can_say_is_translated(action):
    vi = catalog("vi")
    rule = PERMISSIONS[action]
    missing = sorted(m for m in refusal_messages(rule) if m not in vi)
    assert missing == [], f"add these to core/locales/vi/auth.po: {missing}"
    for message in refusal_messages(rule):
        assert _placeholders(message) == _placeholders(vi[message])


@pytest.mark.parametrize("action", sorted(PERMISSIONS))
def test_authorize_says_nothing_but_the_enumerated_refusals(action):
    """``refusal_messages`` is complete: every refusal of every viewer, for every standing, is one of them."""
    said = set()
    for viewer in _viewers():
        for on in _standings():
            try:
                authorize(viewer, action, on)
            except AppError as refusal:
                assert refusal.params == {}, "a composed refusal is a whole sentence"
                said.add(refusal.template)
    assert said <= refusal_messages(PERMISSIONS[action])


def test_the_owners_only_refusals_are_enumerated_too():
    for action in ("identity.representative.set", "identity.invitation.withdraw"):
        with pytest.raises(AppError) as refused:
            require_owner(action, "admin")
        assert refused.value.template in refusal_messages(PERMISSIONS[action])


def test_a_refusal_reaches_a_vietnamese_client_in_vietnamese():
    with pytest.raises(AppError) as refused:
        authorize(Viewer(kind="person", actor_id="me", assurance_level=0), "marketplace.listing.create")
    assert refused.value.message == (
        "To sell you need verification level 2 (identity document checked by a city officer); "
        "yours is level 0 (self-declared)."
    )
    assert translate(refused.value.template, refused.value.params, "vi") == (
        "Để bán hàng, bạn cần xác minh cấp 2 (giấy tờ tùy thân đã được cán bộ thành phố kiểm tra); "
        "tài khoản của bạn đang ở cấp 0 (tự khai báo)."
    )


def _messages_handed_over() -> list[tuple[str, str]]:
    """(where, message) of the messages given to an error through a function of auth/ and identity/: the third
    argument of a limit's ``claim`` (RATE_LIMITED) and the ``empty`` message of ``checked_text``, as literals or
    module constants."""
    found = []
    for package in ("auth", "identity"):
        for path in sorted((ROOT / package).glob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            constants = {
                target.id: node.value.value
                for node in tree.body
                if isinstance(node, ast.Assign | ast.AnnAssign) and isinstance(node.value, ast.Constant)
                for target in (node.targets if isinstance(node, ast.Assign) else [node.target])
                if isinstance(target, ast.Name) and isinstance(node.value.value, str)
            }
            limits_claim = any(  # ``from auth.limits import claim``
                isinstance(node, ast.ImportFrom)
                and node.module == "auth.limits"
                and "claim" in {a.name for a in node.names}
                for node in tree.body
            )
            for node in ast.walk(tree):
                if not isinstance(node, ast.Call):
                    continue
                func = node.func
                claims = (
                    isinstance(func, ast.Attribute)
                    and func.attr == "claim"
                    and isinstance(func.value, ast.Name)
                    and func.value.id == "limits"
                ) or (limits_claim and isinstance(func, ast.Name) and func.id == "claim")
                given = []
                if claims and len(node.args) >= 3:
                    given.append(node.args[2])
                given += [k.value for k in node.keywords if k.arg == "empty"]
                for value in given:
                    where = f"{path.relative_to(ROOT)}:{node.lineno}"
                    if isinstance(value, ast.Constant) and isinstance(value.value, str):
                        found.append((where, value.value))
                    elif isinstance(value, ast.Name) and value.id in constants:
                        found.append((where, constants[value.id]))
                    elif isinstance(value, ast.Name) and value.id == "message":
                        continue  # the parameter of a wrapper, checked where it is called
                    else:
                        found.append((where, f"<not a literal or module constant: {ast.unparse(value)}>"))
    return found


def test_messages_handed_over_to_errors_are_translated():
    vi = catalog("vi")
    handed_over = _messages_handed_over()
    assert len(handed_over) >= 5, "the scan finds the limits' messages"
    names = [m for rule in NAME_MESSAGES.values() for m in vars(rule).values()]
    constants = [
        ("permissions", permissions.SIGN_IN_FIRST),
        ("permissions", permissions.NO_ACTIVE_ORGANIZATION),
        ("tokens", InvalidTokenError().template),
        ("verification", REASON_MISSING),
        *(("names", m) for m in names),
    ]
    missing = [f"{where}: {message}" for where, message in [*handed_over, *constants] if message not in vi]
    assert missing == []
