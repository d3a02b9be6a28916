"""A copy of one organisation's answers: every section it is asked, each answer in words, and the same as a PDF.

`response_copy(response=...)` reads everything in a fixed number of queries (the round's structure, the answers with
who changed them, the evidence) and arranges it for the "All our answers" page and the PDF. `response_copy_pdf`
renders that with WeasyPrint; the submission receipt attaches it.

Words, not codes: every value and cell is named by `question.words` (`surveys.answer_types.Words`, the one place
that turns a stored value into what a person reads: the option's label, a localised number or date, a cell's labels). Questions hidden by their show-if rule are left out; questions without
an answer say so; a breakdown table shows only its rows that hold a figure, with their totals.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from surveys import answer_types as at
from surveys.i18n import pick
from surveys.models import Area, Question, Section
from surveys.structure import questions_by_code

from .models import Answer, Evidence, Response
from .selectors import answers_of, is_visible, person_label, survey_structure, typed_values

Key = tuple[str, str]
STYLESHEET = "css/answer-copy.css"


# --- what the copy holds --------------------------------------------------------------------------------------


@dataclass
class Line:
    label: str
    words: str


@dataclass
class TableRow:
    group: str
    label: str
    cells: list[str]
    total: str


@dataclass
class Table:
    """A breakdown table, compact: only the rows with a figure, with row, column and grand totals."""

    column_title: str
    columns: list[str]
    rows: list[TableRow]
    column_totals: list[str]
    grand_total: str
    rows_total: int  # how many rows the table has in all

    @property
    def rows_left_out(self) -> int:
        return self.rows_total - len(self.rows)


@dataclass
class CopyQuestion:
    question: Question
    answered: bool
    lines: list[Line] = field(default_factory=list)
    table: Table | None = None
    evidence: list[str] = field(default_factory=list)
    changed_by: str = ""
    changed_at: dt.datetime | None = None
    needs_review: bool = False

    @property
    def has_labelled_lines(self) -> bool:
        return any(line.label for line in self.lines)


@dataclass
class CopySection:
    section: Section
    questions: list[CopyQuestion]

    @property
    def answered(self) -> int:
        return sum(1 for q in self.questions if q.answered)


@dataclass
class CopyArea:
    area: Area
    sections: list[CopySection]


@dataclass
class AnswerCopy:
    response: Response
    areas: list[CopyArea]
    made_at: dt.datetime

    @property
    def questions(self) -> int:
        return sum(len(s.questions) for a in self.areas for s in a.sections)

    @property
    def answered(self) -> int:
        return sum(s.answered for a in self.areas for s in a.sections)


# --- building it --------------------------------------------------------------------------------------------------


def _number(value: int | Decimal) -> str:
    return str(formats.number_format(value, force_grouping=True))


def _table(question: Question, values: dict[Key, Any]) -> Table:
    dimensions = question.dimension_values()
    columns = list(dimensions[-1][1]) if dimensions else []
    labels = {v.code: pick(v.label) or v.code for _d, dim_values in dimensions[:-1] for v in dim_values}
    row_keys = at.IntegerMatrix.row_keys(question.shape)
    rows: list[TableRow] = []
    column_sums = [0] * len(columns)
    for row_key in row_keys:
        figures = [values.get((row_key, c.code)) for c in columns]
        if all(f is None for f in figures):
            continue
        for i, figure in enumerate(figures):
            column_sums[i] += figure or 0
        parts = row_key.split(at.ROW_KEY_SEPARATOR)
        rows.append(
            TableRow(
                group=labels.get(parts[0], parts[0]) if len(parts) > 1 else "",
                label=", ".join(labels.get(p, p) for p in (parts[1:] if len(parts) > 1 else parts)),
                cells=["" if f is None else _number(f) for f in figures],
                total=_number(sum(f or 0 for f in figures)),
            )
        )
    return Table(
        column_title=(pick(dimensions[-1][0].get("label")) or dimensions[-1][0]["code"]) if dimensions else "",
        columns=[pick(c.label) or c.code for c in columns],
        rows=rows,
        column_totals=[_number(s) for s in column_sums],
        grand_total=_number(sum(column_sums)),
        rows_total=len(row_keys),
    )


def _copy_question(question: Question, cells: dict[Key, Answer], evidence: list[Evidence]) -> CopyQuestion:
    values = typed_values(question, cells)
    item = CopyQuestion(question=question, answered=False)
    if question.answer_type.stores_files:
        item.evidence = [e.original_name for e in evidence]
        item.answered = bool(evidence)
        dated = [(e.created_at, e.uploaded_by) for e in evidence]
        if dated:
            latest = max(dated, key=lambda pair: pair[0])
            item.changed_at = latest[0]
            user = latest[1]
            item.changed_by = str(user.get_full_name() or user.email or user.username) if user else _("someone")
        return item
    if question.answer_type.report_role == at.REPORT_TABLE:
        if any(v is not None for v in values.values()):
            item.table = _table(question, values)
            item.answered = True
    else:
        for spec in question.cells():
            value = values.get(spec.key)
            words = question.words.value(spec.key, value) if value not in (None, "", []) else ""
            if words:
                item.lines.append(Line(question.words.cell(spec.key), words))
        item.answered = bool(item.lines)
    stored = [a for a in cells.values() if not _empty(a)]
    if stored:
        latest_answer = max(stored, key=lambda a: a.updated_at)
        item.changed_by, item.changed_at = (
            person_label(latest_answer.updated_by, latest_answer.source),
            latest_answer.updated_at,
        )
        item.needs_review = any(a.needs_review for a in stored)
    return item


def _empty(answer: Answer) -> bool:
    return (
        answer.value_text is None
        and answer.value_number is None
        and answer.value_date is None
        and not answer.value_choices
    )


def response_copy(*, response: Response) -> AnswerCopy:
    """Every section the organisation is asked, each visible question with its answer in words (fixed query count)."""
    areas = survey_structure(response.survey, response.organisation.respondent_kind)
    answers = answers_of(response)
    evidence: dict[int, list[Evidence]] = {}
    for item in Evidence.objects.filter(response_id=response.pk).select_related("uploaded_by").order_by("created_at"):
        evidence.setdefault(item.question_id, []).append(item)
    by_code = questions_by_code(areas)
    copy_areas = []
    for area in areas:
        sections = []
        for section in area.sections.all():
            questions = [
                _copy_question(q, answers.get(q.pk, {}), evidence.get(q.pk, []))
                for q in section.questions.all()
                if is_visible(q, by_code, answers)
            ]
            if questions:
                sections.append(CopySection(section, questions))
        if sections:
            copy_areas.append(CopyArea(area, sections))
    return AnswerCopy(response=response, areas=copy_areas, made_at=timezone.now())


# --- the PDF ------------------------------------------------------------------------------------------------------


def response_copy_pdf(*, response: Response, language: str) -> bytes:
    """The copy as a PDF (A4, DejaVu fonts for Latin and Cyrillic), in `language` (e.g. "en", "ru").

    `response` needs its `survey` and `organisation`; the caller checks who may read it. Takes a few seconds for a
    whole questionnaire: call it from a task or a download view, not inside a transaction that holds locks.
    """
    from weasyprint import CSS, HTML  # imported here: loading Pango is slow and only this needs it

    with translation.override(language):
        copy = response_copy(response=response)
        html = render_to_string("responses/answer_copy_pdf.html", {"copy": copy, "response": response})
    stylesheet = finders.find(STYLESHEET)
    sheets = [CSS(filename=stylesheet)] if isinstance(stylesheet, str) else []
    # Tagged (headings, lists, tables, reading order, the document's language): screen readers read it as a
    # document, not as loose text (the staff walk found "Tagged: no").
    pdf = HTML(string=html).write_pdf(stylesheets=sheets, pdf_tags=True)  # without a target: the bytes
    return bytes(pdf or b"")


def response_copy_filename(*, response: Response) -> str:
    """The PDF's file name, e.g. "thb-2016-AT-answers.pdf" (codes only: safe in any header and file system)."""
    return f"{response.survey.slug}-{response.organisation.code}-answers.pdf"
