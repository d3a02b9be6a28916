"""What each answer type's template needs: the bound fields of its cells, arranged as the type is shown.

This module binds each cell's form field; the arrangement is the type's own (`AnswerType.widget_context` in
surveys/answer_types), e.g. a breakdown table's rows grouped by year. Each cell comes with its CellProblem (or None),
so that the message is shown next to the cell it is about.
"""

from __future__ import annotations

from typing import Any

from django import forms

from surveys.models import Question

from .forms import field_name
from .grids import CellProblem, mark_invalid


def widget_context(question: Question, form: forms.Form, problems: list[CellProblem] | None = None) -> dict[str, Any]:
    cells = question.cells()
    mark_invalid(form, problems or [])
    problem = {p.key: p for p in problems or []}
    bound = {spec.key: form[field_name(question, spec.key)] for spec in cells}
    context: dict[str, Any] = {"cells": [(spec, bound[spec.key], problem.get(spec.key)) for spec in cells]}
    context.update(question.answer_type.widget_context(question, cells, bound, problem))
    return context
