"""The state of a section page and of an autosave answer: the blocks of questions with their hidden version inputs,
problems, conflicts and last change, the form, progress and the neighbouring sections.

Read-only (a selector for one page): the views ask it after their one service call (responses.section_save) and
render what it gives; the template context keys are the page's contract.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString

from surveys.models import Question, Section
from surveys.show_if import depends_on
from surveys.structure import questions_by_code

from . import values
from .access import ResponseAccess
from .block_cache import block_html, block_key
from .forms import SectionForm, field_name, original_name, version_name
from .grids import CellProblem, cell_problems, shown_pending
from .models import Answer, Evidence, PendingCell, Response
from .section_save import SectionSave
from .selectors import (
    answers_of,
    is_visible,
    pending_cells_of,
    person_label,
    response_progress,
    section_answers,
    survey_structure,
)
from .services import Conflict, SaveOutcome
from .widgets import widget_context

Key = tuple[str, str]


@dataclass
class CellState:
    name: str
    version_name: str
    original_name: str
    version: int
    original: str
    needs_review: bool = False
    pending: bool = False  # the cell shows a kept mistyped text (p|…): always sent, so fixing it reaches the server

    @property
    def pending_name(self) -> str:
        return "p|" + self.name


@dataclass
class QuestionBlock:
    question: Question
    visible: bool
    state: list[CellState]
    error: str = ""
    conflicts: list[Conflict] = field(default_factory=list)
    last_changed_by: str = ""
    last_changed_at: Any = None
    last_changed_cell: str = ""  # which part of a table or several-field answer, in words; "" for one value
    needs_review: bool = False
    evidence: list[Evidence] = field(default_factory=list)
    problems: list[CellProblem] = field(default_factory=list)  # cells not saved, each with its message
    w: dict[str, Any] = field(default_factory=dict)  # the widget's arranged bound fields
    # The section page's block cache (responses/block_cache.py): this block's key (None: not kept) and its HTML when
    # this process rendered the very same block before (then no form field or widget is made for it).
    cache_key: tuple[Any, ...] | None = None
    html: SafeString | None = None

    @property
    def show_if_json(self) -> str:
        return json.dumps(self.question.show_if) if self.question.show_if else ""


@dataclass
class SectionOfRound:
    """A section of the round as this respondent is asked it, with the structure around it."""

    areas: list[Any]
    section: Section
    questions: list[Question]
    by_code: Mapping[str, Question]  # every question asked of this respondent, by code (show-if looks across sections)
    sections: list[Section]

    @property
    def index(self) -> int:
        return next(i for i, s in enumerate(self.sections) if s.pk == self.section.pk)

    @property
    def previous(self) -> Section | None:
        return self.sections[self.index - 1] if self.index > 0 else None

    @property
    def next(self) -> Section | None:
        return self.sections[self.index + 1] if self.index + 1 < len(self.sections) else None


def section_of(access: ResponseAccess, section_code: str) -> SectionOfRound | None:
    """The section with this code as the respondent's kind is asked it; None when there is none."""
    areas = survey_structure(access.survey, access.kind)
    sections = [s for a in areas for s in a.sections.all()]
    section = next((s for s in sections if s.code == section_code), None)
    if section is None:
        return None
    by_code = questions_by_code(areas)
    return SectionOfRound(areas, section, list(section.questions.all()), by_code, sections)


def page_question_ids(questions: list[Question], by_code: Mapping[str, Question]) -> list[int]:
    """The ids of the questions whose answers a page of `questions` shows or applies (show-if targets)."""
    ids = {q.pk for q in questions}
    for q in questions:
        target = depends_on(q.show_if)
        if target is not None and target[0] in by_code:
            ids.add(by_code[target[0]].pk)
    return sorted(ids)


def cell_state(
    question: Question,
    cells: dict[Key, Answer],
    keep: dict[Key, tuple[int, str]] | None = None,
    pending: Any = (),
) -> list[CellState]:
    """The hidden version/original inputs of a question; `keep` holds cells whose conflict is not resolved yet,
    `pending` the cells that show a kept mistyped text."""
    result = []
    for spec in question.cells():
        answer = cells.get(spec.key)
        version, original = (answer.version, values.as_text(answer, spec.kind)) if answer else (0, "")
        if keep and spec.key in keep:
            version, original = keep[spec.key]
        result.append(
            CellState(
                field_name(question, spec.key),
                version_name(question, spec.key),
                original_name(question, spec.key),
                version,
                original,
                needs_review=bool(answer and answer.needs_review),
                pending=spec.key in pending,
            )
        )
    return result


def question_block(
    question: Question,
    cells: dict[Key, Answer],
    visible: bool,
    evidence: list[Evidence],
    pending: dict[Key, PendingCell] | None = None,
) -> QuestionBlock:
    latest = max(cells.values(), key=lambda a: a.updated_at, default=None)
    pending = pending or {}
    return QuestionBlock(
        question=question,
        visible=visible,
        state=cell_state(question, cells, pending=pending),
        problems=cell_problems(question, errors={}, pending=pending),
        last_changed_by=person_label(latest.updated_by, latest.source) if latest else "",
        last_changed_at=latest.updated_at if latest else None,
        last_changed_cell=question.words.cell((latest.row, latest.column)) if latest else "",
        needs_review=any(a.needs_review for a in cells.values()),
        evidence=evidence,
    )


def kept_state(data: QueryDict, question: Question, changed: set[Key]) -> dict[Key, tuple[int, str]]:
    """The version and value the page had, for every posted cell that this request did not save.

    The page still shows those cells as they were, so its hidden state must say so: a cell someone else saved
    meanwhile is then still seen as stale (a conflict if the user changes it), never silently emptied; a conflict
    keeps the page's version until the user chooses.
    """
    kept = {}
    for spec in question.cells():
        name = version_name(question, spec.key)
        if spec.key in changed or name not in data:
            continue
        try:
            version = int(data.get(name, "0"))
        except ValueError:
            version = -1
        kept[spec.key] = (version, data.get(original_name(question, spec.key), ""))
    return kept


def evidence_by_question(response: Response, questions: list[Question]) -> dict[int, list[Evidence]]:
    found: dict[int, list[Evidence]] = {}
    for item in Evidence.objects.filter(
        response_id=response.pk, question__in=[q for q in questions if q.answer_type.stores_files]
    ).select_related("uploaded_by"):
        found.setdefault(item.question_id, []).append(item)
    return found


def response_urls(access: ResponseAccess) -> dict[str, str]:
    args = [access.survey.slug, access.organisation.code]
    return {
        "home": reverse("responses:response-home", args=args),
        "review": reverse("responses:response-review", args=args),
        "submit": reverse("responses:response-submit", args=args),
        "answers": reverse("responses:response-answers", args=args),
        "answers_pdf": reverse("responses:response-answers-pdf", args=args),
    }


def section_page_context(
    access: ResponseAccess, page: SectionOfRound, *, data: QueryDict | None = None, saved: SectionSave | None = None
) -> dict[str, Any]:
    """The section page's template context; after a POST that was not fully saved, `data` and `saved` are what was
    posted and what the save did (the page is shown again with what was posted)."""
    questions = page.questions
    # The answers of this section's questions and of the questions their show-if rules look at, read once.
    answers = section_answers(access.response, page.section, page_question_ids(questions, page.by_code))
    problems = saved.problems if saved is not None else {}
    changed = saved.changed if saved is not None else {}
    # Documents and kept texts are read only where the access read found some, or after a save (it may add some).
    nothing_saved = saved is None
    evidence = (
        {} if nothing_saved and access.had_evidence is False else evidence_by_question(access.response, questions)
    )
    # A kept mistyped text is for the person who can fix it; a read-only page (submitted, a viewer, staff, after the
    # deadline) shows the answers as stored, which is what was sent.
    editable = access.can_edit  # read once (it asks the clock): the key, the fields and the blocks must agree
    kept_texts = (
        pending_cells_of(access.response, [q.pk for q in questions])
        if editable and not (nothing_saved and access.had_kept_texts is False)
        else {}
    )
    pending = {q.pk: shown_pending(answers.get(q.pk, {}), kept_texts.get(q.pk, {})) for q in questions}
    blocks = []
    for question in questions:
        block = question_block(
            question,
            answers.get(question.pk, {}),
            is_visible(question, page.by_code, answers),
            evidence.get(question.pk, []),
            pending[question.pk],
        )
        if problems and data is not None:
            # The page is shown again with what was posted: its hidden state must be what was posted too, except
            # for the cells this request saved, or a later save would undo a colleague's answer unseen.
            block.state = cell_state(
                question,
                answers.get(question.pk, {}),
                kept_state(data, question, changed.get(question.pk, set())),
                pending[question.pk],
            )
        if question.pk in problems:
            block.error = problems[question.pk].error
            block.conflicts = problems[question.pk].conflicts
            block.problems = cell_problems(
                question, errors=problems[question.pk].cell_errors, pending=pending[question.pk]
            )
        blocks.append(block)
    if not problems:  # a page shown again with what was posted is written afresh, every block of it
        for block in blocks:
            block.cache_key = block_key(block, access, editable)
            block.html = block_html(block.cache_key) if block.cache_key is not None else None
    # Fields and widgets only for the blocks to be rendered (all of them when the form is bound).
    rendered = [block for block in blocks if block.html is None]
    form = SectionForm(
        data if problems else None,
        questions=[block.question for block in rendered],
        answers=answers,
        pending={pk: {key: item.text for key, item in cells.items()} for pk, cells in pending.items()},
        disabled=not editable,
    )
    for block in rendered:
        block.w = widget_context(block.question, form, block.problems)
    return {
        "access": access,
        "editable": editable,  # the blocks' autosave (templates/responses/partials/question.html)
        "response": access.response,
        "section": page.section,
        "form": form,
        "blocks": blocks,
        "progress": response_progress(access.response, page.areas),
        "previous_section": page.previous,
        "next_section": page.next,
        "urls": response_urls(access),
    }


def autosave_context(
    access: ResponseAccess, question: Question, areas: list[Any], outcome: SaveOutcome, data: QueryDict
) -> dict[str, Any]:
    """The autosave answer's context: the save status and the question's refreshed block and page state."""
    # What the save left is known (outcome.answers, outcome.pending); read only when the save stopped before that.
    cells = outcome.answers
    if cells is None:
        cells = answers_of(access.response, [question.pk]).get(question.pk, {})
    kept = outcome.pending
    if kept is None:
        kept = pending_cells_of(access.response, [question.pk]).get(question.pk, {})
    evidence = (
        evidence_by_question(access.response, [question]).get(question.pk, [])
        if question.answer_type.stores_files
        else []
    )
    pending = shown_pending(cells, kept)
    block = question_block(question, cells, True, evidence, pending)
    block.error, block.conflicts = outcome.error, outcome.conflicts
    block.problems = cell_problems(question, errors=outcome.cell_errors, pending=pending)
    block.state = cell_state(question, cells, kept_state(data, question, set(outcome.in_sync)), pending)
    return {
        "block": block,
        "question": question,
        "outcome": outcome,
        "saved_at": timezone.localtime(),
        "progress": response_progress(access.response, areas),
        "access": access,
    }
