"""Webhooks: the subscriptions of apps and the outbox of deliveries (docs/webhooks.md).

``(:App)-[:HAS_WEBHOOK]->(:WebhookSubscription {id, url, eventTypes, status, ...})``;
``(:WebhookDelivery {id: "msg_...", eventType, body, status, attempts, nextAttemptAt, leaseUntil, ...})
-[:TO]->(:WebhookSubscription)``, written by ``webhooks.outbox.emit`` in the transaction of the change;
``(:WebhookDelivery)-[:ATTEMPTED]->(:WebhookAttempt {number, at, status, error, durationMs})``."""

from __future__ import annotations

DESCRIPTION = "Webhook subscriptions, the outbox of deliveries and their attempts."

STATEMENTS: list[str] = [
    "CREATE CONSTRAINT webhook_subscription_id_unique IF NOT EXISTS FOR (s:WebhookSubscription) REQUIRE s.id IS UNIQUE",
    "CREATE CONSTRAINT webhook_delivery_id_unique IF NOT EXISTS FOR (d:WebhookDelivery) REQUIRE d.id IS UNIQUE",
    # The dispatcher's lease: due pending deliveries (status, then the time they are due).
    "CREATE INDEX webhook_delivery_due IF NOT EXISTS FOR (d:WebhookDelivery) ON (d.status, d.nextAttemptAt)",
    # The delivery log, newest first (webhookDeliveries).
    "CREATE INDEX webhook_delivery_created IF NOT EXISTS FOR (d:WebhookDelivery) ON (d.createdAt)",
    # The fan-out of an event: the active subscriptions of an app (emit reads them per app it found).
    "CREATE INDEX webhook_subscription_status IF NOT EXISTS FOR (s:WebhookSubscription) ON (s.status)",
]
