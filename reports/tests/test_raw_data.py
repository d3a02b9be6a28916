"""Raw data in every shape: the long and wide forms of a hand-made round with one question of every answer type
(tests/data/small.yaml), as CSV and xlsx, written through the job; show-if, the choice of respondents, the basis,
the language of the labels, and a query count that does not grow with the number of organisations.

The round: Austria (submitted) answers every question; Germany is still in progress (left out unless provisional);
an NGO working in Austria (submitted) answers "no" to TYP.ONE.01, so the questions shown only on "yes" (TYP.ONE.11
here, and the document question TYP.ONE.13) are hidden for it although it answered them.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reports.data_exports import data_export_create, data_export_execute, data_export_write
from reports.models import DataExport, JobStatus
from reports.raw_data.rows import LONG_COLUMNS, ORGANISATION_COLUMNS
from responses.models import Response
from surveys.models import Question
from tests.factories import OrganisationFactory
from tests.scenario import Scenario

pytestmark = pytest.mark.django_db

FORMULA = '=HYPERLINK("http://x","y")'  # an answer is user input: never a formula in a spreadsheet
SAFE_FORMULA = "'" + FORMULA
SHOWN_ON_YES = {"question": "TYP.ONE.01", "in": ["yes"]}
AUSTRIA = {
    "TYP.ONE.01": {("", ""): "yes"},
    "TYP.ONE.02": {("", ""): "sexual_exploitation;forced_labour"},
    "TYP.ONE.03": {("contracts", ""): "yes", ("audits", ""): "no"},
    "TYP.ONE.05": {("", ""): 12},
    "TYP.ONE.06": {("", ""): "2.5"},
    "TYP.ONE.07": {("", "2012"): 10, ("", "2013"): 20},
    "TYP.ONE.08": {("2012", "female"): 3, ("2013", "male"): 4},
    "TYP.ONE.09": {("start", ""): 2012, ("end", ""): 2014},
    "TYP.ONE.10": {("", ""): FORMULA},
    "TYP.ONE.11": {("", ""): "Shelters in every region."},
    "TYP.ONE.12": {("", ""): "2015-06-30"},
    "TYP.ONE.14": {("in_force", ""): "yes", ("start_year", ""): 2015},
    "TYP.ONE.15": {("", ""): "yes", ("number", ""): 30},
}
NGO = {
    "TYP.ONE.01": {("", ""): "no"},
    "TYP.ONE.04": {("prevention", ""): "effective"},
    "TYP.ONE.10": {("", ""): "Stop Trafficking"},
    "TYP.ONE.11": {("", ""): "Hidden by show-if."},
}


@pytest.fixture
def round_(settings: Any, tmp_path: Path) -> Scenario:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    s = Scenario().round("small")
    Question.objects.filter(survey=s.survey, code="TYP.ONE.11").update(
        show_if=SHOWN_ON_YES, text={"en": "Please describe good practices.", "fr": "Décrivez les bonnes pratiques."}
    )
    s.state("AT", coordinator="a@at.example.org").state("DE", coordinator="d@de.example.org")
    s.ngo("ngo-at", name="Stop Trafficking Vienna", country="AT", coordinator="n@ngo.example.org")
    s.answers("AT", AUSTRIA, by="a@at.example.org")
    s.evidence("AT", "TYP.ONE.13", b"%PDF-1.4 plan", "plan.pdf", by="a@at.example.org")
    s.answers("DE", {"TYP.ONE.05": {("", ""): 7}}, by="d@de.example.org")
    s.answers("ngo-at", NGO, by="n@ngo.example.org")
    s.evidence("ngo-at", "TYP.ONE.13", b"%PDF-1.4 ngo", "ngo-plan.pdf", by="n@ngo.example.org")
    s.status("AT", Response.Status.SUBMITTED).status("DE", Response.Status.IN_PROGRESS)
    s.status("ngo-at", Response.Status.SUBMITTED)
    return s


def export(s: Scenario, **options: Any) -> DataExport:
    """Run one export through the job (as the worker does) and return its finished row."""
    job = data_export_create(survey=s.survey, user=None, language=options.pop("language", "en"), **options)
    assert data_export_execute(export_id=job.pk) == JobStatus.DONE
    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    assert job.file
    return job


def csv_rows(job: DataExport) -> list[list[str]]:
    with job.file.open("rb") as handle:
        text = handle.read().decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def xlsx_rows(job: DataExport) -> list[list[Any]]:
    with job.file.open("rb") as handle:
        workbook = openpyxl.load_workbook(io.BytesIO(handle.read()))
    assert len(workbook.worksheets) == 1
    return [list(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]


def as_dicts(rows: list[list[Any]]) -> list[dict[str, Any]]:
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def cells_of(rows: list[dict[str, Any]], org: str) -> dict[tuple[str, str, str], tuple[Any, Any]]:
    return {
        (r["question_code"], r["row_code"] or "", r["column_code"] or ""): (r["value"], r["value_label"])
        for r in rows
        if r["organisation_code"] == org
    }


def test_the_long_csv_has_one_row_per_answer_cell_with_codes_and_labels(round_: Scenario) -> None:
    rows = csv_rows(export(round_))
    assert rows[0] == list(LONG_COLUMNS)
    records = as_dicts(rows)
    first = records[0]
    assert first == {
        "organisation_code": "AT",
        "organisation_name": "Austria",
        "kind": "state",
        "kind_label": "Participating State",
        "country_code": "AT",
        "status": "submitted",
        "status_label": "Submitted",
        "question_code": "TYP.ONE.01",
        "question_label": "Is there a national plan?",
        "row_code": "",
        "row_label": "",
        "column_code": "",
        "column_label": "",
        "value": "yes",
        "value_label": "Yes",
    }
    austria = cells_of(records, "AT")
    assert austria == {
        ("TYP.ONE.01", "", ""): ("yes", "Yes"),
        ("TYP.ONE.02", "", ""): ("sexual_exploitation;forced_labour", "Sexual exploitation; Forced labour"),
        ("TYP.ONE.03", "contracts", ""): ("yes", "Yes"),
        ("TYP.ONE.03", "audits", ""): ("no", "No"),
        ("TYP.ONE.05", "", ""): ("12", "12"),
        ("TYP.ONE.06", "", ""): ("2.5", "2.5"),
        ("TYP.ONE.07", "", "2012"): ("10", "10"),
        ("TYP.ONE.07", "", "2013"): ("20", "20"),
        ("TYP.ONE.08", "2012", "female"): ("3", "3"),
        ("TYP.ONE.08", "2013", "male"): ("4", "4"),
        ("TYP.ONE.09", "start", ""): ("2012", "2012"),
        ("TYP.ONE.09", "end", ""): ("2014", "2014"),
        ("TYP.ONE.10", "", ""): (SAFE_FORMULA, SAFE_FORMULA),
        ("TYP.ONE.11", "", ""): ("Shelters in every region.", "Shelters in every region."),
        ("TYP.ONE.12", "", ""): ("2015-06-30", "30 June 2015"),
        ("TYP.ONE.13", "", ""): ("plan.pdf", "plan.pdf"),
        ("TYP.ONE.14", "in_force", ""): ("yes", "Yes"),
        ("TYP.ONE.14", "start_year", ""): ("2015", "2015"),
        ("TYP.ONE.15", "", ""): ("yes", "Yes"),
        ("TYP.ONE.15", "number", ""): ("30", "30"),
    }
    by_cell = {
        (r["question_code"], r["row_code"], r["column_code"]): r for r in records if r["organisation_code"] == "AT"
    }
    assert by_cell[("TYP.ONE.03", "contracts", "")]["row_label"] == "Contract clauses"
    assert by_cell[("TYP.ONE.07", "", "2012")]["column_label"] == "2012"
    matrix = by_cell[("TYP.ONE.08", "2012", "female")]
    assert (matrix["row_label"], matrix["column_label"]) == ("2012", "Female")
    assert by_cell[("TYP.ONE.14", "in_force", "")]["row_label"] == "Is a plan in force?"
    assert by_cell[("TYP.ONE.15", "number", "")]["row_label"] == "Days"
    # Questionnaire order within an organisation; States before NGOs; the in-progress response left out.
    assert [r["question_code"] for r in records if r["organisation_code"] == "AT"] == sorted(
        r["question_code"] for r in records if r["organisation_code"] == "AT"
    )
    assert [r["organisation_code"] for r in records][-1] == "ngo-at"
    assert "DE" not in {r["organisation_code"] for r in records}


def test_answers_hidden_by_show_if_are_left_out_of_both_forms(round_: Scenario) -> None:
    ngo = cells_of(as_dicts(csv_rows(export(round_))), "ngo-at")
    assert ngo == {
        ("TYP.ONE.01", "", ""): ("no", "No"),
        ("TYP.ONE.04", "prevention", ""): ("effective", "Effective"),
        ("TYP.ONE.10", "", ""): ("Stop Trafficking", "Stop Trafficking"),
    }
    wide = csv_rows(export(round_, layout="wide"))
    ngo_row = dict(zip(wide[0], next(row for row in wide[3:] if row[0] == "ngo-at"), strict=True))
    assert ngo_row["TYP.ONE.11"] == ""
    assert ngo_row["TYP.ONE.13"] == ""
    assert ngo_row["TYP.ONE.10"] == "Stop Trafficking"


def test_the_wide_csv_has_one_row_per_organisation_and_a_column_per_cell_of_every_type(round_: Scenario) -> None:
    rows = csv_rows(export(round_, layout="wide"))
    codes, questions, cells = rows[0], rows[1], rows[2]
    assert codes[: len(ORGANISATION_COLUMNS)] == list(ORGANISATION_COLUMNS)
    assert codes[len(ORGANISATION_COLUMNS) :] == [
        "TYP.ONE.01",
        "TYP.ONE.02",
        "TYP.ONE.03|contracts|",
        "TYP.ONE.03|audits|",
        "TYP.ONE.04|prevention|",
        "TYP.ONE.04|protection|",
        "TYP.ONE.05",
        "TYP.ONE.06",
        "TYP.ONE.07||2012",
        "TYP.ONE.07||2013",
        "TYP.ONE.07||2014",
        *[f"TYP.ONE.08|{year}|{sex}" for year in (2012, 2013, 2014) for sex in ("female", "male")],
        "TYP.ONE.09|start|",
        "TYP.ONE.09|end|",
        "TYP.ONE.10",
        "TYP.ONE.11",
        "TYP.ONE.12",
        "TYP.ONE.13",
        "TYP.ONE.14|in_force|",
        "TYP.ONE.14|start_year|",
        "TYP.ONE.14|end_year|",
        "TYP.ONE.15",
        "TYP.ONE.15|number|",
    ]
    column = {code: index for index, code in enumerate(codes)}
    assert questions[:2] == ["Organisation code", "Organisation"]
    assert questions[column["TYP.ONE.03|audits|"]] == "Which rules apply?"
    assert cells[column["TYP.ONE.03|audits|"]] == "Audits"
    assert cells[column["TYP.ONE.08|2013|male"]] == "2013, Male"
    assert cells[column["TYP.ONE.07||2014"]] == "2014"
    data = {row[0]: row for row in rows[3:]}
    assert list(data) == ["AT", "ngo-at"]
    austria = {code: data["AT"][index] for code, index in column.items()}
    assert austria["kind"] == "state"
    assert austria["status_label"] == "Submitted"
    assert austria["TYP.ONE.02"] == "sexual_exploitation;forced_labour"
    assert austria["TYP.ONE.03|audits|"] == "no"
    assert austria["TYP.ONE.04|prevention|"] == ""
    assert austria["TYP.ONE.06"] == "2.5"
    assert austria["TYP.ONE.08|2013|male"] == "4"
    assert austria["TYP.ONE.08|2014|male"] == ""
    assert austria["TYP.ONE.12"] == "2015-06-30"
    assert austria["TYP.ONE.13"] == "plan.pdf"
    assert austria["TYP.ONE.15|number|"] == "30"


def test_the_xlsx_forms_hold_typed_cells_and_the_same_rows(round_: Scenario) -> None:
    long = xlsx_rows(export(round_, file_format="xlsx"))
    assert list(long[0]) == list(LONG_COLUMNS)
    austria = cells_of(as_dicts(long), "AT")
    assert austria[("TYP.ONE.05", "", "")][0] == 12
    assert austria[("TYP.ONE.06", "", "")][0] == 2.5
    assert austria[("TYP.ONE.12", "", "")][0] == dt.datetime(2015, 6, 30)
    assert austria[("TYP.ONE.10", "", "")][0].startswith("'=")  # never a formula
    assert len(long) == len(csv_rows(export(round_)))
    wide = xlsx_rows(export(round_, layout="wide", file_format="xlsx"))
    assert [row[0] for row in wide[3:]] == ["AT", "ngo-at"]
    assert wide[0][wide[0].index("TYP.ONE.08|2013|male")] == "TYP.ONE.08|2013|male"
    assert wide[3][wide[0].index("TYP.ONE.08|2013|male")] == 4


def test_states_or_ngos_alone_and_the_provisional_basis(round_: Scenario) -> None:
    states = as_dicts(csv_rows(export(round_, respondents="states")))
    assert {r["organisation_code"] for r in states} == {"AT"}
    ngos = as_dicts(csv_rows(export(round_, respondents="ngos")))
    assert {r["organisation_code"] for r in ngos} == {"ngo-at"}
    # The wide form of NGOs has no column of a question asked of States only.
    wide_ngos = csv_rows(export(round_, respondents="ngos", layout="wide"))
    assert "TYP.ONE.03|contracts|" not in wide_ngos[0]
    assert "TYP.ONE.04|prevention|" in wide_ngos[0]
    provisional = export(round_, include_in_progress=True)
    records = as_dicts(csv_rows(provisional))
    assert {r["organisation_code"] for r in records} == {"AT", "DE", "ngo-at"}
    assert cells_of(records, "DE") == {("TYP.ONE.05", "", ""): ("7", "7")}
    assert next(r for r in records if r["organisation_code"] == "DE")["status"] == "in_progress"
    assert "-provisional-" in provisional.file.name


def test_labels_are_in_the_chosen_language(round_: Scenario) -> None:
    records = as_dicts(csv_rows(export(round_, language="fr")))
    first = records[0]
    assert (first["kind_label"], first["status_label"]) == ("État participant", "Soumise")
    practices = next(r for r in records if r["question_code"] == "TYP.ONE.11")
    assert practices["question_label"] == "Décrivez les bonnes pratiques."
    assert next(r for r in records if r["question_code"] == "TYP.ONE.09")["row_label"] == "Première année"
    # A text the definition has only in English stays in English; codes never change.
    assert first["question_label"] == "Is there a national plan?"
    assert first["value"] == "yes"
    wide = csv_rows(export(round_, layout="wide", language="fr"))
    assert wide[0][:2] == ["organisation_code", "organisation_name"]
    assert wide[1][:2] == ["Code de l'organisation", "Organisation"]


def test_a_bad_choice_is_refused_with_its_name(round_: Scenario) -> None:
    with pytest.raises(ValueError, match="unknown layout 'tall'"):
        data_export_create(survey=round_.survey, user=None, language="en", layout="tall")
    with pytest.raises(ValueError, match="unknown language 'xx'"):
        data_export_create(survey=round_.survey, user=None, language="xx")


def _queries(s: Scenario, tmp_path: Path, layout: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        data_export_write(
            tmp_path / f"{layout}.csv",
            survey=s.survey,
            respondents="both",
            layout=layout,
            file_format="csv",
            include_in_progress=False,
        )
    return len(queries)


def grow(s: Scenario, ngos: int) -> None:
    """More NGOs that answered and submitted, each with a document."""
    for _number in range(ngos):
        ngo = OrganisationFactory.create(country=s.orgs["AT"])
        s.orgs[ngo.code] = ngo
        s.answers(ngo.code, NGO)
        s.evidence(ngo.code, "TYP.ONE.13", b"%PDF-1.4", "x.pdf", by="n@ngo.example.org")
        s.status(ngo.code, Response.Status.SUBMITTED)


@pytest.mark.parametrize("layout", ["long", "wide"])
def test_an_export_needs_as_many_queries_for_12_organisations_as_for_2(
    round_: Scenario, tmp_path: Path, layout: str
) -> None:
    small = _queries(round_, tmp_path, layout)
    grow(round_, 10)
    large = _queries(round_, tmp_path, layout)
    assert large == small, (small, large)
    assert small <= 10, small


def test_staff_start_an_export_from_the_raw_data_page_and_download_it(
    round_: Scenario, django_capture_on_commit_callbacks: Any
) -> None:
    from django.test import Client
    from django.urls import reverse

    from tests.otp_helpers import force_login_verified

    staff = force_login_verified(Client(), round_.person("staff@osce.example.org", is_staff=True))
    page = reverse("reports:data-export-start", args=[round_.survey.slug])
    assert (
        reverse("reports:data-export-start", args=["small"])
        in staff.get(reverse("reports:excel-export-start", args=["small"])).content.decode()
    )
    refused = staff.post(page, {"layout": "tall", "respondents": "both", "file_format": "csv", "language": "en"})
    assert refused.status_code == 400
    assert "tall" in refused.content.decode()  # the form names the wrong choice
    answer = {"layout": "wide", "respondents": "ngos", "file_format": "xlsx", "language": "de"}
    with django_capture_on_commit_callbacks(execute=True):  # the task is queued once the request's work commits
        started = staff.post(page, answer)
    assert started.status_code == 302
    job = DataExport.objects.get()
    assert (job.layout, job.respondents, job.file_format, job.language, job.status) == (
        "wide",
        "ngos",
        "xlsx",
        "de",
        "done",
    )
    listed = staff.get(page).content.decode()
    download = reverse("reports:data-export-download", args=[job.pk])
    assert download in listed
    got = staff.get(download)
    assert got.status_code == 200
    assert got["Content-Type"].startswith("application/vnd.openxmlformats")
    assert job.filename in got["Content-Disposition"]
    assert b"".join(got.streaming_content).startswith(b"PK")
