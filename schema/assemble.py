"""The root types, merged from each noun's parts (``schema.roots``), and the assembled Strawberry schema, with
the safety extensions of every request."""

from __future__ import annotations

from functools import partial

import strawberry
from graphql.validation import ASTValidationRule
from strawberry.extensions import (
    AddValidationRules,
    DisableIntrospection,
    MaxTokensLimiter,
    ParserCache,
    ValidationCache,
)
from strawberry.extensions.max_aliases import create_validator as max_aliases_rule
from strawberry.extensions.query_depth_limiter import create_validator as max_depth_rule
from strawberry.schema.config import StrawberryConfig

from core.settings import Settings
from schema.access_log import AccessLogWriter
from schema.app_ids import per_app_ids
from schema.app_scope import AppScopes, guard
from schema.common import SCALARS, ErrorCode
from schema.communities import Community
from schema.identity import Organization
from schema.limits import OperationChoice, max_fields_rule
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
from schema.roots.sandbox import SandboxQuery
from schema.roots.social import SocialMutation, SocialQuery
from schema.roots.wallets import WalletMutation, WalletQuery
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
):
    pass


def extensions(settings: Settings) -> list:
    """Schema extensions as classes or factories, so each request gets fresh instances.

    The limits' validation rules are classes built once here, not per request: the validation cache is keyed by
    (schema, document, rules), so Strawberry's ``QueryDepthLimiter``/``MaxAliasesLimiter`` extensions, which
    build a new rule class in each instance, would make every request miss it and re-run every rule."""
    limits: list[type[ASTValidationRule]] = [
        max_depth_rule(settings.max_query_depth, None),
        max_aliases_rule(settings.max_aliases),
        max_fields_rule(settings.max_fields),
    ]
    chosen = [
        partial(ParserCache, maxsize=512),
        partial(ValidationCache, maxsize=512),
        partial(MaxTokensLimiter, max_token_count=settings.max_tokens),
    ]
    if not settings.introspection_enabled:
        chosen.append(DisableIntrospection)
    chosen += [partial(AddValidationRules, limits), OperationChoice]
    chosen.append(AppScopes)  # partner apps: default deny before execution (schema.app_scope)
    # Who read my data: the request's reads written before the answer leaves, or the answer withheld (503).
    chosen.append(AccessLogWriter)
    return chosen


class HanoiSmartSchema(strawberry.Schema):
    def process_errors(self, errors, execution_context=None) -> None:
        """Errors are logged once, with the request id, by ``api.errors.format_error``."""


def build_schema(settings: Settings, *, query: type = Query, mutation: type | None = Mutation) -> strawberry.Schema:
    """The schema of the API. Tests may pass a ``query`` that extends ``Query``."""
    schema = HanoiSmartSchema(
        query=query,
        mutation=mutation,
        extensions=extensions(settings),
        config=StrawberryConfig(auto_camel_case=True, scalar_map=SCALARS),
        types=[Organization, Post, Comment, Community, ErrorCode],
    )
    per_app_ids(schema._schema)  # partner apps: per-app person ids, sealed cursors (schema.app_ids); then guarded
    guard(schema._schema)  # partner apps: scopes on every field (schema.app_scope, partners.fields)
    return schema
