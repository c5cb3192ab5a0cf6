"""GraphQL shapes of identity: actors, people, organisations, sessions, verification, payloads."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry import relay

from identity.model import (
    ContactView,
    IssuedTokens,
    OrganizationView,
    PersonView,
    RepresentativeInvitationView,
    SessionView,
    VerificationRequestView,
)
from identity.model import Representative as RepresentativeModel
from partners.reads import Duty
from schema.access_log import DutyRead
from schema.common import AFTER, BEFORE, FIRST, LAST, CountedConnection, UserError
from schema.places import Commune

if TYPE_CHECKING:  # schema.social imports this module; strawberry.lazy reaches these shapes when the schema is built
    from schema.partners import AppConnection
    from schema.social import PostConnection, Relation

# --- enums ---------------------------------------------------------------------------------------------------------


@strawberry.enum(description="Who may see a personal profile field.")
class Audience(Enum):
    _value_: str  # .value is the services' string (strawberry.enum_value only adds a description)
    PUBLIC = strawberry.enum_value("public", description="Everyone, signed in or not.")
    CONNECTIONS = strawberry.enum_value("connections", description="People I am connected with.")
    ONLY_ME = strawberry.enum_value("only_me", description="Nobody but me.")


@strawberry.enum(description="A personal profile field whose audience its owner chooses.")
class ProfileField(Enum):
    _value_: str  # .value is the services' string (strawberry.enum_value only adds a description)
    DATE_OF_BIRTH = strawberry.enum_value("dateOfBirth", description="Date of birth (default: only me).")
    SEX = strawberry.enum_value("sex", description="Sex (default: only me).")
    PHONE = strawberry.enum_value("phone", description="Phone number (default: only me).")
    EMAIL = strawberry.enum_value("email", description="E-mail address (default: only me).")
    WARD = strawberry.enum_value("ward", description="Ward or commune of residence (default: connections).")
    INVESTOR_SECTORS = strawberry.enum_value(
        "investorSectors", description="Sectors an investor follows (default: public)."
    )
    CONNECTIONS = strawberry.enum_value(
        "connections",
        description="My lists of relations: connections, followers and whom I follow (default: connections).",
    )


@strawberry.enum(description="What kind of account an actor is.")
class ActorKind(Enum):
    _value_: str  # .value is the services' string (strawberry.enum_value only adds a description)
    PERSON = strawberry.enum_value("person", description="A real person.")
    ORGANIZATION = strawberry.enum_value("organization", description="A business, partner or agency.")


@strawberry.enum(description="Roles of a person. Officer and administrator are granted, never self-chosen.")
class PersonRole(Enum):
    _value_: str  # .value is the services' string (strawberry.enum_value only adds a description)
    RESIDENT = strawberry.enum_value("resident", description="Lives in a ward or commune of Hà Nội.")
    TOURIST = strawberry.enum_value("tourist", description="Visiting Hà Nội.")
    INVESTOR = strawberry.enum_value("investor", description="Invests, or looks for investment opportunities.")
    OFFICER = strawberry.enum_value("officer", description="City staff: checks identities, moderates (granted).")
    ADMINISTRATOR = strawberry.enum_value(
        "administrator", description="Grants the officer role (granted from the CLI)."
    )


@strawberry.enum(description="Sex as written on the identity document.")
class Sex(Enum):
    _value_: str  # .value is the services' string (strawberry.enum_value only adds a description)
    MALE = strawberry.enum_value("male", description="Male (Nam).")
    FEMALE = strawberry.enum_value("female", description="Female (Nữ).")


@strawberry.enum(description="Kind of identity document.")
class DocumentKind(Enum):
    _value_: str  # .value is the services' string (strawberry.enum_value only adds a description)
    CCCD = strawberry.enum_value("cccd", description="Vietnamese citizen ID (căn cước công dân), 12 digits.")
    PASSPORT = strawberry.enum_value("passport", description="A passport: issuing country and number.")
    TAX_CODE = strawberry.enum_value("tax_code", description="Vietnamese tax code of an organisation.")


@strawberry.enum(description="Kind of organisation.")
class OrganizationKind(Enum):
    _value_: str  # .value is the services' string (strawberry.enum_value only adds a description)
    BUSINESS = strawberry.enum_value("business", description="A company or household business.")
    PARTNER = strawberry.enum_value("partner", description="An outside partner that runs apps on the platform.")
    AGENCY = strawberry.enum_value("agency", description="A public agency of the city.")


@strawberry.enum(description="Role of a person who acts for an organisation.")
class RepresentativeRole(Enum):
    _value_: str  # .value is the services' string (strawberry.enum_value only adds a description)
    OWNER = strawberry.enum_value("owner", description="Manages representatives; at least one per organisation.")
    ADMIN = strawberry.enum_value("admin", description="Acts for the organisation and sees its history.")
    MEMBER = strawberry.enum_value("member", description="Acts for the organisation.")


@strawberry.enum(description="State of a request for level-2 verification.")
class VerificationStatus(Enum):
    _value_: str  # .value is the services' string (strawberry.enum_value only adds a description)
    PENDING = strawberry.enum_value("pending", description="Waiting for an officer.")
    APPROVED = strawberry.enum_value("approved", description="Document checked: the person is at level 2.")
    REJECTED = strawberry.enum_value("rejected", description="Refused; `reason` says why.")


@strawberry.enum(description="Kind of contact.")
class ContactKind(Enum):
    _value_: str  # .value is the services' string (strawberry.enum_value only adds a description)
    PHONE = strawberry.enum_value("phone", description="A phone number, stored in E.164 (+84...).")
    EMAIL = strawberry.enum_value("email", description="An e-mail address, normalised.")


# --- actors ------------------------------------------------------------------------------------------------------------

#: Who sees the lists of a person's relations (social.visibility.may_see_relations), said once for each list.
RELATIONS_SHOWN = (
    "Null when hidden from you: a person's lists of relations (connections, followers, following) are seen by the "
    "audience they chose for CONNECTIONS (profileAudienceSet; by default their connections, PUBLIC for everyone, "
    "ONLY_ME for nobody else); an organisation's followers by its owners and admins. totalCount is also null when "
    "the owner hides how many follow them or whom they follow (socialPreferencesSet)."
)


@strawberry.interface(description="Anyone who holds an account: a person or an organisation.")
class Actor(relay.Node):
    uuid: relay.NodeID[str]
    display_name: str = strawberry.field(description="Name shown to everyone (a person's real name).")
    kind: ActorKind = strawberry.field(description="Person or organisation.")
    verification_level: int = strawberry.field(
        description="Assurance level: 0 self-declared, 1 contact proven by a code, 2 document checked by an officer."
    )
    created_at: datetime = strawberry.field(description="When the account was opened (UTC).")

    @strawberry.field(description="My relation to this actor (null for myself or when anonymous).")
    async def relation(self, info: strawberry.Info) -> Annotated[Relation, strawberry.lazy("schema.social")] | None:
        from resolvers.identity import relation  # noqa: PLC0415 (the resolvers import the shapes)

        return await relation(info, self.uuid)

    @strawberry.field(description="People who follow this actor, newest first. " + RELATIONS_SHOWN)
    async def followers(
        self, info: strawberry.Info, first: FIRST = None, after: AFTER = None, last: LAST = None, before: BEFORE = None
    ) -> ActorConnection | None:
        from resolvers.identity import people_list  # noqa: PLC0415 (the resolvers import the shapes)

        return await people_list(info, self.uuid, "followers", first, after, last, before)

    @strawberry.field(description="Posts by this actor that I may see, newest first.")
    async def posts(
        self, info: strawberry.Info, first: FIRST = None, after: AFTER = None, last: LAST = None, before: BEFORE = None
    ) -> Annotated[PostConnection, strawberry.lazy("schema.social")]:
        from resolvers.social import posts_of  # noqa: PLC0415 (the resolvers import the shapes)

        return await posts_of(info, self.uuid, first, after, last, before)


@strawberry.type(description="How visible each of my personal fields is. Only I see this.")
class ProfileAudiences:
    date_of_birth: Audience = strawberry.field(description="Audience of my date of birth.")
    sex: Audience = strawberry.field(description="Audience of my sex.")
    phone: Audience = strawberry.field(description="Audience of my phone number.")
    email: Audience = strawberry.field(description="Audience of my e-mail address.")
    ward: Audience = strawberry.field(description="Audience of my ward or commune.")
    investor_sectors: Audience = strawberry.field(description="Audience of my investor sectors.")
    connections: Audience = strawberry.field(description="Audience of my connections, followers and following lists.")


@strawberry.type(
    description="A phone number or e-mail address of mine. Only I see it (`node(id:)` is null for anyone else); its "
    "`id` is what contactVerificationStart and contactVerificationComplete take."
)
class Contact(relay.Node):
    uuid: relay.NodeID[str]
    kind: ContactKind = strawberry.field(description="Phone or e-mail.")
    value: str = strawberry.field(description="Normalised value: E.164 phone or lower-case e-mail.")
    verified_at: datetime | None = strawberry.field(
        description="When it was proven by a one-time code; null if not yet."
    )

    @classmethod
    def of(cls, c: ContactView) -> Contact:
        return cls(uuid=c["id"], kind=ContactKind(c["kind"]), value=c["value"], verified_at=c["verifiedAt"])


@strawberry.type(description="A real person. Personal fields are null when their owner hides them from you.")
class Person(Actor):
    roles: list[PersonRole] = strawberry.field(
        description="Resident, tourist, investor; officer/administrator if granted."
    )
    date_of_birth: date | None = strawberry.field(description="Date of birth, if its audience includes you.")
    sex: Sex | None = strawberry.field(description="Sex, if its audience includes you.")
    phone: str | None = strawberry.field(description="Phone number (E.164), if its audience includes you.")
    email: str | None = strawberry.field(description="E-mail address, if its audience includes you.")
    ward: Commune | None = strawberry.field(description="Ward or commune of residence, if its audience includes you.")
    investor_sectors: list[str] | None = strawberry.field(description="Sectors an investor follows, if visible to you.")
    closed: bool = strawberry.field(description="True when the account was closed: personal data erased.")
    identity_document_kind: DocumentKind | None = strawberry.field(
        description="Kind of my identity document (only for me)."
    )
    identity_document_last4: str | None = strawberry.field(
        description="Last 4 characters of my document (only for me)."
    )
    audiences: ProfileAudiences | None = strawberry.field(description="Who sees each of my fields (only for me).")

    @strawberry.field(description="My phone numbers and e-mail addresses (only for me; null for others).")
    async def contacts(self, info: strawberry.Info) -> list[Contact] | None:
        from resolvers.identity import my_contacts  # noqa: PLC0415 (the resolvers import the shapes)

        return await my_contacts(info, self)

    @strawberry.field(description="My requests for level-2 verification, newest first (only for me).")
    async def verification_requests(self, info: strawberry.Info) -> list[VerificationRequest] | None:
        from resolvers.identity import my_verification_requests  # noqa: PLC0415 (the resolvers import the shapes)

        return await my_verification_requests(info, self)

    @strawberry.field(description="Organisations this person represents, with the role (only for me).")
    async def organizations(self, info: strawberry.Info) -> list[Representation] | None:
        from resolvers.identity import my_organizations  # noqa: PLC0415 (the resolvers import the shapes)

        return await my_organizations(info, self)

    @strawberry.field(description="This person's connections, newest first. " + RELATIONS_SHOWN)
    async def connections(
        self, info: strawberry.Info, first: FIRST = None, after: AFTER = None, last: LAST = None, before: BEFORE = None
    ) -> ActorConnection | None:
        from resolvers.identity import people_list  # noqa: PLC0415 (the resolvers import the shapes)

        return await people_list(info, self.uuid, "connections", first, after, last, before)

    @strawberry.field(description="Actors this person follows, newest first. " + RELATIONS_SHOWN)
    async def following(
        self, info: strawberry.Info, first: FIRST = None, after: AFTER = None, last: LAST = None, before: BEFORE = None
    ) -> ActorConnection | None:
        from resolvers.identity import people_list  # noqa: PLC0415 (the resolvers import the shapes)

        return await people_list(info, self.uuid, "following", first, after, last, before)

    @strawberry.field(
        description="People connected with both this person and me (empty when signed out). " + RELATIONS_SHOWN
    )
    async def mutual_connections(
        self, info: strawberry.Info, first: FIRST = None, after: AFTER = None, last: LAST = None, before: BEFORE = None
    ) -> ActorConnection | None:
        from resolvers.identity import people_list  # noqa: PLC0415 (the resolvers import the shapes)

        return await people_list(info, self.uuid, "mutual", first, after, last, before)

    @strawberry.field(description="Connection requests I received and have not answered (only for me).")
    async def connection_requests_received(
        self, info: strawberry.Info, first: FIRST = None, after: AFTER = None, last: LAST = None, before: BEFORE = None
    ) -> ActorConnection:
        from resolvers.identity import requests_list  # noqa: PLC0415 (the resolvers import the shapes)

        return await requests_list(info, self.uuid, "requests_in", first, after, last, before)

    @strawberry.field(description="Connection requests I sent that wait for an answer (only for me).")
    async def connection_requests_sent(
        self, info: strawberry.Info, first: FIRST = None, after: AFTER = None, last: LAST = None, before: BEFORE = None
    ) -> ActorConnection:
        from resolvers.identity import requests_list  # noqa: PLC0415 (the resolvers import the shapes)

        return await requests_list(info, self.uuid, "requests_out", first, after, last, before)

    @classmethod
    def of(cls, v: PersonView) -> Person:
        audiences = None
        if v.audiences is not None:
            audiences = ProfileAudiences(
                date_of_birth=Audience(v.audiences["dateOfBirth"]),
                sex=Audience(v.audiences["sex"]),
                phone=Audience(v.audiences["phone"]),
                email=Audience(v.audiences["email"]),
                ward=Audience(v.audiences["ward"]),
                investor_sectors=Audience(v.audiences["investorSectors"]),
                connections=Audience(v.audiences["connections"]),
            )
        return cls(
            uuid=v.id,
            display_name=v.display_name,
            kind=ActorKind.PERSON,
            verification_level=v.assurance_level,
            created_at=v.created_at,
            roles=[PersonRole(r) for r in v.roles],
            date_of_birth=v.date_of_birth,
            sex=Sex(v.sex) if v.sex else None,
            phone=v.phone,
            email=v.email,
            ward=Commune.of(v.ward) if v.ward else None,
            investor_sectors=list(v.investor_sectors) if v.investor_sectors is not None else None,
            closed=v.status == "closed",
            identity_document_kind=DocumentKind(v.document_kind) if v.document_kind else None,
            identity_document_last4=v.document_last4,
            audiences=audiences,
        )


@strawberry.type(description="A business, partner or agency. People act for it as representatives.")
class Organization(Actor):
    organization_kind: OrganizationKind = strawberry.field(description="Business, partner or agency.")
    sector: str | None = strawberry.field(description="Business sector, e.g. 'Du lịch', 'F&B'.")
    tax_code_masked: str | None = strawberry.field(
        description="Tax code with all but its last 4 digits masked (the number itself is not stored)."
    )
    my_role: RepresentativeRole | None = strawberry.field(description="My representative role here, if any.")

    @strawberry.field(
        description="People who act for this organisation, with their role. Signed-in callers only: null when "
        "signed out."
    )
    async def representatives(self, info: strawberry.Info) -> list[Representative] | None:
        from resolvers.identity import representatives_of  # noqa: PLC0415 (the resolvers import the shapes)

        return await representatives_of(info, self.uuid)

    @strawberry.field(description="Grants and revocations of representative roles, newest first (owners and admins).")
    async def representation_history(self, info: strawberry.Info) -> list[RepresentationChange]:
        from resolvers.identity import representation_history  # noqa: PLC0415 (the resolvers import the shapes)

        return await representation_history(info, self.uuid)

    @strawberry.field(
        description="Invitations to represent this organisation that wait for an answer, newest first (owners and "
        "admins; owners withdraw them with representativeInvitationWithdraw)."
    )
    async def pending_invitations(
        self, info: strawberry.Info, first: FIRST = None, after: AFTER = None, last: LAST = None, before: BEFORE = None
    ) -> RepresentativeInvitationConnection:
        from resolvers.identity import pending_invitations  # noqa: PLC0415 (the resolvers import the shapes)

        return await pending_invitations(info, self.uuid, first, after, last, before)

    @strawberry.field(description="A partner's apps, newest first: for its owners and admins (null for others).")
    async def apps(
        self, info: strawberry.Info, first: FIRST = None, after: AFTER = None, last: LAST = None, before: BEFORE = None
    ) -> Annotated[AppConnection, strawberry.lazy("schema.partners")] | None:
        from resolvers.partners import organization_apps  # noqa: PLC0415 (the resolvers import the shapes)

        return await organization_apps(info, self.uuid, first, after, last, before)

    @classmethod
    def of(cls, v: OrganizationView) -> Organization:
        return cls(
            uuid=v.id,
            display_name=v.display_name,
            kind=ActorKind.ORGANIZATION,
            verification_level=v.assurance_level,
            created_at=v.created_at,
            organization_kind=OrganizationKind(v.kind),
            sector=v.sector,
            tax_code_masked=("******" + v.tax_code_last4) if v.tax_code_last4 else None,
            my_role=RepresentativeRole(v.viewer_role) if v.viewer_role else None,
        )


@strawberry.type(description="A person acting for an organisation.")
class Representative:
    person: Person = strawberry.field(description="The representative.")
    role: RepresentativeRole = strawberry.field(description="Owner, admin or member.")
    since: datetime = strawberry.field(description="When the person first got a role here.")

    @classmethod
    def of(cls, r: RepresentativeModel) -> Representative:
        return cls(person=Person.of(r.person), role=RepresentativeRole(r.role), since=r.since)


@strawberry.type(description="An organisation I represent.")
class Representation:
    organization: Organization = strawberry.field(description="The organisation.")
    role: RepresentativeRole = strawberry.field(description="My role there.")


@strawberry.type(
    description="An owner's invitation for a person to represent an organisation. It grants nothing (no acting for "
    "the organisation, not listed among its representatives) until the person accepts it."
)
class RepresentativeInvitation:
    organization: Organization = strawberry.field(description="The organisation that invites.")
    person: Person = strawberry.field(description="The person invited.")
    role: RepresentativeRole = strawberry.field(description="The role offered.")
    invited_by: Person | None = strawberry.field(description="The owner who invited (null when hidden from you).")
    created_at: datetime = strawberry.field(description="When the invitation was first sent (UTC).")

    @classmethod
    def of(cls, v: RepresentativeInvitationView) -> RepresentativeInvitation:
        return cls(
            organization=Organization.of(v.organization),
            person=Person.of(v.person),
            role=RepresentativeRole(v.role),
            invited_by=Person.of(v.invited_by) if v.invited_by else None,
            created_at=v.created_at,
        )


@strawberry.type(description="A page of invitations to represent organisations, newest first.")
class RepresentativeInvitationConnection(CountedConnection[RepresentativeInvitation]):  # type: ignore[type-var]  # not nodes: see NodeType
    pass


@strawberry.type(description="One recorded change of representative roles.")
class RepresentationChange:
    action: str = strawberry.field(description="'grant' or 'revoke'.")
    role: RepresentativeRole = strawberry.field(description="The role granted or revoked.")
    at: datetime = strawberry.field(description="When (UTC).")
    by: Person | None = strawberry.field(description="Who made the change.")
    person: Person | None = strawberry.field(description="Whose role changed.")


@strawberry.type(description="A person's request to have their identity document checked by a city officer (level 2).")
class VerificationRequest(relay.Node):
    uuid: relay.NodeID[str]
    status: VerificationStatus = strawberry.field(description="Pending, approved or rejected.")
    created_at: datetime = strawberry.field(description="When it was filed (UTC).")
    decided_at: datetime | None = strawberry.field(description="When an officer decided it.")
    reason: str | None = strawberry.field(description="Why it was rejected (or a note on approval).")
    note: str | None = strawberry.field(
        description="The applicant's note for the officer, from verificationRequestCreate (at most 500 characters)."
    )
    decided_by: str | None = strawberry.field(description="Display name of the deciding officer.")
    applicant: Person | None = strawberry.field(description="Who asked (as the viewer may see them).")
    applicant_full_name: str | None = strawberry.field(
        description="Full name to compare with the document (officers).", extensions=[DutyRead()]
    )
    applicant_date_of_birth: date | None = strawberry.field(
        description="Declared date of birth (officers).", extensions=[DutyRead()]
    )
    applicant_sex: Sex | None = strawberry.field(description="Declared sex (officers).", extensions=[DutyRead()])
    document_kind: DocumentKind | None = strawberry.field(
        description="Kind of document to check (officers).", extensions=[DutyRead()]
    )
    document_last4: str | None = strawberry.field(
        description="Last 4 characters of the document (officers).", extensions=[DutyRead()]
    )
    #: An officer's duty read of the applicant's details (the access log), None for the applicant themself.
    duty: strawberry.Private[Duty | None] = None

    @classmethod
    def of(cls, v: VerificationRequestView) -> VerificationRequest:
        return cls(
            uuid=v.id,
            status=VerificationStatus(v.status),
            created_at=v.created_at,
            decided_at=v.decided_at,
            reason=v.reason,
            note=v.note,
            decided_by=v.decided_by_name,
            applicant=Person.of(v.applicant) if v.applicant else None,
            applicant_full_name=v.applicant_full_name,
            applicant_date_of_birth=v.applicant_date_of_birth,
            applicant_sex=Sex(v.applicant_sex) if v.applicant_sex else None,
            document_kind=DocumentKind(v.document_kind) if v.document_kind else None,
            document_last4=v.document_last4,
            duty=v.duty,
        )


@strawberry.type(description="A page of verification requests.")
class VerificationRequestConnection(CountedConnection[VerificationRequest]):
    pass


@strawberry.type(description="A page of actors.")
class ActorConnection(CountedConnection[Actor]):
    pass


@strawberry.type(
    description="One of my open sessions (a device or app signed in). Only I see it (`node(id:)` is null for anyone "
    "else, and once it is closed); its `id` is what sessionLogout takes."
)
class Session(relay.Node):
    uuid: relay.NodeID[str]
    user_agent: str | None = strawberry.field(description="The device or app that signed in (User-Agent).")
    created_at: datetime = strawberry.field(description="When it signed in (UTC).")
    last_used_at: datetime = strawberry.field(description="When its refresh token was last used (UTC).")
    current: bool = strawberry.field(description="True for the session of this request.")

    @classmethod
    def of(cls, v: SessionView) -> Session:
        return cls(
            uuid=v.id,
            user_agent=v.user_agent,
            created_at=v.created_at,
            last_used_at=v.last_used_at,
            current=v.current,
        )


@strawberry.type(
    description="Tokens of a session. Send `Authorization: Bearer <accessToken>`; refresh before it expires."
)
class AuthTokens:
    access_token: str = strawberry.field(description="Short-lived JWT (EdDSA), verifiable with /.well-known/jwks.json.")
    access_token_expires_at: datetime = strawberry.field(description="When the access token expires (UTC).")
    refresh_token: str = strawberry.field(description="Opaque, single-use: sessionRefresh returns a new one each time.")
    session_id: strawberry.ID = strawberry.field(
        description="Global id of the session these tokens belong to (a `Session`: sessionLogout takes it)."
    )
    token_type: str = strawberry.field(description="Always 'Bearer'.")

    @classmethod
    def of(cls, t: IssuedTokens) -> AuthTokens:
        return cls(
            access_token=t.access_token,
            access_token_expires_at=t.access_token_expires_at,
            refresh_token=t.refresh_token,
            session_id=strawberry.ID(str(relay.GlobalID("Session", t.session_id))),
            token_type="Bearer",
        )


# --- inputs ---------------------------------------------------------------------------------------------------------------


@strawberry.input(description="The identity document that makes this account the one account of a real person.")
class IdentityDocumentInput:
    kind: DocumentKind = strawberry.field(description="CCCD for citizens, PASSPORT for foreigners.")
    number: str = strawberry.field(description="Document number. Never stored: only a keyed digest and its last 4.")
    country: str | None = strawberry.field(
        default=None, description="Passport's issuing country, ISO alpha-2 (JP, FR)."
    )


@strawberry.input(description="What a person gives to open their account.")
class PersonRegisterInput:
    full_name: str = strawberry.field(description="Full real name as on the document, e.g. Nguyễn Văn An.")
    date_of_birth: date = strawberry.field(description="Date of birth; must agree with a CCCD's digits.")
    sex: Sex = strawberry.field(description="Sex as on the document; must agree with a CCCD's 4th digit.")
    roles: list[PersonRole] = strawberry.field(description="One or more of RESIDENT, TOURIST, INVESTOR.")
    document: IdentityDocumentInput = strawberry.field(description="Citizen ID or passport.")
    password: str = strawberry.field(description="At least 10 characters, not a common or guessable password.")
    phone: str | None = strawberry.field(default=None, description="Phone number, e.g. 0912345678 or +84912345678.")
    email: str | None = strawberry.field(default=None, description="E-mail address.")
    ward_code: str | None = strawberry.field(
        default=None, description="Code of my ward or commune (required for residents)."
    )
    investor_sectors: list[str] | None = strawberry.field(
        default=None, description="Sectors of interest (investors): at most 20, each at most 100 characters."
    )


@strawberry.input(description="Changes to my profile; omitted fields stay as they are.")
class ProfileUpdateInput:
    ward_code: str | None = strawberry.field(default=None, description="Move to this ward or commune.")
    investor_sectors: list[str] | None = strawberry.field(
        default=None, description="Replace my investor sectors: at most 20, each at most 100 characters."
    )
    add_roles: list[PersonRole] | None = strawberry.field(
        default=None, description="Add self-chosen roles, e.g. a tourist becoming a RESIDENT (needs a ward)."
    )


@strawberry.input(description="An organisation to register; I become its first owner.")
class OrganizationRegisterInput:
    name: str = strawberry.field(description="Registered name.")
    kind: OrganizationKind = strawberry.field(description="Business, partner or agency.")
    tax_code: str = strawberry.field(
        description="10 digits, or 10 digits-3 digits for a branch. Never stored in clear."
    )
    sector: str | None = strawberry.field(default=None, description="Business sector (at most 100 characters).")


@strawberry.input(description="An invitation to represent an organisation that I accept.")
class RepresentativeInvitationAcceptInput:
    organization_id: strawberry.ID = strawberry.field(description="Global id of the organisation that invited me.")


@strawberry.input(description="An invitation to represent an organisation that I decline.")
class RepresentativeInvitationDeclineInput:
    organization_id: strawberry.ID = strawberry.field(description="Global id of the organisation that invited me.")


@strawberry.input(description="A pending invitation of my organisation to take back.")
class RepresentativeInvitationWithdrawInput:
    organization_id: strawberry.ID = strawberry.field(description="Global id of the organisation (I own it).")
    person_id: strawberry.ID = strawberry.field(description="Global id of the person invited.")


@strawberry.input(description="How I sign in.")
class SessionLoginInput:
    identifier: str = strawberry.field(
        description='Citizen ID (12 digits), passport as issuing country and number ("JP TZ1234567"), or a verified '
        "phone or e-mail."
    )
    password: str = strawberry.field(description="My password.")


@strawberry.input(description="The refresh token to trade for new tokens.")
class SessionRefreshInput:
    refresh_token: str = strawberry.field(description="The refresh token from the last sign-in or refresh.")


@strawberry.input(description="Which session to close.")
class SessionLogoutInput:
    session_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="Global id of one of my open sessions (mySessions, AuthTokens.sessionId); null closes the "
        "session of this request.",
    )


@strawberry.input(description="Signing out everywhere.")
class SessionLogoutEverywhereInput:
    keep_current_session: bool = strawberry.field(
        default=False, description="True keeps the session of this request open and closes every other one."
    )


@strawberry.input(description="My current password and the new one.")
class PasswordChangeInput:
    current_password: str = strawberry.field(description="My current password.")
    new_password: str = strawberry.field(description="The new password (10+ characters, not common).")


@strawberry.input(description="Where to send a password reset code.")
class PasswordResetStartInput:
    contact: str = strawberry.field(description="A phone or e-mail I verified; a code is sent there.")


@strawberry.input(description="The reset code and the new password.")
class PasswordResetCompleteInput:
    contact: str = strawberry.field(description="The same phone or e-mail.")
    code: str = strawberry.field(description="The 6-digit code received.")
    new_password: str = strawberry.field(description="The new password (10+ characters, not common).")


@strawberry.input(description="Who may see one of my personal fields.")
class ProfileAudienceSetInput:
    field: ProfileField = strawberry.field(description="Which of my fields.")
    audience: Audience = strawberry.field(description="Who may see it.")


@strawberry.input(description="A phone or e-mail to add to my account.")
class ContactAddInput:
    kind: ContactKind = strawberry.field(description="Phone or e-mail.")
    value: str = strawberry.field(description="The phone number or e-mail address.")


@strawberry.input(description="The contact to send a one-time code to.")
class ContactVerificationStartInput:
    contact_id: strawberry.ID = strawberry.field(description="Global id of one of my contacts (`Contact.id`).")


@strawberry.input(description="The contact and the code it received.")
class ContactVerificationCompleteInput:
    contact_id: strawberry.ID = strawberry.field(description="Global id of the contact the code was sent to.")
    code: str = strawberry.field(description="The 6-digit code received.")


@strawberry.input(description="A request for a city officer to check my identity document.")
class VerificationRequestCreateInput:
    note: str | None = strawberry.field(
        default=None,
        description="A note for the officer (at most 500 characters), e.g. when to reach me; shown to officers on "
        "the request.",
    )


@strawberry.input(description="The request to approve.")
class VerificationRequestApproveInput:
    verification_request_id: strawberry.ID = strawberry.field(description="Global id of the request.")


@strawberry.input(description="The request to reject, and why.")
class VerificationRequestRejectInput:
    verification_request_id: strawberry.ID = strawberry.field(description="Global id of the request.")
    reason: str = strawberry.field(description="Why, so the person can fix it (shown to them; up to 1000 characters).")


@strawberry.input(description="A person's officer role to grant or revoke.")
class OfficerRoleSetInput:
    person_id: strawberry.ID = strawberry.field(description="Global id of the person.")
    granted: bool = strawberry.field(description="True grants the officer role, false revokes it.")


@strawberry.input(description="A representative's role to set, or a person to invite.")
class RepresentativeSetInput:
    organization_id: strawberry.ID = strawberry.field(description="Global id of the organisation (I own it).")
    person_id: strawberry.ID = strawberry.field(description="Global id of the person.")
    role: RepresentativeRole = strawberry.field(description="Role to give (replaces any current role).")


@strawberry.input(description="A representative to take the role from.")
class RepresentativeRevokeInput:
    organization_id: strawberry.ID = strawberry.field(description="Global id of the organisation (I own it).")
    person_id: strawberry.ID = strawberry.field(description="Global id of the representative.")


@strawberry.input(description="Closing my account, confirmed with my password.")
class AccountCloseInput:
    password: str = strawberry.field(description="My password, to confirm.")


# --- payloads -----------------------------------------------------------------------------------------------------------------

ERRORS_DESCRIPTION = "Mistakes in the input to fix (empty on success): code, field and message."
CLOSED_SESSIONS_DESCRIPTION = "How many sessions were closed."


@strawberry.type(description="Result of personRegister.")
class PersonRegisterPayload:
    person: Person | None = strawberry.field(default=None, description="My new account.")
    tokens: AuthTokens | None = strawberry.field(default=None, description="I am signed in.")
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS_DESCRIPTION)


@strawberry.type(description="Result of sessionLogin.")
class SessionLoginPayload:
    tokens: AuthTokens | None = strawberry.field(default=None, description="Tokens of the new session.")
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS_DESCRIPTION)


@strawberry.type(description="Result of sessionRefresh.")
class SessionRefreshPayload:
    tokens: AuthTokens | None = strawberry.field(default=None, description="New tokens of the same session.")
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS_DESCRIPTION)


@strawberry.type(description="Result of sessionLogout.")
class SessionLogoutPayload:
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS_DESCRIPTION)


@strawberry.type(description="Result of sessionLogoutEverywhere.")
class SessionLogoutEverywherePayload:
    closed_session_count: int | None = strawberry.field(default=None, description=CLOSED_SESSIONS_DESCRIPTION)
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS_DESCRIPTION)


@strawberry.type(description="Result of passwordChange.")
class PasswordChangePayload:
    closed_session_count: int | None = strawberry.field(
        default=None, description="How many of my other sessions were closed."
    )
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS_DESCRIPTION)


@strawberry.type(description="Result of passwordResetStart: the same whether or not an account verified the contact.")
class PasswordResetStartPayload:
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS_DESCRIPTION)


@strawberry.type(description="Result of passwordResetComplete: every session of the account was closed.")
class PasswordResetCompletePayload:
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS_DESCRIPTION)


@strawberry.type(description="Result of profileUpdate.")
class ProfileUpdatePayload:
    person: Person | None = strawberry.field(default=None, description="Me after the change.")
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS_DESCRIPTION)


@strawberry.type(description="Result of profileAudienceSet.")
class ProfileAudienceSetPayload:
    person: Person | None = strawberry.field(default=None, description="Me after the change.")
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS_DESCRIPTION)


@strawberry.type(description="Result of contactAdd.")
class ContactAddPayload:
    contact: Contact | None = strawberry.field(default=None, description="The contact (not verified yet).")
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS_DESCRIPTION)


@strawberry.type(description="Result of contactVerificationStart.")
class ContactVerificationStartPayload:
    contact: Contact | None = strawberry.field(default=None, description="The contact the code was sent to.")
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS_DESCRIPTION)


@strawberry.type(description="Result of contactVerificationComplete.")
class ContactVerificationCompletePayload:
    contact: Contact | None = strawberry.field(default=None, description="The contact, now verified.")
    person: Person | None = strawberry.field(default=None, description="Me, at verification level 1 at least.")
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS_DESCRIPTION)


@strawberry.type(description="Result of verificationRequestCreate.")
class VerificationRequestCreatePayload:
    verification_request: VerificationRequest | None = strawberry.field(
        default=None, description="My new request, pending."
    )
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS_DESCRIPTION)


@strawberry.type(description="Result of verificationRequestApprove.")
class VerificationRequestApprovePayload:
    verification_request: VerificationRequest | None = strawberry.field(
        default=None, description="The request, approved."
    )
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS_DESCRIPTION)


@strawberry.type(description="Result of verificationRequestReject.")
class VerificationRequestRejectPayload:
    verification_request: VerificationRequest | None = strawberry.field(
        default=None, description="The request, rejected."
    )
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS_DESCRIPTION)


@strawberry.type(description="Result of officerRoleSet.")
class OfficerRoleSetPayload:
    person: Person | None = strawberry.field(default=None, description="The person after the change.")
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS_DESCRIPTION)


@strawberry.type(description="Result of organizationRegister.")
class OrganizationRegisterPayload:
    organization: Organization | None = strawberry.field(default=None, description="The new organisation.")
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS_DESCRIPTION)


@strawberry.type(description="Result of representativeSet.")
class RepresentativeSetPayload:
    representatives: list[Representative] | None = strawberry.field(default=None, description="Representatives now.")
    representative_invitation: RepresentativeInvitation | None = strawberry.field(
        default=None,
        description="For someone who does not represent the organisation yet, or a promotion to OWNER: the "
        "invitation they must accept before anything is granted (null when a role changed at once).",
    )
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS_DESCRIPTION)


@strawberry.type(description="Result of representativeRevoke.")
class RepresentativeRevokePayload:
    representatives: list[Representative] | None = strawberry.field(default=None, description="Representatives now.")
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS_DESCRIPTION)


@strawberry.type(description="Result of representativeInvitationAccept.")
class RepresentativeInvitationAcceptPayload:
    representation: Representation | None = strawberry.field(
        default=None, description="The organisation I now represent, with my role."
    )
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS_DESCRIPTION)


@strawberry.type(description="Result of representativeInvitationDecline.")
class RepresentativeInvitationDeclinePayload:
    organization: Organization | None = strawberry.field(default=None, description="The organisation I declined.")
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS_DESCRIPTION)


@strawberry.type(description="Result of representativeInvitationWithdraw.")
class RepresentativeInvitationWithdrawPayload:
    organization: Organization | None = strawberry.field(default=None, description="The organisation.")
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS_DESCRIPTION)


@strawberry.type(description="Result of accountClose: my personal data is erased and every session closed.")
class AccountClosePayload:
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS_DESCRIPTION)
