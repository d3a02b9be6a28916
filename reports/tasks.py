"""Celery tasks of the reports app: thin adapters that take ids and call one service."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from celery import Task, shared_task
from django.db import InterfaceError, OperationalError
from kombu.exceptions import OperationalError as BrokerError

from surveys.models import Survey

from .models import ReportRun
from .services import MAX_ATTEMPTS, report_run_execute, report_run_fail, report_run_request

logger = logging.getLogger(__name__)
# Errors worth another try: the database or the broker was briefly unreachable. Anything else is a bug or bad data,
# and trying again would fail the same way.
TRANSIENT = (OperationalError, InterfaceError, BrokerError)
MAX_RETRIES = MAX_ATTEMPTS - 1  # a run is tried MAX_ATTEMPTS times in all, retries and redeliveries alike


def _retry(task: Task, exc: Exception, *, give_up: Callable[[str], object], requeue: Callable[[], object]) -> str:
    """Try a task again after a transient error, with back-off, up to MAX_RETRIES; then mark it failed."""
    if task.request.retries >= MAX_RETRIES:
        give_up(f"Gave up after {MAX_RETRIES + 1} attempts: {exc}")
        return "failed"
    requeue()
    countdown = 2 ** (task.request.retries + 1)
    if task.request.is_eager:
        # Tasks run in-process (no broker): there is no worker to hand the retry to, so wait and run it here.
        time.sleep(min(countdown, 2))
        again = task.apply(args=tuple(task.request.args or ()), retries=task.request.retries + 1)
        return str(again.get(disable_sync_subtasks=False))
    raise task.retry(exc=exc, countdown=countdown) from exc


@shared_task(bind=True, name="reports.build_report", max_retries=MAX_RETRIES)
def build_report(self: Task, run_id: int) -> str:
    if not ReportRun.objects.filter(pk=run_id).exists():
        return "gone"
    try:
        return report_run_execute(run_id=run_id)
    except TRANSIENT as exc:
        logger.warning("report run %s: transient error, retrying: %s", run_id, exc)
        return _retry(
            self,
            exc,
            give_up=lambda error: report_run_fail(run_id=run_id, error=error),
            requeue=lambda: ReportRun.objects.filter(pk=run_id).update(status="queued", message="waiting to retry"),
        )
    except Exception as exc:
        logger.exception("report run %s failed", run_id)
        report_run_fail(run_id=run_id, error=f"{type(exc).__name__}: {exc}")
        return "failed"


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


@shared_task(bind=True, name="reports.export_excel", max_retries=MAX_RETRIES)
def export_excel(self: Task, export_id: int) -> str:
    """Write one Excel summary (reports.exports.excel_export_execute); brief outages are retried."""
    from .exports import excel_export_execute, excel_export_fail
    from .models import ExcelExport

    if not ExcelExport.objects.filter(pk=export_id).exists():
        return "gone"
    try:
        return excel_export_execute(export_id=export_id)
    except TRANSIENT as exc:
        logger.warning("excel export %s: transient error, retrying: %s", export_id, exc)
        return _retry(
            self,
            exc,
            give_up=lambda error: excel_export_fail(export_id=export_id, error=error),
            requeue=lambda: ExcelExport.objects.filter(pk=export_id).update(
                status="queued", message="waiting to retry"
            ),
        )
    except Exception as exc:
        logger.exception("excel export %s failed", export_id)
        excel_export_fail(export_id=export_id, error=f"{type(exc).__name__}: {exc}")
        return "failed"
