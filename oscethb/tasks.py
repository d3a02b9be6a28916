"""Operational tasks of the project itself."""

from __future__ import annotations

from celery import shared_task
from django.db import connection

from surveys.models import Survey


@shared_task(name="oscethb.worker_health")
def worker_health() -> dict[str, object]:
    """What a worker sees: its database and the rounds in it; proves a worker is up and shares the web's database."""
    return {
        "database": connection.vendor,
        "database_name": str(connection.settings_dict["NAME"]),
        "rounds": sorted(Survey.objects.values_list("slug", flat=True)),
    }
