"""One lifecycle for every background job of the reports app (ReportRun, ExcelExport; the abstract `Job` row).

claim → progress → finish, or fail; retried with back-off for a named transient error.

- **Claim** is a conditional update (queued or running → running, attempts + 1), so a message delivered again after
  its worker died resumes the same job, and a finished job is not done twice. A job claimed more than MAX_ATTEMPTS
  times is marked failed instead of being tried again.
- **Progress** is recorded on the row (percent and what the job is doing), for the pages and commands that poll it.
- **Finish** is the work's last step (`job_finish`), inside the work's own transaction where it swaps in a result.
- **Fail** keeps the cause on the row. A transient error (`TRANSIENT_ERRORS`: the database or the broker briefly
  unreachable) puts the job back in the queue and is raised again for Celery's own `autoretry_for` and
  `retry_backoff` (see `JOB_TASK_OPTIONS`); retries and redeliveries share one budget of MAX_ATTEMPTS tries, and the
  last try fails the job with the cause. Any other error is a bug or bad data: the job fails at once.

Tasks are thin: `job_execute(Model, id, work, noun=…, last_try=…)` with the work a service function. Two signals
(`job_claimed`, `job_progressed`) are the seam through which the fault tests pause a job mid-way; production code
connects nothing to them.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from typing import Any, TypeVar

from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.db.models import F
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext_noop
from kombu.exceptions import OperationalError as BrokerError

from .models import Job, JobStatus

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 3  # a job whose worker died or that failed transiently this many times is failed, not tried again
MAX_RETRIES = MAX_ATTEMPTS - 1  # retries after the first try
# Errors worth another try: the database or the broker was briefly unreachable. Anything else would fail the same way.
TRANSIENT_ERRORS: tuple[type[Exception], ...] = (OperationalError, InterfaceError, BrokerError)
# Celery's own retry for the transient errors: 2, then 4 seconds later (no jitter: the budget is small).
JOB_TASK_OPTIONS: dict[str, Any] = {
    "bind": True,
    "autoretry_for": TRANSIENT_ERRORS,
    "max_retries": MAX_RETRIES,
    "retry_backoff": 2,
    "retry_jitter": False,
}

Progress = Callable[[int, str], None]
J = TypeVar("J", bound=Job)

# Sent after a job is claimed (sender: its model; job, progress) and after each progress step (sender; job_id,
# percent, message). A seam for tests that pause a job where a worker can be killed.
job_claimed = Signal()
job_progressed = Signal()


def job_update(model: type[Job], job_id: int, **fields: Any) -> None:
    model._default_manager.filter(pk=job_id).update(updated_at=timezone.now(), **fields)


def job_claim(model: type[J], job_id: int) -> J | None:
    """Mark the job running and count the attempt; None when it is finished already (or gone)."""
    now = timezone.now()
    claimed = model._default_manager.filter(pk=job_id, status__in=[JobStatus.QUEUED, JobStatus.RUNNING]).update(
        status=JobStatus.RUNNING,
        attempts=F("attempts") + 1,
        started_at=now,
        progress=1,
        message=gettext_noop("starting"),
        updated_at=now,
    )
    if not claimed:
        return None
    return model._default_manager.select_related("survey").get(pk=job_id)


def job_progress_update(model: type[Job], job_id: int, percent: int, message: str) -> None:
    """Record how far a job is, best effort on SQLite: a worker streaming a round's answers holds one long read, and
    under the write-ahead log a write from that connection fails at once ("database is locked", no waiting) when
    another connection has written since the read began (a person saving an answer, a session being extended). The
    progress is then skipped, not the job: the next update or the finish records it. PostgreSQL never skips."""
    try:
        job_update(model, job_id, progress=percent, message=message[:200])
    except OperationalError:
        if connection.vendor != "sqlite":
            raise
        logger.info("%s %s: progress %s%% not recorded (SQLite read snapshot)", model.__name__, job_id, percent)


def job_progress(model: type[Job], job_id: int) -> Progress:
    """A callback that records how far the job is (0–100) and what it is doing."""

    def progress(percent: int, message: str) -> None:
        job_progress_update(model, job_id, percent, message)
        job_progressed.send(sender=model, job_id=job_id, percent=percent, message=message)

    return progress


def job_finish(model: type[Job], job_id: int, **fields: Any) -> None:
    """Mark the job done (with any fields of its result, such as its file)."""
    job_update(
        model,
        job_id,
        status=JobStatus.DONE,
        progress=100,
        message="done",
        finished_at=timezone.now(),
        error="",
        **fields,
    )


def job_fail(model: type[Job], job_id: int, error: str) -> None:
    job_update(model, job_id, status=JobStatus.FAILED, finished_at=timezone.now(), error=error[:5000], message="failed")


def job_execute(
    model: type[J], job_id: int, work: Callable[[J, Progress], object], *, noun: str, last_try: bool = True
) -> str:
    """Claim the job and run `work(job, progress)`, which ends with `job_finish`. Returns the job's final status
    ("skipped" when it was finished already). A transient error is raised again (after putting the job back in the
    queue) unless this is the last try; any other error fails the job."""
    job = job_claim(model, job_id)
    if job is None:
        return "skipped"
    if job.attempts > MAX_ATTEMPTS:
        last = f" Last error: {job.error}" if job.error else ""
        job_fail(
            model,
            job_id,
            f"Stopped after {MAX_ATTEMPTS} attempts: the {noun} kept failing or its worker kept dying.{last}",
        )
        return JobStatus.FAILED
    progress = job_progress(model, job_id)
    job_claimed.send(sender=model, job=job, progress=progress)
    try:
        work(job, progress)
    except TRANSIENT_ERRORS as exc:
        # Kept on the row, so that a job stopped by the attempt cap after redeliveries still says what went wrong.
        with contextlib.suppress(DatabaseError):
            job_update(model, job_id, error=f"{type(exc).__name__}: {exc}"[:5000])
        if last_try:
            job_fail(model, job_id, f"Gave up after {MAX_ATTEMPTS} attempts: {exc}")
            return JobStatus.FAILED
        logger.warning("%s %s: transient error, retrying: %s", noun, job_id, exc)
        with contextlib.suppress(DatabaseError):
            job_update(model, job_id, status=JobStatus.QUEUED, message=gettext_noop("waiting to retry"))
        raise
    except Exception as exc:
        logger.exception("%s %s failed", noun, job_id)
        job_fail(model, job_id, f"{type(exc).__name__}: {exc}")
        return JobStatus.FAILED
    return JobStatus.DONE
