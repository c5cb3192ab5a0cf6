"""Resolvers of the developer sandbox."""

from __future__ import annotations

from typing import Annotated

import strawberry

from resolvers.common import runtime
from sandbox import codes
from schema.sandbox import DevelopmentMessage


async def development_messages(
    info: strawberry.Info,
    to: Annotated[
        str,
        strawberry.argument(
            description="A phone number (0912345678 or +84912345678) or an e-mail address, written as at "
            "registration; INVALID_INPUT when it is neither."
        ),
    ],
) -> list[DevelopmentMessage]:
    return [DevelopmentMessage.of(m) for m in await codes.development_messages(runtime(info), to)]
