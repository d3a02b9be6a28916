"""python manage.py import_responses PATH --survey SLUG [--submit] [--as EMAIL]: import answers from a file.

The format is in docs/answer-import-format.md. The whole file is checked first; any problem is listed on stderr as
`row N: reason`, the command exits 1 and nothing is written.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from oscethb.access import is_office_staff
from oscethb.commands import in_site_language
from surveys.models import Survey

from ...imports import ImportRejected, answers_import, survey_for_import


class Command(BaseCommand):
    help = (
        "Import answers from a long-format CSV (UTF-8) or Excel .xlsx file with the columns organisation, question, "
        "row, column, value. Every row is checked first; on any problem nothing is written."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="the answer file (.csv or .xlsx)")
        parser.add_argument("--survey", required=True, metavar="SLUG", help="the round, e.g. thb-2021")
        parser.add_argument(
            "--submit",
            action="store_true",
            help="record each imported response as submitted, as received (missing answers are only warned about)",
        )
        parser.add_argument(
            "--as", dest="as_email", metavar="EMAIL", help="the user recorded as having made the changes"
        )

    @in_site_language
    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["path"])
        if not path.is_file():
            raise CommandError(_("%(path)s: no such file") % {"path": path})
        try:
            survey = survey_for_import(options["survey"])
        except ImportRejected as exc:
            raise CommandError(exc.problems[0]) from exc
        user = None
        if options["as_email"]:
            user = get_user_model().objects.filter(email__iexact=options["as_email"].strip()).order_by("id").first()
            if user is None:
                raise CommandError(
                    _("--as: no user with the e-mail address %(email)s") % {"email": options["as_email"]}
                )
        if options["submit"] and survey.status != Survey.Status.OPEN and not is_office_staff(user):
            raise CommandError(
                _("round %(slug)s is not open: --submit needs --as with the e-mail address of a staff user")
                % {"slug": survey.slug}
            )
        try:
            result = answers_import(survey=survey, source=path, filename=path.name, user=user, submit=options["submit"])
        except ImportRejected as exc:
            for problem in exc.problems:
                self.stderr.write(f"{path}: {problem}" if not problem.startswith("row ") else problem)
            raise CommandError(
                ngettext(
                    "%(path)s: %(n)d problem; nothing was imported",
                    "%(path)s: %(n)d problems; nothing was imported",
                    len(exc.problems),
                )
                % {"path": path, "n": len(exc.problems)}
            ) from exc
        for warning in result.warnings:
            self.stderr.write(self.style.WARNING(warning))
        self.stdout.write(result.summary)
