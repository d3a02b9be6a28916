"""Building reports: read a round's answers in bulk, aggregate them, swap the stored report in whole."""

from __future__ import annotations

import logging
from typing import Any

import pandas as pd
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from oscethb.jobs import enqueue_on_commit
from surveys.models import Survey

from . import aggregation as agg
from .headlines import sentence
from .jobs import MAX_ATTEMPTS as MAX_ATTEMPTS  # re-exported: the cap callers and tests know it by
from .jobs import Progress, job_execute, job_fail, job_finish
from .models import Report, ReportRun
from .selectors import answers_frame, area_list, counted_statuses, question_list, regions, respondents_frame

logger = logging.getLogger(__name__)


def report_compute(*, survey: Survey, include_in_progress: bool, progress: Progress | None = None) -> dict[str, Any]:
    """The report document of a round (docs/report-data.md). Reads only; writes nothing."""
    step = progress or (lambda _percent, _message: None)
    step(5, gettext_noop("reading questions"))
    questions = question_list(survey)
    step(15, gettext_noop("reading answers"))
    answers = agg.drop_hidden(answers_frame(survey, include_in_progress, questions), questions)
    respondents = respondents_frame(survey, include_in_progress)
    step(45, gettext_noop("counting answers"))
    counts = agg.choice_counts(answers, respondents, questions)
    numbers = agg.number_summaries(answers)
    totals = agg.breakdown_totals(answers, questions)
    step(60, gettext_noop("scoring"))
    state_scores = agg.scores(answers, respondents, questions)
    detail, by_area = agg.state_vs_ngo(answers, questions)
    by_code = {q["code"]: q for q in questions}
    headlines = []
    for row in agg.headline_counts(counts, questions):
        row["sentence"] = sentence(row, by_code[row["question"]], "en")
        headlines.append(row)
    step(75, gettext_noop("comparing with the previous round"))
    changes, state_changes = pd.DataFrame(), pd.DataFrame()
    previous = survey.previous
    if previous is not None:
        previous_questions = question_list(previous)
        previous_answers = agg.drop_hidden(answers_frame(previous, False, previous_questions), previous_questions)
        previous_counts = agg.choice_counts(previous_answers, respondents_frame(previous, False), previous_questions)
        earlier = {p["code"] for p in previous_questions if not p.get("about_respondent")}
        shared = [q["code"] for q in questions if q["code"] in earlier and not q.get("about_respondent")]
        changes, state_changes = agg.changes_since(answers, previous_answers, counts, previous_counts, shared)
    key_figures = agg.key_figures(
        answers, survey.key_figures or [], {q["code"]: q["cell_years"] for q in questions}, list(survey.years)
    )
    for q in questions:
        q.pop("cells", None)
        q.pop("cell_years", None)
    return {
        "survey": {
            "slug": survey.slug,
            "title": survey.title,
            "reference_years": list(survey.years),
            "previous": previous.slug if previous else None,
        },
        "basis": {"statuses": counted_statuses(include_in_progress), "provisional": include_in_progress},
        "areas": area_list(survey, questions),
        "documents": survey.documents or {},
        "commitments": [
            {
                "code": c["code"],
                "title": c.get("title", {}),
                "document": c.get("document", ""),
                "paragraph": c.get("paragraph", ""),
                "area": c.get("area", ""),
            }
            for c in survey.commitments or []
        ],
        "questions": questions,
        "response_rates": agg.response_rates(respondents),
        "choice_counts": agg.records(counts),
        "number_summaries": agg.records(numbers),
        "breakdown_totals": agg.records(totals),
        "headlines": headlines,
        "scores": agg.records(state_scores),
        "region_scores": agg.records(agg.region_scores(state_scores, regions())),
        "area_medians": agg.records(agg.area_medians(state_scores)),
        "state_vs_ngo": agg.records(detail),
        "largest_disagreements": agg.records(agg.largest_disagreements(detail)),
        "agreement_by_area": agg.records(by_area),
        "changes": agg.records(changes),
        "state_changes": agg.records(state_changes),
        "key_figures": key_figures,
    }


def report_run_request(
    *, survey: Survey, user: Any = None, include_in_progress: bool = False, trigger: str = "manual"
) -> ReportRun:
    """Record a build and queue it once the surrounding transaction commits (a worker must find the row)."""
    run = ReportRun.objects.create(
        survey=survey, include_in_progress=include_in_progress, requested_by=user, trigger=trigger
    )
    enqueue_on_commit("reports.build_report", run.pk)
    return run


def report_run_execute(*, run_id: int, last_try: bool = True) -> str:
    """Run one build through the job lifecycle (reports/jobs.py). Returns the run's final status. The previous report
    stays in place unless this one succeeds."""
    return job_execute(ReportRun, run_id, _build, noun="build", last_try=last_try)


def _build(run: ReportRun, progress: Progress) -> None:
    data = report_compute(survey=run.survey, include_in_progress=run.include_in_progress, progress=progress)
    now = timezone.now()
    data["built_at"] = timezone.localtime(now).isoformat(timespec="seconds")  # docs/report-data.md: part of the data
    with transaction.atomic():  # the report and the run's "done" together, or neither
        Report.objects.update_or_create(
            survey=run.survey,
            include_in_progress=run.include_in_progress,
            defaults={"data": data, "built_at": now, "run": run},
        )
        job_finish(ReportRun, run.pk)


def report_run_fail(*, run_id: int, error: str) -> None:
    job_fail(ReportRun, run_id, error)
