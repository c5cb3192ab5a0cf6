"""Root fields of the developer sandbox (development and test servers only)."""

from __future__ import annotations

import strawberry

from resolvers import sandbox as sandbox_resolvers
from schema.sandbox import DevelopmentMessage


@strawberry.type
class SandboxQuery:
    """Query fields of the developer sandbox; merged into the root Query by schema.assemble."""

    development_messages: list[DevelopmentMessage] = strawberry.field(
        resolver=sandbox_resolvers.development_messages,
        description="Development and test servers only (FORBIDDEN in production): the latest messages (one-time "
        "codes above all) the server would have sent to this phone number or e-mail address, newest first, at most "
        "20. Anyone may ask: nothing leaves a development server, so this is how an app under development reads "
        "the code of `contactVerificationStart` or `passwordResetStart`.",
    )
