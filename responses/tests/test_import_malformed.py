"""Malformed files, tried systematically on both imports (answers and organisations), through the command, the
service and the staff upload page: each is refused with a message that says what is wrong and where, and nothing
is written."""

from __future__ import annotations

import io
import struct
import time
import tracemalloc
import zlib
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import Organisation
from accounts.people import organisations_import, read_table, table_from_bytes
from accounts.tables import TableError, TableOptions, open_table, read_all
from responses.imports import ImportRejected, answers_import, answers_import_check
from responses.models import Answer, AnswerChange, Response
from surveys.models import Survey

try:  # staff pages may ask for a second factor; log in as the other staff-page tests do
    from tests.otp_helpers import force_login_verified
except ImportError:  # pragma: no cover - before two-factor login exists

    def force_login_verified(client: Any, user: Any) -> None:
        client.force_login(user)


pytestmark = pytest.mark.django_db

DEFINITIONS = Path(__file__).resolve().parents[2] / "surveys" / "definitions"
ANSWERS_HEADER = "organisation,question,row,column,value\n"
ORGS_HEADER = "code,name,kind,country\n"


@pytest.fixture
def round_2016(db: None) -> Survey:
    call_command("load_survey", str(DEFINITIONS / "thb-2016.yaml"), stdout=io.StringIO())
    return Survey.objects.get(slug="thb-2016")


@pytest.fixture
def staff(db: None) -> Any:
    return get_user_model().objects.create_user(
        username="staff@example.org", email="staff@example.org", password="a-long-test-password-42", is_staff=True
    )


def counts() -> dict[str, int]:
    return {
        "answers": Answer.objects.count(),
        "changes": AnswerChange.objects.count(),
        "responses": Response.objects.count(),
        "organisations": Organisation.objects.count(),
    }


def xlsx_bytes(rows: list[list[Any]]) -> bytes:
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def zip_bomb(unpacked: int = 2 * 2**30, name: str = "xl/worksheets/sheet1.xml") -> bytes:
    """A valid zip archive of a few MB whose one member unpacks to `unpacked` bytes of zeros (2 GiB by default).

    Built without compressing gigabytes: after a full flush a deflate stream restarts, so every further MiB of zeros
    compresses to the same bytes, which are repeated. The sizes and CRC in the headers are the true ones.
    """
    chunk = b"\0" * 2**20
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    count = unpacked // len(chunk)
    data = block * count + compressor.flush()
    crc = 0
    for _ in range(count):
        crc = zlib.crc32(chunk, crc)
    encoded = name.encode()
    local = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0, crc, len(data), unpacked, len(encoded), 0)
    central = struct.pack(
        "<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0, crc, len(data), unpacked, len(encoded), 0, 0, 0, 0, 0, 0
    )
    directory = central + encoded
    offset = len(local) + len(encoded) + len(data)
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 1, 1, len(directory), offset, 0)
    return local + encoded + data + directory + end


# --- the malformed files ---------------------------------------------------------------------------------------
# (id, file name, content, what the answer import must say, what the organisation import must say)

VALID_XLSX = xlsx_bytes([["code", "name", "kind", "country"], ["ngo-a", "A", "ngo", "AT"]])
CASES: list[tuple[str, str, bytes, str, str]] = [
    (
        "cp1251",
        "f.csv",
        (ANSWERS_HEADER + "AT,GEN.R.02,,,Министерство\n").encode("cp1251"),
        "not UTF-8 text (byte 54, in row 2, is not valid UTF-8)",
        "not UTF-8 text (byte",
    ),
    (
        "latin-1",
        "f.csv",
        (ANSWERS_HEADER + "AT,GEN.R.02,,,Ministère\n").encode("latin-1"),
        "not UTF-8 text (byte 60, in row 2, is not valid UTF-8)",
        "not UTF-8 text (byte",
    ),
    ("utf-16 with BOM", "f.csv", (ANSWERS_HEADER + "AT,PRO.LEG.01,,,yes\n").encode("utf-16"), "UTF-16", "UTF-16"),
    (
        "utf-16 without BOM",
        "f.csv",
        (ANSWERS_HEADER + "AT,PRO.LEG.01,,,yes\n").encode("utf-16-le"),
        "contains NUL bytes",
        "contains NUL bytes",
    ),
    ("NUL byte", "f.csv", (ANSWERS_HEADER + "AT,PRO.LEG.01,,,y\0es\n").encode(), "NUL bytes", "NUL bytes"),
    ("empty file", "f.csv", b"", "row 1: the file is empty", "the file is empty; row 1 must name the columns"),
    ("empty workbook", "f.xlsx", xlsx_bytes([]), "row 1: the file is empty", "the file is empty"),
    (
        "xlsx formula",
        "f.xlsx",
        xlsx_bytes([["organisation", "question", "row", "column", "value"], ["AT", "GEN.R.02", None, None, "=1+2"]]),
        "row 2: cell E2 holds a formula (=1+2)",
        "row 2: cell D2 holds a formula (=1+2)",
    ),
    (
        "very long line",
        "f.csv",
        (ANSWERS_HEADER + "AT,GEN.R.02,,," + "x" * (2 * 2**20) + "\n").encode(),
        "longer than 1048576 characters",
        "longer than 1048576 characters",
    ),
    (
        "field over the CSV limit",
        "f.csv",
        (ANSWERS_HEADER + 'AT,GEN.R.02,,,"' + "x\n" * 70_000 + '"\n').encode(),
        "row 2: the CSV cannot be read (field larger than field limit",
        "row 2: the CSV cannot be read (field larger than field limit",
    ),
    (
        "csv named .xlsx",
        "f.xlsx",
        (ANSWERS_HEADER + "AT,PRO.LEG.01,,,yes\n").encode(),
        "not an Excel .xlsx workbook (it is not a zip archive)",
        "not an Excel .xlsx workbook (it is not a zip archive)",
    ),
    (
        "xlsx named .csv",
        "f.csv",
        VALID_XLSX,
        "is a zip archive (an Excel .xlsx workbook?), not CSV text",
        "is a zip archive (an Excel .xlsx workbook?), not CSV text",
    ),
    (
        "truncated xlsx",
        "f.xlsx",
        VALID_XLSX[: len(VALID_XLSX) // 2],
        "not an Excel .xlsx workbook",
        "not an Excel .xlsx workbook",
    ),
    (
        "corrupt xlsx",
        "f.xlsx",
        VALID_XLSX[:200] + bytes(b ^ 0x5A for b in VALID_XLSX[200:1200]) + VALID_XLSX[1200:],
        "The workbook cannot be",
        "The workbook cannot be",
    ),
    ("not a table", "f.ods", b"PK\x03\x04", "is an unsupported file type", "is an unsupported file type"),
]
IDS = [case[0] for case in CASES]


@pytest.mark.parametrize(("name", "filename", "content", "answers", "_orgs"), CASES, ids=IDS)
def test_answer_import_command_refuses(
    round_2016: Survey, tmp_path: Path, name: str, filename: str, content: bytes, answers: str, _orgs: str
) -> None:
    path = tmp_path / filename
    path.write_bytes(content)
    before = counts()
    err = io.StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_responses", str(path), "--survey", "thb-2016", stdout=io.StringIO(), stderr=err)
    assert counts() == before
    assert answers in err.getvalue()


@pytest.mark.parametrize(("name", "filename", "content", "answers", "_orgs"), CASES, ids=IDS)
def test_answer_import_service_refuses(
    round_2016: Survey, name: str, filename: str, content: bytes, answers: str, _orgs: str
) -> None:
    before = counts()
    with pytest.raises(ImportRejected) as info:
        answers_import(survey=round_2016, source=io.BytesIO(content), filename=filename, user=None)
    assert counts() == before
    assert any(answers in problem for problem in info.value.problems), info.value.problems


@pytest.mark.parametrize(("name", "filename", "content", "answers", "_orgs"), CASES, ids=IDS)
def test_staff_upload_page_refuses(
    client: Any, round_2016: Survey, staff: Any, name: str, filename: str, content: bytes, answers: str, _orgs: str
) -> None:
    force_login_verified(client, staff)
    before = counts()
    response = client.post(
        reverse("responses:staff-import-responses", args=["thb-2016"]), {"file": SimpleUploadedFile(filename, content)}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert counts() == before
    if not content:
        assert "The submitted file is empty." in page
    elif filename.endswith((".csv", ".xlsx")):
        assert "Nothing was imported" in page
        assert answers.replace('"', "&quot;").replace("'", "&#x27;") in page
    else:
        assert "Upload a .csv or an .xlsx file." in page


def organisations_content(name: str, filename: str, content: bytes) -> bytes:
    """The same malformation in an organisation file: header and row of the organisation format."""
    if filename.endswith(".xlsx") or content.startswith(b"PK") or not content:
        return content
    if name == "xlsx formula":
        return content
    encoding = {
        "cp1251": "cp1251",
        "latin-1": "latin-1",
        "utf-16 with BOM": "utf-16",
        "utf-16 without BOM": "utf-16-le",
    }
    text = content.decode(encoding.get(name, "utf-8"))
    if text.startswith(ANSWERS_HEADER):
        row = text.split("\n", 1)[1].replace("AT,GEN.R.02,,,", "ngo-a,A,ngo,").replace("AT,PRO.LEG.01,,,", "x,y,z,")
        return (ORGS_HEADER + row).encode(encoding.get(name, "utf-8"))
    raise AssertionError(name)


@pytest.mark.parametrize(("name", "filename", "content", "_answers", "orgs"), CASES, ids=IDS)
def test_organisation_import_command_refuses(
    db: None, tmp_path: Path, name: str, filename: str, content: bytes, _answers: str, orgs: str
) -> None:
    if name == "xlsx formula":
        content = xlsx_bytes([["code", "name", "kind", "country"], ["ngo-a", "A", "ngo", "=1+2"]])
    path = tmp_path / filename
    path.write_bytes(organisations_content(name, filename, content))
    before = counts()
    err = io.StringIO()
    with pytest.raises(CommandError, match="nothing was written"):
        call_command("import_organisations", str(path), stdout=io.StringIO(), stderr=err)
    assert counts() == before
    assert orgs in err.getvalue()


@pytest.mark.parametrize(("name", "filename", "content", "_answers", "orgs"), CASES, ids=IDS)
def test_organisation_import_service_refuses(
    db: None, name: str, filename: str, content: bytes, _answers: str, orgs: str
) -> None:
    if name == "xlsx formula":
        content = xlsx_bytes([["code", "name", "kind", "country"], ["ngo-a", "A", "ngo", "=1+2"]])
    before = counts()
    with pytest.raises(TableError) as info:
        organisations_import(table=table_from_bytes(organisations_content(name, filename, content), filename=filename))
    assert counts() == before
    assert any(orgs in problem for problem in info.value.problems), info.value.problems


# --- columns ---------------------------------------------------------------------------------------------------


def test_utf8_bom_is_accepted_by_both_imports(round_2016: Survey, tmp_path: Path) -> None:
    path = tmp_path / "bom.csv"
    path.write_bytes((ANSWERS_HEADER + "AT,PRO.LEG.01,,,yes\n").encode("utf-8-sig"))
    result = answers_import(survey=round_2016, source=path, filename=path.name, user=None)
    assert result.written == 1
    path.write_bytes((ORGS_HEADER + "ngo-bom,BOM NGO,ngo,AT\n").encode("utf-8-sig"))
    assert organisations_import(table=read_table(path)).created == ["ngo-bom"]


@pytest.mark.parametrize(
    ("header", "answers", "orgs"),
    [
        (
            "organisation,row,column,value",
            "row 1: missing column question;",
            "row 1: missing columns: name, kind, country",
        ),
        (
            "organisation,question,value,value",
            "row 1: the column “value” appears twice.",
            "row 1: column “name” appears twice",
        ),
    ],
)
def test_missing_and_duplicate_columns_are_named(
    round_2016: Survey, tmp_path: Path, header: str, answers: str, orgs: str
) -> None:
    before = counts()
    with pytest.raises(ImportRejected) as info:
        answers_import(
            survey=round_2016,
            source=io.BytesIO(f"{header}\nAT,PRO.LEG.01,yes,no\n".encode()),
            filename="a.csv",
            user=None,
        )
    assert info.value.problems[0].startswith(answers)
    org_header = "code,name,name,kind,country" if "twice" in answers else "code"
    row = "ngo-a,A,B,ngo,AT" if "twice" in answers else "ngo-a"
    with pytest.raises(TableError) as org_info:
        organisations_import(table=table_from_bytes(f"{org_header}\n{row}\n".encode(), filename="o.csv"))
    assert org_info.value.problems[0].startswith(orgs)
    assert counts() == before


def test_extra_columns(round_2016: Survey) -> None:
    """The answer import ignores other columns (question texts, comments); the organisation import names them."""
    csv_text = "organisation,question,value,comment\nAT,PRO.LEG.01,yes,checked by phone\n"
    assert answers_import(survey=round_2016, source=io.BytesIO(csv_text.encode()), filename="a.csv", user=None).written
    with pytest.raises(TableError) as info:
        organisations_import(
            table=table_from_bytes(b"code,name,kind,country,notes\nngo-a,A,ngo,AT,x\n", filename="o.csv")
        )
    assert info.value.problems == ["row 1: unknown column: notes (expected code, name, kind, country, aliases)"]


def test_header_only(round_2016: Survey) -> None:
    with pytest.raises(ImportRejected) as info:
        answers_import(survey=round_2016, source=io.BytesIO(ANSWERS_HEADER.encode()), filename="a.csv", user=None)
    assert info.value.problems == ["row 2: the file has no answers below the header row"]
    before = counts()
    assert organisations_import(table=table_from_bytes(ORGS_HEADER.encode(), filename="o.csv")).summary() == (
        "0 created, 0 updated, 0 unchanged"
    )
    assert counts() == before


def test_a_signed_number_is_not_a_formula(round_2016: Survey) -> None:
    content = ANSWERS_HEADER + "AT,PRO.DATA.01,,2013,+12\nAT,GEN.R.02,,,+43 1 531 26\n"
    result = answers_import(survey=round_2016, source=io.BytesIO(content.encode()), filename="a.csv", user=None)
    assert result.written == 2


FORMULA_LIKE_TEXTS = [
    "+1-800-555-0100 hotline",
    "@ministry",
    "=SUM(A1)",
    '=HYPERLINK("http://example.org")',
    "- see the annex",
]


def _stored_text(survey: Survey, organisation: str, question: str) -> str | None:
    return (
        Answer.objects.filter(
            response__survey=survey, response__organisation__code=organisation, question__code=question
        )
        .values_list("value_text", flat=True)
        .get()
    )


@pytest.mark.parametrize("text", FORMULA_LIKE_TEXTS)
def test_csv_text_beginning_like_a_formula_is_imported_as_the_text_it_is(round_2016: Survey, text: str) -> None:
    """A CSV holds no formulas: what looks like one is what the person wrote."""
    quoted = '"' + text.replace('"', '""') + '"'
    content = (ANSWERS_HEADER + f"AT,GEN.R.02,,,{quoted}\n").encode()
    result = answers_import(survey=round_2016, source=io.BytesIO(content), filename="a.csv", user=None)
    assert result.written == 1
    assert _stored_text(round_2016, "AT", "GEN.R.02") == text
    history = AnswerChange.objects.get(question__code="GEN.R.02")
    assert history.new_value == text

    # Round trip: the same file again changes nothing; the answer comes back out of the import format unchanged.
    again = answers_import(survey=round_2016, source=io.BytesIO(content), filename="a.csv", user=None)
    assert (again.written, again.unchanged) == (0, 1)
    _header, rows = read_all(io.BytesIO(content), "a.csv", TableOptions(typed=True))
    assert rows == [["AT", "GEN.R.02", "", "", text]]


def test_csv_negative_figures_are_read_as_numbers_and_dash_text_stays_text(round_2016: Survey) -> None:
    """-5 in a figure is the number -5 (a count then says it must be 0 or more, not that it is a formula)."""
    content = ANSWERS_HEADER + "AT,PRO.DATA.01,,2013,-5\nAT,GEN.R.02,,,-5 offices closed\n"
    with pytest.raises(ImportRejected) as info:
        answers_import(survey=round_2016, source=io.BytesIO(content.encode()), filename="a.csv", user=None)
    assert info.value.problems == ["row 2: PRO.DATA.01 column '2013': The value must be 0 or more."]
    content = ANSWERS_HEADER + "AT,PRO.DATA.01,,2013,5\nAT,GEN.R.02,,,-5 offices closed\n"
    result = answers_import(survey=round_2016, source=io.BytesIO(content.encode()), filename="a.csv", user=None)
    assert result.written == 2
    assert Answer.objects.get(question__code="PRO.DATA.01", column="2013").value_number == 5
    assert _stored_text(round_2016, "AT", "GEN.R.02") == "-5 offices closed"


def test_an_xlsx_formula_cell_is_refused_with_its_cell_but_xlsx_text_like_a_formula_is_text(round_2016: Survey) -> None:
    header = ["organisation", "question", "row", "column", "value"]
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(header)
    sheet.append(["AT", "GEN.R.02", None, None, "@ministry"])
    sheet.append(["DE", "GEN.R.02", None, None, "=SUM(A1)"])  # openpyxl writes this as a formula cell
    sheet.append(["FR", "GEN.R.02", None, None, None])
    text_cell = sheet.cell(row=4, column=5)
    text_cell.value = "=SUM(A1)"
    text_cell.data_type = "s"  # a text cell that begins with "=" (typed with a leading ' in Excel)
    buffer = io.BytesIO()
    workbook.save(buffer)
    before = counts()
    with pytest.raises(ImportRejected) as info:
        answers_import(survey=round_2016, source=io.BytesIO(buffer.getvalue()), filename="a.xlsx", user=None)
    assert info.value.problems == ["row 3: cell E3 holds a formula (=SUM(A1)); paste the values instead."]
    assert counts() == before

    sheet.delete_rows(3)
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = answers_import(survey=round_2016, source=io.BytesIO(buffer.getvalue()), filename="a.xlsx", user=None)
    assert result.written == 2
    assert _stored_text(round_2016, "AT", "GEN.R.02") == "@ministry"
    assert _stored_text(round_2016, "FR", "GEN.R.02") == "=SUM(A1)"


def test_organisation_names_beginning_like_a_formula_are_names_in_a_csv(db: None) -> None:
    table = table_from_bytes((ORGS_HEADER + "ngo-plus,+Plus Association,ngo,AT\n").encode(), filename="o.csv")
    assert organisations_import(table=table).created == ["ngo-plus"]
    assert Organisation.objects.get(code="ngo-plus").name == "+Plus Association"


# --- a zip bomb ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["answers", "organisations"])
def test_zip_bomb_is_refused_quickly_without_unpacking(round_2016: Survey, tmp_path: Path, kind: str) -> None:
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(zip_bomb())
    assert path.stat().st_size < 8 * 2**20
    before = counts()
    tracemalloc.start()
    started = time.perf_counter()
    try:
        if kind == "answers":
            with pytest.raises(ImportRejected) as info:
                answers_import(survey=round_2016, source=path, filename=path.name, user=None)
        else:
            with pytest.raises(TableError) as info:  # type: ignore[assignment]
                read_table(path)
        elapsed = time.perf_counter() - started
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert info.value.problems == [
        "The workbook unpacks to 2048 MB; at most 50 MB are accepted. Split it into smaller files."
    ]
    assert elapsed < 2
    assert peak < 20 * 2**20
    assert counts() == before


def test_a_member_that_lies_about_its_size_is_not_unpacked_past_it(tmp_path: Path) -> None:
    """A directory that states a small size for a large member: zipfile stops at the stated size (and the check
    sum then fails), so reading never unpacks more than the sizes that were checked."""
    bomb = bytearray(zip_bomb(64 * 2**20))
    for signature in (b"PK\x03\x04", b"PK\x01\x02"):
        start = bomb.index(signature)
        at = start + (22 if signature == b"PK\x03\x04" else 24)
        bomb[at : at + 4] = struct.pack("<I", 1000)
    path = tmp_path / "liar.xlsx"
    path.write_bytes(bytes(bomb))
    tracemalloc.start()
    try:
        with pytest.raises(TableError) as info:
            read_all(path, path.name, TableOptions(typed=True))
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert "The workbook cannot be opened" in info.value.problems[0]
    assert peak < 20 * 2**20


# --- hypothesis: garbage in, only the documented rejection out -------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2000), st.sampled_from(["x.csv", "x.xlsx"]))
def test_random_bytes_give_a_table_or_a_table_error(content: bytes, filename: str) -> None:
    for typed in (True, False):
        try:
            header, rows = read_all(content, filename, TableOptions(typed=typed))
        except TableError as exc:  # the documented rejection, with reasons
            problems = exc.problems
        else:
            problems = []
            assert isinstance(header, list)
            assert isinstance(rows, list)
        assert all(isinstance(p, str) for p in problems)
        assert all(problems)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400).map(lambda b: b"PK\x03\x04" + b))
def test_random_zip_like_bytes_named_xlsx(content: bytes) -> None:
    with pytest.raises(TableError):
        read_all(content, "x.xlsx")


_CELL = st.one_of(
    st.text(max_size=30),
    st.sampled_from(
        ["AT", "Czech Republic", "PRO.LEG.01", "PRO.DATA.01", "GEN.R.03", "yes", "2013", "start", "=1", "+1"]
    ),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.lists(_CELL, min_size=0, max_size=7), max_size=8))
def test_random_cells_are_checked_or_rejected(round_2016: Survey, rows: list[list[str]]) -> None:
    import csv

    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(["organisation", "question", "row", "column", "value"])
    writer.writerows(rows)
    try:
        header, records = read_all(text.getvalue().encode(), "x.csv", TableOptions(typed=True))
        plan = answers_import_check(survey=round_2016, header=header, rows=records)
    except (TableError, ImportRejected) as exc:  # the documented rejections, with reasons
        problems = exc.problems
    else:
        problems = []
        assert plan.cell_count >= 1
    assert all(isinstance(p, str) for p in problems)
    assert all(problems)


def test_open_table_closes_files_it_opened(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    handle = io.BytesIO(path.read_bytes())
    with open_table(handle, "a.csv") as reader:
        assert list(reader) == [(2, ["1", "2"])]
    assert not handle.closed  # an upload is the caller's to close


def test_too_many_rows() -> None:
    content = b"a\n" + b"1\n" * 11
    with pytest.raises(TableError) as info:
        read_all(content, "a.csv", TableOptions(max_rows=10))
    assert info.value.problems == ["The file has more than 10 rows; split it."]


def test_in_french_every_problem_keeps_its_row_and_comes_in_row_order(round_2016: Survey, tmp_path: Path) -> None:
    """A formula on row 3 and a wrong value on row 2: the person reads them by row, in their language, each naming
    its row (the formula's reason once lost its row outside English)."""
    from django.utils import translation

    content = xlsx_bytes(
        [
            ["organisation", "question", "row", "column", "value"],
            ["AT", "PRO.LEG.01", "", "", "not-an-option"],
            ["AT", "GEN.R.02", "", "", "=1+2"],
        ]
    )
    path = tmp_path / "answers.xlsx"
    path.write_bytes(content)
    with translation.override("fr"), pytest.raises(ImportRejected) as info:
        answers_import(survey=round_2016, source=path, filename=path.name, user=None)
    problems = info.value.problems
    with translation.override("fr"):
        row = translation.gettext("row %(row)d: %(reason)s").split("%(")[0]  # "ligne "
    assert row != "row "
    assert [p.split("\u00a0")[0].split(":")[0] for p in problems] == [f"{row}2", f"{row}3"], problems
    assert "=1+2" in problems[1]
