"""Sending one-time codes by SMS or e-mail, behind one interface.

In development and tests ``DevelopmentSender`` writes each message to the log and keeps it in an
in-process outbox that tests read. No SMS or e-mail provider is wired yet: in production the API
refuses to start rather than silently dropping codes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from core.logs import get_logger
from core.settings import Settings

log = get_logger(__name__)


@dataclass(frozen=True)
class SentMessage:
    channel: str  # "sms" | "email"
    destination: str
    text: str
    sent_at: datetime


class MessageSender(Protocol):
    async def send(self, channel: str, destination: str, text: str) -> None: ...


class DevelopmentSender:
    def __init__(self, keep: int = 1000) -> None:
        self.outbox: list[SentMessage] = []
        self.keep = keep

    async def send(self, channel: str, destination: str, text: str) -> None:
        self.outbox.append(SentMessage(channel, destination, text, datetime.now(UTC)))
        del self.outbox[: -self.keep]
        log.info("development outbox: message not sent, logged instead", channel=channel, to=destination, text=text)

    def last_to(self, destination: str) -> SentMessage | None:
        return next((m for m in reversed(self.outbox) if m.destination == destination), None)


def build_sender(settings: Settings) -> MessageSender:
    if settings.environment == "production":
        raise RuntimeError(
            "No SMS/e-mail provider is configured for one-time codes; production needs one "
            "(implement identity.messaging.MessageSender for your provider)."
        )
    return DevelopmentSender()
