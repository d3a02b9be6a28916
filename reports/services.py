"""Building reports: read a round's answers in bulk, aggregate them, swap the stored report in whole."""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable
from typing import Any

import pandas as pd
from django.conf import settings
from django.db import DatabaseError, transaction
from django.db.models import F
from django.utils import timezone

from surveys.models import Survey

from . import aggregation as agg
from .headlines import sentence
from .models import JobStatus, Report, ReportRun
from .selectors import answers_frame, area_list, counted_statuses, question_list, regions, respondents_frame

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 3  # a build whose worker died this many times is marked failed instead of redelivered again

Progress = Callable[[int, str], None]


def report_compute(*, survey: Survey, include_in_progress: bool, progress: Progress | None = None) -> dict[str, Any]:
    """The report document of a round (docs/report-data.md). Reads only; writes nothing."""
    step = progress or (lambda _percent, _message: None)
    step(5, "reading questions")
    questions = question_list(survey)
    step(15, "reading answers")
    answers = agg.drop_hidden(answers_frame(survey, include_in_progress, questions), questions)
    respondents = respondents_frame(survey, include_in_progress)
    step(45, "counting answers")
    counts = agg.choice_counts(answers, respondents, questions)
    numbers = agg.number_summaries(answers)
    step(60, "scoring")
    state_scores = agg.scores(answers, respondents, questions)
    detail, by_area = agg.state_vs_ngo(answers, questions)
    by_code = {q["code"]: q for q in questions}
    headlines = []
    for row in agg.headline_counts(counts, questions):
        row["sentence"] = sentence(row, by_code[row["question"]], "en")
        headlines.append(row)
    step(75, "comparing with the previous round")
    changes, state_changes = pd.DataFrame(), pd.DataFrame()
    previous = survey.previous
    if previous is not None:
        previous_questions = question_list(previous)
        previous_answers = agg.drop_hidden(answers_frame(previous, False, previous_questions), previous_questions)
        previous_counts = agg.choice_counts(previous_answers, respondents_frame(previous, False), previous_questions)
        shared = [q["code"] for q in questions if q["code"] in {p["code"] for p in previous_questions}]
        changes, state_changes = agg.changes_since(answers, previous_answers, counts, previous_counts, shared)
    for q in questions:
        q.pop("cells", None)
    return {
        "survey": {
            "slug": survey.slug,
            "title": survey.title,
            "reference_years": list(survey.years),
            "previous": previous.slug if previous else None,
        },
        "basis": {"statuses": counted_statuses(include_in_progress), "provisional": include_in_progress},
        "areas": area_list(survey, questions),
        "questions": questions,
        "response_rates": agg.response_rates(respondents),
        "choice_counts": agg.records(counts),
        "number_summaries": agg.records(numbers),
        "headlines": headlines,
        "scores": agg.records(state_scores),
        "region_scores": agg.records(agg.region_scores(state_scores, regions())),
        "area_medians": agg.records(agg.area_medians(state_scores)),
        "state_vs_ngo": agg.records(detail),
        "largest_disagreements": agg.records(agg.largest_disagreements(detail)),
        "agreement_by_area": agg.records(by_area),
        "changes": agg.records(changes),
        "state_changes": agg.records(state_changes),
    }


def report_run_request(
    *, survey: Survey, user: Any = None, include_in_progress: bool = False, trigger: str = "manual"
) -> ReportRun:
    """Record a build and queue it once the surrounding transaction commits (a worker must find the row)."""
    from .tasks import build_report

    run = ReportRun.objects.create(
        survey=survey, include_in_progress=include_in_progress, requested_by=user, trigger=trigger
    )
    transaction.on_commit(lambda: build_report.delay(run.pk))
    return run


def _set(run_id: int, **fields: Any) -> None:
    ReportRun.objects.filter(pk=run_id).update(updated_at=timezone.now(), **fields)


def report_run_execute(*, run_id: int) -> str:
    """Run one build. Returns the run's final status. The previous report stays in place unless this one succeeds.

    Claiming is a conditional update, so a redelivered message (the worker died) resumes the same run, and a run
    that is already done is not built twice. After MAX_ATTEMPTS claims the run is marked failed.
    """
    claimed = ReportRun.objects.filter(pk=run_id, status__in=[JobStatus.QUEUED, JobStatus.RUNNING]).update(
        status=JobStatus.RUNNING, attempts=F("attempts") + 1, started_at=timezone.now(), progress=1, message="starting"
    )
    if not claimed:
        return "skipped"
    run = ReportRun.objects.select_related("survey").get(pk=run_id)
    if run.attempts > MAX_ATTEMPTS:
        last = f" Last error: {run.error}" if run.error else ""
        report_run_fail(
            run_id=run_id,
            error=f"Stopped after {MAX_ATTEMPTS} attempts: the build kept failing or its worker kept dying.{last}",
        )
        return JobStatus.FAILED

    if settings.REPORT_BUILD_PAUSE_SECONDS:  # fault tests kill the worker here, mid-build
        _set(run_id, message="paused for a fault test")
        time.sleep(settings.REPORT_BUILD_PAUSE_SECONDS)

    def progress(percent: int, message: str) -> None:
        _set(run_id, progress=percent, message=message[:200])
        if settings.REPORT_BUILD_STEP_SECONDS:  # worker tests watch the steps of a small build go by
            time.sleep(settings.REPORT_BUILD_STEP_SECONDS)

    try:
        data = report_compute(survey=run.survey, include_in_progress=run.include_in_progress, progress=progress)
    except Exception as exc:
        # Kept on the run, so that a run stopped by the attempt cap after retries still says what went wrong.
        with contextlib.suppress(DatabaseError):
            _set(run_id, error=f"{type(exc).__name__}: {exc}"[:5000])
        raise
    now = timezone.now()
    data["built_at"] = timezone.localtime(now).isoformat(timespec="seconds")  # docs/report-data.md: part of the data
    with transaction.atomic():
        Report.objects.update_or_create(
            survey=run.survey,
            include_in_progress=run.include_in_progress,
            defaults={"data": data, "built_at": now, "run": run},
        )
        _set(run_id, status=JobStatus.DONE, progress=100, message="done", finished_at=now, error="")
    return JobStatus.DONE


def report_run_fail(*, run_id: int, error: str) -> None:
    _set(run_id, status=JobStatus.FAILED, finished_at=timezone.now(), error=error[:5000], message="failed")


def report_latest(*, survey: Survey, include_in_progress: bool = False) -> Report | None:
    return Report.objects.filter(survey=survey, include_in_progress=include_in_progress).first()
