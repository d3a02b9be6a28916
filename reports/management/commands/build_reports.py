"""python manage.py build_reports --survey SLUG [--include-in-progress]: build through the task, wait, print.

Its messages and headline sentences are in settings.LANGUAGE_CODE (a command has no reader's language).
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from oscethb.commands import in_site_language
from reports.headlines import sentence
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

    @in_site_language
    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override(settings.LANGUAGE_CODE):
            self._handle(options)

    def _handle(self, options: dict[str, Any]) -> None:
        survey = Survey.objects.filter(slug=options["survey"]).first()
        if survey is None:
            known = ", ".join(Survey.objects.values_list("slug", flat=True)) or _("none loaded")
            raise CommandError(_("no round %(slug)r (rounds: %(known)s)") % {"slug": options["survey"], "known": known})
        run = report_run_request(survey=survey, include_in_progress=options["include_in_progress"], trigger="command")
        deadline = time.monotonic() + options["timeout"]
        last = ""
        while True:
            run = ReportRun.objects.get(pk=run.pk)
            if run.finished:
                break
            if time.monotonic() > deadline:
                raise CommandError(
                    _("report run %(id)s not finished after %(seconds)s s (is a worker running?)")
                    % {"id": run.pk, "seconds": options["timeout"]}
                )
            if run.message != last:
                self.stderr.write(f"{run.progress:3d}% {_(run.message)}")
                last = run.message
            time.sleep(0.5)
        if run.status == JobStatus.FAILED:
            raise CommandError(_("report run %(id)s failed: %(error)s") % {"id": run.pk, "error": run.error})
        report = report_stored(survey=survey, include_in_progress=run.include_in_progress)
        if report is None:  # a finished run always leaves its report; gone only if the round was deleted meanwhile
            raise CommandError(_("report run %(id)s finished but its report is gone") % {"id": run.pk})
        self._print(report)

    def _print(self, report: Report) -> None:
        data = report.data
        rates = data["response_rates"]
        built = {"slug": data["survey"]["slug"], "at": f"{report.built_at:%Y-%m-%d %H:%M}"}
        if data["basis"]["provisional"]:
            self.stdout.write(_("%(slug)s: report built %(at)s (PROVISIONAL: includes answers in progress)") % built)
        else:
            self.stdout.write(_("%(slug)s: report built %(at)s") % built)
        # Translators: the figures counted in a report, e.g. "Responses counted: 3 of 4 participating States, 2 of
        # 2 NGOs". The plural follows the number of NGOs eligible.
        self.stdout.write(
            ngettext(
                "Responses counted: %(states)d of %(states_eligible)d participating States, %(ngos)d of "
                "%(ngos_eligible)d NGO",
                "Responses counted: %(states)d of %(states_eligible)d participating States, %(ngos)d of "
                "%(ngos_eligible)d NGOs",
                rates["ngos"]["eligible"],
            )
            % {
                "states": rates["states"]["counted"],
                "states_eligible": rates["states"]["eligible"],
                "ngos": rates["ngos"]["counted"],
                "ngos_eligible": rates["ngos"]["eligible"],
            }
        )
        language = translation.get_language() or settings.LANGUAGE_CODE
        questions = {q["code"]: q for q in data.get("questions", [])}
        counts: dict[str, list[str]] = {}
        for row in data["choice_counts"]:
            if row["kind"] == "state" and row["row"] == "":
                counts.setdefault(row["question"], []).append(f"{row['option']} {row['count']}")
        for headline in data["headlines"]:
            code = headline["question"]
            # Translators: one headline of a report in the command's output: the question code, "yes" answers of
            # those eligible, each option code with its count, then the headline sentence.
            self.stdout.write(
                _("%(code)s: %(yes)s of %(eligible)s (%(counts)s) - %(sentence)s")
                % {
                    "code": code,
                    "yes": headline["yes"],
                    "eligible": headline["eligible"],
                    "counts": ", ".join(counts.get(code, [])),
                    "sentence": sentence(headline, questions.get(code, {"code": code}), language),
                }
            )
        if not data["headlines"]:
            self.stdout.write(_("No scored questions in this round."))
