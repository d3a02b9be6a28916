"""Rows written as ready-made XML into a write-only worksheet: for the sheets whose rows grow with the round (the
Raw data sheet), where openpyxl's cell object per value cost about nine times what writing the same rows as CSV
does.

`XmlRowWorksheet` is openpyxl's write-only worksheet that also takes `append_xml(text, rows)`: rows serialised
already (`<row r="…">…</row>`), written straight into the sheet's stream after any rows appended as usual. The rows
are numbered by the worksheet, so `append` keeps working before and after. `XmlCells` makes those rows with the
cells openpyxl would write for the same values (types, number formats, inline strings), so that a reader cannot
tell the difference; reports/tests/test_workbook_xml_rows.py compares the two.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Generator, Iterator
from decimal import Decimal
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.compat import safe_string
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet._writer import WorksheetWriter
from openpyxl.xml.constants import SHEET_MAIN_NS
from openpyxl.xml.functions import xmlfile

from .styles import neutralise

EMPTY_TEXT = ' t="inlineStr"></c>'  # what openpyxl writes for ""


class _HandleWriter(WorksheetWriter):
    """openpyxl's worksheet writer with the temporary file opened here, so that ready-made rows can be written to
    the same file between the XML it writes itself (`write_raw`)."""

    handle: IO[bytes]

    def get_stream(self) -> Iterator[Any]:  # WorksheetWriter.get_stream, into a file object of ours
        with open(self.out, "wb") as handle:
            self.handle = handle
            with xmlfile(handle) as xf:
                self.stream = xf
                with xf.element("worksheet", xmlns=SHEET_MAIN_NS):
                    try:
                        while True:
                            el = yield
                            if el is True:
                                yield xf
                            elif el is None:
                                continue
                            else:
                                xf.write(el)
                    except GeneratorExit:
                        pass

    def write_raw(self, data: bytes) -> None:
        self.stream.flush()  # what lxml holds goes first
        self.handle.write(data)


class XmlRowWorksheet(WriteOnlyWorksheet):
    """A write-only worksheet that also takes rows as XML (`append_xml`); `append` works as before."""

    _writer: _HandleWriter | None
    _rows: Generator[None, Any, None] | None

    def __init__(self, parent: Workbook, title: str) -> None:
        super().__init__(parent, title)
        self.rows_written = 0

    @classmethod
    def create(cls, workbook: Workbook, title: str) -> XmlRowWorksheet:
        """A new last sheet of a write-only workbook, as `Workbook.create_sheet` makes one."""
        ws = cls(parent=workbook, title=title)
        workbook._add_sheet(sheet=ws)
        return ws

    def _get_writer(self) -> None:
        if self._writer is None:
            self._writer = _HandleWriter(self)
            self._writer.write_top()

    def _write_rows(self) -> Generator[None, Any, None]:  # WriteOnlyWorksheet._write_rows, numbering rows on the sheet
        try:
            xf = self._writer.xf.send(True)  # type: ignore[union-attr]
        except StopIteration:
            self._already_saved()
        with xf.element("sheetData"):
            try:
                while True:
                    row = yield
                    self.rows_written += 1
                    cells = self._values_to_row(row, self.rows_written)
                    self._writer.write_row(xf, cells, self.rows_written)  # type: ignore[union-attr]
            except GeneratorExit:
                pass
        self._writer.xf.send(None)  # type: ignore[union-attr]

    def _open_rows(self) -> None:
        self._get_writer()
        if self._rows is None:
            rows = self._write_rows()
            next(rows)
            self._rows = rows

    def next_row(self) -> int:
        """The number the next row written will have."""
        return self.rows_written + 1

    def append_xml(self, text: str, rows: int) -> None:
        """Write `rows` rows given as XML (`<row r="…">…</row>` each, numbered from `next_row()` on)."""
        self._open_rows()
        self._writer.write_raw(text.encode("utf-8"))  # type: ignore[union-attr]
        self.rows_written += rows


class XmlCells:
    """One row of values as the XML openpyxl would write for it: `row(number, values)`.

    Text is neutralised (`styles.neutralise`: never a formula, never an illegal character, never too long) and
    always written as text (an inline string, as openpyxl writes strings); numbers and booleans as themselves;
    dates and datetimes as Excel serial numbers with the number format given (aware datetimes in `zone`'s local
    time). The XML of texts that repeat (names, codes, statuses, options) is remembered.
    """

    CACHE_MAX = 2_048
    CACHE_TEXT_LENGTH = 80

    def __init__(self, ws: XmlRowWorksheet, columns: int, datetime_format: str, date_format: str, zone: Any) -> None:
        self.letters = [get_column_letter(index) for index in range(1, columns + 1)]
        self.epoch = ws.parent.epoch
        self.zone = zone
        self.datetime_style = f' s="{self._style_id(ws, datetime_format)}" t="n"><v>'
        self.date_style = f' s="{self._style_id(ws, date_format)}" t="n"><v>'
        self.texts: dict[str, str] = {}

    @staticmethod
    def _style_id(ws: XmlRowWorksheet, number_format: str) -> int:
        cell = WriteOnlyCell(ws)
        cell.number_format = number_format
        return int(cell.style_id)  # registers the style in the workbook, as a styled cell does

    def row(self, number: int, values: tuple[Any, ...] | list[Any]) -> str:
        """The XML of row `number` holding `values` from column A on (None: no cell)."""
        texts = self.texts
        r = str(number)
        parts = ['<row r="', r, '">']
        for letter, value in zip(self.letters, values, strict=False):
            if value is None:
                continue
            if value.__class__ is str:
                xml = texts.get(value)
                if xml is None:
                    xml = self.text(value)
            else:
                xml = self.cell(value)
            parts += ('<c r="', letter, r, '"', xml)
        parts.append("</row>")
        return "".join(parts)

    def cell(self, value: Any) -> str:
        """A cell's XML after its reference: the attributes, the value and the closing tag."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, bool):
            return f' t="b"><v>{safe_string(value)}</v></c>'
        if isinstance(value, int | float):
            return f' t="n"><v>{safe_string(value)}</v></c>'
        if isinstance(value, Decimal):
            number = int(value) if value == value.to_integral_value() else float(value)
            return f' t="n"><v>{safe_string(number)}</v></c>'
        if isinstance(value, dt.datetime):
            if value.tzinfo is not None:
                value = value.astimezone(self.zone).replace(tzinfo=None)
            return f"{self.datetime_style}{safe_string(to_excel(value, self.epoch))}</v></c>"
        if isinstance(value, dt.date):
            return f"{self.date_style}{safe_string(to_excel(value, self.epoch))}</v></c>"
        raise TypeError(f"no spreadsheet cell for a {type(value).__name__}")

    def text(self, value: str) -> str:
        cached = self.texts.get(value)
        if cached is not None:
            return cached
        xml = text_xml(neutralise(value))
        if len(value) <= self.CACHE_TEXT_LENGTH:
            if len(self.texts) >= self.CACHE_MAX:
                self.texts.clear()
            self.texts[value] = xml
        return xml


def text_xml(text: str) -> str:
    """An inline string cell's XML after its reference, as openpyxl (through lxml) writes it: &, <, > and carriage
    returns escaped (a parser would read a bare one as a line feed), space kept when the text starts or ends
    with some."""
    if not text:
        return EMPTY_TEXT
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")
    space = ' xml:space="preserve"' if text != text.strip() else ""
    return f' t="inlineStr"><is><t{space}>{escaped}</t></is></c>'
