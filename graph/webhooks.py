"""Cypher of webhooks: the outbox's fan-out (``webhooks.outbox.emit``), and the subscriptions, leases and attempts of
the dispatcher (``webhooks.subscriptions``, ``webhooks.dispatcher``), each block owned by its module.

The model (graph/migrations/m0012_webhooks.py):
``(:App)-[:HAS_WEBHOOK]->(:WebhookSubscription {id, url, eventTypes, status, ...})`` and
``(:WebhookDelivery {id, eventType, body, status, attempts, nextAttemptAt, leaseUntil, createdAt, ...})
-[:TO]->(:WebhookSubscription)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from neo4j import AsyncManagedTransaction

from graph.driver import run
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
        status: 'pending', attempts: 0, nextAttemptAt: datetime(), leaseUntil: null, createdAt: datetime(),
        deliveredAt: null, lastStatus: null, lastError: null})-[:TO]->(s)
RETURN count(w) AS created
"""


@dataclass(frozen=True)
class Created:
    created: int


async def create_deliveries(
    tx: AsyncManagedTransaction, event_id: str, event_type: str, deliveries: list[dict[str, str]]
) -> int:
    """Write the deliveries (``{id, subscriptionId, appId, body}`` each); how many were written."""
    if not deliveries:
        return 0
    found = await run(tx, CREATE_DELIVERIES, eventId=event_id, eventType=event_type, deliveries=deliveries)
    return row(Created, found[0]).created if found else 0
