"""People tables: a CSV or XLSX file held as text rows (the reading itself is accounts.tables)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ..tables import TableError as TableError  # re-exported: the people services raise it
from ..tables import TableOptions, open_table

MAX_TABLE_BYTES = 50 * 1024 * 1024  # a CSV file, or the unpacked content of an XLSX workbook
MAX_TABLE_ROWS = 100_000


@dataclass
class TableRow:
    number: int  # the row in the file or sheet; the header is row 1
    values: dict[str, str]  # column -> text, stripped; "" for an empty cell

    def __getitem__(self, column: str) -> str:
        return self.values[column]

    def get(self, column: str, default: str = "") -> str:
        return self.values.get(column, default)


@dataclass
class Table:
    header: list[str]  # column names as written in row 1 (stripped)
    rows: list[TableRow]  # non-empty rows only, in file order


def row_problem(number: int, reason: str) -> str:
    return _("row %(row)d: %(reason)s") % {"row": number, "reason": reason}


def _options() -> TableOptions:
    return TableOptions(typed=False, max_bytes=MAX_TABLE_BYTES, max_unpacked=MAX_TABLE_BYTES, max_rows=MAX_TABLE_ROWS)


def read_table(path: str | Path) -> Table:
    """Read a .csv (UTF-8, with or without BOM) or .xlsx file (first sheet) into a Table of texts.

    Raises TableError for a missing, too large, unreadable or wrongly encoded file, and for formula cells of a
    workbook (every such cell is reported; a CSV holds text only); see accounts.tables.
    """
    path = Path(path)
    if not path.is_file():
        raise TableError(_("%(path)s: no such file") % {"path": path})
    return _table(path, path.name)


def table_from_bytes(data: bytes, *, filename: str) -> Table:
    """Like read_table, for content already in memory (an upload); `filename` chooses CSV or XLSX by its suffix."""
    return _table(data, filename)


def _table(source: str | Path | bytes, filename: str) -> Table:
    problems: list[str] = []
    rows: list[TableRow] = []
    with open_table(source, filename, _options()) as reader:
        header = _header(list(reader.header), problems) if reader.header else None
        if header is None:
            problems.extend(reader.problems)
            raise TableError(problems or _("the file is empty; row 1 must name the columns"))
        width = len(header)
        for number, texts in reader:
            if not any(texts):
                continue
            if any(texts[width:]):
                problems.append(row_problem(number, _("more cells than there are columns in the header")))
                continue
            texts += [""] * (width - len(texts))
            rows.append(TableRow(number, {name: text for name, text in zip(header, texts, strict=False) if name}))
        problems.extend(reader.problems)
    if problems:
        problems.sort(key=_row_of)
        raise TableError(problems)
    return Table([name for name in header if name], rows)


def _row_of(problem: str) -> int:
    match = re.match(r"row (\d+):", problem)
    return int(match.group(1)) if match else 0


def _header(texts: list[str], problems: list[str]) -> list[str]:
    # Trailing empty header cells are dropped; an empty name in the middle keeps its place but is ignored.
    while texts and not texts[-1]:
        texts.pop()
    seen: set[str] = set()
    for name in texts:
        if name and name.casefold() in seen:
            problems.append(row_problem(1, _("column “%(name)s” appears twice") % {"name": name}))
        seen.add(name.casefold())
    return texts


def table_columns(
    table: Table, *, required: Sequence[str], optional: Sequence[str] = (), allow_other: bool = False
) -> Table:
    """The table with its columns renamed to the expected names (matched case-insensitively).

    Raises TableError naming every missing column, and (unless allow_other) every column that is not expected.
    """
    expected = {name.casefold(): name for name in (*required, *optional)}
    rename: dict[str, str] = {}
    unknown: list[str] = []
    for name in table.header:
        wanted = expected.get(name.casefold())
        if wanted is None:
            unknown.append(name)
        else:
            rename[name] = wanted
    problems = []
    missing = [name for name in required if name not in rename.values()]
    if missing:
        problems.append(
            row_problem(
                1,
                ngettext("missing column: %(names)s", "missing columns: %(names)s", len(missing))
                % {"names": ", ".join(missing)},
            )
        )
    if unknown and not allow_other:
        problems.append(
            row_problem(
                1,
                ngettext(
                    "unknown column: %(names)s (expected %(expected)s)",
                    "unknown columns: %(names)s (expected %(expected)s)",
                    len(unknown),
                )
                % {"names": ", ".join(unknown), "expected": ", ".join((*required, *optional))},
            )
        )
    if problems:
        raise TableError(problems)
    header = [rename.get(name, name) for name in table.header]
    rows = [TableRow(row.number, {rename.get(k, k): v for k, v in row.values.items()}) for row in table.rows]
    return Table(header, rows)
