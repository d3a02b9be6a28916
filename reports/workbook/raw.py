"""The Raw data sheet: every answer cell, one per row, streamed; and the Country matrix filled from those rows
as they pass.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, cast

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from .base import WriterBase
from .labels import Labels
from .styles import (
    DATETIME,
    HEADING,
    RAW_DATA,
    RAW_HEADER,
    RAW_PROGRESS_EVERY,
    TABLE_HEADER_ROW,
    Sheet,
)
from .xml_rows import XmlCells, XmlRowWorksheet

RAW_BATCH = 100  # rows of XML written to the sheet's file at a time (1,000 added about 1 MB to the peak RSS)


def raw_row_values(raw: tuple[Any, ...]) -> tuple[Any, ...]:
    """A row of `reports.exports.raw_rows` as the Raw data sheet's nine cell values (texts as texts, no empty row or
    column key); XmlCells writes them."""
    organisation, kind, country, question, row, column, value, status, changed = raw
    return (
        str(organisation),
        str(kind),
        str(country),
        str(question),
        str(row) if row else None,
        str(column) if column else None,
        value,
        str(status),
        changed,
    )


class RawSheet(WriterBase):
    """The Raw data sheet, written once, row by row, while the same rows fill the Country matrix."""

    def raw_data_sheet(self, raw_rows: Iterable[tuple[Any, ...]], raw_count: int | None, matrix: CountryMatrix) -> None:
        sheet = Sheet(
            self.workbook,
            self.sheet_title(RAW_DATA),
            [30, 8, 8, 14, 16, 10, 40, 12, 17],
            freeze="A4",
            worksheet=XmlRowWorksheet.create,
        )
        sheet.title_rows(
            _("Every answer cell, one per row, as stored when this file was exported"), self.basis(), self.provisional
        )
        sheet.header(RAW_HEADER)  # the answer-import column names, untranslated
        ws = cast(XmlRowWorksheet, sheet.ws)
        # One row of XML per answer cell instead of nine openpyxl cells: the same cells (xml_rows.XmlCells); the
        # export takes about a third of the time at 5M spreadsheet cells (bench.excel).
        cells = XmlCells(ws, len(RAW_HEADER), DATETIME, "yyyy-mm-dd", timezone.get_current_timezone())
        batch: list[str] = []
        first = ws.next_row()
        written = 0
        for written, raw in enumerate(raw_rows, 1):
            batch.append(cells.row(first + written - 1, raw_row_values(raw)))
            matrix.add(*raw[:7])  # organisation, kind, country, question, row, column, value
            if written % RAW_BATCH == 0:
                ws.append_xml("".join(batch), len(batch))
                batch.clear()
            if written % RAW_PROGRESS_EVERY == 0:
                share = written / raw_count if raw_count else 1 - 1 / (1 + written / 50_000)
                self.progress(
                    45 + int(50 * min(share, 1)),
                    gettext_noop("raw data"),
                )
        if batch:
            ws.append_xml("".join(batch), len(batch))
        sheet.row += written  # rows written to the worksheet directly, past Sheet.append's count
        matrix.close()
        sheet.auto_filter(TABLE_HEADER_ROW, sheet.row, 9)


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
