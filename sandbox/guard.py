"""The one rule of the sandbox: never in production."""

from __future__ import annotations

from core.settings import Settings


class SandboxRefused(Exception):
    """A development command refused to run; the message says why and what to do instead."""


def require_development(settings: Settings, what: str) -> None:
    """Refuse ``what`` (a command's name) when the settings are production's: demo passwords are public, and
    one-time codes must never be readable there."""
    if settings.environment == "production":
        raise SandboxRefused(
            f"`{what}` is for development only and refuses to run with HANOISMART_ENVIRONMENT=production."
        )
