"""python manage.py clone_survey SOURCE NEW_SLUG [--title TEXT]: start a new round from an existing one."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from oscethb.commands import in_site_language
from surveys.definitions import DefinitionError
from surveys.models import Survey
from surveys.services import survey_clone


class Command(BaseCommand):
    help = "Clone a round into a new draft round with the same codes; the new round's previous round is SOURCE."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("source")
        parser.add_argument("slug")
        parser.add_argument("--title", help="English title of the new round (default: the source's titles)")

    @in_site_language
    def handle(self, *args: Any, **options: Any) -> None:
        source = Survey.objects.filter(slug=options["source"]).first()
        if source is None:
            raise CommandError(_("no round %(slug)s") % {"slug": repr(options["source"])})
        try:
            clone = survey_clone(
                source=source, slug=options["slug"], title={"en": options["title"]} if options["title"] else None
            )
        except DefinitionError as exc:
            raise CommandError("; ".join(str(p) for p in exc.problems)) from exc
        self.stdout.write(
            _("%(slug)s: created from %(source)s (questions: %(questions)d), status draft")
            % {"slug": clone.slug, "source": source.slug, "questions": clone.questions.count()}
        )
