"""The answering pages: every section renders, the data-question contract, explicit save, autosave, query budgets."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from responses.models import Answer
from responses.selectors import survey_structure
from responses.services import answers_save, response_get_or_create
from responses.tests.test_workflow import answer_everything
from tests.otp_helpers import force_login_verified

from .conftest import answer, question


def _codes_on(page: str) -> set[str]:
    return set(re.findall(r'data-question="([^"]+)"', page))


def test_every_section_of_the_state_questionnaire_renders_with_the_question_contract(client, response_at, people):
    client.force_login(people.coordinator)
    expected = set()
    seen = set()
    for area in survey_structure(response_at.survey, "state"):
        for section in area.sections.all():
            page = client.get(f"/rounds/thb-2016/respond/AT/section/{section.code}/")
            assert page.status_code == 200, section.code
            html = page.content.decode()
            assert "INVALID_TEMPLATE_VARIABLE" not in html, section.code
            seen |= _codes_on(html)
            expected |= {q.code for q in section.questions.all()}
    assert seen == expected
    assert "NGO.P.01" not in seen  # States see only State-audience questions


def test_ngos_see_only_ngo_questions(client, round2016, people):
    client.force_login(people.ngo_coordinator)
    home = client.get("/rounds/thb-2016/respond/ngo-at-test/").content.decode()
    assert 'data-section="NGO.P"' in home
    assert 'data-section="PRO.LEG"' not in home  # a section of State-only questions is left out
    page = client.get("/rounds/thb-2016/respond/ngo-at-test/section/PRO.ENF/").content.decode()
    assert _codes_on(page) == {"PRO.ENF.04"}


def test_choice_inputs_use_the_option_codes_as_values(client, response_at, people):
    client.force_login(people.coordinator)
    page = client.get("/rounds/thb-2016/respond/AT/section/PRO.LEG/").content.decode()
    assert 'name="PRO.LEG.01||" value="in_process"' in page
    assert 'name="PRO.LEG.04|sexual_exploitation|" value="no_information"' in page
    assert 'name="PRO.LEG.02||" value="forced_begging"' in page


def test_explicit_save_stores_the_answers_and_shows_errors_beside_the_question(client, response_at, people):
    client.force_login(people.coordinator)
    url = "/rounds/thb-2016/respond/AT/section/PRO.DATA/"
    bad = client.post(
        url,
        {
            "PRO.DATA.01||2012": "lots",
            "v|PRO.DATA.01||2012": "0",
            "o|PRO.DATA.01||2012": "",
            "PRO.DATA.02||2012": "4",
            "v|PRO.DATA.02||2012": "0",
            "o|PRO.DATA.02||2012": "",
        },
    )
    assert bad.status_code == 422
    html = bad.content.decode()
    block = html[html.index('data-question="PRO.DATA.01"') :][:6000]
    assert "Enter a whole number" in block
    assert 'value="lots"' in block  # what the user typed stays in the page
    assert Answer.objects.get(question__code="PRO.DATA.02").value_number == 4  # the valid question is saved
    good = client.post(
        url, {"PRO.DATA.01||2012": "12", "v|PRO.DATA.01||2012": "0", "o|PRO.DATA.01||2012": "", "next": "1"}
    )
    assert good.status_code == 302
    assert good["Location"].endswith("/section/PRO.DATA.04/") or "/section/" in good["Location"]
    assert Answer.objects.get(question__code="PRO.DATA.01", column="2012").value_number == 12


def test_posting_a_stale_page_with_untouched_questions_changes_nothing_and_reports_no_conflict(
    client, response_at, people
):
    client.force_login(people.coordinator)
    url = "/rounds/thb-2016/respond/AT/section/PRV.SUP/"
    page = client.get(url).content.decode()
    assert 'name="v|PRV.SUP.01||" value="0"' in page
    answer(response_at, "PRV.SUP.01", "yes", people.contributor)
    # The coordinator's page still shows PRV.SUP.01 empty; they only answer PRV.SUP.02 and press Save.
    result = client.post(
        url,
        {
            "PRV.SUP.01||": "",
            "v|PRV.SUP.01||": "0",
            "o|PRV.SUP.01||": "",
            "PRV.SUP.02||": "no",
            "v|PRV.SUP.02||": "0",
            "o|PRV.SUP.02||": "",
        },
    )
    assert result.status_code == 302
    assert dict(Answer.objects.values_list("question__code", "value_text")) == {"PRV.SUP.01": "yes", "PRV.SUP.02": "no"}


def test_autosave_answers_with_the_time_new_versions_and_progress(client, response_at, people):
    client.force_login(people.coordinator)
    result = client.post(
        "/rounds/thb-2016/respond/AT/autosave/PRV.SUP.01/",
        {"PRV.SUP.01||": "yes", "v|PRV.SUP.01||": "0", "o|PRV.SUP.01||": ""},
    )
    html = result.content.decode()
    assert result.status_code == 200
    assert 'data-save-state="saved"' in html
    assert 'name="v|PRV.SUP.01||" value="1"' in html
    assert 'name="o|PRV.SUP.01||" value="yes"' in html
    assert 'id="progress"' in html
    assert 'hx-swap-oob="true"' in html
    assert "Last changed by" in html


def test_autosave_of_a_question_from_another_round_or_unknown_code_is_404(client, response_at, people):
    client.force_login(people.coordinator)
    assert (
        client.post("/rounds/thb-2016/respond/AT/autosave/PRO.LEG.05/", {"PRO.LEG.05||": "yes"}).status_code == 404
    )  # only in thb-2021
    assert (
        client.post("/rounds/thb-2016/respond/AT/autosave/NGO.P.03/", {"NGO.P.03||": "yes"}).status_code == 404
    )  # NGO-only
    assert not Answer.objects.exists()


def test_the_database_being_unreachable_answers_503_not_500(client, response_at, people, monkeypatch):
    from django.db import OperationalError

    from responses import section_save

    def unreachable(**kwargs):
        raise OperationalError("could not connect to server")

    client.force_login(people.coordinator)
    monkeypatch.setattr(section_save, "answers_save", unreachable)
    result = client.post(
        "/rounds/thb-2016/respond/AT/autosave/PRV.SUP.01/",
        {"PRV.SUP.01||": "yes", "v|PRV.SUP.01||": "0", "o|PRV.SUP.01||": ""},
    )
    assert result.status_code == 503
    assert result["Retry-After"] == "5"


@pytest.mark.parametrize(
    "url",
    [
        "/rounds/thb-2016/respond/AT/section/{section}/",
        "/rounds/thb-2016/respond/AT/review/",
        "/rounds/thb-2016/respond/AT/",
    ],
)
def test_query_count_does_not_grow_with_answers(client, response_at, people, url):
    client.force_login(people.coordinator)
    target = url.format(section="PRT.DATA")
    client.get(target)  # warm up: session, response creation
    with CaptureQueriesContext(connection) as empty:
        client.get(target)
    answer_everything(response_at, people.coordinator)
    for column in ("national", "foreign"):
        answers_save(
            response=response_at,
            question=question(response_at.survey, "PRT.DATA.01"),
            raw={
                (row, column): "2"
                for row in (
                    "2012.female.adult.sexual_exploitation",
                    "2013.male.child.forced_begging",
                    "2014.female.child.other",
                )
            },
            base_versions=None,
            user=people.coordinator,
        )
    with CaptureQueriesContext(connection) as full:
        client.get(target)
    assert len(full) == len(empty), [q["sql"][:120] for q in full.captured_queries]


def test_section_query_count_does_not_grow_with_questions(client, response_at, people):
    client.force_login(people.coordinator)
    small = "/rounds/thb-2016/respond/AT/section/PRV.DEM/"  # one question
    large = "/rounds/thb-2016/respond/AT/section/PRT.ASS/"  # five questions of several types
    client.get(small)
    with CaptureQueriesContext(connection) as one:
        client.get(small)
    with CaptureQueriesContext(connection) as many:
        client.get(large)
    assert len(many) == len(one)


def test_the_round_home_shows_progress_per_section(client, response_at, people):
    client.force_login(people.coordinator)
    answer(response_at, "PRV.SUP.01", "yes", people.coordinator)
    html = client.get("/rounds/thb-2016/respond/AT/").content.decode()
    block = html[html.index('data-section="PRV.SUP"') :][:600]
    assert re.search(r"data-section-progress>1 / 2<", block), block


def test_my_rounds_lists_each_organisation_of_the_user(client, round2016, people):
    client.force_login(people.coordinator)
    html = client.get("/my/").content.decode()
    assert 'data-organisation="AT"' in html
    assert "/rounds/thb-2016/respond/AT/" in html
    assert 'data-organisation="DE"' not in html


def test_prefilled_answers_are_marked_for_review_until_confirmed(client, response_at, people):
    from responses.models import Source

    q = question(response_at.survey, "PRV.SUP.01")
    answers_save(
        response=response_at,
        question=q,
        raw={("", ""): "yes"},
        base_versions=None,
        user=None,
        source=Source.PREFILL,
        needs_review=True,
    )
    client.force_login(people.coordinator)
    page = client.get("/rounds/thb-2016/respond/AT/section/PRV.SUP/").content.decode()
    assert "data-needs-review" in page
    assert 'name="r|PRV.SUP.01||" value="1"' in page
    # Exactly what the page posts when the coordinator keeps the copied answer and saves.
    state = {"v|PRV.SUP.01||": "1", "o|PRV.SUP.01||": "yes"}
    client.post("/rounds/thb-2016/respond/AT/autosave/PRV.SUP.01/", {"PRV.SUP.01||": "yes", **state})
    assert Answer.objects.get(question=q).needs_review  # nothing said it was checked
    client.post(
        "/rounds/thb-2016/respond/AT/autosave/PRV.SUP.01/", {"PRV.SUP.01||": "yes", "r|PRV.SUP.01||": "1", **state}
    )
    answer = Answer.objects.get(question=q)
    assert not answer.needs_review
    assert answer.version == 1  # confirmed, not changed


def test_staff_read_every_response_but_cannot_edit_it(client, response_at, people):
    response_get_or_create(survey=response_at.survey, organisation=people.germany)
    force_login_verified(client, people.staff)
    listing = client.get("/staff/rounds/thb-2016/responses/").content.decode()
    assert 'data-organisation="AT"' in listing
    assert 'data-organisation="DE"' in listing
    assert client.get("/rounds/thb-2016/respond/DE/section/PRV.SUP/").status_code == 200
    assert client.post("/rounds/thb-2016/respond/DE/autosave/PRV.SUP.01/", {"PRV.SUP.01||": "yes"}).status_code == 403


def test_a_save_that_touches_one_cell_never_empties_a_colleagues_answer_in_another(client, response_at, people):
    """The page showed both matrix rows empty; a colleague then answered one row. Saving the other row (twice)
    must leave the colleague's answer alone: the page's state for that row stays what the page showed."""
    client.force_login(people.coordinator)
    url = "/rounds/thb-2016/respond/AT/autosave/PRO.LEG.04/"
    empty = {
        "v|PRO.LEG.04|sexual_exploitation|": "0",
        "o|PRO.LEG.04|sexual_exploitation|": "",
        "v|PRO.LEG.04|labour_exploitation|": "0",
        "o|PRO.LEG.04|labour_exploitation|": "",
    }
    answers_save(
        response=response_at,
        question=question(response_at.survey, "PRO.LEG.04"),
        raw={("labour_exploitation", ""): "yes"},
        base_versions=None,
        user=people.contributor,
    )
    first = client.post(url, {"PRO.LEG.04|sexual_exploitation|": "no", **empty}).content.decode()
    # The state sent back keeps the labour row as the page shows it (empty, version 0).
    assert 'name="v|PRO.LEG.04|labour_exploitation|" value="0"' in first
    assert 'name="v|PRO.LEG.04|sexual_exploitation|" value="1"' in first
    second_state = {**empty, "v|PRO.LEG.04|sexual_exploitation|": "1", "o|PRO.LEG.04|sexual_exploitation|": "no"}
    client.post(url, {"PRO.LEG.04|sexual_exploitation|": "yes", **second_state})
    stored = dict(Answer.objects.filter(question__code="PRO.LEG.04").values_list("row", "value_text"))
    assert stored == {"labour_exploitation": "yes", "sexual_exploitation": "yes"}


def test_an_autosave_after_the_login_expired_gets_401_not_the_login_page(client, response_at):
    result = client.post(
        "/rounds/thb-2016/respond/AT/autosave/PRV.SUP.01/", {"PRV.SUP.01||": "yes"}, HTTP_HX_REQUEST="true"
    )
    assert result.status_code == 401
    assert client.post("/rounds/thb-2016/respond/AT/autosave/PRV.SUP.01/", {"PRV.SUP.01||": "yes"}).status_code == 302
    assert not Answer.objects.exists()


def test_answers_are_refused_once_the_response_is_submitted_even_if_the_page_was_open(response_at, people):
    from responses.models import Response

    Response.objects.filter(pk=response_at.pk).update(status=Response.Status.SUBMITTED)
    outcome = answers_save(
        response=response_at,
        question=question(response_at.survey, "PRV.SUP.01"),
        raw={("", ""): "yes"},
        base_versions=None,
        user=people.coordinator,
    )
    assert "submitted" in outcome.error
    assert not Answer.objects.exists()


@pytest.mark.parametrize(("language", "separator"), [("en", "</a>: "), ("fr", "</a>\u00a0: ")])
def test_a_cell_named_before_its_message_is_punctuated_in_the_readers_language(
    client, response_at, people, language, separator
):
    """French puts a non-breaking space before a colon: "Première année couverte par le plan : Saisissez…". The
    newcomer walk read "plan: Saisissez", an English frame around French words."""
    client.force_login(people.coordinator)
    cell = "PRT.DATA.01|2013.female.adult.sexual_exploitation|foreign"
    url = "/rounds/thb-2016/respond/AT/autosave/PRT.DATA.01/"
    saved = client.post(url, {cell: "12a", "o|" + cell: ""}, headers={"accept-language": language})
    assert 'data-save-state="partial"' in saved.content.decode()
    summary = re.search(r"<div[^>]*data-cell-errors>.*?</div>", saved.content.decode(), re.S)
    assert summary
    assert separator in summary.group(0)
    page = client.get("/rounds/thb-2016/respond/AT/review/", headers={"accept-language": language}).content.decode()
    pending = re.search(r"<li data-pending-cell=.*?</li>", page, re.S)
    assert pending
    assert separator in pending.group(0)
