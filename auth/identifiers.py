"""Sign-in identifiers: what a person signs in with, besides their password.

A citizen ID or a passport (looked up by its keyed digest, ``identity.documents``), or a phone or e-mail that one
account verified. A verified contact is kept under its *verified key*, ``<kind>:<value>`` (``phone:+84912345678``,
``email:an@example.vn``; the graph sets it when the contact is verified), so a contact verified by one account can
neither be verified by another nor sign anyone else in.
"""

from __future__ import annotations

import re

from neo4j import AsyncManagedTransaction

from core.runtime import Runtime
from graph import auth as queries
from graph.auth import ContactOwner
from identity.contacts import looks_like_email, normalise_email, normalise_phone
from identity.documents import CheckedDocument, DocumentKind, check_passport

_PASSPORT_IDENTIFIER = re.compile(r"^([A-Za-z]{2})\s*[:\s]\s*([A-Za-z0-9][A-Za-z0-9\s-]*)$")


def verified_key(kind: str, value: str) -> str:
    """The key a verified contact is kept under: ``kind`` is ``phone`` or ``email``, ``value`` normalised."""
    return f"{kind}:{value}"


async def verified_contact_owner(tx: AsyncManagedTransaction, kind: str, value: str) -> ContactOwner | None:
    """The account that verified this phone or e-mail (normalised), and its contact; None when none did."""
    return await queries.verified_contact_owner(tx, verified_key(kind, value))


def lookup_key(rt: Runtime, identifier: str) -> tuple[str, str]:
    """('document', digest) for a 12-digit citizen ID or a passport written as its issuing country and number
    ("JP TZ1234567", "JP:TZ1234567"), else ('contact', verified key)."""
    raw = (identifier or "").strip()
    compact = raw.replace(" ", "").replace(".", "")
    if compact.isdigit() and len(compact) == 12:
        return "document", CheckedDocument(DocumentKind.CCCD, compact, "VN").digest(rt.identity_key)
    if looks_like_email(raw):
        return "contact", verified_key("email", normalise_email(raw, field="identifier"))
    passport = _PASSPORT_IDENTIFIER.match(raw)
    if passport:  # two letters first: never a phone number (those start with + or a digit)
        return "document", check_passport(
            passport[1], passport[2], field="identifier", country_field="identifier"
        ).digest(rt.identity_key)
    return "contact", verified_key("phone", normalise_phone(raw, field="identifier"))


def contact_channel(contact: str, *, field: str = "contact") -> tuple[str, str, str]:
    """(channel, kind, normalised value) of a phone or e-mail typed by someone: ``sms``/``phone`` or
    ``email``/``email``. UserInputError on ``field`` when it is neither."""
    if looks_like_email(contact):
        return "email", "email", normalise_email(contact, field=field)
    return "sms", "phone", normalise_phone(contact, field=field)
