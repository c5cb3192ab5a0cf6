"""The order state machine, pure: a table of (state, action) -> (next state, who may do it, what money moves).

    placed --accept(seller)--> accepted --pay(buyer)--> paid --fulfil(seller)--> fulfilled --complete(buyer)--> completed
    placed / accepted / paid --cancel(buyer or seller)--> cancelled        (stock released; paid: escrow -> buyer)
    paid / fulfilled --refund(seller)--> refunded                          (escrow -> buyer; stock back if not fulfilled)
    paid / fulfilled --dispute(buyer)--> disputed --resolve_refund(officer)--> refunded
                                                  --resolve_release(officer)--> completed (escrow -> seller)

``decide`` checks the party first (the wrong party is FORBIDDEN whatever the state), then the state (a CONFLICT
saying the current state and which actions it allows). No I/O here: the service calls it under the order's lock.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.errors import ConflictError, ForbiddenError

STATES = ("placed", "accepted", "paid", "fulfilled", "completed", "cancelled", "refunded", "disputed")
FINAL_STATES = frozenset({"completed", "cancelled", "refunded"})
#: States in which the buyer's money sits in escrow.
ESCROWED = frozenset({"paid", "fulfilled", "disputed"})

BUYER, SELLER, OFFICER = "buyer", "seller", "officer"


@dataclass(frozen=True)
class Transition:
    to: str
    #: Money that moves, as (from party, to party, ledger kind); parties are 'buyer', 'seller' or 'escrow'.
    money: tuple[str, str, str] | None = None
    #: Put the reserved stock back (only when the order was never fulfilled).
    releases_stock: bool = False


#: Who may take each action, whatever the state.
PARTIES: dict[str, frozenset[str]] = {
    "accept": frozenset({SELLER}),
    "pay": frozenset({BUYER}),
    "fulfil": frozenset({SELLER}),
    "complete": frozenset({BUYER}),
    "cancel": frozenset({BUYER, SELLER}),
    "refund": frozenset({SELLER}),
    "dispute": frozenset({BUYER}),
    "resolve_refund": frozenset({OFFICER}),
    "resolve_release": frozenset({OFFICER}),
}

#: Parties that must give a reason for an action.
REASON_REQUIRED: dict[str, frozenset[str]] = {
    "cancel": frozenset({SELLER}),
    "refund": frozenset({SELLER}),
    "dispute": frozenset({BUYER}),
    "resolve_refund": frozenset({OFFICER}),
    "resolve_release": frozenset({OFFICER}),
}

_PAYMENT = ("buyer", "escrow", "payment")
_RELEASE = ("escrow", "seller", "release")
_REFUND = ("escrow", "buyer", "refund")

TABLE: dict[tuple[str, str], Transition] = {
    ("placed", "accept"): Transition("accepted"),
    ("accepted", "pay"): Transition("paid", money=_PAYMENT),
    ("paid", "fulfil"): Transition("fulfilled"),
    ("fulfilled", "complete"): Transition("completed", money=_RELEASE),
    ("placed", "cancel"): Transition("cancelled", releases_stock=True),
    ("accepted", "cancel"): Transition("cancelled", releases_stock=True),
    ("paid", "cancel"): Transition("cancelled", money=_REFUND, releases_stock=True),
    ("paid", "refund"): Transition("refunded", money=_REFUND, releases_stock=True),
    ("fulfilled", "refund"): Transition("refunded", money=_REFUND, releases_stock=True),
    ("paid", "dispute"): Transition("disputed"),
    ("fulfilled", "dispute"): Transition("disputed"),
    ("disputed", "resolve_refund"): Transition("refunded", money=_REFUND, releases_stock=True),
    ("disputed", "resolve_release"): Transition("completed", money=_RELEASE),
}

ACTION_NAMES = {
    "accept": "orderAccept",
    "pay": "orderPay",
    "fulfil": "orderFulfil",
    "complete": "orderComplete",
    "cancel": "orderCancel",
    "refund": "orderRefund",
    "dispute": "disputeOpen",
    "resolve_refund": "disputeResolve",
    "resolve_release": "disputeResolve",
}

#: The refusal to anyone else, for each set of parties an action allows (``{action}``: the mutation).
ONLY_PARTIES: dict[frozenset[str], str] = {
    frozenset({BUYER}): "Only the order's buyer may do this ({action}).",
    frozenset({SELLER}): "Only the order's seller may do this ({action}).",
    frozenset({BUYER, SELLER}): "Only the order's buyer or seller may do this ({action}).",
    frozenset({OFFICER}): "Only a city officer may do this ({action}).",
}

assert set(PARTIES) == {action for _, action in TABLE}
assert set(PARTIES.values()) <= set(ONLY_PARTIES)
assert all(state in STATES and t.to in STATES for (state, _), t in TABLE.items())


def allowed_actions(state: str) -> list[str]:
    """Actions the state allows, in table order (for messages and clients)."""
    return [action for (s, action) in TABLE if s == state]


def decide(state: str, action: str, role: str | None) -> Transition:
    """The transition ``role`` ('buyer', 'seller', 'officer') may take from ``state`` by ``action``.
    FORBIDDEN when the party may never take this action; CONFLICT when the state does not allow it."""
    if action not in PARTIES:
        raise ValueError(f"unknown order action {action!r}")
    if role not in PARTIES[action]:
        raise ForbiddenError(
            ONLY_PARTIES[PARTIES[action]],
            extensions={"allowedParties": sorted(PARTIES[action])},
            params={"action": ACTION_NAMES[action]},
        )
    transition = TABLE.get((state, action))
    if transition is None:
        allowed = ", ".join(ACTION_NAMES[a] for a in allowed_actions(state))
        names = {"state": state, "action": ACTION_NAMES[action], "allowed": allowed}
        if not allowed:
            raise ConflictError(
                "The order is {state}: {action} is not possible now; a {state} order is final.", params=names
            )
        raise ConflictError(
            "The order is {state}: {action} is not possible now. A {state} order allows {allowed}.", params=names
        )
    return transition


def needs_reason(action: str, role: str) -> bool:
    return role in REASON_REQUIRED.get(action, frozenset())
