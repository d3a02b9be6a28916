"""Mistyped cells before submitting: text a person typed that is not a valid value is kept (a PendingCell) but is not
an answer. The review and the submit confirmation list each such cell by question code and labels, with a link to
it; submitting is refused while one is kept (checked in the service, under the response's lock), and allowed again
once it is corrected, cleared or replaced by a later import."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from responses.forms import cell_labels
from responses.models import Answer, PendingCell, Response, ResponseEvent
from responses.selectors import unsaved_cells
from responses.services import WorkflowError, answers_save, response_submit

from .conftest import question
from .test_workflow import answer_everything

pytestmark = pytest.mark.django_db

BASE = "/rounds/thb-2016/respond/AT/"
GRID = "PRT.DATA.01"
CELL = ("2013.female.adult.sexual_exploitation", "foreign")
OTHER_CELL = ("2014.male.child.forced_begging", "national")


def _mistype(response, user, code: str = GRID, key: tuple[str, str] = CELL, text: str = "12a") -> None:
    outcome = answers_save(
        response=response, question=question(response.survey, code), raw={key: text}, base_versions=None, user=user
    )
    assert key in outcome.cell_errors, outcome  # refused on its own, and kept
    assert PendingCell.objects.filter(response=response, question__code=code, row=key[0], column=key[1]).exists()


def _label(response, code: str = GRID, key: tuple[str, str] = CELL) -> str:
    return cell_labels(question(response.survey, code))[key]


@pytest.fixture
def complete(response_at, people):
    answer_everything(response_at, people.coordinator)
    return response_at


# --- the service -------------------------------------------------------------------------------------------------


def test_submitting_is_refused_while_a_mistyped_cell_is_kept_and_the_message_names_it(complete, people):
    _mistype(complete, people.coordinator)
    with pytest.raises(WorkflowError) as refused:
        response_submit(response=complete, user=people.coordinator)
    message = str(refused.value)
    assert message.startswith(f"1 cell holds text that was not saved: “12a” in {GRID} · {_label(complete)}.")
    assert "whole number" in message
    assert message.endswith("Correct or clear it, then submit.")
    complete.refresh_from_db()
    assert complete.status == Response.Status.IN_PROGRESS
    assert not ResponseEvent.objects.filter(response=complete).exists()


def test_several_mistyped_cells_are_counted_and_the_first_in_the_questionnaire_named(complete, people):
    _mistype(complete, people.coordinator, key=OTHER_CELL, text="lots")
    _mistype(complete, people.coordinator, key=CELL, text="12a")
    with pytest.raises(WorkflowError, match=r"^2 cells hold text that was not saved, the first “12a” in PRT\.DATA\.01"):
        response_submit(response=complete, user=people.coordinator)


def test_correcting_the_mistyped_cell_lets_the_response_be_submitted(complete, people):
    _mistype(complete, people.coordinator)
    answers_save(
        response=complete,
        question=question(complete.survey, GRID),
        raw={CELL: "12"},
        base_versions=None,
        user=people.coordinator,
    )
    assert not PendingCell.objects.exists()
    assert response_submit(response=complete, user=people.coordinator).status == Response.Status.SUBMITTED


def test_clearing_the_mistyped_cell_lets_the_response_be_submitted(complete, people):
    _mistype(complete, people.coordinator)
    answers_save(
        response=complete,
        question=question(complete.survey, GRID),
        raw={CELL: ""},
        base_versions=None,
        user=people.coordinator,
    )
    assert response_submit(response=complete, user=people.coordinator).status == Response.Status.SUBMITTED


def test_a_mistyped_text_replaced_by_a_later_import_no_longer_blocks(complete, people):
    _mistype(complete, people.coordinator)
    Answer.objects.update_or_create(
        response=complete,
        question=question(complete.survey, GRID),
        row=CELL[0],
        column=CELL[1],
        defaults={"value_number": 40, "version": 1, "source": "import"},
    )  # saved after the mistyped text: the page shows 40, not "12a"
    assert unsaved_cells(complete) == []
    assert response_submit(response=complete, user=people.coordinator).status == Response.Status.SUBMITTED


def test_a_mistyped_cell_of_a_hidden_question_does_not_block_until_the_question_shows_again(complete, people):
    # PRO.ENF.06 (a whole number) is asked only when PRO.ENF.01 is "yes" or "in process".
    _mistype(complete, people.coordinator, code="PRO.ENF.06", key=("", ""), text="about ten")
    answers_save(
        response=complete,
        question=question(complete.survey, "PRO.ENF.01"),
        raw={("", ""): "no"},
        base_versions=None,
        user=people.coordinator,
    )
    assert unsaved_cells(complete) == []
    answers_save(
        response=complete,
        question=question(complete.survey, "PRO.ENF.01"),
        raw={("", ""): "yes"},
        base_versions=None,
        user=people.coordinator,
    )
    assert [cell.question.code for cell in unsaved_cells(complete)] == ["PRO.ENF.06"]
    with pytest.raises(WorkflowError, match=r"“about ten” in PRO\.ENF\.06"):
        response_submit(response=complete, user=people.coordinator)


def test_another_organisations_mistyped_cell_does_not_block(complete, people):
    from responses.services import response_get_or_create

    germany = response_get_or_create(survey=complete.survey, organisation=people.germany)
    _mistype(germany, people.other_coordinator)
    assert response_submit(response=complete, user=people.coordinator).status == Response.Status.SUBMITTED


# --- the pages ---------------------------------------------------------------------------------------------------


def _link(response, code: str = GRID, key: tuple[str, str] = CELL, section: str = "PRT.DATA") -> str:
    """The link to the cell's input on its section page (the same anchor as the section page's error summary)."""
    input_id = f"id_{code}|{key[0]}|{key[1]}".replace("|", "%7C")
    return f'href="{BASE}section/{section}/#{input_id}"'


def test_the_confirmation_page_lists_the_mistyped_cell_with_a_link_and_offers_no_confirm_button(
    client, complete, people
):
    _mistype(complete, people.coordinator)
    client.force_login(people.coordinator)
    page = client.get(BASE + "submit/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "data-pending-cells" in html
    assert "1 cell holds text that was not saved" in html
    item = re.search(r'<li data-pending-cell="PRT\.DATA\.01\|[^"]*">.*?</li>', html, re.S)
    assert item is not None
    text = re.sub(r"<[^>]+>", "", item.group(0))
    assert text.startswith(f"{GRID} · {_label(complete)}: “12a” is not saved. Enter a whole number")
    assert _link(complete) in item.group(0)
    assert "data-confirm-submit" not in html
    assert "You can submit once every cell above holds a valid value or is cleared." in html
    assert "data-missing-total>0<" in html  # every required question is answered: only the cell stands in the way


def test_the_section_page_has_the_input_the_link_points_to(client, complete, people):
    _mistype(complete, people.coordinator)
    client.force_login(people.coordinator)
    html = client.get(BASE + "section/PRT.DATA/").content.decode()
    input_id = f"id_{GRID}|{CELL[0]}|{CELL[1]}"
    tag = re.search(rf'<input[^>]*id="{re.escape(input_id)}"[^>]*>', html)
    assert tag is not None
    assert 'aria-invalid="true"' in tag.group(0)


def test_posting_the_confirmation_with_a_mistyped_cell_submits_nothing_and_says_why(client, complete, people):
    _mistype(complete, people.coordinator)
    client.force_login(people.coordinator)
    result = client.post(BASE + "submit/", {"confirm": "yes"}, follow=True)
    html = result.content.decode()
    assert result.redirect_chain == [(BASE + "submit/", 302)]
    assert "1 cell holds text that was not saved: “12a” in PRT.DATA.01" in html
    assert 'data-pending-cell="PRT.DATA.01|' in html
    complete.refresh_from_db()
    assert complete.status == Response.Status.IN_PROGRESS


def test_a_cell_mistyped_after_the_confirmation_page_opened_is_still_refused(client, complete, people):
    client.force_login(people.coordinator)
    assert "data-confirm-submit" in client.get(BASE + "submit/").content.decode()
    _mistype(complete, people.coordinator)  # someone else types "12a" meanwhile
    client.post(BASE + "submit/", {"confirm": "yes"})
    complete.refresh_from_db()
    assert complete.status == Response.Status.IN_PROGRESS


def test_the_review_lists_the_mistyped_cells_and_leads_to_no_confirmation(client, complete, people):
    _mistype(complete, people.coordinator)
    _mistype(complete, people.coordinator, key=OTHER_CELL, text="lots")
    client.force_login(people.coordinator)
    html = client.get(BASE + "review/").content.decode()
    assert "2 cells hold text that was not saved" in html
    assert html.count("data-pending-cell=") == 2
    assert html.index("“12a”") < html.index("“lots”")  # in the table's order: 2013 before 2014
    assert _link(complete) in html
    assert f'href="{BASE}submit/"' not in html
    assert "You can submit once every cell above holds a valid value or is cleared." in html


def test_the_review_of_a_contributor_lists_them_too(client, complete, people):
    _mistype(complete, people.contributor)
    client.force_login(people.contributor)
    html = client.get(BASE + "review/").content.decode()
    assert 'data-pending-cell="PRT.DATA.01|' in html


def test_pages_without_mistyped_cells_show_no_list(client, complete, people):
    client.force_login(people.coordinator)
    for url in ("review/", "submit/"):
        assert "data-pending-cells" not in client.get(BASE + url).content.decode()


def test_the_review_reads_the_mistyped_cells_in_a_fixed_number_of_queries(client, complete, people):
    client.force_login(people.coordinator)
    _mistype(complete, people.coordinator)
    with CaptureQueriesContext(connection) as one:
        client.get(BASE + "review/")
    for year in ("2012", "2013", "2014"):
        _mistype(complete, people.coordinator, key=(f"{year}.male.child.forced_begging", "foreign"), text="x")
    with CaptureQueriesContext(connection) as four:
        page = client.get(BASE + "review/")
    assert page.content.decode().count("data-pending-cell=") == 4
    assert len(four) == len(one)


def test_the_review_names_the_cells_not_saved_before_the_long_list_of_questions_to_answer(client, response_at, people):
    """The newcomer walk found the box of cells not saved below a list of 57 unanswered questions."""
    _mistype(response_at, people.coordinator)
    client.force_login(people.coordinator)
    html = client.get(BASE + "review/").content.decode()
    assert "required questions still need an answer" in html
    assert html.index("data-pending-cells") < html.index("required questions still need an answer")
