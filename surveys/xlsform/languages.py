"""Our six languages as XLSForm language columns, and the language of a column an XLSForm from elsewhere has.

XLSForm names a language in the column header after `::`; KoboToolbox and ODK recommend `Name (code)`. We write
`label::English (en)`, `label::Français (fr)` …; we read that form, a bare code (`label::fr`) and the English or
own name of the language (`label::French`, `label::Français`).
"""

from __future__ import annotations

import re

from ..definition_reader import LANGUAGES

COLUMN_NAMES = {
    "en": "English (en)",
    "fr": "Français (fr)",
    "de": "Deutsch (de)",
    "it": "Italiano (it)",
    "ru": "Русский (ru)",
    "es": "Español (es)",
}
_BY_NAME = {
    "english": "en",
    "french": "fr",
    "français": "fr",
    "francais": "fr",
    "german": "de",
    "deutsch": "de",
    "italian": "it",
    "italiano": "it",
    "russian": "ru",
    "русский": "ru",
    "spanish": "es",
    "español": "es",
    "espanol": "es",
}
_CODE_IN_BRACKETS = re.compile(r"\(([A-Za-z]{2,3})(?:[-_][A-Za-z]+)?\)\s*$")


def language_of(name: str) -> str | None:
    """Our language code for an XLSForm language name; None for a language we do not have."""
    name = name.strip()
    match = _CODE_IN_BRACKETS.search(name)
    if match and match.group(1).lower() in LANGUAGES:
        return match.group(1).lower()
    if name.lower() in LANGUAGES:
        return name.lower()
    bare = _CODE_IN_BRACKETS.sub("", name).strip().lower()
    return _BY_NAME.get(bare)


def column(prefix: str, language: str) -> str:
    return f"{prefix}::{COLUMN_NAMES[language]}"
