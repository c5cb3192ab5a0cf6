"""``node(id:)`` and ``nodes(ids:)``: any object that implements ``Node``, by its Relay global id.

``BY_IDS`` holds, for every type that implements ``Node``, the function that loads its objects by UUID for the
viewer: in the order asked, None for an id that names nothing or something hidden from the viewer (a person's
session is seen by that person only). ``nodes`` groups the ids by type and calls each type's function once, so a
request reads one batch per type, never one object at a time. ``tests/foundation/test_relay.py`` fails for a
``Node`` type of the schema that is not in ``BY_IDS``.

Errors follow the rule of ``core.errors`` for a query: an id that is not a global id of this API, or names a type
that is not a ``Node`` (an interface, an input, a payload), is a top-level ``INVALID_INPUT`` naming the argument;
a well-formed id that names nothing the viewer may see is ``null``. For a partner app, a person's (or wallet's)
global id holds the app's handle of the person (``partners.app_ids``): any other value, the internal id included,
is not a global id of this API for it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Annotated, Any

import strawberry
from graphql import GraphQLInterfaceType, GraphQLSchema
from strawberry import relay
from strawberry.relay.types import GlobalIDValueError

from core.errors import UserInputError
from partners import app_ids
from resolvers import (
    access_log,
    communities,
    health,
    identity,
    listings,
    moderation,
    orders,
    partners,
    places,
    social,
    wallets,
    webhooks,
)
from resolvers.common import NOT_A_GLOBAL_ID, PERSON_NAMED, runtime, viewer

#: At most this many ids in one ``nodes(ids:)``.
MAX_NODES = 100


ByIds = Callable[[strawberry.Info, list[str]], Awaitable[Sequence[Any]]]

#: Every type that implements ``Node``, and how its objects are loaded by UUID for the viewer.
BY_IDS: dict[str, ByIds] = {
    "App": partners.apps_by_ids,
    "Comment": social.comments_by_ids,
    "Commune": places.communes_by_ids,
    "Community": communities.communities_by_ids,
    "Contact": identity.contacts_by_ids,
    "DataAccessLogEntry": access_log.entries_by_ids,
    "Dispute": orders.disputes_by_ids,
    "Grant": partners.grants_by_ids,
    "InvestmentInterest": listings.interests_by_ids,
    "LedgerEntry": wallets.entries_by_ids,
    "Listing": listings.listings_by_ids,
    "Notification": social.notifications_by_ids,
    "Order": orders.orders_by_ids,
    "Organization": identity.organizations_by_ids,
    "Person": identity.persons_by_ids,
    "Post": social.posts_by_ids,
    "Report": moderation.reports_by_ids,
    "Review": orders.reviews_by_ids,
    "SchemaMigration": health.migrations_by_ids,
    "Session": identity.sessions_by_ids,
    "VerificationRequest": identity.verification_requests_by_ids,
    "Wallet": wallets.wallets_by_ids,
    "WebhookDelivery": webhooks.deliveries_by_ids,
    "WebhookSubscription": webhooks.subscriptions_by_ids,
}


def node_type_names(schema: GraphQLSchema) -> set[str]:
    """The concrete types of ``schema`` that implement ``Node``."""
    interface = schema.get_type("Node")
    assert isinstance(interface, GraphQLInterfaceType)
    return {t.name for t in schema.get_possible_types(interface)}


def _decode(info: strawberry.Info, value: str, field: str) -> tuple[str, str]:
    """(type name, UUID) of a global id naming a ``Node`` type; INVALID_INPUT naming ``field`` otherwise."""
    try:
        global_id = relay.GlobalID.from_id(value)
    except (GlobalIDValueError, ValueError, TypeError) as exc:
        raise UserInputError(NOT_A_GLOBAL_ID, field=field) from exc
    if global_id.type_name not in node_type_names(info._raw_info.schema):
        raise UserInputError(NOT_A_GLOBAL_ID, field=field)
    if global_id.type_name in PERSON_NAMED:  # a partner app's handle of the person (partners.app_ids)
        opened = app_ids.person_in(runtime(info), viewer(info), global_id.node_id)
        if opened is None:
            raise UserInputError(NOT_A_GLOBAL_ID, field=field)
        return global_id.type_name, opened
    return global_id.type_name, global_id.node_id


async def _load(info: strawberry.Info, type_name: str, ids: list[str]) -> Sequence[Any]:
    """The objects of one type, aligned with ``ids``."""
    return await BY_IDS[type_name](info, ids)


#: People and organisations are read together (``resolvers.identity.actors_by_ids``: one statement for both kinds).
ACTOR_TYPES = ("Person", "Organization")
ACTOR = "Actor"


def _group(type_name: str) -> str:
    return ACTOR if type_name in ACTOR_TYPES else type_name


async def _load_actors(info: strawberry.Info, ids: list[str]) -> Sequence[Any]:
    return await identity.actors_by_ids(info, ids)


async def _resolve(info: strawberry.Info, wanted: list[tuple[str, str] | None]) -> list[Any]:
    """The object of each (type name, UUID), None for a hole or for what the viewer may not see; one load per type
    (people and organisations: one load for both), and an object of another type than its id names is None."""
    by_type: dict[str, list[str]] = {}
    for item in wanted:
        if item is not None:
            group = _group(item[0])
            by_type.setdefault(group, [])
            if item[1] not in by_type[group]:
                by_type[group].append(item[1])
    names = list(by_type)
    loaded = await asyncio.gather(
        *(_load_actors(info, by_type[name]) if name == ACTOR else _load(info, name, by_type[name]) for name in names)
    )
    found = {
        (name, node_id): obj
        for name, objects in zip(names, loaded, strict=True)
        for node_id, obj in zip(by_type[name], objects, strict=True)
    }

    def answer(item: tuple[str, str] | None) -> Any:
        if item is None:
            return None
        obj = found.get((_group(item[0]), item[1]))
        return obj if obj is None or type(obj).__name__ == item[0] else None

    return [answer(item) for item in wanted]


async def node(
    info: strawberry.Info,
    id: Annotated[strawberry.ID, strawberry.argument(description="A global `id` returned by this API.")],
) -> relay.Node | None:
    (found,) = await _resolve(info, [_decode(info, id, "id")])
    return found


async def nodes(
    info: strawberry.Info,
    ids: Annotated[
        list[strawberry.ID],
        strawberry.argument(description=f"Global `id`s returned by this API, at most {MAX_NODES}."),
    ],
) -> list[relay.Node | None]:
    if len(ids) > MAX_NODES:
        raise UserInputError("Ask for at most {limit} ids at once.", field="ids", params={"limit": MAX_NODES})
    wanted: list[tuple[str, str] | None] = []
    refused: dict[int, UserInputError] = {}
    for position, value in enumerate(ids):
        try:
            wanted.append(_decode(info, value, "ids"))
        except UserInputError as error:
            wanted.append(None)
            refused[position] = error
    found = await _resolve(info, wanted)
    # An id this API did not issue is null with its own INVALID_INPUT error (path ["nodes", position]); the others
    # are answered all the same.
    return [refused.get(position, obj) for position, obj in enumerate(found)]
