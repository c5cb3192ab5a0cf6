"""Root fields of identity and sign-in: me, actors, sessions, verification, organisations."""

from __future__ import annotations

import strawberry
from strawberry.scalars import JSON

from resolvers import identity as identity_resolvers
from schema.identity import (
    AccountClosePayload,
    ActorConnection,
    ContactAddPayload,
    ContactVerificationCompletePayload,
    ContactVerificationStartPayload,
    OfficerRoleSetPayload,
    OrganizationRegisterPayload,
    PasswordChangePayload,
    PasswordResetCompletePayload,
    PasswordResetStartPayload,
    Person,
    PersonRegisterPayload,
    ProfileAudienceSetPayload,
    ProfileUpdatePayload,
    RepresentativeInvitationAcceptPayload,
    RepresentativeInvitationConnection,
    RepresentativeInvitationDeclinePayload,
    RepresentativeInvitationWithdrawPayload,
    RepresentativeRevokePayload,
    RepresentativeSetPayload,
    Session,
    SessionLoginPayload,
    SessionLogoutEverywherePayload,
    SessionLogoutPayload,
    SessionRefreshPayload,
    VerificationRequestApprovePayload,
    VerificationRequestConnection,
    VerificationRequestCreatePayload,
    VerificationRequestRejectPayload,
)


@strawberry.type
class IdentityQuery:
    """Query fields of identity; merged into the root Query by schema.assemble."""

    me: Person | None = strawberry.field(
        resolver=identity_resolvers.me, description="The signed-in person (null when anonymous)."
    )
    my_sessions: list[Session] = strawberry.field(
        resolver=identity_resolvers.my_sessions, description="My open sessions (devices and apps signed in)."
    )
    my_data: JSON = strawberry.field(
        resolver=identity_resolvers.my_data,
        description="Everything the platform holds about me, as one JSON document (data portability).",
    )
    actors: ActorConnection = strawberry.field(
        resolver=identity_resolvers.actors,
        description="Organisations, and for a signed-in caller people, by name ('Nguyen Van An' finds "
        "'Nguyễn Văn An'), best match first among the 1000 best matches. Signed out, no person is ever found.",
    )
    verification_requests: VerificationRequestConnection = strawberry.field(
        resolver=identity_resolvers.verification_requests,
        description="Officers: the queue of identity-verification requests, oldest first.",
    )
    my_representative_invitations: RepresentativeInvitationConnection = strawberry.field(
        resolver=identity_resolvers.my_representative_invitations,
        description="Invitations to represent an organisation that wait for my answer, newest first.",
    )


@strawberry.type
class IdentityMutation:
    """Mutation fields of identity; merged into the root Mutation by schema.assemble."""

    person_register: PersonRegisterPayload | None = strawberry.mutation(
        resolver=identity_resolvers.person_register,
        description="Open my one account (level 0) with my identity document; signs me in.",
    )
    session_login: SessionLoginPayload | None = strawberry.mutation(
        resolver=identity_resolvers.session_login,
        description="Sign in with citizen ID, passport, verified phone or verified e-mail, and password.",
    )
    session_refresh: SessionRefreshPayload | None = strawberry.mutation(
        resolver=identity_resolvers.session_refresh,
        description="Trade a refresh token for new tokens (the old refresh token dies). An invalid, expired or "
        "reused one is a top-level UNAUTHENTICATED.",
    )
    session_logout: SessionLogoutPayload | None = strawberry.mutation(
        resolver=identity_resolvers.session_logout,
        description="Close the session of this request, or one of my open sessions by id.",
    )
    session_logout_everywhere: SessionLogoutEverywherePayload | None = strawberry.mutation(
        resolver=identity_resolvers.session_logout_everywhere,
        description="Close every session of mine, on every device (optionally all but this one).",
    )
    password_change: PasswordChangePayload | None = strawberry.mutation(
        resolver=identity_resolvers.password_change, description="Change my password; every other session is closed."
    )
    password_reset_start: PasswordResetStartPayload | None = strawberry.mutation(
        resolver=identity_resolvers.password_reset_start,
        description="Send a reset code to a verified phone or e-mail (answers the same whether or not an account has it).",
    )
    password_reset_complete: PasswordResetCompletePayload | None = strawberry.mutation(
        resolver=identity_resolvers.password_reset_complete,
        description="Set a new password with the code; every session is closed.",
    )
    profile_update: ProfileUpdatePayload | None = strawberry.mutation(
        resolver=identity_resolvers.profile_update,
        description="Change my ward, investor sectors, or add a role (tourist -> resident).",
    )
    profile_audience_set: ProfileAudienceSetPayload | None = strawberry.mutation(
        resolver=identity_resolvers.profile_audience_set, description="Choose who sees one of my personal fields."
    )
    contact_add: ContactAddPayload | None = strawberry.mutation(
        resolver=identity_resolvers.contact_add, description="Add a phone or e-mail (unverified)."
    )
    contact_verification_start: ContactVerificationStartPayload | None = strawberry.mutation(
        resolver=identity_resolvers.contact_verification_start,
        description="Send a one-time code to one of my contacts.",
    )
    contact_verification_complete: ContactVerificationCompletePayload | None = strawberry.mutation(
        resolver=identity_resolvers.contact_verification_complete,
        description="Prove a contact with its code: reaches verification level 1.",
    )
    verification_request_create: VerificationRequestCreatePayload | None = strawberry.mutation(
        resolver=identity_resolvers.verification_request_create,
        description="Ask a city officer to check my identity document (level 2).",
    )
    verification_request_approve: VerificationRequestApprovePayload | None = strawberry.mutation(
        resolver=identity_resolvers.verification_request_approve,
        description="Officers: approve a request; the person reaches level 2.",
    )
    verification_request_reject: VerificationRequestRejectPayload | None = strawberry.mutation(
        resolver=identity_resolvers.verification_request_reject,
        description="Officers: reject a request with a reason the person sees.",
    )
    officer_role_set: OfficerRoleSetPayload | None = strawberry.mutation(
        resolver=identity_resolvers.officer_role_set,
        description="Administrators: grant or revoke a person's officer role.",
    )
    organization_register: OrganizationRegisterPayload | None = strawberry.mutation(
        resolver=identity_resolvers.organization_register,
        description="Register an organisation (needs level 2); I become its owner.",
    )
    representative_set: RepresentativeSetPayload | None = strawberry.mutation(
        resolver=identity_resolvers.representative_set,
        description="Owners: change a representative's role (recorded), or invite a person who is not one yet or a "
        "representative offered OWNER; the invitation grants nothing until they accept it. Demotions apply at once.",
    )
    representative_invitation_accept: RepresentativeInvitationAcceptPayload | None = strawberry.mutation(
        resolver=identity_resolvers.representative_invitation_accept,
        description="Accept an organisation's invitation: I represent it from now on, with the role offered (recorded).",
    )
    representative_invitation_decline: RepresentativeInvitationDeclinePayload | None = strawberry.mutation(
        resolver=identity_resolvers.representative_invitation_decline,
        description="Decline an organisation's invitation to represent it.",
    )
    representative_invitation_withdraw: RepresentativeInvitationWithdrawPayload | None = strawberry.mutation(
        resolver=identity_resolvers.representative_invitation_withdraw,
        description="Owners: take back an invitation not answered yet.",
    )
    representative_revoke: RepresentativeRevokePayload | None = strawberry.mutation(
        resolver=identity_resolvers.representative_revoke,
        description="Owners: take a person's representative role away (recorded).",
    )


# Apart from IdentityMutation so that the merged Mutation keeps its order: accountClose follows moderation's.
@strawberry.type
class AccountClosingMutation:
    """Mutation fields of identity; merged into the root Mutation by schema.assemble."""

    account_close: AccountClosePayload | None = strawberry.mutation(
        resolver=identity_resolvers.account_close,
        description="Close my account: personal data erased, sessions closed; the document cannot open another account.",
    )
