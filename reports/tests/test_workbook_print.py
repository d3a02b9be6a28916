"""The Excel summary prints and charts well: print settings on every sheet, blocks kept on one page, a Summary of a
few pages (LibreOffice converts the workbook to PDF, `pdfinfo` and `pdftotext` read it back), and charts titled by
the questions' short labels in the workbook's language, with value labels, one per option table.

The demo's rounds (`seed_demo`: 57 participating States, 60 NGOs, every question type answered; thb-2021 compares
with thb-2016) are built once for the module. The workbooks are written from their stored reports by
`write_summary`; the Raw data is left empty in the PDF copy (its hundreds of pages say nothing about layout).

LibreOffice (`soffice`, Debian's libreoffice-calc-nogui) and poppler-utils are installed by `.ci/run`: in CI (env CI
set) a missing one fails the test; elsewhere it skips with the reason.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.utils import translation
from django.utils.translation import gettext
from openpyxl.chart import BarChart
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from oscethb.catalogues import TRANSLATED
from reports.exports import raw_rows
from reports.models import JobStatus, ReportRun
from reports.selectors import regions, report_stored
from reports.services import report_run_execute
from reports.workbook import write_summary
from reports.workbook.charts import title_text
from surveys import answer_types as at
from surveys.models import Survey

pytestmark = pytest.mark.django_db

MAX_SUMMARY_PAGES = 15
ROUNDS = ("thb-2016", "thb-2021")


def tool(name: str) -> str:
    """The path of a command-line tool the test needs: fail in CI when it is missing, skip elsewhere."""
    path = shutil.which(name)
    if path is None:
        message = f"{name} not found: apt-get install -y libreoffice-calc-nogui poppler-utils (.ci/run does)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


def to_pdf(xlsx: Path, out: Path) -> Path:
    """The workbook printed to PDF by LibreOffice headless, with a profile of its own (parallel runs never share
    one)."""
    soffice = tool("soffice")
    profile = out / "lo-profile"
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out),
            str(xlsx),
        ],
        check=True,
        capture_output=True,
        timeout=240,
    )
    return out / f"{xlsx.stem}.pdf"


def pdf_pages(pdf: Path) -> list[str]:
    """The text of each page (layout kept: a page's last line is its footer, the sheet's name on the left)."""
    tool("pdfinfo")
    info = subprocess.run([tool("pdfinfo"), str(pdf)], check=True, capture_output=True, text=True).stdout
    count = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))  # type: ignore[union-attr]
    text = subprocess.run(
        [tool("pdftotext"), "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    pages = text.split("\f")[:count]
    assert len(pages) == count
    return pages


def sheet_of(page: str) -> str:
    """The sheet a page belongs to, from its footer ("<sheet>   Page n of N")."""
    footers = re.findall(r"^\s*(\S.*?)\s{2,}Page \d+ of \d+\s*$", page, re.M)
    return footers[-1] if footers else ""


@pytest.fixture(scope="module")
def books(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Any]]:
    """The demo's rounds seeded, and their workbooks: English and French, with raw data (`files`), and the
    English 2015/16 workbook without raw data for the PDF (`print`)."""
    out = tmp_path_factory.mktemp("print")
    with override_settings(MEDIA_ROOT=str(tmp_path_factory.mktemp("print-media"))):
        with django_db_blocker.unblock():
            outer = transaction.atomic()
            outer.__enter__()
        try:
            with django_db_blocker.unblock():
                call_command("load_survey", *(f"surveys/definitions/{r}.yaml" for r in ROUNDS), stdout=io.StringIO())
                call_command("seed_demo", stdout=io.StringIO())
                files: dict[str, Path] = {}
                reports: dict[str, Any] = {}
                for slug in ROUNDS:
                    survey = Survey.objects.get(slug=slug)
                    # The demo queues its builds for after a commit that this rolled-back transaction never makes.
                    assert report_run_execute(run_id=ReportRun.objects.create(survey=survey).pk) == JobStatus.DONE
                    stored = report_stored(survey=survey)
                    assert stored is not None
                    reports[slug] = stored.data
                    for language in ("en", "fr"):
                        files[f"{slug}-{language}"] = path = out / f"{slug}-{language}.xlsx"
                        write_summary(
                            path,
                            report_data=stored.data,
                            raw_rows=raw_rows(survey, False),
                            language=language,
                            regions=regions(),
                        )
                printed = out / "thb-2016-print.xlsx"
                write_summary(
                    printed, report_data=reports["thb-2016"], raw_rows=iter(()), language="en", regions=regions()
                )
            loaded: dict[str, Any] = {key: openpyxl.load_workbook(path) for key, path in files.items()}
            yield {"books": loaded, "reports": reports, "print": printed, "out": out}
        finally:
            with django_db_blocker.unblock():
                transaction.set_rollback(True)  # nothing of the demo stays for the next module
                outer.__exit__(None, None, None)


def charts(ws: Worksheet) -> list[BarChart]:
    return list(ws._charts)  # openpyxl reads the charts back


def titles(book: Workbook) -> dict[str, BarChart]:
    return {title_text(chart): chart for ws in book.worksheets for chart in charts(ws)}


def test_the_summary_prints_on_a_few_pages_and_blocks_are_never_split(books: dict[str, Any]) -> None:
    pages = pdf_pages(to_pdf(books["print"], books["out"]))
    sheets = [sheet_of(page) for page in pages]
    assert all(sheets), "every page has its footer with the sheet's name and 'Page n of N'"
    assert len(pages) == int(re.search(r"Page 1 of (\d+)", pages[0]).group(1))  # type: ignore[union-attr]
    assert 0 < sheets.count("Summary") < MAX_SUMMARY_PAGES
    assert "OSCE survey on implementing anti-trafficking commitments, 2015/16 round (thb-2016)" in pages[0]
    # Every headline sentence is printed whole (wrapped, not cut at the column's edge).
    summary = " ".join(" ".join(page.split()) for page, sheet in zip(pages, sheets, strict=True) if sheet == "Summary")
    assert "more reported it in process." in summary
    assert summary.count("responding participating States reported") == len(books["reports"]["thb-2016"]["headlines"])
    # On the area sheets an option table never runs onto the next page: each page holding a table's header holds
    # its "Answered / eligible" line (the State a response covers, 57 options, is longer than a page).
    for page, sheet in zip(pages, sheets, strict=True):
        if sheet in ("Summary", "Country matrix", "Scores", "State vs NGO", "Raw data") or sheet.startswith("GEN"):
            continue
        headers = len(re.findall(r"^\s*Option\s+States n", page, re.M))
        closings = len(re.findall(r"^\s*Answered / eligible", page, re.M))
        assert headers == closings, (sheet, page[:300])
    # The whole workbook without its raw data: one sheet per area of a few pages, not hundreds.
    assert len(pages) < 120


def test_every_sheet_prints_landscape_on_a4_fitted_to_the_width_with_titles_repeated(books: dict[str, Any]) -> None:
    for key in ("thb-2016-en", "thb-2021-fr"):
        book = books["books"][key]
        language = key.rsplit("-", 1)[1]
        with translation.override(language):
            footer = gettext("Page &P of &N")
        for index, ws in enumerate(book.worksheets):
            setup = ws.page_setup
            assert (setup.orientation, setup.paperSize, setup.fitToWidth, setup.fitToHeight) == ("landscape", 9, 1, 0)
            assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
            assert ws.HeaderFooter.oddFooter.right.text == footer
            assert ws.HeaderFooter.oddFooter.left.text == "&A"
            assert "thb-" in ws.HeaderFooter.oddHeader.center.text
            # Summary: its title; area sheets and Commitments: title and basis; the tables from the Country matrix on:
            # title, basis and column headers.
            areas = len(books["reports"][key.rsplit("-", 1)[0]]["areas"])
            expected = "$1:$1" if index == 0 else "$1:$2" if index <= areas + 1 else "$1:$3"
            assert ws.print_title_rows == expected, ws.title
    assert books["books"]["thb-2021-fr"].worksheets[0].HeaderFooter.oddFooter.right.text == "Page &P sur &N"


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_languages_page_footer_keeps_the_page_codes(language: str) -> None:
    """Excel and LibreOffice replace &P and &N by the page's number and the number of pages: a translation that
    lost one would print "Page  of"."""
    with translation.override(language):
        footer = gettext("Page &P of &N")
    assert footer != "Page &P of &N"
    assert footer.count("&P") == 1
    assert footer.count("&N") == 1
    assert footer.count("&") == 2


def test_area_sheets_break_pages_between_blocks_and_print_their_charts(books: dict[str, Any]) -> None:
    book = books["books"]["thb-2016-en"]
    areas = book.worksheets[1 : 1 + len(books["reports"]["thb-2016"]["areas"])]
    assert sum(len(ws.row_breaks.brk) for ws in areas) > 10
    for ws in areas:
        last_column = re.match(r"'.*'!\$A\$1:\$([A-Z]+)\$\d+", ws.print_area).group(1)  # type: ignore[union-attr]
        assert last_column == "P"  # the tables (A..G) and the charts beside them (I..P)
        assert all(chart.anchor._from.col == 8 for chart in charts(ws)), ws.title  # column I
        # An option table: its header ("Option") to its "Answered / eligible" line; no break falls inside one.
        tables, header = [], 0
        for row in range(1, ws.max_row + 1):
            value = ws.cell(row, 1).value
            if value == "Option":
                header = row
            elif value == "Answered / eligible" and header:
                tables.append((header, row))
        for brk in ws.row_breaks.brk:
            inside = [(h, a) for h, a in tables if h <= brk.id < a and a - h < 30]
            assert not inside, (ws.title, brk.id, inside)


def test_a_chart_for_every_choice_question_titled_by_its_short_label(books: dict[str, Any]) -> None:
    report = books["reports"]["thb-2016"]
    english, french = titles(books["books"]["thb-2016-en"]), titles(books["books"]["thb-2016-fr"])
    assert "PRV.SUP.01 Public procurement policy" in english
    assert "PRV.SUP.01 Politique de marchés publics" in french
    assert "PRT.ID.01 Mécanisme national d'orientation" in french
    # The stored report carries each question's short labels (docs/report-data.md, `questions[].short`).
    by_code = {q["code"]: q for q in report["questions"]}
    assert by_code["PRV.SUP.01"]["short"]["fr"] == "Politique de marchés publics"
    assert by_code["PRO.DATA.04"]["short"] == {}  # a text answer has none
    counted = {row["question"] for row in report["choice_counts"]}
    for question in report["questions"]:
        answer_type = at.get_type(question["type"])
        if not answer_type.is_choice or question["code"] not in counted or len(question["options"]) > 20:
            continue
        code = question["code"]
        mine = [title for title in french if title.startswith(f"{code} ")]
        rows = len(question["rows"]) if answer_type.has_rows else 1
        assert len(mine) == rows, (code, mine)  # one per matrix row
        assert all(len(title) <= len(code) + 1 + 60 + 2 + 60 + 1 for title in mine)
    # Bars carry their values; one series (a States-only question) has no legend, two have one.
    chart = french["PRV.SUP.01 Politique de marchés publics"]
    assert chart.dataLabels.showVal
    assert not chart.dataLabels.showSerName
    assert chart.legend is None
    assert len(chart.series) == 1
    both = french["PRT.ID.01 Mécanisme national d'orientation"]
    assert len(both.series) == 2
    assert both.legend is not None


def test_years_regions_and_change_since_the_previous_round_are_charted(books: dict[str, Any]) -> None:
    english = books["books"]["thb-2016-en"]
    years = titles(english)["PRO.DATA.01 Investigations opened per year"]
    assert years.type == "col"
    assert years.legend is None
    assert years.dataLabels.showVal
    # A breakdown asked per year (rows "2014.female.adult…") is charted by its totals per year too.
    breakdown = titles(english)["PRT.DATA.01 Victims identified per year, by group"]
    assert breakdown.type == "col"
    scores = english["Scores"]
    (regions_chart,) = charts(scores)
    assert title_text(regions_chart) == "Mean implementation score by region and area"
    assert len(regions_chart.series) == len([a for a in books["reports"]["thb-2016"]["areas"] if a["scored_questions"]])
    # The 2020/21 round compares with 2015/16: each area sheet ends with the "yes" shares of both rounds.
    french = titles(books["books"]["thb-2021-fr"])
    change = french["PRV : « oui » au cycle précédent et à celui-ci"]
    assert len(change.series) == 2
    assert change.legend is not None
    assert not any(title.startswith("PRV :") for title in titles(english))  # 2015/16 has no previous round


def test_a_question_without_a_short_label_is_titled_by_its_text_cut_at_a_word() -> None:
    from reports.workbook.charts import cut, short_label

    question = {"code": "X.Y.01", "text": {"en": "Does the State require or encourage companies to check their supply"}}
    assert short_label(question, "fr") == "Does the State require or encourage companies to check…"
    assert len(short_label(question, "en")) <= 60
    assert short_label({**question, "short": {"en": "Supply chains", "fr": "Chaînes"}}, "fr") == "Chaînes"
    assert short_label({**question, "short": {"en": "Supply chains"}}, "de") == "Supply chains"
    assert cut("word " * 30, 20).endswith("…")
    assert len(cut("word " * 30, 20)) <= 20
