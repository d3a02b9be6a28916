"""Reading a filled offline workbook back into an upload plan (see the package's docstring).

`workbook_read` opens the file, checks that it is this organisation's workbook of this round with its layout
intact (identity.py; each failure its own `WorkbookRejected` message), and reads every answer cell of the signed
map. A cell whose value is the one downloaded is left alone. Every other cell is checked by the rules of the web
form (`clean_cell` per cell, then the type's `check_together` across the question's cells): a valid one becomes
an *entry* (question, cell, new canonical text, the version and text it had at download), an invalid one a
*problem* named by its sheet and cell reference, in words. Nothing is written here.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from django.core import signing
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.cell.read_only import EMPTY_CELL
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string, get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.formula import ArrayFormula

from surveys import answer_types as at
from surveys.models import Question

from .. import values
from ..models import Response
from ..selectors import answers_of, survey_structure
from .identity import IDENTITY_SHEET, MARKER, WorkbookRejected, column_tag, structure_fingerprint, unsign
from .writing import asked_questions

Key = tuple[str, str]


@dataclass
class Plan:
    """What a workbook asks to change; JSON-able (`as_json`) to wait in a WorkbookUpload for the confirm."""

    survey: str
    org: str
    # {"question", "row", "column", "new", "base" (version at download), "downloaded" (text), "ref"}
    entries: list[dict[str, Any]] = field(default_factory=list)
    # {"sheet", "ref", "question", "row", "column", "message"}
    problems: list[dict[str, Any]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {"survey": self.survey, "org": self.org, "entries": self.entries, "problems": self.problems}


# A downloaded workbook of a whole round is about 45 KB zipped, 330 KB unpacked, its parts packed at most 13 to 1;
# filled in, it grows by its answers. Far beyond these it is not a questionnaire's workbook (or a zip bomb): refused
# before any of it is unpacked.
MAX_UNPACKED_BYTES = 20 * 2**20
MAX_PACKING_RATIO = 100
MAX_PARTS = 1000


def _not_a_workbook() -> WorkbookRejected:
    return WorkbookRejected(
        _("This file is not an Excel workbook (.xlsx): upload the workbook downloaded from the questionnaire page.")
    )


def _check_archive(source: IO[bytes], filename: str) -> None:
    """Refuse, from the zip's directory alone, a file that would unpack to far more than a workbook. zipfile stops
    reading a part at its declared size, so the declared sizes bound what unpacking can cost."""
    try:
        with zipfile.ZipFile(source) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        source.seek(0)
        if source.read(4) == b"PK\x03\x04":  # it starts as a workbook does: cut short or broken, not another file
            source.seek(0)
            with _damaged(filename):
                raise exc
        raise _not_a_workbook() from exc
    unpacked = sum(part.file_size for part in parts)
    packed = sum(part.compress_size for part in parts)
    if len(parts) > MAX_PARTS or unpacked > MAX_UNPACKED_BYTES or unpacked > MAX_PACKING_RATIO * max(packed, 1):
        raise WorkbookRejected(
            _(
                "%(file)s unpacks to %(size)s MB, far more than a questionnaire's workbook (at most %(limit)d MB): it "
                "is not read. Upload the workbook downloaded from the questionnaire page."
            )
            % {"file": filename, "size": f"{unpacked / 2**20:.1f}", "limit": MAX_UNPACKED_BYTES // 2**20}
        )
    source.seek(0)


@contextmanager
def _damaged(filename: str) -> Iterator[None]:
    """Whatever goes wrong while openpyxl reads the file (broken XML, a broken zip stream, a cell it cannot parse)
    is a damaged file, said in words; our own refusals pass through."""
    try:
        yield
    except WorkbookRejected:
        raise
    except Exception as exc:  # any failure of the parser means the same to the person
        raise WorkbookRejected(
            _(
                "%(file)s is damaged and cannot be read. Open it in Excel or LibreOffice and save it again as .xlsx, "
                "or download a new workbook, then upload it again."
            )
            % {"file": filename}
        ) from exc


def _open(source: IO[bytes], filename: str) -> Any:
    """The workbook, read-only: sheets are parsed as they are read, only the rows asked for."""
    _check_archive(source, filename)
    try:
        return load_workbook(source, read_only=True, data_only=False)
    except (InvalidFileException, zipfile.BadZipFile) as exc:
        raise _not_a_workbook() from exc
    except Exception as exc:  # a zip that is no workbook, or one whose parts are broken
        with _damaged(filename):
            raise exc


def _identity(wb: Any) -> dict[str, Any]:
    if IDENTITY_SHEET not in wb.sheetnames or wb[IDENTITY_SHEET]["A1"].value != MARKER:
        raise WorkbookRejected(
            _(
                "This workbook was not downloaded from this site's questionnaire page (it has no questionnaire "
                "identity). Download the offline workbook from the questionnaire page and fill that in."
            )
        )
    ws = wb[IDENTITY_SHEET]
    chunks = [str(row[0]) for row in ws.iter_rows(min_row=5, max_col=1, values_only=True) if row[0]]
    try:
        return unsign(chunks)
    except (signing.BadSignature, ValueError) as exc:
        raise WorkbookRejected(
            _(
                "The hidden part of this workbook that identifies its cells was changed, so its answers cannot be "
                "matched to the questions. Download a new workbook and copy your answers into it."
            )
        ) from exc


def workbook_identity(source: IO[bytes], filename: str = "") -> tuple[str, str]:
    """The round's slug and the organisation's code a workbook says it is for (checked again, signed, on reading)."""
    filename = filename or "workbook.xlsx"
    wb = _open(source, filename)
    try:
        with _damaged(filename):
            payload = _identity(wb)
    finally:
        wb.close()
    return str(payload.get("survey", "")), str(payload.get("org", ""))


def _sheet_cells(ws: Any, wanted: set[tuple[int, int]]) -> dict[tuple[int, int], Any]:
    """The cells `wanted` ((row, column), 1-based) of a read-only sheet, in one pass over its rows up to the last
    row wanted; the rest of the sheet is never parsed."""
    if not wanted:
        return {}
    last_row = max(row for row, _column in wanted)
    last_column = max(column for _row, column in wanted)
    found: dict[tuple[int, int], Any] = {}
    for row_index, row in enumerate(ws.iter_rows(min_row=1, max_row=last_row, max_col=last_column), start=1):
        for column_index, cell in enumerate(row, start=1):
            if (row_index, column_index) in wanted:
                found[(row_index, column_index)] = cell
    return found


def _read_cells(
    wb: Any, tags: dict[str, dict[str, str]], columns: dict[str, int], refs: Iterable[str]
) -> dict[str, dict[tuple[int, int], Any]]:
    """Per sheet, the cells the signed map names, the row tags of column A and the column tags of row 1; a missing
    sheet is refused."""
    wanted: dict[str, set[tuple[int, int]]] = defaultdict(set)
    for sheet, width in columns.items():
        wanted[sheet].update((1, column) for column in range(1, int(width) + 1))
    for sheet, rows in tags.items():
        wanted[sheet].update((int(row), 1) for row in rows)
    for where in refs:
        sheet, ref = where.rsplit("!", 1)
        column, row = coordinate_from_string(ref)
        wanted[sheet].add((row, column_index_from_string(column)))
    for sheet in wanted:
        if sheet not in wb.sheetnames:
            raise WorkbookRejected(
                _("The sheet “%(sheet)s” is missing or was renamed: the workbook's layout must stay as downloaded.")
                % {"sheet": sheet}
            )
    return {sheet: _sheet_cells(wb[sheet], cells) for sheet, cells in wanted.items()}


def _check_columns(cells: dict[str, dict[tuple[int, int], Any]], columns: dict[str, int]) -> None:
    for sheet, width in columns.items():
        for column in range(1, int(width) + 1):
            cell = cells[sheet].get((1, column))
            if cell is None or cell.value != column_tag(column):
                raise WorkbookRejected(
                    _(
                        "Columns of the sheet “%(sheet)s” were added, deleted or moved (first seen at column "
                        "%(column)s): the workbook's layout must stay as downloaded. Download a new workbook and copy "
                        "your answers into it."
                    )
                    % {"sheet": sheet, "column": get_column_letter(column)}
                )


def _check_layout(cells: dict[str, dict[tuple[int, int], Any]], tags: dict[str, dict[str, str]]) -> None:
    for sheet, rows in tags.items():
        for row, tag in rows.items():
            cell = cells[sheet].get((int(row), 1))
            if cell is None or cell.value != tag:
                raise WorkbookRejected(
                    _(
                        "Rows of the sheet “%(sheet)s” were added, deleted or moved (first seen at row %(row)s): the "
                        "workbook's layout must stay as downloaded. Download a new workbook and copy your answers "
                        "into it."
                    )
                    % {"sheet": sheet, "row": row}
                )


def _is_formula(cell: Any) -> bool:
    return cell.data_type == "f" or isinstance(cell.value, ArrayFormula)


def workbook_read(*, response: Response, source: IO[bytes], filename: str = "") -> Plan:
    """The plan of a filled workbook for `response` (its survey and organisation loaded); WorkbookRejected when the
    file is not this response's workbook as downloaded."""
    filename = filename or "workbook.xlsx"
    wb = _open(source, filename)
    try:
        return _plan(wb, response, filename)
    finally:
        wb.close()


def _plan(wb: Any, response: Response, filename: str) -> Plan:
    survey, organisation = response.survey, response.organisation
    with _damaged(filename):
        payload = _identity(wb)
    if payload.get("survey") != survey.slug or payload.get("org") != organisation.code:
        raise WorkbookRejected(
            _(
                "This workbook is for %(org)s in the round %(round)s, not for %(this_org)s in %(this_round)s: "
                "upload it on that questionnaire's page, or download this questionnaire's workbook."
            )
            % {
                "org": payload.get("org"),
                "round": payload.get("survey"),
                "this_org": organisation.code,
                "this_round": survey.slug,
            }
        )
    questions = asked_questions(survey_structure(survey, organisation.respondent_kind))
    if payload.get("fingerprint") != structure_fingerprint(questions):
        raise WorkbookRejected(
            _(
                "The questionnaire has changed since this workbook was downloaded, so its cells no longer match the "
                "questions. Download a new workbook and copy your answers into it."
            )
        )
    with _damaged(filename):
        read = _read_cells(wb, payload.get("tags", {}), payload.get("columns", {}), payload["cells"])
    _check_columns(read, payload.get("columns", {}))
    _check_layout(read, payload.get("tags", {}))
    by_code = {q.code: q for q in questions}
    plan = Plan(survey=survey.slug, org=organisation.code)
    # question -> cell -> {part: raw}; and where each part sits, and what the cell held at download
    parts: dict[str, dict[Key, dict[str, Any]]] = defaultdict(lambda: defaultdict(dict))
    refs: dict[tuple[str, Key], list[str]] = defaultdict(list)
    downloaded: dict[tuple[str, Key], tuple[int, str]] = {}
    for where, (code, row, column, part, version, text) in payload["cells"].items():
        sheet, ref = where.rsplit("!", 1)
        column_letters, row_number = coordinate_from_string(ref)
        cell = read[sheet].get((row_number, column_index_from_string(column_letters)), EMPTY_CELL)
        key = (row, column)
        refs[(code, key)].append(where)
        downloaded[(code, key)] = (int(version), text)
        if _is_formula(cell):
            plan.problems.append(
                _problem(where, code, key, _("The cell holds a formula; type the value itself instead."))
            )
            parts[code][key] = {"__formula__": True}
            continue
        if not parts[code][key].get("__formula__"):
            value = cell.value
            if isinstance(value, dt.datetime) and value.time() == dt.time(0):
                value = value.date()
            parts[code][key][part] = value
    stored = answers_of(response, [q.pk for q in questions if q.code in parts]) if response.pk else {}
    with translation.override(str(payload.get("language") or "") or None):  # the workbook's words for options
        for code, cells in parts.items():
            _question_entries(plan, by_code[code], cells, refs, downloaded, stored.get(by_code[code].pk, {}))
    return plan


EXCEL_DIGITS = 15  # Excel keeps numbers as doubles and shows, and saves, at most 15 significant digits


def _significant(number: Decimal) -> Decimal:
    return Decimal(f"{number:.{EXCEL_DIGITS}g}") if number.is_finite() else number


def _same_in_excel(downloaded: str, value: Any) -> bool:
    """A number read back that equals, at Excel's 15 significant digits, the one downloaded: Excel (or openpyxl's
    float) changed its last digits, nobody else did."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal) or not downloaded:
        return False
    try:
        before, after = Decimal(downloaded), Decimal(str(value))
    except (InvalidOperation, ValueError):
        return False
    return _significant(before) == _significant(after)


def _problem(where: str, code: str, key: Key, message: str) -> dict[str, Any]:
    sheet, ref = where.rsplit("!", 1)
    return {"sheet": sheet, "ref": ref, "question": code, "row": key[0], "column": key[1], "message": message}


def _question_entries(
    plan: Plan,
    question: Question,
    cells: dict[Key, dict[str, Any]],
    refs: dict[tuple[str, Key], list[str]],
    downloaded: dict[tuple[str, Key], tuple[int, str]],
    stored: dict[Key, Any],
) -> None:
    specs = at.cell_index(question.cells())
    changed: dict[Key, Any] = {}
    for key, given in cells.items():
        if given.get("__formula__"):
            continue
        spec = specs[key]
        try:
            value = at.clean_cell(spec, spec.codec.sheet_raw(spec, given))
        except at.AnswerError as exc:
            plan.problems.append(_problem(refs[(question.code, key)][0], question.code, key, str(exc)))
            continue
        text = downloaded[(question.code, key)][1]
        if at.to_text(spec.kind, value) != text and not _same_in_excel(text, value):
            changed[key] = value
    if not changed:
        return
    merged = {key: values.read(answer, specs[key].kind) for key, answer in stored.items() if key in specs}
    merged.update(changed)
    try:
        question.answer_type.check_together(question.shape, merged)
    except at.AnswerError as exc:
        for key in changed:
            plan.problems.append(_problem(refs[(question.code, key)][0], question.code, key, str(exc)))
        return
    for key, value in changed.items():
        version, text = downloaded[(question.code, key)]
        plan.entries.append(
            {
                "question": question.code,
                "row": key[0],
                "column": key[1],
                "new": at.to_text(specs[key].kind, value),
                "base": version,
                "downloaded": text,
                "ref": refs[(question.code, key)][0],
            }
        )
