"""python manage.py load_survey PATH [PATH ...]: check a definition file whole, then create or update its round."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from surveys.definitions import DefinitionError
from surveys.services import survey_load_text


class Command(BaseCommand):
    help = (
        "Load survey round definitions (YAML). Every problem is reported with its place; nothing is written on error."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", help="definition files, e.g. surveys/definitions/thb-2016.yaml")

    def handle(self, *args: Any, **options: Any) -> None:
        for name in options["paths"]:
            path = Path(name)
            try:
                text = path.read_text(encoding="utf-8")
            except FileNotFoundError as exc:
                raise CommandError(f"{path}: no such file") from exc
            except UnicodeDecodeError as exc:
                raise CommandError(f"{path}: not UTF-8 text (byte {exc.start}); save the file as UTF-8") from exc
            try:
                result = survey_load_text(text=text)
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
