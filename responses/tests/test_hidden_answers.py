"""An answer to a question hidden by the respondent's own answers (show-if) is kept, flagged, and not counted."""

from __future__ import annotations

import datetime as dt

from django.template.loader import render_to_string

from responses.models import Answer
from responses.selectors import response_progress
from responses.services import SaveOutcome, answers_save, response_get_or_create

from .conftest import question


def test_an_answer_to_a_hidden_question_is_kept_flagged_and_not_counted(round2016, people):
    response = response_get_or_create(survey=round2016, organisation=people.ngo)
    follow_up = question(round2016, "NGO.P.04")
    answers_save(
        response=response,
        question=question(round2016, "NGO.P.01"),
        raw={("", ""): ["research"]},
        base_versions=None,
        user=people.ngo_coordinator,
    )
    cell = next(spec.key for spec in follow_up.cells())

    outcome = answers_save(
        response=response, question=follow_up, raw={cell: "3"}, base_versions=None, user=people.ngo_coordinator
    )

    assert outcome.ok
    assert outcome.hidden
    assert Answer.objects.filter(response=response, question=follow_up).count() == 1  # kept
    progress = response_progress(response)
    assert "NGO.P.04" not in [q.code for _s, q in progress.missing]  # not asked for while hidden

    shown = answers_save(
        response=response,
        question=question(round2016, "NGO.P.01"),
        raw={("", ""): ["shelter"]},
        base_versions=None,
        user=people.ngo_coordinator,
    )
    again = answers_save(
        response=response, question=follow_up, raw={cell: "3"}, base_versions=None, user=people.ngo_coordinator
    )
    assert shown.ok
    assert not shown.hidden
    assert again.ok
    assert not again.hidden
    assert again.changed == []


def test_an_answer_to_a_question_without_a_rule_is_never_hidden(response_at, people):
    outcome = answers_save(
        response=response_at,
        question=question(response_at.survey, "PRV.SUP.01"),
        raw={("", ""): "yes"},
        base_versions=None,
        user=people.coordinator,
    )
    assert outcome.ok
    assert not outcome.hidden


def test_the_autosave_status_tells_the_person_a_hidden_answer_is_kept_but_not_counted() -> None:
    hidden = SaveOutcome(hidden=True)
    shown = SaveOutcome()
    when = dt.datetime(2026, 12, 2, 10, 30, tzinfo=dt.UTC)

    hidden_html = render_to_string("responses/partials/autosave.html", {"outcome": hidden, "saved_at": when})
    shown_html = render_to_string("responses/partials/autosave.html", {"outcome": shown, "saved_at": when})

    assert 'data-save-state="saved-hidden"' in hidden_html
    assert "kept but not counted" in hidden_html
    assert 'data-save-state="saved"' in shown_html
    assert "not counted" not in shown_html
