"""Reading survey definitions in bulk: a page's query count never grows with the number of questions."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Prefetch, QuerySet, prefetch_related_objects
from django.http import Http404

from oscethb.access import is_office_staff
from oscethb.prepared import PreparedQuery

from .models import Area, Question, Section, Survey

# Every answering page, autosave and dashboard reads its round by slug: compiled once per process (oscethb/prepared.py).
SURVEY_BY_SLUG = PreparedQuery(lambda slug: Survey.objects.filter(slug=slug).order_by("pk")[:1], slug=str)
# The round's texts: about 15 kB of JSON in a round of the Action Plan, decoded on every read of the round. A request
# that shows none of them (an autosave, a save's lock) reads the round without them; read later, each costs a query.
SURVEY_TEXTS = ("title", "description", "documents", "commitments", "key_figures")
SURVEY_BY_SLUG_WITHOUT_TEXTS = PreparedQuery(
    lambda slug: Survey.objects.filter(slug=slug).defer(*SURVEY_TEXTS).order_by("pk")[:1], slug=str
)


def survey_or_404(slug: str) -> Survey:
    """The round with this slug (`get_object_or_404(Survey, slug=slug)`, its read prepared)."""
    survey = SURVEY_BY_SLUG.first(slug=slug)
    if survey is None:
        raise Http404("No such round")
    return survey


def survey_list_visible(*, user: object) -> QuerySet[Survey]:
    """Rounds shown on the home page: every open and closed round; drafts only to staff."""
    surveys = Survey.objects.all()
    if not is_office_staff(user):
        surveys = surveys.exclude(status=Survey.Status.DRAFT)
    return surveys


def survey_questionnaire(*, slug: str) -> Survey:
    """A round with its areas, sections, questions and options loaded in a fixed number of queries."""
    survey = Survey.objects.get(slug=slug)
    questions = (
        Question.objects.of_round(survey)
        .select_related("option_set")
        .prefetch_related("option_set__options")
        .order_by("position")
    )
    sections = Section.objects.order_by("position").prefetch_related(Prefetch("questions", queryset=questions))
    areas = Area.objects.order_by("position").prefetch_related(Prefetch("sections", queryset=sections))
    prefetch_related_objects([survey], Prefetch("areas", queryset=areas))
    return survey


def questions_with_words(
    *, survey: Survey, ids: Iterable[int] | None = None, codes: Iterable[str] | None = None
) -> dict[int | str, Question]:
    """Questions of a round with their options, keyed by id and by code, in two queries whatever their number.

    What a page needs to put every stored value into words (`question.words`) without a query per row."""
    questions = Question.objects.of_round(survey).select_related("option_set").prefetch_related("option_set__options")
    if ids is not None:
        questions = questions.filter(pk__in=set(ids))
    if codes is not None:
        questions = questions.filter(code__in=set(codes))
    found: dict[int | str, Question] = {}
    for question in questions:
        found[question.pk] = found[question.code] = question
    return found
