"""Translated texts stored as {language code: text} mappings, with English as the fallback."""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Mapping

from django.conf import settings
from django.utils import translation

FALLBACK_LANGUAGE = "en"


def language_codes() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def pick_text(value: str | Mapping[str, str] | None, language: str | None = None) -> str:
    """A text that is either the same in every language (a plain string) or a {language: text} mapping."""
    if isinstance(value, str):
        return value
    return pick(value, language)


def pick(texts: Mapping[str, str] | None, language: str | None = None) -> str:
    """The text in `language` (default: the active language), else English, else any text there is."""
    if not texts:
        return ""
    language = (language or translation.get_language() or FALLBACK_LANGUAGE).split("-")[0]
    return texts.get(language) or texts.get(FALLBACK_LANGUAGE) or next(iter(texts.values()), "")


@functools.lru_cache(maxsize=8192)  # names repeat on every list: each is normalised once per process
def name_sort_key(name: str) -> str:
    """A name's place in an alphabetical list in any of the six languages, accents aside: "Österreich" among the O's,
    "Émirats" among the E's (Cyrillic sorts by its own alphabet, Ё aside)."""
    return "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c)).casefold()
