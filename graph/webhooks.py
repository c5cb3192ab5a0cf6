"""Cypher of webhooks: the outbox's fan-out (``webhooks.outbox.emit``), and the subscriptions, leases and attempts of
the dispatcher (``webhooks.subscriptions``, ``webhooks.dispatcher``), each block owned by its module.

The model (graph/migrations/m0012_webhooks.py):
``(:App)-[:HAS_WEBHOOK]->(:WebhookSubscription {id, url, eventTypes, status, ...})`` and
``(:WebhookDelivery {id, eventType, body, aboutIds, status, attempts, nextAttemptAt, leaseUntil, createdAt, ...})
-[:TO]->(:WebhookSubscription)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from neo4j import AsyncManagedTransaction

from core.pagination import Window
from graph.driver import run, window_keyset
from graph.paging import both_ways
from graph.rows import row, rows
from graph.rules import app_grant_holds

# --- the outbox: emit (webhooks.outbox) ------------------------------------------------------------------------------


def grant_admits(grant: str, app: str, person: str, scope: str = "$scope") -> str:
    """Cypher predicate: the grant bound to ``grant``, given by the person bound to ``person`` to the app bound to
    ``app``, admits an event that needs the scope ``scope`` (a parameter): the grant holds (``graph.rules.
    app_grant_holds``: not revoked nor expired, the app active, the person's account active), it includes the scope,
    and the sandbox rule admits the person for the app (a sandbox app knows only its own test personas). Mirror of
    ``webhooks.outbox.grant_admits``; ``tests/partners/test_webhook_events.py`` holds the two together over every
    combination."""
    holds = app_grant_holds(grant, app, person)
    return (
        f"({holds} AND {scope} IN {grant}.scopes"
        f" AND ({app}.environment <> 'sandbox' OR coalesce({person}.personaOfAppId = {app}.id, false)))"
    )


GRANT_ADMITS = grant_admits("g", "a", "p")

#: The lastError of a delivery that the grant rule no longer admits when it would be sent (``DELIVERY_ADMITTED``).
GRANT_ENDED = "the grant that admitted it has ended"


def delivery_admitted(delivery: str, app: str) -> str:
    """Cypher expression: the delivery bound to ``delivery`` (of the app bound to ``app``) may still be sent: it is an
    app-level event (``$appLevelEvents``: addressed to the app itself), or one of the people it is about (its
    ``aboutIds``, written by ``webhooks.outbox.emit``, never sent) still gives the app a grant that admits it: the same
    rule as at emit, ``grant_admits``, under the event type's scope (``$eventScopes``). Fails closed: a delivery with
    no ``aboutIds`` (written before they were stored) or of an event type the catalogue no longer knows is not
    admitted."""
    d, a = delivery, app
    scope = f"$eventScopes[{d}.eventType]"
    return (
        f"CASE WHEN {d}.eventType IN $appLevelEvents THEN true"
        f" WHEN {d}.aboutIds IS NULL OR {scope} IS NULL THEN false"
        f" ELSE EXISTS {{ UNWIND {d}.aboutIds AS aboutId"
        f" MATCH (p:Person {{id: aboutId}})-[:GAVE]->(g:Grant)-[:TO]->({a})"
        f" WHERE {grant_admits('g', a, 'p', scope)} }} END"
    )


DELIVERY_ADMITTED = delivery_admitted("d", "a")

#: What the rendering of a ``PersonRef`` needs about each actor named in an event's data (``$refs``).
_REFS = (
    "COLLECT { MATCH (x:Actor) WHERE x.id IN $refs"
    " RETURN {id: x.id, person: x:Person, personaOfAppId: x.personaOfAppId} } AS refs"
)

#: The apps that receive an event about the people ``$about`` (one row per app, with its active subscriptions to
#: ``$eventType``): those holding a grant that admits it from one of them. Starts from the people (a handful of
#: grants each), so an event nobody subscribed to costs one short read.
EVENT_TARGETS = f"""
UNWIND $about AS personId
MATCH (p:Person {{id: personId}})-[:GAVE]->(g:Grant)-[:TO]->(a:App)
WHERE {GRANT_ADMITS}
WITH DISTINCT a
MATCH (a)-[:HAS_WEBHOOK]->(s:WebhookSubscription)
WHERE s.status = 'active' AND $eventType IN s.eventTypes
WITH a, collect(s.id) AS subscriptions
RETURN a.id AS appId, a.sectorId AS sectorId, a.environment = 'sandbox' AS sandbox, subscriptions, {_REFS}
"""

#: An app-level event: the app ``$appId`` (active) and its active subscriptions to ``$eventType``.
APP_EVENT_TARGETS = f"""
MATCH (a:App {{id: $appId}})-[:HAS_WEBHOOK]->(s:WebhookSubscription)
WHERE a.status = 'active' AND s.status = 'active' AND $eventType IN s.eventTypes
WITH a, collect(s.id) AS subscriptions
RETURN a.id AS appId, a.sectorId AS sectorId, a.environment = 'sandbox' AS sandbox, subscriptions, {_REFS}
"""


@dataclass(frozen=True)
class EventTarget:
    """An app that receives an event: its sector (pairwise subjects), whether it is in its sandbox, its active
    subscriptions to the event, and what rendering needs about each actor the event names."""

    app_id: str
    sector_id: str | None
    sandbox: bool
    subscriptions: list[str]
    refs: list[dict[str, Any]]


async def event_targets(
    tx: AsyncManagedTransaction,
    event_type: str,
    *,
    scope: str | None,
    about: list[str],
    app_id: str | None,
    refs: list[str],
) -> list[EventTarget]:
    """The apps (with their subscriptions) that receive ``event_type``: about the people ``about`` under ``scope``,
    or the app ``app_id`` for an app-level event (``scope`` None)."""
    if scope is None:
        if app_id is None:
            return []
        found = await run(tx, APP_EVENT_TARGETS, appId=app_id, eventType=event_type, refs=refs)
    else:
        if not about:
            return []
        found = await run(tx, EVENT_TARGETS, about=about, scope=scope, eventType=event_type, refs=refs)
    return rows(EventTarget, found)


#: One pending delivery per (app, subscription), due now, in one statement for the whole fan-out.
CREATE_DELIVERIES = """
UNWIND $deliveries AS d
MATCH (s:WebhookSubscription {id: d.subscriptionId})
CREATE (w:WebhookDelivery {id: d.id, eventId: $eventId, eventType: $eventType, appId: d.appId, body: d.body,
        aboutIds: $aboutIds, status: 'pending', attempts: 0, nextAttemptAt: datetime(), leaseUntil: null, createdAt: datetime(),
        deliveredAt: null, lastStatus: null, lastError: null})-[:TO]->(s)
RETURN count(w) AS created
"""


@dataclass(frozen=True)
class Created:
    created: int


async def create_deliveries(
    tx: AsyncManagedTransaction,
    event_id: str,
    event_type: str,
    deliveries: list[dict[str, str]],
    about_ids: list[str],
) -> int:
    """Write the deliveries (``{id, subscriptionId, appId, body}`` each), each with the internal ids of the people
    the event is about (``aboutIds``: checked again before each send, never sent); how many were written."""
    if not deliveries:
        return 0
    found = await run(
        tx, CREATE_DELIVERIES, eventId=event_id, eventType=event_type, deliveries=deliveries, aboutIds=about_ids
    )
    return row(Created, found[0]).created if found else 0


# ==================================================================================================================
# hooks: subscriptions, leases, attempts, the delivery log (webhooks.subscriptions, webhooks.dispatcher)
#
# (:App)-[:HAS_WEBHOOK]->(:WebhookSubscription {id, url, eventTypes, status, disabledReason, createdAt, updatedAt,
#     secretSealed, secretLast4, secretCreatedAt, previousSecretSealed, previousSecretLast4, previousSecretExpiresAt})
# (:WebhookDelivery {id: "msg_...", ..., leaseUntil, leaseToken})-[:TO]->(:WebhookSubscription)
# (:WebhookDelivery)-[:ATTEMPTED]->(:WebhookAttempt {number, at, status, error, durationMs})
# Lock order: a delivery, then its subscription, then the app (partners' lock): the changes of a subscription lock
# it before its app, a retry locks the delivery before the app, the attempt record of a 410 the delivery before its
# subscription; nothing holds an app while it waits for a subscription or a delivery.
# ==================================================================================================================

SUBSCRIPTION_FIELDS = """
s {.id, .url, .eventTypes, .status, .disabledReason, .createdAt, .updatedAt, .secretLast4, .secretCreatedAt,
   .previousSecretLast4, .previousSecretExpiresAt} AS subscription, a.id AS appId
"""


@dataclass(frozen=True)
class SubscriptionRow:
    """A subscription as stored (never its sealed secrets), and its app."""

    subscription: dict[str, Any]
    app_id: str


CREATE_SUBSCRIPTION = f"""
MATCH (a:App {{id: $appId}})
CREATE (a)-[:HAS_WEBHOOK]->(s:WebhookSubscription {{id: $id, url: $url, eventTypes: $eventTypes, status: 'active',
        disabledReason: null, createdAt: datetime(), updatedAt: datetime(), secretSealed: $sealed,
        secretLast4: $last4, secretCreatedAt: datetime()}})
RETURN {SUBSCRIPTION_FIELDS}
"""


async def create_subscription(
    tx: AsyncManagedTransaction, *, app_id: str, id: str, url: str, event_types: list[str], sealed: str, last4: str
) -> SubscriptionRow | None:
    found = await run(
        tx, CREATE_SUBSCRIPTION, appId=app_id, id=id, url=url, eventTypes=event_types, sealed=sealed, last4=last4
    )
    return row(SubscriptionRow, found[0]) if found else None


#: The subscription of the app, write-locked before it is read (``SET ... REMOVE``).
LOCK_SUBSCRIPTION = """
MATCH (a:App)-[:HAS_WEBHOOK]->(s:WebhookSubscription {id: $id})
SET s.subscriptionLock = true
REMOVE s.subscriptionLock
RETURN a.id AS appId, s.status AS status
"""


@dataclass(frozen=True)
class LockedSubscription:
    app_id: str
    status: str


async def lock_subscription(tx: AsyncManagedTransaction, subscription_id: str) -> LockedSubscription | None:
    found = await run(tx, LOCK_SUBSCRIPTION, id=subscription_id)
    return row(LockedSubscription, found[0]) if found else None


SUBSCRIPTION_OF_APP = """
MATCH (a:App {id: $appId})-[:HAS_WEBHOOK]->(s:WebhookSubscription {id: $id})
RETURN a.id AS appId
"""


async def subscription_of_app(tx: AsyncManagedTransaction, app_id: str, subscription_id: str) -> bool:
    return bool(await run(tx, SUBSCRIPTION_OF_APP, appId=app_id, id=subscription_id))


UPDATE_SUBSCRIPTION = f"""
MATCH (a:App)-[:HAS_WEBHOOK]->(s:WebhookSubscription {{id: $id}})
SET s += $changes, s.updatedAt = datetime()
RETURN {SUBSCRIPTION_FIELDS}
"""


async def update_subscription(
    tx: AsyncManagedTransaction, subscription_id: str, changes: dict[str, Any]
) -> SubscriptionRow | None:
    found = await run(tx, UPDATE_SUBSCRIPTION, id=subscription_id, changes=changes)
    return row(SubscriptionRow, found[0]) if found else None


#: A subscription goes with its delivery log (its deliveries and their attempts).
DELETE_SUBSCRIPTION = """
MATCH (s:WebhookSubscription {id: $id})
CALL (s) {
  MATCH (d:WebhookDelivery)-[:TO]->(s)
  OPTIONAL MATCH (d)-[:ATTEMPTED]->(t:WebhookAttempt)
  DETACH DELETE t, d
}
DETACH DELETE s
"""


async def delete_subscription(tx: AsyncManagedTransaction, subscription_id: str) -> None:
    await run(tx, DELETE_SUBSCRIPTION, id=subscription_id)


#: Rotation: the current secret becomes the previous one (signing beside the new one until ``$previousUntil``); an
#: older previous secret ends now.
ROTATE_SECRET = f"""
MATCH (a:App)-[:HAS_WEBHOOK]->(s:WebhookSubscription {{id: $id}})
SET s.previousSecretSealed = s.secretSealed, s.previousSecretLast4 = s.secretLast4,
    s.previousSecretExpiresAt = $previousUntil,
    s.secretSealed = $sealed, s.secretLast4 = $last4, s.secretCreatedAt = datetime(), s.updatedAt = datetime()
RETURN {SUBSCRIPTION_FIELDS}
"""


async def rotate_secret(
    tx: AsyncManagedTransaction, subscription_id: str, sealed: str, last4: str, previous_until: datetime
) -> SubscriptionRow | None:
    found = await run(tx, ROTATE_SECRET, id=subscription_id, sealed=sealed, last4=last4, previousUntil=previous_until)
    return row(SubscriptionRow, found[0]) if found else None


SUBSCRIPTIONS_BY_IDS = f"""
UNWIND $ids AS wanted
MATCH (a:App)-[:HAS_WEBHOOK]->(s:WebhookSubscription {{id: wanted}})
RETURN {SUBSCRIPTION_FIELDS}
"""


async def subscriptions_by_ids(tx: AsyncManagedTransaction, ids: list[str]) -> list[SubscriptionRow]:
    return rows(SubscriptionRow, await run(tx, SUBSCRIPTIONS_BY_IDS, ids=ids))


#: Newest first; read either way.
SUBSCRIPTIONS_OF_APP = both_ways(f"""
MATCH (a:App {{id: $appId}})-[:HAS_WEBHOOK]->(s:WebhookSubscription)
WHERE ($afterTime IS NULL OR [s.createdAt, s.id] < [datetime($afterTime), $afterId])
  AND ($beforeTime IS NULL OR [s.createdAt, s.id] > [datetime($beforeTime), $beforeId])
WITH a, s ORDER BY s.createdAt {{DESC}}, s.id {{DESC}} LIMIT $limit
RETURN {SUBSCRIPTION_FIELDS}
""")
SUBSCRIPTION_COUNT = "RETURN COUNT { (:App {id: $appId})-[:HAS_WEBHOOK]->(:WebhookSubscription) } AS total"


async def subscription_count(tx: AsyncManagedTransaction, app_id: str) -> int:
    found = await run(tx, SUBSCRIPTION_COUNT, appId=app_id)
    return int(found[0]["total"])


async def subscriptions_of_app(
    tx: AsyncManagedTransaction, app_id: str, window: Window
) -> tuple[list[SubscriptionRow], int]:
    found = await run(
        tx, SUBSCRIPTIONS_OF_APP.of(window.backwards), appId=app_id, limit=window.limit, **window_keyset(window)
    )
    total = await run(tx, SUBSCRIPTION_COUNT, appId=app_id)
    return rows(SubscriptionRow, found), int(total[0]["total"])


# --- the dispatcher: lease, send, record ------------------------------------------------------------------------

#: One statement leases a batch of due deliveries. Each candidate is write-locked first (``SET ... REMOVE``), then
#: read again (``properties(d)``: the value committed by whoever held the lock before, not the one matched before
#: the lock), so of parallel dispatchers exactly one leases a delivery. Deliveries of a disabled subscription or of
#: a suspended app wait (and are left out before the batch is cut, so they never crowd out the others). A delivery
#: the grant rule no longer admits (``DELIVERY_ADMITTED``: the person revoked the grant, it expired, ...) is not
#: leased: it becomes failed with ``GRANT_ENDED`` and is never sent.
LEASE_DUE = f"""
MATCH (d:WebhookDelivery)
WHERE d.status = 'pending' AND d.nextAttemptAt <= $now AND (d.leaseUntil IS NULL OR d.leaseUntil < $now)
MATCH (d)-[:TO]->(s:WebhookSubscription {{status: 'active'}})<-[:HAS_WEBHOOK]-(a:App {{status: 'active'}})
WITH d, s, a ORDER BY d.nextAttemptAt, d.id LIMIT $batch
SET d.deliveryLock = true
REMOVE d.deliveryLock
WITH d, s, a, properties(d) AS fresh
WHERE fresh.status = 'pending' AND fresh.nextAttemptAt <= $now
  AND (fresh.leaseUntil IS NULL OR fresh.leaseUntil < $now)
WITH d, s, {DELIVERY_ADMITTED} AS admitted
SET d.leaseUntil = CASE WHEN admitted THEN $leaseUntil END, d.leaseToken = CASE WHEN admitted THEN $token END,
    d.status = CASE WHEN admitted THEN 'pending' ELSE 'failed' END,
    d.lastError = CASE WHEN admitted THEN d.lastError ELSE $grantEnded END
WITH d, s WHERE admitted
RETURN d.id AS id, d.body AS body, d.eventType AS eventType, coalesce(d.attempts, 0) AS attempts,
       s.id AS subscriptionId, s.url AS url, s.secretSealed AS secretSealed,
       CASE WHEN s.previousSecretExpiresAt > $now THEN s.previousSecretSealed END AS previousSecretSealed
"""


@dataclass(frozen=True)
class LeasedDelivery:
    """A delivery leased for one attempt, with what sending it needs."""

    id: str
    body: str
    event_type: str
    attempts: int
    subscription_id: str
    url: str
    secret_sealed: str
    previous_secret_sealed: str | None


async def lease_due(
    tx: AsyncManagedTransaction,
    *,
    now: datetime,
    lease_until: datetime,
    token: str,
    batch: int,
    event_scopes: dict[str, str | None],
) -> list[LeasedDelivery]:
    """Lease a batch of due deliveries (``event_scopes``: each event type's scope, None for an app-level one); the
    ones no longer admitted become failed instead (not returned)."""
    found = await run(
        tx, LEASE_DUE, now=now, leaseUntil=lease_until, token=token, batch=batch, grantEnded=GRANT_ENDED,
        **admission_params(event_scopes),
    )  # fmt: skip
    return rows(LeasedDelivery, found)


#: The delivery ``$id`` write-locked and read again (``fresh``), kept only while the lease ``$token`` is still this
#: dispatcher's: what only the lease's holder may do starts with it (a lease that ran out and was taken over matches
#: nothing).
_LEASE_HOLDER = """
MATCH (d:WebhookDelivery {id: $id})
SET d.deliveryLock = true
REMOVE d.deliveryLock
WITH d, properties(d) AS fresh
WHERE fresh.leaseToken = $token
"""

#: A lease given back unused (the dispatcher had too little of it left to start an attempt): due again at once.
RELEASE_LEASE = (
    _LEASE_HOLDER
    + """SET d.leaseUntil = null, d.leaseToken = null
"""
)


async def release_lease(tx: AsyncManagedTransaction, *, delivery_id: str, token: str) -> None:
    await run(tx, RELEASE_LEASE, id=delivery_id, token=token)


#: The attempt, recorded only by the holder of the lease (a dispatcher whose lease ran out and was taken over records
#: nothing). ``$outcome``: delivered, pending (another attempt at ``$nextAttemptAt``) or failed; ``$disable``: the
#: endpoint answered 410, the subscription is disabled with ``$reason``.
RECORD_ATTEMPT = (
    _LEASE_HOLDER
    + """SET d.attempts = coalesce(fresh.attempts, 0) + 1, d.status = $outcome, d.lastStatus = $status, d.lastError = $error,
    d.leaseUntil = null, d.leaseToken = null, d.nextAttemptAt = coalesce($nextAttemptAt, fresh.nextAttemptAt),
    d.deliveredAt = CASE WHEN $outcome = 'delivered' THEN $at ELSE fresh.deliveredAt END
CREATE (d)-[:ATTEMPTED]->(:WebhookAttempt {number: coalesce(fresh.attempts, 0) + 1, at: $at, status: $status,
        error: $error, durationMs: $durationMs})
WITH d
CALL (d) {
  MATCH (d)-[:TO]->(s:WebhookSubscription)
  WHERE $disable
  SET s.status = 'disabled', s.disabledReason = $reason, s.updatedAt = $at
}
RETURN d.attempts AS attempts
"""
)


async def record_attempt(
    tx: AsyncManagedTransaction,
    *,
    delivery_id: str,
    token: str,
    outcome: str,
    status: int | None,
    error: str | None,
    at: datetime,
    duration_ms: int,
    next_attempt_at: datetime | None,
    disable: bool,
    reason: str | None,
) -> bool:
    """Record one attempt; False when the lease was no longer ours (nothing written)."""
    found = await run(
        tx,
        RECORD_ATTEMPT,
        id=delivery_id,
        token=token,
        outcome=outcome,
        status=status,
        error=error,
        at=at,
        durationMs=duration_ms,
        nextAttemptAt=next_attempt_at,
        disable=disable,
        reason=reason,
    )
    return bool(found)


# --- the delivery log -------------------------------------------------------------------------------------------

DELIVERY_FIELDS = """
d {.id, .eventType, .body, .status, .attempts, .nextAttemptAt, .createdAt, .deliveredAt, .lastStatus,
   .lastError} AS delivery, s.id AS subscriptionId, a.id AS appId,
[(d)-[:ATTEMPTED]->(t:WebhookAttempt) | t {.number, .at, .status, .error, .durationMs}] AS attemptLog
"""


@dataclass(frozen=True)
class DeliveryRow:
    """A delivery as stored, its subscription and app, and its attempts (in any order)."""

    delivery: dict[str, Any]
    subscription_id: str
    app_id: str
    attempt_log: list[dict[str, Any]]


#: Newest first; read either way; ``$subscriptionId``/``$status`` narrow it when given.
DELIVERIES_OF_APP = both_ways(f"""
MATCH (a:App {{id: $appId}})-[:HAS_WEBHOOK]->(s:WebhookSubscription)<-[:TO]-(d:WebhookDelivery)
WHERE ($subscriptionId IS NULL OR s.id = $subscriptionId) AND ($status IS NULL OR d.status = $status)
  AND ($afterTime IS NULL OR [d.createdAt, d.id] < [datetime($afterTime), $afterId])
  AND ($beforeTime IS NULL OR [d.createdAt, d.id] > [datetime($beforeTime), $beforeId])
WITH a, s, d ORDER BY d.createdAt {{DESC}}, d.id {{DESC}} LIMIT $limit
RETURN {DELIVERY_FIELDS}
""")
DELIVERY_COUNT = """
MATCH (:App {id: $appId})-[:HAS_WEBHOOK]->(s:WebhookSubscription)<-[:TO]-(d:WebhookDelivery)
WHERE ($subscriptionId IS NULL OR s.id = $subscriptionId) AND ($status IS NULL OR d.status = $status)
RETURN count(d) AS total
"""


async def deliveries_of_app(
    tx: AsyncManagedTransaction, app_id: str, subscription_id: str | None, status: str | None, window: Window
) -> tuple[list[DeliveryRow], int]:
    params = {"appId": app_id, "subscriptionId": subscription_id, "status": status}
    found = await run(tx, DELIVERIES_OF_APP.of(window.backwards), limit=window.limit, **params, **window_keyset(window))
    total = await run(tx, DELIVERY_COUNT, **params)
    return rows(DeliveryRow, found), int(total[0]["total"])


DELIVERIES_BY_IDS = f"""
UNWIND $ids AS wanted
MATCH (a:App)-[:HAS_WEBHOOK]->(s:WebhookSubscription)<-[:TO]-(d:WebhookDelivery {{id: wanted}})
RETURN {DELIVERY_FIELDS}
"""


async def deliveries_by_ids(tx: AsyncManagedTransaction, ids: list[str]) -> list[DeliveryRow]:
    return rows(DeliveryRow, await run(tx, DELIVERIES_BY_IDS, ids=ids))


def admission_params(event_scopes: dict[str, str | None]) -> dict[str, Any]:
    """The parameters of ``DELIVERY_ADMITTED`` from each event type's scope (None: an app-level event)."""
    return {
        "appLevelEvents": sorted(name for name, scope in event_scopes.items() if scope is None),
        "eventScopes": {name: scope for name, scope in event_scopes.items() if scope is not None},
    }


#: A delivery write-locked, with its subscription's state and app, and whether the grant rule still admits it.
LOCK_DELIVERY = f"""
MATCH (a:App)-[:HAS_WEBHOOK]->(s:WebhookSubscription)<-[:TO]-(d:WebhookDelivery {{id: $id}})
SET d.deliveryLock = true
REMOVE d.deliveryLock
WITH a, s, d, properties(d) AS fresh
RETURN a.id AS appId, s.status AS subscriptionStatus, fresh.status AS status, {DELIVERY_ADMITTED} AS admitted
"""


@dataclass(frozen=True)
class LockedDelivery:
    app_id: str
    subscription_status: str
    status: str
    admitted: bool


async def lock_delivery(
    tx: AsyncManagedTransaction, delivery_id: str, event_scopes: dict[str, str | None]
) -> LockedDelivery | None:
    found = await run(tx, LOCK_DELIVERY, id=delivery_id, **admission_params(event_scopes))
    return row(LockedDelivery, found[0]) if found else None


#: Back to pending, due now, with the same id (the receiver's ``webhook-id``).
RETRY_DELIVERY = """
MATCH (d:WebhookDelivery {id: $id})
SET d.status = 'pending', d.nextAttemptAt = $now, d.leaseUntil = null, d.leaseToken = null
"""


async def retry_delivery(tx: AsyncManagedTransaction, delivery_id: str, now: datetime) -> None:
    await run(tx, RETRY_DELIVERY, id=delivery_id, now=now)
