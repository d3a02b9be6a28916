"""python manage.py export_excel --survey SLUG -o PATH [--lang ru] [--include-in-progress]: the Excel summary."""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from reports.exports import excel_export_create
from reports.models import ExcelExport, JobStatus
from reports.tasks import export_excel
from surveys.i18n import language_codes
from surveys.models import Survey


class Command(BaseCommand):
    help = (
        "Write a round's Excel summary through the Celery task (in-process without a broker; otherwise a worker "
        "writes it and this command waits), then copy it to PATH."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--survey", required=True, help="round slug, e.g. thb-2016")
        parser.add_argument("-o", "--output", required=True, help="where to write the .xlsx file")
        parser.add_argument(
            "--lang", default="en", help=f"language of labels and texts: {', '.join(language_codes())} (default en)"
        )
        parser.add_argument(
            "--include-in-progress", action="store_true", help="count in-progress answers too (provisional)"
        )
        parser.add_argument("--timeout", type=int, default=1800, help="seconds to wait for a worker (default 1800)")

    def handle(self, *args: Any, **options: Any) -> None:
        survey = Survey.objects.filter(slug=options["survey"]).first()
        if survey is None:
            known = ", ".join(Survey.objects.values_list("slug", flat=True)) or "none loaded"
            raise CommandError(f"no round {options['survey']!r} (rounds: {known})")
        language = options["lang"]
        if language not in language_codes():
            raise CommandError(f"unknown language {language!r} (languages: {', '.join(language_codes())})")
        output = Path(options["output"])
        if not output.parent.is_dir():
            raise CommandError(f"cannot write {output}: the folder {output.parent} does not exist")

        # A command runs in autocommit: the row is committed when created, so the task can be queued at once
        # (in-process without a broker, where it has finished when delay() returns).
        export = excel_export_create(
            survey=survey, user=None, language=language, include_in_progress=options["include_in_progress"]
        )
        export_excel.delay(export.pk)
        export = self._wait(export, options["timeout"])
        if export.status == JobStatus.FAILED:
            raise CommandError(f"Excel export {export.pk} failed: {export.error}")
        with export.file.open("rb") as source, output.open("wb") as target:
            shutil.copyfileobj(source, target)
        provisional = " (PROVISIONAL: includes answers in progress)" if export.include_in_progress else ""
        self.stdout.write(f"Wrote {output} ({output.stat().st_size} bytes, {language}){provisional}")

    def _wait(self, export: ExcelExport, timeout: int) -> ExcelExport:
        deadline = time.monotonic() + timeout
        last = ""
        while True:
            export = ExcelExport.objects.select_related("survey").get(pk=export.pk)
            if export.finished:
                return export
            if time.monotonic() > deadline:
                raise CommandError(f"Excel export {export.pk} not finished after {timeout} s (is a worker running?)")
            if export.message != last:
                self.stderr.write(f"{export.progress:3d}% {export.message}")
                last = export.message
            time.sleep(0.5)
