"""seed_demo (what `make run` serves): it fills every layer, answers only what the round shows, and running it again
changes nothing."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from accounts.models import Membership
from responses.models import Answer, AnswerChange, Response
from surveys.models import Question, Survey
from surveys.show_if import NOT_ASKED, is_shown


def _counts() -> dict[str, int]:
    return {
        "responses": Response.objects.count(),
        "answers": Answer.objects.count(),
        "changes": AnswerChange.objects.count(),
        "memberships": Membership.objects.count(),
    }


@pytest.mark.django_db
def test_seed_demo_fills_the_rounds_with_answers_and_history_and_is_idempotent() -> None:
    call_command(
        "load_survey", "surveys/definitions/thb-2016.yaml", "surveys/definitions/thb-2021.yaml", stdout=io.StringIO()
    )
    call_command("seed_demo", stdout=io.StringIO())
    first = _counts()
    assert first["responses"] > 50
    assert first["memberships"] > 0
    # Every answer the demo writes has its history, as an answer typed on the page would.
    assert first["changes"] >= first["answers"] > 1000
    assert Survey.objects.get(slug="thb-2021").status == Survey.Status.OPEN

    # The history of each response says what the response says (the staff walk read "submitted 22 February 2021"
    # above a history whose submission was dated today).
    for response in Response.objects.exclude(submitted_at=None).prefetch_related("events"):
        submitted = [e.at for e in response.events.all() if e.to_status == Response.Status.SUBMITTED]
        assert submitted == [response.submitted_at], response
        if response.accepted_at:
            assert [e.at for e in response.events.all() if e.to_status == "accepted"] == [response.accepted_at]

    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert _counts() == first
    # The log-in list names organisations as the site does, not by their codes.
    assert "Coordinator of Austria" in out.getvalue()
    assert " of AT " not in out.getvalue()


@pytest.mark.django_db
def test_seed_demo_answers_no_question_its_own_answers_hide() -> None:
    call_command("load_survey", "surveys/definitions/thb-2016.yaml", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())
    answers = list(
        Answer.objects.filter(response__survey__slug="thb-2016").select_related("question", "response__organisation")
    )
    questions = {q.code: q for q in Question.objects.filter(survey__slug="thb-2016")}
    kinds = {a.response_id: a.response.organisation.respondent_kind for a in answers}
    by_cell = {(a.response_id, a.question.code, a.row, a.column): a for a in answers}

    def lookup_for(response_id: int):
        def lookup(code: str, row: str) -> object:
            if not questions[code].for_kind(kinds[response_id]):
                return NOT_ASKED
            answer = by_cell.get((response_id, code, row, ""))
            if answer is None:
                return None
            return answer.value_choices if answer.value_choices is not None else answer.value_text

        return lookup

    with_rules = [a for a in answers if a.question.show_if]
    assert with_rules, "the demo should answer some questions that have a show-if rule"
    assert all(is_shown(a.question.show_if, lookup_for(a.response_id)) for a in with_rules)


@pytest.mark.django_db
def test_seed_demo_says_which_rounds_are_not_loaded_and_how_to_load_them() -> None:
    call_command("load_survey", "surveys/definitions/thb-2016.yaml", stdout=io.StringIO())  # thb-2021 not loaded
    out, err = io.StringIO(), io.StringIO()
    call_command("seed_demo", stdout=out, stderr=err)
    assert "Round thb-2021 is not loaded" in err.getvalue()
    assert "load_survey surveys/definitions/thb-2021.yaml" in err.getvalue()
    assert "thb-2016" not in err.getvalue()
