"""The offline questionnaire workbook: downloaded, filled with openpyxl as a person would in Excel, uploaded back.

Each test is one behaviour a person sees: the workbook shows the questionnaire and the current answers; the upload
lists what will change, what is invalid (sheet and cell) and what conflicts with an answer saved online since the
download; nothing is written until the confirm, which writes it all with its history; a file that is not this
organisation's workbook as downloaded is refused with its own message.
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from openpyxl import load_workbook

from responses.models import Answer, AnswerChange, Response, Source, WorkbookUpload
from responses.offline.identity import WorkbookRejected
from responses.offline.review import plan_review
from responses.offline.services import KEEP_MINE, KEEP_THEIRS, workbook_upload_confirm, workbook_upload_create
from responses.offline.writing import questionnaire_workbook
from tests.scenario import Scenario

COORD, OTHER = "a@at.example.org", "b@at.example.org"


@pytest.fixture
def s(db: None) -> Scenario:
    return (
        Scenario()
        .round("small")
        .state("AT", coordinator=COORD, contributor=OTHER)
        .answers(
            "AT",
            {
                "TYP.ONE.01": {("", ""): "no"},
                "TYP.ONE.02": {("", ""): ["forced_labour"]},
                "TYP.ONE.03": {("contracts", ""): "yes"},
                "TYP.ONE.08": {("2012", "female"): 3},
                "TYP.ONE.10": {("", ""): "Ministry"},
            },
            by=COORD,
        )
    )


def download(s: Scenario, org: str = "AT", language: str = "en") -> Any:
    data = questionnaire_workbook(survey=s.survey, organisation=s.orgs[org], language=language)
    return load_workbook(io.BytesIO(data))


def find(wb: Any, text: str) -> tuple[Any, int]:
    """The sheet and row where a question's code or a row's label stands."""
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.value == text:
                    return ws, cell.row
    raise AssertionError(f"{text!r} not in the workbook")


def row_after(wb: Any, code: str, label: str) -> tuple[Any, int]:
    ws, start = find(wb, code)
    for row in range(start, start + 30):
        if ws[f"C{row}"].value == label:
            return ws, row
    raise AssertionError(f"{label!r} not under {code}")


def upload(s: Scenario, wb: Any, by: str = COORD) -> WorkbookUpload:
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    response = s.response("AT")
    return workbook_upload_create(response=response, user=s.person(by), source=out, filename="filled.xlsx")


def stored(s: Scenario, code: str) -> dict[tuple[str, str], Any]:
    question = s.question(code)
    return {
        (a.row, a.column): (a.value_choices or a.value_text or a.value_number)
        for a in Answer.objects.filter(response=s.response("AT"), question=question)
    }


def test_the_workbook_shows_the_questionnaire_and_the_current_answers(s: Scenario) -> None:
    wb = download(s)
    cover = wb.worksheets[0]
    texts = {c.value for row in cover.iter_rows() for c in row}
    assert "Austria (AT)" in texts or any("AT" in str(t) for t in texts)
    ws, row = find(wb, "TYP.ONE.01")
    assert ws[f"C{row}"].value == "Is there a national plan?"
    answer_row = row + 1
    assert ws[f"D{answer_row}"].value == "No"  # the label, not the code
    assert ws[f"D{answer_row}"].protection.locked is False
    assert ws.protection.sheet is True
    # The drop-down offers the option labels.
    validations = [dv for dv in ws.data_validations.dataValidation if f"D{answer_row}" in str(dv.sqref)]
    assert validations
    assert validations[0].type == "list"
    # A matrix: one row per matrix row, its label in words.
    ws, row = row_after(wb, "TYP.ONE.03", "Contract clauses")
    assert ws[f"D{row}"].value == "Yes"
    # A breakdown table: years by sex, headed by the sex labels.
    ws, row = row_after(wb, "TYP.ONE.08", "2012")
    assert ws[f"D{row - 1}"].value == "Female"
    assert ws[f"E{row - 1}"].value == "Male"
    assert ws[f"D{row}"].value == 3
    # Several choices: one row per option, the chosen one marked.
    ws, row = row_after(wb, "TYP.ONE.02", "Forced labour")
    assert ws[f"D{row}"].value == "✓"
    # The show-if condition is written out.
    ws, row = find(wb, "TYP.ONE.13")
    assert "TYP.ONE.01" in ws[f"C{row + 1}"].value
    assert "Yes" in ws[f"C{row + 1}"].value


def test_round_trip_lists_changes_and_a_conflict_then_writes_them_all_at_once(s: Scenario) -> None:
    wb = download(s)
    ws, row = row_after(wb, "TYP.ONE.03", "Audits")
    ws[f"D{row}"] = "No"  # a matrix row
    ws, row = row_after(wb, "TYP.ONE.08", "2013")
    ws[f"E{row}"] = 7  # a breakdown cell: 2013, male
    ws, row = row_after(wb, "TYP.ONE.02", "Sexual exploitation")
    ws[f"D{row}"] = "x"  # a multiple choice: one more option
    ws, row = find(wb, "TYP.ONE.10")
    ws[f"D{row + 1}"] = "Ministry of the Interior"  # conflicts with the online edit below
    ws, row = find(wb, "TYP.ONE.05")
    ws[f"D{row + 1}"] = "many"  # invalid: not a whole number
    invalid_ref = f"{ws.title}!D{row + 1}"
    # Meanwhile someone else saves the short text online.
    s.answers("AT", {"TYP.ONE.10": {("", ""): "Ministry of Justice"}}, by=OTHER)

    pending = upload(s, wb)
    response = s.response("AT")
    review = plan_review(response=response, plan=pending.plan)
    changes = {(c.question.code, c.key): (c.old_words, c.new_words) for c in review.changes}
    assert changes == {
        ("TYP.ONE.03", ("audits", "")): ("", "No"),
        ("TYP.ONE.08", ("2013", "male")): ("", "7"),
        ("TYP.ONE.02", ("", "")): ("Forced labour", "Sexual exploitation; Forced labour"),
    }
    [conflict] = review.conflicts
    assert (conflict.question.code, conflict.old_words, conflict.new_words) == (
        "TYP.ONE.10",
        "Ministry of Justice",
        "Ministry of the Interior",
    )
    assert conflict.by
    assert conflict.at is not None
    [problem] = pending.plan["problems"]
    assert f"{problem['sheet']}!{problem['ref']}" == invalid_ref
    assert "whole number" in problem["message"]
    assert stored(s, "TYP.ONE.03") == {("contracts", ""): "yes"}  # nothing written yet

    refused = workbook_upload_confirm(
        upload=pending, user=s.person(COORD), token=review.token, choices={conflict.index: KEEP_MINE}
    )
    assert "1 cell that is not valid" in refused.error  # all or nothing: the invalid cell holds everything back
    assert stored(s, "TYP.ONE.03") == {("contracts", ""): "yes"}
    ws[f"D{row + 1}"] = 12  # corrected, uploaded again
    pending = upload(s, wb)
    review = plan_review(response=response, plan=pending.plan)
    [conflict] = review.conflicts
    outcome = workbook_upload_confirm(
        upload=pending, user=s.person(COORD), token=review.token, choices={conflict.index: KEEP_MINE}
    )
    assert outcome.error == ""
    assert not outcome.moved
    assert outcome.written == 5
    assert stored(s, "TYP.ONE.03") == {("contracts", ""): "yes", ("audits", ""): "no"}
    assert stored(s, "TYP.ONE.02") == {("", ""): ["sexual_exploitation", "forced_labour"]}
    assert stored(s, "TYP.ONE.08")[("2013", "male")] == 7
    assert stored(s, "TYP.ONE.10") == {("", ""): "Ministry of the Interior"}
    assert stored(s, "TYP.ONE.05") == {("", ""): 12}
    history = AnswerChange.objects.filter(response=response, source=Source.WORKBOOK)
    assert sorted((h.question.code, h.old_value, h.new_value) for h in history) == [
        ("TYP.ONE.02", "forced_labour", "sexual_exploitation;forced_labour"),
        ("TYP.ONE.03", "", "no"),
        ("TYP.ONE.05", "", "12"),
        ("TYP.ONE.08", "", "7"),
        ("TYP.ONE.10", "Ministry of Justice", "Ministry of the Interior"),
    ]
    assert all(h.changed_by == s.person(COORD) for h in history)
    # Unchanged cells were left alone: the untouched answers keep their first version.
    assert Answer.objects.get(response=response, question=s.question("TYP.ONE.01")).version == 1


def test_keeping_the_online_value_writes_only_the_rest(s: Scenario) -> None:
    wb = download(s)
    ws, row = find(wb, "TYP.ONE.10")
    ws[f"D{row + 1}"] = "Ministry of the Interior"
    ws, row = find(wb, "TYP.ONE.01")
    ws[f"D{row + 1}"] = "Yes"
    s.answers("AT", {"TYP.ONE.10": {("", ""): "Ministry of Justice"}}, by=OTHER)
    pending = upload(s, wb)
    review = plan_review(response=s.response("AT"), plan=pending.plan)
    [conflict] = review.conflicts
    outcome = workbook_upload_confirm(
        upload=pending, user=s.person(COORD), token=review.token, choices={conflict.index: KEEP_THEIRS}
    )
    assert outcome.written == 1
    assert stored(s, "TYP.ONE.10") == {("", ""): "Ministry of Justice"}
    assert stored(s, "TYP.ONE.01") == {("", ""): "yes"}


def test_an_online_edit_after_the_preview_writes_nothing_and_asks_to_review_again(s: Scenario) -> None:
    wb = download(s)
    ws, row = find(wb, "TYP.ONE.10")
    ws[f"D{row + 1}"] = "Ministry of the Interior"
    pending = upload(s, wb)
    review = plan_review(response=s.response("AT"), plan=pending.plan)
    assert len(review.changes) == 1
    s.answers("AT", {"TYP.ONE.10": {("", ""): "Ministry of Justice"}}, by=OTHER)
    outcome = workbook_upload_confirm(upload=pending, user=s.person(COORD), token=review.token, choices={})
    assert outcome.moved
    assert outcome.written == 0
    assert stored(s, "TYP.ONE.10") == {("", ""): "Ministry of Justice"}


def test_an_unresolved_conflict_writes_nothing(s: Scenario) -> None:
    wb = download(s)
    ws, row = find(wb, "TYP.ONE.10")
    ws[f"D{row + 1}"] = "Ministry of the Interior"
    ws, row = find(wb, "TYP.ONE.01")
    ws[f"D{row + 1}"] = "Yes"
    s.answers("AT", {"TYP.ONE.10": {("", ""): "Ministry of Justice"}}, by=OTHER)
    pending = upload(s, wb)
    review = plan_review(response=s.response("AT"), plan=pending.plan)
    outcome = workbook_upload_confirm(upload=pending, user=s.person(COORD), token=review.token, choices={})
    assert outcome.error
    assert outcome.written == 0
    assert stored(s, "TYP.ONE.01") == {("", ""): "no"}


def test_a_formula_is_named_by_its_sheet_and_cell(s: Scenario) -> None:
    wb = download(s)
    ws, row = find(wb, "TYP.ONE.05")
    ws[f"D{row + 1}"] = "=1+2"
    [problem] = upload(s, wb).plan["problems"]
    assert (problem["sheet"], problem["ref"]) == (ws.title, f"D{row + 1}")
    assert "formula" in problem["message"]


def test_another_organisations_workbook_is_refused(s: Scenario) -> None:
    s.state("DE")
    wb = download(s, "DE")
    with pytest.raises(WorkbookRejected, match="is for DE"):
        upload(s, wb)


def test_moved_rows_are_refused(s: Scenario) -> None:
    wb = download(s)
    ws, row = find(wb, "TYP.ONE.05")
    ws.insert_rows(row)
    with pytest.raises(WorkbookRejected, match="added, deleted or moved"):
        upload(s, wb)


def test_an_edited_identity_is_refused(s: Scenario) -> None:
    wb = download(s)
    wb["_oscethb"]["A5"] = wb["_oscethb"]["A5"].value[:-3] + "abc"
    with pytest.raises(WorkbookRejected, match="hidden part"):
        upload(s, wb)


def test_a_file_that_is_not_a_workbook_is_refused(s: Scenario) -> None:
    with pytest.raises(WorkbookRejected, match="not an Excel workbook"):
        workbook_upload_create(
            response=s.response("AT"), user=s.person(COORD), source=io.BytesIO(b"a,b\n1,2\n"), filename="x.csv"
        )


def test_a_workbook_from_another_site_is_refused(s: Scenario) -> None:
    from openpyxl import Workbook

    out = io.BytesIO()
    Workbook().save(out)
    out.seek(0)
    with pytest.raises(WorkbookRejected, match="not downloaded from this site"):
        workbook_upload_create(response=s.response("AT"), user=s.person(COORD), source=out, filename="x.xlsx")


def test_a_submitted_response_cannot_be_changed_by_an_upload(s: Scenario) -> None:
    wb = download(s)
    ws, row = find(wb, "TYP.ONE.01")
    ws[f"D{row + 1}"] = "Yes"
    pending = upload(s, wb)
    review = plan_review(response=s.response("AT"), plan=pending.plan)
    s.status("AT", Response.Status.SUBMITTED)
    outcome = workbook_upload_confirm(upload=pending, user=s.person(COORD), token=review.token, choices={})
    assert "submitted" in outcome.error
    assert stored(s, "TYP.ONE.01") == {("", ""): "no"}


# --- the pages --------------------------------------------------------------------------------------------------


def _client(s: Scenario, email: str) -> Any:
    from django.test import Client

    client = Client()
    client.force_login(s.person(email))
    return client


def test_the_pages_download_upload_preview_and_confirm(s: Scenario) -> None:
    from django.urls import reverse

    client = _client(s, COORD)
    home = client.get(reverse("responses:response-home", args=["small", "AT"])).content.decode()
    assert "Download for offline work (Excel)" in home
    assert "Upload a filled workbook" in home
    got = client.get(reverse("responses:workbook-download", args=["small", "AT"]))
    assert got.status_code == 200
    assert got["Content-Disposition"].startswith("attachment")
    wb = load_workbook(io.BytesIO(b"".join(got.streaming_content)))
    ws, row = find(wb, "TYP.ONE.10")
    ws[f"D{row + 1}"] = "Ministry of the Interior"
    ws, row = find(wb, "TYP.ONE.01")
    ws[f"D{row + 1}"] = "Yes"
    ws, row = find(wb, "TYP.ONE.05")
    ws[f"D{row + 1}"] = "many"
    s.answers("AT", {"TYP.ONE.10": {("", ""): "Ministry of Justice"}}, by=OTHER)
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    out.name = "filled.xlsx"
    posted = client.post(reverse("responses:workbook-upload", args=["small", "AT"]), {"file": out})
    assert posted.status_code == 302
    page = client.get(posted["Location"]).content.decode()
    assert "Ministry of Justice" in page
    assert "Ministry of the Interior" in page
    assert f"Sheet “{ws.title}”, cell D{row + 1} (TYP.ONE.05)" in page.replace("&ldquo;", "“").replace("&rdquo;", "”")
    assert "No" in page
    assert "Yes" in page
    assert "data-workbook-confirm" not in page  # nothing can be saved while a cell is not valid
    assert "Correct the cells that are not valid, then upload the workbook again." in page
    review = plan_review(response=s.response("AT"), plan=WorkbookUpload.objects.get().plan)
    [conflict] = review.conflicts
    refused = client.post(posted["Location"], {"token": review.token, f"conflict-{conflict.index}": "theirs"})
    assert refused.status_code == 422
    assert stored(s, "TYP.ONE.01") == {("", ""): "no"}
    ws[f"D{row + 1}"] = 12
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    out.name = "filled.xlsx"
    posted = client.post(reverse("responses:workbook-upload", args=["small", "AT"]), {"file": out})
    page = client.get(posted["Location"]).content.decode()
    assert "data-workbook-confirm" in page
    # TYP.ONE.01 and TYP.ONE.05 change one cell each (TYP.ONE.10 is a conflict)
    assert "2 questions will change" in page
    review = plan_review(response=s.response("AT"), plan=WorkbookUpload.objects.latest("pk").plan)
    [conflict] = review.conflicts
    done = client.post(posted["Location"], {"token": review.token, f"conflict-{conflict.index}": "theirs"})
    assert done.status_code == 302
    assert stored(s, "TYP.ONE.01") == {("", ""): "yes"}
    assert stored(s, "TYP.ONE.10") == {("", ""): "Ministry of Justice"}


def test_another_site_workbook_upload_page_says_why(s: Scenario) -> None:
    from django.urls import reverse

    client = _client(s, COORD)
    bad = io.BytesIO(b"not a workbook")
    bad.name = "filled.xlsx"
    page = client.post(reverse("responses:workbook-upload", args=["small", "AT"]), {"file": bad})
    assert page.status_code == 422
    assert "not an Excel workbook" in page.content.decode()


def test_a_submitted_response_says_so_on_the_upload_page(s: Scenario) -> None:
    from django.urls import reverse

    s.status("AT", Response.Status.SUBMITTED)
    page = _client(s, COORD).get(reverse("responses:workbook-upload", args=["small", "AT"])).content.decode()
    assert "has been submitted, so an uploaded workbook cannot change it" in page


# --- the commands -----------------------------------------------------------------------------------------------


def _export(s: Scenario, tmp_path: Any) -> Any:
    from django.core.management import call_command

    target = tmp_path / "at.xlsx"
    call_command(
        "export_questionnaire",
        "--survey",
        "small",
        "--org",
        "AT",
        "--lang",
        "fr",
        "-o",
        str(target),
        stdout=io.StringIO(),
    )
    return target


def test_export_and_import_commands_list_the_change_and_the_conflict(s: Scenario, tmp_path: Any) -> None:
    from django.core.management import CommandError, call_command

    target = _export(s, tmp_path)
    wb = load_workbook(target)
    assert wb.worksheets[0].title == "Couverture"  # the workbook's language
    ws, row = find(wb, "TYP.ONE.10")
    ws[f"D{row + 1}"] = "Ministry of the Interior"
    ws, row = find(wb, "TYP.ONE.05")
    ws[f"D{row + 1}"] = 12
    wb.save(target)
    s.answers("AT", {"TYP.ONE.10": {("", ""): "Ministry of Justice"}}, by=OTHER)
    out = io.StringIO()
    with pytest.raises(CommandError, match="1 conflict"):
        call_command("import_questionnaire", str(target), "--as", COORD, stdout=out, stderr=io.StringIO())
    assert "CONFLICT TYP.ONE.10" in out.getvalue()
    assert "TYP.ONE.05" in out.getvalue()
    assert stored(s, "TYP.ONE.05") == {}
    assert not WorkbookUpload.objects.exists()
    out = io.StringIO()
    call_command("import_questionnaire", str(target), "--as", COORD, "--keep-mine", stdout=out)
    assert "2 answers saved." in out.getvalue()
    assert stored(s, "TYP.ONE.05") == {("", ""): 12}
    assert stored(s, "TYP.ONE.10") == {("", ""): "Ministry of the Interior"}


def test_import_command_with_an_invalid_cell_writes_nothing(s: Scenario, tmp_path: Any) -> None:
    from django.core.management import CommandError, call_command

    target = _export(s, tmp_path)
    wb = load_workbook(target)
    ws, row = find(wb, "TYP.ONE.05")
    ws[f"D{row + 1}"] = "many"
    ws, row = find(wb, "TYP.ONE.01")
    ws[f"D{row + 1}"] = "Yes"  # valid, yet not written: the file has an invalid cell
    wb.save(target)
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 invalid cell"):
        call_command("import_questionnaire", str(target), "--as", COORD, stdout=io.StringIO(), stderr=err)
    assert "cell D" in err.getvalue()
    assert "TYP.ONE.05" in err.getvalue()
    assert stored(s, "TYP.ONE.01") == {("", ""): "no"}


def test_an_unchanged_workbook_with_an_answer_of_every_type_changes_nothing(s: Scenario) -> None:
    examples = {}
    for question in s.survey.questions.all():
        q = s.question(question.code)
        if q.for_kind("state") and q.cells():
            examples[q.code] = q.answer_type.examples(q.shape)
    s.answers("AT", examples, by=COORD)
    plan = upload(s, download(s)).plan
    assert plan["problems"] == []
    assert plan["entries"] == []


def test_a_choice_cell_takes_its_label_or_its_code(s: Scenario) -> None:
    wb = download(s)
    ws, row = find(wb, "TYP.ONE.01")
    ws[f"D{row + 1}"] = "yes"  # the code, as the web form posts it
    ws, row = row_after(wb, "TYP.ONE.03", "Audits")
    ws[f"D{row}"] = "in process"  # the label, whatever its case
    plan = upload(s, wb).plan
    assert plan["problems"] == []
    assert sorted((e["question"], e["new"]) for e in plan["entries"]) == [
        ("TYP.ONE.01", "yes"),
        ("TYP.ONE.03", "in_process"),
    ]


def test_a_french_workbook_is_read_back_on_an_english_page(db: None) -> None:
    from django.utils import translation

    s = Scenario().round("thb-2016").state("AT", coordinator=COORD)
    choice = s.question("PRO.LEG.01").shape.choices[1]
    wb = download(s, language="fr")
    ws, row = find(wb, "PRO.LEG.01")
    target = next(r for r in range(row, row + 10) if ws[f"D{r}"].protection.locked is False)
    ws[f"D{target}"] = choice.label["fr"]
    with translation.override("en"):
        plan = upload(s, wb).plan
    assert plan["problems"] == []
    assert [(e["question"], e["new"]) for e in plan["entries"]] == [("PRO.LEG.01", choice.code)]


def test_office_staff_upload_a_workbook_for_an_organisation(s: Scenario) -> None:
    staff = s.person("office@osce.example.org", is_staff=True)
    wb = download(s)
    ws, row = find(wb, "TYP.ONE.01")
    ws[f"D{row + 1}"] = "Yes"
    pending = upload(s, wb, by="office@osce.example.org")
    review = plan_review(response=s.response("AT"), plan=pending.plan)
    outcome = workbook_upload_confirm(upload=pending, user=staff, token=review.token, choices={})
    assert outcome.written == 1
    change = AnswerChange.objects.get(response=s.response("AT"), source=Source.WORKBOOK)
    assert (change.new_value, change.changed_by) == ("yes", staff)


def test_a_workbook_of_another_round_is_refused(s: Scenario) -> None:
    s.round("thb-2016")
    wb = download_round(s, "thb-2016")
    with pytest.raises(WorkbookRejected, match="is for AT in the round thb-2016, not for AT in small"):
        upload(s, wb)


def test_a_workbook_of_a_questionnaire_changed_since_is_refused(s: Scenario) -> None:
    from surveys.models import Option

    wb = download(s)
    option_set = s.question("TYP.ONE.01").option_set
    Option.objects.create(option_set=option_set, code="partly", label={"en": "Partly"}, position=99)
    with pytest.raises(WorkbookRejected, match="questionnaire has changed"):
        upload(s, wb)


def download_round(s: Scenario, slug: str) -> Any:
    data = questionnaire_workbook(survey=s.rounds[slug], organisation=s.orgs["AT"], language="en")
    return load_workbook(io.BytesIO(data))


# --- files that are not as downloaded ---------------------------------------------------------------------------


def _rezip(data: bytes, name: str, change: Any) -> bytes:
    """The workbook's zip with one part changed (`change(bytes) -> bytes`)."""
    import zipfile

    original = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for item in original.infolist():
            content = original.read(item.filename)
            archive.writestr(item.filename, change(content) if item.filename == name else content)
    return out.getvalue()


def test_a_workbook_that_unpacks_to_far_more_than_a_questionnaire_is_refused_unread(
    s: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = questionnaire_workbook(survey=s.survey, organisation=s.orgs["AT"], language="en")
    # A sheet padded with a million cells: a 2 MB upload that would unpack to about 25 MB.
    padding = b"".join(b'<row r="%d">' % r + b'<c r="A%d"><v>1</v></c>' % r * 25 + b"</row>" for r in range(1, 40_001))
    bomb = _rezip(data, "xl/worksheets/sheet3.xml", lambda b: b.replace(b"<sheetData>", b"<sheetData>" + padding))
    assert len(bomb) < 5 * 2**20

    def not_opened(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the workbook was opened")

    monkeypatch.setattr("responses.offline.reading.load_workbook", not_opened)
    with pytest.raises(WorkbookRejected, match=r"bomb\.xlsx unpacks to 2\d\.\d MB"):
        workbook_upload_create(
            response=s.response("AT"), user=s.person(COORD), source=io.BytesIO(bomb), filename="bomb.xlsx"
        )


@pytest.mark.parametrize(
    ("part", "change"),
    [
        ("xl/worksheets/sheet3.xml", lambda b: b[: len(b) // 2]),  # an area's sheet cut off
        ("xl/worksheets/sheet3.xml", lambda b: b.replace(b"<v>", b"<v>abc", 1)),  # a number that is none
        ("xl/workbook.xml", lambda b: b"<workbook"),
        ("xl/styles.xml", lambda b: b"<styleSheet xmlns='http://schemas.openxmlformats.org/spreadsheetml/2006/main'>"),
    ],
)
def test_a_damaged_workbook_is_refused_in_words(s: Scenario, part: str, change: Any) -> None:
    s.answers("AT", {"TYP.ONE.05": {("", ""): 4}}, by=COORD)
    data = questionnaire_workbook(survey=s.survey, organisation=s.orgs["AT"], language="en")
    with pytest.raises(WorkbookRejected, match=r"broken\.xlsx is damaged|not an Excel workbook"):
        workbook_upload_create(
            response=s.response("AT"),
            user=s.person(COORD),
            source=io.BytesIO(_rezip(data, part, change)),
            filename="broken.xlsx",
        )


def test_a_damaged_workbook_gets_a_message_on_the_page_and_from_the_command(s: Scenario, tmp_path: Any) -> None:
    from django.core.management import CommandError, call_command
    from django.urls import reverse

    data = questionnaire_workbook(survey=s.survey, organisation=s.orgs["AT"], language="en")
    broken = _rezip(data, "xl/worksheets/sheet3.xml", lambda b: b[: len(b) // 2])
    client = _client(s, COORD)
    file = io.BytesIO(broken)
    file.name = "broken.xlsx"
    page = client.post(reverse("responses:workbook-upload", args=["small", "AT"]), {"file": file})
    assert page.status_code == 422
    assert "broken.xlsx is damaged and cannot be read" in page.content.decode()
    target = tmp_path / "broken.xlsx"
    target.write_bytes(broken)
    with pytest.raises(CommandError, match=r"broken\.xlsx is damaged and cannot be read"):
        call_command("import_questionnaire", str(target), "--as", COORD, stdout=io.StringIO(), stderr=io.StringIO())


@pytest.mark.parametrize(
    ("change", "column"),
    [
        (lambda ws: ws.insert_cols(4), "D"),  # a column before the answers: they would move one to the right
        (lambda ws: ws.delete_cols(3), "C"),  # the labels' column: the figures would move one to the left
    ],
)
def test_inserted_or_deleted_columns_are_refused(s: Scenario, change: Any, column: str) -> None:
    wb = download(s)
    ws, _row = find(wb, "TYP.ONE.08")
    ws.protection.sheet = False  # as Excel allows once the (password-less) protection is lifted
    change(ws)
    with pytest.raises(WorkbookRejected, match=f"Columns of the sheet “{ws.title}” .* column {column}"):
        upload(s, wb)
    assert stored(s, "TYP.ONE.08") == {("2012", "female"): 3}


@pytest.mark.parametrize("status", ["closed", "draft"])
def test_office_staff_cannot_change_a_closed_or_draft_round_by_workbook(s: Scenario, status: str) -> None:
    from django.core.management import CommandError, call_command

    from surveys.models import Survey

    staff = s.person("office@osce.example.org", is_staff=True)
    wb = download(s)
    ws, row = find(wb, "TYP.ONE.01")
    ws[f"D{row + 1}"] = "Yes"
    pending = upload(s, wb, by="office@osce.example.org")
    review = plan_review(response=s.response("AT"), plan=pending.plan)
    Survey.objects.filter(pk=s.survey.pk).update(status=status)
    outcome = workbook_upload_confirm(upload=pending, user=staff, token=review.token, choices={})
    assert "This round is not open" in outcome.error
    assert stored(s, "TYP.ONE.01") == {("", ""): "no"}
    path = io.BytesIO()
    wb.save(path)
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "late.xlsx"
        target.write_bytes(path.getvalue())
        with pytest.raises(CommandError, match="This round is not open"):
            call_command("import_questionnaire", str(target), "--as", "office@osce.example.org", stdout=io.StringIO())
    assert stored(s, "TYP.ONE.01") == {("", ""): "no"}


def test_a_long_decimal_read_back_at_excels_fifteen_digits_is_no_change(s: Scenario) -> None:
    """PostgreSQL keeps the 18 digits stored (and this test fails without the 15-digit comparison); SQLite keeps a
    float, so there the value is already at 15 digits."""
    from decimal import Decimal

    question = s.question("TYP.ONE.06")
    question.validation = {"min": 0, "max": 10**15, "decimal_places": 4}
    question.save(update_fields=["validation"])
    s.answers("AT", {"TYP.ONE.06": {("", ""): Decimal("1")}}, by=COORD)
    # 18 significant digits, as an import or an older form may have stored; Excel keeps 15
    Answer.objects.filter(question=question).update(value_number=Decimal("12345678901234.5678"))
    wb = download(s)
    plan = upload(s, wb).plan
    assert plan["entries"] == []
    assert plan["problems"] == []
    ws, row = find(wb, "TYP.ONE.06")
    ws[f"D{row + 1}"] = 12345678901234.7  # a real change in the 15th digit is one
    assert [e["question"] for e in upload(s, wb).plan["entries"]] == ["TYP.ONE.06"]


def test_a_wrong_option_is_answered_with_the_labels_not_the_codes(s: Scenario) -> None:
    wb = download(s)
    ws, row = row_after(wb, "TYP.ONE.03", "Audits")
    ws[f"D{row}"] = "Maybe"
    [problem] = upload(s, wb).plan["problems"]
    assert "“Maybe” is not one of the options (Yes, No, In process" in problem["message"]
    assert "in_process" not in problem["message"]


def test_the_cover_names_the_organisation_in_the_workbooks_language(s: Scenario) -> None:
    organisation = s.orgs["AT"]
    organisation.names = {"ru": "Австрия"}
    organisation.save(update_fields=["names"])
    cover = download(s, language="ru").worksheets[0]
    texts = {c.value for row in cover.iter_rows() for c in row}
    assert "Австрия (AT)" in texts


def test_long_texts_wrap_in_rows_tall_enough_and_people_may_resize(s: Scenario) -> None:
    question = s.question("TYP.ONE.01")
    question.text = {"en": "Is there a national plan? " + "It covers prevention, protection and prosecution. " * 6}
    question.save(update_fields=["text"])
    wb = download(s)
    cover = wb.worksheets[0]
    assert "A1:B1" in {str(r) for r in cover.merged_cells.ranges}  # the title spans the wide columns
    instructions = next(c.row for c in cover["A"] if c.value == "How to use this workbook")
    assert f"A{instructions + 1}:B{instructions + 1}" in {str(r) for r in cover.merged_cells.ranges}
    ws, row = find(wb, "TYP.ONE.01")
    assert ws[f"C{row}"].alignment.wrap_text
    assert ws.row_dimensions[row].height >= 5 * 15  # about 330 characters in a column 60 wide, bold
    for sheet in (cover, ws):
        assert sheet.protection.formatRows is False
        assert sheet.protection.formatColumns is False


def test_sheet_names_are_cut_at_a_word_and_stay_unique() -> None:
    from responses.offline.writing import sheet_name

    used: set[str] = set()
    first = sheet_name("PRO Уголовное преследование: расследование и суд", used)
    assert first == "PRO Уголовное преследование…"  # not «… ра», and the colon leaves no double space
    assert len(first) <= 31
    assert "  " not in first
    second = sheet_name("PRO Уголовное преследование: другое", used)
    assert second.endswith(" (2)")
    assert "  " not in second
    assert len(second) <= 31
    assert sheet_name("A/B [draft]", used) == "A B draft"


def test_the_preview_counts_questions_and_cells_in_words(s: Scenario) -> None:
    from django.utils import translation

    wb = download(s)
    ws, row = row_after(wb, "TYP.ONE.08", "2013")
    ws[f"D{row}"] = 4
    ws[f"E{row}"] = 7  # one table, two cells
    ws, row = find(wb, "TYP.ONE.01")
    ws[f"D{row + 1}"] = "Yes"
    review = plan_review(response=s.response("AT"), plan=upload(s, wb).plan)
    assert review.changes_heading == "2 questions will change (3 cells)"
    with translation.override("ru"):
        assert review.changes_heading == "2 вопроса будут изменены (3 ячейки)"


def test_a_workbook_cut_short_is_damaged_and_another_file_is_not_a_workbook(s: Scenario) -> None:
    """A download cut off halfway starts as a workbook does: the person is told it is damaged, not that it is some
    other file (the walk got 'not an Excel workbook' for the half of their own download)."""
    data = questionnaire_workbook(survey=s.survey, organisation=s.orgs["AT"], language="en")
    upload = {"response": s.response("AT"), "user": s.person(COORD)}
    with pytest.raises(WorkbookRejected, match=r"half\.xlsx is damaged and cannot be read"):
        workbook_upload_create(**upload, source=io.BytesIO(data[: len(data) // 2]), filename="half.xlsx")
    with pytest.raises(WorkbookRejected, match="not an Excel workbook"):
        workbook_upload_create(**upload, source=io.BytesIO(b"name,value\nAT,1\n"), filename="table.xlsx")


def test_every_text_names_its_font_and_every_sheet_prints_one_page_wide(s: Scenario) -> None:
    """LibreOffice set unnamed bold and italic text in a wider serif face (wrapped rows lost their last line), and the
    cover and the answer columns printed on pages of their own."""
    data = questionnaire_workbook(survey=s.survey, organisation=s.orgs["AT"], language="ru")
    wb = load_workbook(io.BytesIO(data))
    shown = [ws for ws in wb.worksheets if ws.sheet_state == "visible"]
    unnamed = [
        f"{ws.title}!{cell.coordinate}"
        for ws in shown
        for row in ws.iter_rows()
        for cell in row
        if cell.value not in (None, "") and (cell.font.b or cell.font.i) and cell.font.name != "Calibri"
    ]
    assert unnamed == []
    for ws in shown:
        assert ws.page_setup.orientation == "landscape", ws.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 0), ws.title


def test_the_upload_page_names_the_state_in_the_readers_language(s: Scenario) -> None:
    from django.conf import settings
    from django.urls import reverse

    client = _client(s, COORD)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    page = client.get(reverse("responses:workbook-upload", args=["small", "AT"])).content.decode()
    assert "· Autriche" in page
    assert "Austria" not in page


def test_a_workbook_with_nothing_new_says_no_answer_will_change(s: Scenario) -> None:
    """The walk uploaded an untouched workbook and read '0 question sera modifiée'."""
    from responses.offline.review import Review

    assert Review().changes_heading == "No answer will change"


def test_the_round_home_offers_the_upload_only_to_whom_it_could_change(s: Scenario) -> None:
    """A viewer, or anyone once the response is submitted, is told what the workbook is for without being told to
    upload it; the Office, who may record a workbook the organisation sent, is told so instead of "read-only"."""
    from django.urls import reverse

    from tests.otp_helpers import verified_client

    s.member("AT", "viewer", "viewer@at.example.org")
    s.person("office@osce.example.org", is_staff=True)
    home = reverse("responses:response-home", args=["small", "AT"])

    def page_of(email: str) -> str:
        person = s.person(email)
        client = verified_client(person) if person.is_staff else _client(s, email)
        got = client.get(home)
        assert got.status_code == 200
        return str(got.content.decode())

    def offers(email: str) -> tuple[bool, bool, bool]:
        page = page_of(email)
        return ("data-workbook-upload" in page, "data-offline-read" in page, "Office staff view: read-only." in page)

    assert offers(COORD) == (True, False, False)
    # Someone who comes straight to the upload page finds the workbook to fill in there too.
    upload_page = _client(s, COORD).get(reverse("responses:workbook-upload", args=["small", "AT"])).content.decode()
    assert "data-workbook-download" in upload_page
    assert offers("viewer@at.example.org") == (False, True, False)
    staff_page = page_of("office@osce.example.org")
    assert "data-workbook-upload" in staff_page
    assert "If it sent you its filled workbook" in staff_page
    # The Office's card speaks of the organisation's workbook, not of "your answers".
    assert "data-offline-staff" in staff_page
    assert "with your current answers" not in staff_page
    s.status("AT", Response.Status.SUBMITTED)
    assert offers(COORD) == (False, True, False)
    assert offers("office@osce.example.org") == (False, True, False)
    s.status("AT", Response.Status.RETURNED)
    import datetime as dt

    from surveys.models import Survey

    # After the deadline the organisation may no longer change its answers; the Office may still record a workbook.
    Survey.objects.filter(pk=s.survey.pk).update(closes_on=dt.date.today() - dt.timedelta(days=2))
    assert offers(COORD) == (False, True, False)
    assert "data-workbook-upload" in page_of("office@osce.example.org")
    Survey.objects.filter(pk=s.survey.pk).update(status=Survey.Status.CLOSED)
    assert offers("office@osce.example.org") == (False, True, False)
