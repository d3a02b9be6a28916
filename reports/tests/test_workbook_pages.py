"""How a workbook sheet plans its printed pages (`reports.workbook.styles.Sheet`): wrapped lines, blocks kept on
one page, breaks where a page is full, on small hand-made sheets (no database, no LibreOffice)."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator

import pytest
from openpyxl import Workbook

from reports.workbook.charts import bands_cm, chart_rows, height_cm, label_lines
from reports.workbook.styles import ROW_PT, Sheet, text_lines

MakeSheet = Callable[..., Sheet]


@pytest.fixture
def sheet() -> Iterator[MakeSheet]:
    """A sheet of a streamed workbook, saved when the test ends (a streamed workbook left open warns)."""
    books: list[Workbook] = []

    def make(widths: list[float] | None = None, freeze: str = "A3") -> Sheet:
        books.append(Workbook(write_only=True))
        return Sheet(books[-1], "Sheet", widths or [48, 11, 11, 11, 11, 11, 11], freeze)

    yield make
    for book in books:
        book.save(io.BytesIO())


def breaks(s: Sheet) -> list[int]:
    return [brk.id for brk in s.ws.row_breaks.brk]


def test_a_text_takes_as_many_lines_as_its_words_need() -> None:
    assert text_lines("short", 20) == 1
    assert text_lines("word " * 10, 20) == 3  # 49 characters at 23 a line, wrapped at words
    assert text_lines("first\nsecond", 80) == 2  # a line break starts a line
    assert text_lines("Я" * 40, 20) > text_lines("a" * 40, 20)  # Cyrillic letters are wider
    assert text_lines("a" * 50, 20) == 3  # a word longer than a line is broken
    assert text_lines("", 10) == 1


def test_the_rows_above_the_frozen_pane_repeat_on_every_printed_page(sheet: MakeSheet) -> None:
    assert sheet(freeze="A3").ws.print_title_rows == "$1:$2"
    assert sheet(freeze="C4").ws.print_title_rows == "$1:$3"
    assert sheet(freeze="A2").ws.print_title_rows == "$1:$1"


def test_a_block_that_fits_the_rest_of_the_page_stays_and_one_that_does_not_starts_a_new_page(sheet: MakeSheet) -> None:
    s = sheet()
    s.paginated = True
    s.title_rows("Title", "Basis", provisional=False)
    s.keep(ROW_PT * 10)
    for _ in range(10):
        s.append(["row"])
    assert breaks(s) == []  # it fitted
    room = int((s.page_height() - s.page_used) // ROW_PT)
    s.keep(ROW_PT * (room + 1))  # one row too many for this page
    assert breaks(s) == [s.row]  # the page ends before the block
    s.keep(ROW_PT * (room + 1))  # on a page holding only the titles, a block never breaks before itself
    assert breaks(s) == [s.row]


def test_a_paginated_sheet_ends_each_full_page_itself(sheet: MakeSheet) -> None:
    s = sheet()
    s.paginated = True
    s.title_rows("Title", "Basis", provisional=False)
    per_page = int((s.page_height() - s.title_height) // ROW_PT)
    for _ in range(per_page * 3):
        s.append(["row"])
    assert len(breaks(s)) == 2
    assert breaks(s)[0] == 2 + per_page  # the titles, then a page of rows


def test_a_long_table_keeps_the_spreadsheets_own_page_breaks(sheet: MakeSheet) -> None:
    s = sheet(freeze="A4")
    for _ in range(500):
        s.append(["row"])
    assert breaks(s) == []


def test_a_chart_is_tall_enough_for_its_labels_and_series() -> None:
    one = height_cm(12, 1)
    assert height_cm(12, 2) > one  # two bars a category
    assert height_cm(12, 1, label_lines(["a long option label that wraps onto a third line " * 2] * 12)) > one
    assert height_cm(12, 1, title="t" * 150) > one  # a title on three lines
    assert chart_rows(one) * ROW_PT / 72 * 2.54 > one  # the rows reserved cover the chart
    assert bands_cm(3, 1) < bands_cm(3, 1, [2, 2, 2])
