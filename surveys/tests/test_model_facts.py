"""The named facts of the surveys models: which kinds of organisation a round asks (`Survey.asks`, and its bulk form
`Survey.objects.asking`), and a round's questions loaded with their round attached (`Question.objects.of_round`)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models import Prefetch
from django.test.utils import CaptureQueriesContext

from surveys.models import Question, Section, Survey

from .factories import QuestionFactory, SectionFactory, SurveyFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("for_states", "for_ngos", "asked"),
    [
        (True, True, {"state", "partner", "ngo"}),
        (True, False, {"state", "partner"}),
        (False, True, {"ngo"}),
    ],
)
def test_a_round_asks_the_kinds_it_is_for_and_partners_answer_as_states(
    for_states: bool, for_ngos: bool, asked: set[str]
) -> None:
    survey = SurveyFactory(for_states=for_states, for_ngos=for_ngos)
    assert {kind for kind in ("state", "partner", "ngo") if survey.asks(kind)} == asked
    assert survey.respondent_kinds == [kind for kind in ("state", "ngo") if kind in asked]


def test_an_unknown_kind_of_organisation_is_an_error_not_a_guess() -> None:
    with pytest.raises(KeyError):
        SurveyFactory().asks("ministry")


def test_the_bulk_form_finds_the_same_rounds_as_asking_each() -> None:
    both = SurveyFactory()
    states_only = SurveyFactory(for_ngos=False)
    ngos_only = SurveyFactory(for_states=False)
    for kind in ("state", "partner", "ngo"):
        expected = {s.pk for s in (both, states_only, ngos_only) if s.asks(kind)}
        assert set(Survey.objects.asking(kind).values_list("pk", flat=True)) == expected


def test_questions_of_a_round_come_with_that_very_round_and_no_query_to_read_it() -> None:
    question = QuestionFactory()
    QuestionFactory()  # of another round: left out
    survey = Survey.objects.get(pk=question.survey_id)
    with CaptureQueriesContext(connection) as queries:
        found = list(Question.objects.of_round(survey).order_by("position"))
        assert [q.pk for q in found] == [question.pk]
        assert found[0].survey is survey
        assert found[0].shape.years == survey.years
    assert len(queries) == 1


def test_the_round_stays_attached_through_filters_get_and_slices() -> None:
    question = QuestionFactory()
    survey = Survey.objects.get(pk=question.survey_id)
    of_round = Question.objects.of_round(survey)
    assert of_round.filter(code=question.code).get().survey is survey
    assert of_round.exclude(code="nothing").first().survey is survey
    assert of_round.order_by("code")[:1][0].survey is survey


def test_questions_prefetched_through_sections_come_with_the_round_too() -> None:
    section = SectionFactory()
    QuestionFactory.create_batch(3, section=section)
    survey = Survey.objects.get(pk=section.survey_id)
    questions = Prefetch("questions", queryset=Question.objects.of_round(survey))
    sections = list(Section.objects.filter(survey=survey).prefetch_related(questions))
    with CaptureQueriesContext(connection) as queries:
        attached = [q.survey for s in sections for q in s.questions.all()]
    assert len(attached) == 3
    assert all(s is survey for s in attached)
    assert len(queries) == 0
