"""Resolvers of identity and sign-in: thin glue from fields to identity/ and auth/ services."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any, TypeVar

import strawberry
from strawberry.dataloader import DataLoader
from strawberry.scalars import JSON

from auth import password_change as auth_password_change
from auth import password_reset as auth_password_reset
from auth import sessions as auth_sessions
from auth import sign_in as auth_sign_in
from auth.viewer import Viewer
from core.pagination import PageRequest
from core.runtime import Runtime
from identity import account as identity_account
from identity import city_roles as identity_city_roles
from identity import contact_verification as identity_contact_verification
from identity import invitations as identity_invitations
from identity import organizations as identity_organizations
from identity import profile as identity_profile
from identity import registration as identity_registration
from identity import representatives as identity_representatives
from identity import search as identity_search
from identity import verification as identity_verification
from identity import views as identity_views
from identity.model import OrganizationView
from identity.registration import PersonRegistration
from resolvers.common import client_address, decode_id, payload, runtime, user_agent, viewer
from schema.common import AFTER, BEFORE, FIRST, LAST
from schema.identity import (
    ActorConnection,
    Audience,
    AuthTokens,
    Contact,
    ContactKind,
    ContactPayload,
    DonePayload,
    Organization,
    OrganizationPayload,
    OrganizationRegisterInput,
    Person,
    PersonPayload,
    PersonRegisterInput,
    PersonRegisterPayload,
    ProfileField,
    ProfileUpdateInput,
    Representation,
    RepresentationChange,
    Representative,
    RepresentativeInvitation,
    RepresentativeInvitationAcceptInput,
    RepresentativeInvitationAcceptPayload,
    RepresentativeInvitationConnection,
    RepresentativeInvitationDeclineInput,
    RepresentativeInvitationDeclinePayload,
    RepresentativeInvitationWithdrawInput,
    RepresentativeInvitationWithdrawPayload,
    RepresentativeRole,
    RepresentativesPayload,
    Session,
    SessionPayload,
    VerificationRequest,
    VerificationRequestConnection,
    VerificationRequestPayload,
    VerificationStatus,
)

T = TypeVar("T")

# --- nodes and loaders ------------------------------------------------------------------------------------------


async def persons_by_ids(info: strawberry.Info, ids: list[str]) -> list[Person | None]:
    views = await identity_views.persons_by_ids(runtime(info), viewer(info), ids)
    return [Person.of(v) if v else None for v in views]


async def organizations_by_ids(info: strawberry.Info, ids: list[str]) -> list[Organization | None]:
    views = await identity_views.organizations_by_ids(runtime(info), viewer(info), ids)
    return [Organization.of(v) if v else None for v in views]


async def verification_requests_by_ids(info: strawberry.Info, ids: list[str]) -> list[VerificationRequest | None]:
    views = await identity_verification.verification_requests_by_ids(runtime(info), viewer(info), ids)
    return [VerificationRequest.of(v) if v else None for v in views]


def _representatives_loader(context) -> DataLoader:
    async def load(org_ids: list[str]):
        return await identity_representatives.representatives(context.runtime, context.viewer, org_ids)

    return DataLoader(load_fn=load)


async def representatives_of(info: strawberry.Info, org_id: str) -> list[Representative]:
    loader = info.context.loader("RepresentativesByOrganizationLoader", _representatives_loader)
    return [Representative.of(r) for r in await loader.load(org_id)]


async def representation_history(info: strawberry.Info, org_id: str) -> list[RepresentationChange]:
    rows = await identity_representatives.representation_history(runtime(info), viewer(info), org_id)
    return [
        RepresentationChange(
            action=r["action"],
            role=RepresentativeRole(r["role"]),
            at=r["at"],
            by=Person.of(r["by"]) if r["by"] else None,
            person=Person.of(r["of"]) if r["of"] else None,
        )
        for r in rows
    ]


def _only_self(info: strawberry.Info, person: Person) -> bool:
    return viewer(info).actor_id == person.uuid and viewer(info).kind == "person"


def _own_loader(read: Callable[[Runtime, Viewer], Awaitable[T]]) -> Callable[[Any], DataLoader[str, T]]:
    """A loader of what only I see of myself (my contacts, requests, organisations): read once for all my posts
    or listings in a list. Not cached: read again after a mutation of the same request."""

    def factory(context) -> DataLoader[str, T]:
        async def load(person_ids: list[str]) -> list[T]:
            found = await read(context.runtime, context.viewer)
            return [found for _ in person_ids]

        return DataLoader(load_fn=load, cache=False)

    return factory


async def my_contacts(info: strawberry.Info, person: Person) -> list[Contact] | None:
    if not _only_self(info, person):
        return None
    rows = await info.context.loader("ContactsByPersonLoader", _own_loader(identity_account.my_contacts)).load(
        person.uuid
    )
    return [
        Contact(id=strawberry.ID(c["id"]), kind=ContactKind(c["kind"]), value=c["value"], verified_at=c["verifiedAt"])
        for c in rows
    ]


async def my_verification_requests(info: strawberry.Info, person: Person) -> list[VerificationRequest] | None:
    if not _only_self(info, person):
        return None
    loader = info.context.loader(
        "VerificationRequestsByPersonLoader", _own_loader(identity_verification.my_verification_requests)
    )
    return [VerificationRequest.of(v) for v in await loader.load(person.uuid)]


async def my_organizations(info: strawberry.Info, person: Person) -> list[Representation] | None:
    if not _only_self(info, person):
        return None
    loader = info.context.loader("RepresentationsByPersonLoader", _own_loader(identity_account.my_organizations))
    rows = await loader.load(person.uuid)
    return [Representation(organization=Organization.of(o), role=RepresentativeRole(role)) for o, role in rows]


# --- queries -----------------------------------------------------------------------------------------------------------


async def me(info: strawberry.Info) -> Person | None:
    if viewer(info).is_anonymous:
        return None
    return Person.of(await identity_account.me(runtime(info), viewer(info)))


async def my_sessions(info: strawberry.Info) -> list[Session]:
    return [Session.of(s) for s in await auth_sessions.my_sessions(runtime(info), viewer(info))]


async def my_data(info: strawberry.Info) -> JSON:
    return JSON(await identity_account.my_data(runtime(info), viewer(info)))


async def actors(
    info: strawberry.Info,
    search: Annotated[
        str,
        strawberry.argument(
            description="Name to look for, with or without diacritics (at most 200 characters and 20 words)."
        ),
    ],
    first: FIRST = None,
    after: AFTER = None,
    last: LAST = None,
    before: BEFORE = None,
) -> ActorConnection:
    page = await identity_search.search_actors(
        runtime(info),
        viewer(info),
        search,
        PageRequest.from_args(first=first, after=after, last=last, before=before),
    )
    return ActorConnection.from_page(
        page, lambda v: Organization.of(v) if isinstance(v, OrganizationView) else Person.of(v)
    )


async def verification_requests(
    info: strawberry.Info,
    status: Annotated[
        VerificationStatus, strawberry.argument(description="Which requests (default PENDING).")
    ] = VerificationStatus.PENDING,
    first: Annotated[int | None, strawberry.argument(description="Page size (default 20, at most 100).")] = None,
    after: Annotated[str | None, strawberry.argument(description="Cursor from `pageInfo.endCursor`.")] = None,
) -> VerificationRequestConnection:
    page = await identity_verification.verification_queue(
        runtime(info), viewer(info), status.value, PageRequest.from_args(first=first, after=after)
    )
    return VerificationRequestConnection.from_page(page, VerificationRequest.of)


# --- mutations: registration and sign-in ----------------------------------------------------------------------------


async def person_register(
    info: strawberry.Info,
    input: Annotated[PersonRegisterInput, strawberry.argument(description="Who I am, my document and my password.")],
) -> PersonRegisterPayload:
    async def work() -> dict:
        registration = PersonRegistration(
            full_name=input.full_name,
            date_of_birth=input.date_of_birth,
            sex=input.sex.value,
            roles=[r.value for r in input.roles],
            document_kind=input.document.kind.value,
            document_number=input.document.number,
            document_country=input.document.country,
            password=input.password,
            phone=input.phone,
            email=input.email,
            ward_code=input.ward_code,
            investor_sectors=input.investor_sectors,
        )
        view, tokens = await identity_registration.register_person(
            runtime(info), viewer(info), registration, user_agent=user_agent(info), address=client_address(info)
        )
        return {"person": Person.of(view), "tokens": AuthTokens.of(tokens)}

    return await payload(PersonRegisterPayload, work)


async def session_login(
    info: strawberry.Info,
    identifier: Annotated[
        str,
        strawberry.argument(
            description='Citizen ID (12 digits), passport as issuing country and number ("JP TZ1234567"), '
            "or a verified phone or e-mail."
        ),
    ],
    password: Annotated[str, strawberry.argument(description="My password.")],
) -> SessionPayload:
    async def work() -> dict:
        tokens = await auth_sign_in.login(
            runtime(info), identifier, password, user_agent=user_agent(info), address=client_address(info)
        )
        return {"tokens": AuthTokens.of(tokens)}

    return await payload(SessionPayload, work)


async def session_refresh(
    info: strawberry.Info,
    refresh_token: Annotated[
        str, strawberry.argument(description="The refresh token from the last sign-in or refresh.")
    ],
) -> SessionPayload:
    async def work() -> dict:
        return {
            "tokens": AuthTokens.of(
                await auth_sessions.refresh(runtime(info), refresh_token, user_agent=user_agent(info))
            )
        }

    return await payload(SessionPayload, work)


async def session_logout(info: strawberry.Info) -> DonePayload:
    return await payload(DonePayload, lambda: _done(auth_sessions.logout(runtime(info), viewer(info))))


async def session_logout_everywhere(info: strawberry.Info) -> DonePayload:
    return await payload(DonePayload, lambda: _done(auth_sessions.logout_everywhere(runtime(info), viewer(info))))


async def session_revoke(
    info: strawberry.Info,
    session_id: Annotated[strawberry.ID, strawberry.argument(description="Id of one of my sessions (mySessions).")],
) -> DonePayload:
    return await payload(
        DonePayload, lambda: _done(auth_sessions.revoke_session(runtime(info), viewer(info), str(session_id)))
    )


async def _done(work) -> dict:
    count = await work
    return {"ok": True, "count": count if isinstance(count, int) else None}


async def password_change(
    info: strawberry.Info,
    current_password: Annotated[str, strawberry.argument(description="My current password.")],
    new_password: Annotated[str, strawberry.argument(description="The new password (10+ characters, not common).")],
) -> DonePayload:
    return await payload(
        DonePayload,
        lambda: _done(
            auth_password_change.change_password(
                runtime(info), viewer(info), current_password, new_password, address=client_address(info)
            )
        ),
    )


async def password_reset_start(
    info: strawberry.Info,
    contact: Annotated[str, strawberry.argument(description="A phone or e-mail I verified; a code is sent there.")],
) -> DonePayload:
    return await payload(
        DonePayload,
        lambda: _done(auth_password_reset.start_password_reset(runtime(info), contact, address=client_address(info))),
    )


async def password_reset_complete(
    info: strawberry.Info,
    contact: Annotated[str, strawberry.argument(description="The same phone or e-mail.")],
    code: Annotated[str, strawberry.argument(description="The 6-digit code received.")],
    new_password: Annotated[str, strawberry.argument(description="The new password.")],
) -> DonePayload:
    return await payload(
        DonePayload,
        lambda: _done(
            auth_password_reset.complete_password_reset(
                runtime(info), contact, code, new_password, address=client_address(info)
            )
        ),
    )


# --- mutations: profile, contacts, verification ------------------------------------------------------------------------


async def _person_result(view) -> dict:
    return {"person": Person.of(await view)}


async def profile_update(
    info: strawberry.Info,
    input: Annotated[ProfileUpdateInput, strawberry.argument(description="What to change.")],
) -> PersonPayload:
    return await payload(
        PersonPayload,
        lambda: _person_result(
            identity_profile.update_profile(
                runtime(info),
                viewer(info),
                ward_code=input.ward_code,
                investor_sectors=input.investor_sectors,
                add_roles=[r.value for r in input.add_roles] if input.add_roles else None,
            )
        ),
    )


async def profile_audience_set(
    info: strawberry.Info,
    field: Annotated[ProfileField, strawberry.argument(description="Which of my fields.")],
    audience: Annotated[Audience, strawberry.argument(description="Who may see it.")],
) -> PersonPayload:
    return await payload(
        PersonPayload,
        lambda: _person_result(identity_profile.set_audience(runtime(info), viewer(info), field.value, audience.value)),
    )


async def _contact_result(contact) -> dict:
    c = await contact
    return {
        "contact": Contact(
            id=strawberry.ID(c["id"]), kind=ContactKind(c["kind"]), value=c["value"], verified_at=c["verifiedAt"]
        )
    }


async def contact_add(
    info: strawberry.Info,
    kind: Annotated[ContactKind, strawberry.argument(description="Phone or e-mail.")],
    value: Annotated[str, strawberry.argument(description="The phone number or e-mail address.")],
) -> ContactPayload:
    return await payload(
        ContactPayload,
        lambda: _contact_result(
            identity_contact_verification.add_contact(runtime(info), viewer(info), kind.value, value)
        ),
    )


async def contact_verification_start(
    info: strawberry.Info,
    contact_id: Annotated[strawberry.ID, strawberry.argument(description="Id of one of my contacts.")],
) -> ContactPayload:
    return await payload(
        ContactPayload,
        lambda: _contact_result(
            identity_contact_verification.start_contact_verification(runtime(info), viewer(info), str(contact_id))
        ),
    )


async def contact_verification_complete(
    info: strawberry.Info,
    contact_id: Annotated[strawberry.ID, strawberry.argument(description="Id of the contact the code was sent to.")],
    code: Annotated[str, strawberry.argument(description="The 6-digit code received.")],
) -> PersonPayload:
    return await payload(
        PersonPayload,
        lambda: _person_result(
            identity_contact_verification.complete_contact_verification(
                runtime(info), viewer(info), str(contact_id), code
            )
        ),
    )


async def _request_result(request) -> dict:
    return {"request": VerificationRequest.of(await request)}


async def verification_request_create(info: strawberry.Info) -> VerificationRequestPayload:
    return await payload(
        VerificationRequestPayload,
        lambda: _request_result(identity_verification.request_verification(runtime(info), viewer(info))),
    )


async def verification_request_approve(
    info: strawberry.Info,
    id: Annotated[strawberry.ID, strawberry.argument(description="Global id of the request.")],
) -> VerificationRequestPayload:
    async def work() -> dict:
        request_id = decode_id(id, "VerificationRequest", "id")
        return await _request_result(
            identity_verification.decide_verification(
                runtime(info), viewer(info), request_id, approve=True, reason=None
            )
        )

    return await payload(VerificationRequestPayload, work)


async def verification_request_reject(
    info: strawberry.Info,
    id: Annotated[strawberry.ID, strawberry.argument(description="Global id of the request.")],
    reason: Annotated[
        str, strawberry.argument(description="Why, so the person can fix it (shown to them; up to 1000 characters).")
    ],
) -> VerificationRequestPayload:
    async def work() -> dict:
        request_id = decode_id(id, "VerificationRequest", "id")
        return await _request_result(
            identity_verification.decide_verification(
                runtime(info), viewer(info), request_id, approve=False, reason=reason
            )
        )

    return await payload(VerificationRequestPayload, work)


async def officer_role_set(
    info: strawberry.Info,
    person_id: Annotated[strawberry.ID, strawberry.argument(description="Global id of the person.")],
    granted: Annotated[bool, strawberry.argument(description="True grants the officer role, false revokes it.")],
) -> PersonPayload:
    async def work() -> dict:
        target = decode_id(person_id, "Person", "personId")
        return await _person_result(
            identity_city_roles.grant_role(runtime(info), viewer(info), target, "officer", grant=granted)
        )

    return await payload(PersonPayload, work)


# --- mutations: organisations --------------------------------------------------------------------------------------------


async def organization_register(
    info: strawberry.Info,
    input: Annotated[OrganizationRegisterInput, strawberry.argument(description="The organisation.")],
) -> OrganizationPayload:
    async def work() -> dict:
        view = await identity_organizations.register_organization(
            runtime(info),
            viewer(info),
            name=input.name,
            kind=input.kind.value,
            tax_code=input.tax_code,
            sector=input.sector,
        )
        return {"organization": Organization.of(view)}

    return await payload(OrganizationPayload, work)


async def representative_set(
    info: strawberry.Info,
    organization_id: Annotated[strawberry.ID, strawberry.argument(description="Global id of the organisation.")],
    person_id: Annotated[strawberry.ID, strawberry.argument(description="Global id of the person.")],
    role: Annotated[RepresentativeRole, strawberry.argument(description="Role to give (replaces any current role).")],
) -> RepresentativesPayload:
    async def work() -> dict:
        org = decode_id(organization_id, "Organization", "organizationId")
        person = decode_id(person_id, "Person", "personId")
        reps, invitation = await identity_representatives.set_representative(
            runtime(info), viewer(info), org, person, role.value
        )
        return {
            "representatives": [Representative.of(r) for r in reps],
            "invitation": RepresentativeInvitation.of(invitation) if invitation else None,
        }

    return await payload(RepresentativesPayload, work)


async def representative_revoke(
    info: strawberry.Info,
    organization_id: Annotated[strawberry.ID, strawberry.argument(description="Global id of the organisation.")],
    person_id: Annotated[strawberry.ID, strawberry.argument(description="Global id of the person.")],
) -> RepresentativesPayload:
    async def work() -> dict:
        org = decode_id(organization_id, "Organization", "organizationId")
        person = decode_id(person_id, "Person", "personId")
        reps, _ = await identity_representatives.set_representative(runtime(info), viewer(info), org, person, None)
        return {"representatives": [Representative.of(r) for r in reps]}

    return await payload(RepresentativesPayload, work)


async def my_representative_invitations(
    info: strawberry.Info,
    first: Annotated[int | None, strawberry.argument(description="Page size (default 20, at most 100).")] = None,
    after: Annotated[str | None, strawberry.argument(description="Cursor from `pageInfo.endCursor`.")] = None,
) -> RepresentativeInvitationConnection:
    page = await identity_invitations.my_representative_invitations(
        runtime(info), viewer(info), PageRequest.from_args(first=first, after=after)
    )
    return RepresentativeInvitationConnection.from_page(page, RepresentativeInvitation.of)


async def pending_invitations(
    info: strawberry.Info, org_id: str, first: int | None, after: str | None
) -> RepresentativeInvitationConnection:
    page = await identity_invitations.pending_invitations(
        runtime(info), viewer(info), org_id, PageRequest.from_args(first=first, after=after)
    )
    return RepresentativeInvitationConnection.from_page(page, RepresentativeInvitation.of)


async def representative_invitation_accept(
    info: strawberry.Info,
    input: Annotated[RepresentativeInvitationAcceptInput, strawberry.argument(description="The invitation.")],
) -> RepresentativeInvitationAcceptPayload:
    async def work() -> dict:
        org = decode_id(input.organization_id, "Organization", "organizationId")
        view, role = await identity_invitations.accept_representative_invitation(runtime(info), viewer(info), org)
        representation = (
            Representation(organization=Organization.of(view), role=RepresentativeRole(role)) if view else None
        )
        return {"representation": representation}

    return await payload(RepresentativeInvitationAcceptPayload, work)


async def representative_invitation_decline(
    info: strawberry.Info,
    input: Annotated[RepresentativeInvitationDeclineInput, strawberry.argument(description="The invitation.")],
) -> RepresentativeInvitationDeclinePayload:
    async def work() -> dict:
        org = decode_id(input.organization_id, "Organization", "organizationId")
        view = await identity_invitations.decline_representative_invitation(runtime(info), viewer(info), org)
        return {"organization": Organization.of(view) if view else None}

    return await payload(RepresentativeInvitationDeclinePayload, work)


async def representative_invitation_withdraw(
    info: strawberry.Info,
    input: Annotated[RepresentativeInvitationWithdrawInput, strawberry.argument(description="The invitation.")],
) -> RepresentativeInvitationWithdrawPayload:
    async def work() -> dict:
        org = decode_id(input.organization_id, "Organization", "organizationId")
        person = decode_id(input.person_id, "Person", "personId")
        view = await identity_invitations.withdraw_representative_invitation(runtime(info), viewer(info), org, person)
        return {"organization": Organization.of(view) if view else None}

    return await payload(RepresentativeInvitationWithdrawPayload, work)


async def account_close(
    info: strawberry.Info,
    password: Annotated[str, strawberry.argument(description="My password, to confirm.")],
) -> DonePayload:
    return await payload(
        DonePayload,
        lambda: _done(
            identity_account.close_account(runtime(info), viewer(info), password, address=client_address(info))
        ),
    )
