"""Reading an answer file: its limits, the refusal that lists every problem, and the rows of a CSV or .xlsx file.

The format is docs/answer-import-format.md; the file is read as a stream by accounts.tables.
"""

from __future__ import annotations

from pathlib import Path
from typing import IO, Any

from accounts.tables import TableError, TableOptions, read_all

Key = tuple[str, str]

MAX_FILE_BYTES = 50 * 1024 * 1024  # an Excel workbook once unpacked (the upload page accepts less)
MAX_CSV_BYTES = 2 * 1024**3  # a CSV file: it is streamed, never held in memory
MAX_ROWS = 5_000_000
BATCH = 20_000  # cells written per batch
COLUMNS = ("organisation", "question", "row", "column", "value")
REQUIRED_COLUMNS = ("organisation", "question", "value")
# Other spellings accepted in the header row (case is ignored).
COLUMN_ALIASES = {"organization": "organisation", "org": "organisation", "col": "column"}
SHOWN_CODES = 6  # how many valid rows/columns or missing questions a message names before "…"


class ImportRejected(Exception):
    """The file cannot be imported; `problems` lists every reason (`row N: reason`). Nothing was written."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(problems[0] if len(problems) == 1 else f"{len(problems)} problems")
        self.problems = problems


def table_options() -> TableOptions:
    """How answer files are read: Excel values stay typed (the answer types check numbers and dates)."""
    return TableOptions(typed=True, max_bytes=MAX_CSV_BYTES, max_unpacked=MAX_FILE_BYTES, max_rows=MAX_ROWS)


def read_rows(path_or_file: str | Path | IO[bytes], filename: str) -> tuple[list[str], list[list[Any]]]:
    """The header (texts) and the data rows (raw cell values) of a CSV (UTF-8) or Excel .xlsx file, in memory.

    The format is chosen by the file name's extension. Row i of the result is row i + 2 of the file (the header is
    row 1); blank rows are kept so that numbers match what a spreadsheet shows. ImportRejected when unreadable.
    `answers_import` streams instead.
    """
    try:
        return read_all(path_or_file, filename, table_options())
    except TableError as exc:
        raise ImportRejected(exc.problems) from exc
