"""Writing rows to a CSV or xlsx file as they come, never holding them all (docs/raw-data.md).

CSV: UTF-8 with a byte-order mark (Excel then reads Cyrillic and accents right; pandas and R skip it), comma
separated, every field quoted when needed; numbers as digits with a point, dates as YYYY-MM-DD. xlsx: one sheet,
written by openpyxl in write-only mode (each row is serialised when appended); numbers and dates as typed cells.

In both, a text that a spreadsheet would take for a formula (it starts with =, +, -, @, a tab or a carriage return)
gets a leading apostrophe, as in the Excel summary (`reports.workbook.styles.neutralise`): an answer is user input.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from ..workbook.styles import ERROR_VALUES, FORMULA_STARTS, neutralise


def csv_text(value: Any) -> str:
    """One CSV field: the canonical text of a value (Decimal without exponent, ISO dates), text made safe."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, str):
        return "'" + value if value.startswith(FORMULA_STARTS) else value
    return str(value)


def write_csv(path: Path, header: Sequence[Sequence[Any]], rows: Iterable[Sequence[Any]]) -> int:
    """Write the header rows and then each row; returns the number of data rows."""
    written = 0
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        for line in header:
            writer.writerow([csv_text(value) for value in line])
        for written, row in enumerate(rows, 1):  # noqa: B007 - the count is the result
            writer.writerow([csv_text(value) for value in row])
    return written


def write_xlsx(path: Path, header: Sequence[Sequence[Any]], rows: Iterable[Sequence[Any]], title: str) -> int:
    """Write one sheet named `title`: bold header rows frozen above the data, then each row as it comes."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    sheet.freeze_panes = f"A{len(header) + 1}"
    bold = Font(bold=True)
    for line in header:
        cells = []
        for value in line:
            cell = WriteOnlyCell(sheet, value=_xlsx_value(sheet, value))
            cell.font = bold
            cells.append(cell)
        sheet.append(cells)
    written = 0
    for written, row in enumerate(rows, 1):  # noqa: B007 - the count is the result
        sheet.append([_xlsx_value(sheet, value) for value in row])
    workbook.save(path)
    return written


def _xlsx_value(sheet: Any, value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, str):
        safe = neutralise(value)
        if safe in ERROR_VALUES:  # openpyxl would make "#N/A" an error value: keep it as text
            cell = WriteOnlyCell(sheet, value=safe)
            cell.data_type = "s"
            return cell
        return safe
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "yyyy-mm-dd"
        return cell
    return value
