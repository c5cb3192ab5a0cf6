"""The payment provider: money entering (top-ups) and leaving (payouts) the platform, behind one interface.

Calls to the provider are network calls: use cases make them outside any transaction (DESIGN.md, "Side effects
after commit"). In development and tests ``SimulatedProvider`` confirms every request at once, with a reference
derived from the request's own reference (so a retried request gets the same receipt). No real provider is wired
yet: in production the API refuses to start rather than pretend money moved.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Protocol

from core.logs import get_logger
from core.settings import Settings

log = get_logger(__name__)


@dataclass(frozen=True)
class ProviderReceipt:
    """The provider's confirmation of one collection or disbursement."""

    reference: str  # the provider's own reference of the transfer
    amount: int  # đồng


class PaymentProviderError(Exception):
    """The provider refused or failed a transfer; no money moved at the provider."""


class PaymentProvider(Protocol):
    async def collect(self, actor_id: str, amount: int, reference: str) -> ProviderReceipt:
        """Take ``amount`` đồng from the actor's bank or card into the platform's account."""
        ...

    async def disburse(self, actor_id: str, amount: int, reference: str) -> ProviderReceipt:
        """Pay ``amount`` đồng from the platform's account to the actor's bank account."""
        ...


class SimulatedProvider:
    """Development and tests: confirms at once, keeps what it did in memory."""

    def __init__(self) -> None:
        self.collected: list[tuple[str, int, str]] = []
        self.disbursed: list[tuple[str, int, str]] = []

    @staticmethod
    def _reference(prefix: str, reference: str) -> str:
        return f"sim-{prefix}-" + hashlib.sha256(reference.encode()).hexdigest()[:24]

    async def collect(self, actor_id: str, amount: int, reference: str) -> ProviderReceipt:
        self.collected.append((actor_id, amount, reference))
        log.info("simulated provider: collection confirmed, no money moved", actor=actor_id, amount=amount)
        return ProviderReceipt(self._reference("in", reference), amount)

    async def disburse(self, actor_id: str, amount: int, reference: str) -> ProviderReceipt:
        self.disbursed.append((actor_id, amount, reference))
        log.info("simulated provider: disbursement confirmed, no money moved", actor=actor_id, amount=amount)
        return ProviderReceipt(self._reference("out", reference), amount)


def build_provider(settings: Settings) -> PaymentProvider:
    if settings.payment_provider == "simulated":
        if settings.environment == "production":
            raise RuntimeError(
                "HANOISMART_PAYMENT_PROVIDER=simulated confirms payments without moving money; production needs a "
                "real provider (implement marketplace.payments.PaymentProvider for it)."
            )
        return SimulatedProvider()
    raise RuntimeError(f"Unknown payment provider {settings.payment_provider!r}.")
