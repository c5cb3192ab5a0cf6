"""The payment provider: money entering (top-ups) and leaving (payouts) the platform, behind one interface.

Calls to the provider are network calls: use cases make them outside any transaction (DESIGN.md, "Side effects
after commit"), after recording their intent, and pass a ``reference`` that is the provider's idempotency key: a
repeated call with the same reference is the same transfer (the provider does it once and answers the same). When
the provider's answer is lost (``ProviderUnreachable``: it may or may not have moved the money), the intent stays
pending and ``marketplace.reconciliation.reconcile`` later asks the provider by reference (``lookup``) and settles or fails it.

In development and tests ``SimulatedProvider`` confirms every request at once, keeps its transfers by reference in
memory (so they are forgotten when the process ends), and can be told to lose its next answers (``lose_answers``),
as a crash or a timeout between the provider's transfer and our settlement would. No real provider is wired yet: in
production the API refuses to start rather than pretend money moved.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import Protocol, TypeVar

from core.logs import get_logger
from core.runtime import Runtime
from core.settings import Settings

log = get_logger(__name__)


@dataclass(frozen=True)
class ProviderReceipt:
    """The provider's confirmation of one collection or disbursement."""

    reference: str  # the provider's own reference of the transfer
    amount: int  # đồng


@dataclass(frozen=True)
class ProviderTransfer:
    """What the provider knows of a transfer, asked by our reference."""

    reference: str  # the provider's own reference
    amount: int  # đồng
    succeeded: bool  # False: refused or failed, no money moved
    failure: str | None = None


class PaymentProviderError(Exception):
    """The provider refused or failed a transfer; no money moved at the provider."""


class ProviderUnreachable(Exception):
    """No answer from the provider (timeout, connection lost): the transfer may or may not have happened."""


T = TypeVar("T")


async def within(seconds: float, call: Awaitable[T], what: str) -> T:
    """Await one provider call (``collect``, ``disburse`` or ``lookup``) for at most ``seconds``: a provider that
    does not answer in time is ``ProviderUnreachable`` (the transfer may or may not have happened), so a hung provider
    stalls neither a request nor the reconciliation pass."""
    try:
        return await asyncio.wait_for(call, seconds)
    except TimeoutError as exc:
        raise ProviderUnreachable(f"the provider did not answer {what} within {seconds:g} s") from exc


class PaymentProvider(Protocol):
    async def collect(self, actor_id: str, amount: int, reference: str) -> ProviderReceipt:
        """Take ``amount`` đồng from the actor's bank or card into the platform's account."""
        ...

    async def disburse(self, actor_id: str, amount: int, reference: str) -> ProviderReceipt:
        """Pay ``amount`` đồng from the platform's account to the actor's bank account."""
        ...

    async def lookup(self, reference: str) -> ProviderTransfer | None:
        """The transfer made under ``reference``, or None when the provider never received it."""
        ...


class SimulatedProvider:
    """Development and tests: confirms at once, keeps its transfers by reference in memory. Each reference is one
    transfer (a repeat answers the same receipt and moves nothing again). ``lose_answers = n`` makes the next n calls
    do the transfer and then raise ProviderUnreachable, as if the answer were lost on the way back."""

    def __init__(self) -> None:
        self.collected: list[tuple[str, int, str]] = []
        self.disbursed: list[tuple[str, int, str]] = []
        self.transfers: dict[str, ProviderTransfer] = {}
        self.lose_answers = 0

    @staticmethod
    def _reference(prefix: str, reference: str) -> str:
        return f"sim-{prefix}-" + hashlib.sha256(reference.encode()).hexdigest()[:24]

    def _transfer(
        self, done: list[tuple[str, int, str]], prefix: str, actor_id: str, amount: int, reference: str
    ) -> ProviderReceipt:
        known = self.transfers.get(reference)
        if known is None:
            known = ProviderTransfer(self._reference(prefix, reference), amount, succeeded=True)
            self.transfers[reference] = known
            done.append((actor_id, amount, reference))
            log.info(
                "simulated provider: transfer confirmed, no money moved",
                direction=prefix,
                actor=actor_id,
                amount=amount,
            )
        if self.lose_answers > 0:
            self.lose_answers -= 1
            raise ProviderUnreachable("simulated: the provider's answer was lost")
        return ProviderReceipt(known.reference, known.amount)

    async def collect(self, actor_id: str, amount: int, reference: str) -> ProviderReceipt:
        return self._transfer(self.collected, "in", actor_id, amount, reference)

    async def disburse(self, actor_id: str, amount: int, reference: str) -> ProviderReceipt:
        return self._transfer(self.disbursed, "out", actor_id, amount, reference)

    async def lookup(self, reference: str) -> ProviderTransfer | None:
        return self.transfers.get(reference)


def provider_of(rt: Runtime) -> PaymentProvider:
    """The running process's provider (``api.app`` sets it when it builds the runtime)."""
    if rt.payments is None:
        raise RuntimeError("No payment provider: the runtime was built without one (Runtime.payments).")
    return rt.payments


def build_provider(settings: Settings) -> PaymentProvider:
    if settings.payment_provider == "simulated":
        if settings.environment == "production":
            raise RuntimeError(
                "HANOISMART_PAYMENT_PROVIDER=simulated confirms payments without moving money; production needs a "
                "real provider (implement marketplace.payments.PaymentProvider for it)."
            )
        return SimulatedProvider()
    raise RuntimeError(f"Unknown payment provider {settings.payment_provider!r}.")
