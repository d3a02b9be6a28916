from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        from surveys.signals import round_status_changed

        round_status_changed.connect(_rebuild_when_closed, dispatch_uid="reports-rebuild-when-closed")


def _rebuild_when_closed(sender: Any, survey: Any, previous_status: str, **kwargs: Any) -> None:
    """When a round closes, its final report is rebuilt (after the change commits)."""
    if survey.status == "closed":
        from .services import report_run_request

        report_run_request(survey=survey, trigger="round closed")
