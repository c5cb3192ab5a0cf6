"""The one-time codes a development server "sent": no SMS or e-mail leaves a development server, so a developer
reads them here (``hanoismart dev codes``, the ``developmentMessages`` query). Both read the development outbox file
that ``identity.messaging.DevelopmentSender`` appends to, so they see what any process of this checkout sent.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from datetime import datetime

from core.errors import ForbiddenError
from core.runtime import Runtime
from core.settings import Settings
from identity.contacts import looks_like_email, normalise_email, normalise_phone
from identity.messaging import OUTBOX_FILE, read_outbox_file

#: The most messages the query returns.
MAX_MESSAGES = 20

#: A one-time code in a message's text (``auth.otp`` issues six digits).
_CODE = re.compile(r"(?<!\d)(\d{6})(?!\d)")


@dataclass(frozen=True)
class DevelopmentMessage:
    channel: str  # sms | email
    to: str  # as stored: E.164 phone, normalised e-mail
    text: str
    code: str | None  # the one-time code the text carries, if any
    sent_at: datetime


def code_in(text: str) -> str | None:
    """The one-time code a message carries (None for a notice without a code)."""
    found = _CODE.search(text)
    return found.group(1) if found else None


def destination(raw: str, *, field: str = "to") -> str:
    """A phone number or e-mail address as messages are addressed (``0912 345 678`` -> ``+84912345678``)."""
    return normalise_email(raw, field=field) if looks_like_email(raw) else normalise_phone(raw, field=field)


def sent_messages(settings: Settings, *, to: str | None = None, limit: int | None = None) -> list[DevelopmentMessage]:
    """What the development outbox file holds, newest first: all of it, or the messages to ``to`` (normalised
    first), at most ``limit``."""
    wanted = destination(to) if to else None
    found = [
        DevelopmentMessage(m.channel, m.destination, m.text, code_in(m.text), m.sent_at)
        for m in reversed(read_outbox_file(settings.var_dir / OUTBOX_FILE))
        if wanted is None or m.destination == wanted
    ]
    return found[:limit] if limit is not None else found


DEVELOPMENT_ONLY = "Development messages can be read on development and test servers only."


async def development_messages(rt: Runtime, to: str) -> list[DevelopmentMessage]:
    """The ``developmentMessages`` query: the latest messages to one phone or e-mail, newest first. Anyone may ask,
    on a development or test server (no message leaves it, so this is how a developer gets a code); a production
    server refuses (FORBIDDEN)."""
    if rt.settings.environment == "production":
        raise ForbiddenError(DEVELOPMENT_ONLY)
    return await asyncio.to_thread(sent_messages, rt.settings, to=to, limit=MAX_MESSAGES)
