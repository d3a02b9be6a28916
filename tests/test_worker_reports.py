"""Report builds on a real Celery worker and the real Redis broker, including a worker killed mid-build."""

from __future__ import annotations

import io
import signal
import time

import pytest
from django.core.management import call_command

from accounts.models import Organisation
from reports.models import JobStatus, Report, ReportRun
from reports.services import report_run_request
from responses.models import Response, Source
from responses.services import answers_save, response_get_or_create
from surveys.models import Question, Survey


def _round_with_answers() -> Survey:
    call_command("load_survey", "surveys/definitions/thb-2016.yaml", stdout=io.StringIO())
    survey = Survey.objects.get(slug="thb-2016")
    question = Question.objects.of_round(survey).get(code="PRV.SUP.01")
    for code, value in (("AT", "yes"), ("DE", "yes"), ("FR", "no")):
        response = response_get_or_create(survey=survey, organisation=Organisation.objects.get(code=code))
        assert answers_save(
            response=response, question=question, raw={("", ""): value}, base_versions=None, user=None
        ).ok
    Response.objects.filter(survey=survey).update(status=Response.Status.SUBMITTED)
    return survey


def _wait(run: ReportRun, statuses: set[str], seconds: float) -> ReportRun:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        run.refresh_from_db()
        if run.status in statuses:
            return run
        time.sleep(0.2)
    pytest.fail(f"report run stayed {run.status} ({run.message}) for {seconds} s")


def _yes_count(report: Report) -> int:
    return next(
        row["count"]
        for row in report.data["choice_counts"]
        if row["question"] == "PRV.SUP.01" and row["kind"] == "state" and row["option"] == "yes"
    )


@pytest.mark.worker
def test_a_real_worker_builds_a_report(celery_workers) -> None:
    survey = _round_with_answers()
    celery_workers.start()
    run = report_run_request(survey=survey)
    run = _wait(run, {JobStatus.DONE, JobStatus.FAILED}, 60)
    assert run.status == JobStatus.DONE, run.error
    assert run.progress == 100
    assert _yes_count(Report.objects.get(survey=survey)) == 2


@pytest.mark.worker
def test_killing_the_worker_mid_build_keeps_the_previous_report_and_the_build_completes_on_another_worker(
    celery_workers,
) -> None:
    survey = _round_with_answers()
    fast = {"CELERY_VISIBILITY_TIMEOUT": "4", "CELERY_RESTORE_INTERVAL": "1", "CELERY_RESTORE_THROTTLE": "1"}
    first = celery_workers.start(**fast)
    previous_run = _wait(report_run_request(survey=survey), {JobStatus.DONE, JobStatus.FAILED}, 60)
    assert previous_run.status == JobStatus.DONE
    previous = Report.objects.get(survey=survey)
    first.send_signal(signal.SIGTERM)
    first.wait(timeout=30)

    # A new answer, then a build on a worker that pauses mid-build, where it is killed.
    fr = Response.objects.get(survey=survey, organisation__code="FR")
    question = Question.objects.of_round(survey).get(code="PRV.SUP.01")
    # The Office corrects a submitted response from a paper return (an import may change a submitted response).
    assert answers_save(
        response=fr, question=question, raw={("", ""): "yes"}, base_versions=None, user=None, source=Source.IMPORT
    ).ok
    doomed = celery_workers.start(REPORT_BUILD_PAUSE_SECONDS="30", **fast)
    run = report_run_request(survey=survey)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        run.refresh_from_db()
        if run.status == JobStatus.RUNNING and run.message == "paused for a fault test":
            break
        time.sleep(0.2)
    else:
        pytest.fail(f"the build never started: {run.status} {run.message}")
    doomed.send_signal(signal.SIGKILL)
    doomed.wait(timeout=10)

    # The previous report is still there, whole.
    report = Report.objects.get(survey=survey)
    assert report.run_id == previous_run.pk
    assert report.data == previous.data
    assert _yes_count(report) == 2

    # Another worker picks the message up again once its visibility timeout has passed, and completes the build.
    celery_workers.start(**fast)
    run = _wait(run, {JobStatus.DONE, JobStatus.FAILED}, 90)
    assert run.status == JobStatus.DONE, run.error
    assert run.attempts == 2
    report = Report.objects.get(survey=survey)
    assert report.run_id == run.pk
    assert _yes_count(report) == 3
    assert ReportRun.objects.filter(survey=survey, status=JobStatus.DONE).count() == 2
