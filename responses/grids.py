"""Answers cell by cell: which cells of a question are not saved, why, and how the page names and marks them.

A table answer (a breakdown table of 360 cells, numbers per year, several fields) is checked and saved cell by cell
(`services.answers_save`): a mistyped cell is left out with its own message and its text is kept as a PendingCell.
This module turns both into `CellProblem`s, in the question's cell order, each named by the cell's labels in words
(`forms.cell_labels`), for the error summaries (of the question and of the page) and the messages next to the cells.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django import forms as django_forms
from django.utils.translation import gettext as _

from surveys import answer_types as at
from surveys.models import Question

from .forms import cell_labels, field_name
from .models import Answer, PendingCell

Key = tuple[str, str]


@dataclass(frozen=True)
class CellProblem:
    """One cell that is not saved: where it is on the page, its name in words and the message for it."""

    key: Key
    name: str  # the form field's name, CODE|row|column
    input_id: str  # the id of its input (of the first radio button of a choice)
    label: str
    message: str
    # The question's answer is this one cell (a text, a number, a date, a choice): "Your answer". Not a yes/no with
    # a number, whose choice is one of two cells.
    only_cell: bool = False
    # A choice (radio buttons, checkboxes): its message is its entry in the question's list, which carries the id
    # the options are described by (message_id); other cells have the message under the field.
    choice: bool = False

    @property
    def message_id(self) -> str:
        return "err-" + self.input_id

    @property
    def whole_answer(self) -> bool:
        """The only cell, and not a choice: its message shows next to its field, so the question needs no list of
        cells (a choice's options have no place for a message: the question's list says it)."""
        return self.only_cell and not self.choice


def shown_pending(cells: Mapping[Key, Answer], pending: Mapping[Key, PendingCell]) -> dict[Key, PendingCell]:
    """The kept mistyped texts to show: not those an answer written later (an import) has replaced."""
    return {
        key: item
        for key, item in pending.items()
        if key not in cells or cells[key].updated_at is None or item.updated_at >= cells[key].updated_at
    }


def _message(spec: at.CellSpec, text: str) -> str:
    try:
        at.clean_cell(spec, text)
    except at.AnswerError as exc:
        return str(exc)
    # Valid now (the definition changed since): it is still not an answer until it is saved.
    return _("This value is not saved yet: check it and save again.")


def cell_problems(
    question: Question, *, errors: Mapping[Key, str], pending: Mapping[Key, PendingCell]
) -> list[CellProblem]:
    """The question's cells that are not saved: those refused now (`errors`) and the kept texts (`pending`)."""
    if not errors and not pending:
        return []
    labels = cell_labels(question)
    cells = question.cells()
    single = len(cells) == 1
    problems = []
    for spec in cells:
        if spec.key in errors:
            message = errors[spec.key]
        elif spec.key in pending:
            message = _message(spec, pending[spec.key].text)
        else:
            continue
        name = field_name(question, spec.key)
        choice = spec.kind in (at.CHOICE, at.CHOICES)
        input_id = f"id_{name}_0" if choice else f"id_{name}"
        problems.append(
            CellProblem(
                spec.key,
                name,
                input_id,
                labels[spec.key],
                message,
                only_cell=single,
                choice=choice,
            )
        )
    return problems


def mark_invalid(form: django_forms.Form, problems: list[CellProblem]) -> None:
    """Mark each problem's input for assistive technology: aria-invalid, described by the message next to it."""
    for problem in problems:
        field = form.fields.get(problem.name)
        if field is None:
            continue
        attrs = field.widget.attrs
        attrs["aria-invalid"] = "true"
        attrs["aria-describedby"] = problem.message_id
        attrs["class"] = (attrs.get("class", "") + " is-invalid").strip()
