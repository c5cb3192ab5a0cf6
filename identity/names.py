"""Names of people and organisations: what a name may contain.

A name is shown to other people next to everything its holder writes, so it must read as what it
is. Stored names are Unicode NFC with single spaces. Refused:
- control and format characters (Unicode Cc/Cf): zero-width spaces and joiners, bidirectional
  overrides that reverse how the rest of a line reads, soft hyphens...;
- markup and symbols (``<b>``, ``{{ }}``, emoji): a name uses letters, combining marks, digits,
  spaces and the punctuation names really use (`` ' ’ - . , & ( ) / ``);
- names without a letter (only digits or punctuation), and stacked combining marks (more than two
  on one letter: "Zalgo" text that paints over neighbouring lines).
"""

from __future__ import annotations

import unicodedata

from core.errors import UserInputError
from core.text import nfc

MIN_LENGTH = 2
MAX_LENGTH = 120
NAME_PUNCTUATION = "'’-.,&()/"
MAX_MARKS_PER_LETTER = 2

#: Community names (groups: "CLB Yoga #2: buổi sáng!") may also use these; the rest of the rule is the same.
COMMUNITY_PUNCTUATION = NAME_PUNCTUATION + ':#!?+"“”–—'


def check_name(
    name: str,
    field: str,
    *,
    punctuation: str = NAME_PUNCTUATION,
    length: tuple[int, int] = (MIN_LENGTH, MAX_LENGTH),
    what: str = "A name",
) -> str:
    """The stored form of a person's or an organisation's name, or INVALID_INPUT naming ``field``.

    Other names shown next to content (communities) use the same rule with their own ``punctuation``
    and ``length``; ``what`` names the thing in messages."""
    raw = name or ""
    if any(unicodedata.category(ch) in ("Cc", "Cf") for ch in raw.replace("\n", " ").replace("\t", " ")):
        raise UserInputError(
            f"{what} cannot contain invisible or control characters (zero-width spaces, direction overrides).",
            field=field,
        )
    cleaned = nfc(raw)
    low, high = length
    if not low <= len(cleaned) <= high:
        raise UserInputError(f"{what} has {low} to {high} characters.", field=field)
    marks = 0
    for ch in cleaned:
        category = unicodedata.category(ch)
        if category.startswith("M"):
            marks += 1
            if marks > MAX_MARKS_PER_LETTER:
                raise UserInputError(f"{what} cannot stack accents on one letter.", field=field)
            continue
        marks = 0
        if not (category.startswith(("L", "N")) or ch == " " or ch in punctuation):
            allowed = " ".join(punctuation)
            raise UserInputError(
                f"{what} uses letters, digits, spaces and {allowed} only (no markup or symbols).",
                field=field,
            )
    if not any(unicodedata.category(ch).startswith("L") for ch in cleaned):
        raise UserInputError(f"{what} has at least one letter.", field=field)
    return cleaned
