"""A real Celery worker on the real Redis broker runs the project's tasks against the same database."""

from __future__ import annotations

import pytest

from oscethb.tasks import worker_health
from surveys.tests.factories import SurveyFactory


@pytest.mark.worker
def test_real_worker_runs_a_task_against_the_test_database(celery_worker_process) -> None:
    from django.db import connection

    SurveyFactory(slug="thb-2030")
    result = worker_health.delay().get(timeout=60)
    assert result["database"] == "postgresql"
    assert result["database_name"] == connection.settings_dict["NAME"]
    assert result["rounds"] == ["thb-2030"]
