"""Resolvers of webhooks: thin glue from fields to the webhooks.subscriptions service."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry
from strawberry import relay

from core.errors import Problems
from core.pagination import PageRequest
from resolvers.common import decode_id, decode_input_id, mutate, runtime, viewer
from schema.common import AFTER, BEFORE, FIRST, LAST
from schema.webhooks import (
    WebhookDelivery,
    WebhookDeliveryConnection,
    WebhookDeliveryRetryInput,
    WebhookDeliveryRetryPayload,
    WebhookDeliveryStatus,
    WebhookSecretRotateInput,
    WebhookSecretRotatePayload,
    WebhookSubscription,
    WebhookSubscriptionConnection,
    WebhookSubscriptionCreateInput,
    WebhookSubscriptionCreatePayload,
    WebhookSubscriptionDeleteInput,
    WebhookSubscriptionDeletePayload,
    WebhookSubscriptionUpdateInput,
    WebhookSubscriptionUpdatePayload,
)
from webhooks import subscriptions as service

# --- nodes and nested fields ------------------------------------------------------------------------------------


async def subscriptions_by_ids(info: strawberry.Info, ids: list[str]) -> list[WebhookSubscription | None]:
    """``WebhookSubscription`` nodes: for the app's partner's owners and admins and city officers."""
    views = await service.subscriptions_by_ids(runtime(info), viewer(info), ids)
    return [WebhookSubscription.of(v) if v else None for v in views]


async def deliveries_by_ids(info: strawberry.Info, ids: list[str]) -> list[WebhookDelivery | None]:
    """``WebhookDelivery`` nodes: for the app's partner's owners and admins and city officers."""
    views = await service.deliveries_by_ids(runtime(info), viewer(info), ids)
    return [WebhookDelivery.of(v) if v else None for v in views]


async def app_subscriptions(
    info: strawberry.Info,
    app_id: str,
    first: int | None,
    after: str | None,
    last: int | None = None,
    before: str | None = None,
) -> WebhookSubscriptionConnection | None:
    page = await service.subscriptions_of_app(
        runtime(info), viewer(info), app_id, PageRequest.from_args(first=first, after=after, last=last, before=before)
    )
    return WebhookSubscriptionConnection.from_page(page, WebhookSubscription.of) if page is not None else None


# --- root queries -------------------------------------------------------------------------------------------------


async def webhook_deliveries(
    info: strawberry.Info,
    app_id: Annotated[strawberry.ID, strawberry.argument(description="Global id of the app.")],
    subscription_id: Annotated[
        strawberry.ID | None, strawberry.argument(description="Only the deliveries of this subscription.")
    ] = None,
    status: Annotated[
        WebhookDeliveryStatus | None, strawberry.argument(description="Only the deliveries in this status.")
    ] = None,
    first: FIRST = None,
    after: AFTER = None,
    last: LAST = None,
    before: BEFORE = None,
) -> WebhookDeliveryConnection:
    app = decode_id(app_id, "App", "appId")
    subscription = decode_id(subscription_id, "WebhookSubscription", "subscriptionId") if subscription_id else None
    page = await service.deliveries(
        runtime(info),
        viewer(info),
        app,
        subscription,
        status.value if status else None,
        PageRequest.from_args(first=first, after=after, last=last, before=before),
    )
    return WebhookDeliveryConnection.from_page(page, WebhookDelivery.of)


# --- mutations ----------------------------------------------------------------------------------------------------


def _global(type_name: str, uuid: str) -> strawberry.ID:
    return strawberry.ID(str(relay.GlobalID(type_name, uuid)))


async def webhook_subscription_create(
    info: strawberry.Info,
    input: Annotated[WebhookSubscriptionCreateInput, strawberry.argument(description="The app, URL and events.")],
) -> WebhookSubscriptionCreatePayload | None:
    async def work() -> dict[str, Any]:
        problems = Problems()
        app_id = decode_input_id(problems, input.app_id, "App", "appId")
        created = await service.create_subscription(
            runtime(info), viewer(info), app_id, input.url, list(input.event_types), problems=problems
        )
        return {"subscription": WebhookSubscription.of(created.subscription), "secret": created.secret}

    return await mutate(info, WebhookSubscriptionCreatePayload, work)


async def webhook_subscription_update(
    info: strawberry.Info,
    input: Annotated[WebhookSubscriptionUpdateInput, strawberry.argument(description="The changes.")],
) -> WebhookSubscriptionUpdatePayload | None:
    async def work() -> dict[str, Any]:
        problems = Problems()
        subscription_id = decode_input_id(problems, input.subscription_id, "WebhookSubscription", "subscriptionId")
        view = await service.update_subscription(
            runtime(info),
            viewer(info),
            subscription_id,
            url=input.url,
            event_types=list(input.event_types) if input.event_types is not None else None,
            status=input.status.value if input.status is not None else None,
            problems=problems,
        )
        return {"subscription": WebhookSubscription.of(view)}

    return await mutate(info, WebhookSubscriptionUpdatePayload, work)


async def webhook_subscription_delete(
    info: strawberry.Info,
    input: Annotated[WebhookSubscriptionDeleteInput, strawberry.argument(description="The subscription.")],
) -> WebhookSubscriptionDeletePayload | None:
    async def work() -> dict[str, Any]:
        problems = Problems()
        subscription_id = decode_input_id(problems, input.subscription_id, "WebhookSubscription", "subscriptionId")
        problems.raise_if_any()
        await service.delete_subscription(runtime(info), viewer(info), subscription_id)
        return {"deleted_subscription_id": _global("WebhookSubscription", subscription_id)}

    return await mutate(info, WebhookSubscriptionDeletePayload, work)


async def webhook_secret_rotate(
    info: strawberry.Info,
    input: Annotated[WebhookSecretRotateInput, strawberry.argument(description="The subscription.")],
) -> WebhookSecretRotatePayload | None:
    async def work() -> dict[str, Any]:
        problems = Problems()
        subscription_id = decode_input_id(problems, input.subscription_id, "WebhookSubscription", "subscriptionId")
        problems.raise_if_any()
        rotated = await service.rotate_secret(runtime(info), viewer(info), subscription_id)
        return {"subscription": WebhookSubscription.of(rotated.subscription), "secret": rotated.secret}

    return await mutate(info, WebhookSecretRotatePayload, work)


async def webhook_delivery_retry(
    info: strawberry.Info,
    input: Annotated[WebhookDeliveryRetryInput, strawberry.argument(description="The delivery.")],
) -> WebhookDeliveryRetryPayload | None:
    async def work() -> dict[str, Any]:
        problems = Problems()
        delivery_id = decode_input_id(problems, input.delivery_id, "WebhookDelivery", "deliveryId")
        problems.raise_if_any()
        view = await service.retry_delivery(runtime(info), viewer(info), delivery_id)
        return {"delivery": WebhookDelivery.of(view)}

    return await mutate(info, WebhookDeliveryRetryPayload, work)
