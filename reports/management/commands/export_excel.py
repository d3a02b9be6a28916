"""python manage.py export_excel --survey SLUG -o PATH [--lang ru] [--include-in-progress]: the Excel summary.

`--lang` chooses the workbook's language, its readers' (English by default, whose sheet names scripts rely on); the
command's own messages speak the site's language (settings.LANGUAGE_CODE), its operator's.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation
from django.utils.translation import gettext as _

from oscethb.commands import in_site_language
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
            "--lang",
            default=None,
            help=f"language of the workbook: {', '.join(language_codes())} (default en)",
        )
        parser.add_argument(
            "--include-in-progress", action="store_true", help="count in-progress answers too (provisional)"
        )
        parser.add_argument("--timeout", type=int, default=1800, help="seconds to wait for a worker (default 1800)")

    @in_site_language
    def handle(self, *args: Any, **options: Any) -> None:
        language = options["lang"] or "en"
        if language not in language_codes():
            with translation.override(settings.LANGUAGE_CODE):
                raise CommandError(
                    _("unknown language %(language)r (languages: %(languages)s)")
                    % {"language": language, "languages": ", ".join(language_codes())}
                )
        # The messages speak the site's language (LANGUAGE_CODE), the operator's; --lang is the readers' language.
        with translation.override(settings.LANGUAGE_CODE):
            self._handle(language, options)

    def _handle(self, language: str, options: dict[str, Any]) -> None:
        survey = Survey.objects.filter(slug=options["survey"]).first()
        if survey is None:
            known = ", ".join(Survey.objects.values_list("slug", flat=True)) or _("none loaded")
            raise CommandError(_("no round %(slug)r (rounds: %(known)s)") % {"slug": options["survey"], "known": known})
        output = Path(options["output"])
        if not output.parent.is_dir():
            raise CommandError(
                _("cannot write %(path)s: the folder %(folder)s does not exist")
                % {"path": output, "folder": output.parent}
            )

        # A command runs in autocommit: the row is committed when created, so the task can be queued at once
        # (in-process without a broker, where it has finished when delay() returns).
        export = excel_export_create(
            survey=survey, user=None, language=language, include_in_progress=options["include_in_progress"]
        )
        export_excel.delay(export.pk)
        export = self._wait(export, options["timeout"])
        if export.status == JobStatus.FAILED:
            raise CommandError(_("Excel export %(id)s failed: %(error)s") % {"id": export.pk, "error": export.error})
        with export.file.open("rb") as source, output.open("wb") as target:
            shutil.copyfileobj(source, target)
        written = {"path": output, "size": output.stat().st_size, "language": language}
        if export.include_in_progress:
            # Translators: %(size)s is the file's size in bytes, %(language)s a language code (en, fr, …).
            self.stdout.write(
                _("Wrote %(path)s (%(size)s bytes, %(language)s) (PROVISIONAL: includes answers in progress)") % written
            )
        else:
            # Translators: %(size)s is the file's size in bytes, %(language)s a language code (en, fr, …).
            self.stdout.write(_("Wrote %(path)s (%(size)s bytes, %(language)s)") % written)

    def _wait(self, export: ExcelExport, timeout: int) -> ExcelExport:
        deadline = time.monotonic() + timeout
        last = ""
        while True:
            export = ExcelExport.objects.select_related("survey").get(pk=export.pk)
            if export.finished:
                return export
            if time.monotonic() > deadline:
                raise CommandError(
                    _("Excel export %(id)s not finished after %(seconds)s s (is a worker running?)")
                    % {"id": export.pk, "seconds": timeout}
                )
            if export.message != last:
                self.stderr.write(f"{export.progress:3d}% {_(export.message)}")
                last = export.message
            time.sleep(0.5)
