"""Webhook subscriptions of partner apps, and their delivery log (docs/webhooks.md).

Who: the owners and admins of the app's partner organisation manage its subscriptions (the same rule as its client
secrets: ``partners.apps.managed_app``); they and city officers read them and the delivery log. An app's own token
reaches none of this (``partners.fields``: DENIED).

A subscription names an https URL (``webhooks.targets``) and the event types it wants, each in the catalogue
(``webhooks.events.CATALOGUE``) and allowed by the scopes the app asks for (an event about a person needs the scope
that the person's grant must hold; an app-level event needs none). Its signing secret is shown once, stored sealed
(``webhooks.signing``); rotating it keeps the previous secret signing beside the new one for
``webhook_secret_overlap_hours``. A delivery keeps its id (the receiver's ``webhook-id``) through every retry;
``retry_delivery`` puts a failed (or delivered) delivery back in the queue, due now.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from neo4j import AsyncManagedTransaction

from auth.permissions import Representation, authorize, holds
from auth.viewer import Viewer
from core.errors import ConflictError, ForbiddenError, NotFoundError, Problems, UnauthenticatedError, UserInputError
from core.pagination import Page, PageRequest, keyset_kind
from core.runtime import Runtime
from graph import webhooks as queries
from graph.driver import native
from graph.webhooks import DeliveryRow, SubscriptionRow
from partners.apps import app_standing, managed_app, readable_app
from webhooks import signing, targets

MAX_EVENT_TYPES = 50
MAX_SUBSCRIPTIONS = 10
NO_APP = "No app has this id."
NO_SUBSCRIPTION = "No webhook subscription of yours has this id."
NO_DELIVERY = "No webhook delivery of yours has this id."
STATUSES = ("active", "disabled")
DELIVERY_STATUSES = ("pending", "delivered", "failed")


# --- views --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SubscriptionView:
    """A subscription as its app's managers and city officers see it (never its secret, only its last 4)."""

    id: str
    app_id: str
    url: str
    event_types: tuple[str, ...]
    status: str  # active | disabled
    disabled_reason: str | None
    secret_last4: str
    secret_created_at: datetime
    previous_secret_last4: str | None  # while the previous secret still signs
    previous_secret_expires_at: datetime | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class AttemptView:
    number: int
    at: datetime
    status: int | None  # the HTTP status answered; None when no answer came
    error: str | None
    duration_ms: int


@dataclass(frozen=True)
class DeliveryView:
    """One event sent (or to send) to one subscription, with every attempt, oldest first."""

    id: str  # msg_...: the webhook-id header, the same on every retry
    app_id: str
    subscription_id: str
    event_type: str
    body: str
    status: str  # pending | delivered | failed
    attempt_count: int
    next_attempt_at: datetime | None
    created_at: datetime
    delivered_at: datetime | None
    last_status: int | None
    last_error: str | None
    attempts: tuple[AttemptView, ...]


def subscription_view(found: SubscriptionRow, now: datetime | None = None) -> SubscriptionView:
    s = found.subscription
    previous_until = native(s.get("previousSecretExpiresAt"))
    live_previous = previous_until is not None and previous_until > (now or datetime.now(UTC))
    return SubscriptionView(
        id=s["id"],
        app_id=found.app_id,
        url=s["url"],
        event_types=tuple(s.get("eventTypes") or ()),
        status=s["status"],
        disabled_reason=s.get("disabledReason"),
        secret_last4=s["secretLast4"],
        secret_created_at=native(s["secretCreatedAt"]),
        previous_secret_last4=s.get("previousSecretLast4") if live_previous else None,
        previous_secret_expires_at=previous_until if live_previous else None,
        created_at=native(s["createdAt"]),
        updated_at=native(s["updatedAt"]),
    )


def delivery_view(found: DeliveryRow) -> DeliveryView:
    d = found.delivery
    attempts = sorted(found.attempt_log, key=lambda t: t["number"])
    return DeliveryView(
        id=d["id"],
        app_id=found.app_id,
        subscription_id=found.subscription_id,
        event_type=d["eventType"],
        body=d["body"],
        status=d["status"],
        attempt_count=int(d.get("attempts") or 0),
        next_attempt_at=native(d.get("nextAttemptAt")) if d["status"] == "pending" else None,
        created_at=native(d["createdAt"]),
        delivered_at=native(d.get("deliveredAt")),
        last_status=d.get("lastStatus"),
        last_error=d.get("lastError"),
        attempts=tuple(
            AttemptView(
                number=int(t["number"]),
                at=native(t["at"]),
                status=t.get("status"),
                error=t.get("error"),
                duration_ms=int(t.get("durationMs") or 0),
            )
            for t in attempts
        ),
    )


# --- checks -------------------------------------------------------------------------------------------------------


def event_scopes() -> dict[str, str | None]:
    """Every event type of the catalogue and the scope an app needs for it (None: an app-level event)."""
    from webhooks.events import CATALOGUE  # noqa: PLC0415 (the events' catalogue, owned by webhooks.events)

    return {event.name: event.scope for event in CATALOGUE}


def check_event_types(given: list[str], app_scopes: list[str], problems: Problems) -> list[str]:
    """The event types asked for, each in the catalogue and allowed by a scope the app asks for; in order, once."""
    if not given:
        problems.add(UserInputError("Subscribe to at least one event type.", field="eventTypes"))
        return []
    if len(given) > MAX_EVENT_TYPES:
        problems.add(
            UserInputError("At most {limit} event types.", field="eventTypes", params={"limit": MAX_EVENT_TYPES})
        )
        return []
    catalogue = event_scopes()
    checked: list[str] = []
    for position, name in enumerate(given):
        field = f"eventTypes.{position}"
        if name not in catalogue:
            problems.add(
                UserInputError(
                    "There is no event type {type}; the event types are listed in docs/webhooks.md.",
                    field=field,
                    params={"type": (name or "")[:60]},
                )
            )
            continue
        scope = catalogue[name]
        if scope is not None and scope not in app_scopes:
            problems.add(
                UserInputError(
                    "The event type {type} needs the scope {scope}, which this app does not ask for.",
                    field=field,
                    params={"type": name, "scope": scope},
                )
            )
            continue
        if name not in checked:
            checked.append(name)
    return checked


async def _readable_app(tx: AsyncManagedTransaction, viewer: Viewer, app_id: str, field: str = "appId") -> None:
    """Go on when the viewer may read the app's webhooks (its partner's owners and admins, city officers); NOT_FOUND
    naming ``field`` when no app has this id, UNAUTHENTICATED or FORBIDDEN otherwise."""
    await readable_app(tx, viewer, "webhooks.subscription.read", app_id, oversee="webhooks.oversee", field=field)


async def _subscription_of_managed_app(
    tx: AsyncManagedTransaction, viewer: Viewer, subscription_id: str
) -> queries.LockedSubscription:
    """The subscription, write-locked, when the viewer manages its app; NOT_FOUND naming ``subscriptionId`` when
    there is none (FORBIDDEN from ``managed_app`` for someone who does not manage its app)."""
    authorize(viewer, "webhooks.subscription.manage")
    found = await queries.lock_subscription(tx, subscription_id) if subscription_id else None
    if found is None:
        raise NotFoundError(NO_SUBSCRIPTION, field="subscriptionId")
    await managed_app(tx, viewer, "webhooks.subscription.manage", found.app_id)
    return found


# --- use cases ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CreatedSubscription:
    subscription: SubscriptionView
    secret: str  # shown once


async def create_subscription(
    rt: Runtime, viewer: Viewer, app_id: str, url: str, event_types: list[str], *, problems: Problems
) -> CreatedSubscription:
    """A new active subscription of the app and its signing secret (shown once)."""
    authorize(viewer, "webhooks.subscription.manage")
    checked_url = problems.take(lambda: targets.check_url(url, rt.settings.environment))
    problems.raise_if_any()
    subscription_id = str(uuid.uuid4())
    secret = signing.new_secret()
    sealed = signing.seal_secret(rt.pairwise_key, subscription_id, secret)

    async def work(tx: AsyncManagedTransaction) -> SubscriptionRow:
        app = await managed_app(tx, viewer, "webhooks.subscription.manage", app_id)
        checks = Problems()
        types = check_event_types(event_types, app.scopes or [], checks)
        checks.raise_if_any()
        if await queries.subscription_count(tx, app_id) >= MAX_SUBSCRIPTIONS:  # counted under the app's lock
            raise ConflictError(
                "An app has at most {limit} webhook subscriptions; delete one first.",
                field="appId",
                params={"limit": MAX_SUBSCRIPTIONS},
            )
        created = await queries.create_subscription(
            tx, app_id=app_id, id=subscription_id, url=checked_url or "", event_types=types, sealed=sealed,
            last4=secret[-4:],
        )  # fmt: skip
        assert created is not None, "the app was locked"
        return created

    found = await rt.graph.write(work)
    return CreatedSubscription(subscription_view(found), secret)


async def update_subscription(
    rt: Runtime,
    viewer: Viewer,
    subscription_id: str,
    *,
    url: str | None,
    event_types: list[str] | None,
    status: str | None,
    problems: Problems,
) -> SubscriptionView:
    """Change a subscription's URL or event types, or disable it or enable it again (a disabled one starts over:
    its reason is cleared and its waiting deliveries go out)."""
    authorize(viewer, "webhooks.subscription.manage")
    changes: dict[str, Any] = {}
    if url is not None:
        changes["url"] = problems.take(lambda: targets.check_url(url, rt.settings.environment))
    if status is not None:
        if status not in STATUSES:
            problems.add(UserInputError("A subscription is ACTIVE or DISABLED.", field="status"))
        changes["status"] = status
        changes["disabledReason"] = None if status == "active" else "Disabled by the app's partner."
    problems.raise_if_any()

    async def work(tx: AsyncManagedTransaction) -> SubscriptionRow:
        found = await _subscription_of_managed_app(tx, viewer, subscription_id)
        if event_types is not None:
            app = await managed_app(tx, viewer, "webhooks.subscription.manage", found.app_id)
            checks = Problems()
            changes["eventTypes"] = check_event_types(event_types, app.scopes or [], checks)
            checks.raise_if_any()
        updated = await queries.update_subscription(tx, subscription_id, changes)
        assert updated is not None, "the subscription was locked"
        return updated

    return subscription_view(await rt.graph.write(work))


async def delete_subscription(rt: Runtime, viewer: Viewer, subscription_id: str) -> str:
    """Delete a subscription with its delivery log; the app's id."""
    authorize(viewer, "webhooks.subscription.manage")

    async def work(tx: AsyncManagedTransaction) -> str:
        found = await _subscription_of_managed_app(tx, viewer, subscription_id)
        await queries.delete_subscription(tx, subscription_id)
        return found.app_id

    app_id: str = await rt.graph.write(work)
    return app_id


async def rotate_secret(rt: Runtime, viewer: Viewer, subscription_id: str) -> CreatedSubscription:
    """A new signing secret (shown once); the previous one signs beside it until the overlap ends."""
    authorize(viewer, "webhooks.subscription.manage")
    secret = signing.new_secret()
    sealed = signing.seal_secret(rt.pairwise_key, subscription_id, secret)
    until = datetime.now(UTC) + timedelta(hours=rt.settings.webhook_secret_overlap_hours)

    async def work(tx: AsyncManagedTransaction) -> SubscriptionRow:
        await _subscription_of_managed_app(tx, viewer, subscription_id)
        rotated = await queries.rotate_secret(tx, subscription_id, sealed, secret[-4:], until)
        assert rotated is not None, "the subscription was locked"
        return rotated

    return CreatedSubscription(subscription_view(await rt.graph.write(work)), secret)


async def retry_delivery(rt: Runtime, viewer: Viewer, delivery_id: str) -> DeliveryView:
    """Send a delivery again, now, with the same ``webhook-id`` (one more attempt on the schedule)."""
    authorize(viewer, "webhooks.subscription.manage")

    async def work(tx: AsyncManagedTransaction) -> None:
        found = await queries.lock_delivery(tx, delivery_id, event_scopes()) if delivery_id else None
        if found is None:
            raise NotFoundError(NO_DELIVERY, field="deliveryId")
        await managed_app(tx, viewer, "webhooks.subscription.manage", found.app_id)
        if found.status == "pending":
            raise ConflictError("This delivery is waiting to be sent already.", field="deliveryId")
        if not found.admitted:
            raise ConflictError(
                "The grant that admitted this delivery has ended; it is not sent again.", field="deliveryId"
            )
        if found.subscription_status != "active":
            raise ConflictError(
                "Its subscription is disabled; enable it again (webhookSubscriptionUpdate) first.", field="deliveryId"
            )
        await queries.retry_delivery(tx, delivery_id, datetime.now(UTC))

    await rt.graph.write(work)
    (found,) = await rt.graph.read(queries.deliveries_by_ids, [delivery_id])
    return delivery_view(found)


# --- reads --------------------------------------------------------------------------------------------------------

SUBSCRIPTIONS_CURSOR = keyset_kind("webhookSubscriptions")
DELIVERIES_CURSOR = keyset_kind("webhookDeliveries")


async def subscriptions_of_app(
    rt: Runtime, viewer: Viewer, app_id: str, request: PageRequest
) -> Page[SubscriptionView] | None:
    """The app's subscriptions, newest first, for its partner's owners and admins and city officers (None for
    anyone else)."""
    kind = SUBSCRIPTIONS_CURSOR.scoped(app_id)
    window = request.window(kind)

    async def read(tx: AsyncManagedTransaction) -> tuple[list[SubscriptionRow], int] | None:
        try:
            await _readable_app(tx, viewer, app_id)
        except (NotFoundError, ForbiddenError, UnauthenticatedError):
            return None
        return await queries.subscriptions_of_app(tx, app_id, window)

    found = await rt.graph.read(read)
    if found is None:
        return None
    page = request.page(
        found[0], kind, lambda r: (r.subscription["createdAt"], r.subscription["id"]), total_count=found[1]
    )
    return Page(
        items=[subscription_view(r) for r in page.items],
        cursors=page.cursors,
        has_next_page=page.has_next_page,
        has_previous_page=page.has_previous_page,
        total_count=found[1],
    )


async def deliveries(
    rt: Runtime,
    viewer: Viewer,
    app_id: str,
    subscription_id: str | None,
    status: str | None,
    request: PageRequest,
) -> Page[DeliveryView]:
    """The app's deliveries, newest first, each with its attempts (of one subscription, in one status, when
    asked); NOT_FOUND naming ``subscriptionId`` for a subscription of another app."""
    kind = DELIVERIES_CURSOR.for_filters(app=app_id, subscription=subscription_id, status=status)
    window = request.window(kind)

    async def read(tx: AsyncManagedTransaction) -> tuple[list[DeliveryRow], int]:
        await _readable_app(tx, viewer, app_id)
        if subscription_id is not None and not await queries.subscription_of_app(tx, app_id, subscription_id):
            raise NotFoundError(NO_SUBSCRIPTION, field="subscriptionId")
        return await queries.deliveries_of_app(tx, app_id, subscription_id, status, window)

    found, total = await rt.graph.read(read)
    page = request.page(found, kind, lambda r: (r.delivery["createdAt"], r.delivery["id"]), total_count=total)
    return Page(
        items=[delivery_view(r) for r in page.items],
        cursors=page.cursors,
        has_next_page=page.has_next_page,
        has_previous_page=page.has_previous_page,
        total_count=total,
    )


async def subscriptions_by_ids(rt: Runtime, viewer: Viewer, ids: list[str]) -> list[SubscriptionView | None]:
    """``WebhookSubscription`` nodes, for those who may read their app's webhooks."""
    found = await rt.graph.read(_visible, viewer, queries.subscriptions_by_ids, ids)
    by_id = {r.subscription["id"]: subscription_view(r) for r in found}
    return [by_id.get(i) for i in ids]


async def deliveries_by_ids(rt: Runtime, viewer: Viewer, ids: list[str]) -> list[DeliveryView | None]:
    """``WebhookDelivery`` nodes, for those who may read their app's webhooks."""
    found = await rt.graph.read(_visible, viewer, queries.deliveries_by_ids, ids)
    by_id = {r.delivery["id"]: delivery_view(r) for r in found}
    return [by_id.get(i) for i in ids]


async def _visible(tx: AsyncManagedTransaction, viewer: Viewer, load: Any, ids: list[str]) -> list[Any]:
    """The rows ``load`` reads whose app's webhooks the viewer may read."""
    found = await load(tx, ids)
    if holds(viewer, "webhooks.oversee"):
        return list(found)
    person_id = viewer.actor_id if viewer.kind == "person" else None
    if person_id is None:
        return []
    readable: dict[str, bool] = {}  # app id -> may the viewer read its webhooks (one read per app, not per row)
    for r in found:
        if r.app_id not in readable:
            standing = await app_standing(tx, r.app_id, person_id)
            active = standing is not None and (standing.organization_status or "active") == "active"
            readable[r.app_id] = standing is not None and holds(
                viewer, "webhooks.subscription.read", on=Representation(standing.organization_id, standing.role, active)
            )
    return [r for r in found if readable[r.app_id]]
