"""Queueing background work: every app's services enqueue a Celery task by its name, after the transaction commits.

By name, so that no service imports a task module (tasks import services, never the reverse); after the commit, so
that a worker finds the rows the task is about. The one place where work leaves the request.
"""

from __future__ import annotations

import contextlib
import importlib
from typing import Any

from celery import current_app
from django.db import transaction


def enqueue(task_name: str, *args: Any, **kwargs: Any) -> None:
    """Run a Celery task by name now: for work that follows no database write of the request (nothing to wait for)."""
    if task_name not in current_app.tasks:  # not imported yet: first the task module of the app the name starts with
        with contextlib.suppress(ImportError):  # (about 0.1 s, where every app's task modules take about 2 s)
            importlib.import_module(f"{task_name.partition('.')[0]}.tasks")
    if task_name not in current_app.tasks:  # a task named after another app (reports.send_reminders): all of them
        current_app.loader.import_default_modules()
    current_app.tasks[task_name].delay(*args, **kwargs)


def enqueue_on_commit(task_name: str, *args: Any, **kwargs: Any) -> None:
    """Run a Celery task by name once the current transaction commits (services never import task modules)."""

    # robust: a broker that is down (or a failing in-process task) is logged, never turned into an error page for a
    # change that is already saved (the person would try again and submit twice).
    transaction.on_commit(lambda: enqueue(task_name, *args, **kwargs), robust=True)
