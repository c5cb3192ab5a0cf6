"""Root fields of webhooks: the delivery log and the management of an app's subscriptions."""

from __future__ import annotations

import strawberry

from resolvers import webhooks as webhook_resolvers
from schema.webhooks import (
    WebhookDeliveryConnection,
    WebhookDeliveryRetryPayload,
    WebhookSecretRotatePayload,
    WebhookSubscriptionCreatePayload,
    WebhookSubscriptionDeletePayload,
    WebhookSubscriptionUpdatePayload,
)


@strawberry.type
class WebhookQuery:
    """Query fields of webhooks; merged into the root Query by schema.assemble."""

    webhook_deliveries: WebhookDeliveryConnection = strawberry.field(
        resolver=webhook_resolvers.webhook_deliveries,
        description="An app's webhook deliveries, newest first, each with its attempts: for its partner's owners "
        "and admins and for city officers.",
    )


@strawberry.type
class WebhookMutation:
    """Mutation fields of webhooks; merged into the root Mutation by schema.assemble."""

    webhook_subscription_create: WebhookSubscriptionCreatePayload | None = strawberry.mutation(
        resolver=webhook_resolvers.webhook_subscription_create,
        description="Subscribe my partner's app to events at a URL; the signing secret is shown this once.",
    )
    webhook_subscription_update: WebhookSubscriptionUpdatePayload | None = strawberry.mutation(
        resolver=webhook_resolvers.webhook_subscription_update,
        description="Change a subscription's URL or event types, or enable a disabled one again.",
    )
    webhook_subscription_delete: WebhookSubscriptionDeletePayload | None = strawberry.mutation(
        resolver=webhook_resolvers.webhook_subscription_delete,
        description="Delete a subscription and its delivery log.",
    )
    webhook_secret_rotate: WebhookSecretRotatePayload | None = strawberry.mutation(
        resolver=webhook_resolvers.webhook_secret_rotate,
        description="A new signing secret, shown this once; the previous one keeps signing beside it for 24 hours.",
    )
    webhook_delivery_retry: WebhookDeliveryRetryPayload | None = strawberry.mutation(
        resolver=webhook_resolvers.webhook_delivery_retry,
        description="Send a failed (or delivered) delivery again now, with the same `webhook-id`.",
    )
