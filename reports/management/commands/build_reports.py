"""python manage.py build_reports --survey SLUG [--include-in-progress]: build through the task, wait, print."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from reports.models import JobStatus, Report, ReportRun
from reports.selectors import report_stored
from reports.services import report_run_request
from surveys.models import Survey


class Command(BaseCommand):
    help = "Build a round's report through the Celery task, wait for it, and print the headline figures."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--survey", required=True, help="round slug, e.g. thb-2016")
        parser.add_argument(
            "--include-in-progress", action="store_true", help="count in-progress answers too (provisional)"
        )
        parser.add_argument("--timeout", type=int, default=1800, help="seconds to wait for a worker (default 1800)")

    def handle(self, *args: Any, **options: Any) -> None:
        survey = Survey.objects.filter(slug=options["survey"]).first()
        if survey is None:
            known = ", ".join(Survey.objects.values_list("slug", flat=True)) or "none loaded"
            raise CommandError(f"no round {options['survey']!r} (rounds: {known})")
        run = report_run_request(survey=survey, include_in_progress=options["include_in_progress"], trigger="command")
        deadline = time.monotonic() + options["timeout"]
        last = ""
        while True:
            run = ReportRun.objects.get(pk=run.pk)
            if run.finished:
                break
            if time.monotonic() > deadline:
                raise CommandError(
                    f"report run {run.pk} not finished after {options['timeout']} s (is a worker running?)"
                )
            if run.message != last:
                self.stderr.write(f"{run.progress:3d}% {run.message}")
                last = run.message
            time.sleep(0.5)
        if run.status == JobStatus.FAILED:
            raise CommandError(f"report run {run.pk} failed: {run.error}")
        report = report_stored(survey=survey, include_in_progress=run.include_in_progress)
        if report is None:  # a finished run always leaves its report; gone only if the round was deleted meanwhile
            raise CommandError(f"report run {run.pk} finished but its report is gone")
        self._print(report)

    def _print(self, report: Report) -> None:
        data = report.data
        rates = data["response_rates"]
        provisional = " (PROVISIONAL: includes answers in progress)" if data["basis"]["provisional"] else ""
        self.stdout.write(f"{data['survey']['slug']}: report built {report.built_at:%Y-%m-%d %H:%M}{provisional}")
        self.stdout.write(
            f"Responses counted: {rates['states']['counted']} of {rates['states']['eligible']} participating States, "
            f"{rates['ngos']['counted']} of {rates['ngos']['eligible']} NGOs"
        )
        counts: dict[str, list[str]] = {}
        for row in data["choice_counts"]:
            if row["kind"] == "state" and row["row"] == "":
                counts.setdefault(row["question"], []).append(f"{row['option']} {row['count']}")
        for headline in data["headlines"]:
            code = headline["question"]
            self.stdout.write(
                f"{code}: {headline['yes']} of {headline['eligible']} ({', '.join(counts.get(code, []))}) "
                f"- {headline['sentence']}"
            )
        if not data["headlines"]:
            self.stdout.write("No scored questions in this round.")
