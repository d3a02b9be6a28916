"""Celery tasks of the reports app: thin adapters that take ids and call one service.

The job tasks (a report build, an Excel export, a raw-data export, a draft report) share the job lifecycle of
reports/jobs.py: Celery retries them
with back-off for the named transient errors (`JOB_TASK_OPTIONS`), and the service fails the job on the last try.
Services queue these tasks by name (oscethb.jobs.enqueue_on_commit) and never import this module.
"""

from __future__ import annotations

from celery import Task, shared_task

from surveys.models import Survey

from .data_exports import data_export_execute
from .drafts import draft_report_execute
from .exports import excel_export_execute
from .jobs import JOB_TASK_OPTIONS
from .models import DataExport, DraftReport, ExcelExport, ReportRun
from .services import report_run_execute, report_run_request


def _last_try(task: Task) -> bool:
    return task.request.retries >= (task.max_retries or 0)


@shared_task(name="reports.build_report", **JOB_TASK_OPTIONS)
def build_report(self: Task, run_id: int) -> str:
    if not ReportRun.objects.filter(pk=run_id).exists():
        return "gone"
    return report_run_execute(run_id=run_id, last_try=_last_try(self))


@shared_task(name="reports.export_excel", **JOB_TASK_OPTIONS)
def export_excel(self: Task, export_id: int) -> str:
    """Write one Excel summary (reports.exports.excel_export_execute)."""
    if not ExcelExport.objects.filter(pk=export_id).exists():
        return "gone"
    return excel_export_execute(export_id=export_id, last_try=_last_try(self))


@shared_task(name="reports.export_data", **JOB_TASK_OPTIONS)
def export_data(self: Task, export_id: int) -> str:
    """Write one raw-data file (reports.data_exports.data_export_execute)."""
    if not DataExport.objects.filter(pk=export_id).exists():
        return "gone"
    return data_export_execute(export_id=export_id, last_try=_last_try(self))


@shared_task(name="reports.rebuild_open_rounds")
def rebuild_open_rounds() -> int:
    """Nightly: rebuild the reports of every open round (final and provisional)."""
    count = 0
    for survey in Survey.objects.filter(status=Survey.Status.OPEN):
        report_run_request(survey=survey, trigger="nightly")
        report_run_request(survey=survey, include_in_progress=True, trigger="nightly")
        count += 1
    return count


@shared_task(name="reports.rebuild_closed_round")
def rebuild_closed_round(survey_id: int) -> None:
    survey = Survey.objects.filter(pk=survey_id).first()
    if survey is not None:
        report_run_request(survey=survey, trigger="round closed")


@shared_task(name="reports.draft_report", **JOB_TASK_OPTIONS)
def draft_report(self: Task, draft_id: int) -> str:
    """Write one draft of the published chapter (reports.drafts.draft_report_execute)."""
    if not DraftReport.objects.filter(pk=draft_id).exists():
        return "gone"
    return draft_report_execute(draft_id=draft_id, last_try=_last_try(self))
