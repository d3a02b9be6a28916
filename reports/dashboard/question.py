"""The question dashboard: counts per option and kind, number summaries, breakdown tables and who answered what.

Takes the question (with its options) and its answers from `reports.selectors`; no queries."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from django.urls import reverse

from responses.models import Answer
from surveys import answer_types as at
from surveys.models import Question, Survey

from .breakdown import breakdown, breakdown_summary, stored_value
from .common import KIND_ORDER, KINDS, bar_chart, figure_text, kind_label, kind_singular, number_text, percent
from .document import ReportDoc


def question_page(doc: ReportDoc, question: Question, answers: Sequence[Answer], survey: Survey) -> dict[str, Any]:
    code = question.code
    meta = doc.questions[code]
    options = doc.option_labels(code)
    row_labels = doc.row_labels(code)
    words = question.words
    specs = words.specs
    counts = doc.rows("choice_counts", question=code)
    is_table = isinstance(question.answer_type, at.IntegerMatrix)

    # The counts table: per cell row, one line per option with States and NGOs, as shares of those who answered.
    tables = []
    row_codes = list(dict.fromkeys(c["row"] for c in counts))
    for row in row_codes:
        mine = [c for c in counts if c["row"] == row]
        # Partners for Co-operation only when one of them answered (they are rarely invited).
        kinds = [
            k
            for k in (*KINDS, "partner")
            if any(c["kind"] == k for c in mine)
            and (k != "partner" or any(c["answered"] for c in mine if c["kind"] == k))
        ]
        answered = {k: max((c["answered"] for c in mine if c["kind"] == k), default=0) for k in kinds}
        eligible = {k: max((c["eligible"] for c in mine if c["kind"] == k), default=0) for k in kinds}
        option_codes = list(dict.fromkeys(c["option"] for c in mine))
        lines = []
        for option in option_codes:
            cells = []
            for kind in kinds:
                count = next((c["count"] for c in mine if c["kind"] == kind and c["option"] == option), 0)
                cells.append({"kind": kind, "count": count, "percent": percent(count, answered[kind])})
            lines.append(
                {"option": option, "label": options.get(option) or words.option(option, (row, "")), "cells": cells}
            )
        tables.append(
            {
                "row": row,
                "label": row_labels.get(row, row),
                "kinds": [
                    {"kind": k, "label": kind_label(k), "answered": answered[k], "eligible": eligible[k]} for k in kinds
                ],
                "lines": lines,
                "script_id": f"chart-data-{code}-{row or 'all'}",
                "chart": bar_chart(meta, mine, row=row, kinds=[k for k in kinds if k in KINDS], words=words),
            }
        )

    summaries = doc.rows("number_summaries", question=code)
    breakdowns = []
    if is_table:
        # A breakdown table is read grouped and totalled (by year, sex, age …), one table per kind of respondent.
        for kind in sorted({n["kind"] for n in summaries}, key=lambda k: KIND_ORDER.get(k, 9)):
            table = breakdown(question, ((n["row"], n["column"], n["sum"]) for n in summaries if n["kind"] == kind))
            if table is not None:
                breakdowns.append({"kind": kind, "label": kind_label(kind), "table": table})
    numbers = [
        {
            "where": words.cell((n["row"], n["column"])),
            "kind": kind_label(n["kind"]),
            "count": n["count"],
            "sum": figure_text(n["sum"]),
            "median": number_text(n["median"]),
            "min": number_text(n["min"]),
            "max": number_text(n["max"]),
        }
        for n in sorted(summaries, key=lambda n: (n["row"], n["column"], KIND_ORDER.get(n["kind"], 9)))
        if not is_table
    ]

    # Who answered what: choice cells grouped by option, every other cell listed with its organisation.
    by_option: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    listed: dict[str, dict[str, Any]] = {}  # organisation code -> its other cells, one line per organisation
    table_figures: dict[str, list[tuple[str, str, Any]]] = defaultdict(list)  # organisation code -> its table
    answers = sorted(
        answers, key=lambda a: (KIND_ORDER.get(a.response.organisation.kind, 9), a.response.organisation.display_name)
    )
    for answer in answers:
        org = answer.response.organisation
        spec = specs.get((answer.row, answer.column))
        kind = spec.kind if spec else (at.CHOICES if answer.value_choices is not None else at.TEXT)
        who = {
            "code": org.code,
            "name": org.display_name,
            "kind": org.kind,
            "kind_label": kind_singular(org.kind),
            "url": reverse("responses:response-home", args=[survey.slug, org.code]),
        }
        if kind == at.CHOICE and question.answer_type.report_role == at.REPORT_OPTIONS:
            by_option[(answer.row, answer.value_text or "")].append(who)
        elif kind == at.CHOICES:
            for choice in answer.value_choices or []:
                by_option[(answer.row, choice)].append(who)
        elif is_table:
            listed.setdefault(org.code, {**who, "cells": []})
            table_figures[org.code].append((answer.row, answer.column, answer.value_number))
        else:
            key = (answer.row, answer.column)
            text = words.value(
                key, stored_value(answer.value_text, answer.value_number, answer.value_date, answer.value_choices)
            )
            if text:
                where = words.cell(key)
                listed.setdefault(org.code, {**who, "cells": []})["cells"].append({"where": where, "value": text})
    for org_code, figures in table_figures.items():
        listed[org_code]["cells"] = breakdown_summary(question, figures)
    groups = []
    for row in dict.fromkeys([*row_codes, *(r for r, _o in by_option)]):
        known = [o for o in options if (row, o) in by_option]
        extra = [o for (r, o) in by_option if r == row and o not in options]
        entries = [
            {"option": o, "label": options.get(o) or words.option(o, (row, "")), "organisations": by_option[(row, o)]}
            for o in dict.fromkeys([*known, *extra])
        ]
        if entries:
            groups.append({"row": row, "label": row_labels.get(row, row), "options": entries})
    return {
        "question": {
            "code": code,
            "text": doc.question_text(code),
            "area": meta["area"],
            "area_title": doc.area_title(meta["area"]),
            "type": meta["type"],
            "audience": meta["audience"],
            "scored": meta.get("scored", False),
        },
        "tables": tables,
        "numbers": numbers,
        "breakdowns": breakdowns,
        "groups": groups,
        "listed": list(listed.values()),
        "answer_count": len({a.response_id for a in answers}),
    }
