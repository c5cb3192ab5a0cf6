"""Use cases of identity: registration, profiles and their privacy, contacts, officer verification,
organisations and their representatives, closing an account, and the personal data export."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from neo4j import AsyncManagedTransaction

from auth import limits, otp, throttle
from auth.passwords import check_policy, hash_password
from auth.permissions import require_level, require_person, require_role
from auth.service import INVALID_CREDENTIALS, issue_tokens, open_session
from auth.viewer import Viewer
from core.errors import ConflictError, ForbiddenError, NotFoundError, UserInputError
from core.pagination import INT, CursorKind, Page, PageRequest, keyset_kind
from core.runtime import Runtime
from core.text import checked_text, checked_words, fold, fulltext_query, nfc
from graph import identity as queries
from identity import privacy
from identity.contacts import normalise_email, normalise_phone
from identity.documents import CheckedDocument, Sex, check_cccd, check_passport, check_tax_code
from identity.model import (
    CLOSED_NAME,
    GRANTED_ROLES,
    ORGANIZATION_KINDS,
    PERSON_ROLES,
    REPRESENTATIVE_ROLES,
    IssuedTokens,
    OrganizationView,
    PersonView,
    Representative,
    RepresentativeInvitationView,
    VerificationRequestView,
)
from identity.names import check_name
from identity.views import organizations_by_ids, persons_by_ids
from notifications import notify
from social.wards import join_ward_community

DUPLICATE_IDENTITY = (
    "An account already exists for this identity document. Each person has one account: "
    "sign in, or reset your password with a verified phone or e-mail."
)


#: Bounds of stored profile text (README "Input bounds"; the schema's descriptions say them too).
MAX_SECTORS, MAX_SECTOR_LENGTH = 20, 100
MAX_REASON_LENGTH = 1000


def _check_sectors(sectors: list[str] | None) -> list[str]:
    return checked_words(sectors, field="investorSectors", max_items=MAX_SECTORS, max_length=MAX_SECTOR_LENGTH)


# --- me ------------------------------------------------------------------------------------------------------------


async def me(rt: Runtime, viewer: Viewer) -> PersonView:
    person_id = require_person(viewer)
    (view,) = await persons_by_ids(rt, viewer, [person_id])
    if view is None:
        raise NotFoundError("Your account no longer exists.")
    return view


async def my_contacts(rt: Runtime, viewer: Viewer) -> list[dict]:
    person_id = require_person(viewer)
    rows = await rt.graph.read(queries.persons_by_ids, [person_id], person_id)
    contacts = rows[0]["contacts"] if rows else []
    return [{**c, "verifiedAt": c["verifiedAt"].to_native() if c.get("verifiedAt") else None} for c in contacts]


async def my_organizations(rt: Runtime, viewer: Viewer) -> list[tuple[OrganizationView, str]]:
    person_id = require_person(viewer)
    rows = await rt.graph.read(queries.organizations_of_person, person_id)
    views = await organizations_by_ids(rt, viewer, [r["id"] for r in rows])
    return [(v, r["role"]) for v, r in zip(views, rows, strict=False) if v is not None]


# --- registration ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PersonRegistration:
    full_name: str
    date_of_birth: date
    sex: str
    roles: list[str]
    document_kind: str  # cccd | passport
    document_number: str
    document_country: str | None
    password: str
    phone: str | None = None
    email: str | None = None
    ward_code: str | None = None
    investor_sectors: list[str] | None = None


def _check_roles(roles: list[str]) -> list[str]:
    chosen = sorted(set(roles))
    if not chosen:
        raise UserInputError("Choose at least one role: resident, tourist or investor.", field="roles")
    refused = [r for r in chosen if r not in PERSON_ROLES]
    if refused:
        raise UserInputError(
            f"These roles cannot be chosen: {', '.join(refused)}. Officer roles are granted by an administrator.",
            field="roles",
        )
    return chosen


def _check_document(reg: PersonRegistration) -> CheckedDocument:
    if reg.document_kind == "cccd":
        return check_cccd(
            reg.document_number, date_of_birth=reg.date_of_birth, sex=Sex(reg.sex), field="document.number"
        )
    if reg.document_kind == "passport":
        return check_passport(reg.document_country or "", reg.document_number, field="document.number")
    raise UserInputError(
        "A person proves their identity with a citizen ID (CCCD) or a passport.", field="document.kind"
    )


TOO_MANY_REGISTRATIONS = "Too many accounts were opened from here or on the platform just now; try again later."


def _registration_limits(rt: Runtime, address: str | None) -> tuple[dict, dict]:
    """(attempts per address and on the platform, duplicates refused per address)."""
    settings, where = rt.settings, limits.address_key(rt, address)
    attempts = {
        f"register:address:{where}": (settings.registrations_per_address_per_hour, limits.HOUR),
        "register:platform": (settings.registrations_per_hour, limits.HOUR),
    }
    conflicts = {
        f"register-conflicts:address:{where}": (settings.registration_conflicts_per_address_per_day, limits.DAY)
    }
    return attempts, conflicts


async def register_person(
    rt: Runtime, viewer: Viewer, reg: PersonRegistration, *, user_agent: str | None, address: str | None = None
) -> tuple[PersonView, IssuedTokens]:
    """Open the one account of a real person (assurance level 0) and sign them in.

    Cheap checks first (input, password policy), then the limits are claimed in a transaction of
    their own (so they hold in parallel and a failed attempt still counts), and only then is the
    password hashed (argon2: ~150 ms CPU, 64 MiB) and the account created. A duplicate identity
    (CONFLICT) tells the caller that this document has an account; since a citizen ID has only 6
    unknown digits once province, sex and birth year are known, duplicates are counted per address
    and a few a day close registration from that address for the day (see README). The claim
    transaction looks the document up and counts a duplicate under the limit's lock, so parallel
    duplicates cannot overrun the cap, and a duplicate is answered without hashing."""
    if not viewer.is_anonymous:
        raise UserInputError("You are signed in already; each person has exactly one account.", code="CONFLICT")
    full_name = check_name(reg.full_name, "fullName")
    today = datetime.now(UTC).date()
    if not date(1900, 1, 1) <= reg.date_of_birth <= today:
        raise UserInputError("The date of birth must be between 1900-01-01 and today.", field="dateOfBirth")
    roles = _check_roles(reg.roles)
    document = _check_document(reg)
    if "resident" in roles and not reg.ward_code:
        raise UserInputError("A resident names the ward or commune they live in (wardCode).", field="wardCode")
    contacts = []
    if reg.phone:
        contacts.append({"id": str(uuid.uuid4()), "kind": "phone", "value": normalise_phone(reg.phone)})
    if reg.email:
        contacts.append({"id": str(uuid.uuid4()), "kind": "email", "value": normalise_email(reg.email)})
    sectors = _check_sectors(reg.investor_sectors)
    check_policy(reg.password, user_inputs=[full_name, reg.phone or "", reg.email or "", str(reg.date_of_birth.year)])
    attempts, conflicts = _registration_limits(rt, address)
    digest = document.digest(rt.identity_key)

    async def claim(tx: AsyncManagedTransaction) -> bool:
        if reg.ward_code and not await _commune_exists(tx, reg.ward_code):
            raise UserInputError(
                "No ward or commune of Hà Nội has this code; see the `communes` list.", field="wardCode"
            )
        duplicate = await queries.document_registered(tx, digest)
        await limits.claim(tx, conflicts, TOO_MANY_REGISTRATIONS, count=duplicate)
        await limits.claim(tx, attempts, TOO_MANY_REGISTRATIONS)
        return duplicate

    if await rt.graph.write(claim):
        raise ConflictError(DUPLICATE_IDENTITY, field="document.number")
    password_hash = await hash_password(reg.password)
    person_id = str(uuid.uuid4())
    props = {
        "displayName": full_name,
        "fullName": full_name,
        "searchName": fold(full_name),
        "sex": reg.sex,
        "roles": roles,
        "nationality": document.country,
        "investorSectors": sectors,
        "passwordHash": password_hash,
        **privacy.default_audience_properties(),
    }
    document_props = {
        "id": str(uuid.uuid4()),
        "kind": document.kind.value,
        "digest": digest,
        "last4": document.last4,
        "country": document.country,
    }

    async def work(tx: AsyncManagedTransaction) -> tuple[str, str, str]:
        await queries.create_person(
            tx,
            id=person_id,
            props=props,
            date_of_birth=reg.date_of_birth.isoformat(),
            document=document_props,
            ward_code=reg.ward_code,
            contacts=contacts,
        )
        await _sync_ward_community(tx, person_id)
        session_id, refresh = await open_session(tx, rt, person_id, user_agent)
        return person_id, session_id, refresh

    try:
        _, session_id, refresh = await rt.graph.write(work)
    except ConflictError as exc:  # registered in parallel since the claim: counted like any duplicate
        await rt.graph.write(lambda tx: limits.claim(tx, conflicts, TOO_MANY_REGISTRATIONS))
        raise ConflictError(DUPLICATE_IDENTITY, field="document.number") from exc
    tokens = issue_tokens(rt, person_id, session_id, 0, refresh)
    me_viewer = Viewer(kind="person", actor_id=person_id, session_id=session_id, roles=frozenset(roles))
    (view,) = await persons_by_ids(rt, me_viewer, [person_id])
    return view, tokens


async def _sync_ward_community(tx: AsyncManagedTransaction, person_id: str) -> None:
    """Residents belong to their ward's community: joined on arrival, left on moving (social's rule)."""
    await join_ward_community(tx, person_id)


async def _commune_exists(tx: AsyncManagedTransaction, code: str) -> bool:
    from graph.places import commune_by_code  # noqa: PLC0415 (places is a sibling domain's graph module)

    return await commune_by_code(tx, code) is not None


# --- profile and privacy ----------------------------------------------------------------------------------------


async def set_audience(rt: Runtime, viewer: Viewer, field: str, audience: str) -> PersonView:
    person_id = require_person(viewer)
    if field not in privacy.DEFAULT_AUDIENCES:
        raise UserInputError(
            f"Unknown profile field; choose one of {', '.join(privacy.DEFAULT_AUDIENCES)}.", field="field"
        )
    await rt.graph.write(
        queries.update_person, person_id, {privacy.audience_property(field): privacy.Audience(audience).value}
    )
    return await me(rt, viewer)


async def update_profile(
    rt: Runtime,
    viewer: Viewer,
    *,
    ward_code: str | None,
    investor_sectors: list[str] | None,
    add_roles: list[str] | None,
) -> PersonView:
    """Move ward, change investor sectors, or add a self-chosen role (a tourist becoming a resident)."""
    person_id = require_person(viewer)
    new_roles = None
    if add_roles:
        new_roles = _check_roles(list(viewer.roles & set(PERSON_ROLES)) + add_roles)
        new_roles = sorted(set(new_roles) | (viewer.roles & set(GRANTED_ROLES)))

    async def work(tx: AsyncManagedTransaction) -> None:
        current = await queries.roles_of(tx, person_id)
        if new_roles and "resident" in new_roles and "resident" not in (current["roles"] or []) and not ward_code:
            lives = await queries.persons_by_ids(tx, [person_id], person_id)
            if not lives or lives[0]["ward"] is None:
                raise UserInputError("A resident names the ward or commune they live in (wardCode).", field="wardCode")
        if ward_code is not None:
            if not await queries.move_to_ward(tx, person_id, ward_code):
                raise UserInputError(
                    "No ward or commune of Hà Nội has this code; see the `communes` list.", field="wardCode"
                )
            await _sync_ward_community(tx, person_id)
        props: dict[str, Any] = {}
        if investor_sectors is not None:
            props["investorSectors"] = _check_sectors(investor_sectors)
        if new_roles is not None:
            props["roles"] = new_roles
        if props:
            await queries.update_person(tx, person_id, props)

    await rt.graph.write(work)
    return await me(rt, viewer)


# --- contacts and level 1 ------------------------------------------------------------------------------------------

#: Said when a phone or e-mail is verified by another account. It does not say which account, nor
#: anything about it; it does tell a signed-in person that the contact is in use elsewhere, which is
#: needed so the owner of a recycled phone number knows what to do, and which a signed-in person
#: could learn anyway (verifying it would fail). Codes are never sent to such a contact, so no
#: account can spend its owner's code quota (contact squatting).
CONTACT_TAKEN = (
    "This phone or e-mail cannot be used by your account. If it is yours, "
    "ask the support desk to release it from the account that verified it."
)


def _contact_value(kind: str, value: str) -> str:
    return normalise_phone(value, field="value") if kind == "phone" else normalise_email(value, field="value")


async def _verified_elsewhere(tx: AsyncManagedTransaction, person_id: str, kind: str, value: str) -> bool:
    owner = await queries.verified_contact_owner(tx, f"{kind}:{value}")
    return owner is not None and owner["personId"] != person_id


TOO_MANY_CONTACTS_TAKEN = (
    "Too many phones or e-mails you tried to add today are used by other accounts; try again tomorrow."
)


async def add_contact(rt: Runtime, viewer: Viewer, kind: str, value: str) -> dict:
    """Add a phone or e-mail to my account (unverified); refused when another account verified it.

    Such refusals say a contact is registered, so they are counted per account and day, in the same
    transaction and under the limit's lock; once spent, every contactAdd of the account is
    RATE_LIMITED for the rest of the day, so the answer stops telling anything."""
    person_id = require_person(viewer)
    normalised = _contact_value(kind, value)
    refusals = {
        f"contact-conflicts:account:{person_id}": (rt.settings.contact_conflicts_per_account_per_day, limits.DAY)
    }

    async def work(tx: AsyncManagedTransaction) -> dict | None | bool:
        taken = await _verified_elsewhere(tx, person_id, kind, normalised)
        await limits.claim(tx, refusals, TOO_MANY_CONTACTS_TAKEN, count=taken)
        if taken:
            return False  # refused after commit, so the refusal stays counted
        return await queries.add_contact(tx, person_id, str(uuid.uuid4()), kind, normalised)

    contact = await rt.graph.write(work)
    if contact is False:
        raise ConflictError(CONTACT_TAKEN, field="value")
    if contact is None:
        raise NotFoundError("Your account no longer exists.")
    return contact


async def start_contact_verification(rt: Runtime, viewer: Viewer, contact_id: str) -> dict:
    """Send a one-time code to one of my contacts."""
    person_id = require_person(viewer)

    async def work(tx: AsyncManagedTransaction) -> tuple[dict, str | None]:
        contact = await queries.contact_of(tx, person_id, contact_id)
        if contact is None:
            raise NotFoundError("You have no contact with this id.")
        if contact["verifiedAt"] is not None:
            return contact, None
        if await _verified_elsewhere(tx, person_id, contact["kind"], contact["value"]):
            raise ConflictError(CONTACT_TAKEN, field="contactId")
        code = await otp.issue_code(
            tx,
            rt,
            purpose=otp.VERIFY_CONTACT,
            destination=contact["value"],
            person_id=person_id,
            contact_id=contact_id,
            requested_by=person_id,
        )
        return contact, code

    contact, code = await rt.graph.write(work)
    if code is None:
        raise UserInputError("This contact is verified already.", code="CONFLICT", field="contactId")
    channel = "sms" if contact["kind"] == "phone" else "email"
    await rt.sender.send(
        channel, contact["value"], otp.code_message(otp.VERIFY_CONTACT, code, rt.settings.otp_ttl_seconds // 60)
    )
    return contact


async def complete_contact_verification(rt: Runtime, viewer: Viewer, contact_id: str, code: str) -> PersonView:
    """Prove a contact with its code: the contact becomes verified and the account reaches level 1."""
    person_id = require_person(viewer)

    async def work(tx: AsyncManagedTransaction) -> otp.CodeCheck:
        contact = await queries.contact_of(tx, person_id, contact_id)
        if contact is None:
            raise NotFoundError("You have no contact with this id.")
        checked = await otp.check_code(
            tx,
            rt,
            purpose=otp.VERIFY_CONTACT,
            destination=contact["value"],
            person_id=person_id,
            contact_id=contact_id,
            code=code,
        )
        if checked.ok:
            await queries.verify_contact(tx, person_id, contact_id)
        return checked

    try:
        checked = await rt.graph.write(work)
    except ConflictError as exc:
        raise ConflictError(CONTACT_TAKEN, field="contactId") from exc
    if not checked.ok:
        raise UserInputError(
            f"This code is wrong, expired or already used ({checked.attempts_left} attempts left); ask for a new one if needed.",
            code="INVALID_CODE",
            field="code",
        )
    return await me(rt, viewer)


# --- level 2: officers check the document ---------------------------------------------------------------------------


def _request_view(row: dict, viewer: Viewer, applicant: PersonView | None) -> VerificationRequestView:
    request = row["request"]
    sees_document = viewer.has_role("officer") or viewer.actor_id == row["applicantId"]
    data = row["applicant"] or {}
    birth = data.get("dateOfBirth")
    return VerificationRequestView(
        id=request["id"],
        status=request["status"],
        created_at=request["createdAt"].to_native(),
        decided_at=request["decidedAt"].to_native() if request.get("decidedAt") else None,
        reason=request.get("reason"),
        decided_by_name=row.get("decidedByName"),
        applicant=applicant,
        applicant_full_name=data.get("fullName") if sees_document else None,
        applicant_date_of_birth=birth.to_native() if sees_document and birth is not None else None,
        applicant_sex=data.get("sex") if sees_document else None,
        document_kind=(row.get("document") or {}).get("kind") if sees_document else None,
        document_last4=(row.get("document") or {}).get("last4") if sees_document else None,
    )


async def request_verification(rt: Runtime, viewer: Viewer) -> VerificationRequestView:
    """Ask a city officer to check my identity document (for level 2)."""
    person_id = require_person(viewer)
    if viewer.assurance_level >= 2:
        raise UserInputError("Your identity is verified at level 2 already.", code="CONFLICT")
    created = await rt.graph.write(queries.create_verification_request, person_id, str(uuid.uuid4()))
    if created is None:
        raise UserInputError(
            "You have a pending verification request already; an officer will decide it.", code="CONFLICT"
        )
    return (await verification_requests_by_ids(rt, viewer, [created]))[0]


async def my_verification_requests(rt: Runtime, viewer: Viewer) -> list[VerificationRequestView]:
    person_id = require_person(viewer)
    rows = await rt.graph.read(queries.requests_of_person, person_id)
    return [_request_view(r, viewer, None) for r in rows]


async def verification_requests_by_ids(
    rt: Runtime, viewer: Viewer, ids: list[str]
) -> list[VerificationRequestView | None]:
    if viewer.is_anonymous:
        return [None] * len(ids)
    rows = await rt.graph.read(queries.requests_by_ids, ids)
    visible = [r for r in rows if viewer.has_role("officer") or r["applicantId"] == viewer.actor_id]
    applicants = dict(
        zip(
            [r["applicantId"] for r in visible],
            await persons_by_ids(rt, viewer, [r["applicantId"] for r in visible]),
            strict=False,
        )
    )
    found = {r["request"]["id"]: _request_view(r, viewer, applicants[r["applicantId"]]) for r in visible}
    return [found.get(i) for i in ids]


#: Cursors of verificationRequests: (createdAt, id).
VERIFICATION_CURSOR = keyset_kind("verificationRequests")


async def verification_queue(
    rt: Runtime, viewer: Viewer, status: str, request: PageRequest
) -> Page[VerificationRequestView]:
    """Requests with ``status``, oldest first: the officers' work queue."""
    require_role(viewer, "officer", "work the verification queue")
    after = request.keyset(VERIFICATION_CURSOR)
    rows = await rt.graph.read(queries.verification_queue, status, after, request.size + 1)
    page_rows = rows[: request.size]
    applicants = await persons_by_ids(rt, viewer, [r["applicantId"] for r in page_rows])
    items = [_request_view(r, viewer, a) for r, a in zip(page_rows, applicants, strict=False)]
    return Page(
        items=items,
        cursors=[VERIFICATION_CURSOR.encode(r["request"]["createdAt"], r["request"]["id"]) for r in page_rows],
        has_next_page=len(rows) > request.size,
        has_previous_page=after is not None,
    )


async def decide_verification(
    rt: Runtime, viewer: Viewer, request_id: str, *, approve: bool, reason: str | None
) -> VerificationRequestView:
    officer_id = require_role(viewer, "officer", "decide verification requests")
    reason = checked_text(
        reason,
        field="reason",
        max_length=MAX_REASON_LENGTH,
        required=not approve,
        empty="Say why the request is rejected, so the person can fix it.",
    )

    async def work(tx: AsyncManagedTransaction) -> None:
        request = await queries.lock_request(tx, request_id)
        if request is None:
            raise NotFoundError("No verification request has this id.")
        if request["applicantId"] == officer_id:
            raise ForbiddenError("You may not decide your own verification request; another officer must decide it.")
        if request["applicantStatus"] != "active":
            raise ConflictError(
                "The applicant closed their account; this request can no longer be decided.", field="id"
            )
        if request["status"] != "pending":
            raise ConflictError(f"This request was {request['status']} already.", field="id")
        await queries.decide_request(tx, request_id, officer_id, "approved" if approve else "rejected", reason)

    await rt.graph.write(work)
    return (await verification_requests_by_ids(rt, viewer, [request_id]))[0]


async def grant_role(rt: Runtime, viewer: Viewer, person_id: str, role: str, *, grant: bool) -> PersonView:
    """Administrators grant and revoke the officer role."""
    require_role(viewer, "administrator", "grant or revoke officer roles")
    if role != "officer":
        raise UserInputError(
            "Only the officer role is granted through the API; administrators use the CLI.", field="role"
        )
    await set_granted_role(rt, person_id, role, grant=grant)
    (view,) = await persons_by_ids(rt, viewer, [person_id])
    return view


async def set_granted_role(rt: Runtime, person_id: str, role: str, *, grant: bool) -> None:
    """Shared by the API (officer) and the CLI (administrator)."""
    if role not in GRANTED_ROLES:
        raise UserInputError(f"Unknown granted role {role!r}.", field="role")

    async def work(tx: AsyncManagedTransaction) -> None:
        current = await queries.roles_of(tx, person_id)
        if current is None or current["status"] != "active":
            raise NotFoundError("No active person has this id.")
        roles = set(current["roles"] or [])
        roles = roles | {role} if grant else roles - {role}
        await queries.update_person(tx, person_id, {"roles": sorted(roles)})

    await rt.graph.write(work)


# --- organisations -------------------------------------------------------------------------------------------------------


async def register_organization(
    rt: Runtime, viewer: Viewer, *, name: str, kind: str, tax_code: str, sector: str | None
) -> OrganizationView:
    founder = require_level(viewer, 2, "register an organisation")
    display_name = check_name(name, "name")
    if kind not in ORGANIZATION_KINDS:
        raise UserInputError("An organisation is a business, a partner or an agency.", field="kind")
    document = check_tax_code(tax_code)
    org_id = str(uuid.uuid4())
    checked_sector = checked_text(nfc(sector or ""), field="sector", max_length=MAX_SECTOR_LENGTH)
    props = {"displayName": display_name, "searchName": fold(display_name), "orgKind": kind, "sector": checked_sector}
    document_props = {
        "id": str(uuid.uuid4()),
        "kind": document.kind.value,
        "digest": document.digest(rt.identity_key),
        "last4": document.last4,
        "country": document.country,
    }
    try:
        await rt.graph.write(
            queries.create_organization,
            id=org_id,
            founder_id=founder,
            props=props,
            document=document_props,
            change_id=str(uuid.uuid4()),
        )
    except ConflictError as exc:
        raise ConflictError("An organisation with this tax code is registered already.", field="taxCode") from exc
    return (await organizations_by_ids(rt, viewer, [org_id]))[0]


async def set_representative(
    rt: Runtime, viewer: Viewer, org_id: str, person_id: str, role: str | None
) -> tuple[list[Representative], RepresentativeInvitationView | None]:
    """Owners change (role) or revoke (None) a representative's role; every change is recorded. A person who does
    not represent the organisation yet is only invited, and so is a representative offered ownership (owners carry
    the organisation's legal weight): nothing is granted until they accept, and they are told (at most once a day
    per organisation and invitee, never while the last notice is unread). Demotions and other role changes apply at
    once. An owner who stops being one (revoked, demoted) takes their pending invitations with them, and a revoked
    representative loses any pending promotion."""
    actor = require_person(viewer)
    if role is not None and role not in REPRESENTATIVE_ROLES:
        raise UserInputError("A representative is an owner, an admin or a member.", field="role")

    async def work(tx: AsyncManagedTransaction) -> bool:
        owners = await queries.lock_and_count_owners(tx, org_id)
        my_role = await queries.representative_role(tx, actor, org_id)
        if my_role is None and owners == 0:
            raise NotFoundError("No organisation has this id.")
        if my_role != "owner":
            raise ForbiddenError("Only an owner of this organisation may change its representatives.")
        their_role = await queries.representative_role(tx, person_id, org_id)
        if their_role == "owner" and role != "owner" and owners <= 1:
            raise ConflictError(
                "An organisation keeps at least one owner; make someone else owner first.", field="personId"
            )
        if role is None:
            if their_role is None:
                raise UserInputError(
                    "This person does not represent the organisation.", code="CONFLICT", field="personId"
                )
            await queries.remove_representative(tx, org_id, person_id, actor, str(uuid.uuid4()))
            await queries.delete_invitation(tx, org_id, person_id)
            if their_role == "owner":
                await queries.drop_invitations_sent_by(tx, org_id, person_id)
            return False
        if their_role is not None and (role != "owner" or their_role == "owner"):
            if not await queries.set_representative(tx, org_id, person_id, role, actor, str(uuid.uuid4())):
                raise UserInputError("No active person has this id.", field="personId")
            if their_role == "owner" and role != "owner":
                await queries.drop_invitations_sent_by(tx, org_id, person_id)
            return False
        created = await queries.invite_representative(tx, org_id, person_id, role, actor)
        if created is None:
            raise UserInputError("No active person has this id.", field="personId")
        if created:
            await notify(
                tx,
                person_id,
                "representative_invited",
                sender=org_id,
                actor=actor,
                subject=org_id,
                subject_type="Organization",
            )
        return True

    invited = await rt.graph.write(work)
    reps = (await representatives(rt, viewer, [org_id]))[0]
    if not invited:
        return reps, None
    row = await rt.graph.read(queries.invitation, org_id, person_id)
    return reps, (await _invitation_views(rt, viewer, [row] if row else []) or [None])[0]


async def _invitation_views(rt: Runtime, viewer: Viewer, rows: list[dict]) -> list[RepresentativeInvitationView]:
    """Views of invitations whose organisation and invitee the viewer may see (the inviter may be hidden)."""
    org_ids = list({r["orgId"] for r in rows})
    person_ids = list({r["personId"] for r in rows} | {r["invitedById"] for r in rows if r["invitedById"]})
    orgs = dict(zip(org_ids, await organizations_by_ids(rt, viewer, org_ids), strict=False))
    people = dict(zip(person_ids, await persons_by_ids(rt, viewer, person_ids), strict=False))
    views = []
    for r in rows:
        organization, person = orgs.get(r["orgId"]), people.get(r["personId"])
        if organization is not None and person is not None:
            views.append(
                RepresentativeInvitationView(
                    organization=organization,
                    person=person,
                    role=r["role"],
                    invited_by=people.get(r["invitedById"]) if r["invitedById"] else None,
                    created_at=r["createdAt"].to_native(),
                )
            )
    return views


async def _invitation_page(
    rt: Runtime,
    viewer: Viewer,
    request: PageRequest,
    after: tuple[str, str] | None,
    rows: list[dict],
    total: int,
    cursor: CursorKind,
    key: str,
) -> Page[RepresentativeInvitationView]:
    """A page of invitations (one more row than the page was read, to know whether another follows), keyed by
    ``key`` (``orgId`` for a person's, ``personId`` for an organisation's); rows the viewer may not see are left out."""
    page_rows = rows[: request.size]
    views = {
        (view.organization.id if key == "orgId" else view.person.id): view
        for view in await _invitation_views(rt, viewer, page_rows)
    }
    kept = [r for r in page_rows if r[key] in views]
    return Page(
        items=[views[r[key]] for r in kept],
        cursors=[cursor.encode(r["createdAt"], r[key]) for r in kept],
        has_next_page=len(rows) > request.size,
        has_previous_page=after is not None,
        total_count=total,
    )


MY_INVITATIONS_CURSOR = keyset_kind("myRepresentativeInvitations")


async def my_representative_invitations(
    rt: Runtime, viewer: Viewer, request: PageRequest
) -> Page[RepresentativeInvitationView]:
    """Invitations to represent an organisation that wait for my answer, newest first."""
    person_id = require_person(viewer)
    after = request.keyset(MY_INVITATIONS_CURSOR)
    rows, total = await rt.graph.read(queries.invitations_of_person, person_id, after, request.size + 1)
    return await _invitation_page(rt, viewer, request, after, rows, total, MY_INVITATIONS_CURSOR, "orgId")


PENDING_INVITATIONS_CURSOR = keyset_kind("pendingInvitations")


async def pending_invitations(
    rt: Runtime, viewer: Viewer, org_id: str, request: PageRequest
) -> Page[RepresentativeInvitationView]:
    """The organisation's invitations that wait for an answer, newest first: for its owners and admins, so an
    owner can find one to withdraw."""
    actor = require_person(viewer)
    if await rt.graph.read(queries.representative_role, actor, org_id) not in ("owner", "admin"):
        raise ForbiddenError("Only owners and admins of this organisation see its pending invitations.")
    after = request.keyset(PENDING_INVITATIONS_CURSOR)
    rows, total = await rt.graph.read(queries.pending_invitations, org_id, after, request.size + 1)
    return await _invitation_page(rt, viewer, request, after, rows, total, PENDING_INVITATIONS_CURSOR, "personId")


NO_PENDING_INVITATION = "There is no pending invitation from this organisation: it was answered or withdrawn."


async def accept_representative_invitation(
    rt: Runtime, viewer: Viewer, org_id: str
) -> tuple[OrganizationView | None, str]:
    """I accept an owner's invitation: from now on I represent the organisation with the role offered."""
    person_id = require_person(viewer)

    async def work(tx: AsyncManagedTransaction) -> str:
        if await queries.lock_organization(tx, org_id) != "active":
            raise NotFoundError("No active organisation has this id.")
        role = await queries.accept_invitation(tx, org_id, person_id, str(uuid.uuid4()))
        if role is None:
            raise ConflictError(NO_PENDING_INVITATION, field="organizationId")
        return role

    role = await rt.graph.write(work)
    (organization,) = await organizations_by_ids(rt, viewer, [org_id])
    return organization, role


async def decline_representative_invitation(rt: Runtime, viewer: Viewer, org_id: str) -> OrganizationView | None:
    """I decline an owner's invitation: it is gone, and nothing was ever granted."""
    person_id = require_person(viewer)

    async def work(tx: AsyncManagedTransaction) -> None:
        if await queries.lock_organization(tx, org_id) is None:
            raise NotFoundError("No organisation has this id.")
        if await queries.delete_invitation(tx, org_id, person_id) is None:
            raise ConflictError(NO_PENDING_INVITATION, field="organizationId")

    await rt.graph.write(work)
    return (await organizations_by_ids(rt, viewer, [org_id]))[0]


async def withdraw_representative_invitation(
    rt: Runtime, viewer: Viewer, org_id: str, person_id: str
) -> OrganizationView | None:
    """Owners (the inviter among them) take back an invitation that has not been answered yet."""
    actor = require_person(viewer)

    async def work(tx: AsyncManagedTransaction) -> None:
        if await queries.lock_organization(tx, org_id) is None:
            raise NotFoundError("No organisation has this id.")
        if await queries.representative_role(tx, actor, org_id) != "owner":
            raise ForbiddenError("Only an owner of this organisation may withdraw its invitations.")
        if await queries.delete_invitation(tx, org_id, person_id) is None:
            raise ConflictError("This person has no pending invitation from this organisation.", field="personId")

    await rt.graph.write(work)
    return (await organizations_by_ids(rt, viewer, [org_id]))[0]


async def representatives(rt: Runtime, viewer: Viewer, org_ids: list[str]) -> list[list[Representative]]:
    rows = await rt.graph.read(queries.representatives_of, org_ids)
    people = dict(
        zip(
            [r["personId"] for r in rows], await persons_by_ids(rt, viewer, [r["personId"] for r in rows]), strict=False
        )
    )
    grouped: dict[str, list[Representative]] = {i: [] for i in org_ids}
    for r in rows:
        if people.get(r["personId"]) is not None:
            grouped[r["orgId"]].append(
                Representative(people[r["personId"]], r["orgId"], r["role"], r["since"].to_native())
            )
    return [grouped[i] for i in org_ids]


async def representation_history(rt: Runtime, viewer: Viewer, org_id: str) -> list[dict]:
    """Who granted or revoked which role, when: visible to the organisation's owners and admins."""
    actor = require_person(viewer)
    role = await rt.graph.read(queries.representative_role, actor, org_id)
    if role not in ("owner", "admin"):
        raise ForbiddenError("Only owners and admins of this organisation see its representation history.")
    rows = await rt.graph.read(queries.representation_history, org_id)
    ids = list({r["byId"] for r in rows} | {r["ofId"] for r in rows})
    people = dict(zip(ids, await persons_by_ids(rt, viewer, ids), strict=False))
    return [
        {**r["change"], "at": r["change"]["at"].to_native(), "by": people.get(r["byId"]), "of": people.get(r["ofId"])}
        for r in rows
    ]


# --- acting for an organisation ------------------------------------------------------------------------------------

ACTING_ROLES = ("owner", "admin")
"""Representative roles that may act for an organisation (sell, buy, pay); members only represent it."""


async def act_for(
    tx: AsyncManagedTransaction, viewer: Viewer, organization_id: str | None, *, level: int, action: str
) -> str:
    """The actor a request acts as: the signed-in person (verified at ``level``), or the organisation they own or
    administer when ``organization_id`` is given. Runs inside the caller's transaction, so a revoked role cannot
    slip between the check and the change. FORBIDDEN names what is missing."""
    person_id = require_level(viewer, level, action)
    if organization_id is None:
        return person_id
    row = await queries.acting_role(tx, person_id, organization_id)
    if row is None or row["status"] != "active":
        raise NotFoundError("No active organisation has this id.")
    if row["role"] not in ACTING_ROLES:
        raise ForbiddenError(
            f"To {action} for this organisation you must be its owner or admin.",
            extensions={"requiredRepresentativeRole": list(ACTING_ROLES)},
        )
    return organization_id


async def acting_actor(rt: Runtime, viewer: Viewer, organization_id: str | None, *, level: int, action: str) -> str:
    """``act_for`` in a read transaction of its own, for reads (statements, my listings)."""
    return await rt.graph.read(lambda tx: act_for(tx, viewer, organization_id, level=level, action=action))


# --- search ------------------------------------------------------------------------------------------------------------------

#: Cursors of actors(search:): the position in the ranked list of matches.
ACTOR_SEARCH_CURSOR = CursorKind("actors", (INT,))


async def search_actors(
    rt: Runtime, viewer: Viewer, text: str, request: PageRequest
) -> Page[PersonView | OrganizationView]:
    """People and organisations by name, with or without diacritics; every person through person_view."""
    query = fulltext_query(text, field="search")
    key = request.after_key(ACTOR_SEARCH_CURSOR)
    offset = key[0] + 1 if key else 0
    hits = await rt.graph.read(queries.search_actors, query, offset, request.size + 1)
    page = hits[: request.size]
    person_ids = [h["id"] for h in page if h["kind"] == "person"]
    org_ids = [h["id"] for h in page if h["kind"] == "organization"]
    views: dict[str, Any] = dict(zip(person_ids, await persons_by_ids(rt, viewer, person_ids), strict=False))
    views.update(zip(org_ids, await organizations_by_ids(rt, viewer, org_ids), strict=False))
    items = [views[h["id"]] for h in page if views.get(h["id"]) is not None]
    return Page(
        items=items,
        cursors=[ACTOR_SEARCH_CURSOR.encode(h["position"]) for h in page if views.get(h["id"]) is not None],
        has_next_page=len(hits) > request.size,
        has_previous_page=offset > 0,
    )


# --- my data, closing the account --------------------------------------------------------------------------------------------


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if hasattr(value, "iso_format"):
        return value.iso_format()
    return value


async def my_data(rt: Runtime, viewer: Viewer) -> dict:
    """Everything the platform holds about me, as JSON. Document numbers are not held, so not shown."""
    person_id = require_person(viewer)
    data = await rt.graph.read(queries.my_data, person_id)
    if data is None:
        raise NotFoundError("Your account no longer exists.")
    exported = _jsonable(data)
    exported["exportedAt"] = datetime.now(UTC).isoformat()
    exported["note"] = (
        "Identity document numbers are never stored: only a keyed digest and the last 4 characters. "
        "Passwords are stored as argon2id hashes and not exported."
    )
    return exported


async def close_account(rt: Runtime, viewer: Viewer, password: str, *, address: str | None = None) -> None:
    """Erase personal fields, revoke sessions; keep the identity digest so the document cannot open a
    second account. Content I wrote is anonymised (shown under the closed-account name). The password is
    checked under the sign-in throttle, outside any transaction."""
    person_id = require_person(viewer)
    wrong = UserInputError("The password is wrong.", code=INVALID_CREDENTIALS, field="password")
    current_password = await throttle.check_current_password(rt, person_id, password, address=address, wrong=wrong)

    async def work(tx: AsyncManagedTransaction) -> bool:
        if not await current_password.confirm(tx):
            return False
        await queries.close_account(tx, person_id, CLOSED_NAME)
        await _sync_ward_community(tx, person_id)
        return True

    if not await rt.graph.write(work):
        raise wrong
