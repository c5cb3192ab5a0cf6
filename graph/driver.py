"""The one async Neo4j driver of a process and the transaction helpers every query goes through.

``Graph`` is created in the Starlette lifespan (``Graph.connect``) and closed there. Queries run in
managed transactions: ``read`` uses ``execute_read`` (read routing, so a ``neo4j://`` cluster can send
them to a follower), ``write`` uses ``execute_write``; the driver retries transient failures, so a
unit of work must be safe to run twice. Every call passes the database name and a timeout.

A managed transaction's BEGIN goes out with its first statement (RUN and PULL) in one flight, as
``driver.execute_query`` does, instead of on its own: two round trips for a one-statement transaction instead of
three (``pipelined_begin``; the driver's private ``session._pipelined_begin``, hence the pinned driver range in
pyproject.toml and the tests in ``tests/foundation/test_bolt.py``).

Every statement's parameters travel as ONE map parameter (``one_map``): ``$id`` in the text becomes ``$p.id`` and the
values go as ``{p: {...}}``. Neo4j keys its plan caches on the statement text AND the type of each parameter (null,
string, integer, empty or non-empty list, and the length of strings and lists), so a keyset cursor's ``$afterId``,
null on the first page and a string on the next, used to cost two plans of the same text (and a long compiled read
takes a second or more of the server's CPU to plan). A map's type is one whatever it holds: one plan per text.
Index seeks, ``SKIP``/``LIMIT`` and procedure arguments plan the same with ``$p.x`` (``tests/foundation/test_bolt.py``);
a name missing from the values fails loudly (``MissingParameter``), as Neo4j itself would.

While Neo4j is known to be down, ``OutageBreaker`` answers ``UNAVAILABLE`` at once instead of letting
each request sit through the driver's retries (15-20 s), and closes again by itself when Neo4j answers.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import errno
import functools
import math
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, suppress
from types import TracebackType
from typing import Any, ParamSpec, TypeVar

import neo4j
from neo4j import AsyncDriver, AsyncGraphDatabase, AsyncManagedTransaction
from neo4j.exceptions import (
    AuthError,
    ConnectionAcquisitionTimeoutError,
    ConnectionPoolError,
    ConstraintError,
    DriverError,
    Neo4jError,
    ServiceUnavailable,
    SessionExpired,
)

from core.errors import AppError, ConflictError, UnavailableError
from core.logs import get_logger
from core.pagination import Window
from core.settings import Settings

log = get_logger(__name__)

P = ParamSpec("P")
T = TypeVar("T")
Work = Callable[..., Awaitable[T]]

#: The callbacks the current write transaction registered to run once it commits (``after_commit``).
_after_commit: contextvars.ContextVar[list[Callable[[], None]] | None] = contextvars.ContextVar(
    "after_commit", default=None
)


def after_commit(callback: Callable[[], None]) -> None:
    """Run ``callback()`` once the current ``Graph.write`` transaction has committed (never if it fails): a cheap,
    non-failing wake-up (the webhook dispatcher's nudge), harmless to run twice (a transaction function the driver
    retried registers again). Outside a ``Graph.write`` (a test's raw transaction) it runs nothing."""
    callbacks = _after_commit.get()
    if callbacks is not None:
        callbacks.append(callback)


#: Counts Cypher statements run through ``run`` in the current request (tests assert on it).
statement_counter: contextvars.ContextVar[list[int] | None] = contextvars.ContextVar("statement_counter", default=None)


#: ``$name`` of a Cypher parameter (our statements hold no ``$`` inside string literals or quoted names).
_PARAMETER = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")


class MissingParameter(ValueError):
    """A statement names a parameter its caller did not give: a programming error (Neo4j would refuse it too)."""


@functools.lru_cache(maxsize=4096)
def one_map(query: str) -> tuple[str, frozenset[str]]:
    """``query`` with every ``$name`` read from the one map parameter ``$p`` (``$p.name``), and the names it reads.
    Cached: the statement texts are few (built per selection shape at most) and this runs on every statement."""
    names = frozenset(_PARAMETER.findall(query))
    return _PARAMETER.sub(r"$p.\1", query), names


async def run(tx: AsyncManagedTransaction, query: str, /, **params: Any) -> list[neo4j.Record]:
    """Run one parameterised statement inside a managed transaction and return all its records.

    The parameters go as one map (``one_map``), so Neo4j plans each statement text once whatever values it gets."""
    counter = statement_counter.get()
    if counter is not None:
        counter[0] += 1
    text, names = one_map(query)
    if not names <= params.keys():
        raise MissingParameter(f"statement parameters not given: {sorted(names - params.keys())}")
    result = await tx.run(text, {"p": params})
    return [record async for record in result]


#: Later than any stored time: the upper bound of a newest-first range seek on the first page.
FAR_FUTURE = "9999-12-31T23:59:59Z"


def native(value: Any) -> Any:
    """A Neo4j temporal value as its Python equivalent (datetime, date); anything else (None too) as it is."""
    return value.to_native() if hasattr(value, "to_native") else value


def keyset(after: tuple[str, str] | None, prefix: str = "after") -> dict[str, str | None]:
    """The parameters of a (time, id) keyset cursor: ``{afterTime, afterId}``, both None on the first page.
    Queries compare ``[x.createdAt, x.id] < [datetime($afterTime), $afterId]`` (or ``>`` oldest first)."""
    return {f"{prefix}Time": after[0] if after else None, f"{prefix}Id": after[1] if after else None}


def window_keyset(window: Window) -> dict[str, str | None]:
    """The parameters of a (time, id) keyset list's page bounds in display order, read either way:
    ``{afterTime, afterId, beforeTime, beforeId}`` (``graph.paging``)."""
    return {**keyset(window.after), **keyset(window.before, "before")}


class Graph:
    """The driver plus the database name and transaction timeout; hands out transactions."""

    def __init__(
        self,
        driver: AsyncDriver,
        database: str,
        tx_timeout: float,
        gate: AdmissionGate | None = None,
        breaker: OutageBreaker | None = None,
        *,
        pipeline_begin: bool = True,
    ) -> None:
        self.driver = driver
        self.database = database
        self.tx_timeout = tx_timeout
        self.gate = gate or AdmissionGate(100, 1000, tx_timeout)
        self.breaker = breaker or OutageBreaker(None)
        #: Send BEGIN with the first statement of each managed transaction (``pipelined_begin``).
        self.pipeline_begin = pipeline_begin

    @classmethod
    def connect(cls, settings: Settings, *, uri: str, password: str) -> Graph:
        driver = AsyncGraphDatabase.driver(
            uri,
            auth=(settings.neo4j_username, password),
            max_connection_pool_size=settings.neo4j_max_pool_size,
            connection_timeout=settings.neo4j_connect_timeout_seconds,
            # The admission gate lets in no more transactions than the pool holds: past it a connection is free.
            connection_acquisition_timeout=settings.neo4j_connect_timeout_seconds * 2,
            # A request must fail fast when Neo4j is gone rather than retry for the default 30 s.
            max_transaction_retry_time=settings.neo4j_tx_timeout_seconds,
            # Queries name labels that may not exist yet (an empty graph); those hints are noise.
            notifications_min_severity="OFF",
        )
        gate = AdmissionGate(
            settings.neo4j_max_pool_size, settings.neo4j_admission_queue, settings.neo4j_admission_wait_seconds
        )
        return cls(
            driver,
            settings.neo4j_database,
            settings.neo4j_tx_timeout_seconds,
            gate,
            OutageBreaker.for_target(settings, uri=uri, password=password),
        )

    async def close(self) -> None:
        await self.breaker.close()
        await self.driver.close()

    async def read(self, work: Callable[..., Awaitable[T]], *args: Any, **kwargs: Any) -> T:
        """Run ``work(tx, *args, **kwargs)`` in a managed read transaction."""
        return await self._execute(neo4j.READ_ACCESS, work, args, kwargs)

    async def write(self, work: Callable[..., Awaitable[T]], *args: Any, **kwargs: Any) -> T:
        """Run ``work(tx, *args, **kwargs)`` in one managed write transaction (all or nothing); then, once it
        committed, the callbacks it registered with ``after_commit``."""
        callbacks: list[Callable[[], None]] = []
        token = _after_commit.set(callbacks)
        try:
            result = await self._execute(neo4j.WRITE_ACCESS, work, args, kwargs)
        finally:
            _after_commit.reset(token)
        for callback in callbacks:
            callback()
        return result

    async def _execute(
        self, mode: str, work: Callable[..., Awaitable[T]], args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> T:
        timed = neo4j.unit_of_work(timeout=self.tx_timeout)(work)
        try:
            async with (
                self.breaker.watch() as watch,
                self.gate.admit(),
                watch.admitted(),  # only now may a slow call make the breaker suspect Neo4j (queueing is not)
                self.driver.session(database=self.database, default_access_mode=mode) as session,
            ):
                with pipelined_begin(session, self.pipeline_begin):
                    if mode == neo4j.READ_ACCESS:
                        return await session.execute_read(timed, *args, **kwargs)
                    return await session.execute_write(timed, *args, **kwargs)
        except ConstraintError as exc:
            raise ConflictError("This already exists.") from exc
        except ConnectionAcquisitionTimeoutError as exc:
            raise busy("Every database connection is busy; try again shortly.", self.gate.retry_after()) from exc
        except ConnectionPoolError as exc:  # the pool could not hand out a connection: retryable, never INTERNAL
            raise self.breaker.unavailable() from exc
        except Neo4jError as exc:
            if _is_auth_refusal(exc):
                # Neo4j refused our credentials (a restarted local server opens Bolt before its password is set).
                raise self.breaker.unavailable() from exc
            if is_retryable_timeout(exc):
                raise busy(
                    "The database is busy (a lock or transaction timed out); try again shortly.",
                    self.gate.retry_after(),
                ) from exc
            raise
        except (ServiceUnavailable, SessionExpired, OSError) as exc:
            raise self.breaker.unavailable() from exc
        except DriverError as exc:
            if _is_connectivity_error(exc):
                raise self.breaker.unavailable() from exc
            raise

    async def schema_command(self, statement: str) -> None:
        """Run a schema command (constraint/index) in its own auto-commit transaction."""
        async with self.driver.session(database=self.database) as session:
            result = await session.run(statement)
            await result.consume()

    async def ping(self) -> bool:
        """True when Neo4j answers a trivial read right now."""
        try:
            await self.read(_ping)
        except (UnavailableError, Neo4jError, DriverError, OSError):
            return False
        return True


def pipelined_begin(session: neo4j.AsyncSession, wanted: bool = True) -> contextlib.AbstractContextManager[Any]:
    """While inside, the session's managed transactions send BEGIN with their first statement rather than alone
    and waiting for its answer (what ``driver.execute_query`` does: ``with session._pipelined_begin``).

    Sound for our units of work, which are retried whole by the driver: a failed BEGIN (wrong database, a
    follower that cannot serve, a server going away) is reported by the first statement's answer instead of its
    own, as the same kind of error, so the same retry and the same error mapping apply; a unit of work that runs
    no statement sends BEGIN with its COMMIT or ROLLBACK. A driver without the flag runs as before."""
    flag = getattr(session, "_pipelined_begin", None)
    if not wanted or flag is None or not hasattr(flag, "__enter__"):
        return contextlib.nullcontext()
    return flag  # type: ignore[no-any-return]


# --- overload: admission gate and retryable errors ---------------------------------------------------------------
# The pool holds neo4j_max_pool_size connections. Rather than let every request grab for one (and fail after the
# driver's acquisition timeout as an unexpected error), transactions pass a gate with as many places as the pool:
# up to neo4j_admission_queue more wait their turn, each at most neo4j_admission_wait_seconds; past either bound
# the request is refused at once with UNAVAILABLE and a retry time, so overload sheds load instead of failing.
# Lock and transaction timeouts, deadlocks that outlived the driver's retries and other transient errors are
# retryable too: UNAVAILABLE with extensions.retryAfterSeconds, never INTERNAL.

#: Neo4j status codes that mean "try again later" although they are not transient errors.
RETRYABLE_CODES = frozenset(
    {
        "Neo.ClientError.Transaction.TransactionTimedOut",
        "Neo.ClientError.Transaction.TransactionTimedOutClientConfiguration",
        "Neo.ClientError.Transaction.LockClientStopped",
        "Neo.ClientError.Transaction.LockAcquisitionTimeout",
    }
)


def is_retryable_timeout(exc: Neo4jError) -> bool:
    """A lock or transaction timeout, a deadlock or another transient condition (after the driver's retries)."""
    code = exc.code or ""
    return code.startswith("Neo.TransientError.") or code in RETRYABLE_CODES


def busy(message: str, retry_after: float) -> UnavailableError:
    """UNAVAILABLE with ``extensions.retryAfterSeconds``: the client should retry after that long."""
    return UnavailableError(message, retry_after_seconds=retry_after)


class AdmissionGate:
    """At most ``capacity`` transactions at once; up to ``queue_limit`` more wait, each at most ``wait`` seconds."""

    #: Bounds of the retry time given to a refused request, in seconds.
    RETRY_MIN, RETRY_MAX = 1, 60

    def __init__(self, capacity: int, queue_limit: int, wait: float) -> None:
        self.capacity = capacity
        self.queue_limit = queue_limit
        self.wait = wait
        self.waiting = 0
        self.mean_seconds = 0.05  # moving average of how long a transaction holds its place
        self._slots = asyncio.Semaphore(capacity)

    def retry_after(self) -> float:
        """Seconds after which a refused request may retry: about the time the queue ahead of it takes to drain."""
        drain = (self.waiting / self.capacity + 1) * self.mean_seconds
        return float(min(self.RETRY_MAX, max(self.RETRY_MIN, math.ceil(drain))))

    @asynccontextmanager
    async def admit(self) -> AsyncIterator[None]:
        if self._slots.locked() or self.waiting:
            if self.waiting >= self.queue_limit:
                raise busy("The server is overloaded; try again shortly.", self.retry_after())
            self.waiting += 1
            try:
                await asyncio.wait_for(self._slots.acquire(), self.wait)
            except TimeoutError:
                raise busy("The server is overloaded; try again shortly.", self.retry_after()) from None
            finally:
                self.waiting -= 1
        else:
            await self._slots.acquire()
        started = time.monotonic()
        try:
            yield
        finally:
            self._slots.release()
            self.mean_seconds = 0.9 * self.mean_seconds + 0.1 * (time.monotonic() - started)


def _causes(exc: BaseException | None) -> Iterator[BaseException]:
    """The exception and what caused it (``__cause__``, else ``__context__``), outermost first."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = exc.__cause__ or exc.__context__


def _is_connectivity_error(exc: BaseException) -> bool:
    """A failure to reach Neo4j (worth a probe), not our own refusal (``AppError``: the gate's ``busy``),
    not a full pool (overload) and not a bare timeout (a slow answer; ``TimeoutError`` is an ``OSError``)."""
    for cause in _causes(exc):
        if isinstance(cause, (AppError, ConnectionPoolError)):
            return False
        if isinstance(cause, (ServiceUnavailable, SessionExpired)) or (
            isinstance(cause, OSError) and not isinstance(cause, TimeoutError)
        ):
            return True
    return False


#: OS errors that mean Neo4j is definitely not there: refused, reset or unreachable (never a timeout).
_DEAD_ERRNOS = frozenset(
    {
        errno.ECONNREFUSED,
        errno.ECONNRESET,
        errno.ECONNABORTED,
        errno.EPIPE,
        errno.EHOSTUNREACH,
        errno.ENETUNREACH,
        errno.EHOSTDOWN,
        errno.ENETDOWN,
    }
)


def _is_auth_refusal(exc: BaseException) -> bool:
    """Neo4j refused our credentials, or refuses to check them for a while after too many failures."""
    return isinstance(exc, AuthError) or (
        isinstance(exc, Neo4jError) and exc.code == "Neo.ClientError.Security.AuthenticationRateLimit"
    )


def _is_definite_failure(exc: BaseException | None) -> bool:
    """A probe's failure that proves Neo4j unusable: the connection was refused, reset or unreachable, or
    our credentials were refused. A timeout (``ServiceUnavailable("Timed out ...")`` from a slow connect or
    handshake, or the probe's own bound) proves nothing: a CPU-starved server is slow, not down."""
    for cause in _causes(exc):
        if _is_auth_refusal(cause):
            return True
        if isinstance(cause, TimeoutError):
            return False
        if isinstance(cause, OSError) and cause.errno in _DEAD_ERRNOS:
            return True
    return False


PING = "RETURN 1 AS ok"


async def _ping(tx: AsyncManagedTransaction) -> bool:
    return bool((await run(tx, PING))[0]["ok"])


# --- Outage breaker (ops): answer at once while Neo4j is known down -------------------------------------------
class OutageBreaker:
    """Remembers that Neo4j is down, so requests answer ``UNAVAILABLE`` at once and recovery needs no one.

    - Closed (normal): calls go through. A call still running ``suspect_after`` seconds after the admission
      gate let it in (time spent queueing is overload, not a sign), or one that failed to connect or had
      our credentials refused, starts a probe (one at a time). A refusal of our own (the gate's) never does.
    - A probe asks Neo4j over a driver of its own (one connection, checked on every use). Two definite
      failures in a row (connection refused, reset or unreachable; credentials refused) open the breaker;
      a timeout never does, the probe's own included: a slow or CPU-starved server is not a dead one.
    - Open: calls fail at once with ``UNAVAILABLE`` and ``extensions.retryAfterSeconds``, and calls that
      were waiting are cut short the same way (as ``asyncio.timeout`` does: cancel, then uncancel). The
      probe asks again every ``probe_interval`` seconds; once Neo4j accepts a connection and our
      credentials (a local server opens Bolt before its password is set), the breaker closes. The API's
      pool is not purged: the driver drops a pooled connection it finds closed when it hands it out, and a
      call that still meets a dead one is retried on a new connection by its managed transaction.
    """

    def __init__(
        self,
        probe_driver: AsyncDriver | None,
        *,
        probe_interval: float = 1.0,
        suspect_after: float = 1.0,
        probe_timeout: float = 2.0,
    ) -> None:
        self._probe_driver = probe_driver
        self.probe_interval = probe_interval
        self.suspect_after = suspect_after
        self.probe_timeout = probe_timeout
        self.down_since: float | None = None
        self._watches: set[_Watch] = set()
        self._probe: asyncio.Task[None] | None = None

    @classmethod
    def for_target(cls, settings: Settings, *, uri: str, password: str) -> OutageBreaker:
        probe_driver = AsyncGraphDatabase.driver(
            uri,
            auth=(settings.neo4j_username, password),
            max_connection_pool_size=1,
            connection_timeout=settings.neo4j_probe_timeout_seconds,
            connection_acquisition_timeout=settings.neo4j_probe_timeout_seconds,
            liveness_check_timeout=0,
        )
        return cls(
            probe_driver,
            probe_interval=settings.neo4j_down_probe_seconds,
            suspect_after=settings.neo4j_suspect_after_seconds,
            probe_timeout=settings.neo4j_probe_timeout_seconds,
        )

    @property
    def is_open(self) -> bool:
        return self.down_since is not None

    def unavailable(self) -> UnavailableError:
        return UnavailableError(
            "The database is unreachable right now; try again shortly.", retry_after_seconds=self.probe_interval
        )

    def watch(self) -> _Watch:
        """Context of one database call: refused at once while open, cut short if the breaker opens."""
        return _Watch(self)

    def suspect(self) -> None:
        """Something looks wrong: start a probe unless one is running."""
        if self._probe_driver is None:
            return
        loop = asyncio.get_running_loop()
        if self._probe is None or self._probe.done() or self._probe.get_loop() is not loop:
            # A context of its own: the probe outlives the request that started it (and its request id).
            self._probe = loop.create_task(self._run_probe(), name="neo4j-outage-probe", context=contextvars.Context())

    async def _run_probe(self) -> None:
        if not self.is_open:
            for _ in range(2):
                failure = await self._ask(self._probe_driver)
                if not _is_definite_failure(failure):
                    return  # it answers, or only slowly (a timeout): a busy server is not a dead one
            self._open(failure)
        while True:
            await asyncio.sleep(self.probe_interval)
            if await self._ask(self._probe_driver) is None:
                self._close()
                return

    async def _ask(self, driver: AsyncDriver | None) -> BaseException | None:
        """Open (or check) a connection and authenticate; the failure, or None when Neo4j answered."""
        if driver is None:
            return None
        try:
            await asyncio.wait_for(driver.verify_connectivity(), self.probe_timeout * 2)
        except (TimeoutError, Neo4jError, DriverError, OSError) as exc:
            return exc
        return None

    def _open(self, failure: BaseException | None = None) -> None:
        self.down_since = time.monotonic()
        log.warning(
            "Neo4j is unreachable: requests answer UNAVAILABLE until it answers again",
            reason=str(failure) if failure is not None else None,
        )
        for watch in list(self._watches):
            watch.cut()

    def _close(self) -> None:
        down_for = time.monotonic() - (self.down_since or time.monotonic())
        self.down_since = None
        log.warning("Neo4j answers again", down_seconds=round(down_for, 1))

    async def close(self) -> None:
        if self._probe is not None and not self._probe.done():
            self._probe.cancel()
            with suppress(asyncio.CancelledError, RuntimeError):
                await self._probe
        if self._probe_driver is not None:
            await self._probe_driver.close()


class _Watch:
    """One call under the breaker (see ``OutageBreaker``)."""

    __slots__ = ("breaker", "task", "cancelling", "timer", "was_cut")

    def __init__(self, breaker: OutageBreaker) -> None:
        self.breaker = breaker
        self.was_cut = False
        self.timer: asyncio.TimerHandle | None = None

    async def __aenter__(self) -> _Watch:
        if self.breaker.is_open:
            raise self.breaker.unavailable()
        task = asyncio.current_task()
        assert task is not None
        self.task = task
        self.cancelling = task.cancelling()
        self.breaker._watches.add(self)
        return self

    @asynccontextmanager
    async def admitted(self) -> AsyncIterator[None]:
        """The call got past the admission gate: from now on, still waiting after ``suspect_after`` seconds
        makes the breaker probe (time spent queueing is overload, not a sign of an outage)."""
        self.timer = asyncio.get_running_loop().call_later(self.breaker.suspect_after, self.breaker.suspect)
        try:
            yield
        finally:
            self.timer.cancel()

    def cut(self) -> None:
        if not self.was_cut:
            self.was_cut = True
            self.task.cancel()

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self.timer is not None:
            self.timer.cancel()
        self.breaker._watches.discard(self)
        if self.was_cut and self.task.uncancel() <= self.cancelling and exc_type is asyncio.CancelledError:
            raise self.breaker.unavailable() from None
        if exc is not None and (_is_connectivity_error(exc) or _is_auth_refusal(exc)):
            self.breaker.suspect()
