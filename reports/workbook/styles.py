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
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from oscethb.spreadsheets import FORMULA_STARTS as FORMULA_STARTS

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
ERROR_VALUES = frozenset({"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A"})
MAX_CELL_TEXT = 32_767
# Characters XML cannot hold: openpyxl's ILLEGAL_CHARACTERS_RE (control characters), and U+FFFE, U+FFFF and lone
# surrogates, which lxml refuses (the export failed on them) and which would make a sheet written as text unreadable.
NOT_XML = re.compile(ILLEGAL_CHARACTERS_RE.pattern + "|[\ufffe\uffff\ud800-\udfff]")

PERCENT = "0.0%"
SCORE = "0%"
OF_ELIGIBLE = '"/ "0'  # shows 57 as "/ 57" next to the number answered
DATETIME = "yyyy-mm-dd hh:mm"
FONT = "Calibri"  # the workbook's body font, named: a font without a name prints in a serif font in LibreOffice
BOLD = Font(name=FONT, bold=True)
TITLE = Font(name=FONT, bold=True, size=14)
HEADING = Font(name=FONT, bold=True, size=12)
WARNING = Font(name=FONT, bold=True, color="C00000")
NOTE = Font(name=FONT, italic=True, color="595959")
WRAP = Alignment(wrap_text=True, vertical="top")
TOP = Alignment(vertical="top")

TABLE_HEADER_ROW = 3  # tabular sheets: title, basis, header
KINDS = ("state", "ngo")
RAW_PROGRESS_EVERY = 5_000
CHART_ROWS = 12  # a scored question's block is at least this tall, so that its chart does not cover the next one

# Printing: every sheet landscape on A4, fitted to the page's width, as many pages tall as it needs. The page's
# printable size (A4 landscape less the margins below) and Excel's default row height give how many rows fit on a
# page once the columns are scaled to the width, so that `Sheet.keep` can start a block on a new page rather than
# split it. The estimate keeps a margin (PAGE_FILL): a manual break a little early is harmless, a block split by
# an automatic break is what we avoid.
MARGIN_SIDE_IN, MARGIN_TOP_IN, MARGIN_HEADER_IN = 0.4, 0.75, 0.3
PRINTABLE_WIDTH_PX = (29.7 / 2.54 - 2 * MARGIN_SIDE_IN) * 96
PRINTABLE_HEIGHT_PT = (21.0 / 2.54 - 2 * MARGIN_TOP_IN) * 72
ROW_PT = 15.0  # openpyxl writes defaultRowHeight 15
DEFAULT_WIDTH = 8.43  # a column without a width
PAGE_FILL = 0.95
BOLD_NARROWING = 0.8  # a bold (or heading) line holds fewer characters
HEADER_MAX = 180  # Excel allows 255 characters for a header with its codes
MAX_BREAKS = 1000  # Excel keeps at most 1,026 manual page breaks per sheet
WIDE = 1.2  # a capital or Cyrillic letter, in widths of a Latin lower-case letter
CHARS_PER_WIDTH = 1.15  # characters of body text per unit of column width (a unit is one "0", wider than most)


def neutralise(text: str) -> str:
    """Text that Excel shows as it is: never a formula, never an illegal XML character, never too long."""
    text = NOT_XML.sub("", text)
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


def column_px(width: float) -> float:
    """A column's width in pixels (Excel: 7 px per character of the default font, 5 px of padding)."""
    return width * 7 + 5


def text_lines(text: str, width: float) -> int:
    """How many lines a text takes in a column (or merged columns) `width` characters wide, wrapped at words as
    Excel does; capitals and Cyrillic letters count wider than Latin lower case."""
    capacity = max(1.0, width * CHARS_PER_WIDTH)
    lines = 0
    for paragraph in str(text).split("\n"):
        lines += 1
        used = 0.0
        for word in paragraph.split():
            size = sum(WIDE if (char.isupper() or "\u0400" <= char <= "\u04ff") else 1.0 for char in word)
            if used and used + 1 + size > capacity:  # the word starts the next line
                lines += 1
                used = 0.0
            used += (1 if used else 0) + size
            while used > capacity:  # a word longer than a line is broken across lines
                lines += 1
                used -= capacity
    return max(1, lines)


class Sheet:
    """A write-only worksheet that counts its rows (charts and filters need the row numbers) and prints well.

    Every sheet prints landscape on A4, fitted to the width, with the rows above the frozen pane (title, basis,
    header) repeated on every page. `keep(height)` starts a block on a new page when it would not fit on the rest of
    the current one; `text_row` writes a sentence wrapped across columns with a row tall enough for it."""

    def __init__(
        self,
        workbook: Workbook,
        title: str,
        widths: Sequence[float],
        freeze: str | None = None,
        worksheet: Callable[[Workbook, str], WriteOnlyWorksheet] | None = None,
    ) -> None:
        # `worksheet` makes the sheet (default: the workbook's own write-only sheet), e.g. `XmlRowWorksheet.create`
        self.ws: WriteOnlyWorksheet = worksheet(workbook, title) if worksheet else workbook.create_sheet(title)
        self.widths = list(widths)
        for index, width in enumerate(widths, 1):  # before the first row: write-only sheets write columns first
            self.ws.column_dimensions[get_column_letter(index)].width = width
        self.title_rows_count = 0
        if freeze:
            self.ws.freeze_panes = freeze
            self.title_rows_count = int(re.sub(r"[A-Z]+", "", freeze)) - 1
        self._print_setup()
        self._page_height = PRINTABLE_HEIGHT_PT / self.scale() * PAGE_FILL
        self.row = 0
        self.page_used = 0.0  # points used on the current printed page
        self.title_height = 0.0  # points the repeated title rows take on every page
        self.paginated = False  # see `keep`

    # --- printing -----------------------------------------------------------------------------------------------

    def _print_setup(self) -> None:
        ws = self.ws
        ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)  # written before the first row
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0  # as many pages tall as needed
        ws.page_margins.left = ws.page_margins.right = MARGIN_SIDE_IN
        ws.page_margins.top = ws.page_margins.bottom = MARGIN_TOP_IN
        ws.page_margins.header = ws.page_margins.footer = MARGIN_HEADER_IN
        ws.print_options.horizontalCentered = False
        if self.title_rows_count:
            ws.print_title_rows = f"1:{self.title_rows_count}"

    def print_columns(self, columns: int) -> None:
        """Print the first `columns` columns (tables and the charts beside them) and every row written."""
        self.ws.print_area = f"A1:{get_column_letter(max(1, columns))}{max(1, self.row)}"

    def scale(self, columns: int | None = None) -> float:
        """The print scale once the first `columns` columns (default: those with a width) fit the page's width."""
        count = columns or len(self.widths)
        widths = self.widths[:count] + [DEFAULT_WIDTH] * max(0, count - len(self.widths))
        return min(1.0, PRINTABLE_WIDTH_PX / max(1.0, sum(column_px(w) for w in widths)))

    def page_height(self) -> float:
        """Points of rows that fit on one printed page at the sheet's scale, with a safety margin."""
        return self._page_height

    def keep(self, height: float) -> None:
        """Start a new page before a block `height` points tall unless it fits on the rest of this one (or this
        page holds nothing but the repeated titles: a block taller than a page then runs on).

        The first call makes the sheet paginated: from then on every page ends with a manual break where the
        estimate says it is full, so that Excel's and LibreOffice's own breaks (whose places the estimate cannot
        know exactly) never fall inside a block. Sheets that never call it (long uniform tables) keep automatic
        breaks: Excel allows 1,026 manual ones per sheet."""
        self.paginated = True
        if self.page_used <= self.title_height or self.page_used + height <= self.page_height():
            return
        self._break(self.row)

    def _break(self, after_row: int) -> None:
        if len(self.ws.row_breaks.brk) < MAX_BREAKS:
            self.ws.row_breaks.append(Break(id=after_row))
        self.page_used = self.title_height

    def _count(self, height: float | None) -> None:
        height = height or ROW_PT
        self.page_used += height
        if self.row <= self.title_rows_count:
            self.title_height = self.page_used
        elif self.page_used > self.page_height():  # this row starts the next page, under the repeated titles
            if self.paginated and self.row - 1 > self.title_rows_count:
                self._break(self.row - 1)
            self.page_used = self.title_height + height

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

    def append(self, values: Iterable[Any] = (), *, height: float | None = None) -> int:
        """Append one row; plain values are converted, cells made with `cell()` are written as they are.
        `height` (points) sets the row's height, for wrapped text."""
        if height is not None:  # a write-only row takes its dimensions when it is written
            self.ws.row_dimensions[self.row + 1].height = height
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
        self._count(height)
        return self.row

    def text_height(
        self, text: str, last_column: int, first_column: int = 1, line: float = ROW_PT, bold: bool = False
    ) -> float:
        """Points a text wrapped across columns `first_column`..`last_column` takes (bold letters are wider)."""
        width = sum(self.widths[first_column - 1 : last_column]) or DEFAULT_WIDTH
        return text_lines(text, width * (BOLD_NARROWING if bold else 1)) * line + 3

    def text_row(
        self, before: Sequence[Any], text: str, *, last_column: int, font: Font | None = None, line: float = ROW_PT
    ) -> int:
        """A row whose text starts after the cells `before` and is wrapped across the columns up to `last_column`
        (merged), the row as tall as its lines."""
        first = len(before) + 1
        height = self.text_height(text, last_column, first, line, bold=bool(font is not None and font.b))
        if last_column > first:
            self.ws.merged_cells.add(
                f"{get_column_letter(first)}{self.row + 1}:{get_column_letter(last_column)}{self.row + 1}"
            )
        cells = [value if isinstance(value, Cell) else self.cell(value) for value in before]
        for cell in cells:  # the labels before a tall row stay level with its first line
            cell.alignment = TOP
        return self.append([*cells, self.cell(text, font=font, wrap=True)], height=height)

    def header(self, labels: Iterable[str], *, wrap: bool = False) -> int:
        """A row of bold column headers; `wrap`: each wrapped in its column, the row as tall as the longest."""
        labels = list(labels)
        if not wrap:
            return self.append([self.cell(label, font=BOLD) for label in labels])
        height = max(
            [ROW_PT]
            + [self.text_height(label, index, index, bold=True) for index, label in enumerate(labels, 1) if label]
        )
        return self.append([self.cell(label, font=BOLD, wrap=True) for label in labels], height=height)

    def title_rows(self, title: str, basis: str, provisional: bool) -> None:
        """Rows 1 and 2 of every sheet: what it shows, and on which answers (PROVISIONAL in red when so), each
        wrapped across the sheet's table columns."""
        last = max(1, min(len(self.widths), 7))
        self.text_row([], title, last_column=last, font=HEADING, line=16)
        self.text_row([], basis, last_column=last, font=WARNING if provisional else NOTE)

    def auto_filter(self, first_row: int, last_row: int, columns: int) -> None:
        if columns:
            self.ws.auto_filter.ref = f"A{first_row}:{get_column_letter(columns)}{max(first_row, last_row)}"


def header_footer(ws: WriteOnlyWorksheet, header: str, footer: str) -> None:
    """A printed page's header (centre: the round) and footer (left: the sheet's name, right: `footer`, where Excel
    codes such as &P and &N are kept); any other & of the header is doubled so that it prints as itself."""
    ws.HeaderFooter.oddHeader.center.text = _header_text(header)
    ws.HeaderFooter.oddFooter.left.text = "&A"
    ws.HeaderFooter.oddFooter.right.text = footer
    for part in (ws.HeaderFooter.oddHeader.center, ws.HeaderFooter.oddFooter.left, ws.HeaderFooter.oddFooter.right):
        part.size = 9


def _header_text(text: str) -> str:
    """A text for a page header: & doubled (a single & starts an Excel code), kept short."""
    text = " ".join(str(text).split())
    return text[:HEADER_MAX].replace("&", "&&")
