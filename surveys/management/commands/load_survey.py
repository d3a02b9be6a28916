"""python manage.py load_survey PATH [PATH ...] [--require-languages en,fr,...]: check a definition file whole, then
create or update its round. Texts without a translation are reported; with --require-languages a file with any
such gap in the named languages is refused (nothing is written)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from oscethb.commands import in_site_language, refusal
from surveys.definition_languages import language_gaps, text_count
from surveys.definitions import LANGUAGES, DefinitionError, parse_definition
from surveys.services import survey_load_definition

GAPS_SHOWN = 20  # places listed per language when a file is refused; the count is always complete


def _languages(value: str) -> list[str]:
    languages = [part.strip() for part in value.split(",") if part.strip()]
    unknown = [lang for lang in languages if lang not in LANGUAGES]
    if unknown or not languages:
        raise CommandError(
            _("--require-languages: unknown language %(unknown)s; use some of %(languages)s")
            % {"unknown": ", ".join(unknown) or _("(none)"), "languages": ",".join(LANGUAGES)}
        )
    return languages


class Command(BaseCommand):
    help = (
        "Load survey round definitions (YAML). Every problem is reported with its place; nothing is written on error."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", help="definition files, e.g. surveys/definitions/thb-2016.yaml")
        parser.add_argument(
            "--require-languages",
            metavar="LANGS",
            default="",
            help=f"comma-separated languages every text must have, e.g. {','.join(LANGUAGES)}; "
            "a file with a missing text in one of them is refused and nothing is written",
        )

    @in_site_language
    def handle(self, *args: Any, **options: Any) -> None:
        required = _languages(options["require_languages"]) if options["require_languages"] else []
        for name in options["paths"]:
            path = Path(name)
            try:
                text = path.read_text(encoding="utf-8")
            except FileNotFoundError as exc:
                raise CommandError(_("%(file)s: no such file") % {"file": path}) from exc
            except UnicodeDecodeError as exc:
                raise CommandError(
                    _("%(file)s: not UTF-8 text (byte %(byte)d); save the file as UTF-8")
                    % {"file": path, "byte": exc.start}
                ) from exc
            try:
                definition = parse_definition(text)
                gaps = language_gaps(definition)
                self._refuse_gaps(path, gaps, required)
                result = survey_load_definition(definition=definition)
            except DefinitionError as exc:
                raise refusal(self.stderr, path, exc.problems, prefix=f"{path}: ") from exc
            counts = result.counts
            if result.created:
                summary = _("%(slug)s: created (areas: %(areas)d, sections: %(sections)d, questions: %(questions)d)")
            elif result.changed:
                summary = _("%(slug)s: updated (areas: %(areas)d, sections: %(sections)d, questions: %(questions)d)")
            else:
                summary = _("%(slug)s: unchanged (areas: %(areas)d, sections: %(sections)d, questions: %(questions)d)")
            self.stdout.write(summary % {"slug": result.survey.slug, **counts})
            total = text_count(definition)
            for lang, places in gaps.items():
                self.stdout.write(
                    ngettext(
                        "%(slug)s: %(missing)d of %(total)d texts has no %(language)s translation "
                        "(--require-languages %(language)s lists them)",
                        "%(slug)s: %(missing)d of %(total)d texts have no %(language)s translation "
                        "(--require-languages %(language)s lists them)",
                        len(places),
                    )
                    % {"slug": result.survey.slug, "missing": len(places), "total": total, "language": lang}
                )

    def _refuse_gaps(self, path: Path, gaps: dict[str, list[str]], required: list[str]) -> None:
        refused = {lang: gaps[lang] for lang in required if lang in gaps}
        if not refused:
            return
        for lang, places in refused.items():
            for place in places[:GAPS_SHOWN]:
                self.stderr.write(
                    _("%(file)s: %(place)s: no %(language)s text") % {"file": path, "place": place, "language": lang}
                )
            if len(places) > GAPS_SHOWN:
                more = len(places) - GAPS_SHOWN
                self.stderr.write(
                    ngettext(
                        "%(file)s: … and %(count)d more text without %(language)s",
                        "%(file)s: … and %(count)d more texts without %(language)s",
                        more,
                    )
                    % {"file": path, "count": more, "language": lang}
                )
        missing = sum(len(places) for places in refused.values())
        raise CommandError(
            ngettext(
                "%(file)s: %(count)d missing translation in %(languages)s (--require-languages); nothing was written",
                "%(file)s: %(count)d missing translations in %(languages)s (--require-languages); nothing was written",
                missing,
            )
            % {"file": path, "count": missing, "languages": ", ".join(refused)}
        )
