"""Every kind ``notifications.notify`` accepts is a value of the GraphQL enum, and the other way round: a kind
written but not in the enum would break every inbox that holds it; one in the enum but refused by ``notify`` could
never be sent."""

from __future__ import annotations

import pytest

from notifications import notify
from notifications.notices import ABOUT_A_POST, KINDS, ONCE_PER_POST, REPEATABLE
from schema.social import NotificationKind


def test_the_kinds_notify_accepts_are_the_kinds_the_api_shows() -> None:
    assert sorted(KINDS) == sorted(k.value for k in NotificationKind)
    assert len(set(KINDS)) == len(KINDS)
    assert ONCE_PER_POST <= ABOUT_A_POST <= set(KINDS)
    assert set(KINDS) >= REPEATABLE


async def test_an_unknown_kind_is_a_programming_error() -> None:
    with pytest.raises(LookupError):
        await notify(None, None, "someone", "poked", actor=None, subject="x", subject_type="Person")
