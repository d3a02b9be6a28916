"""The Celery application: `celery -A oscethb worker` / `celery -A oscethb beat`."""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oscethb.settings")

app = Celery("oscethb")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
