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
from dataclasses import dataclass, field
from typing import IO, Any

from django.core import signing
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.formula import ArrayFormula

from surveys import answer_types as at
from surveys.models import Question

from .. import values
from ..models import Response
from ..selectors import answers_of, survey_structure
from .identity import IDENTITY_SHEET, MARKER, WorkbookRejected, structure_fingerprint, unsign
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


def _open(source: IO[bytes]) -> Any:
    try:
        return load_workbook(source, data_only=False)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError) as exc:
        raise WorkbookRejected(
            _("This file is not an Excel workbook (.xlsx): upload the workbook downloaded from the questionnaire page.")
        ) from exc


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


def workbook_identity(source: IO[bytes]) -> tuple[str, str]:
    """The round's slug and the organisation's code a workbook says it is for (checked again, signed, on reading)."""
    payload = _identity(_open(source))
    return str(payload.get("survey", "")), str(payload.get("org", ""))


def _check_layout(wb: Any, tags: dict[str, dict[str, str]]) -> None:
    for sheet, rows in tags.items():
        if sheet not in wb.sheetnames:
            raise WorkbookRejected(
                _("The sheet “%(sheet)s” is missing or was renamed: the workbook's layout must stay as downloaded.")
                % {"sheet": sheet}
            )
        ws = wb[sheet]
        for row, tag in rows.items():
            if ws[f"A{row}"].value != tag:
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


def workbook_read(*, response: Response, source: IO[bytes]) -> Plan:
    """The plan of a filled workbook for `response` (its survey and organisation loaded); WorkbookRejected when the
    file is not this response's workbook as downloaded."""
    survey, organisation = response.survey, response.organisation
    wb = _open(source)
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
    _check_layout(wb, payload.get("tags", {}))
    by_code = {q.code: q for q in questions}
    plan = Plan(survey=survey.slug, org=organisation.code)
    # question -> cell -> {part: raw}; and where each part sits, and what the cell held at download
    parts: dict[str, dict[Key, dict[str, Any]]] = defaultdict(lambda: defaultdict(dict))
    refs: dict[tuple[str, Key], list[str]] = defaultdict(list)
    downloaded: dict[tuple[str, Key], tuple[int, str]] = {}
    for where, (code, row, column, part, version, text) in payload["cells"].items():
        sheet, ref = where.rsplit("!", 1)
        cell = wb[sheet][ref]
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
    for code, cells in parts.items():
        _question_entries(plan, by_code[code], cells, refs, downloaded, stored.get(by_code[code].pk, {}))
    return plan


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
        if at.to_text(spec.kind, value) != downloaded[(question.code, key)][1]:
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
