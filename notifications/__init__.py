"""Notifications, a domain of their own: ``notify`` (``notifications.notices``) is the one way every other domain
tells someone what happened, inside its own transaction; ``notifications.inbox`` is the recipient's side."""

from notifications.notices import notify

__all__ = ["notify"]
