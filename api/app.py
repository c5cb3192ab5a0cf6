"""The Starlette application: ``/graphql``, ``/healthz``, ``/readyz``."""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
from collections.abc import Callable
from contextlib import asynccontextmanager
from datetime import timedelta

import strawberry
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

import oauth
from api import graphiql
from api.graphql_view import GraphQLView
from api.middleware import AllowListCORSMiddleware, BodySizeLimitMiddleware, RequestIdMiddleware
from api.usage import CountingView
from auth import housekeeping as sign_in_housekeeping
from auth import passwords
from auth.id_token_keys import IdTokenKey
from auth.tokens import KeyRing
from core.errors import UnavailableError
from core.logs import configure_logging, get_logger
from core.runtime import Runtime
from core.secrets import load_or_create_secret
from core.settings import Settings, get_settings
from graph.driver import Graph
from graph.local_neo4j import connection_target
from graph.migrations import apply_migrations
from health import service as health_service
from identity.messaging import build_sender, settle
from marketplace import idempotency, reconciliation
from marketplace.payments import build_provider
from oauth.pages import static_route
from partners import authorization as partners_authorization
from partners import usage as partners_usage
from quotas.storage import quota_storage
from schema.assemble import build_schema
from webhooks.dispatcher import Dispatcher

log = get_logger(__name__)

#: Longest wait at shutdown for messages still being sent in the background.
SHUTDOWN_SETTLE_SECONDS = 10.0


async def healthz(_request: Request) -> JSONResponse:
    """Liveness: the process is up and serving HTTP."""
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> JSONResponse:
    """Readiness: Neo4j reachable and every migration applied; 503 otherwise."""
    app = request.app
    readiness = await health_service.readiness(app.state.graph)
    if readiness.database_reachable and not readiness.ready and app.state.settings.migrate_on_start:
        await _migrate(app)
        readiness = await health_service.readiness(app.state.graph)
    body = {
        "status": "ready" if readiness.ready else "unavailable",
        "databaseReachable": readiness.database_reachable,
        "migrationsApplied": readiness.migrations_applied,
        "migrationsKnown": readiness.migrations_known,
    }
    return JSONResponse(body, status_code=200 if readiness.ready else 503)


async def jwks(request: Request) -> JSONResponse:
    """Public keys that verify access tokens (RFC 7517), for partner apps; old keys stay until their tokens expire.
    The RS256 key of ID tokens (auth.id_token_keys) is published beside them."""
    runtime = request.app.state.runtime
    keys = [*runtime.keyring.jwks()["keys"], *([runtime.id_token_key.public_jwk()] if runtime.id_token_key else [])]
    return JSONResponse({"keys": keys}, headers={"Cache-Control": "public, max-age=300"})


async def _migrate(app: Starlette) -> None:
    async with app.state.migration_lock:
        try:
            await apply_migrations(app.state.graph)
        except UnavailableError:
            log.warning("migrations not applied: Neo4j unreachable; /readyz stays 503 until it is")


async def reconcile_money(runtime: Runtime) -> None:
    """Money: settle or fail payments a crash left pending, purge expired idempotency keys."""
    report = reconciliation.ReconcileReport()
    try:
        report = await reconciliation.reconcile(runtime)
    except Exception:
        log.warning("payment reconciliation failed; next pass later", exc_info=True)
    settings = runtime.settings
    purged = await idempotency.purge_expired(
        runtime.graph,
        retention_seconds=settings.idempotency_key_retention_seconds,
        batch=settings.idempotency_purge_batch,
        max_batches=10,
    )
    if report.settled or report.failed or report.pending or purged:
        log.info(
            "money housekeeping",
            settled=report.settled,
            failed=report.failed,
            pending=report.pending,
            keys_purged=purged,
        )


async def purge_sign_in_records(runtime: Runtime) -> None:
    """Sign-in: delete spent login throttles, passed rate-limit windows, and old used or expired one-time codes."""
    purged = await sign_in_housekeeping.purge_expired(runtime)
    if any(purged.values()):
        log.info("sign-in housekeeping", **{f"{name}_purged": count for name, count in purged.items()})


async def purge_oauth_records(runtime: Runtime) -> None:
    """OAuth: delete expired authorization codes and expired app refresh tokens."""
    purged = await partners_authorization.purge_expired(runtime)
    if any(purged.values()):
        log.info("oauth housekeeping", **{f"{name}_purged": count for name, count in purged.items()})


#: The jobs of one housekeeping pass, each on its own: one failing does not keep the others from running.
HOUSEKEEPING_JOBS = (reconcile_money, purge_sign_in_records, purge_oauth_records)


async def housekeeping(runtime: Runtime) -> None:
    """One pass of the periodic housekeeping (every job; a failed job is logged and waits for the next pass)."""
    for job in HOUSEKEEPING_JOBS:
        try:
            await job(runtime)
        except Exception:
            log.warning("housekeeping job failed; next pass later", job=job.__name__, exc_info=True)


async def _housekeeping(runtime: Runtime, interval: float) -> None:
    """At start and every ``interval`` seconds (``payment_reconcile_interval_seconds``) until the app stops (a pass
    is skipped while the runtime's setting is 0)."""
    while True:
        if runtime.settings.payment_reconcile_interval_seconds > 0:
            await housekeeping(runtime)
        await asyncio.sleep(interval)


def _secret_key(settings: Settings, name: str, variable: str, file_name: str) -> bytes:
    """A never-rotated HMAC key: from the setting (32+ bytes; required in production), else generated under var/."""
    value = getattr(settings, name)
    if value is not None:
        key = value.get_secret_value().encode()
        if len(key) < 32:
            raise RuntimeError(f"{variable} must be at least 32 bytes long.")
        return key
    if settings.environment == "production":
        raise RuntimeError(f"Set {variable} in production (32+ random bytes); it must never change.")
    return load_or_create_secret(settings.var_dir / file_name)


def build_runtime(settings: Settings, graph: Graph) -> Runtime:
    """The services' dependencies: HMAC key, signing keys and message sender (dev: generated under var/)."""
    passwords.use_profile(settings.password_hash_profile)
    identity_key = _secret_key(settings, "identity_hmac_key", "HANOISMART_IDENTITY_HMAC_KEY", "identity-hmac-key")
    pairwise_key = _secret_key(settings, "pairwise_key", "HANOISMART_PAIRWISE_KEY", "pairwise-key")
    keys_dir = settings.keys_dir or settings.var_dir / "keys"
    keyring = KeyRing.load_or_create(keys_dir, access_ttl=timedelta(seconds=settings.access_token_ttl_seconds))
    return Runtime(
        settings=settings,
        graph=graph,
        identity_key=identity_key,
        keyring=keyring,
        sender=build_sender(settings),
        payments=build_provider(settings),
        pairwise_key=pairwise_key,
        id_token_key=IdTokenKey.load_or_create(keys_dir),
        quota_storage=quota_storage(settings.quota_storage_uri),
    )


def client_address_middleware(settings: Settings) -> list[Middleware]:
    """Behind reverse proxies (``trusted_proxies``), the client address of a request from one of them is the
    right-most X-Forwarded-For entry that is not a trusted proxy (uvicorn's ProxyHeadersMiddleware); any
    other request keeps its TCP peer, so a client cannot choose its own address. Each entry is passed as its
    network (``10.0.0.1/8`` -> ``10.0.0.0/8``; an address -> ``/32`` or ``/128``): uvicorn takes an entry that
    is not a strict network for a host name, which would never match."""
    trusted = [
        str(ipaddress.ip_network(entry.strip(), strict=False))
        for entry in settings.trusted_proxies.split(",")
        if entry.strip()
    ]
    return [Middleware(ProxyHeadersMiddleware, trusted_hosts=trusted)] if trusted else []


def create_app(
    settings: Settings | None = None,
    *,
    schema: strawberry.Schema | None = None,
    on_shutdown: Callable[[], None] | None = None,
) -> Starlette:
    """Build the ASGI app. Tests pass their own settings (and may pass a schema). ``on_shutdown`` (blocking,
    run in a thread) runs last in the lifespan's shutdown: ``serve`` stops the Neo4j it started there."""
    settings = settings or get_settings()
    configure_logging(settings)

    @asynccontextmanager
    async def lifespan(app: Starlette):
        uri, password = connection_target(settings)
        app.state.graph = Graph.connect(settings, uri=uri, password=password)
        app.state.runtime = build_runtime(settings, app.state.graph)
        app.state.migration_lock = asyncio.Lock()
        if settings.migrate_on_start:
            await _migrate(app)
        housekeeping_task = None
        if settings.payment_reconcile_interval_seconds > 0:
            housekeeping_task = asyncio.create_task(
                _housekeeping(app.state.runtime, settings.payment_reconcile_interval_seconds), name="housekeeping"
            )
        usage_task = asyncio.create_task(  # partners' usage counts, from memory to the graph (partners.usage)
            partners_usage.flush_periodically(app.state.usage, app.state.graph, settings.usage_flush_interval_seconds),
            name="usage-flush",
        )
        # Webhooks: the dispatcher sends the deliveries queued by committed changes (paused while its interval is 0).
        app.state.webhook_dispatcher = Dispatcher(app.state.runtime)
        dispatcher_task = asyncio.create_task(app.state.webhook_dispatcher.run(), name="webhook-dispatcher")
        log.info("API ready", neo4j=uri, database=settings.neo4j_database)
        try:
            yield
        finally:
            if housekeeping_task is not None:
                housekeeping_task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await housekeeping_task
            usage_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await usage_task
            try:  # the counts of the last interval, for a bounded time
                await asyncio.wait_for(app.state.usage.flush(app.state.graph), SHUTDOWN_SETTLE_SECONDS)
            except Exception:
                log.warning("usage counts not flushed at shutdown", exc_info=True)
            dispatcher_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await dispatcher_task
            try:
                try:  # its HTTP client: a failure here must not keep Neo4j open or skip on_shutdown
                    await app.state.webhook_dispatcher.close()
                except Exception:
                    log.warning("webhook dispatcher's HTTP client not closed cleanly", exc_info=True)
                # Messages sent in the background (password reset codes) go out first, for a bounded time: a hung or
                # failing sender must not keep Neo4j open or skip on_shutdown.
                try:
                    await asyncio.wait_for(settle(), SHUTDOWN_SETTLE_SECONDS)
                except Exception:
                    log.warning("background messages not all sent at shutdown", exc_info=True)
                await app.state.graph.close()
            finally:
                if on_shutdown is not None:
                    await asyncio.to_thread(on_shutdown)

    view = GraphQLView(schema or build_schema(settings), settings)
    app = Starlette(
        routes=[
            Route("/graphql", CountingView(view)),  # partners' usage counts (api.usage)
            Route(graphiql.STATIC_PATH + "/{name}", graphiql.asset, methods=["GET"]),
            Route("/healthz", healthz, methods=["GET"]),
            Route("/readyz", readyz, methods=["GET"]),
            Route("/.well-known/jwks.json", jwks, methods=["GET"]),
            *oauth.routes(),
            static_route(),
        ],
        middleware=[
            *client_address_middleware(settings),
            Middleware(RequestIdMiddleware),
            Middleware(AllowListCORSMiddleware, allowed_origins=settings.cors_allowed_origins),
            Middleware(BodySizeLimitMiddleware, max_bytes=settings.max_body_bytes),
        ],
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.usage = partners_usage.UsageCounter()
    return app
