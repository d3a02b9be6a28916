"""The Raw data sheet's rows are written as XML (`reports.workbook.xml_rows`), not as one openpyxl cell per value:
the workbook must hold exactly the cells the openpyxl writer before it made. `old_raw_sheet` below is that writer
(the former `RawCells`), kept as the reference; both outputs are read back with openpyxl and compared cell by cell
(value, type, number format, font, alignment), on a small round and on awkward values: formula starts, error
values, XML-illegal characters, very long text, Cyrillic, spaces and line breaks, numbers and dates."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.utils import timezone
from lxml import etree
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.xml.constants import SHEET_MAIN_NS

from reports import workbook as excel
from reports.exports import raw_rows
from reports.services import report_compute
from reports.workbook.raw import raw_row_values
from reports.workbook.styles import DATETIME, ERROR_VALUES, MAX_CELL_TEXT, neutralise
from reports.workbook.xml_rows import XmlCells, XmlRowWorksheet
from responses.models import Answer, Response
from surveys.models import Survey
from tests.scenario import Scenario

LONG = "Долгий текст & <b>" * 3_000  # 51,000 characters: cut at Excel's 32,767
AWKWARD_TEXTS = [
    '=HYPERLINK("http://evil","x")',
    "+1",
    "-5 shelters",
    "@SUM(A1)",
    "\tcmd",
    "\rcmd",
    "#N/A",
    "#DIV/0!",
    "bell\x07 and nul\x00 and \x1f",
    "not a character: \ufffe\uffff",
    "Торговля людьми — «Ла Страда» Україна",
    "  spaces around  ",
    "line one\r\nline two\nline three\rfour",
    "a & b < c > d \" e ' f",
    "",
    " ",
    "ümlaut, 日本語, emoji 😀",
    LONG,
]
OTHER_VALUES: list[Any] = [
    0,
    -3,
    10**17,
    2.5,
    0.1 + 0.2,
    1e-7,
    Decimal("12"),
    Decimal("1.25"),
    True,
    False,
    dt.date(2015, 5, 1),
    dt.date(1900, 1, 1),
    dt.datetime(2026, 3, 29, 0, 30, tzinfo=dt.UTC),  # the night summer time starts in Vienna
    dt.datetime(2026, 1, 1, 12, 0, 0, 123456),
    None,
]


class OldRawCells:
    """The former reports.workbook.raw.RawCells (openpyxl cells), without its caches: the reference output."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.zone = timezone.get_current_timezone()

    def _styled(self, value: Any, number_format: str) -> WriteOnlyCell:
        cell = WriteOnlyCell(self.ws, value=value)
        cell.number_format = number_format
        return cell

    def text(self, value: Any) -> Any:
        safe = neutralise(str(value))
        if safe in ERROR_VALUES:
            cell = WriteOnlyCell(self.ws, value=safe)
            cell.data_type = "s"
            return cell
        return safe

    def value(self, value: Any) -> Any:
        if value is None or isinstance(value, bool | int | float):
            return value
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dt.datetime):
            return self._styled(self._naive(value), DATETIME)
        if isinstance(value, dt.date):
            return self._styled(value, "yyyy-mm-dd")
        return excel.excel_value(value)

    def _naive(self, value: dt.datetime) -> dt.datetime:
        return value.astimezone(self.zone).replace(tzinfo=None) if value.tzinfo is not None else value

    def row(self, raw: tuple[Any, ...]) -> list[Any]:
        organisation, kind, country, question, row, column, value, status, changed = raw
        return [
            self.text(organisation),
            self.text(kind),
            self.text(country),
            self.text(question),
            self.text(row) if row else None,
            self.text(column) if column else None,
            self.value(value),
            self.text(status),
            self.value(changed) if changed is not None else None,
        ]


def old_raw_sheet(rows: Iterable[tuple[Any, ...]]) -> Worksheet:
    """The rows as the old writer wrote them (from row 1), read back."""
    return openpyxl.load_workbook(io.BytesIO(old_raw_book(rows)))["Raw data"]


def old_raw_book(rows: Iterable[tuple[Any, ...]]) -> bytes:
    book = Workbook(write_only=True)
    ws = book.create_sheet("Raw data")
    cells = OldRawCells(ws)
    for raw in rows:
        ws.append(cells.row(raw))
    stream = io.BytesIO()
    book.save(stream)
    return stream.getvalue()


def new_raw_sheet(rows: Iterable[tuple[Any, ...]], before: int = 0, after: int = 0) -> Worksheet:
    """The rows written as XML (from row `before` + 1, after that many rows appended as usual, and followed by
    `after` more), read back."""
    return openpyxl.load_workbook(io.BytesIO(new_raw_book(rows, before, after)))["Raw data"]


def new_raw_book(rows: Iterable[tuple[Any, ...]], before: int = 0, after: int = 0) -> bytes:
    book = Workbook(write_only=True)
    ws = XmlRowWorksheet.create(book, "Raw data")
    for index in range(before):
        ws.append([f"before {index}"])
    cells = XmlCells(ws, 9, DATETIME, "yyyy-mm-dd", timezone.get_current_timezone())
    xml = []
    for raw in rows:
        xml.append(cells.row(ws.next_row() + len(xml), raw_row_values(raw)))
    ws.append_xml("".join(xml), len(xml))
    for index in range(after):
        ws.append([f"after {index}"])
    stream = io.BytesIO()
    book.save(stream)
    return stream.getvalue()


def cell_elements(book: bytes) -> list[bytes]:
    """Each cell's XML as a parser reads it, its style number left out (the styles are compared as read)."""
    with zipfile.ZipFile(io.BytesIO(book)) as archive:
        root = etree.fromstring(archive.read("xl/worksheets/sheet1.xml"))
    cells = []
    for cell in root.iter(f"{{{SHEET_MAIN_NS}}}c"):
        cell.attrib.pop("s", None)
        cells.append(etree.tostring(cell))
    return cells


def described(cell: Any) -> tuple[Any, ...]:
    """What a reader sees of a cell."""
    return (
        cell.value,
        cell.data_type,
        cell.number_format,
        cell.is_date,
        cell.font.name,
        cell.font.b,
        cell.font.i,
        cell.font.sz,
        cell.alignment.wrap_text,
        cell.alignment.vertical,
    )


def assert_same_rows(new: Worksheet, new_first: int, old: Worksheet, count: int) -> None:
    for offset in range(count):
        for column in range(1, 10):
            got = described(new.cell(new_first + offset, column))
            want = described(old.cell(1 + offset, column))
            assert got == want, (offset, column, got, want)


def awkward_rows() -> list[tuple[Any, ...]]:
    changed = dt.datetime(2026, 11, 28, 23, 59, 59, tzinfo=dt.UTC)
    rows = []
    for index, value in enumerate(AWKWARD_TEXTS + OTHER_VALUES):
        organisation = AWKWARD_TEXTS[index % len(AWKWARD_TEXTS)] or "Austria"
        row, column = ("r1", "") if index % 3 == 0 else ("", "2012") if index % 3 == 1 else ("", "")
        rows.append((organisation, "ngo", "AT", "GEN.R.02", row, column, value, "submitted", changed))
    rows.append(("Austria", "state", "AT", "Q", "", "", "x", "accepted", None))  # no "last changed"
    return rows


# --- unit: awkward values --------------------------------------------------------------------------------------


def test_xml_rows_hold_the_same_cells_as_openpyxl_cells() -> None:
    rows = awkward_rows()
    new = new_raw_sheet(rows)
    assert new.max_row == len(rows)
    assert_same_rows(new, 1, old_raw_sheet(rows), len(rows))
    # and the same XML, once parsed: what openpyxl does not read back (xml:space on text with spaces around, which
    # Excel honours) is the same too
    assert cell_elements(new_raw_book(rows)) == cell_elements(old_raw_book(rows))


def test_awkward_text_stays_text_and_is_neutralised() -> None:
    rows = awkward_rows()
    values = [cell.value for cell in new_raw_sheet(rows)["G"]]
    texts = values[: len(AWKWARD_TEXTS)]
    assert texts[:6] == ['\'=HYPERLINK("http://evil","x")', "'+1", "'-5 shelters", "'@SUM(A1)", "'\tcmd", "'\rcmd"]
    assert texts[6:8] == ["#N/A", "#DIV/0!"]  # text, not Excel's error values (the types are compared above)
    assert texts[8] == "bell and nul and "  # characters XML cannot hold are dropped
    assert texts[9] == "not a character: "
    assert texts[10] == "Торговля людьми — «Ла Страда» Україна"
    assert texts[11] == "  spaces around  "
    assert texts[12] == "line one\r\nline two\nline three\rfour"  # carriage returns kept, not read as line feeds
    assert texts[13] == "a & b < c > d \" e ' f"
    assert texts[14] is None  # "" is an empty cell, as openpyxl writes it
    assert texts[15] == " "
    assert texts[16] == "ümlaut, 日本語, emoji 😀"
    assert texts[17] == LONG[:MAX_CELL_TEXT]
    assert not any(isinstance(v, str) and v.startswith(("=", "+", "-", "@", "\t", "\r")) for v in values)


def test_rows_appended_before_and_after_the_xml_rows_keep_their_numbers() -> None:
    rows = awkward_rows()
    new = new_raw_sheet(rows, before=3, after=2)
    assert [new.cell(r, 1).value for r in (1, 2, 3)] == ["before 0", "before 1", "before 2"]
    assert_same_rows(new, 4, old_raw_sheet(rows), len(rows))
    assert [new.cell(3 + len(rows) + r, 1).value for r in (1, 2)] == ["after 0", "after 1"]
    assert new.max_row == 3 + len(rows) + 2


def test_a_value_no_cell_can_hold_is_refused() -> None:
    book = Workbook(write_only=True)
    ws = XmlRowWorksheet.create(book, "Raw data")
    cells = XmlCells(ws, 9, DATETIME, "yyyy-mm-dd", timezone.get_current_timezone())
    with pytest.raises(TypeError):
        cells.row(1, ["x", object()])
    book.save(io.BytesIO())


# --- a small round, the whole workbook ----------------------------------------------------------------------------


def small_round() -> Survey:
    s = Scenario().round("thb-2016")
    for code in ("AT", "DE"):
        s.state(code)
    s.ngo("ngo-ua", name="=«Ла Страда» Україна", country="AT")
    s.answers(
        "AT",
        {
            "GEN.R.02": {("", ""): "=1+1"},
            "PRO.DATA.01": {("", "2012"): 10, ("", "2013"): 20},
            "PRO.LEG.02": {("", ""): "sexual_exploitation;domestic_servitude"},
            "PRO.LEG.04": {("sexual_exploitation", ""): "yes"},
            "PRV.SUP.01": {("", ""): "yes"},
            "PAR.NAT.07": {("", ""): "2015-05-01"},
            "PAR.NAT.08": {("", ""): "2.5"},
            "PRO.DATA.04": {("", ""): "placeholder"},
        },
    )
    s.answers("DE", {"GEN.R.02": {("", ""): "#N/A"}, "PRV.SUP.01": {("", ""): "no"}})
    s.answers("ngo-ua", {"GEN.R.02": {("", ""): "  -5 притулків"}, "PRV.SUP.02": {("", ""): "yes"}})
    # Texts the answer form refuses (control characters, beyond its length) but older or imported data may hold.
    Answer.objects.filter(response__survey=s.survey, question__code="PRO.DATA.04").update(
        value_text="Жертвы\r\nторговли & <людьми>\x07 " + "x" * 40_000
    )
    Response.objects.filter(survey=s.survey).update(status="submitted")
    return s.survey


@pytest.mark.django_db
def test_the_raw_data_sheet_of_a_round_holds_the_cells_the_old_writer_wrote(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("reports.workbook.raw.RAW_BATCH", 5)  # several batches and a partial last one
    survey = small_round()
    path = tmp_path / "summary.xlsx"
    report = report_compute(survey=survey, include_in_progress=False)
    excel.write_summary(path, report_data=report, raw_rows=raw_rows(survey, False), language="en", regions={})
    rows = list(raw_rows(survey, False))
    assert len(rows) >= 12
    new = openpyxl.load_workbook(path)["Raw data"]
    assert [c.value for c in new[3]] == list(excel.RAW_HEADER)
    assert new.max_row == 3 + len(rows)
    assert_same_rows(new, 4, old_raw_sheet(rows), len(rows))
    values = {new.cell(r, 7).value for r in range(4, new.max_row + 1)}
    assert {"'=1+1", "#N/A", "'-5 притулків", 10, 2.5, dt.datetime(2015, 5, 1)} <= values
    long = next(v for v in values if isinstance(v, str) and v.startswith("Жертвы"))
    assert long.startswith("Жертвы\r\nторговли & <людьми> x")  # the bell dropped, the rest kept
    assert len(long) == MAX_CELL_TEXT
    names = {new.cell(r, 1).value for r in range(4, new.max_row + 1)}
    assert names == {"Austria", "Germany", "'=«Ла Страда» Україна"}  # an organisation's name is neutralised too
