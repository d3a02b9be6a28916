"""The Excel summary: the workbook checked cell by cell, the export job, the command and the staff pages.

A small 2015/16 round is answered once for the `TestSummaryWorkbook` class (Austria, Germany and France
submitted, Italy in progress, two NGOs submitted); the English, Russian and provisional workbooks are written once
through `export_excel` and read back with openpyxl in normal mode.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import formats, timezone, translation
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from accounts.models import Organisation, Role
from reports import workbook as excel
from reports.exports import excel_export_create, excel_export_execute, raw_rows
from reports.models import ExcelExport, JobStatus, Report, ReportRun
from reports.services import report_run_execute
from reports.views_exports import XLSX
from responses.models import Answer, Response
from responses.tests.factories import MembershipFactory, UserFactory
from surveys.models import Survey
from tests.otp_helpers import force_login_verified
from tests.scenario import Scenario


def sheet_in(name: Any, language: str) -> str:
    """A fixed sheet's name in a workbook of that language (the sheet names are translated)."""
    with translation.override(language):
        return str(name)


HYPERLINK = '=HYPERLINK("http://x","y")'
NGO_NAME = '=HYPERLINK("http://evil","NGO")'  # a name is user-provided text too
DANGEROUS_STARTS = ("=", "+", "-", "@", "\t", "\r")

# What each organisation answers: {org code: {question code: {(row, column): raw value}}}.
ANSWERS: dict[str, dict[str, dict[tuple[str, str], Any]]] = {
    "AT": {
        "GEN.R.02": {("", ""): HYPERLINK},
        "PRO.LEG.02": {("", ""): "sexual_exploitation;domestic_servitude"},
        "PRO.LEG.04": {("sexual_exploitation", ""): "yes", ("labour_exploitation", ""): "no"},
        "PRO.DATA.01": {("", "2012"): 10, ("", "2013"): 20, ("", "2014"): 30},
        "PRV.RES.01": {("", ""): "not_applicable"},  # left out of the score
        "PRV.LAB.02": {("", ""): "yes"},
        "PRV.SUP.01": {("", ""): "yes"},
        "PRV.SUP.02": {("", ""): "no"},
        "PRV.DEM.01": {("", ""): "partially"},
        "PAR.NAT.07": {("", ""): "2015-05-01"},
        "PAR.NAT.08": {("", ""): "2.5"},
    },
    "DE": {
        "GEN.R.02": {("", ""): "+1"},
        "PRO.DATA.01": {("", "2012"): 5},
        "PRV.SUP.01": {("", ""): "yes"},
        "PRV.SUP.02": {("", ""): "in_process"},
    },
    "FR": {
        "GEN.R.02": {("", ""): "@SUM(A1)"},
        "PRV.SUP.01": {("", ""): "no"},
        "PRV.SUP.02": {("", ""): "yes"},
    },
    "IT": {"PRV.SUP.01": {("", ""): "yes"}},  # in progress: only in the provisional summary
    "ngo-at": {"GEN.R.02": {("", ""): "#N/A"}, "PRV.SUP.02": {("", ""): "yes"}, "NGO.P.03": {("", ""): "yes"}},
    "ngo-fr": {"GEN.R.02": {("", ""): "-5 shelters"}, "PRV.SUP.02": {("", ""): "yes"}},
}
SUBMITTED = ("AT", "DE", "FR", "ngo-at", "ngo-fr")
# Austria's prevention score by hand: SUP.01 yes 1, SUP.02 no 0, DEM.01 partly 0.5, LAB.02 yes 1 (RES.01 n/a left
# out) = 2.5 / 4. Germany: yes 1, in process 0.5 = 0.75. France: no 0, yes 1 = 0.5. Median of the three: 0.625.
AT_PRV_SCORE = 0.625
PRV_MEDIAN = 0.625


@dataclass
class World:
    survey: Survey
    files: dict[str, Path] = field(default_factory=dict)
    books: dict[str, Workbook] = field(default_factory=dict)


def build_round() -> Survey:
    """The shipped round, open (its closing date kept), answered as ANSWERS says by the system; SUBMITTED submitted."""
    s = Scenario().round("thb-2016", closes_on=Scenario.SHIPPED_DEADLINE)
    for code in ("AT", "DE", "FR", "IT"):
        s.state(code)
    s.ngo("ngo-at", name=NGO_NAME, country="AT").ngo("ngo-fr", name="La Strada France", country="FR")
    for org_code, answers in ANSWERS.items():
        s.answers(org_code, answers)
    Response.objects.filter(survey=s.survey, organisation__code__in=SUBMITTED).update(status="submitted")
    return s.survey


def export(tmp: Path, name: str, *args: str) -> Path:
    target = tmp / f"{name}.xlsx"
    out = io.StringIO()
    call_command("export_excel", "--survey", "thb-2016", "-o", str(target), *args, stdout=out, stderr=io.StringIO())
    assert f"Wrote {target}" in out.getvalue()
    return target


@pytest.fixture(scope="class")
def world(django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """Built once for the class inside a transaction rolled back at its end; each test adds a savepoint.

    Class-scoped, so that it is gone before the real-worker test, which needs committed data."""
    media = tmp_path_factory.mktemp("excel-media")
    out = tmp_path_factory.mktemp("excel-out")
    with override_settings(MEDIA_ROOT=str(media)):
        with django_db_blocker.unblock():
            outer = transaction.atomic()
            outer.__enter__()
        try:
            with django_db_blocker.unblock():
                built = World(build_round())
                built.files["en"] = export(out, "en")
                built.files["ru"] = export(out, "ru", "--lang", "ru")
                built.files["provisional"] = export(out, "provisional", "--include-in-progress")
            built.books = {key: openpyxl.load_workbook(file) for key, file in built.files.items()}
            yield built
        finally:
            with django_db_blocker.unblock():
                transaction.set_rollback(True)
                outer.__exit__(None, None, None)


@pytest.fixture
def w(world: World, db: None, settings: Any, tmp_path: Path) -> World:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return world


# --- reading the workbook --------------------------------------------------------------------------------------


def find_row(ws: Worksheet, column: int, predicate: Any, start: int = 1) -> int:
    for row in ws.iter_rows(min_row=start, min_col=column, max_col=column):
        if predicate(row[0].value):
            return row[0].row
    raise AssertionError(f"no matching row in {ws.title!r}")


def option_block(ws: Worksheet, code: str) -> tuple[int, dict[str, int], int]:
    """(header row, {option label: row}, "answered / eligible" row) of a question's first option table."""
    title = find_row(ws, 1, lambda v: isinstance(v, str) and v.startswith(f"{code} "))
    header = find_row(ws, 1, lambda v: v is not None, start=title + 1)  # "Option", in the workbook's language
    rows, row = {}, header + 1
    # "Answered / eligible", in the workbook's language: the first label after the options that is not one of them
    while not (isinstance(ws.cell(row, 1).value, str) and "/" in ws.cell(row, 1).value):
        if row > ws.max_row:
            raise AssertionError(f"no 'Answered / eligible' line after {code} in {ws.title!r}")
        rows[ws.cell(row, 1).value] = row
        row += 1
    return header, rows, row


def option_rows(ws: Worksheet, header: int) -> int:
    """How many options the table under `header` lists (up to its "Answered / eligible" line)."""
    row = header + 1
    while not (isinstance(ws.cell(row, 1).value, str) and "/" in ws.cell(row, 1).value):
        row += 1
    return row - header - 1


def table(ws: Worksheet) -> tuple[list[Any], list[list[Any]]]:
    """The header (row 3) and data rows of a tabular sheet, up to the first empty row."""
    header = [c.value for c in ws[excel.TABLE_HEADER_ROW]]
    rows = []
    for values in ws.iter_rows(min_row=excel.TABLE_HEADER_ROW + 1, values_only=True):
        if all(v is None for v in values):
            break
        rows.append(list(values))
    return header, rows


def by_first(rows: list[list[Any]], column: int = 0) -> dict[Any, list[Any]]:
    return {row[column]: row for row in rows}


class TestSummaryWorkbook:
    """Everything that reads the module's round and workbooks (the `world`, torn down with the class)."""

    # --- area sheets -----------------------------------------------------------------------------------------------

    def test_option_counts_and_percentages_match_the_answers(self, w: World) -> None:
        ws = w.books["en"]["PRV Preventing trafficking"]
        header, rows, answered = option_block(ws, "PRV.SUP.01")
        assert [c.value for c in ws[header]][:5] == ["Option", "States n", "States %", "NGOs n", "NGOs %"]
        assert list(rows) == [
            "Yes",
            "No",
            "In process (being prepared or adopted)",
            "Not applicable",
            "No information available",
        ]
        yes, no, in_process = rows["Yes"], rows["No"], rows["In process (being prepared or adopted)"]
        assert ws.cell(yes, 2).value == 2
        assert ws.cell(no, 2).value == 1
        assert ws.cell(in_process, 2).value == 0
        assert ws.cell(yes, 3).value == pytest.approx(2 / 3)
        assert ws.cell(yes, 3).number_format == "0.0%"
        assert ws.cell(no, 3).value == pytest.approx(1 / 3)
        assert ws.cell(yes, 2).data_type == "n"
        # A States-only question: the NGO columns stay empty.
        assert ws.cell(yes, 4).value is None
        assert ws.cell(yes, 5).value is None
        assert (ws.cell(answered, 2).value, ws.cell(answered, 3).value) == (3, 3)

        # Asked of both: AT no, DE in process, FR yes; both NGOs yes.
        _header, rows, answered = option_block(ws, "PRV.SUP.02")
        assert [ws.cell(rows[label], 2).value for label in ("Yes", "No", "In process (being prepared or adopted)")] == [
            1,
            1,
            1,
        ]
        assert ws.cell(rows["Yes"], 4).value == 2
        assert ws.cell(rows["Yes"], 5).value == pytest.approx(1.0)
        assert ws.cell(rows["No"], 5).value == 0
        assert [ws.cell(answered, c).value for c in (2, 3, 4, 5)] == [3, 3, 2, 2]

    def test_matrix_rows_multiple_choices_and_figures(self, w: World) -> None:
        ws = w.books["en"]["PRO Prosecution"]
        _header, rows, _answered = option_block(ws, "PRO.LEG.02")
        assert ws.cell(rows["Sexual exploitation"], 2).value == 1
        assert ws.cell(rows["Domestic servitude"], 3).value == pytest.approx(1.0)
        assert ws.cell(rows["Forced labour or services"], 2).value == 0

        title = find_row(ws, 1, lambda v: isinstance(v, str) and v.startswith("PRO.LEG.04 "))
        assert ws.cell(title + 1, 1).value == "Sexual services of a victim of sexual exploitation"
        assert ws.cell(title + 3, 1).value == "Yes"
        assert ws.cell(title + 3, 2).value == 1

        title = find_row(ws, 1, lambda v: isinstance(v, str) and v.startswith("PRO.DATA.01 "))
        assert [c.value for c in ws[title + 1]][:7] == ["Figure", "Respondents", "Count", "Sum", "Median", "Min", "Max"]
        assert [c.value for c in ws[title + 2]][:7] == ["2012", "States", 2, 15, 7.5, 5, 10]
        assert [c.value for c in ws[title + 4]][:7] == ["2014", "States", 1, 30, 30, 30, 30]

    # --- Summary ---------------------------------------------------------------------------------------------------

    def test_summary_has_the_rates_and_the_headline_sentences(self, w: World) -> None:
        ws = w.books["en"]["Summary"]
        assert ws["A1"].value == "OSCE survey on implementing anti-trafficking commitments, 2015/16 round"
        assert ws["B2"].value == "thb-2016"
        assert ws["B5"].value == "Responses counted: submitted, resubmitted, accepted."
        assert isinstance(ws["B3"].value, dt.datetime)
        assert not any("PROVISIONAL" in str(c.value) for row in ws.iter_rows() for c in row if c.value)

        rates = find_row(ws, 1, lambda v: v == "Response rates")
        assert [ws.cell(rates, c).value for c in (1, 2, 3)] == ["Response rates", "States", "NGOs"]
        assert [ws.cell(rates + 1, c).value for c in (1, 2, 3)] == ["Eligible", 57, 2]
        assert [ws.cell(rates + 2, c).value for c in (1, 2, 3)] == ["Counted in this summary", 3, 2]
        assert ws.cell(rates + 3, 2).value == pytest.approx(3 / 57, abs=1e-6)
        submitted = find_row(ws, 1, lambda v: v == "Submitted", start=rates)
        assert [ws.cell(submitted, c).value for c in (2, 3)] == [3, 2]
        in_progress = find_row(ws, 1, lambda v: v == "In progress", start=rates)
        assert ws.cell(in_progress, 2).value == 1

        headline = find_row(ws, 1, lambda v: v == "PRV.SUP.01")
        assert ws.cell(headline, 2).value == (
            "2 of 3 responding participating States reported a public procurement policy to reduce the risk of "
            "buying goods or services made with trafficked labour."
        )
        assert ws.cell(find_row(ws, 1, lambda v: v == "PRV.SUP.02"), 2).value.startswith(
            "1 of 3 responding participating States reported"
        )
        assert ws.cell(find_row(ws, 1, lambda v: v == "PRV.SUP.02"), 2).value.endswith(
            "; 1 more reported it in process."
        )
        area = find_row(ws, 1, lambda v: v == "PRV Preventing trafficking")
        assert area < headline

    # --- Country matrix, Scores, State vs NGO ----------------------------------------------------------------------

    def test_country_matrix_has_one_row_per_responding_state_with_labels(self, w: World) -> None:
        header, rows = table(w.books["en"]["Country matrix"])
        assert header[:2] == ["State", "Code"]
        assert "PRV.SUP.01" in header
        assert "NGO.P.03" not in header  # NGO-only
        assert "PRO.LEG.02" not in header  # multiple choice
        assert [row[1] for row in rows] == ["AT", "DE", "FR"]  # Italy is in progress: not counted
        at = by_first(rows, 1)["AT"]
        assert at[0] == "Austria"
        assert at[header.index("PRV.SUP.01")] == "Yes"
        assert at[header.index("PRV.SUP.02")] == "No"
        assert at[header.index("PRV.DEM.01")] == "Partly"
        assert at[header.index("PRO.LEG.01")] is None
        assert by_first(rows, 1)["FR"][header.index("PRV.SUP.01")] == "No"

    def test_scores_per_state_and_area_are_the_hand_computed_ones(self, w: World) -> None:
        ws = w.books["en"]["Scores"]
        header, rows = table(ws)
        assert header[:2] == ["State", "Code"]
        prv = header.index("PRV Preventing trafficking")
        states = by_first(rows, 1)
        assert states["AT"][0] == "Austria"
        assert states["AT"][prv] == pytest.approx(AT_PRV_SCORE)
        assert states["DE"][prv] == pytest.approx(0.75)
        assert states["FR"][prv] == pytest.approx(0.5)
        at_row = next(r for r in range(4, ws.max_row + 1) if ws.cell(r, 2).value == "AT")
        assert ws.cell(at_row, prv + 1).number_format == "0%"
        assert by_first(rows)["OSCE median"][prv] == pytest.approx(PRV_MEDIAN)
        region = find_row(ws, 1, lambda v: v == "EU member States")
        assert ws.cell(region, 2).value == 3
        assert ws.cell(region, prv + 1).value == pytest.approx((AT_PRV_SCORE + 0.75 + 0.5) / 3, abs=1e-4)

    def test_state_vs_ngo_compares_answers_and_agreement_by_area(self, w: World) -> None:
        ws = w.books["en"]["State vs NGO"]
        header, rows = table(ws)
        assert header == [
            "State",
            "Code",
            "Question",
            "Question text",
            "Row",
            "Area",
            "State's answer",
            "NGOs' answers",
            "Share agreeing",
        ]
        pairs = {(row[1], row[2]): row for row in rows}
        assert pairs[("AT", "PRV.SUP.02")][0] == "Austria"
        assert pairs[("AT", "PRV.SUP.02")][3].startswith("Does the State require or encourage companies")
        assert pairs[("AT", "PRV.SUP.02")][5:] == ["PRV", "No", "Yes", 0]
        assert pairs[("FR", "PRV.SUP.02")][:2] == ["France", "FR"]
        assert pairs[("FR", "PRV.SUP.02")][5:] == ["PRV", "Yes", "Yes", 1]
        by_area = find_row(ws, 1, lambda v: v == "Agreement by area")
        assert [ws.cell(by_area + 2, c).value for c in (1, 2, 3)] == ["PRV", 2, 0.5]

    # --- Raw data --------------------------------------------------------------------------------------------------

    def test_raw_data_has_one_typed_row_per_answer_cell(self, w: World) -> None:
        header, rows = table(w.books["en"]["Raw data"])
        assert header == list(excel.RAW_HEADER)
        expected = {
            (org, code, row, column)
            for org in SUBMITTED
            for code, cells in ANSWERS[org].items()
            for row, column in cells
        }
        assert len(rows) == len(expected) == Answer.objects.filter(response__status="submitted").count()
        codes = {"Austria": "AT", "Germany": "DE", "France": "FR", NGO_NAME: "ngo-at", "La Strada France": "ngo-fr"}
        seen = set()
        for row in rows:
            name = row[0][1:] if row[0].startswith("'") else row[0]
            seen.add((codes[name], row[3], row[4] or "", row[5] or ""))
        assert seen == expected
        cells = {(row[2], row[1], row[3], row[4] or "", row[5] or ""): row for row in rows}
        assert cells[("AT", "state", "PRO.DATA.01", "", "2012")][6] == 10
        assert cells[("AT", "state", "PAR.NAT.08", "", "")][6] == 2.5
        assert cells[("AT", "state", "PAR.NAT.07", "", "")][6] == dt.datetime(2015, 5, 1)
        assert cells[("AT", "state", "PRO.LEG.02", "", "")][6] == "sexual_exploitation;domestic_servitude"
        assert cells[("AT", "state", "PRV.SUP.01", "", "")][6] == "yes"
        at = cells[("AT", "state", "PRV.SUP.01", "", "")]
        assert at[7] == "submitted"
        assert isinstance(at[8], dt.datetime)
        assert at[8].tzinfo is None
        now = timezone.localtime().replace(tzinfo=None)
        assert abs(now - at[8]) < dt.timedelta(minutes=10)  # local time, not UTC
        assert cells[("AT", "ngo", "PRV.SUP.02", "", "")][0] == "'" + NGO_NAME

        ws = w.books["en"]["Raw data"]
        number = next(r for r in range(4, ws.max_row + 1) if ws.cell(r, 4).value == "PRO.DATA.01")
        assert ws.cell(number, 7).data_type == "n"
        date = next(r for r in range(4, ws.max_row + 1) if ws.cell(r, 4).value == "PAR.NAT.07")
        assert ws.cell(date, 7).is_date

    # --- safety and structure --------------------------------------------------------------------------------------

    @pytest.mark.parametrize("key", ["en", "ru", "provisional"])
    def test_no_cell_is_a_formula_and_user_text_is_neutralised(self, w: World, key: str) -> None:
        book = w.books[key]
        for ws in book.worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                    if isinstance(cell.value, str):
                        assert not cell.value.startswith(DANGEROUS_STARTS), (ws.title, cell.coordinate, cell.value)
        raw = book.worksheets[-1]  # "Raw data", last in every language
        values = {c.value for row in raw.iter_rows(min_row=4) for c in row}
        assert "'" + HYPERLINK in values
        assert "'+1" in values
        assert "'@SUM(A1)" in values
        assert "'-5 shelters" in values
        na = next(c for row in raw.iter_rows(min_row=4) for c in row if c.value == "#N/A")
        assert na.data_type == "s"  # text, not Excel's error value
        with zipfile.ZipFile(w.files[key]) as archive:
            for name in archive.namelist():
                if name.startswith("xl/worksheets/sheet"):
                    assert "<f>" not in archive.read(name).decode(), name

    def test_sheet_names_are_valid_unique_and_in_order(self, w: World) -> None:
        for book in w.books.values():
            names = book.sheetnames
            assert all(len(n) <= 31 for n in names)
            assert not any(re.search(r"[\[\]:*?/\\]", n) for n in names)
            assert len({n.casefold() for n in names}) == len(names)
        assert w.books["en"].sheetnames == [
            "Summary",
            "GEN About the respondent",
            "PRO Prosecution",
            "PRV Preventing trafficking",
            "PRT Protecting and assisting",
            "PAR Partnerships, co-ordination",
            "NGO Questions for NGOs only",
            "Commitments",
            "Country matrix",
            "Scores",
            "State vs NGO",
            "Key figures",
            "Change since previous round",
            "Codebook",
            "Raw data",
        ]

    def test_frozen_headers_and_filters(self, w: World) -> None:
        book = w.books["en"]
        assert book["Summary"].freeze_panes == "A2"
        assert book["PRV Preventing trafficking"].freeze_panes == "A3"
        assert book["Country matrix"].freeze_panes == "C4"
        assert book["Scores"].freeze_panes == "C4"
        assert book["State vs NGO"].freeze_panes == "C4"
        assert book["Raw data"].freeze_panes == "A4"
        assert book["Raw data"].auto_filter.ref == f"A3:I{book['Raw data'].max_row}"
        assert book["Country matrix"].auto_filter.ref.startswith("A3:")
        assert book["Scores"].auto_filter.ref == "A3:F6"
        assert book["Raw data"].column_dimensions["G"].width == 40

    def test_area_sheets_carry_a_native_bar_chart_beside_each_option_table(self, w: World) -> None:
        book = w.books["en"]
        with zipfile.ZipFile(w.files["en"]) as archive:
            names = archive.namelist()
            charts = [archive.read(n).decode() for n in names if re.fullmatch(r"xl/charts/chart\d+\.xml", n)]
            sheet_rels = [archive.read(n).decode() for n in names if n.startswith("xl/worksheets/_rels/")]
        assert any("relationships/drawing" in rels for rels in sheet_rels)
        chart = next(x for x in charts if "<a:t>PRV.SUP.01 Public procurement policy</a:t>" in x)
        assert "<barChart>" in chart
        ws = book["PRV Preventing trafficking"]
        _header, rows, _answered = option_block(ws, "PRV.SUP.01")
        first, last = min(rows.values()), max(rows.values())
        assert f"'PRV Preventing trafficking'!$C${first}:$C${last}" in chart  # States %
        assert f"'PRV Preventing trafficking'!$A${first}:$A${last}" in chart  # option labels
        assert "$E$" not in chart  # no NGO series for a States-only question
        # Every option table of an area sheet (a choice question, a matrix row) has its chart, anchored at the
        # table's first row right of the tables; the State a response covers (57 options) has none.
        for name in book.sheetnames[1:-5]:
            sheet = book[name]
            headers = [r for r in range(1, sheet.max_row + 1) if sheet.cell(r, 1).value == "Option"]
            anchored = {chart.anchor._from.row + 1 for chart in sheet._charts if chart.anchor._from.col == 8}
            for header in headers:
                options = option_rows(sheet, header)
                charted = header in anchored or header - 1 in anchored  # a matrix row's label comes first
                assert charted == (options <= 20), (name, header, options)

    def test_russian_summary_uses_the_russian_texts_of_the_definition(self, w: World) -> None:
        book = w.books["ru"]
        assert "PRV Предупреждение торговли" in book.sheetnames
        assert "PRO Уголовное преследование" in book.sheetnames
        assert book.worksheets[0].title == "Сводка"  # the sheet names are Russian too
        assert book["Сводка"]["A1"].value.startswith("Опрос ОБСЕ")
        ws = book["PRV Предупреждение торговли"]
        assert ws["A1"].value == "PRV Предупреждение торговли людьми"
        _header, rows, _answered = option_block(ws, "PRV.SUP.01")
        assert list(rows)[:2] == ["Да", "Нет"]
        assert ws.cell(rows["Да"], 2).value == 2
        header, matrix = table(book[sheet_in(excel.COUNTRY_MATRIX, "ru")])
        assert by_first(matrix, 1)["AT"][header.index("PRV.SUP.01")] == "Да"
        _header, pairs = table(book[sheet_in(excel.STATE_VS_NGO, "ru")])
        assert ["AT", "PRV.SUP.02", None, "PRV", "Нет", "Да", 0] in [row[1:3] + row[4:] for row in pairs]
        region = find_row(book[sheet_in(excel.SCORES, "ru")], 1, lambda v: v == "Государства — члены ЕС")
        assert region > 4

    def test_provisional_summary_counts_answers_in_progress_and_says_so(self, w: World) -> None:
        book = w.books["provisional"]
        summary = book["Summary"]
        assert find_row(summary, 1, lambda v: v == "PROVISIONAL")
        for ws in book.worksheets[1:]:
            assert ws["A2"].value.startswith("PROVISIONAL"), ws.title
            assert ws["A2"].font.b
        _header, rows, answered = option_block(book["PRV Preventing trafficking"], "PRV.SUP.01")
        assert book["PRV Preventing trafficking"].cell(rows["Yes"], 2).value == 3
        assert book["PRV Preventing trafficking"].cell(answered, 2).value == 4
        _header, matrix = table(book["Country matrix"])
        assert [row[1] for row in matrix] == ["AT", "DE", "FR", "IT"]
        job = ExcelExport.objects.get(include_in_progress=True)
        assert re.fullmatch(r"exports/thb-2016-summary-provisional-en-\d{8}-\d{4}(_\w+)?\.xlsx", job.file.name)

    # --- the export job ---------------------------------------------------------------------------------------------

    def test_raw_rows_reads_every_answer_in_one_query(self, w: World) -> None:
        with CaptureQueriesContext(connection) as queries:
            rows = list(raw_rows(w.survey, include_in_progress=False))
        answer_queries = [q["sql"] for q in queries.captured_queries if '"responses_answer"' in q["sql"]]
        assert len(answer_queries) == 1
        assert len(rows) == sum(len(cells) for org in SUBMITTED for cells in ANSWERS[org].values())
        assert [r[2] for r in rows[:1]] == ["AT"]  # States first
        assert rows[-1][1] == "ngo"
        values = {(r[2], r[1], r[3], r[5]): r[6] for r in rows}
        assert values[("AT", "state", "PRO.DATA.01", "2013")] == 20
        assert isinstance(values[("AT", "state", "PRO.DATA.01", "2013")], int)
        assert values[("AT", "state", "PAR.NAT.07", "")] == dt.date(2015, 5, 1)
        assert len(list(raw_rows(w.survey, include_in_progress=True))) == len(rows) + 1

    def test_an_export_uses_the_stored_report_and_is_claimed_once(self, w: World) -> None:
        run = ReportRun.objects.create(survey=w.survey)
        assert report_run_execute(run_id=run.pk) == JobStatus.DONE
        built = dt.datetime(2026, 1, 2, 3, 4, tzinfo=dt.UTC)
        Report.objects.filter(survey=w.survey, include_in_progress=False).update(built_at=built)
        job = excel_export_create(survey=w.survey, user=None, language="fr", include_in_progress=False)
        assert excel_export_execute(export_id=job.pk) == JobStatus.DONE
        assert excel_export_execute(export_id=job.pk) == "skipped"
        job.refresh_from_db()
        assert (job.status, job.progress, job.attempts, job.error) == ("done", 100, 1, "")
        assert re.fullmatch(r"exports/thb-2016-summary-fr-\d{8}-\d{4}(_\w+)?\.xlsx", job.file.name)
        with job.file.open("rb") as handle:
            book = openpyxl.load_workbook(io.BytesIO(handle.read()))
        assert book.worksheets[0]["B3"].value == timezone.localtime(built).replace(tzinfo=None)  # Summary, in French

    def test_an_export_is_failed_after_too_many_attempts(self, w: World) -> None:
        job = excel_export_create(survey=w.survey, user=None, language="en", include_in_progress=False)
        ExcelExport.objects.filter(pk=job.pk).update(status="running", attempts=3, error="MemoryError: x")
        assert excel_export_execute(export_id=job.pk) == JobStatus.FAILED
        job.refresh_from_db()
        assert job.status == "failed"
        assert job.error.startswith("Stopped after 3 attempts")
        assert job.error.endswith("Last error: MemoryError: x")

    def test_excel_export_request_refuses_an_unknown_language(self, w: World) -> None:
        with pytest.raises(ValueError, match="unknown language 'xx'"):
            excel_export_create(survey=w.survey, user=None, language="xx", include_in_progress=False)

    # --- the command -----------------------------------------------------------------------------------------------

    def test_command_errors_are_clear(self, w: World, tmp_path: Path) -> None:
        before = ExcelExport.objects.count()
        with pytest.raises(CommandError, match=r"no round 'thb-1999' \(rounds: thb-2016\)"):
            call_command("export_excel", "--survey", "thb-1999", "-o", str(tmp_path / "x.xlsx"))
        with pytest.raises(CommandError, match=r"unknown language 'xx' \(languages: en, fr, de, it, ru, es\)"):
            call_command("export_excel", "--survey", "thb-2016", "-o", str(tmp_path / "x.xlsx"), "--lang", "xx")
        with pytest.raises(CommandError, match="does not exist"):
            call_command("export_excel", "--survey", "thb-2016", "-o", str(tmp_path / "missing" / "x.xlsx"))
        assert ExcelExport.objects.count() == before

    def test_command_reports_a_failed_export(self, w: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        def boom(*args: Any, **kwargs: Any) -> None:
            raise RuntimeError("boom")

        monkeypatch.setattr("reports.exports.write_summary", boom)
        with pytest.raises(CommandError, match=r"Excel export \d+ failed: RuntimeError: boom"):
            call_command("export_excel", "--survey", "thb-2016", "-o", str(tmp_path / "x.xlsx"), stderr=io.StringIO())
        job = ExcelExport.objects.latest("pk")
        assert (job.status, job.error, job.file.name) == ("failed", "RuntimeError: boom", "")
        assert not (tmp_path / "x.xlsx").exists()

    # --- staff pages ---------------------------------------------------------------------------------------------

    def test_staff_start_an_export_follow_it_and_download_it(
        self, w: World, client: Any, django_capture_on_commit_callbacks: Any
    ) -> None:
        staff = UserFactory(is_staff=True)
        force_login_verified(client, staff)
        start = reverse("reports:excel-export-start", args=["thb-2016"])
        page = client.get(start)
        assert page.status_code == 200
        assert b'name="language"' in page.content
        assert b"INVALID_TEMPLATE_VARIABLE" not in page.content

        with django_capture_on_commit_callbacks() as callbacks:
            response = client.post(start, {"language": "ru", "include_in_progress": "on"})
        job = ExcelExport.objects.latest("pk")
        assert response.status_code == 302
        assert response["Location"] == reverse("reports:excel-export-status", args=[job.pk])
        assert (job.language, job.include_in_progress, job.requested_by, job.status) == ("ru", True, staff, "queued")

        waiting = client.get(response["Location"])
        assert waiting.status_code == 200
        assert b'hx-trigger="every 2s"' in waiting.content
        assert b"<html" in waiting.content
        assert b"INVALID_TEMPLATE_VARIABLE" not in waiting.content
        partial = client.get(response["Location"], headers={"HX-Request": "true"})
        assert b"<html" not in partial.content
        assert b'hx-get="' + response["Location"].encode() + b'"' in partial.content

        assert len(callbacks) == 1
        callbacks[0]()  # the commit: the task runs (in-process)
        job.refresh_from_db()
        assert job.status == "done"
        done = client.get(response["Location"], headers={"HX-Request": "true"})
        assert b"hx-trigger" not in done.content
        download = reverse("reports:excel-export-download", args=[job.pk])
        assert download.encode() in done.content
        assert b"INVALID_TEMPLATE_VARIABLE" not in done.content

        file = client.get(download)
        assert file.status_code == 200
        assert file["Content-Type"] == XLSX
        assert re.search(
            r'attachment; filename="thb-2016-summary-provisional-ru-\d{8}-\d{4}', file["Content-Disposition"]
        )
        body = b"".join(file.streaming_content)
        assert body.startswith(b"PK")
        assert "PRV Предупреждение торговли" in openpyxl.load_workbook(io.BytesIO(body)).sheetnames

        listing = client.get(start)
        assert f'data-excel-export="{job.pk}"'.encode() in listing.content
        assert download.encode() in listing.content
        assert b"INVALID_TEMPLATE_VARIABLE" not in listing.content

    def test_a_bad_form_is_shown_again(self, w: World, client: Any) -> None:
        before = ExcelExport.objects.count()
        force_login_verified(client, UserFactory(is_staff=True))
        response = client.post(reverse("reports:excel-export-start", args=["thb-2016"]), {"language": "xx"})
        assert response.status_code == 400
        assert b"xx" in response.content
        assert ExcelExport.objects.count() == before

    def test_only_staff_see_the_export_pages(self, w: World, client: Any) -> None:
        before = ExcelExport.objects.count()
        job = excel_export_create(survey=w.survey, user=None, language="en", include_in_progress=False)
        assert excel_export_execute(export_id=job.pk) == JobStatus.DONE
        urls = [
            ("get", reverse("reports:excel-export-start", args=["thb-2016"])),
            ("post", reverse("reports:excel-export-start", args=["thb-2016"])),
            ("get", reverse("reports:excel-export-status", args=[job.pk])),
            ("get", reverse("reports:excel-export-download", args=[job.pk])),
        ]
        for method, url in urls:
            anonymous = getattr(client, method)(url, {"language": "en"} if method == "post" else None)
            assert anonymous.status_code == 302, url
            assert anonymous["Location"].startswith(reverse("login")), url
        coordinator = MembershipFactory(organisation=Organisation.objects.get(code="AT"), role=Role.COORDINATOR).user
        client.force_login(coordinator)
        for method, url in urls:
            assert getattr(client, method)(url, {"language": "en"} if method == "post" else None).status_code == 404, (
                url
            )
        assert ExcelExport.objects.count() == before + 1
        force_login_verified(client, UserFactory(is_staff=True))
        assert client.get(reverse("reports:excel-export-status", args=[job.pk + 1000])).status_code == 404
        unfinished = excel_export_create(survey=w.survey, user=None, language="en", include_in_progress=False)
        assert client.get(reverse("reports:excel-export-download", args=[unfinished.pk])).status_code == 404

    def test_the_export_pages_say_which_report_the_counts_come_from_and_offer_a_new_build(
        self, w: World, client: Any
    ) -> None:
        """The workbook holds the stored report's counts, not the live ones: both pages say when that report was
        built and how many responses changed since, with a button to build a new one first."""
        Report.objects.filter(survey=w.survey).delete()
        force_login_verified(client, UserFactory(is_staff=True))
        start = reverse("reports:excel-export-start", args=["thb-2016"])
        page = client.get(start).content.decode()
        assert page.count("no report has been built yet") == 1  # submitted and accepted answers
        assert page.count("no such report has been built yet") == 1  # provisional
        assert page.count(f'action="{reverse("reports:report-build", args=["thb-2016"])}"') == 2
        # The round by its title, and the way back to its dashboard.
        assert f"Excel summary of {w.survey.title_text}" in page
        assert "Excel summary of thb-2016" not in page
        assert f'<a href="{reverse("reports:dashboard-round", args=["thb-2016"])}">{w.survey.title_text}</a>' in page

        assert report_run_execute(run_id=ReportRun.objects.create(survey=w.survey).pk) == JobStatus.DONE
        built = timezone.now().replace(microsecond=0) - dt.timedelta(hours=2)
        Report.objects.filter(survey=w.survey).update(built_at=built)
        Response.objects.filter(survey=w.survey).update(updated_at=built - dt.timedelta(days=1))
        Response.objects.filter(survey=w.survey, organisation__code__in=["AT", "FR"]).update(
            updated_at=built + dt.timedelta(hours=1)
        )
        when = formats.date_format(timezone.localtime(built), "DATETIME_FORMAT")
        page = client.get(start).content.decode()
        assert (
            f"Submitted and accepted answers: counts from the report built on {when}; 2 responses changed since."
            in (page)
        )
        assert 'data-build-first="final"' in page

        job = excel_export_create(survey=w.survey, user=None, language="en", include_in_progress=False)
        status = reverse("reports:excel-export-status", args=[job.pk])
        waiting = client.get(status).content.decode()
        assert f"counts from the report built on {when}; 2 responses changed since." in waiting
        assert excel_export_execute(export_id=job.pk) == JobStatus.DONE
        job.refresh_from_db()
        assert job.report_built_at == built
        # A newer build does not change what this workbook holds.
        Report.objects.filter(survey=w.survey).update(built_at=built + dt.timedelta(hours=1, minutes=30))
        done = client.get(status).content.decode()
        assert f"counts from the report built on {when}; 2 responses changed since." in done
        assert "in English" in done
        assert "language: en" not in done
        assert f'<a href="{reverse("reports:dashboard-round", args=["thb-2016"])}">{w.survey.title_text}</a>' in done
        # Up to date: no build is offered.
        page = client.get(start).content.decode()
        assert "Submitted and accepted answers: counts from the report built on" in page
        assert "no response has changed since" in page
        assert 'data-build-first="final"' not in page

    def test_the_status_page_of_a_failed_export_shows_the_error(self, w: World, client: Any) -> None:
        job = excel_export_create(survey=w.survey, user=None, language="en", include_in_progress=True)
        ExcelExport.objects.filter(pk=job.pk).update(status="failed", error="RuntimeError: disk full", progress=40)
        force_login_verified(client, UserFactory(is_staff=True))
        page = client.get(reverse("reports:excel-export-status", args=[job.pk]))
        assert page.status_code == 200
        assert b"data-excel-export-error" in page.content
        assert b"RuntimeError: disk full" in page.content
        assert b"data-provisional" in page.content
        assert b"hx-trigger" not in page.content
        assert b"INVALID_TEMPLATE_VARIABLE" not in page.content


# --- unit: names and values -----------------------------------------------------------------------------------


def test_sheet_name_is_valid_short_and_unique() -> None:
    used = {name.casefold() for name in excel.FIXED_SHEETS}
    assert excel.sheet_name("PRO", "Prosecution: investigating and prosecuting", used) == "PRO Prosecution"
    assert excel.sheet_name("PRO", "Prosecution", used) == "PRO Prosecution (2)"
    assert excel.sheet_name("X", "What? [a/b] *c* \\d", used) == "X What a b c d"
    long = excel.sheet_name("PAR", "Partnerships, co-ordination and monitoring", used)
    assert long == "PAR Partnerships, co-ordination"
    assert len(excel.sheet_name("ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFGHIJ", "", used)) == 31
    assert excel.sheet_name("Raw", "data", used) == "Raw data (2)"


def test_neutralise_keeps_text_as_text() -> None:
    assert excel.neutralise("=1+1") == "'=1+1"
    assert excel.neutralise("\tx") == "'\tx"
    assert excel.neutralise("\rx") == "'\rx"
    assert excel.neutralise("a\x07b") == "ab"
    assert excel.neutralise("Austria") == "Austria"
    assert excel.excel_value(dt.datetime(2026, 1, 1, 12, tzinfo=dt.UTC)) == dt.datetime(2026, 1, 1, 13)


# --- a real worker ---------------------------------------------------------------------------------------------


@pytest.mark.worker
def test_a_real_worker_writes_the_export_while_the_command_waits(
    celery_workers: Any, tmp_path: Path, settings: Any
) -> None:
    media = tmp_path / "media"
    settings.MEDIA_ROOT = str(media)  # the worker and this process share the storage
    survey = build_round()
    celery_workers.start(MEDIA_ROOT=str(media))
    target = tmp_path / "worker.xlsx"
    call_command(
        "export_excel",
        "--survey",
        survey.slug,
        "-o",
        str(target),
        "--timeout",
        "120",
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )
    job = ExcelExport.objects.get()
    assert (job.status, job.progress, job.attempts) == ("done", 100, 1)
    ws = openpyxl.load_workbook(target)["PRV Preventing trafficking"]
    _header, rows, _answered = option_block(ws, "PRV.SUP.01")
    assert (ws.cell(rows["Yes"], 2).value, ws.cell(rows["No"], 2).value) == (2, 1)
