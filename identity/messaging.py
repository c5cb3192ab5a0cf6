"""Sending one-time codes by SMS or e-mail, behind one interface.

In development and tests ``DevelopmentSender`` writes each message to the log and keeps it in an
in-process outbox that tests read. No SMS or e-mail provider is wired yet: in production the API
refuses to start rather than silently dropping codes.
"""

from __future__ import annotations

import asyncio
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


#: Sends started by ``send_in_background`` and not finished yet (kept so they are not collected).
_PENDING: set[asyncio.Task[None]] = set()


async def _send_logged(sender: MessageSender, channel: str, destination: str, text: str) -> None:
    try:
        await sender.send(channel, destination, text)
    except Exception:
        log.exception("message not sent", channel=channel)


def send_in_background(sender: MessageSender, channel: str, destination: str, text: str) -> None:
    """Send without making the caller wait: for answers that must not be slower when a message goes
    out (a password reset for a known contact answers like one for an unknown contact)."""
    task = asyncio.get_running_loop().create_task(_send_logged(sender, channel, destination, text))
    _PENDING.add(task)
    task.add_done_callback(_PENDING.discard)


async def settle() -> None:
    """Wait for every background send started so far (tests, and a clean shutdown)."""
    while _PENDING:
        await asyncio.gather(*list(_PENDING), return_exceptions=True)


def build_sender(settings: Settings) -> MessageSender:
    if settings.environment == "production":
        raise RuntimeError(
            "No SMS/e-mail provider is configured for one-time codes; production needs one "
            "(implement identity.messaging.MessageSender for your provider)."
        )
    return DevelopmentSender()
