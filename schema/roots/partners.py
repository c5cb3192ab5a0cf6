"""Root fields of the partner platform's apps and people's grants."""

from __future__ import annotations

import strawberry

from resolvers import operations as operation_resolvers
from resolvers import partners as partner_resolvers
from schema.partners import (
    AppApprovePayload,
    AppConnection,
    AppCreatePayload,
    AppOperationDeletePayload,
    AppOperationRegisterPayload,
    AppPersonaCreatePayload,
    AppReinstatePayload,
    AppSuspendPayload,
    AppUpdatePayload,
    ClientSecretRotatePayload,
    GrantConnection,
    GrantRevokePayload,
)


@strawberry.type
class PartnerAppQuery:
    """Query fields of partner apps and grants; merged into the root Query by schema.assemble."""

    my_grants: GrantConnection = strawberry.field(
        resolver=partner_resolvers.my_grants,
        description="The apps I gave access to (my grants), newest first; revoked ones only with includeRevoked.",
    )
    apps_for_review: AppConnection = strawberry.field(
        resolver=partner_resolvers.apps_for_review,
        description="Officers: the apps still in the sandbox, waiting for approval, oldest first.",
    )


@strawberry.type
class PartnerAppMutation:
    """Mutation fields of partner apps and grants; merged into the root Mutation by schema.assemble."""

    app_create: AppCreatePayload | None = strawberry.mutation(
        resolver=partner_resolvers.app_create,
        description="Create an app of a partner organisation I own or administer (it starts in the sandbox); a "
        "confidential client's secret is shown this once.",
    )
    app_update: AppUpdatePayload | None = strawberry.mutation(
        resolver=partner_resolvers.app_update, description="Change my partner's app (fields left out stay)."
    )
    client_secret_rotate: ClientSecretRotatePayload | None = strawberry.mutation(
        resolver=partner_resolvers.client_secret_rotate,
        description="A new client secret, shown this once; the previous one keeps working until "
        "`previousSecretExpiresAt`, older rotated ones stop now.",
    )
    app_persona_create: AppPersonaCreatePayload | None = strawberry.mutation(
        resolver=partner_resolvers.app_persona_create,
        description="Make a test persona for my partner's sandbox app; its password is shown this once.",
    )
    app_approve: AppApprovePayload | None = strawberry.mutation(
        resolver=partner_resolvers.app_approve,
        description="Officers: take a sandbox app to production (real residents may sign in to it).",
    )
    app_suspend: AppSuspendPayload | None = strawberry.mutation(
        resolver=partner_resolvers.app_suspend,
        description="Officers: suspend an app (no sign-in; its tokens are refused on their next request).",
    )
    app_reinstate: AppReinstatePayload | None = strawberry.mutation(
        resolver=partner_resolvers.app_reinstate, description="Officers: lift an app's suspension."
    )
    app_operation_register: AppOperationRegisterPayload | None = strawberry.mutation(
        resolver=operation_resolvers.app_operation_register,
        description="Register a GraphQL document with my partner's app as a persisted operation, run by its "
        "`documentId` (`sha256:<hex>`); registering the same document again returns the same operation.",
    )
    app_operation_delete: AppOperationDeletePayload | None = strawberry.mutation(
        resolver=operation_resolvers.app_operation_delete,
        description="Delete a persisted operation of my partner's app: requests sending its `documentId` are "
        "refused from now on.",
    )
    grant_revoke: GrantRevokePayload | None = strawberry.mutation(
        resolver=partner_resolvers.grant_revoke,
        description="Take back an app's access to me: its next request under this grant is refused.",
    )
