"""Identity documents: format and consistency checks, and the keyed digest that replaces the number.

The number itself is never stored, logged or echoed. What the graph keeps is
``digest = HMAC-SHA256(key, "<kind>:<country>:<normalised number>")`` under a uniqueness constraint
(one account per document) and the last four characters, for display.

Citizen ID (CCCD, 12 digits, Circular 07/2016/TT-BCA and its successors):
- digits 1-3: province or city where the birth was registered (``data/cccd_province_codes.csv``);
- digit 4: century of birth and sex: 0/1 = 1900s male/female, 2/3 = 2000s, 4/5 = 2100s, 6/7 = 2200s,
  8/9 = 2300s;
- digits 5-6: last two digits of the birth year; digits 7-12: a random sequence.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import lru_cache
from pathlib import Path

from core.errors import Problems, UserInputError

DATA = Path(__file__).resolve().parent / "data"


class DocumentKind(StrEnum):
    CCCD = "cccd"
    PASSPORT = "passport"
    TAX_CODE = "tax_code"


class Sex(StrEnum):
    MALE = "male"
    FEMALE = "female"


@dataclass(frozen=True)
class CheckedDocument:
    """A document whose number passed the checks; ``normalised`` must never leave the process."""

    kind: DocumentKind
    normalised: str
    country: str  # ISO 3166-1 alpha-2; "VN" for CCCD and tax codes

    @property
    def last4(self) -> str:
        return self.normalised.replace("-", "")[-4:]

    def digest(self, key: bytes) -> str:
        message = f"{self.kind.value}:{self.country}:{self.normalised}".encode()
        return hmac.new(key, message, hashlib.sha256).hexdigest()

    def __repr__(self) -> str:  # never print the number, even in a traceback or a debug log
        return f"CheckedDocument(kind={self.kind.value}, country={self.country}, last4={self.last4})"


@lru_cache(maxsize=1)
def province_codes() -> dict[str, str]:
    with open(DATA / "cccd_province_codes.csv", newline="", encoding="utf-8") as handle:
        return {row["code"]: row["province"] for row in csv.DictReader(handle)}


_CENTURY_BASE = {0: 1900, 1: 2000, 2: 2100, 3: 2200, 4: 2300}
_SPACES = re.compile(r"[\s.]+")


def check_cccd(number: str, *, date_of_birth: date, sex: Sex, field: str = "number") -> CheckedDocument:
    """Validate a 12-digit citizen ID against the declared birth date and sex."""
    digits = _SPACES.sub("", number or "")
    if not digits.isdigit() or not digits.isascii():
        raise UserInputError("A citizen ID (CCCD) has digits only.", field=field)
    if len(digits) != 12:
        raise UserInputError(
            "A citizen ID (CCCD) has 12 digits; this one has {count}.", field=field, params={"count": len(digits)}
        )
    if digits[:3] not in province_codes():
        raise UserInputError(
            "The first three digits of a citizen ID are a province code; this one is not on the official list.",
            field=field,
        )
    gender_century = int(digits[3])
    century = _CENTURY_BASE[gender_century // 2]
    declared_sex = Sex.MALE if gender_century % 2 == 0 else Sex.FEMALE
    if not century <= date_of_birth.year < century + 100:
        raise UserInputError(
            "The fourth digit of the citizen ID encodes the century of birth, which does not match the date of birth.",
            field=field,
        )
    if declared_sex != sex:
        raise UserInputError(
            "The fourth digit of the citizen ID encodes the sex, which does not match the declared sex.", field=field
        )
    if digits[4:6] != f"{date_of_birth.year % 100:02d}":
        raise UserInputError(
            "Digits 5-6 of the citizen ID are the last two digits of the birth year, which do not match the date of birth.",
            field=field,
        )
    return CheckedDocument(DocumentKind.CCCD, digits, "VN")


_PASSPORT = re.compile(r"^[A-Z0-9]{6,9}$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")


def check_passport(
    country: str, number: str, *, field: str = "number", country_field: str = "country"
) -> CheckedDocument:
    """A passport: issuing country (ISO 3166-1 alpha-2) and 6-9 letters or digits; both mistakes at once."""
    problems = Problems()
    country_code = (country or "").strip().upper()
    if not _COUNTRY.match(country_code):
        problems.add(
            UserInputError("The issuing country is a two-letter ISO 3166-1 code, e.g. JP or FR.", field=country_field)
        )
    normalised = re.sub(r"[\s-]+", "", number or "").upper()
    if not _PASSPORT.match(normalised):
        problems.add(UserInputError("A passport number has 6 to 9 letters or digits.", field=field))
    problems.raise_if_any()
    return CheckedDocument(DocumentKind.PASSPORT, normalised, country_code)


_TAX_CODE = re.compile(r"^\d{10}(-\d{3})?$")


def check_tax_code(code: str, *, field: str = "taxCode") -> CheckedDocument:
    """A Vietnamese tax code: 10 digits, or 10 digits + "-" + 3 digits for a branch."""
    normalised = re.sub(r"\s+", "", code or "")
    if not _TAX_CODE.match(normalised):
        raise UserInputError(
            'A tax code has 10 digits, or 10 digits, "-" and 3 digits for a branch (e.g. 0101234567-001).', field=field
        )
    return CheckedDocument(DocumentKind.TAX_CODE, normalised, "VN")
