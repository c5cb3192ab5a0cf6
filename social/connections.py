"""Connections between people: asking to connect, answering, withdrawing a request, removing a connection.

Organisations are followed, not connected with; a block stands in the way of both (``social.relations``)."""

from __future__ import annotations

from neo4j import AsyncManagedTransaction

from auth.permissions import authorize
from auth.viewer import Viewer
from core.errors import ConflictError, RateLimitedError, UserInputError
from core.runtime import Runtime
from graph import social as queries
from notifications import notify
from social.relations import locked_relation
from webhooks.events import PersonRef
from webhooks.outbox import emit


async def _connected(tx: AsyncManagedTransaction, rt: Runtime, requester: str, accepter: str) -> None:
    """The webhook event of a new connection, for the apps either person granted ``connections.read``."""
    data = {"requester": PersonRef(requester), "accepter": PersonRef(accepter)}
    await emit(tx, rt, "connection.created", about=[requester, accepter], data=data)


async def request_connection(rt: Runtime, viewer: Viewer, other: str) -> str:
    """Ask someone to connect; if they asked me already, we connect at once. Returns the state.

    At most ``connection_requests_per_day`` requests are *sent* in any 24 hours (withdrawn, declined and
    accepted ones count too); the target is notified at most once a day per requester (``notifications``)."""
    me = authorize(viewer, "social.connection.request")
    cap = rt.settings.connection_requests_per_day

    async def work(tx: AsyncManagedTransaction) -> str:
        relation = await locked_relation(tx, me, other)
        if not relation.is_person:
            raise UserInputError("Organisations are followed, not connected with.", field="actorId")
        if relation.blocked_by_me:
            raise ConflictError("You blocked this person; unblock them first.", field="actorId")
        if relation.connected:
            raise ConflictError("You are connected already.", field="actorId")
        if relation.requested_by_them:
            await queries.connect(tx, me, other)
            await notify(tx, rt, other, "connection_accepted", actor=me, subject=me, subject_type="Person")
            await _connected(tx, rt, other, me)
            return "connected"
        if relation.requested_by_me:
            raise ConflictError("You asked already; wait for their answer.", field="actorId")
        retry_after = await queries.claim_request_slot(tx, me, cap)
        if retry_after is not None:
            raise RateLimitedError(
                "You have sent as many connection requests as a day allows; try again later.",
                retry_after_seconds=retry_after,
            )
        await queries.write_edge(tx, "request", me, other)
        await notify(tx, rt, other, "connection_requested", sender=me, actor=me, subject=me, subject_type="Person")
        return "requested"

    return await rt.graph.write(work)


async def answer_request(rt: Runtime, viewer: Viewer, requester: str, *, accept: bool) -> None:
    me = authorize(viewer, "social.connection.answer")

    async def work(tx: AsyncManagedTransaction) -> None:
        relation = await locked_relation(tx, me, requester)
        if not relation.requested_by_them:
            raise ConflictError("This person has not asked to connect with you.", field="actorId")
        if accept:
            await queries.connect(tx, requester, me)
            await notify(tx, rt, requester, "connection_accepted", actor=me, subject=me, subject_type="Person")
            await _connected(tx, rt, requester, me)
        else:
            await queries.delete_request(tx, requester, me)

    await rt.graph.write(work)


async def cancel_request(rt: Runtime, viewer: Viewer, other: str) -> None:
    me = authorize(viewer, "social.connection.cancel")
    if not await rt.graph.write(queries.delete_request, me, other):
        raise ConflictError("You have no pending request to this person.", field="actorId")


async def remove_connection(rt: Runtime, viewer: Viewer, other: str) -> None:
    me = authorize(viewer, "social.connection.remove")
    if not await rt.graph.write(queries.disconnect, me, other):
        raise ConflictError("You are not connected with this person.", field="actorId")
