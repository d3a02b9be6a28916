"""Prefill from the previous round: answers are copied by question code and cell, only into empty cells, only when
still valid, marked for review; only the organisation's editors may ask for it while the response is editable."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages
from django.core.management import call_command
from django.urls import reverse

from accounts.models import Membership, Organisation, Role
from responses.models import Answer, AnswerChange, Response, Source
from responses.prefill import prefill_from_previous, response_prefill_from_previous
from responses.services import WorkflowError, answers_save, response_get_or_create
from surveys.models import Question, Survey
from tests.otp_helpers import force_login_verified

pytestmark = pytest.mark.django_db

DEFINITIONS = Path(__file__).resolve().parents[2] / "surveys" / "definitions"
PASSWORD = "a-long-test-password-42"
HOME = "/rounds/thb-2021/respond/AT/"
PREFILL = "/rounds/thb-2021/respond/AT/prefill/"

# What Austria answered in 2015/16 (reference period 2012-2014).
ANSWERS_2016: dict[str, dict[tuple[str, str], Any]] = {
    "PRO.LEG.01": {("", ""): "yes"},
    "PRO.LEG.02": {("", ""): "sexual_exploitation;forced_begging"},
    "PRO.LEG.04": {("sexual_exploitation", ""): "yes", ("labour_exploitation", ""): "in_process"},
    "GEN.R.02": {("", ""): "Ministry of the Interior, contact: A. Example"},
    "GEN.R.03": {("start", ""): "2012", ("end", ""): "2014"},
    "PAR.NAT.03": {("in_force", ""): "yes", ("start_year", ""): "2013"},
    "PAR.NAT.07": {("", ""): "2013-03-01"},
    "PAR.NAT.08": {("", ""): "1.25"},
    "PRT.ASS.03": {("", ""): "yes", ("number", ""): "30"},
    "PRO.DATA.01": {("", "2013"): "12"},  # a year of 2012-2014: no such cell in 2017-2019
    "PRO.ENF.06": {("", ""): "7"},
}


@pytest.fixture
def rounds() -> tuple[Survey, Survey]:
    for slug in ("thb-2016", "thb-2021"):
        call_command("load_survey", str(DEFINITIONS / f"{slug}.yaml"), stdout=io.StringIO())
    Survey.objects.filter(slug="thb-2021").update(
        status=Survey.Status.OPEN, closes_on=None
    )  # no deadline: answering stays open
    return Survey.objects.get(slug="thb-2016"), Survey.objects.get(slug="thb-2021")


def make_user(email: str, **extra: Any) -> Any:
    return get_user_model().objects.create_user(username=email, email=email, password=PASSWORD, **extra)


def question(survey: Survey, code: str) -> Question:
    return Question.objects.of_round(survey).select_related("option_set").get(code=code)


def save(survey: Survey, org: Organisation, answers: dict[str, dict[tuple[str, str], Any]]) -> Response:
    response = response_get_or_create(survey=survey, organisation=org)
    for code, raw in answers.items():
        outcome = answers_save(
            response=response, question=question(survey, code), raw=raw, base_versions=None, user=None
        )
        assert outcome.ok, outcome.error
    return response


@pytest.fixture
def austria() -> Organisation:
    return Organisation.objects.get(code="AT")


@pytest.fixture
def answered_2016(rounds: tuple[Survey, Survey], austria: Organisation) -> Response:
    return save(rounds[0], austria, ANSWERS_2016)


def cell(code: str, row: str = "", column: str = "") -> Answer:
    return Answer.objects.get(
        response__survey__slug="thb-2021",
        response__organisation__code="AT",
        question__code=code,
        row=row,
        column=column,
    )


def test_prefill_copies_answers_into_empty_cells_for_review(
    rounds: tuple[Survey, Survey], austria: Organisation, answered_2016: Response
) -> None:
    _old, new = rounds
    user = make_user("coordinator@example.org")
    response = response_get_or_create(survey=new, organisation=austria)

    copied = response_prefill_from_previous(response=response, user=user)

    assert copied == 14  # every cell of ANSWERS_2016 but the 2013 figure
    assert cell("PRO.LEG.01").value_text == "yes"
    assert cell("PRO.LEG.02").value_choices == ["sexual_exploitation", "forced_begging"]
    assert cell("PRO.LEG.04", row="labour_exploitation").value_text == "in_process"
    assert cell("GEN.R.03", row="start").value_number == Decimal(2012)
    assert cell("PAR.NAT.03", row="start_year").value_number == Decimal(2013)
    assert cell("PAR.NAT.07").value_date == dt.date(2013, 3, 1)
    assert cell("PAR.NAT.08").value_number == Decimal("1.25")
    assert cell("PRT.ASS.03", row="number").value_number == Decimal(30)
    assert not Answer.objects.filter(response=response, question__code="PRO.DATA.01").exists()
    new_answers = Answer.objects.filter(response=response)
    assert {(a.source, a.needs_review, a.version, a.updated_by) for a in new_answers} == {
        (Source.PREFILL, True, 1, user)
    }
    changes = AnswerChange.objects.filter(response=response)
    assert changes.count() == 14
    assert {c.source for c in changes} == {Source.PREFILL}
    response.refresh_from_db()
    assert response.prefilled_from == answered_2016
    assert response.status == Response.Status.IN_PROGRESS
    # the previous round is untouched
    assert set(Answer.objects.filter(response=answered_2016).values_list("source", flat=True)) == {Source.WEB}


def test_prefill_never_touches_cells_already_answered(
    rounds: tuple[Survey, Survey], austria: Organisation, answered_2016: Response
) -> None:
    _old, new = rounds
    response = save(new, austria, {"PRO.LEG.01": {("", ""): "no"}, "PRO.LEG.04": {("sexual_exploitation", ""): "no"}})
    before = Answer.objects.get(response=response, question__code="PRO.LEG.01")

    copied = response_prefill_from_previous(response=response, user=None)

    assert copied == 12
    after = cell("PRO.LEG.01")
    assert (after.value_text, after.version, after.source, after.needs_review) == ("no", before.version, "web", False)
    assert cell("PRO.LEG.04", row="sexual_exploitation").value_text == "no"
    assert cell("PRO.LEG.04", row="labour_exploitation").value_text == "in_process"  # the empty row is filled
    assert cell("PRO.LEG.04", row="labour_exploitation").needs_review is True
    # a second prefill finds nothing left to copy
    assert response_prefill_from_previous(response=response, user=None) == 0


def test_prefill_fills_a_cell_that_was_cleared(
    rounds: tuple[Survey, Survey], austria: Organisation, answered_2016: Response
) -> None:
    _old, new = rounds
    response = save(new, austria, {"GEN.R.02": {("", ""): "Someone"}})
    save(new, austria, {"GEN.R.02": {("", ""): ""}})

    response_prefill_from_previous(response=response, user=None)

    filled = cell("GEN.R.02")
    assert (filled.value_text, filled.version, filled.needs_review) == (
        "Ministry of the Interior, contact: A. Example",
        3,
        True,
    )


def test_prefill_skips_values_no_longer_valid_and_other_types(
    rounds: tuple[Survey, Survey], austria: Organisation, answered_2016: Response
) -> None:
    _old, new = rounds
    # The 2020/21 round changed: a shorter text limit, a narrower year range, another type for PRO.ENF.06,
    # and an answer given this round that does not fit a copied number (the number only goes with "yes").
    Question.objects.filter(survey=new, code="GEN.R.02").update(validation={"max_length": 10})
    Question.objects.filter(survey=new, code="PAR.NAT.03").update(
        fields=[
            {"code": "in_force", "kind": "choice", "options": [{"code": "yes"}, {"code": "no"}]},
            {"code": "start_year", "kind": "integer", "validation": {}},
        ]
    )
    Question.objects.filter(survey=new, code="PRO.ENF.06").update(type="decimal")
    save(new, austria, {"PRT.ASS.03": {("", ""): "no"}})
    response = Response.objects.get(survey=new, organisation=austria)

    result = prefill_from_previous(response=response, user=None)

    assert result.skipped == 2  # the long text, and the number that needs "yes"
    assert result.copied == 10
    assert not Answer.objects.filter(response=response, question__code__in=["GEN.R.02", "PRO.ENF.06"]).exists()
    assert cell("PRT.ASS.03").value_text == "no"
    assert not Answer.objects.filter(response=response, question__code="PRT.ASS.03", row="number").exists()
    assert cell("PAR.NAT.03", row="start_year").value_number == Decimal(2013)


def test_prefill_refuses_without_a_previous_round(
    rounds: tuple[Survey, Survey], austria: Organisation, answered_2016: Response
) -> None:
    with pytest.raises(WorkflowError, match="has no previous round"):
        response_prefill_from_previous(response=answered_2016, user=None)


def test_prefill_refuses_when_the_organisation_did_not_answer_before(rounds: tuple[Survey, Survey]) -> None:
    _old, new = rounds
    response = response_get_or_create(survey=new, organisation=Organisation.objects.get(code="DE"))

    # The previous round by its title, never its code.
    with pytest.raises(
        WorkflowError, match=r"Germany has no response in the previous round \(“OSCE survey on .*, 2015/16 round”\)"
    ):
        response_prefill_from_previous(response=response, user=None)
    assert Answer.objects.count() == 0


def test_prefill_refuses_a_submitted_response(
    rounds: tuple[Survey, Survey], austria: Organisation, answered_2016: Response
) -> None:
    response = response_get_or_create(survey=rounds[1], organisation=austria)
    Response.objects.filter(pk=response.pk).update(status=Response.Status.SUBMITTED)
    response.refresh_from_db()

    with pytest.raises(WorkflowError, match="submitted"):
        response_prefill_from_previous(response=response, user=None)


# --- the POST view ---------------------------------------------------------------------------------------------


def member(role: str, org: str = "AT") -> Any:
    user = make_user(f"{role}-{org.lower()}@example.org")
    Membership.objects.create(user=user, organisation=Organisation.objects.get(code=org), role=role)
    return user


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.CONTRIBUTOR])
def test_editors_prefill_and_return_to_the_round_home(
    client: Any, rounds: tuple[Survey, Survey], answered_2016: Response, role: str
) -> None:
    assert reverse("responses:response-prefill", args=["thb-2021", "AT"]) == PREFILL
    client.force_login(member(role))

    response = client.post(PREFILL)

    assert response.status_code == 302
    assert response["Location"] == HOME
    assert Answer.objects.filter(response__survey__slug="thb-2021", needs_review=True).count() == 14
    texts = [str(m) for m in get_messages(response.wsgi_request)]
    assert texts == [
        "14 answers copied from “OSCE survey on implementing anti-trafficking commitments, 2015/16 round”. "
        "They are marked for review: check each one."
    ]


def test_prefill_view_shows_why_it_cannot_copy(client: Any, rounds: tuple[Survey, Survey]) -> None:
    client.force_login(member(Role.COORDINATOR))

    response = client.post(PREFILL)

    assert response["Location"] == HOME
    texts = [str(m) for m in get_messages(response.wsgi_request)]
    assert texts == [
        "Austria has no response in the previous round "
        "(“OSCE survey on implementing anti-trafficking commitments, 2015/16 round”) to copy answers from."
    ]


def test_others_get_404_and_anonymous_visitors_are_sent_to_log_in(
    client: Any, rounds: tuple[Survey, Survey], answered_2016: Response
) -> None:
    anonymous = client.post(PREFILL)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/accounts/login/")
    for user in (
        member(Role.VIEWER),
        member(Role.COORDINATOR, org="DE"),
        make_user("staff@example.org", is_staff=True),
    ):
        force_login_verified(client, user)
        assert client.post(PREFILL).status_code == 404
    client.force_login(member(Role.COORDINATOR))
    assert client.get(PREFILL).status_code == 405
    assert client.post("/rounds/thb-2021/respond/XX/prefill/").status_code == 404
    assert client.post("/rounds/thb-2099/respond/AT/prefill/").status_code == 404
    assert not Answer.objects.filter(response__survey__slug="thb-2021").exists()


@pytest.mark.parametrize("status", [Response.Status.SUBMITTED, Response.Status.RESUBMITTED, Response.Status.ACCEPTED])
def test_a_locked_response_gets_404(
    client: Any, rounds: tuple[Survey, Survey], austria: Organisation, answered_2016: Response, status: str
) -> None:
    response = response_get_or_create(survey=rounds[1], organisation=austria)
    Response.objects.filter(pk=response.pk).update(status=status)
    client.force_login(member(Role.COORDINATOR))

    assert client.post(PREFILL).status_code == 404
    assert not Answer.objects.filter(response=response).exists()


@pytest.mark.parametrize("status", [Survey.Status.DRAFT, Survey.Status.CLOSED])
def test_a_round_that_is_not_open_gets_404(
    client: Any, rounds: tuple[Survey, Survey], answered_2016: Response, status: str
) -> None:
    Survey.objects.filter(slug="thb-2021").update(status=status)
    client.force_login(member(Role.COORDINATOR))

    assert client.post(PREFILL).status_code == 404
    assert not Answer.objects.filter(response__survey__slug="thb-2021").exists()


def test_after_the_deadline_a_respondent_cannot_copy_answers_even_by_posting(
    client: Any, rounds: tuple[Survey, Survey], answered_2016: Response
) -> None:
    """The button is hidden after the deadline; the address refuses too, and the service under the lock as well."""
    Survey.objects.filter(slug="thb-2021").update(closes_on=dt.date(2021, 3, 31))  # long passed; round still open
    user = member(Role.COORDINATOR)
    client.force_login(user)

    response = client.post(PREFILL)

    assert response.status_code in (302, 403, 404)
    assert not Answer.objects.filter(response__survey__slug="thb-2021").exists()
    new = response_get_or_create(survey=rounds[1], organisation=Organisation.objects.get(code="AT"))
    outcome = answers_save(
        response=new,
        question=question(rounds[1], "GEN.R.02"),
        raw={("", ""): "Ministry of the Interior"},
        base_versions=None,
        user=user,
        source=Source.PREFILL,
    )
    assert outcome.error
    assert not Answer.objects.filter(response=new).exists()


# --- the button on the round home ----------------------------------------------------------------------------------


def test_the_copy_button_is_offered_only_when_the_previous_round_has_answers_to_copy(
    client: Any, rounds: tuple[Survey, Survey], austria: Organisation
) -> None:
    client.force_login(member(Role.COORDINATOR))
    # Nothing answered in 2015/16 (not even a response): no button that could only answer "nothing to copy".
    assert f'action="{PREFILL}"' not in client.get(HOME).content.decode()
    response_get_or_create(survey=rounds[0], organisation=austria)  # opened once, never answered
    assert f'action="{PREFILL}"' not in client.get(HOME).content.decode()

    save(rounds[0], austria, {"PRO.LEG.01": {("", ""): "yes"}})  # one answer is something to copy
    page = client.get(HOME).content.decode()
    assert f'action="{PREFILL}"' in page
    form = page[page.index(f'action="{PREFILL}"') :][:600]
    # The previous round by its title, not its code.
    assert "Start from our answers in “OSCE survey on implementing anti-trafficking commitments, 2015/16 round”" in form
    assert "thb-2016" not in form


def test_knowing_whether_there_is_something_to_copy_costs_the_same_however_many_answers(
    client: Any, rounds: tuple[Survey, Survey], austria: Organisation
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(member(Role.COORDINATOR))
    save(rounds[0], austria, {"PRO.LEG.01": {("", ""): "yes"}})
    client.get(HOME)  # warm up: the response is created
    with CaptureQueriesContext(connection) as one:
        client.get(HOME)
    save(rounds[0], austria, {code: raw for code, raw in ANSWERS_2016.items() if code != "PRO.LEG.01"})
    with CaptureQueriesContext(connection) as many:
        client.get(HOME)
    assert len(many) == len(one)
