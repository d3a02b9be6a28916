"""The workbook's fixed sheet names, number formats and fonts; how a value becomes a safe cell (`neutralise`,
`excel_value`); valid unique sheet names; and `Sheet`, a write-only worksheet that counts its rows.

The fixed sheet names are translated (`pgettext_lazy`, context "sheet name"): `str(SUMMARY)` is "Summary" in English
and the catalogue's name in the active language. `fixed_sheet_names` makes them valid in every language.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import pgettext_lazy
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

Progress = Callable[[int, str], None]

# Translators: the names of the Excel summary's sheets. Excel allows at most 31 characters and none of []:*?/\ ;
# longer names are cut.
SUMMARY = pgettext_lazy("sheet name", "Summary")
COUNTRY_MATRIX = pgettext_lazy("sheet name", "Country matrix")
SCORES = pgettext_lazy("sheet name", "Scores")
STATE_VS_NGO = pgettext_lazy("sheet name", "State vs NGO")
RAW_DATA = pgettext_lazy("sheet name", "Raw data")
KEY_FIGURES = pgettext_lazy("sheet name", "Key figures")
CODEBOOK = pgettext_lazy("sheet name", "Codebook")
FIXED_SHEETS: tuple[Promise, ...] = (SUMMARY, COUNTRY_MATRIX, SCORES, STATE_VS_NGO, KEY_FIGURES, CODEBOOK, RAW_DATA)
# The Raw data sheet's header: the answer-import column names (docs/answer-import-format.md), never translated.
RAW_HEADER = ("organisation", "kind", "country", "question", "row", "column", "value", "status", "last changed")
SHEET_NAME_MAX = 31
SHEET_NAME_INVALID = re.compile(r"[\[\]:*?/\\]")
# Excel reads a cell starting with one of these as a formula (or DDE) when it is edited or saved as CSV.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
ERROR_VALUES = frozenset({"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A"})
MAX_CELL_TEXT = 32_767

PERCENT = "0.0%"
SCORE = "0%"
OF_ELIGIBLE = '"/ "0'  # shows 57 as "/ 57" next to the number answered
DATETIME = "yyyy-mm-dd hh:mm"
BOLD = Font(bold=True)
TITLE = Font(bold=True, size=14)
HEADING = Font(bold=True, size=12)
WARNING = Font(bold=True, color="C00000")
NOTE = Font(italic=True, color="595959")
WRAP = Alignment(wrap_text=True, vertical="top")

TABLE_HEADER_ROW = 3  # tabular sheets: title, basis, header
KINDS = ("state", "ngo")
RAW_PROGRESS_EVERY = 5_000
CHART_ROWS = 12  # a scored question's block is at least this tall, so that its chart does not cover the next one


def neutralise(text: str) -> str:
    """Text that Excel shows as it is: never a formula, never an illegal XML character, never too long."""
    text = ILLEGAL_CHARACTERS_RE.sub("", text)
    if text.startswith(FORMULA_STARTS):
        text = "'" + text
    return text[:MAX_CELL_TEXT]


def excel_value(value: Any) -> Any:
    """A value as a cell takes it: text neutralised, numbers as numbers, aware datetimes as naive local time."""
    if isinstance(value, str):
        return neutralise(value)
    if isinstance(value, bool):
        return value
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return timezone.localtime(value).replace(tzinfo=None)
    return value


def sheet_name(code: str, title: str, used: set[str]) -> str:
    """A valid, unique sheet name from an area code and title: at most 31 characters, none of []:*?/\\ ."""
    short = re.split(r":| [-–—] |\(", title, maxsplit=1)[0]
    name = _fit(f"{code} {short}", keep=len(code))
    name = name or SHEET_NAME_INVALID.sub("", code)[:SHEET_NAME_MAX].strip("'") or "Area"
    return _unique(name, used)


def fixed_sheet_names(used: set[str]) -> dict[str, str]:
    """The fixed sheets' names in the active language, made valid and unique: {English name: name}.

    A translation may be too long or hold a character Excel refuses; it is cut at a word like an area's title
    (the English name is the fallback when nothing is left)."""
    names = {}
    for lazy in FIXED_SHEETS:
        english = english_name(lazy)
        names[english] = _unique(_fit(str(lazy), keep=0) or english, used)
    return names


def free_sheet_name(text: str, fallback: str, used: set[str]) -> str:
    """A valid, unique sheet name from any text (cut at a word like the fixed names); `fallback` when nothing is left."""
    return _unique(_fit(text, keep=0) or fallback, used)


def english_name(lazy: Promise) -> str:
    """A fixed sheet's English name (the key of `fixed_sheet_names`), whatever language is active."""
    with translation.override("en"):
        return str(lazy)


def _fit(text: str, *, keep: int) -> str:
    """Text as a sheet name: invalid characters made spaces, at most 31 characters, cut at a word past `keep`."""
    name = " ".join(SHEET_NAME_INVALID.sub(" ", text).split()).strip("'")
    if len(name) > SHEET_NAME_MAX:
        cut = name[: SHEET_NAME_MAX + 1].rsplit(" ", 1)[0]
        name = (cut if len(cut) > keep else name[:SHEET_NAME_MAX]).rstrip(" ,;.-–—'")
    return name


def _unique(name: str, used: set[str]) -> str:
    candidate, number = name, 2
    while candidate.casefold() in used:
        suffix = f" ({number})"
        candidate = name[: SHEET_NAME_MAX - len(suffix)].rstrip() + suffix
        number += 1
    used.add(candidate.casefold())
    return candidate


class Sheet:
    """A write-only worksheet that counts its rows (charts and filters need the row numbers)."""

    def __init__(self, workbook: Workbook, title: str, widths: Sequence[float], freeze: str | None = None) -> None:
        self.ws: WriteOnlyWorksheet = workbook.create_sheet(title)
        for index, width in enumerate(widths, 1):  # before the first row: write-only sheets write columns first
            self.ws.column_dimensions[get_column_letter(index)].width = width
        if freeze:
            self.ws.freeze_panes = freeze
        self.row = 0

    @property
    def title(self) -> str:
        return str(self.ws.title)

    def cell(
        self, value: Any, *, font: Font | None = None, number_format: str | None = None, wrap: bool = False
    ) -> Cell:
        cell = WriteOnlyCell(self.ws, value=excel_value(value))
        if isinstance(value, str):
            cell.data_type = "s"  # text, whatever it looks like
        if font is not None:
            cell.font = font
        if number_format is not None:
            cell.number_format = number_format
        if wrap:
            cell.alignment = WRAP
        return cell

    def append(self, values: Iterable[Any] = ()) -> int:
        """Append one row; plain values are converted, cells made with `cell()` are written as they are."""
        row = []
        for value in values:
            if isinstance(value, Cell) or value is None:
                row.append(value)
            elif isinstance(value, str) and value in ERROR_VALUES:
                row.append(self.cell(value))
            else:
                row.append(excel_value(value))
        self.ws.append(row)
        self.row += 1
        return self.row

    def header(self, labels: Iterable[str]) -> int:
        return self.append([self.cell(label, font=BOLD) for label in labels])

    def title_rows(self, title: str, basis: str, provisional: bool) -> None:
        """Rows 1 and 2 of every sheet: what it shows, and on which answers (PROVISIONAL in red when so)."""
        self.append([self.cell(title, font=HEADING)])
        self.append([self.cell(basis, font=WARNING if provisional else NOTE)])

    def auto_filter(self, first_row: int, last_row: int, columns: int) -> None:
        if columns:
            self.ws.auto_filter.ref = f"A{first_row}:{get_column_letter(columns)}{max(first_row, last_row)}"
