"""The offline questionnaire workbook of one organisation in one round (see the package's docstring).

Sheets: a cover (organisation, round, deadline, instructions), one sheet per area of the questionnaire, a hidden
sheet of drop-down lists and the hidden identity sheet (identity.py). On an area's sheet each question takes a
heading row (code, text), a help row, a show-if row ("Answer only if …") and its grid (`AnswerType.sheet_grid`):
column B the code, C the words of the row, D onwards the answer cells. Column A (hidden) tags each answer row.
Every sheet is protected: only the answer cells are unlocked, and the workbook's structure (sheets) is locked.

Built in the request: a whole round (about 300 questions) takes well under a second (README, "Offline workbook").
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterable
from typing import Any

from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from accounts.models import Organisation
from surveys import answer_types as at
from surveys.models import Area, Question, Survey

from .. import values
from ..deadlines import response_deadline
from ..models import Answer, Response
from ..selectors import answers_of, survey_structure
from .identity import IDENTITY_SHEET, MARKER, column_tag, sign, structure_fingerprint

FIRST_SLOT_COLUMN = 4  # D: the first answer column
LISTS_SHEET = "_lists"
ANSWER_FILL = PatternFill("solid", fgColor="FFF8DC")
# Every font names its face: LibreOffice set unnamed bold and italic text in a wider serif face, and wrapped rows
# sized for Calibri lost their last line.
FONT = "Calibri"
BOLD = Font(name=FONT, bold=True)
MUTED = Font(name=FONT, italic=True, color="555555")
WRAP = Alignment(wrap_text=True, vertical="top")
UNLOCKED = Protection(locked=False)
_INVALID_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


SHEET_NAME_MAX = 31  # Excel's limit


def _fit_name(text: str, limit: int) -> str:
    """Text as a sheet name of at most `limit` characters: each run of forbidden characters ([]:*?/\\) and spaces
    one space, cut at a word boundary with "…" when too long (mid-word only when the first word alone is too long)."""
    name = " ".join(_INVALID_SHEET_CHARS.sub(" ", text).split()).strip("' ")
    if len(name) <= limit:
        return name
    room = name[: limit - 1]  # one character for "…"
    at_word = room.rsplit(" ", 1)[0] if " " in room and name[limit - 1] != " " else room
    return (at_word if len(at_word) > limit // 3 else room).rstrip(" ,;.-–—'") + "…"


def sheet_name(text: str, used: set[str]) -> str:
    """A valid sheet name (see `_fit_name`), unique in the workbook (case aside): " (2)", " (3)" … when taken."""
    taken = {u.casefold() for u in used}
    name, n = _fit_name(text, SHEET_NAME_MAX) or "Sheet", 2
    while name.casefold() in taken:
        suffix = f" ({n})"
        name, n = (_fit_name(text, SHEET_NAME_MAX - len(suffix)) or "Sheet") + suffix, n + 1
    used.add(name)
    return name


LINE_PT = 15.0  # openpyxl's default row height
CHARS_PER_WIDTH = 1.15  # characters of body text per unit of column width
WIDE = 1.2  # a capital or Cyrillic letter, in widths of a Latin lower-case letter
BOLD_NARROWING = 0.8
QUESTION_WIDTH, CODE_WIDTH, SLOT_WIDTH = 60, 14, 22
COVER_WIDTHS = (22, 70)


def text_lines(text: str, width: float, *, bold: bool = False) -> int:
    """How many lines a text takes wrapped at words in a column `width` characters wide (as Excel and LibreOffice
    wrap it; the estimate of reports.workbook.styles.text_lines, which this app may not import)."""
    capacity = max(1.0, width * CHARS_PER_WIDTH * (BOLD_NARROWING if bold else 1))
    lines = 0
    for paragraph in str(text).split("\n"):
        lines += 1
        used = 0.0
        for word in paragraph.split():
            size = sum(WIDE if (char.isupper() or "\u0400" <= char <= "\u04ff") else 1.0 for char in word)
            if used and used + 1 + size > capacity:
                lines += 1
                used = 0.0
            used += (1 if used else 0) + size
            while used > capacity:
                lines += 1
                used -= capacity
    return lines


def fit_height(ws: Worksheet, row: int, text: str, width: float, *, bold: bool = False) -> None:
    """Make row `row` at least as tall as `text` wrapped in `width` characters takes (never lower it)."""
    lines = text_lines(text, width, bold=bold)
    if lines > 1:
        height = lines * LINE_PT + 3
        ws.row_dimensions[row].height = max(ws.row_dimensions[row].height or LINE_PT, height)


def print_across_one_page(ws: Worksheet) -> None:
    """Printed on A4 landscape, every column on one page across (pages run down only): printed as it came, the
    cover's second column and the answer columns each went onto pages of their own."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0


def put_text(ws: Worksheet, ref: str, text: str, font: Font | None = None) -> None:
    """Text stays text: a value that starts with '=' is never written as a formula."""
    cell = ws[ref]
    cell.value = text
    if isinstance(text, str):
        cell.data_type = "s"
    if font is not None:
        cell.font = font
    cell.alignment = WRAP


class _Lists:
    """The hidden sheet of drop-down lists: each distinct list once, referred to by range."""

    def __init__(self, ws: Worksheet) -> None:
        self.ws = ws
        self.ranges: dict[tuple[str, ...], str] = {}

    def range_of(self, options: tuple[str, ...]) -> str:
        if options not in self.ranges:
            column = get_column_letter(len(self.ranges) + 1)
            for index, label in enumerate(options, start=1):
                put_text(self.ws, f"{column}{index}", label)
            self.ranges[options] = f"{quote_sheetname(LISTS_SHEET)}!${column}$1:${column}${max(1, len(options))}"
        return self.ranges[options]


def _rule_validation(rule: at.SheetRule, lists: _Lists) -> DataValidation:
    spec = rule.excel(lists.range_of)
    error = spec.pop("error")
    validation = DataValidation(allow_blank=True, **spec)
    validation.error, validation.errorTitle, validation.showErrorMessage = error, _("Not accepted"), True
    return validation


class _AreaSheet:
    def __init__(self, ws: Worksheet, lists: _Lists, cells: dict[str, list[Any]], tags: dict[str, str]) -> None:
        self.ws, self.lists, self.cells, self.tags = ws, lists, cells, tags
        self.row = 1
        self.validations: dict[at.SheetRule, DataValidation] = {}
        self.width = FIRST_SLOT_COLUMN

    def line(self, code: str, text: str, font: Font | None = None) -> None:
        if code:
            put_text(self.ws, f"B{self.row}", code, BOLD)
        if text:
            put_text(self.ws, f"C{self.row}", text, font)
            fit_height(self.ws, self.row, text, QUESTION_WIDTH, bold=bool(font is not None and font.b))
        self.row += 1

    def question(self, question: Question, stored: dict[tuple[str, str], Answer], condition: str) -> None:
        self.line(question.code, question.text_in_language, BOLD)
        if question.help_in_language:
            self.line("", question.help_in_language, MUTED)
        if condition:
            self.line("", condition, MUTED)
        answer_type = question.answer_type
        grid = answer_type.sheet_grid(question.shape)
        if not grid.rows:
            self.line("", _("Documents are uploaded on the website, not in this workbook."), MUTED)
        specs = at.cell_index(question.cells())
        if grid.columns:
            for offset, heading in enumerate(grid.columns):
                put_text(self.ws, f"{get_column_letter(FIRST_SLOT_COLUMN + offset)}{self.row}", heading, BOLD)
                fit_height(self.ws, self.row, heading, SLOT_WIDTH, bold=True)
            self.row += 1
        shown: dict[tuple[str, str], dict[str, Any]] = {}
        for index, (label, slots) in enumerate(grid.rows):
            tag = f"{question.code}#{index}"
            put_text(self.ws, f"A{self.row}", tag)
            self.tags[str(self.row)] = tag
            if label:
                put_text(self.ws, f"C{self.row}", label)
                fit_height(self.ws, self.row, label, QUESTION_WIDTH)
            for offset, slot in enumerate(slots):
                if slot is None:
                    continue
                spec = specs[slot.key]
                answer = stored.get(slot.key)
                if slot.key not in shown:
                    shown[slot.key] = spec.codec.sheet_values(spec, values.read(answer, spec.kind))
                column = FIRST_SLOT_COLUMN + offset
                self.width = max(self.width, column)
                ref = f"{get_column_letter(column)}{self.row}"
                cell = self.ws[ref]
                value = shown[slot.key].get(slot.part)
                cell.value = value
                if isinstance(value, str):
                    cell.data_type = "s"
                elif isinstance(value, dt.date):
                    cell.number_format = "yyyy-mm-dd"
                cell.protection, cell.fill, cell.alignment = UNLOCKED, ANSWER_FILL, WRAP
                rule = spec.codec.sheet_rule(spec)
                if rule is not None:
                    if rule not in self.validations:
                        self.validations[rule] = _rule_validation(rule, self.lists)
                    self.validations[rule].add(ref)
                self.cells[f"{self.ws.title}!{ref}"] = [
                    question.code,
                    slot.key[0],
                    slot.key[1],
                    slot.part,
                    answer.version if answer is not None else 0,
                    values.as_text(answer, spec.kind),
                ]
            self.row += 1
        self.row += 1

    def finish(self) -> int:
        """Protect the sheet; tag its columns in the hidden row 1 (identity.column_tag). The number of columns
        tagged."""
        for column in range(1, self.width + 1):
            put_text(self.ws, f"{get_column_letter(column)}1", column_tag(column))
        self.ws.row_dimensions[1].hidden = True
        for validation in self.validations.values():
            self.ws.add_data_validation(validation)
        self.ws.column_dimensions["A"].hidden = True
        self.ws.column_dimensions["B"].width = CODE_WIDTH
        self.ws.column_dimensions["C"].width = QUESTION_WIDTH
        for column in range(FIRST_SLOT_COLUMN, self.width + 1):
            self.ws.column_dimensions[get_column_letter(column)].width = SLOT_WIDTH
        self.ws.freeze_panes = "C3"
        self.ws.protection.sheet = True
        self.ws.protection.formatColumns = False  # widths may be changed; nothing else of the layout
        self.ws.protection.formatRows = False
        print_across_one_page(self.ws)
        return self.width


def _condition(question: Question, by_code: dict[str, Question]) -> str:
    rule = question.show_if
    if not rule:
        return ""
    target = by_code.get(rule["question"])
    if target is None:
        return ""
    row = rule.get("row", "")
    labels = [target.words.option(code, (row, "")) for code in rule["in"]]
    where = target.code + (f" ({target.words.cell((row, ''))})" if row else "")
    return _("Answer only if the answer to %(question)s is: %(options)s.") % {
        "question": where,
        "options": " / ".join(labels),
    }


def _cover(
    ws: Worksheet, *, survey: Survey, organisation: Organisation, deadline: dt.date | None, language: str
) -> None:
    wide = sum(COVER_WIDTHS)  # the title and the instructions span both columns
    put_text(ws, "A1", survey.title_text, Font(name=FONT, bold=True, size=14))
    ws.merge_cells("A1:B1")
    ws.row_dimensions[1].height = text_lines(survey.title_text, wide, bold=True) * 20 + 4
    facts = [
        (_("Organisation"), f"{organisation.name_in(language)} ({organisation.code})"),
        (_("Round"), f"{survey.title_text} ({survey.slug})"),
        (
            _("Deadline"),
            formats.date_format(deadline, "DATE_FORMAT") if deadline else _("No deadline has been set."),
        ),
        (_("Downloaded"), formats.date_format(timezone.localdate(), "DATE_FORMAT")),
        (_("Language"), translation.get_language_info(language)["name_local"]),
    ]
    for index, (label, value) in enumerate(facts, start=3):
        put_text(ws, f"A{index}", label, BOLD)
        put_text(ws, f"B{index}", value)
        fit_height(ws, index, label, COVER_WIDTHS[0], bold=True)
        fit_height(ws, index, value, COVER_WIDTHS[1])
    instructions = [
        _("How to use this workbook"),
        _("Each area of the questionnaire has its own sheet. Type your answers in the shaded cells only."),
        _("Choose options from the drop-down lists; for several choices mark each option that applies with ✓ or x."),
        _("Type values, not formulas: a cell with a formula is not accepted."),
        _("Do not add, delete or move rows, columns or sheets, and do not rename the sheets."),
        _(
            "When you are done, upload the workbook on the questionnaire's page: you will see every change before "
            "anything is saved, and any answer changed online since you downloaded this workbook."
        ),
    ]
    for index, text in enumerate(instructions, start=10):
        put_text(ws, f"A{index}", text, BOLD if index == 10 else None)
        ws.merge_cells(f"A{index}:B{index}")
        fit_height(ws, index, text, wide, bold=index == 10)
    ws.column_dimensions["A"].width, ws.column_dimensions["B"].width = COVER_WIDTHS
    ws.protection.sheet = True
    ws.protection.formatColumns = False  # people may widen columns and rows to read
    ws.protection.formatRows = False
    print_across_one_page(ws)


def asked_questions(areas: Iterable[Area]) -> list[Question]:
    return [q for area in areas for section in area.sections.all() for q in section.questions.all()]


def questionnaire_workbook(*, survey: Survey, organisation: Organisation, language: str) -> bytes:
    """The organisation's questionnaire of `survey` with its current answers, in `language`, as .xlsx bytes."""
    with translation.override(language):
        areas = survey_structure(survey, organisation.respondent_kind)
        questions = asked_questions(areas)
        for question in questions:
            question.survey = survey
        response = Response.objects.filter(survey=survey, organisation=organisation).first()
        stored = answers_of(response) if response is not None else {}
        by_code = {q.code: q for q in questions}
        deadline = response_deadline(survey=survey, organisation=organisation).closes_on

        wb = Workbook()
        cover = wb.active
        used: set[str] = {IDENTITY_SHEET, LISTS_SHEET}
        cover.title = sheet_name(_("Cover"), used)
        _cover(cover, survey=survey, organisation=organisation, deadline=deadline, language=language)
        lists_ws = wb.create_sheet(LISTS_SHEET)
        lists = _Lists(lists_ws)
        cells: dict[str, list[Any]] = {}
        tags: dict[str, dict[str, str]] = {}
        columns: dict[str, int] = {}
        for area in areas:
            ws = wb.create_sheet(sheet_name(f"{area.code} {area.title_text}", used))
            tags[ws.title] = {}
            sheet = _AreaSheet(ws, lists, cells, tags[ws.title])
            sheet.row = 2  # row 1: the column tags
            sheet.line(area.code, area.title_text, Font(name=FONT, bold=True, size=13))
            sheet.row += 1
            for section in area.sections.all():
                sheet.line(section.code, section.title_text, Font(name=FONT, bold=True, size=12))
                for question in section.questions.all():
                    sheet.question(question, stored.get(question.pk, {}), _condition(question, by_code))
            columns[ws.title] = sheet.finish()
        identity = wb.create_sheet(IDENTITY_SHEET)
        payload = {
            "survey": survey.slug,
            "org": organisation.code,
            "language": language,
            "fingerprint": structure_fingerprint(questions),
            "cells": cells,
            "tags": tags,
            "columns": columns,
        }
        for index, value in enumerate([MARKER, survey.slug, organisation.code, language, *sign(payload)], start=1):
            put_text(identity, f"A{index}", value)
        identity.sheet_state = "veryHidden"
        lists_ws.sheet_state = "veryHidden"
        lists_ws.protection.sheet = True
        identity.protection.sheet = True
        wb.security = WorkbookProtection(lockStructure=True)
        wb.active = 0
        out = io.BytesIO()
        wb.save(out)
        return out.getvalue()
