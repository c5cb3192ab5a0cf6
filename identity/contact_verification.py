"""My phones and e-mails: adding one, and proving it with a one-time code (assurance level 1)."""

from __future__ import annotations

import uuid
from typing import Literal

from neo4j import AsyncManagedTransaction

from auth import identifiers, limits, otp
from auth.permissions import authorize
from auth.viewer import Viewer
from core.errors import ConflictError, NotFoundError, UnauthenticatedError, UserInputError
from core.runtime import Runtime
from graph import identity as queries
from graph.identity import Contact
from identity.account import ACCOUNT_GONE, contact_view, me
from identity.contacts import normalise_email, normalise_phone
from identity.model import ContactView, PersonView

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
    owner = await identifiers.verified_contact_owner(tx, kind, value)
    return owner is not None and owner.person_id != person_id


TOO_MANY_CONTACTS_TAKEN = (
    "Too many phones or e-mails you tried to add today are used by other accounts; try again tomorrow."
)


async def add_contact(rt: Runtime, viewer: Viewer, kind: str, value: str) -> ContactView:
    """Add a phone or e-mail to my account (unverified); refused when another account verified it.

    Such refusals say a contact is registered, so they are counted per account and day, in the same
    transaction and under the limit's lock; once spent, every contactAdd of the account is
    RATE_LIMITED for the rest of the day, so the answer stops telling anything."""
    person_id = authorize(viewer, "identity.contact.add")
    normalised = _contact_value(kind, value)
    refusals = {
        f"contact-conflicts:account:{person_id}": (rt.settings.contact_conflicts_per_account_per_day, limits.DAY)
    }

    async def work(tx: AsyncManagedTransaction) -> Contact | None | Literal[False]:
        taken = await _verified_elsewhere(tx, person_id, kind, normalised)
        await limits.claim(tx, refusals, TOO_MANY_CONTACTS_TAKEN, count=taken)
        if taken:
            return False  # refused after commit, so the refusal stays counted
        return await queries.add_contact(tx, person_id, str(uuid.uuid4()), kind, normalised)

    contact = await rt.graph.write(work)
    if contact is False:
        raise ConflictError(CONTACT_TAKEN, field="value")
    if contact is None:
        raise UnauthenticatedError(ACCOUNT_GONE)
    return contact_view(contact)


async def start_contact_verification(rt: Runtime, viewer: Viewer, contact_id: str) -> ContactView:
    """Send a one-time code to one of my contacts."""
    person_id = authorize(viewer, "identity.contact.verify")

    async def work(tx: AsyncManagedTransaction) -> tuple[Contact, str | None]:
        contact = await queries.contact_of(tx, person_id, contact_id)
        if contact is None:
            raise NotFoundError("You have no contact with this id.", field="contactId")
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
    return contact_view(contact)


async def complete_contact_verification(
    rt: Runtime, viewer: Viewer, contact_id: str, code: str
) -> tuple[PersonView, ContactView]:
    """Prove a contact with its code: the contact becomes verified and the account reaches level 1. Returns me and
    the contact, both after the change."""
    person_id = authorize(viewer, "identity.contact.verify")

    async def work(tx: AsyncManagedTransaction) -> tuple[otp.CodeCheck, Contact]:
        contact = await queries.contact_of(tx, person_id, contact_id)
        if contact is None:
            raise NotFoundError("You have no contact with this id.", field="contactId")
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
            contact = await queries.contact_of(tx, person_id, contact_id) or contact
        return checked, contact

    try:
        checked, contact = await rt.graph.write(work)
    except ConflictError as exc:
        raise ConflictError(CONTACT_TAKEN, field="contactId") from exc
    if not checked.ok:
        raise UserInputError(
            "This code is wrong, expired or already used ({attempts} attempts left); ask for a new one if needed.",
            code="INVALID_CODE",
            field="code",
            params={"attempts": checked.attempts_left},
        )
    return await me(rt, viewer), contact_view(contact)
