"""The public results page of one snapshot (`snapshot.public_snapshot`) in the reader's language: per area its
headline sentences, and per choice question the counts and shares of each option among States and NGOs (row by row
for a matrix), with the States' answers where staff made them public. Pure: no queries, no files."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from surveys.i18n import name_sort_key, pick

from ..dashboard.common import percent
from ..headlines import sentence
from .snapshot import KINDS, MIN_NGO_ANSWERS, is_figure_question

# question -> row -> kind -> option -> count row
Counts = dict[str, dict[str, dict[str, dict[str, Mapping[str, Any]]]]]


def public_page(data: Mapping[str, Any], language: str) -> dict[str, Any]:
    questions = {q["code"]: q for q in data.get("questions", [])}
    counts: Counts = defaultdict(lambda: defaultdict(lambda: defaultdict(dict)))
    for row in data.get("choice_counts", []):
        counts[row["question"]][row.get("row", "")][row["kind"]][row["option"]] = row
    headlines: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in data.get("headlines", []):
        if row["question"] in questions:
            headlines[row["area"]].append(
                {"question": row["question"], "sentence": sentence(row, questions[row["question"]], language)}
            )
    answers: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for answer in data.get("state_answers", []):
        answers[answer["question"]].append(answer)
    public = set(data.get("public_questions", []))
    withheld = set(data.get("ngo_withheld", []))
    by_area: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for code, question in questions.items():
        kinds = [k for k in KINDS if any(by_kind.get(k) for by_kind in counts.get(code, {}).values())]
        groups = _groups(question, counts.get(code, {}), kinds, language) if is_figure_question(question) else []
        if not groups and code not in public and code not in withheld:
            continue
        labels = _labels(question.get("options") or [], language)
        by_area[question["area"]].append(
            {
                "code": code,
                "text": pick(question.get("text"), language) or code,
                "groups": groups,
                "kinds": kinds,
                "ngo_withheld": code in withheld,
                "state_answers": _state_answers(answers.get(code, []), labels, language) if code in public else None,
            }
        )
    rates = data.get("response_rates", {})
    return {
        "title": pick(data.get("survey", {}).get("title"), language),
        "reference_years": data.get("survey", {}).get("reference_years", []),
        "states": rates.get("states", {}),
        "ngos": rates.get("ngos", {}),
        "min_ngo_answers": MIN_NGO_ANSWERS,
        "areas": [
            {
                "code": area["code"],
                "title": pick(area.get("title"), language) or area["code"],
                "headlines": headlines.get(area["code"], []),
                "questions": by_area.get(area["code"], []),
            }
            for area in data.get("areas", [])
            if headlines.get(area["code"]) or by_area.get(area["code"])
        ],
    }


def _state_answers(answers: list[Mapping[str, Any]], labels: Mapping[str, str], language: str) -> list[dict[str, str]]:
    """Each State's name in the reader's language (the round's own list of States, GEN.R.01; the directory's name
    where it has none) and its answer, in the order of the names."""
    rows = [
        {
            "name": pick(a.get("names"), language) or a["name"],
            "answer": ", ".join(labels.get(o, o) for o in a["options"]),
        }
        for a in answers
    ]
    return sorted(rows, key=lambda row: name_sort_key(row["name"]))


def _labels(items: list[Mapping[str, Any]], language: str) -> dict[str, str]:
    return {i["code"]: pick(i.get("label"), language) or i["code"] for i in items}


def _groups(
    question: Mapping[str, Any],
    counts: Mapping[str, Mapping[str, Mapping[str, Mapping[str, Any]]]],
    kinds: list[str],
    language: str,
) -> list[dict[str, Any]]:
    """Per row that was answered (one, unnamed, for a question without rows): per option its label and one cell per
    kind of respondent in `kinds` (None where that kind did not answer the row): the count, how many answered and
    the share."""
    labels = _labels(question.get("options") or [], language)
    row_labels = _labels(question.get("rows") or [], language)
    groups = []
    for row in [*row_labels, *sorted(r for r in counts if r not in row_labels)]:
        by_kind = counts.get(row, {})
        if not any(by_kind.get(kind) for kind in kinds):
            continue
        options = list(labels) + sorted({o for kind in kinds for o in by_kind.get(kind, {}) if o not in labels})
        lines = [
            {"option": option, "label": labels.get(option, option), "cells": [_cell(by_kind, k, option) for k in kinds]}
            for option in options
        ]
        groups.append({"row": row, "label": row_labels.get(row, row), "lines": lines})
    return groups


def _cell(by_kind: Mapping[str, Mapping[str, Mapping[str, Any]]], kind: str, option: str) -> dict[str, Any] | None:
    rows = by_kind.get(kind, {})
    if not rows:
        return None
    answered = next(iter(rows.values()))["answered"]
    count = rows[option]["count"] if option in rows else 0
    return {"kind": kind, "count": count, "answered": answered, "share": percent(count, answered) or 0}
