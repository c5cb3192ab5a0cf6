"""Webhook tests' tools: a real receiver (Starlette under uvicorn on 127.0.0.1, in a thread) that verifies each
delivery with ``standardwebhooks``, an injected clock, and a partner app with a subscription made through GraphQL.

``queue_delivery`` writes a pending delivery in the shape ``webhooks.outbox.emit`` writes one (the data model of
docs/webhooks.md), for the dispatcher's tests that are about sending, not about which events reach which app: by
default an app-level event (``grant.revoked``), which the send-time grant check lets through whatever the app's
grants; ``about=None`` with an event about people writes one without ``aboutIds`` (as before they were stored).
"""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import uvicorn
from neo4j import AsyncManagedTransaction
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tests.identity.people import uuid_of
from tests.partners.support import Partner, SeededApp, make_partner, seed_app
from tests.support import gql


@dataclass
class Received:
    """One request the receiver got."""

    headers: dict[str, str]
    body: str
    verified: bool
    error: str | None


@dataclass
class Receiver:
    """A webhook endpoint: verifies with any of ``secrets``; answers ``status`` to a verified delivery (400 to one
    that does not verify)."""

    port: int = 0
    secrets: list[str] = field(default_factory=list)
    status: int = 204
    received: list[Received] = field(default_factory=list)
    server: uvicorn.Server | None = None
    thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def verify(self, body: str, headers: dict[str, str]) -> str | None:
        """None when one of the receiver's secrets verifies the delivery; else why not."""
        reasons = []
        for secret in self.secrets:
            try:
                Webhook(secret).verify(body, headers)
                return None
            except (WebhookVerificationError, ValueError) as error:  # a malformed header: plain ValueError
                reasons.append(str(error))
        return "; ".join(reasons) or "no secret"

    async def endpoint(self, request: Request) -> Response:
        body = (await request.body()).decode("utf-8")
        headers = {k.lower(): v for k, v in request.headers.items()}
        error = self.verify(body, headers)
        self.received.append(Received(headers, body, error is None, error))
        return Response(status_code=self.status if error is None else 400)

    def start(self) -> Receiver:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        app = Starlette(routes=[Route("/hook", self.endpoint, methods=["POST"])])
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="off")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            assert time.monotonic() < deadline, "the receiver did not start"
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.should_exit = True
        if self.thread is not None:
            self.thread.join(timeout=10)

    def ids(self) -> list[str]:
        return [r.headers["webhook-id"] for r in self.received]


class Clock:
    """The dispatcher's injected clock: real time at first, moved on by the test."""

    def __init__(self, at: datetime | None = None) -> None:
        self.at = at or datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.at

    def advance(self, **delta: float) -> None:
        self.at += timedelta(**delta)


CREATE = """
mutation Create($input: WebhookSubscriptionCreateInput!) {
  webhookSubscriptionCreate(input: $input) {
    subscription { id url eventTypes status secretLast4 }
    secret
    errors { code field message }
  }
}
"""


@dataclass
class Subscribed:
    partner: Partner
    app: SeededApp
    app_global_id: str
    subscription_id: str  # global id
    secret: str

    @property
    def subscription_uuid(self) -> str:
        return uuid_of(self.subscription_id)


def app_global_id(app_id: str) -> str:
    import base64

    return base64.b64encode(f"App:{app_id}".encode()).decode()


async def subscribe(
    app,
    client: httpx.AsyncClient,
    url: str,
    *,
    partner: Partner | None = None,
    scopes: tuple[str, ...] = ("openid", "profile.basic", "marketplace.read", "connections.read",
                               "notifications.read"),
    event_types: tuple[str, ...] = ("order.placed",),
) -> Subscribed:  # fmt: skip
    """A production app of a partner, subscribed through GraphQL by the partner's owner."""
    partner = partner or await make_partner(app, client)
    seeded = await seed_app(app, partner, scopes=scopes)
    gid = app_global_id(seeded.app_id)
    body = await gql(
        client,
        CREATE,
        {"input": {"appId": gid, "url": url, "eventTypes": list(event_types)}},
        headers=partner.owner.auth,
    )
    payload = body["data"]["webhookSubscriptionCreate"]
    assert payload["errors"] == [], payload
    return Subscribed(partner, seeded, gid, payload["subscription"]["id"], payload["secret"])


QUEUE_DELIVERY = """
MATCH (s:WebhookSubscription {id: $subscriptionId})
CREATE (d:WebhookDelivery {id: $id, eventType: $eventType, body: $body, aboutIds: $about, status: 'pending',
        attempts: 0,
        nextAttemptAt: $at, leaseUntil: null, createdAt: $at, deliveredAt: null, lastStatus: null,
        lastError: null})-[:TO]->(s)
RETURN d.id AS id
"""


async def queue_delivery(
    app, subscription_uuid: str, *, event_type: str = "grant.revoked", data: dict[str, Any] | None = None,
    at: datetime | None = None, about: list[str] | None = None,
) -> tuple[str, str]:  # fmt: skip
    """A pending delivery due at ``at`` (now): (its id, its body)."""
    at = at or datetime.now(UTC)
    msg_id = "msg_" + uuid.uuid4().hex
    body = json.dumps(
        {"type": event_type, "timestamp": at.isoformat().replace("+00:00", "Z"), "data": data or {"n": 1}},
        separators=(",", ":"),
        ensure_ascii=False,
    )

    async def work(tx: AsyncManagedTransaction) -> None:
        params = {"subscriptionId": subscription_uuid, "id": msg_id, "eventType": event_type, "body": body, "at": at,
                  "about": about}  # fmt: skip
        created = await (await tx.run(QUEUE_DELIVERY, params)).single()
        assert created is not None, "no such subscription"

    await app.state.runtime.graph.write(work)
    return msg_id, body


DELIVERY_STATE = """
MATCH (d:WebhookDelivery {id: $id})
RETURN d.status AS status, d.attempts AS attempts, d.nextAttemptAt AS nextAttemptAt, d.leaseUntil AS leaseUntil,
       d.lastStatus AS lastStatus, COUNT { (d)-[:ATTEMPTED]->() } AS recorded
"""


async def delivery_state(app, msg_id: str) -> dict[str, Any]:
    async def work(tx: AsyncManagedTransaction) -> dict[str, Any]:
        found = await (await tx.run(DELIVERY_STATE, {"id": msg_id})).single()
        assert found is not None
        state = dict(found)
        for key in ("nextAttemptAt", "leaseUntil"):
            state[key] = state[key].to_native() if state[key] is not None else None
        return state

    result: dict[str, Any] = await app.state.runtime.graph.read(work)
    return result


async def paused(app) -> None:
    """Wait until the app's own dispatcher has finished any pass it is in (the caller paused it)."""
    async with app.state.webhook_dispatcher.pass_lock:
        await asyncio.sleep(0)
