"""Reading survey definitions in bulk: a page's query count never grows with the number of questions."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from .models import Area, Question, Section, Survey


def survey_list_visible(*, user: object) -> QuerySet[Survey]:
    """Rounds shown on the home page: every open and closed round; drafts only to staff."""
    surveys = Survey.objects.all()
    if not getattr(user, "is_staff", False):
        surveys = surveys.exclude(status=Survey.Status.DRAFT)
    return surveys


def survey_questionnaire(*, slug: str) -> Survey:
    """A round with its areas, sections, questions and options loaded in a fixed number of queries."""
    questions = (
        Question.objects.select_related("option_set").prefetch_related("option_set__options").order_by("position")
    )
    sections = Section.objects.order_by("position").prefetch_related(Prefetch("questions", queryset=questions))
    areas = Area.objects.order_by("position").prefetch_related(Prefetch("sections", queryset=sections))
    survey = Survey.objects.prefetch_related(Prefetch("areas", queryset=areas)).get(slug=slug)
    # Questions need their round (reference years) without a query each.
    for area in survey.areas.all():
        for section in area.sections.all():
            for question in section.questions.all():
                question.survey = survey
    return survey
