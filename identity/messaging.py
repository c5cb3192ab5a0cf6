"""Sending one-time codes by SMS or e-mail, behind one interface.

In development and tests ``DevelopmentSender`` writes each message to the log and keeps it in an
in-process outbox that tests read; ``build_sender`` also has it append each message to the development outbox file
(``var/dev-outbox.jsonl``, mode 0600), which ``hanoismart dev codes`` and the ``developmentMessages`` query read from
other processes. No SMS or e-mail provider is wired yet: in production the API refuses to start rather than
silently dropping codes.
"""

from __future__ import annotations

import asyncio
import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
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


#: The development outbox file, under the settings' ``var_dir``.
OUTBOX_FILE = "dev-outbox.jsonl"
#: Past this size the file is moved aside (one ``.1`` generation is kept) and a new one started.
OUTBOX_FILE_MAX_BYTES = 1_000_000


class DevelopmentSender:
    def __init__(self, keep: int = 1000, outbox_file: Path | None = None) -> None:
        self.outbox: list[SentMessage] = []
        self.keep = keep
        self.outbox_file = outbox_file

    async def send(self, channel: str, destination: str, text: str) -> None:
        message = SentMessage(channel, destination, text, datetime.now(UTC))
        self.outbox.append(message)
        del self.outbox[: -self.keep]
        if self.outbox_file is not None:
            append_to_outbox_file(self.outbox_file, message)
        log.info("development outbox: message not sent, logged instead", channel=channel, to=destination, text=text)

    def last_to(self, destination: str) -> SentMessage | None:
        return next((m for m in reversed(self.outbox) if m.destination == destination), None)


def append_to_outbox_file(path: Path, message: SentMessage) -> None:
    """Add one message to the development outbox file (one JSON object a line, readable by its owner only); a
    failure is logged, never raised: the file is a convenience, the log has the message too."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists() and path.stat().st_size > OUTBOX_FILE_MAX_BYTES:
            path.replace(path.with_name(path.name + ".1"))
        line = json.dumps(
            {
                "channel": message.channel,
                "to": message.destination,
                "text": message.text,
                "sentAt": message.sent_at.isoformat(),
            },
            ensure_ascii=False,
        )
        descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        with os.fdopen(descriptor, "a", encoding="utf-8") as out:
            out.write(line + "\n")
    except OSError:
        log.warning("development outbox file not written", path=str(path), exc_info=True)


def read_outbox_file(path: Path) -> list[SentMessage]:
    """The messages of the development outbox file, oldest first (none when there is no file; a line that is not a
    message is skipped)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return []
    messages = []
    for line in lines:
        try:
            item = json.loads(line)
            messages.append(
                SentMessage(item["channel"], item["to"], item["text"], datetime.fromisoformat(item["sentAt"]))
            )
        except (ValueError, KeyError, TypeError):
            continue
    return messages


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
    return DevelopmentSender(outbox_file=settings.var_dir / OUTBOX_FILE)
