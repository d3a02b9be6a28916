"""The answering form of a section: one form field per answer cell, built from the answer types.

Field names are `CODE|row|column` (e.g. `PRO.LEG.04|sexual_exploitation|`). Each cell also has two hidden inputs
(rendered by the question's state block, refreshed after every save): `v|CODE|row|column`, the version the page
last saw, so a stale page cannot overwrite a newer answer; and `o|CODE|row|column`, the value the page last saw,
so that a cell the user did not touch is never saved (nor reported as a conflict) when the whole page is posted.
A cell that shows a mistyped text kept from an earlier save (a PendingCell) also has `p|CODE|row|column`: it is
always sent, so that fixing or clearing it reaches the server.
Values are checked by `surveys.answer_types` through `responses.services.answers_save`, not by the form.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from surveys import answer_types as at
from surveys.models import Question

from . import values
from .models import Answer

Key = tuple[str, str]
FILE_PREFIX = "file|"


def field_name(question: Question, key: Key) -> str:
    return f"{question.code}|{key[0]}|{key[1]}"


def version_name(question: Question, key: Key) -> str:
    return "v|" + field_name(question, key)


def original_name(question: Question, key: Key) -> str:
    return "o|" + field_name(question, key)


def pending_name(question: Question, key: Key) -> str:
    return "p|" + field_name(question, key)


def cell_labels(question: Question) -> dict[Key, str]:
    """Each cell's name in words, in the person's language: what a screen reader announces and a message names.

    From `question.words` (surveys/answer_types/words.py), the one home of cell names, so the form, the history, the
    copy of all answers and the staff pages name a cell alike: a breakdown cell by its row and column labels
    ("2017, Female, Adults (18 and over), Domestic servitude, Nationals"), never by its key. A question with one
    value is "Your answer".
    """
    words = question.words
    return {spec.key: words.cell(spec.key) or str(_("Your answer")) for spec in question.cells()}


def make_field(question: Question, spec: at.CellSpec, disabled: bool, label: str | None = None) -> forms.Field:
    """The form field of one cell, as its answer type makes it (surveys/answer_types)."""
    label = label if label is not None else cell_labels(question)[spec.key]
    common: dict[str, Any] = {"required": False, "label": label, "disabled": disabled}
    return question.answer_type.form_field(question, spec, common)


def initial_value(kind: str, answer: Answer | None) -> Any:
    value = values.read(answer, kind)
    if value is None:
        return None
    if kind == at.CHOICES:
        return value
    return at.to_text(kind, value)


class SectionForm(forms.Form):
    """All cells of a section's questions as fields, with the stored answers as initial values."""

    def __init__(
        self,
        *args: Any,
        questions: list[Question],
        answers: dict[int, dict[Key, Answer]],
        pending: dict[int, dict[Key, str]] | None = None,
        disabled: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.questions = questions
        for question in questions:
            cells = answers.get(question.pk, {})
            typed = (pending or {}).get(question.pk, {})
            labels = cell_labels(question)
            for spec in question.cells():
                name = field_name(question, spec.key)
                field = make_field(question, spec, disabled, labels[spec.key])
                # A mistyped value that could not be stored is shown again as it was typed, to be fixed.
                field.initial = typed[spec.key] if spec.key in typed else initial_value(spec.kind, cells.get(spec.key))
                self.fields[name] = field


def _same(spec: at.CellSpec, posted: Any, original: str | None) -> bool:
    """Whether the posted value is the one the page showed (then the user did not change it)."""
    if original is None:
        return False
    try:
        return at.to_text(spec.kind, at.clean_cell(spec, posted)) == original
    except at.AnswerError:
        return False


def posted_cells(question: Question, data: QueryDict) -> tuple[dict[Key, Any], dict[Key, int], dict[Key, str]]:
    """The raw values, base versions and shown values of the cells of one question the user changed in a POST."""
    raw: dict[Key, Any] = {}
    versions: dict[Key, int] = {}
    originals: dict[Key, str] = {}
    for spec in question.cells():
        name = field_name(question, spec.key)
        on_page = version_name(question, spec.key) in data
        if spec.kind == at.CHOICES:
            # A checkbox group with nothing ticked posts nothing: the state inputs say it was on the page.
            value: Any = data.getlist(name) if (name in data or on_page) else None
            present = name in data or on_page
        elif spec.kind == at.CHOICE:
            value, present = data.get(name), name in data or on_page
        else:
            value, present = data.get(name), name in data
        if not present:
            continue
        original = data.get(original_name(question, spec.key))
        confirming = ("r|" + name) in data  # a copied answer kept as it is: saving it confirms it
        # A cell showing a mistyped text kept from before is always sent: clearing or fixing it must reach the server.
        pending = pending_name(question, spec.key) in data
        if _same(spec, value, original) and not confirming and not pending:
            continue
        raw[spec.key] = value
        if original is not None:
            originals[spec.key] = original
        version = data.get(version_name(question, spec.key))
        if version not in (None, ""):
            try:
                versions[spec.key] = int(version)
            except (TypeError, ValueError):
                versions[spec.key] = -1  # a tampered version never matches: the user is shown a conflict
    return raw, versions, originals
