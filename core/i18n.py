"""Messages in the caller's language: English templates, Vietnamese catalogs, ``Accept-Language`` negotiation.

Every message the API shows a person (payload errors, top-level errors) is an English template such as
``"Names are at most {limit} characters."`` with its values kept apart (``AppError.params``). The template is
the key of the Vietnamese catalogs, standard gettext ``.po`` files under ``core/locales/vi/`` (one per domain, so
translators and reviewers read them with ordinary tools), read with Babel. ``negotiate`` picks ``vi`` or ``en``
from an ``Accept-Language`` header (English when the header is missing or names neither). A template missing from
the catalog falls back to English; ``tests/foundation/test_messages.py`` keeps every template translated.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.messages.pofile import read_po

LOCALES_DIR = Path(__file__).parent / "locales"
#: Languages the API answers in, the first being the default.
LANGUAGES = ("en", "vi")
DEFAULT_LANGUAGE = "en"
#: Longest Accept-Language header read (a browser sends well under 200 characters).
MAX_HEADER = 500


@cache
def catalog(language: str) -> dict[str, str]:
    """Template -> translation for ``language`` (empty for English), from every ``.po`` file of the language."""
    translations: dict[str, str] = {}
    for path in sorted((LOCALES_DIR / language).glob("*.po")):
        with path.open("rb") as source:
            for message in read_po(source, locale=language):
                if message.id and message.string and not message.fuzzy:
                    translations[str(message.id)] = str(message.string)
    return translations


def translate(template: str, params: dict[str, Any], language: str) -> str:
    """``template`` in ``language`` with ``params`` filled in; English when no translation exists."""
    text = catalog(language).get(template, template) if language != DEFAULT_LANGUAGE else template
    if not params:
        return text
    try:
        return text.format(**params)
    except (KeyError, IndexError, ValueError):  # a translation with a broken placeholder: never fail the request
        return template.format(**params)


def negotiate(header: str | None) -> str:
    """``vi`` or ``en`` for an ``Accept-Language`` header (``vi-VN,vi;q=0.9,en;q=0.8``), by quality then order."""
    if not header or len(header) > MAX_HEADER:
        return DEFAULT_LANGUAGE
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")):
        tag, _, options = part.strip().partition(";")
        quality = 1.0
        for option in options.split(";"):
            name, _, value = option.strip().partition("=")
            if name.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if tag and quality > 0:
            ranked.append((-quality, position, tag.strip()))
    for _, _, tag in sorted(ranked):
        if tag == "*":
            return DEFAULT_LANGUAGE
        try:
            language = Locale.parse(tag.replace("-", "_")).language
        except (ValueError, UnknownLocaleError):
            continue
        if language in LANGUAGES:
            return language
    return DEFAULT_LANGUAGE
