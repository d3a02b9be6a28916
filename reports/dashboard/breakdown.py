"""Breakdown tables (integer_matrix): grouped and totalled, never one line per cell. Pure Python over figures the
caller has read already; no queries."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from surveys import answer_types as at
from surveys.i18n import pick
from surveys.models import Question

from .common import figure_text


def stored_value(text: str | None, number: Any, date: Any, choices: list[str] | None) -> Any:
    """The value of an answer row's typed columns, whichever holds it (what `Words.value` reads)."""
    if choices is not None:
        return choices
    if text is not None:
        return text
    if number is not None:
        return Decimal(number)
    return date


def breakdown(question: Question, figures: Iterable[tuple[str, str, Any]]) -> dict[str, Any] | None:
    """A breakdown table's figures summed by its first dimension (the columns, normally the years), with one group of
    lines per other dimension (sex, age group, form of exploitation, citizenship …), each value's subtotal, and the
    total. Every group adds up to the same total. `figures` are (row key, column key, number); None when the
    question has no dimensions. Pure Python: the caller has the figures already."""
    q = question.shape
    answer_type = question.answer_type
    if not isinstance(answer_type, at.IntegerMatrix) or not q.dimensions:
        return None
    dims = q.dimensions
    first_codes = [v.code for v in dims[0][1]]
    # (dimension index, value code, first-dimension code) -> sum; None where nobody gave a figure.
    sums: dict[tuple[int, str, str], Decimal] = defaultdict(Decimal)
    column_totals: dict[str, Decimal] = defaultdict(Decimal)
    seen = False
    for row, column, number in figures:
        if number is None:
            continue
        parts = answer_type.row_parts(q, row)
        if parts is None:
            continue  # a cell the definition does not have (any more): not part of this table
        coordinates = [*parts, column] if len(dims) > 1 else [column]
        value = Decimal(str(number))
        head = coordinates[0]
        for index, code in enumerate(coordinates[1:], start=1):
            sums[(index, code, head)] += value
        column_totals[head] += value
        seen = True
    if not seen:
        return None

    def cell(value: Decimal | None) -> str:
        return figure_text(value) if value is not None else "—"

    groups = []
    for index, (code, values) in enumerate(dims[1:], start=1):
        lines = []
        for v in values:
            per_column = [sums.get((index, v.code, c)) for c in first_codes]
            given = [x for x in per_column if x is not None]
            lines.append(
                {
                    "code": v.code,
                    "label": at.IntegerMatrix.value_label(values, v.code),
                    "cells": [cell(x) for x in per_column],
                    "total": cell(sum(given, Decimal(0)) if given else None),
                }
            )
        groups.append({"code": code, "title": pick(q.dimension_labels.get(code)) or code, "lines": lines})
    totals = [column_totals.get(c) for c in first_codes]
    return {
        "first_title": pick(q.dimension_labels.get(dims[0][0])) or dims[0][0],
        "columns": [at.IntegerMatrix.value_label(dims[0][1], c) for c in first_codes],
        "groups": groups,
        "totals": [cell(x) for x in totals],
        "total": cell(sum((x for x in totals if x is not None), Decimal(0))),
    }


def breakdown_summary(question: Question, figures: Iterable[tuple[str, str, Any]]) -> list[dict[str, str]]:
    """One organisation's breakdown table in a few words: its total and its total per first-dimension value."""
    table = breakdown(question, figures)
    if table is None:
        return []
    parts = [{"where": _("Total"), "value": table["total"]}]
    parts += [
        {"where": label, "value": value}
        for label, value in zip(table["columns"], table["totals"], strict=True)
        if value != "—"
    ]
    return parts
