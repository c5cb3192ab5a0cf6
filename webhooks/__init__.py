"""Webhooks: events written to an outbox in the transaction of the change, delivered after commit, signed in the
Standard Webhooks format, retried, and shown to the partner (docs/webhooks.md)."""
