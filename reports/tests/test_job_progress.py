"""A progress note a worker cannot write on SQLite (its long read's snapshot is older than another writer's commit:
"database is locked" at once) is skipped and the job goes on; on PostgreSQL the error is an error."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import OperationalError, connection

from reports import jobs
from reports.models import ReportRun
from tests.factories import SurveyFactory


@pytest.mark.django_db
def test_a_progress_note_sqlite_cannot_write_is_skipped_not_the_job(monkeypatch: pytest.MonkeyPatch) -> None:
    run = ReportRun.objects.create(survey=SurveyFactory())
    jobs.job_progress_update(ReportRun, run.pk, 40, "counting answers")
    run.refresh_from_db()
    assert (run.progress, run.message) == (40, "counting answers")

    def locked(*_: Any, **__: Any) -> None:
        raise OperationalError("database is locked")

    monkeypatch.setattr(jobs, "job_update", locked)
    if connection.vendor == "sqlite":
        jobs.job_progress_update(ReportRun, run.pk, 60, "scoring")  # skipped, no error
        run.refresh_from_db()
        assert run.progress == 40
    else:
        with pytest.raises(OperationalError):
            jobs.job_progress_update(ReportRun, run.pk, 60, "scoring")
