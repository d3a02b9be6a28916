"""import_organisations: CSV and XLSX, every row checked first, `row N: reason` on stderr, nothing written on error,
idempotent re-runs; and the generic table reader other imports reuse."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from accounts.models import Organisation
from accounts.people import TableError, read_table, table_columns

pytestmark = pytest.mark.django_db

HEADER = "code,name,kind,country,aliases\n"
GOOD_CSV = (
    HEADER + "la-strada-cz,La Strada Czech Republic,ngo,Czech Republic,La Strada CZ\n"
    "stop-tr,Stop Trafficking Türkiye,NGO,Turkey,\n"
    "ks-at,Klagsstelle Wien,ngo,AT,\n"
    "AT,Austria,participating State,,\n"
    "JP,Japan,Partner,,\n"
)


def write(tmp_path: Path, text: str, name: str = "orgs.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def write_xlsx(tmp_path: Path, rows: list[list[object]], name: str = "orgs.xlsx") -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    path = tmp_path / name
    workbook.save(path)
    return path


def run(path: Path) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_organisations", str(path), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def refused(path: Path) -> list[str]:
    """Run the import expecting a refusal; nothing may change. Returns the stderr lines."""
    before = list(Organisation.objects.order_by("code").values_list("code", "name", "country_id", "aliases"))
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError, match="nothing was written"):
        call_command("import_organisations", str(path), stdout=out, stderr=err)
    after = list(Organisation.objects.order_by("code").values_list("code", "name", "country_id", "aliases"))
    assert after == before
    assert out.getvalue() == ""
    return err.getvalue().splitlines()


def test_csv_happy_path_and_rerun_is_idempotent(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD_CSV)
    out, err = run(path)
    assert "3 created, 0 updated, 2 unchanged" in out
    assert err == ""
    cz = Organisation.objects.get(code="la-strada-cz")
    assert cz.kind == "ngo"
    assert cz.country == Organisation.objects.get(code="CZ")  # former name "Czech Republic"
    assert cz.aliases == ["La Strada CZ"]
    assert Organisation.objects.get(code="stop-tr").country.code == "TR"  # "Turkey" -> Türkiye
    assert Organisation.objects.get(code="ks-at").country.code == "AT"
    assert Organisation.objects.get(code="AT").aliases == []  # an empty aliases cell keeps what is there

    out, _err = run(path)
    assert "0 created, 0 updated, 5 unchanged" in out


def test_rerun_updates_names_countries_and_aliases(tmp_path: Path) -> None:
    run(write(tmp_path, GOOD_CSV))
    changed = GOOD_CSV.replace("Klagsstelle Wien,ngo,AT", "Klagsstelle Graz,ngo,Slovak Republic").replace(
        "JP,Japan,Partner,,", "JP,Japan,Partner,,Nippon"
    )
    out, _err = run(write(tmp_path, changed, "changed.csv"))
    assert "0 created, 2 updated, 3 unchanged" in out
    ngo = Organisation.objects.get(code="ks-at")
    assert (ngo.name, ngo.country.code) == ("Klagsstelle Graz", "SK")
    assert Organisation.objects.get(code="JP").aliases == ["Nippon"]


def test_xlsx_happy_path(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path,
        [
            ["Code", "Name", "Kind", "Country"],
            ["la-strada-ua", "La Strada Ukraine", "ngo", "UA"],
            [None, None, None, None],  # an empty row is skipped
            ["ngo-mk", "Open Gate", "ngo", "the former Yugoslav Republic of Macedonia"],
        ],
    )
    out, _err = run(path)
    assert "2 created, 0 updated, 0 unchanged" in out
    assert Organisation.objects.get(code="ngo-mk").country.code == "MK"
    out, _err = run(path)
    assert "0 created, 0 updated, 2 unchanged" in out


def test_utf8_bom_is_accepted(tmp_path: Path) -> None:
    path = write(tmp_path, "code,name,kind,country\nngo-bom,Ünïcödé NGO,ngo,Österreich\n", encoding="utf-8-sig")
    lines = refused(path)  # "Österreich" is not a known name of Austria: the BOM itself is fine
    assert lines == ["row 2: unknown country “Österreich”"]
    path = write(tmp_path, "code,name,kind,country\nngo-bom,Ünïcödé NGO,ngo,Austria\n", encoding="utf-8-sig")
    out, _err = run(path)
    assert "1 created" in out
    assert Organisation.objects.get(code="ngo-bom").name == "Ünïcödé NGO"


def test_semicolon_separated_csv_from_excel(tmp_path: Path) -> None:
    path = write(tmp_path, "code;name;kind;country\nngo-semi;Semi NGO;ngo;AT\n")
    out, _err = run(path)
    assert "1 created" in out


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("ngo-x,,ngo,AT", "the name is empty"),
        ("ngo-x,X,charity,AT", "unknown kind “charity” (use state, partner or ngo)"),
        ("ngo-x,X,ngo,Atlantis", "unknown country “Atlantis”"),
        ("ngo-x,X,ngo,Japan", "country “Japan” is not a participating State"),
        ("ngo-x,X,ngo,", "an NGO needs a country: the participating State it works in"),
        ("NGO X,X,ngo,AT", "an NGO code must be lowercase letters, digits and hyphens"),
        ("at,Austria,state,", "the code of a State or Partner is two capital letters"),
        ("AT,Austria,state,AT", "only NGOs have a country; leave it empty for States and Partners"),
        ("AT,Austria,partner,", "“AT” exists as Participating State; its kind cannot change to Partner"),
        (",X,ngo,AT", "the code is empty"),
    ],
)
def test_each_error_names_its_row_and_nothing_is_written(tmp_path: Path, line: str, reason: str) -> None:
    path = write(tmp_path, "code,name,kind,country\nngo-ok,Fine NGO,ngo,AT\n" + line + "\n")
    lines = refused(path)
    assert len(lines) == 1
    assert lines[0].startswith(f"row 3: {reason}")
    assert not Organisation.objects.filter(code="ngo-ok").exists()


def test_every_error_is_reported(tmp_path: Path) -> None:
    text = (
        "code,name,kind,country\n"
        "ngo-a,A,ngo,AT\n"
        "ngo-b,,ngo,AT\n"
        "ngo-a,A again,ngo,AT\n"
        "ngo-c,C,club,AT\n"
        "ngo-d,D,ngo,Narnia\n"
    )
    lines = refused(write(tmp_path, text))
    assert lines == [
        "row 3: the name is empty",
        "row 4: code “ngo-a” appears twice in the file (row 2)",
        "row 5: unknown kind “club” (use state, partner or ngo)",
        "row 6: unknown country “Narnia”",
    ]


def test_missing_columns_are_named(tmp_path: Path) -> None:
    lines = refused(write(tmp_path, "code,name\nngo-a,A\n"))
    assert lines == ["row 1: missing columns: kind, country"]


def test_unknown_column_is_refused(tmp_path: Path) -> None:
    lines = refused(write(tmp_path, "code,name,kind,country,aliasses\nngo-a,A,ngo,AT,x\n"))
    assert lines[0].startswith("row 1: unknown column: aliasses")


def test_csv_not_utf8_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "code,name,kind,country\nngo-a,Österreichische NGO,ngo,AT\n", encoding="latin-1")
    lines = refused(path)
    assert len(lines) == 1
    assert "not UTF-8" in lines[0]
    assert "CSV UTF-8" in lines[0]


def test_xlsx_formula_cells_are_refused(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path,
        [["code", "name", "kind", "country"], ["ngo-a", "A", "ngo", "AT"], ["ngo-b", "=A2", "ngo", "AT"]],
    )
    assert refused(path) == ["row 3: cell B3 holds a formula (=A2); paste the values instead."]


def test_file_that_is_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "orgs.xlsx"
    path.write_text("code,name,kind,country\n", encoding="utf-8")
    lines = refused(path)
    assert "not an Excel .xlsx workbook (it is not a zip archive)" in lines[0]


def test_zip_bomb_is_refused_before_opening(tmp_path: Path) -> None:
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (51 * 1024 * 1024))
    assert path.stat().st_size < 1024 * 1024
    lines = refused(path)
    assert lines == ["The workbook unpacks to 51 MB; at most 50 MB are accepted. Split it into smaller files."]


def test_unsupported_file_type(tmp_path: Path) -> None:
    lines = refused(write(tmp_path, "code\n", name="orgs.ods"))
    assert "unsupported file type" in lines[0]


def test_missing_file() -> None:
    with pytest.raises(CommandError):
        call_command("import_organisations", "/nonexistent/orgs.csv", stdout=io.StringIO(), stderr=io.StringIO())


def test_ngo_may_work_in_a_state_added_by_the_same_file(tmp_path: Path) -> None:
    path = write(tmp_path, "code,name,kind,country\nngo-xk,NGO in XK,ngo,Testland\nXK,Testland,state,\n")
    out, _err = run(path)
    assert "2 created" in out
    assert Organisation.objects.get(code="ngo-xk").country.code == "XK"


# --- the generic table reader -----------------------------------------------------------------------------------


def test_read_table_keeps_row_numbers_and_header(tmp_path: Path) -> None:
    path = write(tmp_path, "Email, Organisation ,role\n\na@example.org,AT,viewer\n,,\nb@example.org,CZ,\n")
    table = read_table(path)
    assert table.header == ["Email", "Organisation", "role"]
    assert [(row.number, row.values) for row in table.rows] == [
        (3, {"Email": "a@example.org", "Organisation": "AT", "role": "viewer"}),
        (5, {"Email": "b@example.org", "Organisation": "CZ", "role": ""}),
    ]
    renamed = table_columns(table, required=["email", "organisation", "role"])
    assert renamed.rows[0]["email"] == "a@example.org"


def test_read_table_xlsx_values_become_text(tmp_path: Path) -> None:
    import datetime as dt

    path = write_xlsx(tmp_path, [["a", "b", "c"], [1.0, 2.5, dt.date(2024, 5, 1)]])
    assert read_table(path).rows[0].values == {"a": "1", "b": "2.5", "c": "2024-05-01"}


def test_read_table_duplicate_header_and_extra_cells(tmp_path: Path) -> None:
    with pytest.raises(TableError) as info:
        read_table(write(tmp_path, "a,A\n1,2\n"))
    assert info.value.problems == ["row 1: column “A” appears twice"]
    with pytest.raises(TableError) as info:
        read_table(write(tmp_path, "a,b\n1,2,3\n", "extra.csv"))
    assert info.value.problems == ["row 2: more cells than there are columns in the header"]
