"""python manage.py draft_report --survey SLUG --lang LANG -o PATH [--include-in-progress]: the draft chapter (.docx).

Written from the round's stored report (build it first with build_reports); `--lang` is the document's language,
its readers'; the command's own messages speak the site's language (settings.LANGUAGE_CODE), its operator's.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation
from django.utils.translation import gettext as _

from reports.drafts import NoStoredReport, draft_report_write
from surveys.i18n import language_codes
from surveys.models import Survey


class Command(BaseCommand):
    help = "Write the draft of a round's published chapter (.docx) from its stored report."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--survey", required=True, help="round slug, e.g. thb-2016")
        parser.add_argument("--lang", required=True, help=f"language of the document: {', '.join(language_codes())}")
        parser.add_argument("-o", "--output", required=True, help="where to write the .docx file")
        parser.add_argument(
            "--include-in-progress",
            action="store_true",
            help="use the provisional report (answers in progress counted); the document says so on its first page",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override(settings.LANGUAGE_CODE):
            self._handle(options)

    def _handle(self, options: dict[str, Any]) -> None:
        language = options["lang"]
        if language not in language_codes():
            raise CommandError(
                _("unknown language %(language)r (languages: %(languages)s)")
                % {"language": language, "languages": ", ".join(language_codes())}
            )
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
        try:
            draft_report_write(
                output, survey=survey, language=language, include_in_progress=options["include_in_progress"]
            )
        except NoStoredReport as exc:
            raise CommandError(str(exc)) from exc
        written = {"path": output, "size": output.stat().st_size, "language": language}
        if options["include_in_progress"]:
            # Translators: %(size)s is the file's size in bytes, %(language)s a language code (en, fr, …).
            self.stdout.write(
                _("Wrote %(path)s (%(size)s bytes, %(language)s) (PROVISIONAL: includes answers in progress)") % written
            )
        else:
            # Translators: %(size)s is the file's size in bytes, %(language)s a language code (en, fr, …).
            self.stdout.write(_("Wrote %(path)s (%(size)s bytes, %(language)s)") % written)
