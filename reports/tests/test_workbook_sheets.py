"""The Excel summary's sheets that relate figures and explain codes: breakdown tables grouped with totals, figures
labelled by the definition, the Codebook, "Change since <previous round>" and "Key figures".

One hand-made 2021 round (following 2016) is answered with known figures, exported through the command and read
back cell by cell with openpyxl. Years are the round's reference years (2017-2019); Y is its last.
"""

from __future__ import annotations

import io
from typing import Any

import openpyxl
import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from accounts.directory import reference_organisations_ensure
from reports import workbook as excel
from responses.models import Response
from tests.scenario import Scenario

Y = "2019"
FORM = "sexual_exploitation"
CURRENT = {
    "AT": {
        "GEN.R.01": {("", ""): "AT"},
        "GEN.R.04": {("", ""): "fr"},
        "PRV.SUP.01": {("", ""): "yes"},
        "PRV.SUP.02": {("", ""): "no"},
        "PRT.ASS.03": {("", ""): "yes", ("number", ""): 30},
        "PRT.DATA.01": {(f"{Y}.female.adult.{FORM}", "national"): 10, (f"{Y}.female.adult.{FORM}", "foreign"): 5},
        "PRT.DATA.02": {("", Y): 12},
        "PRT.DATA.03": {("", Y): 3},
    },
    "DE": {
        "PRV.SUP.01": {("", ""): "yes"},
        "PRT.DATA.01": {(f"{Y}.male.child.{FORM}", "foreign"): 4},
        "PRT.DATA.02": {("", Y): 2},
    },
    "FR": {"PRV.SUP.01": {("", ""): "no"}, "PRT.DATA.02": {("", Y): 7}},
    "ngo-at": {"GEN.R.01": {("", ""): "AT"}, "GEN.R.04": {("", ""): "en"}, "PRV.SUP.02": {("", ""): "yes"}},
}
PREVIOUS = {
    "AT": {"GEN.R.04": {("", ""): "en"}, "PRV.SUP.01": {("", ""): "yes"}},
    "DE": {"PRV.SUP.01": {("", ""): "no"}},
}


@pytest.fixture(scope="module")
def books(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Workbook]:
    """The English and French workbooks of the 2021 round, written once inside a transaction rolled back after."""
    out = tmp_path_factory.mktemp("sheets")
    media = override_settings(MEDIA_ROOT=str(tmp_path_factory.mktemp("media")))
    found = {}
    with media, django_db_blocker.unblock(), transaction.atomic():
        # An earlier transactional test in this process may have flushed the directory the migration loaded.
        reference_organisations_ensure()
        s = Scenario().round("thb-2016").round("thb-2021")
        for code in ("AT", "DE", "FR"):
            s.state(code)
        s.ngo("ngo-at", name="La Strada Austria", country="AT")
        for org, answers in PREVIOUS.items():
            s.answers(org, answers, round="thb-2016")
        for org, answers in CURRENT.items():
            s.answers(org, answers, round="thb-2021")
        Response.objects.update(status="submitted")
        for language in ("en", "fr"):
            target = out / f"{language}.xlsx"
            call_command(
                "export_excel", "--survey", "thb-2021", "-o", str(target), "--lang", language, stdout=io.StringIO()
            )
            found[language] = openpyxl.load_workbook(target)
        transaction.set_rollback(True)
    return found


def rows_of(ws: Worksheet) -> list[list[Any]]:
    return [list(row) for row in ws.iter_rows(values_only=True)]


def row_after(rows: list[list[Any]], first: Any, start: int = 0) -> int:
    return next(i for i in range(start, len(rows)) if rows[i] and rows[i][0] == first)


def area_sheet(book: Workbook, code: str) -> Worksheet:
    return book[next(name for name in book.sheetnames if name.startswith(f"{code} "))]


def test_new_sheets_come_after_state_vs_ngo_and_raw_data_stays_last(books: dict[str, Workbook]) -> None:
    names = books["en"].sheetnames
    assert names[names.index("State vs NGO") + 1 :] == [
        "Key figures",
        "Change since thb-2016",
        "Codebook",
        "Raw data",
    ]
    assert books["fr"].sheetnames[-4:] == [
        "Chiffres clés",
        "Évolution depuis thb-2016",
        "Livre de codes",
        "Données brutes",
    ]


def test_a_breakdown_table_has_totals_by_each_dimension_then_the_full_table_in_order(
    books: dict[str, Workbook],
) -> None:
    rows = rows_of(area_sheet(books["en"], "PRT"))
    title = next(i for i, r in enumerate(rows) if isinstance(r[0], str) and r[0].startswith("PRT.DATA.01 "))
    assert rows[title + 1][0] == "States"
    by_year = row_after(rows, "Year", title)
    assert rows[by_year][:7] == ["Year", "Respondents", "Count", "Sum", "Median", "Min", "Max"]
    assert rows[by_year + 1][:3] == ["2017", "States", 0]
    assert rows[by_year + 3][:7] == [Y, "States", 2, 19, 9.5, 4, 15]
    by_sex = row_after(rows, "Sex", by_year)
    assert [r[:4] for r in rows[by_sex + 1 : by_sex + 4]] == [
        ["Female", "States", 1, 15],
        ["Male", "States", 1, 4],
        ["Other or not known", "States", 0, None],
    ]
    by_age = row_after(rows, "Age group", by_sex)
    assert rows[by_age + 2][:4] == ["Children (under 18)", "States", 1, 4]
    by_form = row_after(rows, "Form of exploitation", by_age)
    assert rows[by_form + 1][:4] == ["Sexual exploitation", "States", 2, 19]
    by_citizenship = row_after(rows, "Citizenship", by_form)
    assert [r[:4] for r in rows[by_citizenship + 1 : by_citizenship + 3]] == [
        ["Nationals", "States", 1, 10],
        ["Foreign nationals", "States", 2, 9],
    ]
    full = next(i for i in range(by_citizenship, len(rows)) if rows[i][0] == "Year" and rows[i][1] == "Sex")
    assert rows[full][:7] == [
        "Year",
        "Sex",
        "Age group",
        "Form of exploitation",
        "Nationals",
        "Foreign nationals",
        "Total",
    ]
    assert rows[full + 1][:7] == ["2017", "Female", "Adults (18 and over)", "Sexual exploitation", None, None, None]
    at_row = next(r for r in rows[full:] if r[:4] == [Y, "Female", "Adults (18 and over)", "Sexual exploitation"])
    assert at_row[4:7] == [10, 5, 15]
    labels = [r[0] for r in rows[title:]]
    assert not any(isinstance(v, str) and "." in v and v.startswith("20") for v in labels)  # no row keys shown


def test_figures_are_named_by_the_definitions_words(books: dict[str, Workbook]) -> None:
    rows = rows_of(area_sheet(books["en"], "PRT"))
    title = next(i for i, r in enumerate(rows) if isinstance(r[0], str) and r[0].startswith("PRT.ASS.03 "))
    header = row_after(rows, "Figure", title)
    assert rows[header + 1][:4] == ["Length of the period in days", "States", 1, 30]
    values = {r[0] for r in rows if r}
    assert "number" not in values
    assert "Value" not in values


def test_state_vs_ngo_names_the_state_and_leaves_out_questions_about_the_respondent(
    books: dict[str, Workbook],
) -> None:
    ws = books["en"]["State vs NGO"]
    header = [c.value for c in ws[excel.TABLE_HEADER_ROW]]
    assert header[:4] == ["State", "Code", "Question", "Question text"]
    data = [r for r in rows_of(ws)[excel.TABLE_HEADER_ROW :] if r[0] is not None]
    pairs = [r for r in data if r[1] == "AT"]
    assert [r[2] for r in pairs] == ["PRV.SUP.02"]  # GEN.R.01 and GEN.R.04 (language) are not compared
    assert pairs[0][0] == "Austria"
    assert pairs[0][6:9] == ["No", "Yes", 0]
    # The States are named in the workbook's language (the round's "which State" options), here and in the matrix.
    french = rows_of(books["fr"]["État – ONG"])
    assert ["Autriche", "AT"] in [r[:2] for r in french]
    matrix = rows_of(books["fr"]["Matrice par pays"])
    assert ["Autriche", "AT"] in [r[:2] for r in matrix]


def test_the_change_sheet_shows_yes_counts_both_rounds_states_and_changed_answers(
    books: dict[str, Workbook],
) -> None:
    ws = books["en"]["Change since thb-2016"]
    assert ws["A1"].value.startswith("Change since the previous round (OSCE survey")
    rows = rows_of(ws)
    assert rows[2][:3] == ["Question", "Question text", "Previous “yes”"]
    change = next(r for r in rows if r[0] == "PRV.SUP.01")
    assert change[2:8] == [1, 2, pytest.approx(0.5), 2, 3, pytest.approx(2 / 3)]
    assert change[8] == pytest.approx(16.6667, abs=1e-3)
    assert change[9:11] == [2, "Austria; Germany"]
    assert ws.cell(rows.index(change) + 1, 5).number_format == "0.0%"
    assert not any(r[0] == "GEN.R.04" for r in rows)
    changed = row_after(rows, "State", 3)
    assert rows[changed + 1][:6] == ["Germany", "DE", "PRV.SUP.01", rows[changed + 1][3], "No", "Yes"]
    assert all(r[2] != "GEN.R.04" for r in rows[changed + 1 :])  # Austria's language of answering is no change


def test_a_round_without_previous_round_says_so_in_one_sentence(books: dict[str, Workbook], db: None) -> None:
    report = {"survey": {"slug": "x", "previous": None}, "questions": [], "areas": [], "basis": {"statuses": []}}
    stream = io.BytesIO()
    excel.write_summary(stream, report_data=report, raw_rows=iter(()), language="en", regions={})
    ws = openpyxl.load_workbook(io.BytesIO(stream.getvalue()))["Change since previous round"]
    assert ws["A3"].value == "This round has no previous round, so there is no change to show."
    assert ws.max_row == 3


def test_the_key_figures_sheet_gives_totals_medians_shares_and_sentences(books: dict[str, Workbook]) -> None:
    rows = rows_of(books["en"]["Key figures"])
    title = row_after(rows, "Victims: identified, assisted, compensated")
    assert rows[title + 1][:8] == [
        "Year",
        "Step",
        "Question",
        "States reporting",
        "Total",
        "Median per State",
        "Share of the previous step",
        "States reporting both steps",
    ]
    figures = [r[:8] for r in rows[title + 2 :] if r[0] == int(Y)][:3]
    assert figures[0] == [int(Y), "identified victims", "PRT.DATA.01", 2, 19, 9.5, None, None]
    assert figures[1][:6] == [int(Y), "victims assisted", "PRT.DATA.02", 3, 21, 7]
    assert figures[1][6] == pytest.approx(14 / 19, abs=1e-6)  # AT and DE reported both: (12 + 2) / (15 + 4)
    assert figures[1][7] == 2
    assert figures[2][3:8] == [1, 3, 3, pytest.approx(0.25), 1]  # AT only: 3 / 12
    sentence = next(r[1] for r in rows[title:] if r[0] == int(Y) and isinstance(r[1], str) and r[1].startswith("In"))
    assert sentence == (
        f"In {Y}, 2 participating States reported figures on identified victims: 19 in all. "
        "Figures on victims assisted: 21 in all; in the 2 participating States that reported this step and the "
        "previous one, they are 73.7% of the previous step. "
        "Figures on victims compensated: 3 in all; in the one participating State that reported this step and the "
        "previous one, they are 25% of the previous step."
    )
    # Printed, a sentence wraps across the table's width (merged B..H) in a row as tall as its lines.
    ws = books["en"]["Key figures"]
    at_row = next(i for i, r in enumerate(rows, 1) if r[1] == sentence)
    assert ws.cell(at_row, 2).alignment.wrap_text
    assert f"B{at_row}:H{at_row}" in {str(r) for r in ws.merged_cells.ranges}
    assert ws.row_dimensions[at_row].height > 15
    early = next(r[1] for r in rows[title:] if r[0] == 2017 and isinstance(r[1], str) and r[1].startswith("In"))
    assert early == (
        "In 2017, no participating State reported figures on identified victims. "
        "No participating State reported figures on victims assisted. "
        "No participating State reported figures on victims compensated."
    )
    french = rows_of(books["fr"]["Chiffres clés"])
    assert any(
        isinstance(r[1], str)
        and r[1].startswith(f"En {Y}, 2 États participants ont communiqué des chiffres")
        and "73,7 %" in r[1]
        for r in french
    )
    assert row_after(rows, "Criminal justice: investigations, prosecutions, convictions") > title


def test_the_codebook_has_one_row_per_option_and_cell_joining_the_raw_data(books: dict[str, Workbook]) -> None:
    ws = books["en"]["Codebook"]
    rows = rows_of(ws)
    assert rows[2] == [
        "Question",
        "Area",
        "Section",
        "Answer type",
        "Audience",
        "Question text",
        "Short label",
        "row",
        "column",
        "Cell",
        "Option",
        "Option label",
        "Unit",
    ]
    yes = next(r for r in rows if r[0] == "PRV.SUP.01" and r[10] == "yes")
    assert yes[1:3] == ["PRV", "PRV.SUP"]
    assert yes[4] == "Participating States"
    assert yes[11] == "Yes"
    assert yes[6]  # the headline phrase of a scored question
    days = next(r for r in rows if r[0] == "PRT.ASS.03" and r[7] == "number")
    assert days[9] == days[12] == "Length of the period in days"
    budget = [r for r in rows if r[0] == "PAR.NAT.03" and r[7] == "budgeted"]  # a composite's choice field
    assert budget[0][9] == "Does the plan have its own budget?"
    assert [r[10] for r in budget] == ["yes", "partially", "no", "no_information"]
    assert [r[10] for r in rows if r[0] == "PAR.NAT.03" and r[7] == "start_year"] == [None]
    cells = [r for r in rows if r[0] == "PRT.DATA.01"]
    female = next(r for r in cells if r[7] == f"{Y}.female.adult.{FORM}" and r[8] == "foreign")
    assert female[9] == f"{Y}, Female, Adults (18 and over), Sexual exploitation, Foreign nationals"
    assert len({(r[7], r[8]) for r in cells}) == len(cells)
    raw = {(r[3], r[4] or "", r[5] or "") for r in rows_of(books["en"]["Raw data"])[excel.TABLE_HEADER_ROW :]}
    known = {(r[0], r[7] or "", r[8] or "") for r in rows[3:]}
    assert raw <= known  # every raw answer cell has its codebook row


def test_the_country_matrix_lists_what_each_question_asks_under_the_table(books: dict[str, Workbook]) -> None:
    rows = rows_of(books["en"]["Country matrix"])
    questions = row_after(rows, "Questions")
    legend = {r[0]: r[1] for r in rows[questions + 1 :]}
    assert legend["PRV.SUP.01"].startswith("When the government buys goods and services")
    assert set(legend) == set(rows[2][2:])
