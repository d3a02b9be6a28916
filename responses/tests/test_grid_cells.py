"""Tables of answers cell by cell: a mistyped cell is reported on its own, the other cells are saved (with their
history, conflicts still detected per cell), the mistyped text is kept and shown again marked until it is fixed,
and each cell is named by its labels."""

from __future__ import annotations

import re

import lxml.html
import pytest

from responses.models import Answer, AnswerChange, PendingCell
from responses.services import answers_save

from .conftest import question

pytestmark = pytest.mark.django_db

SECTION = "/rounds/thb-2016/respond/AT/section/PRT.DATA/"
AUTOSAVE = "/rounds/thb-2016/respond/AT/autosave/PRT.DATA.01/"
A, B, C = (
    "2012.female.adult.sexual_exploitation",
    "2012.female.adult.domestic_servitude",
    "2013.male.child.forced_begging",
)


def _cell(row: str, column: str) -> str:
    return f"PRT.DATA.01|{row}|{column}"


def _post(cells: dict[tuple[str, str], str], versions: dict[tuple[str, str], int] | None = None) -> dict[str, str]:
    """What the page posts for these cells: each value with the version and value the page showed."""
    data = {}
    for (row, column), value in cells.items():
        data[_cell(row, column)] = value
        data["v|" + _cell(row, column)] = str((versions or {}).get((row, column), 0))
        data["o|" + _cell(row, column)] = ""
    return data


def _stored(response, row: str, column: str):
    found = Answer.objects.filter(response=response, question__code="PRT.DATA.01", row=row, column=column).first()
    return None if found is None else int(found.value_number)


def test_a_mistyped_cell_is_reported_on_its_own_and_the_other_cells_are_saved_with_history(response_at, people):
    q = question(response_at.survey, "PRT.DATA.01")
    outcome = answers_save(
        response=response_at,
        question=q,
        raw={(A, "national"): "5", (A, "foreign"): "12a", (B, "national"): "1 234"},
        base_versions={(A, "national"): 0, (A, "foreign"): 0, (B, "national"): 0},
        user=people.coordinator,
    )
    assert not outcome.ok
    assert outcome.error == ""
    assert list(outcome.cell_errors) == [(A, "foreign")]
    assert "whole number" in outcome.cell_errors[(A, "foreign")]
    assert sorted(outcome.changed) == sorted([(A, "national"), (B, "national")])
    assert _stored(response_at, A, "national") == 5
    assert _stored(response_at, B, "national") == 1234  # thousands separated by a space, as pasted from Excel
    assert _stored(response_at, A, "foreign") is None
    history = set(
        AnswerChange.objects.filter(response=response_at).values_list("row", "column", "new_value", "version")
    )
    assert history == {(A, "national", "5", 1), (B, "national", "1234", 1)}
    kept = PendingCell.objects.get(response=response_at)
    assert (kept.row, kept.column, kept.text, kept.updated_by) == (A, "foreign", "12a", people.coordinator)


def test_a_stale_cell_beside_a_mistyped_one_is_still_a_conflict_and_neither_overwrites_anything(response_at, people):
    q = question(response_at.survey, "PRT.DATA.01")
    answers_save(
        response=response_at, question=q, raw={(A, "national"): "7"}, base_versions=None, user=people.contributor
    )
    outcome = answers_save(
        response=response_at,
        question=q,
        raw={(A, "national"): "5", (A, "foreign"): "x", (B, "foreign"): "3"},
        base_versions={(A, "national"): 0, (A, "foreign"): 0, (B, "foreign"): 0},
        user=people.coordinator,
    )
    assert [c.key for c in outcome.conflicts] == [(A, "national")]
    assert outcome.conflicts[0].their_value == "7"
    assert list(outcome.cell_errors) == [(A, "foreign")]
    assert outcome.changed == [(B, "foreign")]
    assert (_stored(response_at, A, "national"), _stored(response_at, B, "foreign")) == (7, 3)


def test_autosave_saves_the_good_cells_and_says_which_cell_failed_and_why(client, response_at, people):
    client.force_login(people.coordinator)
    result = client.post(AUTOSAVE, _post({(A, "national"): "5", (A, "foreign"): "12a", (B, "national"): "8"}))
    html = result.content.decode()
    assert result.status_code == 200
    assert 'data-save-state="partial"' in html
    assert "except 1 cell" in html
    item = re.search(r'<li data-cell-error="([^"]+)" data-input="([^"]+)" data-message="([^"]+)">(.*?)</li>', html)
    assert item is not None
    assert item.group(1) == _cell(A, "foreign")
    assert item.group(2) == "id_" + _cell(A, "foreign")
    assert "whole number" in item.group(3)
    assert "2012, Female, Adults (18 and over), Sexual exploitation, Foreign nationals" in item.group(4)
    assert f'data-focus-cell="id_{_cell(A, "foreign")}"' in item.group(4)
    assert (_stored(response_at, A, "national"), _stored(response_at, B, "national")) == (5, 8)
    # The page's state: the new versions of the saved cells, and the mistyped cell is sent again with every save.
    assert f'name="v|{_cell(A, "national")}" value="1"' in html
    assert f'name="p|{_cell(A, "foreign")}" value="1"' in html

    # Fixing the cell saves it and clears the report; the saved cells are not sent again (unchanged on the page).
    fixed = client.post(AUTOSAVE, {**_post({(A, "foreign"): "12"}), "p|" + _cell(A, "foreign"): "1"}).content.decode()
    assert 'data-save-state="saved"' in fixed
    assert "data-cell-error=" not in fixed
    assert _stored(response_at, A, "foreign") == 12
    assert not PendingCell.objects.exists()


def test_clearing_a_mistyped_cell_forgets_it(client, response_at, people):
    client.force_login(people.coordinator)
    client.post(AUTOSAVE, _post({(A, "foreign"): "12a"}))
    assert PendingCell.objects.count() == 1
    # The page shows the cell empty as it was loaded (o| is ""): only p| says it must be sent.
    cleared = client.post(AUTOSAVE, {**_post({(A, "foreign"): ""}), "p|" + _cell(A, "foreign"): "1"})
    assert 'data-save-state="saved"' in cleared.content.decode()
    assert not PendingCell.objects.exists()
    assert not Answer.objects.exists()


def test_the_section_page_shows_a_mistyped_text_again_marked_with_its_message(client, response_at, people):
    client.force_login(people.coordinator)
    client.post(AUTOSAVE, _post({(A, "national"): "5", (A, "foreign"): "12a"}))
    html = client.get(SECTION).content.decode()
    name = _cell(A, "foreign")
    field = re.search(rf'<input[^>]*name="{re.escape(name)}"[^>]*>', html)
    assert field is not None
    tag = field.group(0)
    assert 'value="12a"' in tag  # what the person typed, never replaced
    assert 'aria-invalid="true"' in tag
    assert f'aria-describedby="err-id_{name}"' in tag
    assert re.search(
        rf'<div class="cell-error" id="err-id_{re.escape(name)}" data-cell-message>[^<]*whole number', html
    )
    assert f'data-cell-error="{name}"' in html  # the question's summary at its top links to it
    assert f'name="p|{name}" value="1"' in html
    assert 'value="5"' in re.search(rf'<input[^>]*name="{re.escape(_cell(A, "national"))}"[^>]*>', html).group(0)


def test_an_answer_imported_after_a_mistyped_text_replaces_it_on_the_page(client, response_at, people):
    client.force_login(people.coordinator)
    client.post(AUTOSAVE, _post({(A, "foreign"): "12a"}))
    Answer.objects.create(
        response=response_at,
        question=question(response_at.survey, "PRT.DATA.01"),
        row=A,
        column="foreign",
        value_number=40,
        version=1,
        source="import",
    )
    html = client.get(SECTION).content.decode()
    tag = re.search(rf'<input[^>]*name="{re.escape(_cell(A, "foreign"))}"[^>]*>', html).group(0)
    assert 'value="40"' in tag
    assert "aria-invalid" not in tag


def test_whole_page_save_saves_the_good_cells_and_names_the_question_with_bad_cells_at_the_top(
    client, response_at, people
):
    client.force_login(people.coordinator)
    result = client.post(
        SECTION,
        {
            **_post({(A, "national"): "5", (A, "foreign"): "12a", (C, "national"): "-3", (C, "foreign"): "9"}),
            "PRT.DATA.02||2012": "4",
            "v|PRT.DATA.02||2012": "0",
            "o|PRT.DATA.02||2012": "",
        },
    )
    assert result.status_code == 422
    html = result.content.decode()
    top = html[html.index("data-page-errors") : html.index('id="section-form"')]
    # The top names the question and how many of its cells are not saved, and leads into the first of them; each
    # cell and its message are listed once, at the question (and shown at the cell), not a third time here.
    assert 'data-page-cell-errors="PRT.DATA.01"' in top
    assert "2 cells not saved, listed at the question" in top
    assert f'data-focus-cell="id_{_cell(A, "foreign")}"' in top
    assert "0 or more" not in top
    assert "Forced begging" not in top
    box = lxml.html.fromstring(html).xpath('//*[@id="cell-errors-PRT.DATA.01"]/*[@data-cell-errors]')[0]
    assert box.get("hidden") is None
    assert "2013, Male, Children (under 18), Forced begging, Nationals" in box.text_content()
    assert "0 or more" in box.text_content()
    assert (_stored(response_at, A, "national"), _stored(response_at, C, "foreign")) == (5, 9)
    assert Answer.objects.get(question__code="PRT.DATA.02").value_number == 4
    assert AnswerChange.objects.filter(question__code="PRT.DATA.01").count() == 2
    assert 'value="12a"' in re.search(rf'<input[^>]*name="{re.escape(_cell(A, "foreign"))}"[^>]*>', html).group(0)
    # The saved cells' state is the new version, so that saving the page again is not a conflict.
    assert f'name="v|{_cell(A, "national")}" value="1"' in html


def test_breakdown_cells_are_named_by_their_labels_never_by_their_key(client, response_at, people):
    client.force_login(people.coordinator)
    html = client.get(SECTION).content.decode()
    labels = re.findall(r'aria-label="([^"]*)"', html)
    assert "2012, Female, Adults (18 and over), Sexual exploitation, Nationals" in labels
    assert not [label for label in labels if "sexual_exploitation" in label or "." in label.split(",")[0]]
    assert html.count("data-subtotal=") == len(response_at.survey.years)  # a subtotal per year


def test_a_read_only_page_shows_the_stored_answer_not_a_kept_mistyped_text(client, response_at, people):
    """What was sent is what a viewer (or staff, or anyone after submitting) reads; "12a" is only for the editor."""
    client.force_login(people.coordinator)
    client.post(AUTOSAVE, _post({(A, "foreign"): "7"}))
    client.post(AUTOSAVE, _post({(A, "foreign"): "12a"}, versions={(A, "foreign"): 1}))
    assert PendingCell.objects.filter(response=response_at, text="12a").exists()
    client.force_login(people.viewer)
    html = client.get(SECTION).content.decode()
    tag = re.search(rf'<input[^>]*name="{re.escape(_cell(A, "foreign"))}"[^>]*>', html).group(0)
    assert 'value="7"' in tag
    assert "12a" not in html
    assert 'aria-invalid="true"' not in tag


def test_a_one_field_question_not_saved_says_so_at_the_top_and_at_its_field_not_in_a_third_box(
    client, response_at, people
):
    """The newcomer walk saw the same message three times for one mistyped field: at the page's top, in the
    question's list of cells and at the field. A question of one field has no list of cells to show."""
    client.force_login(people.coordinator)
    result = client.post(
        "/rounds/thb-2016/respond/AT/section/GEN.R/",
        {"GEN.R.02||": "x" * 600, "v|GEN.R.02||": "0", "o|GEN.R.02||": ""},
    )
    assert result.status_code == 422
    page = lxml.html.fromstring(result.content.decode())
    message = "The text is 600 characters long; at most 500 are allowed."
    top = page.xpath('//*[@data-page-cell-errors="GEN.R.02"]')[0]
    assert message in top.text_content()
    assert top.xpath(".//a/@data-focus-cell") == ["id_GEN.R.02||"]
    field_message = page.xpath('//*[@id="err-id_GEN.R.02||"]')[0]
    assert field_message.text_content() == message
    box = page.xpath('//*[@id="cell-errors-GEN.R.02"]/*[@data-cell-errors]')[0]
    assert box.get("hidden") is not None
    assert message not in box.text_content()
    # What the page's script marks the field from after an autosave is still there.
    assert box.xpath(".//li/@data-message") == [message]
    visible = [node for node in page.xpath("//body//text()") if message in node]
    assert len(visible) == 2  # the top and the field


def test_an_autosave_of_a_one_field_question_not_saved_says_not_saved_not_saved_except_a_cell(
    client, response_at, people
):
    client.force_login(people.coordinator)
    result = client.post(
        "/rounds/thb-2016/respond/AT/autosave/GEN.R.02/",
        {"GEN.R.02||": "x" * 600, "v|GEN.R.02||": "0", "o|GEN.R.02||": ""},
    )
    html = result.content.decode()
    status = lxml.html.fromstring(html).xpath("//*[@data-save-state]")[0]
    assert status.text_content().strip() == "Not saved: see below"
    assert status.get("data-save-state") == "partial"  # what was typed is kept: leaving the page loses nothing
    assert "except" not in html
    assert 'data-message="The text is 600 characters long; at most 500 are allowed."' in html
    assert PendingCell.objects.filter(question__code="GEN.R.02").count() == 1


def _autosave_status(client, code: str, data: dict[str, str]) -> tuple[str, str]:
    html = client.post(f"/rounds/thb-2016/respond/AT/autosave/{code}/", data).content.decode()
    status = lxml.html.fromstring(html).xpath("//*[@data-save-state]")[0]
    return status.text_content().strip(), html


def test_a_yes_no_with_a_number_whose_choice_is_refused_says_the_number_is_saved(client, response_at, people):
    """Its choice is one of two cells: "Not saved" would be wrong when the number beside it was saved."""
    client.force_login(people.coordinator)
    data = {"PRT.ASS.03||": "maybe", "o|PRT.ASS.03||": "", "PRT.ASS.03|number|": "5", "o|PRT.ASS.03|number|": ""}
    status, html = _autosave_status(client, "PRT.ASS.03", data)
    assert "except 1 cell" in status
    assert Answer.objects.get(question__code="PRT.ASS.03", row="number").value_number == 5
    box = lxml.html.fromstring(html).xpath("//*[@data-cell-errors]")[0]
    assert box.get("hidden") is None  # a choice's options have no place for its message: the list says it


def test_a_one_choice_question_refused_says_not_saved_and_shows_its_message_in_the_question(
    client, response_at, people
):
    client.force_login(people.coordinator)
    status, html = _autosave_status(client, "GEN.R.04", {"GEN.R.04||": "xx", "o|GEN.R.04||": ""})
    assert status == "Not saved: see below"
    box = lxml.html.fromstring(html).xpath("//*[@data-cell-errors]")[0]
    assert box.get("hidden") is None
    assert "is not one of the options" in box.text_content()
    # Its options are described by that entry (they have no message under them): the id they name exists.
    saved = client.post("/rounds/thb-2016/respond/AT/section/GEN.R/", {"GEN.R.04||": "xx", "o|GEN.R.04||": ""})
    page = lxml.html.fromstring(saved.content.decode())
    described = set(page.xpath('//input[@name="GEN.R.04||"]/@aria-describedby'))
    assert described == {"err-id_GEN.R.04||_0"}
    assert "is not one of the options" in page.get_element_by_id("err-id_GEN.R.04||_0").text_content()


def test_a_question_with_a_conflict_and_a_cell_not_saved_has_one_entry_at_the_top(client, response_at, people):
    """Two entries with the same link text leading to two places read as a duplicate (WCAG 2.4.4)."""
    answers_save(
        response=response_at,
        question=question(response_at.survey, "PRT.DATA.01"),
        raw={(A, "national"): "7"},
        base_versions=None,
        user=people.contributor,
    )
    client.force_login(people.coordinator)
    # The page was read before the colleague's save (version 0) and a cell beside it is mistyped.
    result = client.post(SECTION, _post({(A, "national"): "9", (C, "foreign"): "12a"}))
    assert result.status_code == 422
    page = lxml.html.fromstring(result.content.decode())
    entries = page.xpath('//*[@data-page-errors]//li[@data-page-error="PRT.DATA.01"]')
    assert len(entries) == 1
    text = entries[0].text_content()
    assert "Not saved: someone else changed this; one cell not saved, listed at the question" in text
    assert entries[0].xpath(".//a/@data-focus-cell") == [f"id_{_cell(C, 'foreign')}"]


def test_a_text_field_does_not_cut_a_longer_paste_the_save_says_how_long_and_keeps_it(client, response_at, people):
    """The newcomer walk pasted 748 characters into a field of at most 500: the browser kept 500 without a word."""
    client.force_login(people.coordinator)
    page = lxml.html.fromstring(client.get("/rounds/thb-2016/respond/AT/section/GEN.R/").content.decode())
    assert page.xpath('//input[@name="GEN.R.02||"]/@maxlength') == []
    pasted = ("Ministry of the Interior, contact: A. Example " * 17).strip()  # 781 characters
    status, _html = _autosave_status(client, "GEN.R.02", {"GEN.R.02||": pasted, "o|GEN.R.02||": ""})
    assert status == "Not saved: see below"
    again = lxml.html.fromstring(client.get("/rounds/thb-2016/respond/AT/section/GEN.R/").content.decode())
    assert again.xpath('//input[@name="GEN.R.02||"]/@value') == [pasted]  # kept, to be shortened
    assert "is 781 characters long; at most 500 are allowed" in again.text_content()


def test_save_and_continue_with_a_cell_not_saved_stays_and_says_why(client, response_at, people):
    client.force_login(people.coordinator)
    data = {**_post({(A, "foreign"): "12a"}), "next": ""}
    result = client.post(SECTION, data)
    assert result.status_code == 422
    top = lxml.html.fromstring(result.content.decode()).xpath("//*[@data-page-errors]")[0].text_content()
    assert "You are still on this section: go on to the next once they are corrected or cleared." in top
    plain = client.post(SECTION, _post({(A, "foreign"): "12b"})).content.decode()  # "Save": no such sentence
    assert "You are still on this section" not in plain
