"""``/graphql``: GraphQL over HTTP (GraphQL-over-HTTP specification) with Strawberry on Starlette.

- GET runs queries only (a mutation over GET is 405 with ``Allow: POST``); POST takes JSON.
- Every HTTP-level refusal (bad JSON, no query, unsupported content type, ...) is a JSON body
  ``{"errors": [{"message", "extensions": {"code": "BAD_REQUEST"}}]}`` with a 4xx status.
- A client that accepts ``application/graphql-response+json`` gets that media type, and a 400 when
  the document could not even be validated (no ``data``), as the specification says; the legacy
  ``application/json`` keeps 200 for GraphQL errors.
- Browsers (``Accept: text/html``) get GraphiQL.
- Persisted documents (GraphQL-over-HTTP draft): a partner app may send ``{"documentId": "sha256:<hex>",
  "variables", "operationName"}`` (POST, or GET parameters) to run an operation it registered
  (``partners.operations``); an app marked ``persistedOnly`` must. A refusal is a 400 before anything runs:
  ``PERSISTED_DOCUMENT_REQUIRED`` (a raw query from a persisted-only app) or ``PERSISTED_DOCUMENT_NOT_FOUND`` (an
  unknown, deleted or another app's document id, or a document id from a caller that is not an app).
- Rate limits (``quotas.requests``): a request is counted once its caller is known, a refused token (401) in its
  address's window; 429 ``RATE_LIMITED`` over a window; a query-cost 429 carries its budget's ``RateLimit-*``. A
  dependency away before anything ran (the limits' storage, Neo4j reading a persisted document) is 503
  ``UNAVAILABLE`` with ``Retry-After``, never a 500.
"""

from __future__ import annotations

import json
import math
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from cross_web import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.schema.exceptions import InvalidOperationTypeError
from strawberry.types import ExecutionResult
from strawberry.types.unset import UNSET

from api import decoding, graphiql
from api.context import RequestContext
from api.errors import format_error
from auth import app_tokens
from auth import sessions as auth_sessions
from auth.viewer import ANONYMOUS, Viewer
from core.errors import AppError, UnauthenticatedError, UnavailableError
from core.i18n import negotiate, translate
from core.logs import get_logger
from core.settings import Settings
from partners import app_access
from partners import operations as persisted
from quotas import requests as requests_quota

log = get_logger(__name__)

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"

#: The ``documentId`` of the request body or parameters being decoded (``parse_json``/``parse_query_params`` see the
#: raw object; ``parse_http_body`` sets and resets it around them, so it never outlives one decoding).
_DOCUMENT_ID: ContextVar[object] = ContextVar("document_id", default=None)
_NO_DOCUMENT_ID = object()


@dataclass
class DocumentRequest(GraphQLRequestData):
    """A request naming a persisted document (``documentId``) instead of, or beside, a ``query``."""

    document_id: object = None


def http_error(
    status: int, message: str, code: str = "BAD_REQUEST", headers: dict | None = None, extensions: dict | None = None
) -> Response:
    body = decoding.encode_json({"errors": [{"message": message, "extensions": {"code": code, **(extensions or {})}}]})
    return Response(body, status, headers=headers, media_type="application/json")


def _in_language(error: AppError, request: Request) -> str:
    """The message of an error refused before GraphQL runs, in the caller's language (``Accept-Language``)."""
    return translate(error.template, error.params, negotiate(request.headers.get("accept-language")))


class GraphQLView(GraphQL[RequestContext, None]):
    """Strawberry's ASGI view with our context, error format and HTTP semantics."""

    def __init__(self, schema, settings: Settings) -> None:
        super().__init__(
            schema,
            graphql_ide="graphiql" if settings.graphiql_enabled else None,
            allow_queries_via_get=True,
            subscription_protocols=(),
        )
        self.settings = settings
        config = self.schema.config
        #: Whether a POST can only ever be one operation answered with one result (``run``): no streaming transport,
        #: no incremental delivery (@defer/@stream), no batches.
        self.single_results = not (
            self._stream_transport_map or config.enable_experimental_incremental_execution or config.batching_config
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            response: Response = http_error(400, "Only HTTP requests are served at this path.")
            await response(scope, receive, send)
            return
        request = Request(scope, receive)
        address = request.client.host if request.client else None
        try:
            request.state.viewer = await self._viewer(request)
        except UnauthenticatedError as exc:
            # A refused token counts in its address's window like an anonymous request (each costs a token check),
            # so a stream of revoked or expired tokens is rate limited too: 429 once the window is full.
            refused = await self._admit(request, ANONYMOUS, address)
            if isinstance(refused, Response):
                response = refused
            else:
                response = self._unauthenticated(_in_language(exc, request))
                response.headers.update(refused.window.headers())
            await response(scope, receive, send)
            return
        except UnavailableError as exc:
            await self._unavailable(request, exc)(scope, receive, send)
            return
        # Rate limits (quotas.requests): counted before anything of the request runs; every answer from here on
        # carries the tightest window's RateLimit-* headers.
        admitted = await self._admit(request, request.state.viewer, address)
        if isinstance(admitted, Response):
            await admitted(scope, receive, send)
            return
        admission = admitted
        try:
            response = await self.run(request)
        except HTTPException as exc:
            response = self._refusal(request, exc)
        except persisted.PersistedDocumentError as exc:  # before anything ran (``execute_single``)
            response = http_error(400, _in_language(exc, request), code=exc.code)
        except UnavailableError as exc:  # before anything ran: the persisted document could not be read (Neo4j)
            response = self._unavailable(request, exc)
        else:
            self._negotiate(request, response)
            if getattr(request.state, "withhold_answer", False):
                # The access log could not record what the answer discloses (schema.access_log.AccessLogWriter):
                # the result is UNAVAILABLE with no data, and the status says so (fail closed).
                response.status_code = 503
            if getattr(request.state, "over_budget", False):  # the caller's query-cost budget is spent (schema.cost)
                response.status_code = 429
            retry_after = getattr(request.state, "retry_after_seconds", None)
            if retry_after is not None:  # RATE_LIMITED / UNAVAILABLE: RFC 9110 Retry-After, whole seconds
                response.headers["Retry-After"] = str(max(1, math.ceil(retry_after)))
        # The refusal's own window: a query-cost refusal carries the budget's figures (remaining 0, its reset), so
        # a client honouring the headers waits; any other answer the tightest request window's.
        budget_window = getattr(request.state, "over_budget_window", None)
        response.headers.update((budget_window or admission.window).headers())
        await response(scope, receive, send)

    async def run(self, request: Any, context: Any = UNSET, root_value: Any = UNSET) -> Any:
        """Strawberry's ``run`` for a POST (nearly every request), when it can only be one operation with one
        result (``single_results``): its steps for that case, in its order, without its checks of what cannot happen
        then (a websocket, the IDE, a streamed, incremental or batched result: about a twentieth of a
        ``{ __typename }``, a protocol check costing as much as the rest). Anything else runs Strawberry's own."""
        if request.method != "POST" or not self.single_results or context is not UNSET or root_value is not UNSET:
            return await super().run(request, context, root_value)
        request_adapter = self.request_adapter_class(request)
        sub_response = await self.get_sub_response(request)
        context = await self.get_context(request, response=sub_response)
        try:
            request_data = await self.parse_http_body(request_adapter)
        except json.JSONDecodeError as e:
            raise HTTPException(400, "Unable to parse request body as JSON") from e
        except KeyError as e:
            raise HTTPException(400, "File(s) missing in form data") from e
        if isinstance(request_data, list):  # refused while parsing when batching is off (single_results): a safety net
            raise HTTPException(400, "Send one operation per request: batches are not accepted.")
        # The root value is None: this view does not override Strawberry's get_root_value (whose answer is None).
        result = await self.execute_single(request, request_adapter, sub_response, context, None, request_data)
        if not isinstance(result, ExecutionResult):  # a streamed or incremental result: never with single_results
            raise HTTPException(400, "This operation would answer with a stream; this endpoint answers once.")
        response_data = await self.process_result(request=request, result=result)
        if result.errors:
            self._handle_errors(result.errors, response_data)
        return self.create_response(response_data=response_data, sub_response=sub_response)

    async def _admit(
        self, request: Request, viewer: Viewer, address: str | None
    ) -> requests_quota.Admission | Response:
        """Count the request in ``viewer``'s request windows: the admission, or the answer that refuses it (429
        RATE_LIMITED when a window is full; 503 UNAVAILABLE when the windows' storage fails: fail closed, as the
        limits would otherwise be off while it is away)."""
        try:
            admission = await requests_quota.admit(request.app.state.runtime, viewer, address)
        except Exception as exc:  # the limits storage (Redis down, ...): logged, answered 503 with Retry-After
            log.error("rate-limit storage failed; request refused", error=repr(exc), exc_info=True)
            return self._unavailable(request, requests_quota.storage_unavailable())
        request.state.rate_limit = admission  # the tightest window, and whether it refused (usage counts 429s)
        if admission.allowed:
            return admission
        refusal = admission.refusal()
        return http_error(
            429,
            _in_language(refusal, request),
            code=refusal.code,
            headers={"Retry-After": str(math.ceil(refusal.retry_after_seconds)), **admission.window.headers()},
            extensions=refusal.extensions,
        )

    @staticmethod
    def _unavailable(request: Request, exc: UnavailableError) -> Response:
        """503 UNAVAILABLE with ``Retry-After`` (whole seconds; 5 when the error names no wait)."""
        retry_after = math.ceil(exc.extensions.get("retryAfterSeconds", 5))
        return http_error(
            503,
            _in_language(exc, request),
            code=exc.code,
            headers={"Retry-After": str(max(1, retry_after))},
            extensions=exc.extensions,
        )

    async def _viewer(self, request: Request) -> Viewer:
        """The caller of a request: anonymous without a token; a bad token is refused outright, so a
        client never mistakes an expired session for an anonymous view of the data."""
        header = request.headers.get("authorization")
        if not header:
            return ANONYMOUS
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise UnauthenticatedError("Send the access token as `Authorization: Bearer <accessToken>`.")
        token = token.strip()
        if app_tokens.is_app_token(token):  # a partner app's token (typ at+jwt): partners.app_access
            return await app_access.viewer_from_app_token(request.app.state.runtime, token)
        return await auth_sessions.viewer_from_token(request.app.state.runtime, token)

    @staticmethod
    def _unauthenticated(message: str) -> Response:
        return http_error(
            401,
            message,
            code="UNAUTHENTICATED",
            headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
        )

    def _refusal(self, request: Request, exc: HTTPException) -> Response:
        if exc.status_code == 405:
            return http_error(405, exc.reason, headers={"Allow": "GET, POST"})
        cause = exc.__cause__
        if isinstance(cause, InvalidOperationTypeError) and request.method == "GET":
            return http_error(
                405, "Mutations are not allowed over GET; send them with POST.", headers={"Allow": "POST"}
            )
        return http_error(exc.status_code, exc.reason)

    def _negotiate(self, request: Request, response: Response) -> None:
        if response.media_type != "application/json" and response.headers.get("content-type", "").find("json") < 0:
            return  # GraphiQL's HTML
        accept = request.headers.get("accept", "")
        if GRAPHQL_RESPONSE_JSON in accept and "application/json" not in accept.split(GRAPHQL_RESPONSE_JSON)[0]:
            response.headers["content-type"] = GRAPHQL_RESPONSE_JSON + "; charset=utf-8"
            if getattr(request.state, "graphql_request_error", False):
                response.status_code = 400

    async def execute_single(
        self,
        request: Request,
        request_adapter: Any,
        sub_response: Response,
        context: RequestContext,
        root_value: None,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        """Persisted documents: a ``documentId`` runs the document the app registered under it; a raw ``query``
        from a ``persistedOnly`` app is refused (``partners.operations``)."""
        if isinstance(request_data, DocumentRequest):
            if request_data.query is not None:
                raise HTTPException(400, "Send either a `query` or a `documentId`, not both.")
            document = await persisted.registered_document(context.runtime, context.viewer, request_data.document_id)
            request.state.persisted_document_id = request_data.document_id
            request_data = GraphQLRequestData(
                query=document,
                variables=request_data.variables,
                operation_name=request_data.operation_name,
                extensions=request_data.extensions,
                protocol=request_data.protocol,
            )
        elif request_data.query is not None and (refusal := persisted.raw_query_refusal(context.viewer)):
            raise refusal
        return await super().execute_single(
            request=request,
            request_adapter=request_adapter,
            sub_response=sub_response,
            context=context,
            root_value=root_value,
            request_data=request_data,
        )

    async def render_graphql_ide(self, request: Request) -> Response:
        return graphiql.page(self.settings)  # local files, no CDN (api/graphiql.py)

    async def get_context(self, request: Request | WebSocket, response: Response | WebSocket) -> RequestContext:
        if not isinstance(request, Request) or not isinstance(response, Response):  # __call__ serves HTTP only
            raise TypeError("GraphQL is served over HTTP only.")
        return RequestContext(
            request=request,
            response=response,
            request_id=request.state.request_id,
            settings=self.settings,
            runtime=request.app.state.runtime,
            viewer=request.state.viewer,
            language=negotiate(request.headers.get("accept-language")),
        )

    async def process_result(self, request: Request, result: ExecutionResult) -> GraphQLHTTPResponse:
        payload: GraphQLHTTPResponse = {}
        request_error = result.data is None and bool(result.errors) and all(not e.path for e in result.errors or ())
        if not request_error:
            payload["data"] = result.data
        if result.errors:
            hide = not self.settings.introspection_enabled
            request_id = request.state.request_id
            language = negotiate(request.headers.get("accept-language"))
            errors = [format_error(e, request_id, hide_suggestions=hide, language=language) for e in result.errors]
            payload["errors"] = list(errors)
            waits = [
                e["extensions"]["retryAfterSeconds"]
                for e in errors
                if isinstance(e.get("extensions", {}).get("retryAfterSeconds"), (int, float))
            ]
            request.state.retry_after_seconds = max(waits) if waits else None
        if result.extensions:
            payload["extensions"] = result.extensions
        request.state.graphql_request_error = request_error
        # partners' usage counts (api.usage): whether the answer carries errors, one of them RATE_LIMITED
        request.state.graphql_errors = bool(result.errors)
        request.state.graphql_rate_limited = any(
            isinstance(e, dict) and (e.get("extensions") or {}).get("code") == "RATE_LIMITED"
            for e in payload.get("errors") or ()
        )
        return payload

    # --- strict request decoding (api/decoding.py): junk is a 400 that says what is wrong -------------
    def encode_json(self, data: object) -> bytes:
        return decoding.encode_json(data)

    def parse_json(self, data: str | bytes) -> Any:
        """The POST body: a JSON object (an array is a batch, refused by Strawberry)."""
        value = self._decode(data)
        if not isinstance(value, (dict, list)):
            raise HTTPException(
                400,
                f'The request body must be a JSON object such as {{"query": "{{ version {{ api }} }}"}}, '
                f"not {decoding.describe(value)}.",
            )
        if isinstance(value, dict) and "documentId" in value:
            _DOCUMENT_ID.set(value["documentId"])
        return value

    def parse_query_params(self, params) -> dict[str, Any]:
        """GET: ``variables`` and ``extensions`` are JSON (Strawberry checks they are objects or null)."""
        parsed = dict(params)
        for key in ("variables", "extensions"):
            if parsed.get(key):
                parsed[key] = self._decode(parsed[key])
        if "documentId" in parsed:
            _DOCUMENT_ID.set(parsed["documentId"])
        return parsed

    async def parse_http_body(self, request):
        reading = _DOCUMENT_ID.set(_NO_DOCUMENT_ID)
        try:
            parsed = await self._json_post(request) or await super().parse_http_body(request)
            document_id = _DOCUMENT_ID.get()
        finally:
            _DOCUMENT_ID.reset(reading)
        if document_id is not _NO_DOCUMENT_ID and not isinstance(parsed, list):
            parsed = DocumentRequest(
                query=parsed.query,
                variables=parsed.variables,
                operation_name=parsed.operation_name,
                extensions=parsed.extensions,
                protocol=parsed.protocol,
                document_id=document_id,
            )
        for data in parsed if isinstance(parsed, list) else [parsed]:
            if not isinstance(data.operation_name, (str, type(None))):
                raise HTTPException(400, "The GraphQL operation's `operationName` must be a string or null.")
            try:
                decoding.check_document(data.query)
                if data.operation_name is not None:
                    decoding.check_text(data.operation_name, "operationName")
            except decoding.RequestRefused as exc:
                raise HTTPException(400, exc.message) from exc
        return parsed

    async def _json_post(self, request: Any) -> GraphQLRequestData | None:
        """Strawberry's ``parse_http_body`` for its most common case, a POST of ``application/json`` (exactly, with
        or without parameters) holding one JSON object, when no streaming transport is served: the same checks and
        result, without parsing the content type's parameters with ``email.message`` nor looking for a streaming
        transport in the headers (a tenth of a ``{ __typename }``). None for anything else (Strawberry's own)."""
        if request.method != "POST" or not self.single_results:
            return None
        content_type = request.content_type or ""
        if content_type.partition(";")[0].strip() != "application/json":
            return None
        data = self.parse_json(await request.get_body())
        if not isinstance(data, dict):
            return None  # a batch: Strawberry's own (the body is read once: Starlette keeps it)
        query, variables, extensions = data.get("query"), data.get("variables"), data.get("extensions")
        if not isinstance(query, (str, type(None))):
            raise HTTPException(400, "The GraphQL operation's `query` must be a string or null, if provided.")
        if not isinstance(variables, (dict, type(None))):
            raise HTTPException(400, "The GraphQL operation's `variables` must be an object or null, if provided.")
        if not isinstance(extensions, (dict, type(None))):
            raise HTTPException(400, "The GraphQL operation's `extensions` must be an object or null, if provided.")
        return GraphQLRequestData(
            query=query,
            variables=variables,
            operation_name=data.get("operationName"),
            extensions=extensions,
            protocol="http",
        )

    @staticmethod
    def _decode(data: str | bytes) -> Any:
        try:
            return decoding.decode_json(data)
        except decoding.RequestRefused as exc:
            raise HTTPException(400, exc.message) from exc
        except json.JSONDecodeError as exc:
            raise HTTPException(400, f"Unable to parse the request as JSON: {exc.msg} at offset {exc.pos}.") from exc
