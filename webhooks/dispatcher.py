"""The webhook dispatcher: leases due deliveries, sends each signed, records the attempt (docs/webhooks.md).

A delivery is written (``webhooks.outbox.emit``) in the transaction of the change it tells about, so it exists if and
only if the change committed. The dispatcher, a task of the API process (started in the lifespan beside the
housekeeping), then:

1. **leases** a batch of due deliveries in one statement (``graph.webhooks.LEASE_DUE``: pending, due, not leased or
   the lease ran out; each gets ``leaseUntil = now + webhook_lease_seconds`` and a token of this pass). The grant
   rule of ``webhooks.outbox.emit`` is checked again there (``graph.webhooks.DELIVERY_ADMITTED``): a delivery about
   people whose grant has ended since is failed instead, never sent (app-level events exempt);
2. **sends** each one, outside any transaction: the URL resolved again and every address checked
   (``webhooks.targets``: DNS rebinding), an httpx POST to the checked address with no redirects, signed in the
   Standard Webhooks format (``webhooks.signing``: with the previous secret too while a rotation overlaps). One
   overall deadline per attempt (``webhook_timeout_seconds``) covers the DNS lookup, connecting, sending and reading
   the answer, of which only the status and at most ``MAX_ANSWER_BYTES`` are read: an endpoint that drips its answer
   or sends a huge one is a failed attempt at the deadline, and holds neither the pass nor memory. A delivery whose
   lease has less left than the deadline plus ``WEBHOOK_LEASE_MARGIN_SECONDS`` when its turn comes is not sent by
   this pass (its lease is given back; the next pass sends it), so its lease cannot run out while it is in flight
   and another dispatcher send it again (the settings also require a batch to fit in its lease);
3. **records** the attempt in one transaction, only while the lease is still its own: 2xx delivered; 410 failed and
   the subscription disabled (the reason is shown to the partner); anything else (3xx, 4xx, 5xx, a timeout, a
   refused address) another attempt after Svix's schedule (``RETRY_SCHEDULE``), then failed.

A process that dies between the lease and the record loses nothing: the lease runs out and the next pass (of this
process after a restart, or of another) sends the delivery again, with the same ``webhook-id``. Delivery is
therefore at least once; receivers dedupe on ``webhook-id``. A delivery is not sent twice by dispatchers running
side by side: the lease statement locks each delivery before it reads it again.

The clock is injected (``now``): the tests drive the schedule with it and run one pass at a time (``run_once``).
The running dispatcher registers its ``wake`` with the outbox (``webhooks.outbox.on_emitted``): a transaction that
emitted deliveries wakes it once it commits, so a delivery does not wait for the next poll.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx

from core.logs import get_logger
from core.runtime import Runtime
from core.settings import WEBHOOK_LEASE_MARGIN_SECONDS
from graph import webhooks as queries
from graph.webhooks import LeasedDelivery
from webhooks import outbox, signing, targets
from webhooks.subscriptions import event_scopes

log = get_logger(__name__)

#: Svix's schedule: the first attempt at once, then after each failure these delays; after the last, failed.
RETRY_SCHEDULE: tuple[timedelta, ...] = (
    timedelta(0),
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
    timedelta(hours=10),
)
MAX_ATTEMPTS = len(RETRY_SCHEDULE)
MAX_ERROR = 300
#: The most of an endpoint's answer read (only the status counts; the rest is never read).
MAX_ANSWER_BYTES = 1024


def next_attempt_at(attempts_made: int, at: datetime) -> datetime | None:
    """When the next attempt goes after ``attempts_made`` failed ones, the last at ``at``; None: no more."""
    if attempts_made >= MAX_ATTEMPTS:
        return None
    return at + RETRY_SCHEDULE[attempts_made]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Attempt:
    """What one attempt came to."""

    at: datetime
    status: int | None
    error: str | None
    duration_ms: int


class Dispatcher:
    """Leases, sends and records webhook deliveries; ``run_once`` is one pass, ``run`` the loop of the lifespan."""

    def __init__(
        self,
        rt: Runtime,
        *,
        now: Callable[[], datetime] = utc_now,
        client: httpx.AsyncClient | None = None,
    ) -> None:
        self.rt = rt
        self.now = now
        self._client = client
        self._own_client = client is None
        self._wake = asyncio.Event()
        #: Held during a pass (the tests wait on it to know a pass is over).
        self.pass_lock = asyncio.Lock()

    @property
    def client(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(
                timeout=self.rt.settings.webhook_timeout_seconds, follow_redirects=False, trust_env=False
            )
        return self._client

    async def close(self) -> None:
        if self._own_client and self._client is not None:
            await self._client.aclose()
            self._client = None

    def wake(self) -> None:
        self._wake.set()

    # --- one pass -------------------------------------------------------------------------------------------------

    async def run_once(self) -> int:
        """Lease the due deliveries (one batch), send them, record each attempt; how many were leased."""
        async with self.pass_lock:
            settings = self.rt.settings
            now = self.now()
            token = uuid.uuid4().hex
            lease_until = now + timedelta(seconds=settings.webhook_lease_seconds)
            leased = await self.rt.graph.write(
                queries.lease_due,
                now=now,
                lease_until=lease_until,
                token=token,
                batch=settings.webhook_batch_size,
                event_scopes=event_scopes(),
            )
            if not leased:
                return 0
            gate = asyncio.Semaphore(settings.webhook_concurrency)
            await asyncio.gather(*(self._deliver(delivery, token, lease_until, gate) for delivery in leased))
            return len(leased)

    async def _deliver(
        self, delivery: LeasedDelivery, token: str, lease_until: datetime, gate: asyncio.Semaphore
    ) -> None:
        """Send one leased delivery and record the attempt; a failure here is logged and the lease runs out (the
        delivery is sent again later), never raised into the other deliveries of the pass. Not sent when too little
        of its lease is left for a whole attempt (its lease is given back for the next pass)."""
        try:
            async with gate:
                needed = timedelta(seconds=self.rt.settings.webhook_timeout_seconds + WEBHOOK_LEASE_MARGIN_SECONDS)
                if lease_until - self.now() < needed:
                    await self.rt.graph.write(queries.release_lease, delivery_id=delivery.id, token=token)
                    log.warning("webhook delivery left for the next pass: its lease is too short", delivery=delivery.id)
                    return
                attempt = await self.send(delivery)
            await self._record(delivery, token, attempt)
        except Exception:
            log.warning("webhook attempt not recorded; its lease will run out", delivery=delivery.id, exc_info=True)

    def _secrets(self, delivery: LeasedDelivery) -> list[str]:
        key = self.rt.pairwise_key
        found = [signing.open_secret(key, delivery.subscription_id, delivery.secret_sealed)]
        if delivery.previous_secret_sealed:
            found.append(signing.open_secret(key, delivery.subscription_id, delivery.previous_secret_sealed))
        return [s for s in found if s]

    async def send(self, delivery: LeasedDelivery) -> Attempt:
        """POST the delivery once to the address its URL resolves to now (checked), signed, all of it within one
        deadline (``webhook_timeout_seconds``); never raises."""
        at = self.now()
        deadline = self.rt.settings.webhook_timeout_seconds
        started = time.perf_counter()
        try:
            async with asyncio.timeout(deadline):
                return await self._attempt(delivery, at, started)
        except TimeoutError:
            error = f"No answer within {deadline:g} s (resolving, connecting, sending and reading the answer's start)."
            return Attempt(at, None, error, _ms(started))

    async def _attempt(self, delivery: LeasedDelivery, at: datetime, started: float) -> Attempt:
        try:
            target = await targets.resolve_target(delivery.url, self.rt.settings.environment)
        except targets.TargetRefused as refused:
            return Attempt(at, None, f"Refused: {refused}"[:MAX_ERROR], _ms(started))
        secrets = self._secrets(delivery)
        if not secrets:
            return Attempt(at, None, "The subscription's signing secret could not be opened.", _ms(started))
        headers = signing.headers(secrets, delivery.id, at, delivery.body)
        headers["host"] = target.host
        extensions = {"sni_hostname": target.host.rsplit(":", 1)[0]} if target.url.startswith("https:") else {}
        try:
            async with self.client.stream(
                "POST", target.url, content=delivery.body.encode("utf-8"), headers=headers, extensions=extensions
            ) as response:
                read = 0
                async for chunk in response.aiter_raw():  # the start of the answer at most, never all of it
                    read += len(chunk)
                    if read >= MAX_ANSWER_BYTES:
                        break
                status = response.status_code
        except httpx.TimeoutException:
            return Attempt(at, None, "Timed out waiting for the endpoint's answer.", _ms(started))
        except httpx.HTTPError as error:
            return Attempt(at, None, f"{type(error).__name__}: {error}"[:MAX_ERROR], _ms(started))
        return Attempt(at, status, None, _ms(started))

    async def _record(self, delivery: LeasedDelivery, token: str, attempt: Attempt) -> None:
        status = attempt.status
        disable = status == 410
        made = delivery.attempts + 1
        later = None
        if status is not None and 200 <= status < 300:
            outcome, error = "delivered", None
        elif disable:
            outcome = "failed"
            error = "The endpoint answered 410 Gone: the subscription was disabled."
        else:
            later = next_attempt_at(made, attempt.at)
            outcome = "pending" if later is not None else "failed"
            error = attempt.error or (f"The endpoint answered HTTP {status}." if status is not None else None)
        reason = f"The endpoint answered 410 Gone on {attempt.at.isoformat(timespec='seconds')}." if disable else None
        recorded = await self.rt.graph.write(
            queries.record_attempt,
            delivery_id=delivery.id,
            token=token,
            outcome=outcome,
            status=status,
            error=error,
            at=attempt.at,
            duration_ms=attempt.duration_ms,
            next_attempt_at=later,
            disable=disable,
            reason=reason,
        )
        if not recorded:
            log.warning("webhook lease lost before its attempt was recorded", delivery=delivery.id)

    # --- the loop -------------------------------------------------------------------------------------------------

    async def run(self) -> None:
        """Until cancelled: wait for a nudge or ``webhook_dispatch_interval_seconds``, then a pass (after a full
        batch, the next pass at once). The first pass comes one interval after the start (or at the first nudge), so
        a starting process does not compete with its first requests for the connection pool. While the setting is
        0 the dispatcher is paused (it looks again every second)."""
        forget = outbox.on_emitted(self.rt, self.wake)
        try:
            while True:
                interval = self.rt.settings.webhook_dispatch_interval_seconds
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout=interval if interval > 0 else 1.0)
                self._wake.clear()
                if self.rt.settings.webhook_dispatch_interval_seconds <= 0:
                    continue
                try:
                    leased = await self.run_once()
                except Exception:
                    log.warning("webhook dispatch pass failed; next pass later", exc_info=True)
                    continue
                if leased >= self.rt.settings.webhook_batch_size:
                    self._wake.set()
        finally:
            forget()


def _ms(started: float) -> int:
    return int((time.perf_counter() - started) * 1000)
