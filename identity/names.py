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
from dataclasses import dataclass

from core.errors import UserInputError
from core.text import nfc

MIN_LENGTH = 2
MAX_LENGTH = 120
NAME_PUNCTUATION = "'’-.,&()/"
MAX_MARKS_PER_LETTER = 2

#: Community names (groups: "CLB Yoga #2: buổi sáng!") may also use these; the rest of the rule is the same.
COMMUNITY_PUNCTUATION = NAME_PUNCTUATION + ':#!?+"“”–—'


@dataclass(frozen=True)
class NameMessages:
    """What the name rule says about one kind of name: whole English templates (``{low}``, ``{high}``,
    ``{allowed}`` filled in), each translated in ``core/locales/vi/identity.po``."""

    invisible: str
    length: str
    stacked: str
    symbols: str
    no_letter: str


#: The messages for each kind of name checked (``check_name``'s ``what``).
NAME_MESSAGES: dict[str, NameMessages] = {
    "A name": NameMessages(
        invisible="A name cannot contain invisible or control characters (zero-width spaces, direction overrides).",
        length="A name has {low} to {high} characters.",
        stacked="A name cannot stack accents on one letter.",
        symbols="A name uses letters, digits, spaces and {allowed} only (no markup or symbols).",
        no_letter="A name has at least one letter.",
    ),
    "A community's name": NameMessages(
        invisible="A community's name cannot contain invisible or control characters (zero-width spaces, direction "
        "overrides).",
        length="A community's name has {low} to {high} characters.",
        stacked="A community's name cannot stack accents on one letter.",
        symbols="A community's name uses letters, digits, spaces and {allowed} only (no markup or symbols).",
        no_letter="A community's name has at least one letter.",
    ),
}


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
    and ``length``; ``what`` (a key of ``NAME_MESSAGES``) names the thing in messages."""
    says = NAME_MESSAGES[what]
    raw = name or ""
    if any(unicodedata.category(ch) in ("Cc", "Cf") for ch in raw.replace("\n", " ").replace("\t", " ")):
        raise UserInputError(says.invisible, field=field)
    cleaned = nfc(raw)
    low, high = length
    if not low <= len(cleaned) <= high:
        raise UserInputError(says.length, field=field, params={"low": low, "high": high})
    marks = 0
    for ch in cleaned:
        category = unicodedata.category(ch)
        if category.startswith("M"):
            marks += 1
            if marks > MAX_MARKS_PER_LETTER:
                raise UserInputError(says.stacked, field=field)
            continue
        marks = 0
        if not (category.startswith(("L", "N")) or ch == " " or ch in punctuation):
            raise UserInputError(says.symbols, field=field, params={"allowed": " ".join(punctuation)})
    if not any(unicodedata.category(ch).startswith("L") for ch in cleaned):
        raise UserInputError(says.no_letter, field=field)
    return cleaned
