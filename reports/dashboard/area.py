"""The area dashboard: headlines, charts, scores, regions, agreement and changes of one area. No queries."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from django.utils.translation import get_language

from ..headlines import sentence
from ..selectors import region_names
from .common import bar_chart, language, score_percent
from .document import ReportDoc


def area_page(doc: ReportDoc, area_code: str, names: Mapping[str, str] | None = None) -> dict[str, Any]:
    """`names`: each State's name in the reader's language by code (the report stores the directory's English)."""
    names = names or {}
    area = doc.areas[area_code]
    lang = language()
    codes = [q["code"] for q in doc.data["questions"] if q["area"] == area_code]
    counts: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in doc.data.get("choice_counts", []):
        if row["question"] in doc.questions and doc.questions[row["question"]]["area"] == area_code:
            counts[row["question"]].append(row)

    headlines = [
        {
            "question": row["question"],
            "text": doc.question_text(row["question"]),
            "sentence": sentence(row, doc.questions[row["question"]], lang),
        }
        for row in doc.rows("headlines", area=area_code)
        if row["question"] in doc.questions
    ]
    charts = []
    for code in area.get("scored_questions", []):
        question = doc.questions.get(code)
        if question is None or not question.get("options"):
            continue
        charts.append(
            {
                "question": code,
                "text": doc.question_text(code),
                "script_id": f"chart-data-{code}",
                "data": bar_chart(question, counts.get(code, [])),
            }
        )

    median = doc.medians().get(area_code)
    scores = sorted(doc.rows("scores", area=area_code), key=lambda r: (-r["score"], r["name"] or ""))
    score_rows = [
        {
            "organisation": r["organisation"],
            "name": names.get(r["organisation"]) or r["name"] or r["organisation"],
            "score": score_percent(r["score"]),
            "items": r["items"],
            "above_median": median is not None and r["score"] >= median,
        }
        for r in scores
    ]
    names_of_regions = region_names(get_language())
    region_rows = [
        {
            "region": r["region"],
            "name": names_of_regions.get(r["region"], r["name"]),
            "score": score_percent(r["score"]),
            "states": r["states"],
        }
        for r in sorted(doc.rows("region_scores", area=area_code), key=lambda r: -r["score"])
    ]
    agreement = next(iter(doc.rows("agreement_by_area", area=area_code)), None)
    changes = [
        {
            "question": r["question"],
            "text": doc.question_text(r["question"]),
            "previous_yes": r["previous_yes"],
            "current_yes": r["current_yes"],
            "previous_answered": r["previous_answered"],
            "current_answered": r["current_answered"],
            "delta": r["current_yes"] - r["previous_yes"],
        }
        for r in doc.data.get("changes", [])
        if r["question"] in codes
    ]
    return {
        "area": {"code": area_code, "title": doc.area_title(area_code)},
        "questions": [{"code": c, "text": doc.question_text(c)} for c in codes],
        "headlines": headlines,
        "charts": charts,
        "scores": score_rows,
        "median": score_percent(median),
        "regions": region_rows,
        "agreement": (
            {"pairs": agreement["pairs"], "agreement": score_percent(agreement["agreement"])} if agreement else None
        ),
        "changes": changes,
        "previous_round": doc.data.get("survey", {}).get("previous"),
    }
