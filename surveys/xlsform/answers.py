"""Answers collected in KoboToolbox or ODK, back into our answer import (`import_responses`, long format).

A KoboToolbox or ODK Central export is *wide*: one row per submission, one column per field, headed by the field's
name, often behind its group path (`PRV/PRV.SUP/PRV.SUP.01`, `PRV.SUP.02-cells/PRV.SUP.02-a`). Our field names
give question, row and column back (`surveys.xlsform.cell_of_name`), so each non-empty cell becomes one row
`organisation, question, row, column, value` of the long format. Several choices (space-separated in XLSForm) are
joined by `;`. Columns that are not a question's field (metadata such as `_id`, `start`, `meta/instanceID`, and the
one-column-per-option expansion `PRV.SUP.04/yes` of a multiple choice) are left out. A date cell of an .xlsx
export is written YYYY-MM-DD; `formula_safe` puts a ' before text a spreadsheet would run as a formula.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection, Iterable, Iterator, Mapping
from typing import Any

from oscethb.spreadsheets import FORMULA_STARTS

from ..definition_reader import QUESTION_RE
from . import cell_of_name

LONG_COLUMNS = ("organisation", "question", "row", "column", "value")
_NUMBER = re.compile(r"^[+-]?\d+(?:[.,]\d+)?$")


def cell_text(value: Any) -> str:
    """The text of an export's cell: a date (a date cell of an .xlsx export) as YYYY-MM-DD, as the answer import
    reads it, a date and time at midnight as its date."""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def formula_safe(text: str) -> str:
    """Text a spreadsheet shows as it is: a leading ' before text it would take for a formula (`=HYPERLINK(…)`,
    `@cmd`), as the project's exports write it; a plain number (`-5`) is a number, not a formula, and stays."""
    if text.startswith(FORMULA_STARTS) and not _NUMBER.match(text):
        return "'" + text
    return text


def _field_of(header: str) -> tuple[str, str, str] | None:
    """(question, row, column) of a wide export's column; None for any other column."""
    parts = header.split("/")
    question, row, column = cell_of_name(parts[-1])
    if QUESTION_RE.match(question):
        return question, row, column
    return None


def wide_to_long(
    rows: Iterable[Mapping[str, Any]], *, several: Collection[str] = (), organisation: str = "organisation"
) -> Iterator[dict[str, str]]:
    """The long-format rows of a wide export; `several`: the codes of the questions whose answer holds several
    choices (their space-separated codes become `;`-separated); `organisation`: the column naming the organisation."""
    for row in rows:
        who = str(row.get(organisation) or "").strip()
        for header, value in row.items():
            cell = _field_of(str(header))
            if cell is None or value is None or str(value).strip() == "":
                continue
            text = cell_text(value)
            question, cell_row, column = cell
            yield {
                "organisation": who,
                "question": question,
                "row": cell_row,
                "column": column,
                "value": ";".join(text.split()) if question in several and not cell_row else text,
            }
