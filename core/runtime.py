"""What the domain services need from the running process, built once in the app's lifespan."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from core.settings import Settings

if TYPE_CHECKING:
    from auth.tokens import KeyRing
    from graph.driver import Graph
    from identity.messaging import MessageSender


@dataclass
class Runtime:
    settings: Settings
    graph: Graph
    identity_key: bytes  # HMAC key of identity documents and one-time codes
    keyring: KeyRing  # access-token signing keys
    sender: MessageSender  # one-time codes by SMS / e-mail
