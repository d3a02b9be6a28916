"""What each answer type's template needs: the bound fields of its cells, arranged as the type is shown.

Each cell comes with its CellProblem (or None), so that the message is shown next to the cell it is about. A
breakdown table's rows are grouped by their first dimension (the year), each group closed by a subtotal row.
"""

from __future__ import annotations

from typing import Any

from django import forms

from surveys import answer_types as at
from surveys.i18n import pick
from surveys.models import Question

from .forms import field_name
from .grids import CellProblem, mark_invalid


def widget_context(question: Question, form: forms.Form, problems: list[CellProblem] | None = None) -> dict[str, Any]:
    cells = question.cells()
    mark_invalid(form, problems or [])
    problem = {p.key: p for p in problems or []}
    bound = {spec.key: form[field_name(question, spec.key)] for spec in cells}
    context: dict[str, Any] = {"cells": [(spec, bound[spec.key], problem.get(spec.key)) for spec in cells]}
    if question.type in ("matrix", "likert_matrix"):
        context["options"] = [(o.code, o.label_text) for o in question.options_list()]
        context["rows"] = [
            (row["code"], pick(row.get("label")) or row["code"], bound[(row["code"], "")]) for row in question.rows
        ]
    elif question.type == "integer_per_year":
        context["years"] = [(spec.column, bound[spec.key], problem.get(spec.key)) for spec in cells]
    elif question.type == "integer_matrix":
        dimensions = question.dimension_values()
        columns = [(c.code, pick(c.label) or c.code) for c in dimensions[-1][1]]
        labels = {
            value.code: pick(value.label) or value.code
            for _dimension, dim_values in dimensions[:-1]
            for value in dim_values
        }
        groups: list[dict[str, Any]] = []
        for row_key in at.IntegerMatrix.row_keys(question.shape):
            parts = row_key.split(at.ROW_KEY_SEPARATOR)
            group = labels.get(parts[0], parts[0]) if len(parts) > 1 else ""
            if not groups or groups[-1]["label"] != group:
                groups.append({"label": group, "rows": []})
            groups[-1]["rows"].append(
                {
                    "key": row_key,
                    "group": group,
                    "label": " · ".join(labels.get(p, p) for p in (parts[1:] if len(parts) > 1 else parts)),
                    "fields": [(bound[(row_key, code)], problem.get((row_key, code))) for code, _label in columns],
                }
            )
        validation = cells[0].validation if cells else {}
        context["min"], context["max"] = validation.get("min"), validation.get("max")
        context["columns"] = columns
        context["groups"] = groups
        context["subtotals"] = len(groups) > 1
        context["column_dimension"] = pick(dimensions[-1][0].get("label")) or dimensions[-1][0]["code"]
    elif question.type == "yes_no_plus_integer":
        context["choice"] = bound[("", "")]
        context["number"] = bound[("number", "")]
        context["number_problem"] = problem.get(("number", ""))
    return context
