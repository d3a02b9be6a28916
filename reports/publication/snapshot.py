"""The public snapshot of a round's final report: aggregate figures only. Pure functions: no queries, no files.

What is kept: the round's title and years, the report's basis and build time, the areas, the questions counted per
option (text, headline phrase, options, matrix rows), how many States and NGOs responded, the counts of each option
among States and among NGOs, and the headline figures. What is never kept: an NGO's name or code, any organisation's
score, the State-NGO comparisons, texts and numbers, any answer of one organisation, except the States' answers to
the questions staff marked public by State. The NGO figures of a question that fewer than MIN_NGO_ANSWERS NGOs
answered (in any of its rows) are left out too, so that no NGO's answer can be read from a count. Questions about
the respondent (`about_respondent`: which State a response covers, the language of answering) are left out
entirely: "NGOs: Belarus 1 of 4" would say where a named few NGOs work.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from surveys import answer_types as at

from ..state_names import respondent_option_labels

MIN_NGO_ANSWERS = 3
KINDS = ("state", "ngo")
STATE_AUDIENCES = ("state", "both")


def _answer_type(question: Mapping[str, Any]) -> at.AnswerType | None:
    return at.ANSWER_TYPES.get(str(question.get("type")))


def is_figure_question(question: Mapping[str, Any]) -> bool:
    """A question the report counts per option (single and multiple choice, matrices of choices)."""
    answer_type = _answer_type(question)
    return answer_type is not None and answer_type.report_role == at.REPORT_OPTIONS and bool(question.get("options"))


def is_public_question(question: Mapping[str, Any]) -> bool:
    """A question whose figures may be public at all: not one about the respondent."""
    return not question.get("about_respondent")


def publishable_by_state(questions: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The questions whose States' answers staff may show State by State: choice questions asked of States, with
    one answer each (no matrix rows), not about the respondent, and without a show-if rule (a State's stored
    answer to a question its own answers hide is not counted by the report, so it must not be published either)."""
    return [
        q
        for q in questions
        if is_figure_question(q)
        and is_public_question(q)
        and not q.get("show_if")
        and not getattr(_answer_type(q), "has_rows", False)
        and q.get("audience") in STATE_AUDIENCES
    ]


def public_snapshot(
    report: Mapping[str, Any],
    state_answers: Iterable[Sequence[Any]],
    public_questions: Sequence[str],
) -> dict[str, Any]:
    """The snapshot of `report` (a stored report's data, docs/report-data.md) the public pages read.

    `state_answers` are (State code, State name, question code, chosen option or list of options) of the answers the
    report counted, for the questions in `public_questions` only; anything else passed in is ignored."""
    public = [q for q in report.get("questions", []) if is_public_question(q)]
    public_codes = {q["code"] for q in public}
    headlined = {row.get("question") for row in report.get("headlines", [])} & public_codes
    figured = [q for q in public if is_figure_question(q)]
    codes = {q["code"] for q in figured}
    # A question with a headline sentence but no figures here keeps its text and phrase for the sentence.
    questions = [_question(q) for q in public if q["code"] in codes or q["code"] in headlined]
    state_names = respondent_option_labels(report.get("questions", []))
    allowed = {q["code"] for q in publishable_by_state(figured)} & set(public_questions)
    counts = [
        {k: row.get(k, "") for k in ("question", "row", "kind", "option", "count", "answered")}
        for row in report.get("choice_counts", [])
        if row["question"] in codes and row["kind"] in KINDS and row["answered"]
    ]
    ngo_answered: dict[str, int] = {}
    for row in counts:
        if row["kind"] == "ngo":
            ngo_answered[row["question"]] = min(row["answered"], ngo_answered.get(row["question"], row["answered"]))
    withheld = sorted(code for code, answered in ngo_answered.items() if answered < MIN_NGO_ANSWERS)
    rates = report.get("response_rates", {})
    return {
        "survey": dict(report.get("survey", {})),
        "basis": dict(report.get("basis", {})),
        "built_at": report.get("built_at"),
        "areas": [{"code": a["code"], "title": a.get("title", {})} for a in report.get("areas", [])],
        "questions": questions,
        "response_rates": {
            key: {"eligible": rates.get(key, {}).get("eligible", 0), "counted": rates.get(key, {}).get("counted", 0)}
            for key in ("states", "ngos")
        },
        "choice_counts": [row for row in counts if not (row["kind"] == "ngo" and row["question"] in withheld)],
        "ngo_withheld": withheld,
        "headlines": [
            {k: v for k, v in row.items() if k != "sentence"}
            for row in report.get("headlines", [])
            if row.get("question") in headlined
        ],
        "public_questions": [q["code"] for q in figured if q["code"] in allowed],
        "state_answers": sorted(
            (
                {
                    "question": code,
                    "organisation": org,
                    "name": name,
                    "names": dict(state_names.get(org, {})),
                    "options": _as_list(value),
                }
                for org, name, code, value in state_answers
                if code in allowed and _as_list(value)
            ),
            key=lambda a: (a["question"], a["name"]),
        ),
    }


def _question(question: Mapping[str, Any]) -> dict[str, Any]:
    keys = ("code", "area", "section", "type", "audience", "text", "headline", "options", "rows")
    return {k: question.get(k) for k in keys}


def _as_list(value: Any) -> list[str]:
    if value in (None, ""):
        return []
    return [str(v) for v in value] if isinstance(value, list | tuple) else [str(value)]


def ngo_changes(previous: Mapping[str, Any], current: Mapping[str, Any]) -> list[str]:
    """The questions whose NGO figures both snapshots show and differ by 1 or 2 in some row: how many NGOs
    answered, or chose an option. Someone comparing the two pages could read one or two NGOs' answers from the
    difference; staff are warned before publishing again."""
    before, after = _ngo_figures(previous), _ngo_figures(current)
    changed = set()
    for question in before.keys() & after.keys():
        old, new = before[question], after[question]
        for key in old.keys() | new.keys():
            if 0 < abs(new.get(key, 0) - old.get(key, 0)) <= 2:
                changed.add(question)
                break
    order = {q["code"]: i for i, q in enumerate(current.get("questions", []))}
    return sorted(changed, key=lambda code: (order.get(code, len(order)), code))


def _ngo_figures(data: Mapping[str, Any]) -> dict[str, dict[tuple[str, str | None], int]]:
    """question -> (row, option, or None for how many answered the row) -> count, of a snapshot's NGO figures."""
    figures: dict[str, dict[tuple[str, str | None], int]] = {}
    for row in data.get("choice_counts", []):
        if row.get("kind") == "ngo":
            by_key = figures.setdefault(row["question"], {})
            by_key[(row.get("row", ""), row["option"])] = int(row.get("count") or 0)
            by_key[(row.get("row", ""), None)] = int(row.get("answered") or 0)
    return figures
