"""Reading tables from CSV and Excel .xlsx files: the one reader behind every import (answers, organisations,
invitations).

A table is read as a stream of rows, so a file of a million rows never sits in memory: `open_table` checks what can
be checked up front (size, format, encoding mark, unpacked size of a workbook), reads the header row and then yields
`(row number, cells)` for every row below it, blank rows included, so numbers match what a spreadsheet shows (the
header is row 1; a CSV record spanning several lines is one row). What cannot be read is refused with `TableError`,
whose messages say what is wrong and where.

The imports differ only in options (`TableOptions`):

- `typed`: the answer import keeps Excel's typed values (numbers, dates, booleans) because the answer types check
  them; the people imports want every cell as stripped text (`cell_text`: 1.0 → "1", a date → "2024-05-01").
- `max_bytes`, `max_unpacked`, `max_rows`, `max_line`: how large a CSV file, an unpacked workbook, a table and a
  single CSV line may be.

Checks made for every import:

- CSV: UTF-8 with or without a byte order mark; UTF-16 (with a BOM, or without one: NUL bytes) and other encodings
  are refused with the row and byte where reading failed. The delimiter (`,` `;` or tab) is taken from the header.
- XLSX: a zip archive whose members unpack (by the sizes in the archive's directory, which `zipfile` enforces when
  reading) to at most `max_unpacked` bytes, checked before anything is decompressed, so a zip bomb is refused at
  once; a damaged or foreign workbook is refused. Only the first sheet is read.
- Formulas: only a workbook holds formulas. A formula cell of an .xlsx file (one Excel computes, not a text cell that
  happens to begin with `=`) is not used; each is reported as `row N: cell C7 holds a formula (…)` in
  `TableReader.problems` and its row is not yielded. A CSV file holds text only: "+1-800-555-0100 hotline",
  "@ministry", "=SUM(A1)" or "-5" in a CSV are what the person wrote, and are read as such (exports neutralise such
  text again when they write a spreadsheet).
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import itertools
import warnings
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from django.utils.translation import gettext as _

MB = 2**20
CSV_DELIMITERS = (",", ";", "\t")

Source = str | Path | IO[bytes] | bytes


class TableError(Exception):
    """A table that cannot be used. `problems` lists every reason, each `row N: reason` where a row is known."""

    def __init__(self, problems: str | Sequence[str]) -> None:
        self.problems: list[str] = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("\n".join(self.problems))


@dataclass(frozen=True)
class TableOptions:
    typed: bool = False  # keep Excel's numbers, dates and booleans (answers) instead of text (people)
    max_bytes: int = 50 * MB  # a CSV file
    max_unpacked: int = 50 * MB  # an .xlsx workbook once unpacked
    max_rows: int = 100_000  # data rows below the header
    max_line: int = 1 * MB  # characters in one line of a CSV file


def cell_text(value: Any) -> str:
    """A spreadsheet cell as text: a whole float as an integer, a date as YYYY-MM-DD, nothing as ""."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def column_letter(index: int) -> str:
    """1 → A, 27 → AA."""
    letters = ""
    while index > 0:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def formula_reason(number: int, index: int, value: Any) -> str:
    return _("cell %(cell)s holds a formula (%(formula)s); paste the values instead.") % {
        "cell": f"{column_letter(index)}{number}",
        "formula": str(value).strip()[:40],
    }


def formula_problem(number: int, index: int, value: Any) -> str:
    return _("row %(row)d: %(reason)s") % {"row": number, "reason": formula_reason(number, index, value)}


def _too_many_rows(limit: int) -> TableError:
    return TableError(_("The file has more than %(n)d rows; split it.") % {"n": limit})


def _not_utf8(byte: int, row: int) -> TableError:
    return TableError(
        _(
            "The file is not UTF-8 text (byte %(byte)d, in row %(row)d, is not valid UTF-8). In Excel choose "
            "“Save as” → “CSV UTF-8 (comma delimited)”; in a text editor save it with the UTF-8 encoding."
        )
        % {"byte": byte, "row": row}
    )


class TableReader:
    """An open table: `header` (texts of row 1), iteration over `(number, cells)` below it, `problems` found so far
    (formula cells, as `row N: …`). Use it as a context manager, or call close()."""

    def __init__(self, header: list[str], rows: Iterator[tuple[int, list[Any]]], closer: Any = None) -> None:
        self.header = header
        self.problems: list[str] = []
        # The same problems as (row number, reason), for callers that sort them among their own by row.
        self.row_problems: list[tuple[int, str]] = []
        self._rows = rows
        self._closer = closer

    def __iter__(self) -> Iterator[tuple[int, list[Any]]]:
        return self._rows

    def close(self) -> None:
        if self._closer is not None:
            self._closer()
            self._closer = None

    def __enter__(self) -> TableReader:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.close()


def open_table(source: Source, filename: str, options: TableOptions | None = None) -> TableReader:
    """Open a .csv or .xlsx file (chosen by `filename`'s extension) for reading; TableError when it cannot be read.

    `source` is a path, a binary file object (an upload; read from its start) or the content as bytes.
    """
    options = options or TableOptions()
    suffix = Path(filename).suffix.lower()
    if suffix == ".csv":
        return _open_csv(source, options)
    if suffix == ".xlsx":
        return _open_xlsx(source, options)
    if suffix == ".xls":
        raise TableError(_("Old Excel .xls files are not accepted; save the file as .xlsx or as CSV UTF-8."))
    raise TableError(
        _("“%(name)s” is an unsupported file type: neither a .csv nor an .xlsx file. Use a .csv (UTF-8) or .xlsx file.")
        % {"name": Path(filename).name[:100] or "?"}
    )


def read_all(source: Source, filename: str, options: TableOptions | None = None) -> tuple[list[str], list[list[Any]]]:
    """The header and every row below it (blank rows kept) in memory; TableError for any problem, formulas included."""
    with open_table(source, filename, options) as reader:
        rows = [cells for _number, cells in reader]
        if reader.problems:
            raise TableError(reader.problems)
        return reader.header, rows


def _binary(source: Source) -> tuple[IO[bytes], bool]:
    """A binary file positioned at the start, and whether we opened it (and must close it)."""
    if isinstance(source, (str, Path)):
        return open(source, "rb"), True
    if isinstance(source, (bytes, bytearray)):
        return io.BytesIO(source), True
    source.seek(0)
    return source, False


def _size(handle: IO[bytes]) -> int:
    position = handle.tell()
    size = handle.seek(0, io.SEEK_END)
    handle.seek(position)
    return size


# --- CSV -------------------------------------------------------------------------------------------------------


def _open_csv(source: Source, options: TableOptions) -> TableReader:
    handle, owned = _binary(source)
    try:
        if _size(handle) > options.max_bytes:
            raise TableError(
                _("The file is larger than %(mb)d MB; split it into smaller files.") % {"mb": options.max_bytes // MB}
            )
        start = handle.read(4)
        handle.seek(0)
        if start.startswith(b"PK\x03\x04"):
            raise TableError(
                _(
                    "The file is a zip archive (an Excel .xlsx workbook?), not CSV text. Name it .xlsx, or save it as "
                    "“CSV UTF-8 (comma delimited)”."
                )
            )
        if start.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise TableError(
                _("The file is saved as UTF-16 (“Unicode text”). Save it as “CSV UTF-8 (comma delimited)” instead.")
            )
        text = io.TextIOWrapper(handle, encoding="utf-8-sig", errors="strict", newline="")
        lines = _Lines(text, handle, options.max_line)
        try:
            first = next(lines.iterator, "")
        except UnicodeDecodeError:
            raise lines.decode_error() from None
        # Excel writes ";" or tabs instead of commas in many locales: the header row tells which one the file uses.
        delimiter = max(CSV_DELIMITERS, key=lambda d: (first.count(d), d == ","))
        records = csv.reader(itertools.chain([first], lines.iterator), delimiter=delimiter)
        try:
            header_cells = next(records, None)
        except (csv.Error, UnicodeDecodeError) as exc:
            raise _csv_error(exc, lines, 1) from None
        reader = TableReader([], iter(()), closer=(lambda: text.detach() and handle.close()) if owned else text.detach)
        header_cells = list(header_cells or [])
        reader.header = [cell_text(v) for v in header_cells]
        reader._rows = _csv_rows(reader, records, lines, options) if header_cells else iter(())
        return reader
    except BaseException:
        if owned:
            handle.close()
        raise


class _Lines:
    """The lines of a text stream, each at most `limit` characters; counts them for error messages."""

    def __init__(self, text: io.TextIOWrapper, binary: IO[bytes], limit: int) -> None:
        self.text, self.binary, self.limit = text, binary, limit
        self.iterator = self._lines()

    def _lines(self) -> Iterator[str]:
        readline, limit = self.text.readline, self.limit
        while True:
            line = readline(limit)
            if not line:
                return
            if len(line) >= limit and line[-1] not in "\r\n" and self.text.read(1):
                raise TableError(
                    _("A line of the file is longer than %(n)d characters; it is not a table of answers.")
                    % {"n": limit}
                )
            if "\x00" in line:
                raise TableError(
                    _(
                        "The file contains NUL bytes: it is not UTF-8 text (it may be UTF-16 “Unicode text” without a "
                        "byte order mark, or not a text file at all). Save it as “CSV UTF-8 (comma delimited)”."
                    )
                )
            yield line

    def decode_error(self) -> TableError:
        """Find the first byte that is not UTF-8 (and its row) by reading the file again, in binary."""
        self.binary.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")()
        offset, row = 0, 1
        while chunk := self.binary.read(1 << 20):
            try:
                decoded = decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                pending = len(decoder.getstate()[0])
                valid = chunk[: exc.start]
                row += valid.count(b"\n") + (valid.count(b"\r") - valid.count(b"\r\n"))
                return _not_utf8(offset - pending + exc.start + 1, row)
            row += decoded.count("\n") + decoded.count("\r") - decoded.count("\r\n")
            offset += len(chunk)
        return _not_utf8(offset, row)


def _csv_error(exc: Exception, lines: _Lines, number: int) -> TableError:
    if isinstance(exc, UnicodeDecodeError):
        return lines.decode_error()
    return TableError(_("row %(row)d: the CSV cannot be read (%(error)s).") % {"row": number, "error": exc})


def _csv_rows(
    reader: TableReader, records: Any, lines: _Lines, options: TableOptions
) -> Iterator[tuple[int, list[Any]]]:
    typed, limit = options.typed, options.max_rows + 1
    number = 1
    while True:
        try:
            record = next(records, None)
        except (csv.Error, UnicodeDecodeError) as exc:
            raise _csv_error(exc, lines, number + 1) from None
        if record is None:
            return
        number += 1
        if number > limit:
            raise _too_many_rows(options.max_rows)
        yield number, (record if typed else [v.strip() for v in record])


# --- XLSX ------------------------------------------------------------------------------------------------------


def _open_xlsx(source: Source, options: TableOptions) -> TableReader:
    import openpyxl  # imported here: only Excel files need it

    handle, owned = _binary(source)
    try:
        if not zipfile.is_zipfile(handle):
            raise TableError(
                _(
                    "The file is not an Excel .xlsx workbook (it is not a zip archive). Save it as .xlsx or as "
                    "CSV UTF-8."
                )
            )
        handle.seek(0)
        try:
            with zipfile.ZipFile(handle) as archive:
                # The sizes in the archive's directory: nothing is decompressed here. zipfile never returns more
                # than a member's stated size, so this bounds what reading the workbook can unpack.
                unpacked = sum(info.file_size for info in archive.infolist())
        except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
            raise TableError(_("The workbook cannot be opened: %(error)s") % {"error": exc}) from exc
        if unpacked > options.max_unpacked:
            raise TableError(
                _("The workbook unpacks to %(size)d MB; at most %(mb)d MB are accepted. Split it into smaller files.")
                % {"size": unpacked // MB, "mb": options.max_unpacked // MB}
            )
        handle.seek(0)
        with warnings.catch_warnings():
            # openpyxl warns about workbook features it ignores (data validation, styles); they do not matter here.
            warnings.simplefilter("ignore")
            try:
                workbook = openpyxl.load_workbook(handle, read_only=True, data_only=False)
            except Exception as exc:  # openpyxl raises many kinds of error for a damaged or foreign file
                raise TableError(_("The workbook cannot be opened: %(error)s") % {"error": exc}) from exc

        def close() -> None:
            workbook.close()
            if owned:
                handle.close()

        if not workbook.worksheets:
            close()
            return TableReader([], iter(()))
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # the stored size may be wrong; read every row there is
        values = _sheet_values(sheet)
        reader = TableReader([], iter(()), closer=close)
        try:
            first = next(values, None)
        except TableError:
            close()
            raise
        if first is None:
            return reader
        header, formulas = list(first[0]), first[1]
        for index in formulas:
            reader.problems.append(formula_problem(1, index, header[index - 1]))
            reader.row_problems.append((1, formula_reason(1, index, header[index - 1])))
            header[index - 1] = None
        reader.header = [cell_text(v) for v in header]
        reader._rows = _xlsx_rows(reader, values, options)
        return reader
    except BaseException:
        if owned:
            handle.close()
        raise


def _sheet_values(sheet: Any) -> Iterator[tuple[tuple[Any, ...], list[int]]]:
    """Each row's values, and the (1-based) columns of its formula cells: a cell's type, not its text, says which."""
    rows = sheet.iter_rows()
    while True:
        try:
            row = next(rows, None)
        except Exception as exc:  # damaged XML, a member whose content is not what its directory says
            raise TableError(_("The workbook cannot be read: %(error)s") % {"error": str(exc)[:200]}) from exc
        if row is None:
            return
        yield tuple(cell.value for cell in row), [i for i, cell in enumerate(row, start=1) if cell.data_type == "f"]


def _xlsx_rows(
    reader: TableReader, values: Iterator[tuple[tuple[Any, ...], list[int]]], options: TableOptions
) -> Iterator[tuple[int, list[Any]]]:
    typed, limit = options.typed, options.max_rows + 1
    for number, (row, formulas) in enumerate(values, start=2):
        if number > limit:
            raise _too_many_rows(options.max_rows)
        if formulas:
            reader.problems.extend(formula_problem(number, i, row[i - 1]) for i in formulas)
            reader.row_problems.extend((number, formula_reason(number, i, row[i - 1])) for i in formulas)
            continue
        yield number, (list(row) if typed else [cell_text(v) for v in row])
