"""python manage.py export_xlsform SLUG -o FORM.xlsx: write a round as an XLSForm for KoboToolbox or ODK."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from oscethb.commands import in_site_language
from surveys.models import Survey
from surveys.xlsform.services import xlsform_export


class Command(BaseCommand):
    help = "Write a round as an XLSForm (.xlsx) that KoboToolbox and ODK read; six languages, show-if as relevant."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug")
        parser.add_argument("-o", "--output", required=True, help="the .xlsx file to write")

    @in_site_language
    def handle(self, *args: Any, **options: Any) -> None:
        survey = Survey.objects.filter(slug=options["slug"]).first()
        if survey is None:
            known = ", ".join(Survey.objects.values_list("slug", flat=True)) or _("none loaded")
            raise CommandError(
                _("no round %(slug)s (rounds: %(known)s)") % {"slug": repr(options["slug"]), "known": known}
            )
        Path(options["output"]).write_bytes(xlsform_export(survey=survey))
        self.stdout.write(_("wrote %(file)s") % {"file": options["output"]})
