"""The Raw data sheet: every answer cell, one per row, streamed; and the Country matrix filled from those rows
as they pass.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell

from .base import WriterBase
from .labels import Labels
from .styles import (
    DATETIME,
    ERROR_VALUES,
    HEADING,
    RAW_DATA,
    RAW_HEADER,
    RAW_PROGRESS_EVERY,
    TABLE_HEADER_ROW,
    Sheet,
    excel_value,
    neutralise,
)


class RawSheet(WriterBase):
    """The Raw data sheet, written once, row by row, while the same rows fill the Country matrix."""

    def raw_data_sheet(self, raw_rows: Iterable[tuple[Any, ...]], raw_count: int | None, matrix: CountryMatrix) -> None:
        sheet = Sheet(self.workbook, self.sheet_title(RAW_DATA), [30, 8, 8, 14, 16, 10, 40, 12, 17], freeze="A4")
        sheet.title_rows(
            _("Every answer cell, one per row, as stored when this file was exported"), self.basis(), self.provisional
        )
        sheet.header(RAW_HEADER)  # the answer-import column names, untranslated
        cells = RawCells(sheet)
        written = 0
        for written, raw in enumerate(raw_rows, 1):
            organisation, kind, country, question, row, column, value, status, changed = raw
            sheet.ws.append(
                [
                    cells.text(organisation),
                    cells.text(kind),
                    cells.text(country),
                    cells.text(question),
                    cells.text(row) if row else None,
                    cells.text(column) if column else None,
                    cells.value(value),
                    cells.text(status),
                    cells.changed(changed) if changed is not None else None,
                ]
            )
            matrix.add(organisation, kind, country, question, row, column, value)
            if written % RAW_PROGRESS_EVERY == 0:
                share = written / raw_count if raw_count else 1 - 1 / (1 + written / 50_000)
                self.progress(
                    45 + int(50 * min(share, 1)),
                    gettext_noop("raw data"),
                )
        sheet.row += written  # rows appended to the worksheet directly, past Sheet.append's count
        matrix.close()
        sheet.auto_filter(TABLE_HEADER_ROW, sheet.row, 9)


class RawCells:
    """The raw-data sheet's cells, made as cheaply as openpyxl allows: this loop runs once per answer cell.

    The same result as `Sheet.cell`/`Sheet.append` (text neutralised and kept as text, dates formatted), but the
    neutralised texts that repeat (names, codes, statuses, options) are remembered, and the styled cells (dates)
    are reused: a write-only sheet serialises a row as soon as it is appended, so one styled cell per use can be
    given a new value for every row. That cuts the export's time per answer by about a third.
    """

    CACHE_MAX = 50_000
    CACHE_TEXT_LENGTH = 80

    def __init__(self, sheet: Sheet) -> None:
        self.sheet = sheet
        self.texts: dict[str, str] = {}
        self.zone = timezone.get_current_timezone()
        self.changed_cell = self._styled(DATETIME)
        self.datetime_cell = self._styled(DATETIME)
        self.date_cell = self._styled("yyyy-mm-dd")

    def _styled(self, number_format: str) -> WriteOnlyCell:
        cell = WriteOnlyCell(self.sheet.ws)
        cell.number_format = number_format
        return cell

    def text(self, value: Any) -> Any:
        text = str(value)
        cached = self.texts.get(text)
        if cached is not None:
            return cached
        safe = neutralise(text)
        if safe in ERROR_VALUES:  # openpyxl would make "#N/A" an error value; keep it as text
            return self.sheet.cell(safe)
        if len(text) <= self.CACHE_TEXT_LENGTH:
            if len(self.texts) >= self.CACHE_MAX:
                self.texts.clear()
            self.texts[text] = safe
        return safe

    def changed(self, value: dt.datetime) -> Cell:
        self.changed_cell.value = self._naive(value)
        return self.changed_cell

    def value(self, value: Any) -> Any:
        if value is None or isinstance(value, bool | int | float):
            return value
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dt.datetime):
            self.datetime_cell.value = self._naive(value)
            return self.datetime_cell
        if isinstance(value, dt.date):
            self.date_cell.value = value
            return self.date_cell
        return excel_value(value)

    def _naive(self, value: dt.datetime) -> dt.datetime:
        return value.astimezone(self.zone).replace(tzinfo=None) if value.tzinfo is not None else value


class CountryMatrix:
    """One row per participating State: the option label it chose in each single-choice question."""

    def __init__(self, sheet: Sheet, questions: Sequence[str], labels: Labels) -> None:
        self.sheet = sheet
        self.columns = {code: index for index, code in enumerate(questions)}
        self.labels = labels
        self.current: tuple[str, str] | None = None
        self.values: list[Any] = []

    def add(self, organisation: Any, kind: Any, country: Any, question: Any, row: Any, column: Any, value: Any) -> None:
        if kind != "state":
            return
        key = (str(organisation), str(country))
        if key != self.current:
            self._flush()
            self.current = key
            self.values = [None] * len(self.columns)
        index = self.columns.get(question)
        if index is not None and not row and not column and value is not None:
            self.values[index] = self.labels.option(question, value)

    def _flush(self) -> None:
        if self.current is not None:
            name, code = self.current
            self.sheet.append([self.labels.state(code) or name, code, *self.values])

    def close(self) -> None:
        self._flush()
        self.current = None
        self.sheet.auto_filter(TABLE_HEADER_ROW, self.sheet.row, 2 + len(self.columns))
        # The header holds codes (stable for scripts); what each asks is listed under the table.
        self.sheet.append()
        self.sheet.append([self.sheet.cell(_("Questions"), font=HEADING)])
        for code in self.columns:
            self.sheet.append([code, self.labels.text(code)])
