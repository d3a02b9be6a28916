"""python manage.py load_survey PATH [PATH ...] [--require-languages en,fr,...]: check a definition file whole, then
create or update its round. Texts without a translation are reported; with --require-languages a file with any
such gap in the named languages is refused (nothing is written)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from surveys.definition_languages import language_gaps, text_count
from surveys.definitions import LANGUAGES, DefinitionError, parse_definition
from surveys.services import survey_load_definition

GAPS_SHOWN = 20  # places listed per language when a file is refused; the count is always complete


def _languages(value: str) -> list[str]:
    languages = [part.strip() for part in value.split(",") if part.strip()]
    unknown = [lang for lang in languages if lang not in LANGUAGES]
    if unknown or not languages:
        raise CommandError(
            f"--require-languages: unknown language {', '.join(unknown) or '(none)'}; use some of {','.join(LANGUAGES)}"
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

    def handle(self, *args: Any, **options: Any) -> None:
        required = _languages(options["require_languages"]) if options["require_languages"] else []
        for name in options["paths"]:
            path = Path(name)
            try:
                text = path.read_text(encoding="utf-8")
            except FileNotFoundError as exc:
                raise CommandError(f"{path}: no such file") from exc
            except UnicodeDecodeError as exc:
                raise CommandError(f"{path}: not UTF-8 text (byte {exc.start}); save the file as UTF-8") from exc
            try:
                definition = parse_definition(text)
                gaps = language_gaps(definition)
                self._refuse_gaps(path, gaps, required)
                result = survey_load_definition(definition=definition)
            except DefinitionError as exc:
                for problem in exc.problems:
                    self.stderr.write(f"{path}: {problem}")
                raise CommandError(f"{path}: {len(exc.problems)} problem(s); nothing was written") from exc
            counts = result.counts
            what = "created" if result.created else ("updated" if result.changed else "unchanged")
            self.stdout.write(
                f"{result.survey.slug}: {what} ({counts['areas']} areas, {counts['sections']} sections, "
                f"{counts['questions']} questions)"
            )
            total = text_count(definition)
            for lang, places in gaps.items():
                self.stdout.write(
                    f"{result.survey.slug}: {len(places)} of {total} texts have no {lang} translation "
                    f"(--require-languages {lang} lists them)"
                )

    def _refuse_gaps(self, path: Path, gaps: dict[str, list[str]], required: list[str]) -> None:
        refused = {lang: gaps[lang] for lang in required if lang in gaps}
        if not refused:
            return
        for lang, places in refused.items():
            for place in places[:GAPS_SHOWN]:
                self.stderr.write(f"{path}: {place}: no {lang} text")
            if len(places) > GAPS_SHOWN:
                self.stderr.write(f"{path}: … and {len(places) - GAPS_SHOWN} more texts without {lang}")
        missing = sum(len(places) for places in refused.values())
        raise CommandError(
            f"{path}: {missing} missing translation(s) in {', '.join(refused)} (--require-languages); nothing was written"
        )
