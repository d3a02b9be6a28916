"""python manage.py export_survey SLUG [-o PATH]: write a round's definition in the load_survey format."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from oscethb.commands import in_site_language
from surveys.models import Survey
from surveys.services import survey_export_text


class Command(BaseCommand):
    help = "Export a survey round's definition as YAML (stdout by default)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug")
        parser.add_argument("-o", "--output", help="file to write (default: standard output)")

    @in_site_language
    def handle(self, *args: Any, **options: Any) -> None:
        survey = Survey.objects.filter(slug=options["slug"]).first()
        if survey is None:
            known = ", ".join(Survey.objects.values_list("slug", flat=True)) or _("none loaded")
            raise CommandError(
                _("no round %(slug)s (rounds: %(known)s)") % {"slug": repr(options["slug"]), "known": known}
            )
        text = survey_export_text(survey=survey)
        if options["output"]:
            Path(options["output"]).write_text(text, encoding="utf-8")
            self.stderr.write(_("wrote %(file)s") % {"file": options["output"]})
        else:
            self.stdout.write(text, ending="")
