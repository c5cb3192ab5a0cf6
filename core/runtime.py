"""What the domain services need from the running process, built once in the app's lifespan."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from core.settings import Settings

if TYPE_CHECKING:
    from limits.aio.storage import Storage

    from auth.id_token_keys import IdTokenKey
    from auth.tokens import KeyRing
    from graph.driver import Graph
    from identity.messaging import MessageSender
    from marketplace.payments import PaymentProvider


@dataclass
class Runtime:
    settings: Settings
    graph: Graph
    identity_key: bytes  # HMAC key of identity documents and one-time codes
    keyring: KeyRing  # access-token signing keys
    sender: MessageSender  # one-time codes by SMS / e-mail
    payments: PaymentProvider | None = None  # top-ups and payouts (api.app.build_runtime sets it)
    pairwise_key: bytes = b""  # HMAC key of the pairwise subjects apps see (partners.pairwise); never rotated
    id_token_key: IdTokenKey | None = None  # RS256 key of OpenID Connect ID tokens (api.app.build_runtime sets it)
    #: Rate-limit and query-cost windows (the ``limits`` library's storage; ``quotas.storage``). None: not built.
    quota_storage: Storage | None = None
