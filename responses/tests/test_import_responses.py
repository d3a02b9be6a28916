"""import_responses and the staff upload page: every row is checked first, every problem is listed with its row
number and nothing is written; a valid file is written through answers_save (versions, history, source import)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Membership, Organisation, Role
from responses.imports import ImportRejected, answers_import_check, read_rows
from responses.imports import reading as import_reading
from responses.models import Answer, AnswerChange, Response, ResponseEvent, Source
from surveys.models import Survey
from tests.otp_helpers import force_login_verified

pytestmark = pytest.mark.django_db

DEFINITIONS = Path(__file__).resolve().parents[2] / "surveys" / "definitions"
HEADER = ["organisation", "question", "row", "column", "value"]
PASSWORD = "a-long-test-password-42"

# One row per answer type of the shipped 2015/16 round (reference period 2012-2014).
VALID_ROWS = [
    ["Czech Republic", "PRO.LEG.01", "", "", "yes"],  # single_select, former name of CZ
    ["Turkey", "PRO.LEG.02", "", "", "forced_begging;sexual_exploitation"],  # multi_select, former name of TR
    ["the former Yugoslav Republic of Macedonia", "PRO.LEG.04", "sexual_exploitation", "", "in_process"],  # matrix
    ["AT", "PRO.DATA.01", "", "2013", "12"],  # integer_per_year: column = year
    ["AT", "PRT.DATA.01", "2012.female.adult.sexual_exploitation", "national", "3"],  # integer_matrix
    ["AT", "GEN.R.03", "start", "", "2012"],  # year_range
    ["AT", "GEN.R.03", "end", "", "2014"],
    ["AT", "PAR.NAT.03", "in_force", "", "yes"],  # composite: row = field code
    ["AT", "PAR.NAT.03", "start_year", "", "2011"],
    ["AT", "PRT.ASS.03", "", "", "yes"],  # yes_no_plus_integer: the choice
    ["AT", "PRT.ASS.03", "number", "", "30"],  # ... and the number
    ["AT", "GEN.R.02", "", "", "Ministry of the Interior; contact: A. Example"],  # short_text
    ["AT", "PAR.NAT.07", "", "", "2014-06-30"],  # date
    ["AT", "PAR.NAT.08", "", "", "1.25"],  # decimal
    ["ngo-test", "NGO.P.01", "", "", "shelter;victim_assistance"],  # an NGO question for an NGO
]


@dataclass
class Run:
    stdout: str
    stderr: str


@pytest.fixture
def round_2016() -> Survey:
    call_command("load_survey", str(DEFINITIONS / "thb-2016.yaml"), stdout=io.StringIO())
    return Survey.objects.get(slug="thb-2016")


@pytest.fixture
def ngo() -> Organisation:
    return Organisation.objects.create(
        kind=Organisation.Kind.NGO,
        code="ngo-test",
        name="Test Shelter Association",
        country=Organisation.objects.get(code="AT"),
    )


def make_user(email: str, **extra: Any) -> Any:
    return get_user_model().objects.create_user(username=email, email=email, password=PASSWORD, **extra)


@pytest.fixture
def staff() -> Any:
    return make_user("staff@example.org", is_staff=True)


def write_csv(directory: Path, rows: list[list[str]], name: str = "answers.csv", header: list[str] = HEADER) -> Path:
    path = directory / name
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def write_xlsx(directory: Path, rows: list[list[Any]], name: str = "answers.xlsx") -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    path = directory / name
    workbook.save(path)
    return path


def run(*args: str) -> Run:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_responses", *args, stdout=out, stderr=err)
    return Run(out.getvalue(), err.getvalue())


def refused(*args: str) -> tuple[str, list[str]]:
    """Run an import that must fail; nothing may be written. The CommandError text and the stderr lines."""
    before = counts()
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError) as info:
        call_command("import_responses", *args, stdout=out, stderr=err)
    assert counts() == before
    assert out.getvalue() == ""
    return str(info.value), err.getvalue().splitlines()


def counts() -> dict[str, int]:
    return {
        "answers": Answer.objects.count(),
        "changes": AnswerChange.objects.count(),
        "responses": Response.objects.count(),
        "events": ResponseEvent.objects.count(),
    }


def answer(org: str, code: str, row: str = "", column: str = "", slug: str = "thb-2016") -> Answer:
    return Answer.objects.get(
        response__survey__slug=slug, response__organisation__code=org, question__code=code, row=row, column=column
    )


def assert_valid_rows_stored() -> None:
    assert answer("CZ", "PRO.LEG.01").value_text == "yes"
    # multi_select: stored in the definition's order, whatever order the file gave
    assert answer("TR", "PRO.LEG.02").value_choices == ["sexual_exploitation", "forced_begging"]
    assert answer("MK", "PRO.LEG.04", row="sexual_exploitation").value_text == "in_process"
    assert answer("AT", "PRO.DATA.01", column="2013").value_number == Decimal(12)
    matrix_cell = answer("AT", "PRT.DATA.01", row="2012.female.adult.sexual_exploitation", column="national")
    assert matrix_cell.value_number == Decimal(3)
    assert answer("AT", "GEN.R.03", row="start").value_number == Decimal(2012)
    assert answer("AT", "GEN.R.03", row="end").value_number == Decimal(2014)
    assert answer("AT", "PAR.NAT.03", row="in_force").value_text == "yes"
    assert answer("AT", "PAR.NAT.03", row="start_year").value_number == Decimal(2011)
    assert answer("AT", "PRT.ASS.03").value_text == "yes"
    assert answer("AT", "PRT.ASS.03", row="number").value_number == Decimal(30)
    assert answer("AT", "GEN.R.02").value_text == "Ministry of the Interior; contact: A. Example"
    assert answer("AT", "PAR.NAT.07").value_date == dt.date(2014, 6, 30)
    assert answer("AT", "PAR.NAT.08").value_number == Decimal("1.25")
    assert answer("ngo-test", "NGO.P.01").value_choices == ["victim_assistance", "shelter"]
    for stored in Answer.objects.all():
        assert stored.source == Source.IMPORT
        assert stored.version == 1
        assert stored.needs_review is False


# --- a valid file ----------------------------------------------------------------------------------------------


def test_valid_csv_stores_every_answer_type_exactly(round_2016: Survey, ngo: Organisation, tmp_path: Path) -> None:
    result = run(str(write_csv(tmp_path, VALID_ROWS)), "--survey", "thb-2016")

    assert "5 organisations, 15 answers written, 0 unchanged" in result.stdout
    assert Answer.objects.count() == 15
    assert_valid_rows_stored()
    assert set(Response.objects.values_list("organisation__code", flat=True)) == {"CZ", "TR", "MK", "AT", "ngo-test"}
    assert set(Response.objects.values_list("status", flat=True)) == {Response.Status.IN_PROGRESS}
    changes = AnswerChange.objects.all()
    assert changes.count() == 15
    assert {c.source for c in changes} == {Source.IMPORT}
    assert {c.old_value for c in changes} == {""}
    assert {c.changed_by for c in changes} == {None}
    multi = changes.get(question__code="PRO.LEG.02")
    assert multi.new_value == "sexual_exploitation;forced_begging"
    assert changes.get(question__code="PAR.NAT.07").new_value == "2014-06-30"


def test_rerunning_the_same_file_changes_nothing(round_2016: Survey, ngo: Organisation, tmp_path: Path) -> None:
    path = write_csv(tmp_path, VALID_ROWS)
    run(str(path), "--survey", "thb-2016")
    before = counts()
    versions = dict(Answer.objects.values_list("id", "version"))

    again = run(str(path), "--survey", "thb-2016")

    assert "0 answers written, 15 unchanged" in again.stdout
    assert counts() == before
    assert dict(Answer.objects.values_list("id", "version")) == versions


def test_a_changed_value_gets_a_new_version_and_history(
    round_2016: Survey, ngo: Organisation, tmp_path: Path, staff: Any
) -> None:
    run(str(write_csv(tmp_path, VALID_ROWS)), "--survey", "thb-2016")
    changed = [["CZ", "PRO.LEG.01", "", "", "no"], ["AT", "PRO.DATA.01", "", "2013", "12"]]

    result = run(str(write_csv(tmp_path, changed, "second.csv")), "--survey", "thb-2016", "--as", "STAFF@example.org")

    assert "2 organisations, 1 answer written, 1 unchanged" in result.stdout
    cell = answer("CZ", "PRO.LEG.01")
    assert (cell.value_text, cell.version, cell.updated_by) == ("no", 2, staff)
    last = AnswerChange.objects.filter(question__code="PRO.LEG.01").last()
    assert (last.old_value, last.new_value, last.version, last.changed_by, last.source) == (
        "yes",
        "no",
        2,
        staff,
        Source.IMPORT,
    )


def test_an_empty_value_clears_a_stored_answer(round_2016: Survey, tmp_path: Path) -> None:
    run(str(write_csv(tmp_path, [["AT", "GEN.R.02", "", "", "Ministry"]])), "--survey", "thb-2016")

    result = run(str(write_csv(tmp_path, [["AT", "GEN.R.02", "", "", ""]], "clear.csv")), "--survey", "thb-2016")

    assert "1 answer written" in result.stdout
    cell = answer("AT", "GEN.R.02")
    assert cell.value_text is None
    assert AnswerChange.objects.last().new_value == ""


def test_xlsx_import_works_the_same(round_2016: Survey, ngo: Organisation, tmp_path: Path) -> None:
    rows: list[list[Any]] = [list(r) for r in VALID_ROWS]
    # What Excel gives: numbers as numbers, a year column as a number, a date cell as a datetime.
    rows[3] = ["AT", "PRO.DATA.01", None, 2013, 12]
    rows[4] = ["AT", "PRT.DATA.01", "2012.female.adult.sexual_exploitation", "national", 3.0]
    rows[12] = ["AT", "PAR.NAT.07", None, None, dt.datetime(2014, 6, 30)]
    rows[13] = ["AT", "PAR.NAT.08", None, None, 1.25]
    result = run(str(write_xlsx(tmp_path, rows)), "--survey", "thb-2016")

    assert "5 organisations, 15 answers written, 0 unchanged" in result.stdout
    assert_valid_rows_stored()
    again = run(str(write_csv(tmp_path, VALID_ROWS)), "--survey", "thb-2016")
    assert "0 answers written, 15 unchanged" in again.stdout


def test_semicolon_separated_csv_and_bom_are_read(round_2016: Survey, tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    path.write_bytes(
        "\ufefforganisation;question;row;column;value\r\nCzech Republic;PRO.LEG.01;;;yes\r\n"
        'AT;PRT.ASS.02;;;"women;children"\r\n'.encode()
    )

    result = run(str(path), "--survey", "thb-2016")

    assert "2 answers written" in result.stdout
    assert answer("AT", "PRT.ASS.02").value_choices == ["women", "children"]


def test_extra_columns_are_ignored_and_row_column_may_be_left_out(round_2016: Survey, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path,
        [["AT", "yes", "Is there a law?", "PRO.LEG.01"]],
        header=["Organization", "Value", "question text", "Question"],
    )

    run(str(path), "--survey", "thb-2016")

    assert answer("AT", "PRO.LEG.01").value_text == "yes"


def test_checking_does_not_query_per_row(round_2016: Survey) -> None:
    few = [["AT", "PRO.LEG.01", "", "", "yes"]]
    many = [[code, "PRO.LEG.01", "", "", "no"] for code in Organisation.objects.values_list("code", flat=True)]
    many += [
        ["AT", "PRT.DATA.01", f"{year}.female.adult.sexual_exploitation", column, "1"]
        for year in (2012, 2013, 2014)
        for column in ("national", "foreign")
    ]
    with CaptureQueriesContext(connection) as small:
        answers_import_check(survey=round_2016, header=HEADER, rows=few)
    with CaptureQueriesContext(connection) as large:
        plan = answers_import_check(survey=round_2016, header=HEADER, rows=many)

    assert plan.cell_count == len(many) > 70
    assert len(large.captured_queries) == len(small.captured_queries) <= 6


def test_the_examples_in_the_format_documentation_import(round_2016: Survey, tmp_path: Path) -> None:
    Organisation.objects.create(
        kind=Organisation.Kind.NGO,
        code="example-shelter-at",
        name="Example Shelter",
        country=Organisation.objects.get(code="AT"),
    )
    text = (Path(__file__).resolve().parents[2] / "docs" / "answer-import-format.md").read_text(encoding="utf-8")
    blocks = [block.split("```", 1)[0] for block in text.split("```csv\n")[1:]]
    rows: list[list[str]] = []
    for block in blocks:
        header, *records = list(csv.reader(io.StringIO(block)))
        assert header == HEADER
        rows.extend(records)
    assert len(blocks) == 11

    result = run(str(write_csv(tmp_path, rows)), "--survey", "thb-2016")

    assert f"{len(rows)} answers written" in result.stdout
    assert answer("AT", "PRO.DATA.04").value_text.endswith("\nThe 2014 figures are provisional.")


# --- problems: listed with their row, nothing written ----------------------------------------------------------

BAD_ROWS: list[tuple[list[str], str]] = [
    (["Atlantis", "PRO.LEG.01", "", "", "yes"], "unknown organisation “Atlantis”"),
    (["AT", "PRO.XXX.01", "", "", "yes"], "unknown question “PRO.XXX.01” (not in round thb-2016)"),
    (["AT", "PRO.LEG.05", "", "", "yes"], "unknown question “PRO.LEG.05” (not in round thb-2016)"),  # 2021 only
    (["AT", "PRO.LEG.01", "", "", "maybe"], "PRO.LEG.01: “maybe” is not one of the options (yes, no,"),
    (["AT", "PRO.LEG.02", "", "", "none_such;forced_begging"], "“none_such” is not one of the options"),
    (["AT", "PRT.ASS.02", "", "", "women;none"], "“none” cannot be combined with other options"),
    (["AT", "PRO.DATA.01", "", "2013", "twelve"], "PRO.DATA.01 column '2013': Enter a whole number"),
    (["AT", "PRO.DATA.01", "", "2020", "12"], "PRO.DATA.01 has no column “2020”; its columns are 2012, 2013, 2014"),
    (["AT", "PRO.LEG.04", "bogus", "", "yes"], "PRO.LEG.04 has no row “bogus”; its rows are sexual_exploitation"),
    (["AT", "PRO.LEG.04", "", "", "yes"], "PRO.LEG.04 needs a row: one of sexual_exploitation, labour_exploitation"),
    (["AT", "PRO.LEG.01", "x", "", "yes"], "PRO.LEG.01 takes no row"),
    (["AT", "PRT.DATA.01", "2012.female.adult.sexual_exploitation", "", "1"], "PRT.DATA.01 needs a column"),
    (["AT", "PRT.DATA.01", "2012.female.adult.sexual_exploitation", "national", "-1"], "must be 0 or more"),
    (["AT", "GEN.R.03", "start", "", "1850"], "GEN.R.03 row 'start': The value must be 1990 or more"),
    (["AT", "PAR.NAT.07", "", "", "30 June"], "PAR.NAT.07: Enter a date as YYYY-MM-DD"),
    (["AT", "GEN.R.02", "", "", "x" * 501], "at most 500 are allowed"),
    (["AT", "PAR.NAT.06", "", "", "scan.pdf"], "PAR.NAT.06 takes uploaded documents, which cannot be imported"),
    (["AT", "NGO.P.01", "", "", "shelter"], "NGO.P.01 is not asked of Austria (a State): it is for NGOs only"),
    (["ngo-test", "PRO.LEG.01", "", "", "yes"], "PRO.LEG.01 is not asked of Test Shelter Association (an NGO)"),
    (["", "PRO.LEG.01", "", "", "yes"], "no organisation given"),
    (["AT", "", "", "", "yes"], "no question given"),
]


@pytest.mark.parametrize(("row", "reason"), BAD_ROWS, ids=[r[1][:40] for r in BAD_ROWS])
def test_each_problem_is_reported_with_its_row_and_nothing_is_written(
    round_2016: Survey, ngo: Organisation, tmp_path: Path, row: list[str], reason: str
) -> None:
    run(str(write_csv(tmp_path, [["AT", "PRO.ENF.01", "", "", "yes"]], "first.csv")), "--survey", "thb-2016")
    rows = [["DE", "PRO.LEG.01", "", "", "yes"], row, ["FR", "PRO.LEG.01", "", "", "no"]]

    error, lines = refused(str(write_csv(tmp_path, rows)), "--survey", "thb-2016")

    assert "1 problem; nothing was imported" in error
    assert len(lines) == 1
    assert lines[0].startswith("row 3: ")
    assert reason in lines[0]
    assert not Response.objects.filter(organisation__code__in=["DE", "FR"]).exists()


def test_every_bad_row_is_listed_in_one_run(round_2016: Survey, ngo: Organisation, tmp_path: Path) -> None:
    rows = [["DE", "PRO.LEG.01", "", "", "yes"]] + [row for row, _reason in BAD_ROWS]

    error, lines = refused(str(write_csv(tmp_path, rows)), "--survey", "thb-2016")

    assert f"{len(BAD_ROWS)} problems; nothing was imported" in error
    for number, (line, (_row, reason)) in enumerate(zip(lines, BAD_ROWS, strict=True), start=3):
        assert line.startswith(f"row {number}: ")
        assert reason in line
    assert Answer.objects.count() == 0


def test_the_same_cell_twice_is_an_error(round_2016: Survey, tmp_path: Path) -> None:
    rows = [
        ["AT", "PRO.LEG.04", "sexual_exploitation", "", "yes"],
        ["AT", "PRO.LEG.04", "labour_exploitation", "", "yes"],
        ["Austria", "PRO.LEG.04", "sexual_exploitation", "", "no"],  # the same organisation by its name
    ]

    _error, lines = refused(str(write_csv(tmp_path, rows)), "--survey", "thb-2016")

    assert lines == ["row 4: the same cell as row 2 (AT, PRO.LEG.04 row 'sexual_exploitation')"]


def test_a_repeated_cell_with_a_bad_value_gets_both_reasons(round_2016: Survey, tmp_path: Path) -> None:
    rows = [["AT", "PRO.LEG.01", "", "", "yes"], ["AT", "PRO.LEG.01", "", "", "maybe"]]

    _error, lines = refused(str(write_csv(tmp_path, rows)), "--survey", "thb-2016")

    assert len(lines) == 1
    assert lines[0].startswith("row 3: the same cell as row 2 (AT, PRO.LEG.01); PRO.LEG.01: “maybe” is not one")


def test_rules_across_cells_are_checked_before_writing(round_2016: Survey, tmp_path: Path) -> None:
    run(str(write_csv(tmp_path, [["AT", "PRT.ASS.03", "", "", "no"]], "first.csv")), "--survey", "thb-2016")
    rows = [
        ["AT", "GEN.R.03", "start", "", "2014"],
        ["AT", "GEN.R.03", "end", "", "2012"],
        ["AT", "PRT.ASS.03", "number", "", "30"],  # a number while the stored answer is "no"
    ]

    _error, lines = refused(str(write_csv(tmp_path, rows)), "--survey", "thb-2016")

    assert lines == [
        "row 2: GEN.R.03 (AT): The first year (2014) is after the last year (2012).",
        "row 4: PRT.ASS.03 (AT): Give the number only when the answer is “yes”.",
    ]


def test_an_organisation_the_round_does_not_ask_is_an_error(
    round_2016: Survey, ngo: Organisation, tmp_path: Path
) -> None:
    Survey.objects.filter(pk=round_2016.pk).update(for_ngos=False)
    rows = [["AT", "PRT.ASS.02", "", "", "women"], ["ngo-test", "PRT.ASS.02", "", "", "women"]]

    _error, lines = refused(str(write_csv(tmp_path, rows)), "--survey", "thb-2016")

    assert lines == ["row 3: round thb-2016 does not ask NGOs such as Test Shelter Association"]


def test_missing_columns_are_named_in_one_message(round_2016: Survey, tmp_path: Path) -> None:
    path = write_csv(tmp_path, [["AT", "yes"]], header=["organisation", "answer"])

    _error, lines = refused(str(path), "--survey", "thb-2016")

    assert lines == [
        "row 1: missing columns question, value; the header row must name the columns organisation, question, "
        "row, column, value."
    ]


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "row 1: the file is empty"),
        (b"\n\n", "row 1: the file is empty"),
        (b"organisation,question,row,column,value\n", "row 2: the file has no answers below the header row"),
        (b"organisation,question,row,column,value\n,,,,\n", "row 2: the file has no answers below the header row"),
    ],
)
def test_an_empty_file_is_refused(round_2016: Survey, tmp_path: Path, content: bytes, reason: str) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(content)

    _error, lines = refused(str(path), "--survey", "thb-2016")

    assert len(lines) == 1
    assert reason in lines[0]


def test_a_csv_that_is_not_utf8_is_refused_with_the_fix(round_2016: Survey, tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes("organisation,question,row,column,value\nAT,GEN.R.02,,,Ministère\n".encode("latin-1"))

    _error, lines = refused(str(path), "--survey", "thb-2016")

    assert "not UTF-8 text" in lines[0]
    assert "CSV UTF-8" in lines[0]


def test_an_unknown_round_names_the_rounds(round_2016: Survey, tmp_path: Path) -> None:
    error, _lines = refused(str(write_csv(tmp_path, VALID_ROWS[:1])), "--survey", "thb-1999")

    assert error == "There is no round “thb-1999”. Rounds: thb-2016."


def test_other_file_types_are_refused(round_2016: Survey, tmp_path: Path) -> None:
    path = tmp_path / "answers.ods"
    path.write_bytes(b"PK\x03\x04")

    _error, lines = refused(str(path), "--survey", "thb-2016")

    assert "neither a .csv nor an .xlsx file" in lines[0]


def test_an_xlsx_that_is_not_a_zip_is_refused(round_2016: Survey, tmp_path: Path) -> None:
    path = tmp_path / "answers.xlsx"
    path.write_text("organisation,question,row,column,value\n", encoding="utf-8")

    _error, lines = refused(str(path), "--survey", "thb-2016")

    assert "not an Excel .xlsx workbook (it is not a zip archive)" in lines[0]


def test_an_xlsx_that_unpacks_too_large_is_refused(
    round_2016: Survey, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_xlsx(tmp_path, [["AT", "PRO.LEG.01", None, None, "yes"]])
    with zipfile.ZipFile(path) as archive:
        unpacked = sum(info.file_size for info in archive.infolist())
    monkeypatch.setattr(import_reading, "MAX_FILE_BYTES", unpacked - 1)

    _error, lines = refused(str(path), "--survey", "thb-2016")

    assert "The workbook unpacks to" in lines[0]


def test_a_formula_in_an_xlsx_is_an_error(round_2016: Survey, tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path, [["AT", "PRO.DATA.01", None, 2013, "=SUM(1,2)"], ["AT", "PRO.LEG.01", None, None, "yes"]]
    )

    _error, lines = refused(str(path), "--survey", "thb-2016")

    assert lines == ["row 2: cell E2 holds a formula (=SUM(1,2)); paste the values instead."]


def test_read_rows_keeps_row_numbers_of_blank_rows(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path, [["AT", "PRO.LEG.01", None, None, "yes"], [], ["DE", "PRO.LEG.01", None, None, "no"]])

    header, rows = read_rows(path, path.name)

    assert header == HEADER
    assert rows[0][:2] == ["AT", "PRO.LEG.01"]
    assert not any(rows[1])
    assert rows[2][:2] == ["DE", "PRO.LEG.01"]


def test_read_rows_reads_an_uploaded_file_object() -> None:
    header, rows = read_rows(io.BytesIO(b"organisation,question,value\r\nAT,PRO.LEG.01,yes\r\n"), "upload.CSV")

    assert header == ["organisation", "question", "value"]
    assert rows == [["AT", "PRO.LEG.01", "yes"]]


def test_answers_import_check_rejects_with_every_problem(round_2016: Survey) -> None:
    with pytest.raises(ImportRejected) as info:
        answers_import_check(
            survey=round_2016,
            header=HEADER,
            rows=[["Atlantis", "PRO.XXX.99", "", "", "yes"]],
        )

    assert info.value.problems == [
        "row 2: unknown organisation “Atlantis”; unknown question “PRO.XXX.99” (not in round thb-2016)"
    ]


# --- written in batches (PostgreSQL: through the staging table, moved at the end) --------------------------------


@pytest.fixture
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    """Write every two cells, so that a file of a few rows is staged (or written) over several batches."""
    from responses.imports import writing

    monkeypatch.setattr(writing, "BATCH", 2)


def test_batches_insert_update_and_leave_alone_with_versions_and_history(
    round_2016: Survey, ngo: Organisation, tmp_path: Path, staff: Any, small_batches: None
) -> None:
    run(str(write_csv(tmp_path, VALID_ROWS, "first.csv")), "--survey", "thb-2016")
    first = {c.pk for c in AnswerChange.objects.all()}
    rows = [
        ["CZ", "PRO.LEG.01", "", "", "no"],  # changed
        ["AT", "PRO.DATA.01", "", "2013", "12"],  # the same
        ["AT", "PRO.DATA.01", "", "2014", "7"],  # new
        ["AT", "GEN.R.02", "", "", ""],  # cleared
        ["ngo-test", "NGO.P.01", "", "", "shelter;victim_assistance"],  # the same, other order
    ]

    result = run(str(write_csv(tmp_path, rows, "second.csv")), "--survey", "thb-2016", "--as", staff.email)

    assert "3 answers written, 2 unchanged" in result.stdout
    assert (answer("CZ", "PRO.LEG.01").value_text, answer("CZ", "PRO.LEG.01").version) == ("no", 2)
    assert answer("AT", "PRO.DATA.01", column="2013").version == 1
    new = answer("AT", "PRO.DATA.01", column="2014")
    assert (new.value_number, new.version, new.updated_by, new.source) == (Decimal(7), 1, staff, Source.IMPORT)
    cleared = answer("AT", "GEN.R.02")
    assert (cleared.value_text, cleared.version) == (None, 2)
    added = AnswerChange.objects.exclude(pk__in=first)
    assert sorted((c.question.code, c.column, c.old_value, c.new_value, c.version) for c in added) == [
        ("GEN.R.02", "", "Ministry of the Interior; contact: A. Example", "", 2),
        ("PRO.DATA.01", "2014", "", "7", 1),
        ("PRO.LEG.01", "", "yes", "no", 2),
    ]
    assert {(c.changed_by, c.source) for c in added} == {(staff, Source.IMPORT)}

    before = counts()
    versions = dict(Answer.objects.values_list("id", "version"))
    again = run(str(write_csv(tmp_path, rows, "second.csv")), "--survey", "thb-2016", "--as", staff.email)
    assert "0 answers written, 5 unchanged" in again.stdout
    assert counts() == before
    assert dict(Answer.objects.values_list("id", "version")) == versions


def test_a_bad_row_after_batches_were_written_leaves_nothing(
    round_2016: Survey, ngo: Organisation, tmp_path: Path, small_batches: None
) -> None:
    run(str(write_csv(tmp_path, [["AT", "GEN.R.02", "", "", "Ministry"]], "first.csv")), "--survey", "thb-2016")
    stored = list(Answer.objects.values_list("id", "version", "value_text"))
    rows = [
        ["AT", "GEN.R.02", "", "", "Another ministry"],
        *[[code, "PRO.LEG.01", "", "", "yes"] for code in ("DE", "FR", "IT", "ES", "PL", "SE")],
        ["NO", "PRO.LEG.01", "", "", "maybe"],  # row 9: after three batches
    ]

    _error, lines = refused(str(write_csv(tmp_path, rows)), "--survey", "thb-2016")

    assert len(lines) == 1
    assert lines[0].startswith("row 9: ")
    assert list(Answer.objects.values_list("id", "version", "value_text")) == stored


def test_a_rule_across_cells_broken_at_the_end_of_the_file_leaves_nothing(
    round_2016: Survey, tmp_path: Path, small_batches: None
) -> None:
    rows = [
        *[[code, "PRO.LEG.01", "", "", "yes"] for code in ("DE", "FR", "IT", "ES", "PL", "SE")],
        ["AT", "GEN.R.03", "start", "", "2014"],
        ["AT", "GEN.R.03", "end", "", "2012"],  # checked with its start once the whole file is read
    ]

    _error, lines = refused(str(write_csv(tmp_path, rows)), "--survey", "thb-2016")

    assert lines == ["row 8: GEN.R.03 (AT): The first year (2014) is after the last year (2012)."]


# --- --submit and --as -----------------------------------------------------------------------------------------


def test_submit_records_paper_returns_and_warns_about_missing_answers(
    round_2016: Survey, ngo: Organisation, tmp_path: Path, staff: Any
) -> None:
    result = run(str(write_csv(tmp_path, VALID_ROWS)), "--survey", "thb-2016", "--submit", "--as", staff.email)

    assert "5 recorded as submitted" in result.stdout
    for response in Response.objects.all():
        assert response.status == Response.Status.SUBMITTED
        assert response.submitted_by == staff
        assert response.submitted_at is not None
    assert ResponseEvent.objects.filter(to_status=Response.Status.SUBMITTED, by=staff).count() == 5
    warnings = [line for line in result.stderr.splitlines() if line.startswith("WARNING")]
    assert len(warnings) == 5
    austria = next(line for line in warnings if "(AT)" in line)
    assert austria.startswith("WARNING: Austria (AT): ")
    assert "required answers missing: GEN.R.01, GEN.R.04, PRO.LEG.01," in austria
    assert "(GEN.R.02" not in austria  # answered by the file

    again = run(str(write_csv(tmp_path, VALID_ROWS)), "--survey", "thb-2016", "--submit", "--as", staff.email)
    assert "0 answers written" in again.stdout
    assert "recorded as submitted" not in again.stdout
    assert ResponseEvent.objects.count() == 5


def _submit_queries(survey: Survey, staff: Any, tmp_path: Path, states: list[str]) -> int:
    """Queries of one `--submit` import of an answer for each State."""
    from responses.imports import answers_import

    rows = [[code, "GEN.R.02", "", "", f"Ministry of {code}"] for code in states]
    with CaptureQueriesContext(connection) as queries:
        answers_import(survey=survey, source=write_csv(tmp_path, rows), filename="x.csv", user=staff, submit=True)
    return len(queries)


def test_submit_records_every_organisation_in_a_number_of_queries_that_does_not_grow_with_them(
    round_2016: Survey, tmp_path: Path, staff: Any
) -> None:
    """5,000 paper returns took 12 ms of Python and a dozen queries each; now the submissions go in bulk."""
    few = _submit_queries(round_2016, staff, tmp_path, ["AT", "DE"])
    many = _submit_queries(round_2016, staff, tmp_path, ["FR", "IT", "ES", "PL", "SE", "NO", "FI", "DK"])
    assert many == few
    assert Response.objects.filter(status=Response.Status.SUBMITTED).count() == 10
    assert ResponseEvent.objects.filter(to_status=Response.Status.SUBMITTED, by=staff).count() == 10


def test_submit_resubmits_a_returned_response_and_leaves_a_sent_one_alone(
    round_2016: Survey, tmp_path: Path, staff: Any, django_capture_on_commit_callbacks: Any, mailoutbox: list
) -> None:
    from responses.imports import answers_import

    at = Response.objects.create(survey=round_2016, organisation=Organisation.objects.get(code="AT"))
    at.status = Response.Status.RETURNED
    at.save()
    de = Response.objects.create(
        survey=round_2016, organisation=Organisation.objects.get(code="DE"), status=Response.Status.ACCEPTED
    )
    coordinator = make_user("coordinator@at.example.org")
    Membership.objects.create(user=coordinator, organisation=at.organisation, role=Role.COORDINATOR)
    rows = [["AT", "GEN.R.02", "", "", "Ministry"], ["FR", "GEN.R.02", "", "", "Ministère"]]
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        result = answers_import(
            survey=round_2016, source=write_csv(tmp_path, rows), filename="x.csv", user=staff, submit=True
        )
    assert result.submitted == 2
    at.refresh_from_db()
    de.refresh_from_db()
    assert at.status == Response.Status.RESUBMITTED
    assert de.status == Response.Status.ACCEPTED  # not in the file, and already accepted: untouched
    assert Response.objects.get(organisation__code="FR").status == Response.Status.SUBMITTED
    events = ResponseEvent.objects.order_by("pk")
    assert [(e.response.organisation.code, e.from_status, e.to_status) for e in events] == [
        ("AT", Response.Status.RETURNED, Response.Status.RESUBMITTED),
        ("FR", Response.Status.IN_PROGRESS, Response.Status.SUBMITTED),
    ]
    assert len(callbacks) == 1  # one message after the commit, which queues a receipt and an Office note for each
    (receipt,) = [m for m in mailoutbox if coordinator.email in m.to]
    assert receipt.subject.startswith("Received: Austria resubmitted its answers")


def test_submit_of_many_organisations_sends_each_its_receipt_and_records_each_submission(
    round_2016: Survey, tmp_path: Path, staff: Any, django_capture_on_commit_callbacks: Any, mailoutbox: list
) -> None:
    from responses.imports import answers_import
    from responses.selectors import response_progress

    codes = ["AT", "DE", "FR", "IT", "ES", "PL", "SE", "NO"]
    coordinators = {}
    for code in codes:
        coordinators[code] = make_user(f"coordinator@{code.lower()}.example.org")
        Membership.objects.create(
            user=coordinators[code], organisation=Organisation.objects.get(code=code), role=Role.COORDINATOR
        )
    rows = [[code, "GEN.R.02", "", "", f"Ministry of {code}"] for code in codes]
    rows += [["AT", "PRO.LEG.01", "", "", "yes"], ["DE", "PRO.LEG.01", "", "", "no"]]

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        result = answers_import(
            survey=round_2016, source=write_csv(tmp_path, rows), filename="x.csv", user=staff, submit=True
        )

    assert result.submitted == len(codes)
    assert len(callbacks) == 1
    for code, coordinator in coordinators.items():
        response = Response.objects.get(organisation__code=code)
        assert response.status == Response.Status.SUBMITTED
        events = ResponseEvent.objects.filter(response=response)
        assert [(e.from_status, e.to_status, e.by) for e in events] == [
            (Response.Status.IN_PROGRESS, Response.Status.SUBMITTED, staff)
        ]
        (receipt,) = [m for m in mailoutbox if coordinator.email in m.to]
        assert receipt.subject.startswith(f"Received: {response.organisation.name} submitted its answers")
        # the warning names what the progress of the response says is missing, in its order
        missing = [q.code for _s, q in response_progress(response).missing]
        (warning,) = [w for w in result.warnings if f"({code})" in w]
        assert f"{len(missing)} required answers missing: {', '.join(missing[:6])}" in warning
    assert "PRO.LEG.01" not in next(w for w in result.warnings if "(AT)" in w)


def test_submit_on_a_round_that_is_not_open_needs_a_staff_user(round_2016: Survey, tmp_path: Path) -> None:
    error, _lines = refused(str(write_csv(tmp_path, VALID_ROWS[:1])), "--survey", "thb-2016", "--submit")

    assert "--submit needs --as" in error


def test_submit_without_as_on_an_open_round(round_2016: Survey, tmp_path: Path) -> None:
    Survey.objects.filter(pk=round_2016.pk).update(
        status=Survey.Status.OPEN, closes_on=None
    )  # no deadline: answering stays open

    result = run(str(write_csv(tmp_path, VALID_ROWS[:1])), "--survey", "thb-2016", "--submit")

    assert Response.objects.get().status == Response.Status.SUBMITTED
    assert "WARNING: Czechia (CZ)" in result.stderr


def test_as_an_unknown_user_is_refused(round_2016: Survey, tmp_path: Path) -> None:
    error, _lines = refused(str(write_csv(tmp_path, VALID_ROWS[:1])), "--survey", "thb-2016", "--as", "no@one.org")

    assert error == "--as: no user with the e-mail address no@one.org"


# --- the staff upload page -------------------------------------------------------------------------------------


def upload(rows: list[list[str]], name: str = "answers.csv") -> SimpleUploadedFile:
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(HEADER)
    writer.writerows(rows)
    return SimpleUploadedFile(name, text.getvalue().encode(), content_type="text/csv")


def test_staff_upload_imports_and_shows_the_summary(
    client: Any, round_2016: Survey, ngo: Organisation, staff: Any
) -> None:
    force_login_verified(client, staff)
    url = reverse("responses:staff-import-responses", args=["thb-2016"])
    assert url == "/staff/rounds/thb-2016/import/"
    page = client.get(url)
    assert page.status_code == 200
    assert b'enctype="multipart/form-data"' in page.content
    assert b"INVALID_TEMPLATE_VARIABLE" not in page.content

    response = client.post(url, {"file": upload(VALID_ROWS), "submit": "on"})

    assert response.status_code == 302
    assert response["Location"] == url
    texts = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("5 organisations, 15 answers written, 0 unchanged, 5 recorded as submitted" in t for t in texts)
    assert any(t.startswith("WARNING: Austria (AT)") for t in texts)
    assert_valid_rows_stored()
    assert {a.updated_by for a in Answer.objects.all()} == {staff}
    assert set(Response.objects.values_list("status", flat=True)) == {Response.Status.SUBMITTED}


def test_staff_upload_of_an_xlsx(client: Any, round_2016: Survey, staff: Any, tmp_path: Path) -> None:
    force_login_verified(client, staff)
    path = write_xlsx(tmp_path, [["AT", "PRO.LEG.01", None, None, "yes"]])
    file = SimpleUploadedFile("answers.xlsx", path.read_bytes())

    response = client.post(reverse("responses:staff-import-responses", args=["thb-2016"]), {"file": file})

    assert response.status_code == 302
    assert answer("AT", "PRO.LEG.01").value_text == "yes"


def test_staff_upload_with_problems_lists_them_and_writes_nothing(client: Any, round_2016: Survey, staff: Any) -> None:
    force_login_verified(client, staff)
    rows = [["AT", "PRO.LEG.01", "", "", "yes"], ["Atlantis", "PRO.LEG.01", "", "", "yes"]]
    before = counts()

    response = client.post(reverse("responses:staff-import-responses", args=["thb-2016"]), {"file": upload(rows)})

    assert response.status_code == 200
    content = response.content.decode()
    assert "row 3: unknown organisation “Atlantis”" in content
    assert "data-import-problem" in content
    assert "Nothing was imported" in content
    assert "INVALID_TEMPLATE_VARIABLE" not in content
    assert counts() == before


def test_staff_upload_refuses_other_file_types(client: Any, round_2016: Survey, staff: Any) -> None:
    force_login_verified(client, staff)
    file = SimpleUploadedFile("answers.pdf", b"%PDF-1.4")

    response = client.post(reverse("responses:staff-import-responses", args=["thb-2016"]), {"file": file})

    assert response.status_code == 200
    assert "Upload a .csv or an .xlsx file." in response.content.decode()
    assert counts()["answers"] == 0


def test_upload_page_is_for_staff_only(client: Any, round_2016: Survey) -> None:
    url = reverse("responses:staff-import-responses", args=["thb-2016"])
    anonymous = client.get(url)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("login"))

    coordinator = make_user("coordinator@example.org")
    Membership.objects.create(user=coordinator, organisation=Organisation.objects.get(code="AT"), role=Role.COORDINATOR)
    client.force_login(coordinator)
    assert client.get(url).status_code == 404
    assert client.post(url, {"file": upload(VALID_ROWS[:1])}).status_code == 404
    assert counts()["answers"] == 0


def test_upload_page_for_an_unknown_round_is_404(client: Any, staff: Any) -> None:
    force_login_verified(client, staff)

    assert client.get(reverse("responses:staff-import-responses", args=["thb-1999"])).status_code == 404
