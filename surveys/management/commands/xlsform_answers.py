"""python manage.py xlsform_answers WIDE.csv --survey SLUG -o LONG.csv: a KoboToolbox/ODK export of answers to a
form from `export_xlsform`, as the long file `import_responses` reads (organisation, question, row, column, value)."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from openpyxl import load_workbook

from oscethb.commands import in_site_language
from surveys.models import Survey
from surveys.xlsform.answers import LONG_COLUMNS, formula_safe, wide_to_long


def _wide_rows(path: Path) -> list[dict[str, Any]]:
    if path.suffix.lower() == ".xlsx":
        sheet = load_workbook(path, read_only=True, data_only=True).worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = [str(h or "") for h in next(rows, ())]
        return [dict(zip(header, row, strict=False)) for row in rows]
    text = path.read_text(encoding="utf-8-sig")
    # KoboToolbox writes CSV exports with ';' by default, ODK Central with ','.
    dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    return list(csv.DictReader(io.StringIO(text), dialect=dialect))


class Command(BaseCommand):
    help = "Turn a KoboToolbox/ODK export (one row per submission) into the long file import_responses reads."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="the export: .csv or .xlsx, XML names as headers")
        parser.add_argument("--survey", required=True, help="the round the form was exported from")
        parser.add_argument("-o", "--output", required=True, help="the long-format .csv to write")
        parser.add_argument("--organisation-column", default="organisation", help="the column naming the organisation")

    @in_site_language
    def handle(self, *args: Any, **options: Any) -> None:
        survey = Survey.objects.filter(slug=options["survey"]).first()
        if survey is None:
            raise CommandError(_("no round %(slug)s") % {"slug": repr(options["survey"])})
        path = Path(options["path"])
        try:
            rows = _wide_rows(path)
        except FileNotFoundError as exc:
            raise CommandError(_("%(file)s: no such file") % {"file": path}) from exc
        except (UnicodeDecodeError, csv.Error, OSError, ValueError, KeyError) as exc:
            raise CommandError(
                _("%(file)s: not a readable export (%(reason)s)") % {"file": path, "reason": exc}
            ) from exc
        if rows and options["organisation_column"] not in rows[0]:
            raise CommandError(
                _("%(file)s: no column %(column)s naming the organisation")
                % {"file": path, "column": repr(options["organisation_column"])}
            )
        several = {q.code for q in survey.questions.all() if q.answer_type.several_choices}
        long_rows = list(wide_to_long(rows, several=several, organisation=options["organisation_column"]))
        safe_rows = [{key: formula_safe(text) for key, text in row.items()} for row in long_rows]
        guarded = sum(1 for row, safe in zip(long_rows, safe_rows, strict=True) if row != safe)
        with Path(options["output"]).open("w", encoding="utf-8", newline="") as out:
            writer = csv.DictWriter(out, fieldnames=LONG_COLUMNS)
            writer.writeheader()
            writer.writerows(safe_rows)
        self.stdout.write(
            ngettext(
                "wrote %(file)s: %(count)d answer cell; check and import it with import_responses",
                "wrote %(file)s: %(count)d answer cells; check and import it with import_responses",
                len(long_rows),
            )
            % {"file": options["output"], "count": len(long_rows)}
        )
        if guarded:
            self.stdout.write(
                ngettext(
                    "%(count)d row has a text starting with =, +, - or @, written with a leading ' so that a "
                    "spreadsheet does not run it as a formula; import_responses keeps the ', so remove it before "
                    "importing where the answer itself begins that way",
                    "%(count)d rows have a text starting with =, +, - or @, written with a leading ' so that a "
                    "spreadsheet does not run it as a formula; import_responses keeps the ', so remove it before "
                    "importing where the answer itself begins that way",
                    guarded,
                )
                % {"count": guarded}
            )
