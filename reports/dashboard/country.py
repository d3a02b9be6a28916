"""The country profile: a State's answers beside those of the NGOs working there, its scores against the median,
agreement and changes. Takes the answers from `reports.selectors.country_answers`; no queries."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from django.utils.translation import gettext as _

from accounts.models import Organisation
from surveys import answer_types as at
from surveys.i18n import pick
from surveys.models import Question

from .breakdown import breakdown, breakdown_summary, stored_value
from .common import score_percent
from .document import ReportDoc


def country_page(
    doc: ReportDoc,
    state: Organisation,
    answers: Sequence[tuple[Any, ...]],
    models: Mapping[Any, Question],
) -> dict[str, Any]:
    """`models`: the round's questions by code with their options (`surveys.selectors.questions_with_words`)."""
    iso = state.code
    # (question) -> organisation -> ["row label: value", ...]
    state_cells: dict[str, list[str]] = defaultdict(list)
    ngo_cells: dict[str, dict[tuple[str, str], list[str]]] = defaultdict(lambda: defaultdict(list))
    # Breakdown tables are shown grouped and totalled: (question, organisation) -> its figures.
    figures: dict[tuple[str, str], list[tuple[str, str, Any]]] = defaultdict(list)
    ngos: dict[str, str] = {}
    for org_code, org_name, kind, code, row, column, text, number, date, choices in answers:
        question = models.get(code)
        if code not in doc.questions or question is None:
            continue
        if org_code != iso and kind != Organisation.Kind.NGO:
            continue
        if kind == Organisation.Kind.NGO:
            ngos[org_code] = org_name
        if isinstance(question.answer_type, at.IntegerMatrix):
            figures[(code, org_code)].append((row, column, number))
            if org_code != iso:
                ngo_cells[code].setdefault((org_code, org_name), [])
            continue
        shown = question.words.where_and_what((row, column), stored_value(text, number, date, choices))
        if not shown:
            continue
        if org_code == iso:
            state_cells[code].append(shown)
        else:
            ngo_cells[code][(org_code, org_name)].append(shown)
    tables: dict[str, dict[str, Any]] = {}
    for (code, org_code), cells in figures.items():
        if org_code == iso:
            table = breakdown(models[code], cells)
            if table is not None:
                tables[code] = table
        else:
            ngo_cells[code][(org_code, ngos[org_code])] = [
                _("%(where)s: %(what)s") % {"where": part["where"], "what": part["value"]}
                for part in breakdown_summary(models[code], cells)
            ]

    agreement: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in doc.rows("state_vs_ngo", country=iso):
        agreement[row["question"]].append(
            {"row": doc.row_labels(row["question"]).get(row["row"], row["row"]), "agree": score_percent(row["agree"])}
        )
    changes = {}
    for row in doc.rows("state_changes", organisation=iso):
        labels = doc.option_labels(row["question"])
        changes[row["question"]] = {
            "previous": labels.get(row["previous"], row["previous"]),
            "current": labels.get(row["current"], row["current"]),
        }

    areas = []
    for area in doc.data.get("areas", []):
        questions = []
        for q in doc.data["questions"]:
            code = q["code"]
            if q["area"] != area["code"] or at.get_type(q["type"]).stores_files:
                continue
            if code not in state_cells and code not in ngo_cells and code not in tables:
                continue
            questions.append(
                {
                    "code": code,
                    "text": pick(q.get("text")),
                    "state": state_cells.get(code, []),
                    "table": tables.get(code),
                    "ngos": [
                        {"code": org[0], "name": org[1], "answers": cells}
                        for org, cells in sorted(ngo_cells.get(code, {}).items(), key=lambda i: i[0][1])
                    ],
                    "agreement": agreement.get(code, []),
                    "change": changes.get(code),
                }
            )
        if questions:
            areas.append({"code": area["code"], "title": pick(area.get("title")), "questions": questions})

    medians = doc.medians()
    scores = {row["area"]: row for row in doc.rows("scores", organisation=iso)}
    score_rows = [
        {
            "area": a["code"],
            "title": pick(a.get("title")),
            "score": score_percent(scores[a["code"]]["score"]) if a["code"] in scores else None,
            "items": scores[a["code"]]["items"] if a["code"] in scores else 0,
            "median": score_percent(medians.get(a["code"])),
        }
        for a in doc.data.get("areas", [])
        if a["code"] in scores or a["code"] in medians
    ]
    chart = {
        "type": "bar",
        "codes": [r["area"] for r in score_rows],
        "labels": [r["title"] for r in score_rows],
        "percent": True,
        "datasets": [
            {"kind": "state", "label": state.display_name, "data": [r["score"] for r in score_rows]},
            {"kind": "median", "label": _("OSCE median"), "data": [r["median"] for r in score_rows]},
        ],
    }
    change_rows = [
        {"question": q["code"], "text": pick(q.get("text")), **changes[q["code"]]}
        for q in doc.data["questions"]
        if q["code"] in changes
    ]
    return {
        "areas": areas,
        "scores": score_rows,
        "chart": chart,
        "changes": change_rows,
        "ngo_count": len(ngos),
        "previous_round": doc.data.get("survey", {}).get("previous"),
    }
