"""The root types, merged from each noun's parts (``schema.roots``), and the assembled Strawberry schema, with
the safety extensions of every request."""

from __future__ import annotations

import sys
from collections.abc import Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from functools import lru_cache, partial
from typing import Any

import strawberry
from graphql import (
    DocumentNode,
    GraphQLError,
    GraphQLObjectType,
    GraphQLResolveInfo,
    GraphQLSchema,
    NoSchemaIntrospectionCustomRule,
    specified_rules,
)
from graphql.validation import ASTValidationRule
from strawberry.extensions import SchemaExtension
from strawberry.extensions.max_aliases import create_validator as max_aliases_rule
from strawberry.extensions.parser_cache import _get_parse_cache
from strawberry.extensions.query_depth_limiter import create_validator as max_depth_rule
from strawberry.extensions.runner import SchemaExtensionsRunner
from strawberry.schema.config import StrawberryConfig
from strawberry.schema.schema import validate_document
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types import ExecutionContext
from strawberry.types.field import StrawberryField
from strawberry.types.fields.resolver import StrawberryResolver

from auth.viewer import Viewer
from core.settings import Settings
from schema.access_log import write_access_log
from schema.app_scope import AppResolvers, app_resolvers, app_rules
from schema.common import SCALARS, ErrorCode
from schema.communities import Community
from schema.cost import DocumentText, charge
from schema.identity import Organization
from schema.limits import check_operation_choice, max_fields_rule
from schema.roots.access_log import AccessLogQuery  # partners: accesslog
from schema.roots.app_access import AppAccessQuery  # partners: scopes
from schema.roots.communities import CommunityMutation, CommunityQuery
from schema.roots.discovery import DiscoveryQuery
from schema.roots.health import HealthQuery
from schema.roots.identity import AccountClosingMutation, IdentityMutation, IdentityQuery
from schema.roots.listings import ListingMutation, ListingQuery
from schema.roots.moderation import ModerationMutation, ModerationQuery
from schema.roots.node import NodeQuery
from schema.roots.orders import OrderMutation, OrderQuery
from schema.roots.partners import PartnerAppMutation, PartnerAppQuery  # partners: apps
from schema.roots.places import PlacesQuery
from schema.roots.quotas import QuotaQuery  # cost: rateLimit
from schema.roots.sandbox import SandboxQuery
from schema.roots.social import SocialMutation, SocialQuery
from schema.roots.usage import UsageQuery  # partners: usage
from schema.roots.wallets import WalletMutation, WalletQuery
from schema.roots.webhooks import WebhookMutation, WebhookQuery  # partners II: hooks
from schema.social import Comment, Post

# The order of the parts is the order of the fields in the schema (the first part's fields come first).


@strawberry.type(
    description=(
        "Everything that can be read. Lists are Relay connections, paged forwards (`first`/`after`) or backwards "
        "(`last`/`before`); `node`/`nodes` fetch any object by its global id."
    )
)
class Query(
    NodeQuery,
    HealthQuery,
    PlacesQuery,
    IdentityQuery,
    SocialQuery,
    DiscoveryQuery,
    CommunityQuery,
    ModerationQuery,
    WalletQuery,
    ListingQuery,
    OrderQuery,
    PartnerAppQuery,  # partners: apps
    SandboxQuery,
    AppAccessQuery,  # partners: scopes
    AccessLogQuery,  # partners: accesslog
    QuotaQuery,  # cost: rateLimit
    UsageQuery,  # partners: usage
    WebhookQuery,  # partners II: hooks
):
    pass


@strawberry.type(
    description=(
        "Everything that changes state. Each mutation is one transaction, takes one `input` and returns its own "
        "payload: mistakes of the input come back in the payload's `errors` (every one at once); a refusal of the "
        "caller (UNAUTHENTICATED, FORBIDDEN, RATE_LIMITED...) is a top-level error that nulls only that mutation."
    )
)
class Mutation(
    IdentityMutation,
    SocialMutation,
    CommunityMutation,
    ModerationMutation,
    AccountClosingMutation,
    WalletMutation,
    ListingMutation,
    OrderMutation,
    PartnerAppMutation,  # partners: apps
    WebhookMutation,  # partners II: hooks
):
    pass


def validation_rules(settings: Settings) -> tuple[type[ASTValidationRule], ...]:
    """The validation rules of every request (an app's adds ``schema.app_scope.app_rules``): graphql-core's, then
    introspection refused when it is off, then the limits.

    The limits' rules are classes built once here, not per request: the validation cache is keyed by
    (schema, document, rules), so Strawberry's ``QueryDepthLimiter``/``MaxAliasesLimiter`` extensions, which
    build a new rule class in each instance, would make every request miss it and re-run every rule."""
    introspection: tuple[type[ASTValidationRule], ...] = (
        () if settings.introspection_enabled else (NoSchemaIntrospectionCustomRule,)
    )
    limits: tuple[type[ASTValidationRule], ...] = (
        max_depth_rule(settings.max_query_depth, None),
        max_aliases_rule(settings.max_aliases),
        max_fields_rule(settings.max_fields),
    )
    return (*specified_rules, *introspection, *limits)


def _validate_cache(size: int) -> Callable[..., list[GraphQLError]]:
    """(schema, document by its text: ``schema.cost.DocumentText``, rules) -> graphql-core's validation errors, the
    last ``size`` kept."""

    @lru_cache(maxsize=size)
    def validate(schema: GraphQLSchema, document: DocumentText, rules: tuple[type[ASTValidationRule], ...]) -> Any:
        return validate_document(schema, document.document, rules)

    return validate


@dataclass(frozen=True)
class Plan:
    """What every request's pipeline shares, built once with the schema."""

    max_tokens: int
    rules: tuple[type[ASTValidationRule], ...]
    #: Strawberry's module-level LRU cache of parsed documents (its ``ParserCache`` extension's).
    parse: Callable[..., DocumentNode] = field(default_factory=lambda: _get_parse_cache(CACHE_SIZE))
    #: Validation errors by (schema, document's text, rules) (``_validate_cache``).
    validate: Callable[..., list[GraphQLError]] = field(default_factory=lambda: _validate_cache(CACHE_SIZE))


#: Documents kept parsed, and (document, rules) kept validated.
CACHE_SIZE = 512


class RequestPipeline(SchemaExtension):
    """Everything the API adds around a request's parse, validation and execution, in one object per request
    (Strawberry's own runner would wrap each of seven extensions' hooks in fresh context managers, four stages
    each, on every request: about a fifth of a ``{ __typename }``'s CPU). In order:

    - operation: the token limit for the parser (``MaxTokensLimiter``); the validation rules (``validation_rules``,
      plus ``app_fields_rule`` for a partner app: ``schema.app_scope``, default deny before execution);
    - parsing: the parse cache (``ParserCache``), then ``OperationChoice``'s check of ``operationName``;
    - validation: the validation cache (``ValidationCache``), keyed by (schema, document, rules); then the
      operation's cost on its coerced variables, its maximum and the caller's budget (``schema.cost.charge``: a
      refused operation runs no resolver; ``extensions.cost`` on every answer);
    - execution: then the access log (``AccessLogWriter``: who read my data; the answer withheld when it cannot be
      written).
    """

    def __init__(self, plan: Plan) -> None:
        super().__init__()
        self.plan = plan

    def start(self) -> None:
        context = self.execution_context
        context.parse_options["max_tokens"] = self.plan.max_tokens
        viewer = getattr(context.context, "viewer", None)
        rules = self.plan.rules
        if isinstance(viewer, Viewer) and viewer.is_app:
            rules = (*rules, *app_rules(viewer))
        context.validation_rules = rules

    def parse(self) -> None:
        context = self.execution_context
        context.graphql_document = self.plan.parse(context.query, **context.parse_options)

    def parsed(self) -> None:
        check_operation_choice(self.execution_context)

    async def validate(self) -> None:
        context = self.execution_context
        document = context.graphql_document
        assert document is not None  # parsed: a refused parse ends the request before validation
        schema, rules = context.schema._schema, context.validation_rules
        context.pre_execution_errors = (
            self.plan.validate(schema, DocumentText(context.query, document), rules)
            if context.query is not None
            else validate_document(schema, document, rules)
        )
        # The operation's cost, its maximum and the caller's budget (schema.cost): a refusal runs no resolver.
        await charge(context)

    async def executed(self) -> None:
        await write_access_log(self.execution_context)


class _Stage:
    """One stage of a request (Strawberry's runner protocol: a context manager, async or not)."""

    __slots__ = ("enter", "leave")

    def __init__(self, enter: Callable[[], None] | None, leave: Callable[[], None] | None) -> None:
        self.enter = enter
        self.leave = leave

    def __enter__(self) -> None:
        if self.enter is not None:
            self.enter()

    def __exit__(self, exc_type: type[BaseException] | None, *_: object) -> None:
        if exc_type is None and self.leave is not None:
            self.leave()

    async def __aenter__(self) -> None:
        if self.enter is not None:
            self.enter()

    async def __aexit__(self, exc_type: type[BaseException] | None, *_: object) -> None:
        if exc_type is None and self.leave is not None:
            self.leave()


class _Validating:
    """The validation stage: the validation rules, then the operation's cost against the caller's budget, which
    the ``limits`` storage counts asynchronously."""

    __slots__ = ("pipeline",)

    def __init__(self, pipeline: RequestPipeline) -> None:
        self.pipeline = pipeline

    def __enter__(self) -> None:
        raise RuntimeError("The request pipeline counts query cost asynchronously: use Schema.execute.")

    def __exit__(self, *_: object) -> None:
        pass

    async def __aenter__(self) -> None:
        await self.pipeline.validate()

    async def __aexit__(self, *_: object) -> None:
        pass


class _Executing:
    __slots__ = ("pipeline",)

    def __init__(self, pipeline: RequestPipeline) -> None:
        self.pipeline = pipeline

    def __enter__(self) -> None:
        raise RuntimeError("The request pipeline writes the access log asynchronously: use Schema.execute.")

    def __exit__(self, *_: object) -> None:
        pass

    async def __aenter__(self) -> None:
        pass

    async def __aexit__(self, exc_type: type[BaseException] | None, *_: object) -> None:
        if exc_type is None:
            await self.pipeline.executed()


class PipelineRunner(SchemaExtensionsRunner):
    """Strawberry's extension runner for the one ``RequestPipeline`` of a request (and any other extension a test
    adds, run by Strawberry's own runner, after it)."""

    def __init__(self, execution_context: ExecutionContext, extensions: list[SchemaExtension]) -> None:
        super().__init__(execution_context, extensions)
        self.pipeline = next(e for e in extensions if isinstance(e, RequestPipeline))
        others = [e for e in extensions if e is not self.pipeline]
        self.others = SchemaExtensionsRunner(execution_context, others) if others else None

    def operation(self) -> Any:
        return self._with_others(_Stage(self.pipeline.start, None), "operation")

    def parsing(self) -> Any:
        return self._with_others(_Stage(self.pipeline.parse, self.pipeline.parsed), "parsing")

    def validation(self) -> Any:
        return self._with_others(_Validating(self.pipeline), "validation")

    def executing(self) -> Any:
        return self._with_others(_Executing(self.pipeline), "executing")

    def _with_others(self, stage: Any, name: str) -> Any:
        if self.others is None:
            return stage
        return _Both(stage, getattr(self.others, name)())

    def get_extensions_results_sync(self) -> dict[str, Any]:
        found = self.others.get_extensions_results_sync() if self.others else {}
        return {**found, **self.execution_context.extensions_results}

    async def get_extensions_results(self, ctx: ExecutionContext) -> dict[str, Any]:
        if self.others:
            return await self.others.get_extensions_results(ctx)
        return dict(ctx.extensions_results)


class _Both:
    """The pipeline's stage, then other extensions' (Strawberry's own manager) inside it."""

    __slots__ = ("outer", "inner", "stack")

    def __init__(self, outer: Any, inner: Any) -> None:
        self.outer = outer
        self.inner = inner

    async def __aenter__(self) -> None:
        self.stack = AsyncExitStack()
        await self.stack.enter_async_context(self.outer)
        await self.stack.enter_async_context(self.inner)

    async def __aexit__(self, *exc: Any) -> bool | None:
        return await self.stack.__aexit__(*exc)

    def __enter__(self) -> None:
        self.outer.__enter__()
        try:
            self.inner.__enter__()
        except BaseException:
            self.outer.__exit__(*sys.exc_info())
            raise

    def __exit__(self, *exc: Any) -> None:
        try:
            self.inner.__exit__(*exc)
        finally:
            self.outer.__exit__(*exc)


class HanoiSmartSchema(strawberry.Schema):
    #: For a partner app's request: each field's resolver swapped for its app wrapper (``schema.app_scope``).
    app_middleware: AppResolvers
    #: What every request's pipeline shares (its caches: tests).
    plan: Plan

    def process_errors(self, errors, execution_context=None) -> None:
        """Errors are logged once, with the request id, by ``api.errors.format_error``."""

    def create_extensions_runner(
        self, execution_context: ExecutionContext, extensions: list[SchemaExtension]
    ) -> SchemaExtensionsRunner:
        return PipelineRunner(execution_context, extensions)

    def _get_middleware_manager(self, extensions: list[SchemaExtension]) -> Any:
        """graphql-core's resolver hook: none for a person's or anonymous request (the schema's own resolvers run),
        the app wrappers for a partner app's; and the app wrappers whenever the viewer is unknown (fail closed)."""
        viewer = None
        for extension in extensions:
            if isinstance(extension, RequestPipeline):
                viewer = getattr(extension.execution_context.context, "viewer", None)
        if isinstance(viewer, Viewer) and not viewer.is_app:
            return None
        return self.app_middleware


def _attribute(name: str) -> Callable[..., Any]:
    """A field read from its object's attribute (what Strawberry's resolver of a field without one ends in)."""

    def resolve(source: Any, _info: GraphQLResolveInfo, **_kwargs: Any) -> Any:
        return getattr(source, name)

    return resolve


def _direct(definition: StrawberryField, info_class: type[strawberry.Info]) -> Callable[..., Any]:
    """A field with a resolver and no argument: the resolver called with its object and an ``Info``, as Strawberry's
    own wrapper calls it, without the wrapper's per-call argument conversion and extension chain (none apply)."""
    resolver = definition.base_resolver
    assert resolver is not None
    call: Callable[..., Any] = resolver.wrapped_func  # type: ignore[assignment]  # bound when its type was made
    with_self = resolver.self_parameter is not None
    as_object = tuple(p.name for p in (resolver.parent_parameter, resolver.root_parameter) if p is not None)
    info_name = resolver.info_parameter.name if resolver.info_parameter is not None else None

    def resolve(source: Any, info: GraphQLResolveInfo, **_kwargs: Any) -> Any:
        kwargs = dict.fromkeys(as_object, source)
        if info_name is not None:
            kwargs[info_name] = info_class(_raw_info=info, _field=definition)
        return call(source, **kwargs) if with_self else call(**kwargs)

    return resolve


def _lean_resolvers(schema: strawberry.Schema) -> int:
    """Every field's resolver made as cheap as Strawberry's own would be without its per-call work that does not
    apply to it (the compiled reads resolve 20 items × 15 fields: that work was paid on each): a field without a
    resolver reads its attribute (``_attribute``); a field whose resolver takes no argument but its object and
    ``info`` calls it directly (``_direct``). A field with arguments, field extensions (``DutyRead``, permissions),
    a custom ``get_result`` or exception handlers keeps Strawberry's resolver. Run on the built schema before the
    partner apps' wrappers are made (``schema.app_scope.app_resolvers``, keyed by each field's resolver). Returns how
    many fields changed (tests). Refused on a schema whose wrappers exist: they are found by each field's resolver, so
    a field changed after them would skip an app's scope checks, its access log and its ids."""
    if getattr(schema, "app_middleware", None) is not None:
        raise RuntimeError("lean resolvers are made before the partner apps' wrappers (build_schema), never after")
    config = schema.config
    if config.default_resolver is not getattr:
        return 0
    changed = 0
    converter = schema.schema_converter
    for type_name, named in schema._schema.type_map.items():
        if not isinstance(named, GraphQLObjectType) or type_name.startswith("__"):
            continue
        for graphql_field in named.fields.values():
            definition = (graphql_field.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
            if (
                not isinstance(definition, StrawberryField)
                or type(definition).get_result is not StrawberryField.get_result
                or definition.extensions
                or definition.is_subscription
                or graphql_field.args
                or converter._get_field_exception_handlers(definition)
            ):
                continue
            resolver = definition.base_resolver
            if resolver is None:
                graphql_field.resolve = _attribute(definition.python_name)
            elif not definition.arguments and type(resolver) is StrawberryResolver and callable(resolver.wrapped_func):
                graphql_field.resolve = _direct(definition, config.info_class)
            else:
                continue
            changed += 1
    return changed


def build_schema(
    settings: Settings, *, query: type = Query, mutation: type | None = Mutation, lean: bool = True
) -> strawberry.Schema:
    """The schema of the API. Tests may pass a ``query`` that extends ``Query``; ``lean=False`` keeps Strawberry's
    own resolvers (``_lean_resolvers``: the A/B of ``bench/engine_probe.py --fields``)."""
    plan = Plan(max_tokens=settings.max_tokens, rules=validation_rules(settings))
    schema = HanoiSmartSchema(
        query=query,
        mutation=mutation,
        extensions=[partial(RequestPipeline, plan)],
        config=StrawberryConfig(auto_camel_case=True, scalar_map=SCALARS),
        types=[Organization, Post, Comment, Community, ErrorCode],
    )
    schema.plan = plan
    if lean:
        _lean_resolvers(schema)
    # Partner apps: scopes on every field (schema.app_scope, partners.fields), per-app person ids and sealed
    # cursors (schema.app_ids): one wrapper per field, swapped in for apps' requests only.
    schema.app_middleware = AppResolvers(app_resolvers(schema._schema))
    return schema
