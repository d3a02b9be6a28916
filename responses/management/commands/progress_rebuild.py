"""python manage.py progress_rebuild [--survey SLUG]: compute again the progress kept on every response.

The pages read progress from the response row (responses/progress.py); every write keeps it up to date. Run this
after writing answers outside the application (a restore, SQL by hand, the benchmark's generator); responses
whose kept progress is out of date are otherwise computed in full on each page until their next save.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from oscethb.commands import in_site_language
from surveys.models import Survey

from ...models import Response
from ...progress import progress_store_all


class Command(BaseCommand):
    help = "Compute again the progress kept on each response (of one round with --survey), from all its answers."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--survey", metavar="SLUG", help="only this round, e.g. thb-2021")

    @in_site_language
    def handle(self, *args: Any, **options: Any) -> None:
        responses = Response.objects.all()
        if options["survey"]:
            survey = Survey.objects.filter(slug=options["survey"]).first()
            if survey is None:
                raise CommandError(_("no round %(slug)s") % {"slug": options["survey"]})
            responses = responses.filter(survey=survey)
        with transaction.atomic():
            count = progress_store_all(responses.select_for_update())
        self.stdout.write(
            ngettext(
                "Progress computed again for %(n)d response.", "Progress computed again for %(n)d responses.", count
            )
            % {"n": count}
        )
