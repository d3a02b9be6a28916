"""python manage.py import_organisations PATH: create or update organisations from a CSV or XLSX file."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from accounts.people import TableError, organisations_import, read_table
from oscethb.commands import in_site_language, refusal


class Command(BaseCommand):
    help = (
        "Import organisations from a CSV (UTF-8) or XLSX file with columns code, name, kind (state, partner, ngo), "
        "country (NGOs: the participating State they work in) and optionally aliases (;-separated). Every row is "
        "checked first; on any problem each is reported as 'row N: reason' and nothing is written."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="a .csv or .xlsx file; row 1 names the columns")

    @in_site_language
    def handle(self, *args: Any, **options: Any) -> None:
        path = options["path"]
        try:
            result = organisations_import(table=read_table(path))
        except TableError as exc:
            raise refusal(self.stderr, path, exc.problems) from exc
        self.stdout.write(_("%(file)s: %(summary)s") % {"file": path, "summary": result.summary()})
