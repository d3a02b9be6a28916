"""python manage.py export_questionnaire --survey SLUG --org CODE [--lang LANG] -o FILE.xlsx

Writes the offline questionnaire workbook of one organisation in one round, with its current answers, as the
questionnaire page's "Download for offline work (Excel)" does (responses/offline/writing.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from accounts.models import Organisation
from oscethb.commands import in_site_language
from surveys.models import Survey

from ...offline.writing import questionnaire_workbook


class Command(BaseCommand):
    help = "Write one organisation's offline questionnaire workbook (.xlsx) of a round, with its current answers."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--survey", required=True, metavar="SLUG", help="the round, e.g. thb-2021")
        parser.add_argument("--org", required=True, metavar="CODE", help="the organisation's code, e.g. AT")
        parser.add_argument("--lang", default=settings.LANGUAGE_CODE, help="the workbook's language (default: en)")
        parser.add_argument("-o", "--output", required=True, metavar="FILE", help="the .xlsx file to write")

    @in_site_language
    def handle(self, *args: Any, **options: Any) -> None:
        survey = Survey.objects.filter(slug=options["survey"]).first()
        if survey is None:
            raise CommandError(_("no round with the slug %(slug)s") % {"slug": options["survey"]})
        organisation = Organisation.objects.filter(code=options["org"]).first()
        if organisation is None:
            raise CommandError(_("no organisation with the code %(code)s") % {"code": options["org"]})
        if not survey.asks(organisation.respondent_kind):
            raise CommandError(
                _("round %(slug)s does not ask %(code)s") % {"slug": survey.slug, "code": organisation.code}
            )
        languages = [code for code, _name in settings.LANGUAGES]
        if options["lang"] not in languages:
            raise CommandError(_("--lang: one of %(languages)s") % {"languages": ", ".join(languages)})
        data = questionnaire_workbook(survey=survey, organisation=organisation, language=options["lang"])
        Path(options["output"]).write_bytes(data)
        self.stdout.write(_("%(path)s written.") % {"path": options["output"]})
