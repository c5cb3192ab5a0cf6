"""Vietnamese-aware text helpers: search keys keep matching with or without diacritics."""

from __future__ import annotations

import re
import unicodedata

from core.errors import UserInputError

_MARKS = re.compile(r"[\u0300-\u036f]")
_SPACES = re.compile(r"\s+")
_SURROGATE = re.compile("[\ud800-\udfff]")


def is_unicode(text: str) -> bool:
    """False when ``text`` holds a lone UTF-16 surrogate (``"\\ud800"`` without its pair, U+D800-U+DFFF): not Unicode
    text, so neither UTF-8, nor Neo4j, nor a JSON response can carry it. The one such check for requests, cursors,
    search text and stored text."""
    return _SURROGATE.search(text) is None


def fold(text: str) -> str:
    """ "Nguyễn Văn Ấn" -> "nguyen van an": lower-case, diacritics removed (đ -> d), spaces collapsed."""
    decomposed = unicodedata.normalize("NFD", text or "")
    stripped = _MARKS.sub("", decomposed).replace("đ", "d").replace("Đ", "D")
    return _SPACES.sub(" ", stripped).strip().lower()


def nfc(text: str) -> str:
    """Stored names are Unicode NFC with single spaces."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text or "")).strip()


# --- full-text search: the one place a client's text becomes a Lucene query ------------------------------------------

#: Bounds of every full-text search (actors, postSearch, communities, listings): Lucene refuses a query of more than
#: 1,024 clauses and a term of more than a few thousand bytes, so longer text is a clear INVALID_INPUT instead.
MAX_SEARCH_LENGTH = 200
MAX_SEARCH_WORDS = 20

_LUCENE_SPECIAL = re.compile(r'([+\-&|!(){}\[\]^"~*?:\\/])')


def _escape(word: str) -> str:
    return _LUCENE_SPECIAL.sub(r"\\\1", word)


def search_words(text: str, *, field: str) -> list[str]:
    """The words of a search text (NFC, lower-cased; words without a letter or digit dropped), checked once for
    every full-text search: at most MAX_SEARCH_LENGTH characters and MAX_SEARCH_WORDS words, at least one word."""
    cleaned = nfc(text)
    if not is_unicode(cleaned):
        raise UserInputError("Search text must be valid Unicode text.", field=field)
    if len(cleaned) > MAX_SEARCH_LENGTH:
        raise UserInputError(
            "Search text has at most {limit} characters.", field=field, params={"limit": MAX_SEARCH_LENGTH}
        )
    words = [w for w in cleaned.lower().split(" ") if any(ch.isalnum() for ch in w)]
    if len(words) > MAX_SEARCH_WORDS:
        raise UserInputError("Search text has at most {limit} words.", field=field, params={"limit": MAX_SEARCH_WORDS})
    if not words:
        raise UserInputError("Type at least one letter or digit to search.", field=field)
    return words


def fulltext_query(text: str, *, field: str = "search") -> str:
    """A Lucene query matching every word of ``text`` (folded) as a prefix, special characters escaped; for indexes
    that hold folded text only (actors' names, listings)."""
    words = [_escape(fold(w)) for w in search_words(text, field=field)]
    return " AND ".join(f"{w}*" for w in words if w)


def search_query(text: str, *, field: str = "text", optional_words: frozenset[str] = frozenset()) -> str:
    """A Lucene query for the full-text indexes that hold each name or text twice: as written (lower-cased by the
    analyzer, diacritics kept) and folded (``fold``: no diacritics).

    Every word must match, as a prefix, in either form: "Nguyen Van An" and "nguyễn văn an" both find
    "Nguyễn Văn An"; a whole-word match scores higher than a longer word it begins. Words in ``optional_words``
    (compared folded) only raise the score.
    """
    clauses = []
    for word in search_words(text, field=field):
        folded = fold(word)
        forms = [f for f in dict.fromkeys([_escape(folded), _escape(word)]) if f]
        alternatives = " OR ".join([f"{f}^2" for f in forms] + [f"{f}*" for f in forms])
        required = "" if folded in optional_words else "+"
        clauses.append(f"{required}({alternatives})")
    return " ".join(clauses)


# --- stored text: the one rule for every free text and list of words a client sends to be kept ----------------------


def checked_text(
    value: str | None, *, field: str, max_length: int, required: bool = False, empty: str = "Write something first."
) -> str | None:
    """Free text to store (a post, a reason, a message, a description): Unicode NFC, stripped; None when blank and not
    ``required``. INVALID_INPUT naming ``field`` when it is blank but required (message ``empty``), longer than
    ``max_length`` characters, or not valid Unicode (a lone surrogate)."""
    cleaned = unicodedata.normalize("NFC", value or "").strip()
    if not is_unicode(cleaned):
        raise UserInputError("Text must be valid Unicode.", field=field)
    if not cleaned:
        if required:
            raise UserInputError(empty, field=field)
        return None
    if len(cleaned) > max_length:
        raise UserInputError("At most {limit} characters.", field=field, params={"limit": max_length})
    return cleaned


def checked_words(values: list[str] | None, *, field: str, max_items: int, max_length: int) -> list[str]:
    """A list of short texts to store (investor sectors): each NFC with single spaces, blanks and repeats dropped,
    sorted; INVALID_INPUT naming ``field`` past ``max_items`` items or ``max_length`` characters in one."""
    if values is not None and len(values) > max_items * 4:  # refuse a huge list before looking at each item
        raise UserInputError("At most {limit} items.", field=field, params={"limit": max_items})
    words = set()
    for value in values or []:
        word = checked_text(nfc(value), field=field, max_length=max_length)
        if word:
            words.add(word)
    if len(words) > max_items:
        raise UserInputError("At most {limit} items.", field=field, params={"limit": max_items})
    return sorted(words)
