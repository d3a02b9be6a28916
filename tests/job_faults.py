"""Fault injection for the worker tests, loaded by the test settings (CELERY_IMPORTS) into every test worker.

A worker started with REPORT_BUILD_PAUSE_SECONDS pauses each report build right after claiming its run, so that a
test can kill it mid-build; with REPORT_BUILD_STEP_SECONDS it waits after each progress step, so that a test can
watch the steps of a small build go by. Both hang on the job lifecycle's signals (reports/jobs.py): production code
knows nothing of them. Unset (as everywhere but in those workers), nothing is connected.
"""

from __future__ import annotations

import os
import time
from typing import Any

from reports.jobs import Progress, job_claimed, job_progressed
from reports.models import ReportRun

PAUSE_SECONDS = float(os.environ.get("REPORT_BUILD_PAUSE_SECONDS") or 0)
STEP_SECONDS = float(os.environ.get("REPORT_BUILD_STEP_SECONDS") or 0)


def _pause(sender: Any, job: ReportRun, progress: Progress, **kwargs: Any) -> None:
    progress(1, "paused for a fault test")
    time.sleep(PAUSE_SECONDS)


def _step(sender: Any, **kwargs: Any) -> None:
    time.sleep(STEP_SECONDS)


if PAUSE_SECONDS:
    job_claimed.connect(_pause, sender=ReportRun, dispatch_uid="tests-pause-report-builds")
if STEP_SECONDS:
    job_progressed.connect(_step, sender=ReportRun, dispatch_uid="tests-step-report-builds")
