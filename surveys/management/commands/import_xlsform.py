"""python manage.py import_xlsform FORM.xlsx --slug SLUG [--years 2020-2024]: an XLSForm as a new draft round.

What was mapped is summed up; every feature that was not (repeats, calculations, unreadable conditions …) is listed
with its sheet and row. Nothing is written when the form cannot be imported."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from oscethb.commands import in_site_language, refusal
from surveys.definition_languages import language_gaps, text_count
from surveys.xlsform.services import XlsformError, xlsform_import


class Command(BaseCommand):
    help = "Import an XLSForm (KoboToolbox, ODK) as a new draft round; lists every feature it could not map."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="the XLSForm: .xlsx, .xls, .csv or .md")
        parser.add_argument("--slug", required=True, help="the new round's slug, e.g. partner-2025")
        parser.add_argument("--years", default="", help="reference period as FIRST-LAST, e.g. 2020-2024")

    @in_site_language
    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["path"])
        years = None
        if options["years"]:
            if not re.fullmatch(r"\d{4}-\d{4}", options["years"]):
                raise CommandError(_("--years: expected FIRST-LAST, e.g. 2020-2024"))
            first, last = (int(part) for part in options["years"].split("-"))
            years = (first, last)
        try:
            content = path.read_bytes()
        except FileNotFoundError as exc:
            raise CommandError(_("%(file)s: no such file") % {"file": path}) from exc
        try:
            outcome = xlsform_import(content=content, filename=path.name, slug=options["slug"], years=years)
        except XlsformError as exc:
            raise refusal(self.stderr, path, exc.problems, prefix=f"{path}: ") from exc
        self.stdout.write(
            _("%(slug)s: created as a draft (areas: %(areas)d, sections: %(sections)d, questions: %(questions)d)")
            % {"slug": outcome.result.survey.slug, **outcome.result.counts}
        )
        for row, name, code in outcome.renamed:
            self.stdout.write(
                _("survey sheet, row %(row)d: %(name)s is question %(code)s")
                % {"row": row, "name": repr(name), "code": code},
            )
        for item in outcome.unmapped:
            self.stdout.write(str(item))
        slug, total = outcome.result.survey.slug, text_count(outcome.definition)
        for lang, places in language_gaps(outcome.definition).items():
            self.stdout.write(
                ngettext(
                    "%(slug)s: %(missing)d of %(total)d texts has no %(language)s translation "
                    "(add it with export_survey and load_survey)",
                    "%(slug)s: %(missing)d of %(total)d texts have no %(language)s translation "
                    "(add them with export_survey and load_survey)",
                    len(places),
                )
                % {"slug": slug, "missing": len(places), "total": total, "language": lang}
            )
        count = len(outcome.unmapped)
        self.stdout.write(
            ngettext(
                "%(slug)s: %(count)d feature of the form was not imported (listed above)",
                "%(slug)s: %(count)d features of the form were not imported (listed above)",
                count,
            )
            % {"slug": outcome.result.survey.slug, "count": count}
        )
