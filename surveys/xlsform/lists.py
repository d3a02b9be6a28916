"""The texts of a row in our six languages, and the choices sheet: what an answer type may ask while it reads its
fields back (`answer_types.XlsformReader`: a question's options, a breakdown table's dimensions).

A list named like an option set code (letters, digits, underscores) is an option set, used or not, kept in sheet
order; a question's own list is named by the question's code (`writing.py`), which has dots. A choice name that is
not a code is written as one (`n-1` -> `n_1`), a name repeated in a list (allowed with choice filters) is kept once,
and each such change is listed with its row.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _

from .. import answer_types as at
from ..definition_reader import CODE_RE, LANGUAGES
from ..models import REFERENCE_PERIOD
from .languages import language_of
from .reading import Unmapped, normalised, option_code
from .writing import VALUES_COLUMN


class ListsReader:
    def __init__(
        self, choices: list[Mapping[str, Any]], settings: Mapping[str, Any], survey_rows: list[dict[str, Any]]
    ) -> None:
        self.unmapped: list[Unmapped] = []
        self.places: dict[str, tuple[str, int]] = {}  # definition path -> (sheet, row)
        self.default_language = language_of(str(settings.get("default_language") or "")) or "en"
        self.lists: dict[str, list[tuple[int, dict[str, Any]]]] = {}
        for index, raw in enumerate(choices):
            row = normalised(raw)
            if row.get("list_name"):
                self.lists.setdefault(str(row["list_name"]), []).append((index + 2, row))
        self.option_sets: dict[str, Any] = {}
        for name in self.lists:
            if CODE_RE.match(name):
                self._option_set(name)
        self.survey_rows = survey_rows
        self._check_columns()

    # --- texts

    def _check_columns(self) -> None:
        seen: set[str] = set()
        for sheet, rows in (("survey", self.survey_rows), ("choices", [r for v in self.lists.values() for _n, r in v])):
            for row in rows:
                for key in row:
                    prefix, _sep, language = str(key).partition("::")
                    if prefix in ("label", "hint") and language and language_of(language) is None and key not in seen:
                        seen.add(key)
                        self.unmapped.append(
                            Unmapped(
                                sheet,
                                1,
                                _("column %(column)s") % {"column": key},
                                _("a round has texts in %(languages)s only") % {"languages": ", ".join(LANGUAGES)},
                            )
                        )

    def texts(self, row: Mapping[str, Any], prefix: str) -> dict[str, str]:
        texts: dict[str, str] = {}
        for key, value in row.items():
            head, _sep, language = str(key).partition("::")
            if head != prefix or value is None or not str(value).strip():
                continue
            lang = language_of(language) if language else self.default_language
            if lang is not None:
                texts.setdefault(lang, str(value).strip())
        if texts and "en" not in texts:
            # The loader needs an English text; a form without English shows its main language in its place.
            texts["en"] = texts.get(self.default_language) or next(iter(texts.values()))
        return texts

    # --- what a type may ask

    def options(self, cell: at.XlsCell) -> Any:
        owner = cell.question if not cell.row else f"{cell.question}-{cell.row}"
        if cell.list_name == owner or cell.list_name == cell.question:
            return self._choice_list(cell.list_name)
        return self._option_set(cell.list_name)

    def _choice_list(self, name: str) -> list[dict[str, Any]]:
        result = []
        seen: set[str] = set()
        for row_number, row in self.lists.get(name, []):
            code = option_code(row.get("name", ""))
            if code in seen:
                # A list filtered by a choice_filter may repeat a name (allow_choice_duplicates); an option is once.
                self.unmapped.append(
                    Unmapped(
                        "choices",
                        row_number,
                        _("choice name %(name)s") % {"name": repr(row.get("name"))},
                        _("it is already an option of list %(list)s") % {"list": name},
                    )
                )
                continue
            seen.add(code)
            if code != str(row.get("name", "")).strip():
                self.unmapped.append(
                    Unmapped(
                        "choices",
                        row_number,
                        _("choice name %(name)s") % {"name": repr(row.get("name"))},
                        _("written as option code %(code)s (letters, digits and underscores only)")
                        % {"code": repr(code)},
                    )
                )
            result.append({"code": code, "label": self.texts(row, "label") or {"en": code}})
        return result

    def _option_set(self, name: str) -> str:
        code = option_code(name)
        if code not in self.option_sets:
            self.option_sets[code] = {"options": self._choice_list(name)}
            if name in self.lists:
                self.places[f"option_sets.{code}"] = ("choices", self.lists[name][0][0])
        return code

    def dimensions(self, code: str, cells: list[at.XlsCell]) -> list[dict[str, Any]]:
        result = []
        for _row_number, row in self.lists.get(f"{code}-dimensions", []):
            dim = str(row.get("name", ""))
            source = str(row.get(VALUES_COLUMN) or "")
            values: Any
            if source == REFERENCE_PERIOD:
                values = REFERENCE_PERIOD
            elif source:
                values = self._option_set(source)
            else:
                values = self._choice_list(f"{code}-{dim}")
            result.append({"code": dim, "label": self.texts(row, "label"), "values": values})
        return result
