"""Saving answers: typed storage, versions, conflicts, and an append-only history that replays to the answers."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Prefetch

from responses import values
from responses.models import Answer, AnswerChange, Response, Source
from responses.selectors import answers_of, is_visible, response_progress, survey_structure
from responses.services import answers_save, response_get_or_create
from surveys.models import Question

from .conftest import question


def test_first_answer_is_stored_typed_with_version_one_and_recorded_in_history(response_at, people):
    q = question(response_at.survey, "PRV.SUP.01")
    outcome = answers_save(
        response=response_at, question=q, raw={("", ""): "yes"}, base_versions={("", ""): 0}, user=people.coordinator
    )
    assert outcome.ok
    assert outcome.changed == [("", "")]
    answer = Answer.objects.get(response=response_at, question=q)
    assert (answer.value_text, answer.version, answer.updated_by) == ("yes", 1, people.coordinator)
    change = AnswerChange.objects.get(response=response_at, question=q)
    assert (change.old_value, change.new_value, change.changed_by, change.source) == (
        "",
        "yes",
        people.coordinator,
        Source.WEB,
    )
    response_at.refresh_from_db()
    assert response_at.status == Response.Status.IN_PROGRESS


def test_each_answer_type_is_stored_in_its_typed_column(response_at, people):
    survey = response_at.survey
    saves = {
        "PRO.LEG.02": {("", ""): ["forced_begging", "sexual_exploitation"]},
        "PRO.LEG.04": {("sexual_exploitation", ""): "yes", ("labour_exploitation", ""): "in_process"},
        "PRO.DATA.01": {("", "2012"): "1 234", ("", "2013"): "7"},
        "GEN.R.03": {("start", ""): "2012", ("end", ""): "2014"},
        "PAR.NAT.07": {("", ""): "2013-05-31"},
        "PAR.NAT.08": {("", ""): "12,5"},
        "PRT.ASS.03": {("", ""): "yes", ("number", ""): "90"},
        "PRT.DATA.01": {("2012.female.adult.sexual_exploitation", "national"): "3"},
    }
    for code, raw in saves.items():
        outcome = answers_save(
            response=response_at, question=question(survey, code), raw=raw, base_versions=None, user=people.coordinator
        )
        assert outcome.ok, (code, outcome.error)
    stored = {
        (a.question.code, a.row, a.column): a
        for a in Answer.objects.filter(response=response_at).select_related("question")
    }
    assert stored[("PRO.LEG.02", "", "")].value_choices == ["sexual_exploitation", "forced_begging"]  # definition order
    assert stored[("PRO.LEG.04", "labour_exploitation", "")].value_text == "in_process"
    assert stored[("PRO.DATA.01", "", "2012")].value_number == Decimal(1234)
    assert stored[("GEN.R.03", "end", "")].value_number == 2014
    assert stored[("PAR.NAT.07", "", "")].value_date == dt.date(2013, 5, 31)
    assert stored[("PAR.NAT.08", "", "")].value_number == Decimal("12.5")
    assert stored[("PRT.ASS.03", "number", "")].value_number == 90
    assert stored[("PRT.DATA.01", "2012.female.adult.sexual_exploitation", "national")].value_number == 3


def test_a_stale_page_gets_a_conflict_naming_who_saved_what_and_nothing_is_overwritten(response_at, people):
    q = question(response_at.survey, "PRV.SUP.01")
    answers_save(
        response=response_at, question=q, raw={("", ""): "yes"}, base_versions={("", ""): 0}, user=people.coordinator
    )
    # The contributor's page was loaded before that save (version 0).
    outcome = answers_save(
        response=response_at, question=q, raw={("", ""): "no"}, base_versions={("", ""): 0}, user=people.contributor
    )
    assert not outcome.ok
    [conflict] = outcome.conflicts
    assert (conflict.their_value, conflict.your_value, conflict.version) == ("yes", "no", 1)
    assert conflict.changed_by == people.coordinator.email
    assert Answer.objects.get(response=response_at, question=q).value_text == "yes"
    assert AnswerChange.objects.filter(response=response_at, question=q).count() == 1
    # Having seen the conflict, the contributor keeps their answer: now based on version 1.
    outcome = answers_save(
        response=response_at, question=q, raw={("", ""): "no"}, base_versions={("", ""): 1}, user=people.contributor
    )
    assert outcome.ok
    answer = Answer.objects.get(response=response_at, question=q)
    assert (answer.value_text, answer.version, answer.updated_by) == ("no", 2, people.contributor)


def test_two_people_editing_different_questions_are_both_saved(response_at, people):
    survey = response_at.survey
    first = answers_save(
        response=response_at,
        question=question(survey, "PRV.SUP.01"),
        raw={("", ""): "yes"},
        base_versions={("", ""): 0},
        user=people.coordinator,
    )
    second = answers_save(
        response=response_at,
        question=question(survey, "PRV.SUP.02"),
        raw={("", ""): "no"},
        base_versions={("", ""): 0},
        user=people.contributor,
    )
    assert first.ok
    assert second.ok
    assert dict(Answer.objects.filter(response=response_at).values_list("question__code", "value_text")) == {
        "PRV.SUP.01": "yes",
        "PRV.SUP.02": "no",
    }


def test_saving_the_same_value_again_changes_nothing(response_at, people):
    q = question(response_at.survey, "PRO.DATA.01")
    answers_save(
        response=response_at, question=q, raw={("", "2012"): "12"}, base_versions=None, user=people.coordinator
    )
    outcome = answers_save(
        response=response_at,
        question=q,
        raw={("", "2012"): " 12 "},
        base_versions={("", "2012"): 1},
        user=people.contributor,
    )
    assert outcome.ok
    assert outcome.changed == []
    assert AnswerChange.objects.filter(response=response_at).count() == 1
    assert Answer.objects.get(response=response_at, question=q).version == 1


@pytest.mark.parametrize(
    ("code", "raw", "message"),
    [
        ("PRV.SUP.01", {("", ""): "maybe"}, "is not one of the options"),
        ("PRO.DATA.01", {("", "2012"): "twelve"}, "whole number"),
        ("PRO.DATA.01", {("", "2012"): "-4"}, "0 or more"),
        ("PRO.LEG.02", {("", ""): ["none_such"]}, "is not one of the options"),
        ("GEN.R.02", {("", ""): "A\x00B"}, "invisible control character"),
        ("PRO.DATA.01", {("", "1999"): "3"}, "Unknown part of the question"),
    ],
)
def test_invalid_values_are_refused_with_a_plain_message_and_nothing_is_stored(response_at, people, code, raw, message):
    outcome = answers_save(
        response=response_at,
        question=question(response_at.survey, code),
        raw=raw,
        base_versions=None,
        user=people.coordinator,
    )
    # A cell's own value is reported on that cell; a cell the question does not have refuses the whole post.
    assert not outcome.ok
    assert message in outcome.error + " ".join(outcome.cell_errors.values())
    assert not Answer.objects.filter(response=response_at).exists()
    assert not AnswerChange.objects.exists()


def test_a_year_range_is_checked_against_the_stored_other_end(response_at, people):
    q = question(response_at.survey, "GEN.R.03")
    assert answers_save(
        response=response_at, question=q, raw={("end", ""): "2013"}, base_versions=None, user=people.coordinator
    ).ok
    outcome = answers_save(
        response=response_at, question=q, raw={("start", ""): "2014"}, base_versions=None, user=people.coordinator
    )
    assert "after the last year" in outcome.error
    assert not Answer.objects.filter(response=response_at, question=q, row="start").exists()


def test_a_state_cannot_answer_an_ngo_only_question(response_at, people):
    outcome = answers_save(
        response=response_at,
        question=question(response_at.survey, "NGO.P.03"),
        raw={("", ""): "yes"},
        base_versions=None,
        user=people.coordinator,
    )
    assert outcome.error
    assert not Answer.objects.exists()


def test_replaying_the_history_gives_the_current_answers(response_at, people):
    survey = response_at.survey
    steps = [
        ("PRV.SUP.01", {("", ""): "yes"}),
        ("PRV.SUP.01", {("", ""): "in_process"}),
        ("PRO.LEG.02", {("", ""): "sexual_exploitation;forced_begging"}),
        ("PRO.LEG.02", {("", ""): []}),
        ("PRO.DATA.01", {("", "2012"): "5", ("", "2013"): "6"}),
        ("PRO.DATA.01", {("", "2013"): ""}),
        ("PAR.NAT.08", {("", ""): "3.25"}),
        ("PRO.LEG.04", {("sexual_exploitation", ""): "no"}),
        ("PRO.LEG.04", {("sexual_exploitation", ""): "yes", ("labour_exploitation", ""): "no"}),
    ]
    users = [people.coordinator, people.contributor]
    for index, (code, raw) in enumerate(steps):
        outcome = answers_save(
            response=response_at,
            question=question(survey, code),
            raw=raw,
            base_versions=None,
            user=users[index % 2],
            source=Source.WEB,
        )
        assert outcome.ok, outcome.error
    replayed: dict[tuple[str, str, str], str] = {}
    for change in AnswerChange.objects.filter(response=response_at).select_related("question").order_by("id"):
        key = (change.question.code, change.row, change.column)
        assert replayed.get(key, "") == change.old_value  # each change starts from the previous one: nothing skipped
        replayed[key] = change.new_value
    current = {}
    with_round = Prefetch("question", queryset=Question.objects.of_round(survey))
    for answer in Answer.objects.filter(response=response_at).prefetch_related(with_round):
        kind = {s.key: s.kind for s in answer.question.cells()}[(answer.row, answer.column)]
        current[(answer.question.code, answer.row, answer.column)] = values.as_text(answer, kind)
    assert {k: v for k, v in replayed.items() if v} == {k: v for k, v in current.items() if v}
    assert replayed[("PRV.SUP.01", "", "")] == "in_process"
    assert replayed[("PRO.DATA.01", "", "2013")] == ""


def test_show_if_hides_a_question_and_hidden_questions_are_not_required(round2016, people):
    ngo_response = response_get_or_create(survey=round2016, organisation=people.ngo)
    areas = survey_structure(round2016, "ngo")
    by_code = {q.code: q for a in areas for s in a.sections.all() for q in s.questions.all()}
    follow_up = by_code["NGO.P.04"]
    assert follow_up.required
    before = response_progress(ngo_response)
    assert not is_visible(follow_up, by_code, answers_of(ngo_response))
    assert "NGO.P.04" not in [q.code for _s, q in before.missing]
    answers_save(
        response=ngo_response,
        question=question(round2016, "NGO.P.01"),
        raw={("", ""): ["shelter"]},
        base_versions=None,
        user=people.ngo_coordinator,
    )
    after = response_progress(ngo_response)
    assert is_visible(follow_up, by_code, answers_of(ngo_response))
    assert "NGO.P.04" in [q.code for _s, q in after.missing]
    assert after.required == before.required + 1


def test_concurrent_saves_of_the_same_cell_never_lose_a_confirmed_edit(transactional_db, round2016, people):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite in memory cannot share one database between threads")
    response = response_get_or_create(survey=round2016, organisation=people.austria)
    q = question(round2016, "PRV.SUP.01")
    outcomes = {}
    barrier = threading.Barrier(2, timeout=30)

    def save(user, value):
        barrier.wait()
        outcomes[value] = answers_save(
            response=response, question=q, raw={("", ""): value}, base_versions={("", ""): 0}, user=user
        )
        connection.close()

    threads = [
        threading.Thread(target=save, args=(people.coordinator, "yes"), daemon=True),
        threading.Thread(target=save, args=(people.contributor, "no"), daemon=True),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    winners = [value for value, outcome in outcomes.items() if outcome.ok]
    losers = [value for value, outcome in outcomes.items() if outcome.conflicts]
    assert len(winners) == 1
    assert len(losers) == 1
    assert Answer.objects.get(response=response, question=q).value_text == winners[0]
    assert AnswerChange.objects.filter(response=response).count() == 1


def test_a_save_decides_by_the_response_and_round_as_they_are_under_the_lock_not_as_the_page_read_them(
    response_at, people
):
    """The request read the response and its round before another request sent it and moved its closing date: the
    save under the lock sees both as they are now, refuses, and writes nothing; the caller's response then shows the
    status the response has."""
    from surveys.models import Survey

    item = question(response_at.survey, "PRV.SUP.01")
    page = Response.objects.select_related("survey", "organisation").get(pk=response_at.pk)  # what the page read
    Response.objects.filter(pk=response_at.pk).update(status=Response.Status.SUBMITTED)
    outcome = answers_save(
        response=page, question=item, raw={("", ""): "yes"}, base_versions=None, user=people.coordinator
    )
    assert outcome.error == "This response has been submitted: the answer was not saved."
    assert page.status == Response.Status.SUBMITTED
    assert not Answer.objects.filter(response=response_at, question=item).exists()

    Response.objects.filter(pk=response_at.pk).update(status=Response.Status.IN_PROGRESS)
    page = Response.objects.select_related("survey", "organisation").get(pk=response_at.pk)
    Survey.objects.filter(pk=page.survey_id).update(closes_on=dt.date(2020, 1, 31))  # closed meanwhile
    outcome = answers_save(
        response=page, question=item, raw={("", ""): "yes"}, base_versions=None, user=people.coordinator
    )
    assert "The deadline passed" in outcome.error
    assert not Answer.objects.filter(response=response_at, question=item).exists()
