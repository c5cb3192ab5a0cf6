"""The webhook dispatcher against a real receiver: signed deliveries the receiver verifies with
``standardwebhooks``, tampered or stale ones refused, both secrets while a rotation overlaps, Svix's retry schedule
under an injected clock, 410, the delivery log and its retry, 40 dispatch passes in parallel, a crash between the
lease and the send, and the send-time address check (DNS rebinding)."""

from __future__ import annotations

import asyncio
import json
import time
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from tests.partners.webhook_support import (
    Clock,
    Received,
    Receiver,
    delivery_state,
    paused,
    queue_delivery,
    subscribe,
)
from tests.support import gql, settings_changed
from webhooks import outbox, signing, targets
from webhooks.dispatcher import RETRY_SCHEDULE, Dispatcher

DELIVERIES = """
query Deliveries($appId: ID!, $status: WebhookDeliveryStatus, $subscriptionId: ID) {
  webhookDeliveries(appId: $appId, status: $status, subscriptionId: $subscriptionId, first: 10) {
    totalCount
    nodes { id webhookId eventType body status attemptCount lastStatus lastError nextAttemptAt deliveredAt
            attempts { number status error durationMs } subscription { id status } }
  }
}
"""
RETRY = """
mutation Retry($input: WebhookDeliveryRetryInput!) {
  webhookDeliveryRetry(input: $input) { delivery { webhookId status } errors { code field message } }
}
"""
ROTATE = """
mutation Rotate($input: WebhookSecretRotateInput!) {
  webhookSecretRotate(input: $input) {
    secret subscription { secretLast4 previousSecretLast4 previousSecretExpiresAt } errors { code field message }
  }
}
"""
UPDATE = """
mutation Update($input: WebhookSubscriptionUpdateInput!) {
  webhookSubscriptionUpdate(input: $input) { subscription { status disabledReason } errors { code field message } }
}
"""
SUBSCRIPTIONS = """
query Subs($id: ID!) {
  node(id: $id) { ... on App { webhookSubscriptions(first: 5) { nodes { id status disabledReason } } } }
}
"""


@pytest.fixture
async def quiet(app):
    """The app's own dispatcher paused: the test runs its passes itself, under its own clock."""
    with settings_changed(app, webhook_dispatch_interval_seconds=0):
        await paused(app)
        yield


@pytest.fixture
def receiver():
    started = Receiver().start()
    yield started
    started.stop()


@pytest.fixture
async def dispatchers(app):
    made: list[Dispatcher] = []

    def make(clock: Clock | None = None) -> Dispatcher:
        made.append(Dispatcher(app.state.runtime, now=clock or Clock()))
        return made[-1]

    yield make
    for dispatcher in made:
        await dispatcher.close()


async def _deliveries(client, subscribed, **variables):
    body = await gql(
        client, DELIVERIES, {"appId": subscribed.app_global_id, **variables}, headers=subscribed.partner.owner.auth
    )
    assert "errors" not in body, body
    return body["data"]["webhookDeliveries"]


async def test_a_delivery_is_signed_and_the_receiver_verifies_it(app, client, quiet, receiver, dispatchers):
    subscribed = await subscribe(app, client, receiver.url)
    receiver.secrets = [subscribed.secret]
    msg_id, body = await queue_delivery(app, subscribed.subscription_uuid, data={"orderId": "T3JkZXI6MQ=="})

    assert await dispatchers().run_once() == 1

    assert len(receiver.received) == 1
    got = receiver.received[0]
    assert got.verified, got.error
    assert got.body == body and json.loads(got.body)["data"] == {"orderId": "T3JkZXI6MQ=="}
    assert got.headers["webhook-id"] == msg_id
    assert got.headers["content-type"] == "application/json"
    assert got.headers["webhook-signature"].count("v1,") == 1
    log = await _deliveries(client, subscribed)
    (shown,) = log["nodes"]
    assert shown["webhookId"] == msg_id and shown["status"] == "DELIVERED" and shown["deliveredAt"]
    assert shown["attemptCount"] == 1 and shown["lastStatus"] == 204 and shown["nextAttemptAt"] is None
    assert [(a["number"], a["status"]) for a in shown["attempts"]] == [(1, 204)]
    assert shown["subscription"]["id"] == subscribed.subscription_id
    # nothing more is due: a second pass sends nothing
    assert await dispatchers().run_once() == 0
    assert len(receiver.received) == 1


async def test_the_receiver_refuses_a_tampered_body_and_a_stale_timestamp(app, client, quiet, receiver):
    subscribed = await subscribe(app, client, receiver.url)
    receiver.secrets = [subscribed.secret]
    body = json.dumps({"type": "order.placed", "timestamp": "2026-11-30T00:00:00Z", "data": {"n": 1}})
    now = datetime.now(UTC)
    async with httpx.AsyncClient() as http:
        good = signing.headers([subscribed.secret], "msg_1", now, body)
        assert (await http.post(receiver.url, content=body, headers=good)).status_code == 204
        tampered = body.replace('"n": 1', '"n": 2')
        assert (await http.post(receiver.url, content=tampered, headers=good)).status_code == 400
        stale = signing.headers([subscribed.secret], "msg_2", now - timedelta(minutes=6), body)
        assert (await http.post(receiver.url, content=body, headers=stale)).status_code == 400
        other = signing.headers([signing.new_secret()], "msg_3", now, body)
        assert (await http.post(receiver.url, content=body, headers=other)).status_code == 400
    assert [r.verified for r in receiver.received] == [True, False, False, False]
    assert "too old" in (receiver.received[2].error or "")


async def test_while_a_secret_rotates_both_secrets_verify(app, client, quiet, receiver, dispatchers):
    subscribed = await subscribe(app, client, receiver.url)
    rotated = await gql(
        client, ROTATE, {"input": {"subscriptionId": subscribed.subscription_id}}, headers=subscribed.partner.owner.auth
    )
    payload = rotated["data"]["webhookSecretRotate"]
    assert payload["errors"] == []
    new_secret = payload["secret"]
    assert new_secret.startswith("whsec_") and new_secret != subscribed.secret
    assert payload["subscription"]["secretLast4"] == new_secret[-4:]
    assert payload["subscription"]["previousSecretLast4"] == subscribed.secret[-4:]
    until = datetime.fromisoformat(payload["subscription"]["previousSecretExpiresAt"])
    assert timedelta(hours=23, minutes=59) < until - datetime.now(UTC) <= timedelta(hours=24)

    for secrets in ([subscribed.secret], [new_secret]):
        receiver.secrets = secrets
        await queue_delivery(app, subscribed.subscription_uuid)
        assert await dispatchers().run_once() == 1
        assert receiver.received[-1].verified, receiver.received[-1].error
        assert receiver.received[-1].headers["webhook-signature"].count("v1,") == 2

    # after the overlap only the new secret signs
    later = Clock(datetime.now(UTC) + timedelta(hours=24, minutes=1))
    receiver.secrets = []
    await queue_delivery(app, subscribed.subscription_uuid)
    assert await dispatchers(later).run_once() == 1
    signature = receiver.received[-1].headers["webhook-signature"]
    assert signature.count("v1,") == 1
    assert signature == signing.signature([new_secret], receiver.received[-1].headers["webhook-id"], later(),
                                          receiver.received[-1].body)  # fmt: skip


async def test_failed_attempts_follow_the_retry_schedule_then_fail(app, client, quiet, receiver, dispatchers):
    subscribed = await subscribe(app, client, receiver.url)
    receiver.secrets, receiver.status = [subscribed.secret], 500
    clock = Clock()
    msg_id, _ = await queue_delivery(app, subscribed.subscription_uuid, at=clock())
    dispatcher = dispatchers(clock)

    assert await dispatcher.run_once() == 1  # the first attempt at once
    for made, delay in enumerate(RETRY_SCHEDULE[1:], start=1):
        state = await delivery_state(app, msg_id)
        assert state["status"] == "pending" and state["attempts"] == made and state["leaseUntil"] is None
        assert state["nextAttemptAt"] == clock() + delay
        clock.advance(seconds=delay.total_seconds() - 1)
        assert await dispatcher.run_once() == 0, f"attempt {made + 1} went early"
        clock.advance(seconds=1)
        assert await dispatcher.run_once() == 1
    state = await delivery_state(app, msg_id)
    assert state["status"] == "failed" and state["attempts"] == len(RETRY_SCHEDULE) == 8
    assert state["recorded"] == 8
    clock.advance(days=2)
    assert await dispatcher.run_once() == 0
    assert receiver.ids() == [msg_id] * 8

    failed = await _deliveries(client, subscribed, status="FAILED")
    assert failed["totalCount"] == 1
    (shown,) = failed["nodes"]
    assert shown["webhookId"] == msg_id and shown["attemptCount"] == 8 and shown["nextAttemptAt"] is None
    assert [a["number"] for a in shown["attempts"]] == list(range(1, 9))
    assert {a["status"] for a in shown["attempts"]} <= {500, 400}  # 400: the receiver refuses a future timestamp
    assert (await _deliveries(client, subscribed, status="PENDING"))["totalCount"] == 0

    # the partner sends it again: the same webhook-id, one more attempt
    receiver.status = 204
    retried = await gql(client, RETRY, {"input": {"deliveryId": shown["id"]}}, headers=subscribed.partner.owner.auth)
    assert retried["data"]["webhookDeliveryRetry"] == {"delivery": {"webhookId": msg_id, "status": "PENDING"},
                                                        "errors": []}  # fmt: skip
    assert await dispatchers().run_once() == 1
    assert receiver.ids() == [msg_id] * 9 and receiver.received[-1].verified
    assert (await delivery_state(app, msg_id))["status"] == "delivered"
    again = await gql(client, RETRY, {"input": {"deliveryId": shown["id"]}}, headers=subscribed.partner.owner.auth)
    assert again["data"]["webhookDeliveryRetry"]["errors"] == []  # a delivered one may be sent again too


async def test_a_retry_of_a_pending_delivery_or_by_someone_else_is_refused(app, client, quiet, receiver):
    subscribed = await subscribe(app, client, receiver.url)
    msg_id, _ = await queue_delivery(app, subscribed.subscription_uuid)
    (shown,) = (await _deliveries(client, subscribed))["nodes"]
    pending = await gql(client, RETRY, {"input": {"deliveryId": shown["id"]}}, headers=subscribed.partner.owner.auth)
    assert pending["data"]["webhookDeliveryRetry"]["errors"][0]["code"] == "CONFLICT"
    other = await subscribe(app, client, receiver.url)
    stranger = await gql(client, RETRY, {"input": {"deliveryId": shown["id"]}}, headers=other.partner.owner.auth)
    assert stranger["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_410_disables_the_subscription_and_fails_the_delivery(app, client, quiet, receiver, dispatchers):
    subscribed = await subscribe(app, client, receiver.url)
    receiver.secrets, receiver.status = [subscribed.secret], 410
    first, _ = await queue_delivery(app, subscribed.subscription_uuid)
    assert await dispatchers().run_once() == 1
    state = await delivery_state(app, first)
    assert state["status"] == "failed" and state["attempts"] == 1 and state["lastStatus"] == 410
    subs = await gql(client, SUBSCRIPTIONS, {"id": subscribed.app_global_id}, headers=subscribed.partner.owner.auth)
    (shown,) = subs["data"]["node"]["webhookSubscriptions"]["nodes"]
    assert shown["status"] == "DISABLED" and "410 Gone" in shown["disabledReason"]

    # a disabled subscription gets nothing; enabled again, what waited goes out
    second, _ = await queue_delivery(app, subscribed.subscription_uuid)
    assert await dispatchers().run_once() == 0
    receiver.status = 204
    enabled = await gql(
        client,
        UPDATE,
        {"input": {"subscriptionId": subscribed.subscription_id, "status": "ACTIVE"}},
        headers=subscribed.partner.owner.auth,
    )
    assert enabled["data"]["webhookSubscriptionUpdate"] == {
        "subscription": {"status": "ACTIVE", "disabledReason": None},
        "errors": [],
    }
    assert await dispatchers().run_once() == 1
    assert receiver.ids() == [first, second]
    assert (await delivery_state(app, second))["status"] == "delivered"


async def test_40_parallel_dispatch_passes_deliver_each_delivery_once(app, client, quiet, receiver, dispatchers):
    subscribed = await subscribe(app, client, receiver.url)
    receiver.secrets = [subscribed.secret]
    queued = [(await queue_delivery(app, subscribed.subscription_uuid))[0] for _ in range(5)]

    passes = [dispatchers() for _ in range(40)]
    leased = await asyncio.gather(*(d.run_once() for d in passes))

    assert sum(leased) == 5
    assert sorted(receiver.ids()) == sorted(queued)
    assert all(r.verified for r in receiver.received)
    for msg_id in queued:
        state = await delivery_state(app, msg_id)
        assert state["status"] == "delivered" and state["attempts"] == 1 and state["recorded"] == 1


async def test_a_delivery_committed_while_no_dispatcher_runs_goes_out_once_at_the_next_start(
    app, client, quiet, receiver, dispatchers
):
    subscribed = await subscribe(app, client, receiver.url)
    receiver.secrets = [subscribed.secret]
    msg_id, _ = await queue_delivery(app, subscribed.subscription_uuid)
    await asyncio.sleep(0.05)
    assert receiver.received == []  # nothing runs: it waits in the graph
    assert await dispatchers().run_once() == 1
    assert await dispatchers().run_once() == 0
    assert receiver.ids() == [msg_id]


async def test_a_dispatcher_that_dies_between_lease_and_send_loses_nothing(app, client, quiet, receiver, dispatchers):
    subscribed = await subscribe(app, client, receiver.url)
    receiver.secrets = [subscribed.secret]
    clock = Clock()
    msg_id, _ = await queue_delivery(app, subscribed.subscription_uuid, at=clock())

    doomed = dispatchers(clock)
    leased = asyncio.Event()

    async def stuck(delivery):  # the process stops after the lease committed, before anything is sent
        leased.set()
        await asyncio.Event().wait()

    doomed.send = stuck  # type: ignore[method-assign]
    task = asyncio.create_task(doomed.run_once())
    await asyncio.wait_for(leased.wait(), 10)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    state = await delivery_state(app, msg_id)
    assert state["status"] == "pending" and state["attempts"] == 0 and state["leaseUntil"] is not None

    restarted = dispatchers(clock)
    assert await restarted.run_once() == 0  # the dead dispatcher's lease still holds
    assert receiver.received == []
    clock.advance(seconds=app.state.runtime.settings.webhook_lease_seconds + 1)
    assert await restarted.run_once() == 1
    assert receiver.ids() == [msg_id] and receiver.received[0].verified
    clock.advance(minutes=5)
    assert await restarted.run_once() == 0
    state = await delivery_state(app, msg_id)
    assert state["status"] == "delivered" and state["attempts"] == 1 and state["recorded"] == 1


async def test_the_lifespan_dispatcher_delivers_when_nudged(app, client, receiver):
    subscribed = await subscribe(app, client, receiver.url)
    receiver.secrets = [subscribed.secret]
    with settings_changed(app, webhook_dispatch_interval_seconds=3600):
        app.state.webhook_dispatcher.wake()  # take the new interval into account
        await asyncio.sleep(0.05)
        await paused(app)
        msg_id, _ = await queue_delivery(app, subscribed.subscription_uuid)
        outbox.nudge(app.state.runtime)
        for _ in range(200):
            if receiver.received:
                break
            await asyncio.sleep(0.02)
    assert receiver.ids() == [msg_id]


async def test_a_name_that_resolves_to_a_private_address_at_send_time_is_refused(
    app, client, quiet, receiver, dispatchers, monkeypatch
):
    subscribed = await subscribe(app, client, "https://hooks.partner.example/hook")
    msg_id, _ = await queue_delivery(app, subscribed.subscription_uuid)
    asked: list[str] = []

    async def rebinding(host, port):  # checked at creation as a name; now it points at this machine
        asked.append(host)
        return [(2, 1, 6, "", ("127.0.0.1", port))]

    monkeypatch.setattr(targets, "getaddrinfo", rebinding)
    with settings_changed(app, environment="production"):
        assert await dispatchers().run_once() == 1
    assert asked == ["hooks.partner.example"]
    assert receiver.received == []
    state = await delivery_state(app, msg_id)
    assert state["status"] == "pending" and state["attempts"] == 1 and state["lastStatus"] is None
    (shown,) = (await _deliveries(client, subscribed))["nodes"]
    assert shown["lastError"].startswith("Refused:") and "127.0.0.1" in shown["lastError"]


async def test_an_event_emitted_in_a_transaction_is_delivered_after_commit_by_the_nudged_dispatcher(
    app, client, receiver
):
    from partners.pairwise import subject
    from tests.identity.people import register, uuid_of
    from tests.partners.support import app_person_id
    from webhooks.events import PersonRef

    subscribed = await subscribe(app, client, receiver.url, event_types=("grant.revoked",))
    receiver.secrets = [subscribed.secret]
    person = uuid_of((await register(client)).id)
    runtime = app.state.runtime

    async def change(tx):  # a service's write transaction that emits an app-level event
        return await outbox.emit(
            tx, runtime, "grant.revoked", about=[person], app_id=subscribed.app.app_id,
            data={"grantId": "g-1", "person": PersonRef(person), "revokedBy": "PERSON"},
        )  # fmt: skip

    with settings_changed(app, webhook_dispatch_interval_seconds=3600):
        app.state.webhook_dispatcher.wake()
        await asyncio.sleep(0.05)
        await paused(app)  # from now on only the nudge after commit makes it send
        assert await runtime.graph.write(change) == 1
        for _ in range(250):
            if receiver.received:
                break
            await asyncio.sleep(0.02)
    (got,) = receiver.received
    assert got.verified, got.error
    sent = json.loads(got.body)
    assert sent["type"] == "grant.revoked" and sent["data"]["grantId"] == "g-1"
    assert person not in got.body  # the person travels under the app's own id, never the internal one
    assert sent["data"]["person"] == {
        "id": app_person_id(app, subscribed.app, person),
        "sub": subject(runtime.pairwise_key, subscribed.app.sector_id, person),
    }
    (shown,) = (await _deliveries(client, subscribed))["nodes"]
    assert shown["webhookId"] == got.headers["webhook-id"] and shown["status"] == "DELIVERED"
    assert shown["body"] == got.body


#: A dispatcher in a process of its own that stops for good between the lease and the send (the test kills it).
DOOMED_PROCESS = """
import asyncio, json, sys
from datetime import datetime
from types import SimpleNamespace

from core.settings import Settings
from graph.driver import Graph
from webhooks.dispatcher import Dispatcher

given = json.loads(sys.argv[1])


async def main():
    settings = Settings(environment="test", neo4j_uri=given["uri"], neo4j_password=given["password"],
                        var_dir=given["var"])
    graph = Graph.connect(settings, uri=given["uri"], password=given["password"])
    runtime = SimpleNamespace(settings=settings, graph=graph, pairwise_key=b"never used: nothing is sent")
    dispatcher = Dispatcher(runtime, now=lambda: datetime.fromisoformat(given["now"]))

    async def stuck(delivery):
        print("LEASED", delivery.id, flush=True)
        await asyncio.sleep(3600)

    dispatcher.send = stuck
    await dispatcher.run_once()


asyncio.run(main())
"""


async def test_a_killed_dispatcher_process_loses_nothing_and_the_delivery_goes_out_once(
    app, client, quiet, receiver, dispatchers, test_settings
):
    import sys
    from pathlib import Path

    subscribed = await subscribe(app, client, receiver.url)
    receiver.secrets = [subscribed.secret]
    clock = Clock()
    msg_id, _ = await queue_delivery(app, subscribed.subscription_uuid, at=clock())
    given = {
        "uri": test_settings.neo4j_uri,
        "password": test_settings.neo4j_password.get_secret_value(),
        "var": str(test_settings.var_dir),
        "now": clock().isoformat(),
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-c", DOOMED_PROCESS, json.dumps(given),
        cwd=Path(__file__).resolve().parents[2], stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        line = await asyncio.wait_for(process.stdout.readline(), 60)
        assert line.decode().split() == ["LEASED", msg_id]
    finally:
        process.kill()  # SIGKILL: no cleanup runs, as in a crash
        await process.wait()
    state = await delivery_state(app, msg_id)
    assert state["status"] == "pending" and state["attempts"] == 0 and state["leaseUntil"] is not None

    restarted = dispatchers(clock)
    assert await restarted.run_once() == 0  # the dead process's lease still holds
    clock.advance(seconds=app.state.runtime.settings.webhook_lease_seconds + 1)
    assert await restarted.run_once() == 1
    assert await restarted.run_once() == 0
    assert receiver.ids() == [msg_id] and receiver.received[0].verified
    state = await delivery_state(app, msg_id)
    assert state["status"] == "delivered" and state["attempts"] == 1 and state["recorded"] == 1


async def test_a_delivery_about_people_without_their_ids_fails_closed(app, client, quiet, receiver, dispatchers):
    """A delivery written before deliveries kept the ids of the people they are about (no ``aboutIds``) cannot be
    checked against their grants: unless its event is app-level, it is failed, never sent."""
    subscribed = await subscribe(app, client, receiver.url)
    receiver.secrets = [subscribed.secret]
    old, _ = await queue_delivery(app, subscribed.subscription_uuid, event_type="order.placed", about=None)
    app_level, _ = await queue_delivery(app, subscribed.subscription_uuid, event_type="grant.revoked", about=None)
    nobody, _ = await queue_delivery(app, subscribed.subscription_uuid, event_type="order.placed", about=[])

    await dispatchers().run_once()

    assert receiver.ids() == [app_level]
    log = {d["webhookId"]: d for d in (await _deliveries(client, subscribed))["nodes"]}
    for refused in (old, nobody):
        assert log[refused]["status"] == "FAILED" and log[refused]["attemptCount"] == 0
        assert log[refused]["lastError"] == "the grant that admitted it has ended"
    assert log[app_level]["status"] == "DELIVERED"


class Dripping(Receiver):
    """An endpoint that answers 200 at once, then drips its body one byte at a time (for about 9 s)."""

    async def endpoint(self, request: Request) -> Response:
        body = (await request.body()).decode("utf-8")
        self.received.append(Received({k.lower(): v for k, v in request.headers.items()}, body, True, None))

        async def drip():
            for _ in range(30):
                yield b"x"
                await asyncio.sleep(0.3)

        return StreamingResponse(drip(), status_code=200)


async def test_a_dripping_endpoint_fails_at_the_deadline_and_holds_up_no_other(
    app, client, quiet, receiver, dispatchers
):
    """One deadline covers the whole attempt, reading the answer included: an endpoint that drips its answer (each
    byte well within httpx's per-read timeout) is a failed attempt at the deadline, and the pass, with another
    subscription's delivery, is over soon after."""
    dripping = Dripping().start()
    try:
        slow = await subscribe(app, client, dripping.url)
        fast = await subscribe(app, client, receiver.url)
        receiver.secrets = [fast.secret]
        slow_id, _ = await queue_delivery(app, slow.subscription_uuid)
        fast_id, _ = await queue_delivery(app, fast.subscription_uuid)
        with settings_changed(app, webhook_timeout_seconds=1.0):
            started = time.monotonic()
            await dispatchers().run_once()
            elapsed = time.monotonic() - started
        assert elapsed < 3, elapsed
        assert receiver.ids() == [fast_id]
        assert [r.headers["webhook-id"] for r in dripping.received] == [slow_id]
        assert (await delivery_state(app, fast_id))["status"] == "delivered"
        state = await delivery_state(app, slow_id)
        assert state["status"] == "pending" and state["attempts"] == 1 and state["lastStatus"] is None
        (shown,) = (await _deliveries(client, slow))["nodes"]
        assert shown["lastError"].startswith("No answer within 1 s")
        assert shown["attempts"][0]["durationMs"] < 2500
    finally:
        dripping.stop()


async def test_a_slow_name_lookup_counts_within_the_deadline(app, client, quiet, dispatchers, monkeypatch):
    subscribed = await subscribe(app, client, "https://slow-dns.partner.example/hook")
    msg_id, _ = await queue_delivery(app, subscribed.subscription_uuid)

    async def slow(host, port):
        if host == "slow-dns.partner.example":
            await asyncio.sleep(4)
        raise OSError("not resolved")

    monkeypatch.setattr(targets, "getaddrinfo", slow)
    with settings_changed(app, webhook_timeout_seconds=1.0):
        started = time.monotonic()
        await dispatchers().run_once()
        assert time.monotonic() - started < 3
    (shown,) = (await _deliveries(client, subscribed))["nodes"]
    assert shown["status"] == "PENDING" and shown["lastError"].startswith("No answer within 1 s")


class Racing(Clock):
    """A clock that moves on ``step`` each time it is read: the pass's deliveries wait long for their turn."""

    def __init__(self, step: timedelta) -> None:
        super().__init__()
        self.step = step

    def __call__(self) -> datetime:
        now = self.at
        self.at += self.step
        return now


async def test_a_delivery_whose_lease_is_nearly_over_is_left_for_the_next_pass(
    app, client, quiet, receiver, dispatchers
):
    """Its turn comes with less lease left than one attempt's deadline and a margin: it is not sent (another
    dispatcher could lease it while in flight, and send it twice); its lease is given back."""
    subscribed = await subscribe(app, client, receiver.url)
    receiver.secrets = [subscribed.secret]
    msg_id, _ = await queue_delivery(app, subscribed.subscription_uuid)
    settings = app.state.runtime.settings
    late = timedelta(seconds=settings.webhook_lease_seconds - settings.webhook_timeout_seconds)
    await dispatchers(Racing(late)).run_once()
    assert receiver.received == []
    state = await delivery_state(app, msg_id)
    assert state["status"] == "pending" and state["attempts"] == 0 and state["leaseUntil"] is None

    await dispatchers().run_once()
    assert receiver.ids() == [msg_id]


async def test_a_dispatcher_that_fails_to_close_still_lets_the_shutdown_close_neo4j(test_settings):
    """Shutdown of another API process (its own lifespan) whose dispatcher's close raises: Neo4j is still closed and
    ``on_shutdown`` still runs."""
    from asgi_lifespan import LifespanManager

    from api.app import create_app

    done: list[str] = []
    process = create_app(
        test_settings.model_copy(update={"webhook_dispatch_interval_seconds": 0}),
        on_shutdown=lambda: done.append("on_shutdown"),
    )
    async with LifespanManager(process):

        async def broken() -> None:
            raise RuntimeError("the HTTP client would not close")

        graph = process.state.graph
        real_close = graph.close

        async def close_graph() -> None:
            done.append("graph closed")
            await real_close()

        process.state.webhook_dispatcher.close = broken
        graph.close = close_graph
    assert done == ["graph closed", "on_shutdown"]
