"""The webhook outbox: ``emit`` writes an event's deliveries in the transaction of the change that caused it.

DESIGN.md, "Side effects after commit": nothing is sent from inside a transaction. ``emit`` runs in the caller's
write transaction and writes one pending ``WebhookDelivery`` (due now) per active subscription to the event's type
of each app that receives it (``webhooks.events``: which apps, under which scope); the dispatcher
(``webhooks.dispatcher``) sends them after commit. The change and its deliveries commit together or not at all: a
refused or failed mutation emits nothing, and a crash after commit only delays a delivery until a dispatcher runs.

Which apps receive an event about people is one rule, ``grant_admits`` (below), with its Cypher mirror
``graph.webhooks.GRANT_ADMITS`` (the agreement test is in ``tests/partners/test_webhook_events.py``): an app
receives it when one of the people it is about gave it a grant that holds (``graph.rules.app_grant_holds``: not
revoked nor expired, the app active, the person's account active), that includes the event's scope, and that the
sandbox rule admits (a sandbox app: only through its own test personas). One delivery per app and subscription,
however many of the people granted it. An app-level event (no scope) goes to the one app it names.

Each delivery keeps the internal ids of the people it is about (``aboutIds``: never sent, never shown to the app),
and the rule is checked again before each send and each manual retry (``graph.webhooks.DELIVERY_ADMITTED``, built on
the same ``GRANT_ADMITS``): a delivery whose grant ended meanwhile (revoked, expired, the account closed) becomes
failed and is not sent. App-level events are addressed to the app and exempt.

The body is ``{"type", "timestamp", "data"}`` (Standard Webhooks), rendered per app: every ``PersonRef`` in
``data`` becomes the ids that app sees for that actor (``webhooks.events``); the exact JSON text is stored, so every
retry sends the same bytes.

After commit the dispatcher is woken (``nudge``; ``on_emitted`` registers it), so a delivery does not wait for its
next poll; without a dispatcher the deliveries wait in the graph for the next one to start.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from neo4j import AsyncManagedTransaction

from core.runtime import Runtime
from graph import webhooks as queries
from graph.driver import after_commit
from partners import pairwise
from webhooks.events import PersonRef, event_type, global_id

# --- the rule ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GrantFacts:
    """What ``grant_admits`` decides on: a person's grant to an app, the app and the person."""

    scopes: frozenset[str]
    revoked: bool
    expires_at: datetime
    app_id: str
    app_active: bool
    app_sandbox: bool
    person_active: bool
    persona_of_app_id: str | None  # the app whose test persona the person is (None: a real person)


def grant_admits(facts: GrantFacts, scope: str, now: datetime) -> bool:
    """THE rule of who receives an event about a person: the person's grant to the app holds (not revoked, not
    expired, the app and the person's account active), includes ``scope``, and the sandbox rule admits the person
    for the app (a sandbox app: only its own test personas). Mirror: ``graph.webhooks.GRANT_ADMITS``."""
    holds = not facts.revoked and facts.expires_at > now and facts.app_active and facts.person_active
    sandbox_admits = not facts.app_sandbox or facts.persona_of_app_id == facts.app_id
    return holds and scope in facts.scopes and sandbox_admits


# --- the wake-up of the dispatcher ------------------------------------------------------------------------------------

_wakers: dict[int, Callable[[], None]] = {}


def on_emitted(rt: Runtime, wake: Callable[[], None]) -> Callable[[], None]:
    """Register the dispatcher of ``rt``'s process: ``wake()`` runs after a transaction that emitted commits (it must
    be cheap and may run more than once, e.g. ``asyncio.Event.set``). Returns the function that unregisters it."""
    key = id(rt)
    _wakers[key] = wake

    def forget() -> None:
        if _wakers.get(key) is wake:
            del _wakers[key]

    return forget


def nudge(rt: Runtime) -> None:
    """Wake ``rt``'s dispatcher, if one runs (called after commit)."""
    wake = _wakers.get(id(rt))
    if wake is not None:
        wake()


# --- rendering --------------------------------------------------------------------------------------------------------


def rfc3339(moment: datetime) -> str:
    """A UTC timestamp as RFC 3339 with microseconds and ``Z`` (``2026-11-30T23:59:59.123456Z``)."""
    if moment.tzinfo is None:
        raise ValueError("an event's time must be timezone-aware")
    return moment.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class _Audience:
    """The app a body is rendered for, and what it may know of each actor the event names."""

    key: bytes
    app_id: str
    sector_id: str
    sandbox: bool
    actors: Mapping[str, Mapping[str, Any]]  # id -> {person: bool, personaOfAppId}

    def ref(self, ref: PersonRef) -> dict[str, str | None] | str | None:
        facts = self.actors.get(ref.actor_id)
        if facts is None:
            return None  # an actor that is not (or no longer) in the graph: named by nothing
        if self.sandbox and facts.get("personaOfAppId") != self.app_id:
            return None  # the sandbox rule: a sandbox app knows only its own test personas
        rendered: dict[str, str | None]
        if facts.get("person"):
            handle = pairwise.person_handle(self.key, self.app_id, ref.actor_id)
            rendered = {
                "id": global_id("Person", handle),
                "sub": pairwise.subject(self.key, self.sector_id, ref.actor_id),
            }
        else:
            rendered = {"id": global_id("Organization", ref.actor_id), "sub": None}
        return rendered["id"] if ref.id_only else rendered

    def render(self, value: Any) -> Any:
        if isinstance(value, PersonRef):
            return self.ref(value)
        if isinstance(value, Mapping):
            return {str(k): self.render(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self.render(v) for v in value]
        if isinstance(value, datetime):
            return rfc3339(value)
        if value is None or isinstance(value, str | int | float | bool):
            return value
        raise TypeError(f"an event's data holds JSON values and PersonRefs, not {type(value).__name__}")


def _refs(value: Any) -> Iterable[str]:
    if isinstance(value, PersonRef):
        yield value.actor_id
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _refs(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _refs(item)


def body(event: str, occurred_at: datetime, data: Any) -> str:
    """The exact JSON text of a delivery (compact, UTF-8 kept)."""
    document = {"type": event, "timestamp": rfc3339(occurred_at), "data": data}
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"))


def delivery_id() -> str:
    """A delivery's id, which is also its ``webhook-id`` header (the same on every retry)."""
    return f"msg_{uuid.uuid4().hex}"


# --- emit -------------------------------------------------------------------------------------------------------------


async def emit(
    tx: AsyncManagedTransaction,
    rt: Runtime,
    event: str,
    *,
    about: Sequence[str],
    data: Mapping[str, Any],
    app_id: str | None = None,
    occurred_at: datetime | None = None,
) -> int:
    """Inside the caller's write transaction: the deliveries of the event ``event`` (a type of
    ``webhooks.events.CATALOGUE``) about the people ``about`` (for an event with a scope), or to the app ``app_id``
    (an app-level event), with ``data`` rendered per app. Returns how many deliveries were written (0 when no app
    receives it: then only one short read ran)."""
    kind = event_type(event)
    if kind.scope is None and app_id is None:
        raise ValueError(f"{event} is an app-level event: name the app (app_id)")
    moment = occurred_at or datetime.now(UTC)
    refs = sorted(set(_refs(data)))
    targets = await queries.event_targets(
        tx, event, scope=kind.scope, about=sorted(set(about)), app_id=app_id, refs=refs
    )
    if not targets:
        return 0
    deliveries: list[dict[str, str]] = []
    for target in targets:
        audience = _Audience(
            key=rt.pairwise_key,
            app_id=target.app_id,
            sector_id=target.sector_id or target.app_id,
            sandbox=target.sandbox,
            actors={r["id"]: r for r in target.refs},
        )
        text = body(event, moment, audience.render(data))
        deliveries.extend(
            {"id": delivery_id(), "subscriptionId": s, "appId": target.app_id, "body": text}
            for s in sorted(target.subscriptions)
        )
    about_ids = sorted(set(about)) if kind.scope is not None else []
    written = await queries.create_deliveries(tx, str(uuid.uuid4()), event, deliveries, about_ids)
    if written:
        after_commit(lambda: nudge(rt))
    return written
