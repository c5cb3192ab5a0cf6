"""The pure order state machine: every (state, action, party) combination."""

from __future__ import annotations

import itertools

import pytest

from core.errors import ConflictError, ForbiddenError
from marketplace.order_states import (
    FINAL_STATES,
    PARTIES,
    STATES,
    TABLE,
    allowed_actions,
    decide,
    needs_reason,
)

ROLES = ("buyer", "seller", "officer", None)


@pytest.mark.parametrize(("state", "action", "role"), list(itertools.product(STATES, PARTIES, ROLES)))
def test_every_combination_is_decided(state, action, role):
    if role not in PARTIES[action]:
        with pytest.raises(ForbiddenError):
            decide(state, action, role)
    elif (state, action) not in TABLE:
        with pytest.raises(ConflictError) as caught:
            decide(state, action, role)
        assert state in caught.value.message
    else:
        assert decide(state, action, role) is TABLE[(state, action)]


def test_happy_path_and_money():
    assert decide("placed", "accept", "seller").to == "accepted"
    pay = decide("accepted", "pay", "buyer")
    assert (pay.to, pay.money) == ("paid", ("buyer", "escrow", "payment"))
    assert decide("paid", "fulfil", "seller").to == "fulfilled"
    complete = decide("fulfilled", "complete", "buyer")
    assert (complete.to, complete.money) == ("completed", ("escrow", "seller", "release"))


def test_cancel_only_before_fulfilment_and_refunds_when_paid():
    assert decide("placed", "cancel", "buyer").money is None
    assert decide("accepted", "cancel", "seller").releases_stock
    assert decide("paid", "cancel", "buyer").money == ("escrow", "buyer", "refund")
    with pytest.raises(ConflictError):
        decide("fulfilled", "cancel", "buyer")


def test_final_states_allow_nothing():
    for state in FINAL_STATES:
        assert allowed_actions(state) == []


def test_disputed_blocks_completion_fulfilment_and_refund():
    assert allowed_actions("disputed") == ["resolve_refund", "resolve_release"]
    for action, role in (("complete", "buyer"), ("fulfil", "seller"), ("refund", "seller")):
        with pytest.raises(ConflictError):
            decide("disputed", action, role)


def test_money_conserving_paths():
    """Every path that takes money into escrow has exactly one way out of it."""
    into = {s for (s, _), t in TABLE.items() if t.money and t.money[1] == "escrow"}
    assert into == {"accepted"}
    for (state, _), t in TABLE.items():
        if t.money and t.money[0] == "escrow":
            assert state in {"paid", "fulfilled", "disputed"}


def test_reasons():
    assert needs_reason("cancel", "seller") and not needs_reason("cancel", "buyer")
    assert needs_reason("refund", "seller")
    assert not needs_reason("pay", "buyer")
