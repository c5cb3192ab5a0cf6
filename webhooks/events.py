"""The one catalogue of webhook event types (docs/webhooks.md, "Events"), and how an event's ``data`` names things.

Each event type says which scope an app needs *in the grant of a person the event is about* before it may receive
it (``scope``), or None for an **app-level** event, sent to one app whatever its grants (``grant.revoked``: the
grant is gone by then, and the app is told so). An app subscribes only to the events whose scope it asks for
(``webhooks.subscriptions`` checks it); ``webhooks.outbox.emit`` decides per event which apps receive it
(``webhooks.outbox.grant_admits``, the rule, with its Cypher mirror ``graph.webhooks.GRANT_ADMITS``).

Whom each event is about, and so whose grant admits it:

- ``order.placed``, ``order.status_changed`` (``marketplace.read``): the buyer and the seller. An app receives the
  event through the grant of either party (a person), never through an organisation's representative (apps never
  act for an organisation, docs/partners.md). Both parties' apps see the same body: the order as both parties
  see it in the API (the buyer's note and a change's reason are written for the other party to read).
- ``connection.created`` (``connections.read``): the two people now connected; an app receives it through the grant
  of either of them (one delivery even when both granted it).
- ``grant.revoked`` (app-level): to the app whose grant was revoked: by the person (``grantRevoke``), by closing
  their account, or by a city officer (a sandbox app's test personas' grants end when the app is approved).
  An expired grant sends nothing (it ends by itself, at the ``expiresAt`` the app was told).
- ``notification.created`` (``notifications.read``): the person notified.
- ``moderation.decided`` (``notifications.read``): a moderator's decision reaches each person it concerns exactly
  as their notification does, so it travels under the same scope, about that one person: the reporter learns
  their report was decided (``role: REPORTER``, never who was reported nor the action taken against someone
  else), the person responsible learns what was done and why (``role: TARGET``: the action, the content and the
  reason; never who reported it). No moderator is ever named.

In ``data``, a ``PersonRef`` (a person or an organisation) is rendered per app by ``webhooks.outbox``: for a person,
``{"id": <the app's Person global id: its per-app handle, partners.app_ids>, "sub": <the pairwise subject>}``; for
an organisation (public) ``{"id": <Organization global id>, "sub": null}``; and ``null`` for a person the app may
not know (the sandbox rule: a sandbox app knows only its own test personas). Other objects are named by their
GraphQL global id (``global_id``), which is the same for every viewer. No internal person id is ever in a body.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True)
class EventType:
    """One event type of the catalogue."""

    name: str
    #: The person scope an app needs in the grant of a person the event is about; None: an app-level event.
    scope: str | None
    title_vi: str
    title_en: str
    #: What ``data`` holds (English; docs/webhooks.md).
    data: str


@dataclass(frozen=True)
class PersonRef:
    """A marker in an event's ``data``: the actor (person or organisation) ``actor_id``, rendered per app as
    ``{"id", "sub"}``, or, with ``id_only``, as its global id alone (a ``subjectId``)."""

    actor_id: str
    id_only: bool = False


def global_id(type_name: str, node_id: str) -> str:
    """The GraphQL global id (Relay) of a node, as every viewer sees it for a type not named by a person:
    ``base64("<Type>:<id>")`` (``strawberry.relay.GlobalID``'s encoding; a test holds them together)."""
    return base64.b64encode(f"{type_name}:{node_id}".encode()).decode("ascii")


CATALOGUE: Final[tuple[EventType, ...]] = (
    EventType(
        "order.placed", "marketplace.read", "Có đơn hàng mới", "An order was placed",
        "`order` (Order id), `status` (`PLACED`), `buyer`, `seller` (person or organisation), `totalDong`, "
        "`items` [{`listing` (Listing id), `title`, `quantity`, `unitPriceDong`}], `note` (the buyer's, or null).",
    ),
    EventType(
        "order.status_changed", "marketplace.read", "Đơn hàng đổi trạng thái", "An order's status changed",
        "`order` (Order id), `status` and `previousStatus` (OrderStatus values), `changedBy` (`BUYER`, `SELLER` or "
        "`OFFICER`: a city officer is never named), `buyer`, `seller`, `totalDong`, `reason` (or null).",
    ),
    EventType(
        "connection.created", "connections.read", "Có kết nối mới", "Two people connected",
        "`requester` (who asked to connect) and `accepter` (who accepted): the two people now connected.",
    ),
    EventType(
        "grant.revoked", None, "Quyền truy cập bị thu hồi", "A grant was revoked",
        "`grantId` (the `gid` claim of the grant's access tokens), `person` (who had given it), `revokedBy` "
        "(`PERSON`, `ACCOUNT_CLOSED` or `OFFICER`). The app's tokens under the grant are refused from now on.",
    ),
    EventType(
        "notification.created", "notifications.read", "Có thông báo mới", "A notification was created",
        "`notification` (Notification id), `kind` (NotificationKind value), `recipient`, `actor` (or null: the "
        "city's moderation), `subjectType` and `subjectId` (the id the app would see in `Notification.subjectId`), "
        "`reason` (or null).",
    ),
    EventType(
        "moderation.decided", "notifications.read", "Có quyết định kiểm duyệt", "A moderation decision was made",
        "`person` (whom it concerns) and `role`. A reporter (`REPORTER`): `report` (the Report id of their report, "
        "now decided). The one responsible (`TARGET`): `action` (`REMOVE_CONTENT`, `WARN` or `SUSPEND`; a dismissed "
        "report tells only its reporters), `subjectType` and `subject` (the post, comment or account acted on) and "
        "the `reason`.",
    ),
)  # fmt: skip

BY_NAME: Final[dict[str, EventType]] = {event.name: event for event in CATALOGUE}


def event_type(name: str) -> EventType:
    """The catalogue's event type ``name`` (LookupError for a name it does not hold: a programming error)."""
    found = BY_NAME.get(name)
    if found is None:
        raise LookupError(f"no webhook event type is named {name!r}; declare it in webhooks/events.py")
    return found


def subscribable(app_scopes: frozenset[str] | set[str] | list[str]) -> frozenset[str]:
    """The event types an app asking for ``app_scopes`` may subscribe to: those whose scope it asks for, and the
    app-level ones."""
    scopes = frozenset(app_scopes)
    return frozenset(e.name for e in CATALOGUE if e.scope is None or e.scope in scopes)


def event_table() -> str:
    """The catalogue as a Markdown table (docs/webhooks.md, written by ``hanoismart docs``)."""
    rows = [
        "| event type | scope needed in a person's grant | title (vi) | title (en) | `data` |",
        "|---|---|---|---|---|",
    ]
    for event in CATALOGUE:
        scope = f"`{event.scope}`" if event.scope else "none (sent to the app concerned)"
        rows.append(f"| `{event.name}` | {scope} | {event.title_vi} | {event.title_en} | {event.data} |")
    return "\n".join(rows) + "\n"
