"""Vietnamese-aware text helpers: search keys keep matching with or without diacritics."""

from __future__ import annotations

import re
import unicodedata

_MARKS = re.compile(r"[\u0300-\u036f]")
_SPACES = re.compile(r"\s+")


def fold(text: str) -> str:
    """"Nguyễn Văn Ấn" -> "nguyen van an": lower-case, diacritics removed (đ -> d), spaces collapsed."""
    decomposed = unicodedata.normalize("NFD", text or "")
    stripped = _MARKS.sub("", decomposed).replace("đ", "d").replace("Đ", "D")
    return _SPACES.sub(" ", stripped).strip().lower()


def nfc(text: str) -> str:
    """Stored names are Unicode NFC with single spaces."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text or "")).strip()


_LUCENE_SPECIAL = re.compile(r'([+\-&|!(){}\[\]^"~*?:\\/])')


def fulltext_query(text: str) -> str:
    """A Lucene query matching every word of ``text`` (folded) as a prefix, special characters escaped."""
    words = [_LUCENE_SPECIAL.sub(r"\\\1", w) for w in fold(text).split(" ") if w]
    return " AND ".join(f"{w}*" for w in words)
