"""Registering a person: the one account of a real identity, opened at assurance level 0."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime

from neo4j import AsyncManagedTransaction

from auth import limits
from auth.passwords import check_policy, hash_password
from auth.sessions import issue_tokens, open_session
from auth.viewer import Viewer
from core.errors import ConflictError, Problems, UserInputError
from core.runtime import Runtime
from core.text import fold
from graph import identity as queries
from graph.identity import NewContact, NewDocument
from identity import privacy
from identity.account import me
from identity.contacts import normalise_email, normalise_phone
from identity.documents import CheckedDocument, Sex, check_cccd, check_passport
from identity.model import IssuedTokens, PersonView
from identity.names import check_name
from identity.profile import check_roles, check_sectors
from places.communes import require_commune
from social.wards import join_ward_community

DUPLICATE_IDENTITY = (
    "An account already exists for this identity document. Each person has one account: "
    "sign in, or reset your password with a verified phone or e-mail."
)


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


def _check_document(reg: PersonRegistration) -> CheckedDocument:
    if reg.document_kind == "cccd":
        return check_cccd(
            reg.document_number, date_of_birth=reg.date_of_birth, sex=Sex(reg.sex), field="document.number"
        )
    if reg.document_kind == "passport":
        return check_passport(
            reg.document_country or "",
            reg.document_number,
            field="document.number",
            country_field="document.country",
        )
    raise UserInputError(
        "A person proves their identity with a citizen ID (CCCD) or a passport.", field="document.kind"
    )


def _check_birth_date(born: date) -> date:
    if not date(1900, 1, 1) <= born <= datetime.now(UTC).date():
        raise UserInputError("The date of birth must be between 1900-01-01 and today.", field="dateOfBirth")
    return born


def _check_ward_given(roles: list[str], ward_code: str | None) -> None:
    if "resident" in roles and not ward_code:
        raise UserInputError("A resident names the ward or commune they live in (wardCode).", field="wardCode")


TOO_MANY_REGISTRATIONS = "Too many accounts were opened from here or on the platform just now; try again later."


Limits = dict[str, tuple[int, int]]


def _registration_limits(rt: Runtime, address: str | None) -> tuple[Limits, Limits]:
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
    problems = Problems()  # every mistake of the input at once
    checked_name = problems.take(lambda: check_name(reg.full_name, "fullName"))
    problems.take(lambda: _check_birth_date(reg.date_of_birth))
    checked_roles = problems.take(lambda: check_roles(reg.roles))
    checked_document = problems.take(lambda: _check_document(reg))
    problems.take(lambda: _check_ward_given(checked_roles or [], reg.ward_code))
    phone = problems.take(lambda: normalise_phone(reg.phone or "")) if reg.phone else None
    email = problems.take(lambda: normalise_email(reg.email or "")) if reg.email else None
    checked_sectors = problems.take(lambda: check_sectors(reg.investor_sectors))
    user_inputs = [checked_name or reg.full_name, reg.phone or "", reg.email or "", str(reg.date_of_birth.year)]
    problems.take(lambda: check_policy(reg.password, user_inputs=user_inputs))
    problems.raise_if_any()
    assert checked_name is not None and checked_roles is not None and checked_document is not None
    full_name, roles, document, sectors = checked_name, checked_roles, checked_document, checked_sectors or []
    contacts: list[NewContact] = []
    if phone:
        contacts.append(NewContact(id=str(uuid.uuid4()), kind="phone", value=phone))
    if email:
        contacts.append(NewContact(id=str(uuid.uuid4()), kind="email", value=email))
    attempts, conflicts = _registration_limits(rt, address)
    digest = document.digest(rt.identity_key)

    async def claim(tx: AsyncManagedTransaction) -> bool:
        if reg.ward_code:
            await require_commune(tx, reg.ward_code)
        duplicate = await queries.document_registered(tx, digest)
        await limits.claim(tx, conflicts, TOO_MANY_REGISTRATIONS, count=duplicate)
        await limits.claim(tx, attempts, TOO_MANY_REGISTRATIONS)
        return duplicate

    if await rt.graph.write(claim):
        raise ConflictError(DUPLICATE_IDENTITY, field="document.number")
    password_hash = await hash_password(reg.password)
    person_id = str(uuid.uuid4())
    props: dict[str, object] = {
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
    document_props = NewDocument(
        id=str(uuid.uuid4()), kind=document.kind.value, digest=digest, last4=document.last4, country=document.country
    )

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
        await join_ward_community(tx, person_id)
        session_id, refresh = await open_session(tx, rt, person_id, user_agent)
        return person_id, session_id, refresh

    try:
        _, session_id, refresh = await rt.graph.write(work)
    except ConflictError as exc:  # registered in parallel since the claim: counted like any duplicate
        await rt.graph.write(lambda tx: limits.claim(tx, conflicts, TOO_MANY_REGISTRATIONS))
        raise ConflictError(DUPLICATE_IDENTITY, field="document.number") from exc
    tokens = issue_tokens(rt, person_id, session_id, 0, refresh)
    newcomer = Viewer(kind="person", actor_id=person_id, session_id=session_id, roles=frozenset(roles))
    return await me(rt, newcomer), tokens
