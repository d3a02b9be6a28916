"""The public results page of one snapshot (`snapshot.public_snapshot`) in the reader's language: per area its
headline sentences, and per choice question the counts and shares of each option among States and NGOs, with the
States' answers where staff made them public. Pure: no queries, no files."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from surveys.i18n import pick

from ..dashboard.common import percent
from ..headlines import sentence
from .snapshot import KINDS, MIN_NGO_ANSWERS, is_figure_question


def public_page(data: Mapping[str, Any], language: str) -> dict[str, Any]:
    questions = {q["code"]: q for q in data.get("questions", [])}
    counts: dict[str, dict[str, dict[str, Mapping[str, Any]]]] = defaultdict(lambda: defaultdict(dict))
    for row in data.get("choice_counts", []):
        counts[row["question"]][row["kind"]][row["option"]] = row
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
        figures = _figures(question, counts.get(code, {}), language) if is_figure_question(question) else None
        if figures is None and code not in public and code not in withheld:
            continue
        labels = _labels(question, language)
        by_area[question["area"]].append(
            {
                "code": code,
                "text": pick(question.get("text"), language) or code,
                "figures": figures,
                "kinds": [k for k in KINDS if counts.get(code, {}).get(k)],
                "ngo_withheld": code in withheld,
                "state_answers": (
                    [
                        {"name": a["name"], "answer": ", ".join(labels.get(o, o) for o in a["options"])}
                        for a in answers.get(code, [])
                    ]
                    if code in public
                    else None
                ),
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


def _labels(question: Mapping[str, Any], language: str) -> dict[str, str]:
    return {o["code"]: pick(o.get("label"), language) or o["code"] for o in question.get("options", [])}


def _figures(
    question: Mapping[str, Any], counts: Mapping[str, Mapping[str, Mapping[str, Any]]], language: str
) -> list[Any] | None:
    """One line per option: its label and, per kind of respondent, the count, how many answered and the share."""
    if not any(counts.get(kind) for kind in KINDS):
        return None
    labels = _labels(question, language)
    options = list(labels) + sorted({o for kind in KINDS for o in counts.get(kind, {}) if o not in labels})
    lines = []
    for option in options:
        cells = {}
        for kind in KINDS:
            rows = counts.get(kind, {})
            if not rows:
                continue
            answered = next(iter(rows.values()))["answered"]
            count = rows[option]["count"] if option in rows else 0
            cells[kind] = {"count": count, "answered": answered, "share": percent(count, answered) or 0}
        lines.append({"option": option, "label": labels.get(option, option), "cells": cells})
    return lines
