"""Contacts: phone numbers as E.164 (Vietnam by default), e-mail addresses normalised."""

from __future__ import annotations

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from core.errors import UserInputError


def normalise_phone(raw: str, *, field: str = "phone") -> str:
    """ "0912 345 678" or "+84912345678" -> "+84912345678"; other countries need their +code."""
    try:
        parsed = phonenumbers.parse(raw or "", "VN")
    except phonenumbers.NumberParseException as exc:
        raise UserInputError(
            "This is not a phone number; write it as 0912345678 or +84912345678.", field=field
        ) from exc
    if not phonenumbers.is_valid_number(parsed):
        raise UserInputError("This phone number does not exist in its country's numbering plan.", field=field)
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def normalise_email(raw: str, *, field: str = "email") -> str:
    """Syntax check and normalisation (Unicode NFC, lower-case domain and local part)."""
    try:
        checked = validate_email(raw or "", check_deliverability=False)
    except EmailNotValidError as exc:  # the library's reason is English only: the message says what is expected
        raise UserInputError("This is not a valid e-mail address; write it as name@example.vn.", field=field) from exc
    return checked.normalized.lower()


def looks_like_email(identifier: str) -> bool:
    return "@" in identifier
