"""Which texts of a survey definition lack a language.

A definition stores every text a person reads (titles, descriptions, question texts, help, option, row, column,
field and dimension labels, headline phrases, commitment titles) as a {language: text} mapping. English is
required by the loader; `language_gaps` lists, for each of the other languages asked for, the places of the texts
that have none, so that `load_survey` can report them and `load_survey --require-languages` can refuse the file.
Places read like the loader's problems, with codes instead of positions where an element has a code:
`areas[PRV].sections[PRV.SUP].items[PRV.SUP.01].help`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from .definitions import LANGUAGES


def _is_texts(value: Any) -> bool:
    return isinstance(value, dict) and bool(value) and set(value) <= set(LANGUAGES) and "en" in value


def _texts(value: Any, path: str) -> Iterator[tuple[str, dict[str, str]]]:
    """Every {language: text} mapping in a canonical definition, with its place."""
    if _is_texts(value):
        yield path, value
        return
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _texts(child, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            code = child.get("code") if isinstance(child, dict) else None
            yield from _texts(child, f"{path}[{code if isinstance(code, str) and code else index}]")


def language_gaps(definition: dict[str, Any], languages: Iterable[str] = LANGUAGES) -> dict[str, list[str]]:
    """{language: [place, ...]} of the texts without that language; languages without gaps are left out."""
    wanted = [lang for lang in LANGUAGES if lang in set(languages)]
    gaps: dict[str, list[str]] = {}
    for path, texts in _texts(definition, ""):
        for lang in wanted:
            if not texts.get(lang, "").strip():
                gaps.setdefault(lang, []).append(path)
    return {lang: gaps[lang] for lang in wanted if lang in gaps}


def text_count(definition: dict[str, Any]) -> int:
    return sum(1 for _ in _texts(definition, ""))
