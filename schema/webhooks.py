"""GraphQL shapes of webhooks: an app's subscriptions, their signing secrets, the delivery log."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry import relay

from schema.common import CountedConnection, UserError
from webhooks.subscriptions import AttemptView, DeliveryView, SubscriptionView

if TYPE_CHECKING:
    from schema.partners import App

ERRORS = "Mistakes in the input to fix (empty on success): code, field and message."


@strawberry.enum(description="Whether a webhook subscription receives deliveries.")
class WebhookSubscriptionStatus(Enum):
    _value_: str  # .value is the services' string (strawberry.enum_value only adds a description)
    ACTIVE = strawberry.enum_value("active", description="Events are delivered to its URL.")
    DISABLED = strawberry.enum_value(
        "disabled",
        description="Nothing is sent (its endpoint answered 410 Gone, or its partner disabled it): see "
        "`disabledReason`; deliveries wait until it is enabled again.",
    )


@strawberry.enum(description="Where a webhook delivery stands.")
class WebhookDeliveryStatus(Enum):
    _value_: str  # .value is the services' string (strawberry.enum_value only adds a description)
    PENDING = strawberry.enum_value("pending", description="Waiting for its next attempt (`nextAttemptAt`).")
    DELIVERED = strawberry.enum_value("delivered", description="The endpoint answered 2xx.")
    FAILED = strawberry.enum_value(
        "failed", description="Every attempt of the schedule failed, or the endpoint answered 410 Gone."
    )


@strawberry.type(description="A URL of an app's server that receives the events it subscribed to, signed.")
class WebhookSubscription(relay.Node):
    uuid: relay.NodeID[str]
    app_id: strawberry.Private[str]
    url: str = strawberry.field(description="Where deliveries are POSTed (https).")
    event_types: list[str] = strawberry.field(description="The event types it receives (docs/webhooks.md).")
    status: WebhookSubscriptionStatus = strawberry.field(description="Active or disabled.")
    disabled_reason: str | None = strawberry.field(description="Why it is disabled, when it is.")
    secret_last4: str = strawberry.field(description="The last 4 characters of the current signing secret.")
    secret_created_at: datetime = strawberry.field(description="When the current signing secret was made (UTC).")
    previous_secret_last4: str | None = strawberry.field(
        description="While a rotation overlaps: the last 4 characters of the previous secret, which still signs."
    )
    previous_secret_expires_at: datetime | None = strawberry.field(
        description="While a rotation overlaps: when the previous secret stops signing (UTC)."
    )
    created_at: datetime = strawberry.field(description="When it was created (UTC).")
    updated_at: datetime = strawberry.field(description="When it last changed (UTC).")

    @strawberry.field(description="The app it belongs to.")
    async def app(self, info: strawberry.Info) -> Annotated[App, strawberry.lazy("schema.partners")] | None:
        from resolvers.partners import apps_by_ids  # noqa: PLC0415 (the resolvers import the shapes)

        (found,) = await apps_by_ids(info, [self.app_id])
        return found

    @classmethod
    def of(cls, v: SubscriptionView) -> WebhookSubscription:
        return cls(
            uuid=v.id,
            app_id=v.app_id,
            url=v.url,
            event_types=list(v.event_types),
            status=WebhookSubscriptionStatus(v.status),
            disabled_reason=v.disabled_reason,
            secret_last4=v.secret_last4,
            secret_created_at=v.secret_created_at,
            previous_secret_last4=v.previous_secret_last4,
            previous_secret_expires_at=v.previous_secret_expires_at,
            created_at=v.created_at,
            updated_at=v.updated_at,
        )


@strawberry.type(description="One attempt to deliver a webhook.")
class WebhookAttempt:
    number: int = strawberry.field(description="1 for the first attempt, then 2, 3...")
    at: datetime = strawberry.field(description="When it was sent (UTC).")
    status: int | None = strawberry.field(description="The HTTP status the endpoint answered; null when none came.")
    error: str | None = strawberry.field(description="What went wrong (a timeout, a refused address...), if anything.")
    duration_ms: int = strawberry.field(description="How long the endpoint took to answer, in milliseconds.")

    @classmethod
    def of(cls, v: AttemptView) -> WebhookAttempt:
        return cls(number=v.number, at=v.at, status=v.status, error=v.error, duration_ms=v.duration_ms)


@strawberry.type(description="One event sent to one subscription, with every attempt.")
class WebhookDelivery(relay.Node):
    uuid: relay.NodeID[str]
    subscription_id: strawberry.Private[str]
    webhook_id: str = strawberry.field(
        description="The `webhook-id` header (`msg_...`), the same on every attempt: receivers dedupe on it."
    )
    event_type: str = strawberry.field(description="The event's type (`order.placed`).")
    body: str = strawberry.field(description="The exact JSON body sent (as the app sees it: its own ids).")
    status: WebhookDeliveryStatus = strawberry.field(description="Pending, delivered or failed.")
    attempt_count: int = strawberry.field(description="How many attempts were made.")
    next_attempt_at: datetime | None = strawberry.field(description="When a pending delivery is tried next (UTC).")
    created_at: datetime = strawberry.field(description="When the event happened and the delivery was queued (UTC).")
    delivered_at: datetime | None = strawberry.field(description="When the endpoint accepted it (UTC).")
    last_status: int | None = strawberry.field(description="The HTTP status of the last attempt, if one came.")
    last_error: str | None = strawberry.field(description="What went wrong at the last attempt, if anything.")
    attempts: list[WebhookAttempt] = strawberry.field(description="Every attempt, oldest first.")

    @strawberry.field(description="The subscription it was sent to.")
    async def subscription(self, info: strawberry.Info) -> WebhookSubscription | None:
        from resolvers.webhooks import subscriptions_by_ids  # noqa: PLC0415 (the resolvers import the shapes)

        (found,) = await subscriptions_by_ids(info, [self.subscription_id])
        return found

    @classmethod
    def of(cls, v: DeliveryView) -> WebhookDelivery:
        return cls(
            uuid=v.id,
            subscription_id=v.subscription_id,
            webhook_id=v.id,
            event_type=v.event_type,
            body=v.body,
            status=WebhookDeliveryStatus(v.status),
            attempt_count=v.attempt_count,
            next_attempt_at=v.next_attempt_at,
            created_at=v.created_at,
            delivered_at=v.delivered_at,
            last_status=v.last_status,
            last_error=v.last_error,
            attempts=[WebhookAttempt.of(a) for a in v.attempts],
        )


@strawberry.type(description="A page of an app's webhook subscriptions, newest first.")
class WebhookSubscriptionConnection(CountedConnection[WebhookSubscription]):
    pass


@strawberry.type(description="A page of webhook deliveries, newest first.")
class WebhookDeliveryConnection(CountedConnection[WebhookDelivery]):
    pass


# --- inputs -------------------------------------------------------------------------------------------------------


@strawberry.input(description="A new webhook subscription of my partner's app.")
class WebhookSubscriptionCreateInput:
    app_id: strawberry.ID = strawberry.field(description="Global id of the app.")
    url: str = strawberry.field(
        description="Where to POST the events: https, a public address (outside production also "
        "http://127.0.0.1:<port>)."
    )
    event_types: list[str] = strawberry.field(
        description="The event types to receive (docs/webhooks.md), each allowed by a scope the app asks for."
    )


@strawberry.input(description="Changes to a webhook subscription; fields left out stay as they are.")
class WebhookSubscriptionUpdateInput:
    subscription_id: strawberry.ID = strawberry.field(description="Global id of the subscription.")
    url: str | None = strawberry.field(default=None, description="A new URL (the same rules as at creation).")
    event_types: list[str] | None = strawberry.field(
        default=None, description="The event types to receive, all of them (replaces the list)."
    )
    status: WebhookSubscriptionStatus | None = strawberry.field(
        default=None,
        description="ACTIVE enables a disabled subscription again (its waiting deliveries go out); "
        "DISABLED stops sending.",
    )


@strawberry.input(description="The webhook subscription to delete.")
class WebhookSubscriptionDeleteInput:
    subscription_id: strawberry.ID = strawberry.field(
        description="Global id of the subscription (its delivery log goes with it)."
    )


@strawberry.input(description="The webhook subscription whose signing secret to rotate.")
class WebhookSecretRotateInput:
    subscription_id: strawberry.ID = strawberry.field(description="Global id of the subscription.")


@strawberry.input(description="The webhook delivery to send again.")
class WebhookDeliveryRetryInput:
    delivery_id: strawberry.ID = strawberry.field(description="Global id of the delivery (failed or delivered).")


# --- payloads -----------------------------------------------------------------------------------------------------


@strawberry.type(description="Result of webhookSubscriptionCreate.")
class WebhookSubscriptionCreatePayload:
    subscription: WebhookSubscription | None = strawberry.field(default=None, description="The new subscription.")
    secret: str | None = strawberry.field(
        default=None,
        description="Its signing secret (`whsec_...`), shown this once: verify deliveries with it (docs/webhooks.md).",
    )
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS)


@strawberry.type(description="Result of webhookSubscriptionUpdate.")
class WebhookSubscriptionUpdatePayload:
    subscription: WebhookSubscription | None = strawberry.field(default=None, description="The subscription.")
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS)


@strawberry.type(description="Result of webhookSubscriptionDelete.")
class WebhookSubscriptionDeletePayload:
    deleted_subscription_id: strawberry.ID | None = strawberry.field(
        default=None, description="Global id of the subscription deleted."
    )
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS)


@strawberry.type(description="Result of webhookSecretRotate.")
class WebhookSecretRotatePayload:
    subscription: WebhookSubscription | None = strawberry.field(default=None, description="The subscription.")
    secret: str | None = strawberry.field(
        default=None,
        description="The new signing secret, shown this once; the previous one keeps signing beside it until "
        "`subscription.previousSecretExpiresAt` (24 hours).",
    )
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS)


@strawberry.type(description="Result of webhookDeliveryRetry.")
class WebhookDeliveryRetryPayload:
    delivery: WebhookDelivery | None = strawberry.field(
        default=None, description="The delivery, pending again, due now, with the same `webhookId`."
    )
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS)
