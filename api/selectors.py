"""The API's reads: what one person may see, through the one access policy (responses/access.py), in bulk.

Each list is a queryset the cursor pages; what a page's rows need besides (the questions of a page of answers,
with their rounds and options) is read once per page, so a page costs the same few queries however many rows the
round holds.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.db.models import Prefetch, QuerySet

from accounts.models import Organisation
from reports.headlines import sentence
from reports.selectors import report_stored
from responses.access import AccessPolicy
from responses.models import Answer, Response
from surveys.models import Area, Question, Survey
from surveys.show_if import NOT_ASKED, is_shown


def api_rounds(*, policy: AccessPolicy) -> QuerySet[Survey]:
    return (
        policy.rounds()
        .select_related("previous")
        .prefetch_related(Prefetch("areas", Area.objects.order_by("position")))
    )


def api_questions(*, policy: AccessPolicy) -> QuerySet[Question]:
    return (
        Question.objects.filter(survey__in=policy.rounds())
        .select_related("survey", "section__area", "option_set")
        .prefetch_related("option_set__options")
    )


def api_organisations(*, policy: AccessPolicy) -> QuerySet[Organisation]:
    return policy.organisations().select_related("country")


def api_responses(*, policy: AccessPolicy) -> QuerySet[Response]:
    return policy.responses().filter(survey__in=policy.rounds())


def api_answers(*, policy: AccessPolicy) -> QuerySet[Answer]:
    """Every answer cell the person may read; a cleared cell (no value left) is no answer and is left out."""
    return (
        Answer.objects.filter(response__in=api_responses(policy=policy).values("pk"))
        .exclude(
            value_text__isnull=True, value_number__isnull=True, value_date__isnull=True, value_choices__isnull=True
        )
        .select_related("response__survey", "response__organisation")
    )


def questions_by_id(ids: Iterable[int]) -> dict[int, Question]:
    """The questions of a page of answers, each with its round and options (for the cells' words): two queries."""
    found = (
        Question.objects.filter(pk__in=set(ids))
        .select_related("survey", "option_set")
        .prefetch_related("option_set__options")
    )
    return {question.pk: question for question in found}


def hidden_answers(page: Sequence[Answer], questions: Mapping[int, Question]) -> set[int]:
    """The answers of a page that their own organisation's answers hide (show-if, `surveys.show_if.is_shown`): the
    API leaves them out, as the report and the raw data do. None without a rule on the page; else two queries (the
    questions the rules look at, and those cells of the page's responses), however long the page."""
    ruled = [answer for answer in page if questions[answer.question_id].show_if]
    if not ruled:
        return set()
    rules: dict[int, dict[str, Any]] = {
        answer.question_id: questions[answer.question_id].show_if or {} for answer in ruled
    }
    targets = {
        (target.survey_id, target.code): target
        for target in Question.objects.filter(
            survey_id__in={questions[answer.question_id].survey_id for answer in ruled},
            code__in={rule["question"] for rule in rules.values()},
        ).only("pk", "survey_id", "code", "audience")
    }
    stored = {
        (response, question, row): choices or text
        for response, question, row, choices, text in Answer.objects.filter(
            response_id__in={answer.response_id for answer in ruled},
            question_id__in=[target.pk for target in targets.values()],
            column="",
        ).values_list("response_id", "question_id", "row", "value_choices", "value_text")
    }
    hidden = set()
    for answer in ruled:
        survey_id = questions[answer.question_id].survey_id
        kind = answer.response.organisation.respondent_kind

        def lookup(code: str, row: str, answer: Answer = answer, survey_id: int = survey_id, kind: str = kind) -> Any:
            target = targets.get((survey_id, code))
            if target is None or not target.for_kind(kind):
                return NOT_ASKED
            return stored.get((answer.response_id, target.pk, row))

        if not is_shown(rules[answer.question_id], lookup):
            hidden.add(answer.pk)
    return hidden


def api_report(*, survey: Survey, provisional: bool, language: str) -> dict[str, Any] | None:
    """The stored report of the round on one basis, with its headline sentences in `language` (None: not built)."""
    report = report_stored(survey=survey, include_in_progress=provisional)
    if report is None:
        return None
    data = report.data
    questions = {q["code"]: q for q in data.get("questions", [])}
    headlines = [
        {**row, "sentence": sentence(row, questions.get(row["question"], {"code": row["question"]}), language)}
        for row in data.get("headlines", [])
    ]
    return {
        "round": survey.slug,
        "basis": "provisional" if provisional else "final",
        "statuses": data.get("basis", {}).get("statuses", []),
        "built_at": report.built_at,
        "response_rates": data.get("response_rates", {}),
        "headlines": headlines,
        "choice_counts": data.get("choice_counts", []),
        "number_summaries": data.get("number_summaries", []),
        "scores": data.get("scores", []),
        "region_scores": data.get("region_scores", []),
        "area_medians": data.get("area_medians", []),
    }
