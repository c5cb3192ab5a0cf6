"""GraphQL shapes of the developer sandbox: the messages a development server "sent"."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry

from sandbox.codes import DevelopmentMessage as DevelopmentMessageModel


@strawberry.enum(description="How a message would have gone out.")
class MessageChannel(Enum):
    _value_: str  # .value is the services' string (strawberry.enum_value only adds a description)
    SMS = strawberry.enum_value("sms", description="A text message to a phone number.")
    EMAIL = strawberry.enum_value("email", description="An e-mail.")


@strawberry.type(
    description="A message (a one-time code, a notice) a development or test server would have sent by SMS or "
    "e-mail. No message leaves such a server: this is how a developer reads the codes."
)
class DevelopmentMessage:
    channel: MessageChannel = strawberry.field(description="SMS or e-mail.")
    to: str = strawberry.field(description="The phone number (E.164, +84...) or e-mail address it was sent to.")
    text: str = strawberry.field(description="The whole text, as the person would have received it.")
    code: str | None = strawberry.field(
        description="The one-time code in the text (six digits), or null for a notice without a code."
    )
    sent_at: datetime = strawberry.field(description="When it was sent (UTC).")

    @classmethod
    def of(cls, m: DevelopmentMessageModel) -> DevelopmentMessage:
        return cls(channel=MessageChannel(m.channel), to=m.to, text=m.text, code=m.code, sent_at=m.sent_at)
