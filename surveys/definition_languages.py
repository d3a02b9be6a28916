"""Which texts of a survey definition lack a language.

A definition stores every text a person reads (titles, descriptions, question texts, help, option, row, column,
field and dimension labels, headline phrases, commitment titles) as a {language: text} mapping. English is
required by the loader; `language_gaps` lists, for each of the other languages asked for, the places of the texts
that have none, so that `load_survey` can report them and `load_survey --require-languages` can refuse the file.
Places read like the loader's problems, with codes instead of positions where an element has a code:
`areas[PRV].sections[PRV.SUP].items[PRV.SUP.01].help`; `text_place` says such a place in words for a person
("question PRV.SUP.01 help", "round title").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

from django.utils.translation import gettext as _

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


_SURVEY = re.compile(r"^survey\.(title|description)$")
_AREA = re.compile(r"^areas\[([^\]]+)\]\.(title|description)$")
_SECTION = re.compile(r"\.sections\[([^\]]+)\]\.(title|description)$")
_ITEM = re.compile(r"\.items\[([^\]]+)\]\.(.+)$")
_OPTION = re.compile(r"^options\[([^\]]+)\]\.label$")
_ROW = re.compile(r"^rows\[([^\]]+)\]\.label$")
_LIST_OPTION = re.compile(r"^option_sets\.([^.]+)\.options\[([^\]]+)\]\.label$")


def text_place(path: str) -> str:
    """A place of `language_gaps` in words ("round title", "question PRV.SUP.01 text"); the path itself for a
    place without words of its own."""
    if match := _SURVEY.match(path):
        return _("round title") if match.group(1) == "title" else _("round description")
    if match := _AREA.match(path):
        if match.group(2) == "title":
            return _("area %(code)s title") % {"code": match.group(1)}
        return _("area %(code)s description") % {"code": match.group(1)}
    if match := _SECTION.search(path):
        if match.group(2) == "title":
            return _("section %(code)s title") % {"code": match.group(1)}
        return _("section %(code)s description") % {"code": match.group(1)}
    if match := _LIST_OPTION.match(path):
        return _("option %(option)s of list %(list)s") % {"option": match.group(2), "list": match.group(1)}
    if match := _ITEM.search(path):
        code, rest = match.groups()
        if rest == "text":
            return _("question %(code)s text") % {"code": code}
        if rest == "help":
            return _("question %(code)s help") % {"code": code}
        if option := _OPTION.match(rest):
            return _("question %(code)s option %(option)s") % {"code": code, "option": option.group(1)}
        if row := _ROW.match(rest):
            return _("question %(code)s row %(row)s") % {"code": code, "row": row.group(1)}
        return _("question %(code)s: %(place)s") % {"code": code, "place": rest}
    return path
