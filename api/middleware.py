"""Pure-ASGI middleware: request ids with access logs, a request body size limit, and CORS."""

from __future__ import annotations

import asyncio
import re
import time
import uuid
from collections.abc import Callable

import structlog
from starlette.datastructures import Headers, MutableHeaders
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core.errors import AppError
from core.logs import get_logger
from partners import origins as partner_origins

log = get_logger("api.access")
errors_log = get_logger("api.errors")

REQUEST_ID_HEADER = "X-Request-ID"
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")


class RequestIdMiddleware:
    """Gives every request an id (the caller's ``X-Request-ID`` when well-formed), binds it to every
    log line of the request, returns it in the response header and writes one access-log line.

    It is also where an exception nothing else caught ends: logged with the request id and answered
    500 ``INTERNAL`` with the id in the body and the header (Starlette's own last-resort handler sits
    outside this middleware, where neither the id nor its log context exist any more)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = Headers(scope=scope).get(REQUEST_ID_HEADER, "")
        request_id = incoming if _VALID_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        # A copy per request (as uvicorn makes of the lifespan state), so nothing set on request.state leaks
        # into another request, even under a server or test harness that passes one shared dict.
        scope["state"] = {**scope.get("state", {}), "request_id": request_id}
        status = 500
        started = time.perf_counter()
        response_started = False

        async def send_with_id(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                status = message["status"]
                response_started = True
                MutableHeaders(scope=message).append(REQUEST_ID_HEADER, request_id)
            await send(message)

        with structlog.contextvars.bound_contextvars(request_id=request_id):
            try:
                await self.app(scope, receive, send_with_id)
            except Exception as exc:
                errors_log.error("unhandled error outside GraphQL", exc_info=exc)
                if response_started:
                    raise
                await internal_error(request_id)(scope, receive, send_with_id)
            finally:
                log.info(
                    "request",
                    method=scope["method"],
                    path=scope["path"],
                    status=status,
                    ms=round((time.perf_counter() - started) * 1000, 1),
                )


def internal_error(request_id: str) -> JSONResponse:
    return JSONResponse(
        {
            "errors": [
                {"message": "Internal server error.", "extensions": {"code": "INTERNAL", "requestId": request_id}}
            ]
        },
        status_code=500,
    )


class _BodyTooLarge(Exception):
    pass


class BodySizeLimitMiddleware:
    """Refuses request bodies over ``max_bytes`` with 413, by Content-Length or while streaming."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    def _refusal(self) -> JSONResponse:
        return JSONResponse(
            {
                "errors": [
                    {
                        "message": f"The request body exceeds {self.max_bytes} bytes.",
                        "extensions": {"code": "PAYLOAD_TOO_LARGE"},
                    }
                ]
            },
            status_code=413,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._refusal()(scope, receive, send)
            return
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise _BodyTooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except _BodyTooLarge:
            if not started:
                await self._refusal()(scope, receive, send)


#: How long the allowed origins of partner apps are trusted before they are read again (a change made in this
#: process is seen at once: ``partners.origins.changed``).
PARTNER_ORIGINS_TTL_SECONDS = 5.0


class PartnerOrigins:
    """The allowed origins of active public clients (``partners.origins``), cached: a request from an origin the
    cache knows costs no read; the cache is read again (once, whatever the number of requests waiting) when it is
    older than ``ttl`` seconds or an app changed in this process, and an unknown origin is looked for only then."""

    def __init__(self, ttl: float = PARTNER_ORIGINS_TTL_SECONDS, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl
        self.clock = clock
        self.origins: frozenset[str] = frozenset()
        self.loaded_at: float | None = None
        self.generation = -1
        self.reads = 0  # how many times the graph was read (tests)
        self._lock = asyncio.Lock()

    def stale(self) -> bool:
        return (
            self.loaded_at is None
            or self.clock() - self.loaded_at > self.ttl
            or self.generation != partner_origins.generation()
        )

    async def refresh_if_stale(self, runtime) -> None:
        if not self.stale():
            return
        async with self._lock:
            if not self.stale():  # another request refreshed it meanwhile
                return
            generation = partner_origins.generation()
            try:
                self.reads += 1
                self.origins = await partner_origins.active_public_origins(runtime)
            except AppError:  # Neo4j away (UNAVAILABLE): keep what we had, try again after ttl
                errors_log.warning("partner app origins not read; CORS keeps the last known ones", exc_info=True)
            self.loaded_at, self.generation = self.clock(), generation


class AllowListCORSMiddleware(CORSMiddleware):
    """Starlette's CORS answering preflights for the configured origins and the allowed origins of active public
    (browser) partner apps (``PartnerOrigins``) only. A disallowed origin gets no CORS header at all: its
    preflight is a JSON 400, its requests pass without ``Access-Control-*`` (browsers then keep the answer from the
    page; same-origin pages, which also send ``Origin``, work)."""

    def __init__(self, app: ASGIApp, allowed_origins: list[str]) -> None:
        super().__init__(
            app,
            allow_origins=allowed_origins,
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type", "Accept", REQUEST_ID_HEADER],
            expose_headers=[
                REQUEST_ID_HEADER,
                "Retry-After",
                "WWW-Authenticate",
                "RateLimit-Limit",
                "RateLimit-Remaining",
                "RateLimit-Reset",
            ],
            max_age=600,
        )
        self.partner_origins = PartnerOrigins()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            origin = Headers(scope=scope).get("origin")
            runtime = getattr(getattr(scope.get("app"), "state", None), "runtime", None)
            if origin is not None and origin not in self.allow_origins and runtime is not None:
                await self.partner_origins.refresh_if_stale(runtime)
        await super().__call__(scope, receive, send)

    def is_allowed_origin(self, origin: str) -> bool:
        return super().is_allowed_origin(origin) or origin in self.partner_origins.origins

    def preflight_response(self, request_headers: Headers) -> Response:
        if not self.is_allowed_origin(request_headers["origin"]):
            return JSONResponse(
                {
                    "errors": [
                        {
                            "message": "Browser apps on this origin may not call the API (neither the server's "
                            "HANOISMART_CORS_ALLOWED_ORIGINS nor an active public partner app lists it).",
                            "extensions": {"code": "BAD_REQUEST"},
                        }
                    ]
                },
                status_code=400,
                headers={"Vary": "Origin"},
            )
        return super().preflight_response(request_headers)

    async def send(self, message: Message, send: Send, request_headers: Headers) -> None:
        origin = request_headers.get("origin")
        if message["type"] == "http.response.start" and origin is not None and not self.is_allowed_origin(origin):
            MutableHeaders(scope=message).append("Vary", "Origin")
            await send(message)
            return
        await super().send(message, send, request_headers)
