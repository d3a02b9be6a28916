"""The maths of a report: pure functions on pandas frames, with no ORM and no I/O (tested on hand-made frames).

Frames (built in bulk by `reports.selectors`):

- answers: one row per stored answer cell of a counted response, columns
  `organisation, kind, country, question, row, column, cell_kind, text, number, choices`
  (`kind` is state / partner / ngo; `country` is the State an NGO works in, a State's own code otherwise;
  `cell_kind` is the answer-type kind of the cell: choice, choices, integer, decimal, year, text, date; `text` is
  the stored text, except for the questions listed as written (short and long texts, dates, year ranges), whose
  texts no figure reads and the build leaves in the database: NaN there). The code and text columns are
  categoricals with sorted categories (`reports.categoricals`).
- respondents: one row per organisation that could answer, columns `organisation, name, kind, country, status,
  counted` (`status` "not_started" when it has no response; `counted` whether its answers are in this report).
- questions: the report's question list (docs/report-data.md), as dicts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from surveys import answer_types as at
from surveys.models import Question

# Re-exported: the report's maths are read from here.
from .breakdowns import breakdown_totals as breakdown_totals
from .categoricals import plain as plain
from .key_figures import key_figures as key_figures

RESPONSE_STATUSES = ["not_started", "in_progress", "submitted", "returned", "resubmitted", "accepted"]
# The question audiences each kind of organisation is asked (Partners for Co-operation answer as States).
KIND_ASKED = {
    "state": Question.audiences_for("state"),
    "partner": Question.audiences_for("state"),
    "ngo": Question.audiences_for("ngo"),
}
# Implementation score: what each answer to a scored question is worth. Not applicable and unanswered items are
# left out of the share; "no information" counts as not implemented.
SCORE_VALUES = {"yes": 1.0, "in_process": 0.5, "partially": 0.5, "no": 0.0, "no_information": 0.0}
CHOICE_KINDS = ("choice", "choices")
NUMBER_KINDS = ("integer", "decimal", "year")

ANSWER_COLUMNS = [
    "organisation",
    "kind",
    "country",
    "question",
    "row",
    "column",
    "cell_kind",
    "text",
    "number",
    "choices",
]
RESPONDENT_COLUMNS = ["organisation", "name", "kind", "country", "status", "counted"]


def empty_answers() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="object") for c in ANSWER_COLUMNS}).astype({"number": "float64"})


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """JSON-ready rows: numpy scalars become Python numbers, NaN becomes None."""
    if frame.empty:
        return []
    cleaned = frame.astype(object).where(frame.notna(), None)
    return [
        {str(k): (v.item() if hasattr(v, "item") else v) for k, v in row.items()}
        for row in cleaned.to_dict(orient="records")
    ]


def drop_hidden(answers: pd.DataFrame, questions: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """Leave out answers to questions that their show-if rule hides for that respondent (the answers stay stored).

    Same rule as the answering pages: a question is shown when the question it depends on has one of the listed
    options chosen; when that question is not asked of the respondent's kind, the rule does not apply.
    """
    rules = {q["code"]: q["show_if"] for q in questions if q.get("show_if")}
    if not rules or answers.empty:
        return answers
    audience = {q["code"]: q["audience"] for q in questions}
    # Rows by question, found once (one pass over the frame) rather than by comparing every row for every rule.
    rows_of = answers.groupby("question", sort=False).indices
    keep = np.ones(len(answers), dtype=bool)
    for code, rule in rules.items():
        if code not in rows_of:
            continue
        wanted = set(rule["in"])
        target = answers.iloc[rows_of.get(rule["question"], np.array([], dtype=np.intp))]
        target = target[(target["row"] == rule.get("row", "")) & (target["column"] == "")]
        chosen = target["text"].isin(wanted) | target["choices"].apply(
            lambda c, wanted=wanted: isinstance(c, list) and bool(wanted & set(c))
        )
        shown = set(target.loc[chosen, "organisation"])
        asked_kinds = [k for k, audiences in KIND_ASKED.items() if audience.get(rule["question"]) in audiences]
        mine = rows_of[code]
        subset = answers.iloc[mine]
        hidden = (subset["kind"].isin(asked_kinds) & ~subset["organisation"].isin(shown)).to_numpy()
        keep[mine[hidden]] = False
    if keep.all():
        return answers.reset_index(drop=True)
    return answers[keep].reset_index(drop=True)


def response_rates(respondents: pd.DataFrame) -> dict[str, dict[str, Any]]:
    """States (of all participating States) and NGOs (of those registered) by response status."""
    result = {}
    for label, kind in (("states", "state"), ("ngos", "ngo")):
        group = respondents[respondents["kind"] == kind]
        counts = group["status"].value_counts()
        result[label] = {
            "eligible": len(group),
            "by_status": {status: int(counts.get(status, 0)) for status in RESPONSE_STATUSES},
            "counted": int(group["counted"].sum()) if len(group) else 0,
        }
    return result


def eligible_counts(respondents: pd.DataFrame, questions: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """For each question and respondent kind: how many counted respondents were asked it."""
    counted = respondents[respondents["counted"].astype(bool)]  # an empty frame's column is object, not bool
    per_kind = counted["kind"].value_counts()
    rows = []
    for question in questions:
        for kind, audiences in KIND_ASKED.items():
            if question["audience"] in audiences:
                rows.append({"question": question["code"], "kind": kind, "eligible": int(per_kind.get(kind, 0))})
    return pd.DataFrame(rows, columns=["question", "kind", "eligible"])


def choice_counts(
    answers: pd.DataFrame, respondents: pd.DataFrame, questions: Sequence[Mapping[str, Any]]
) -> pd.DataFrame:
    """Per question, row, respondent kind and option: how many chose it, of how many answered and were eligible.

    Every option of every choice question appears, with 0 where nobody chose it, so that tables and charts show
    the whole scale. A multiple-choice answer counts once for each option chosen.
    """
    columns = ["question", "row", "kind", "option", "count", "answered", "eligible"]
    eligible = eligible_counts(respondents, questions)
    keys = ["question", "row", "kind", "option"]
    # Single and multiple choices are counted apart and their (small) counts added up: the answers are never
    # copied into one frame of chosen options.
    single = answers.loc[answers["cell_kind"] == "choice", ["kind", "question", "row", "text"]]
    single_counts = single.rename(columns={"text": "option"}).groupby(keys).size()
    del single
    multi = answers.loc[answers["cell_kind"] == "choices", ["kind", "question", "row", "choices"]]
    multi = multi.explode("choices").rename(columns={"choices": "option"}).dropna(subset=["option"])
    multi_counts = multi.groupby(keys).size()
    del multi
    both = pd.concat([single_counts.reset_index(), multi_counts.reset_index()], ignore_index=True)
    counts = both.groupby(keys)[0].sum().rename("count").reset_index()
    choice = answers.loc[answers["cell_kind"].isin(CHOICE_KINDS), ["organisation", "kind", "question", "row"]]
    answered = choice.groupby(["question", "row", "kind"])["organisation"].nunique().rename("answered").reset_index()
    del choice
    # The full grid: every option of every row of every choice question, for every kind asked.
    grid: list[dict[str, str]] = []
    kinds_asked = eligible.groupby("question")["kind"].apply(list).to_dict()
    for question in questions:
        options = [o["code"] for o in question.get("options", [])]
        if not options:
            continue
        answer_type = at.get_type(question["type"])
        rows = [r["code"] for r in question.get("rows", [])] if answer_type.has_rows else [""]
        if answer_type.report_role == at.REPORT_FIELDS:
            continue  # composite fields have their own option lists; counted below from the data
        for row in rows:
            for kind in kinds_asked.get(question["code"], []):
                grid.extend({"question": question["code"], "row": row, "kind": kind, "option": o} for o in options)
    grid_frame = pd.DataFrame(grid, columns=["question", "row", "kind", "option"])
    extra = counts[["question", "row", "kind", "option"]]
    full = pd.concat([grid_frame, extra], ignore_index=True).drop_duplicates()
    result = full.merge(counts, how="left", on=["question", "row", "kind", "option"])
    result = result.merge(answered, how="left", on=["question", "row", "kind"])
    result = result.merge(eligible, how="left", on=["question", "kind"])
    result[["count", "answered", "eligible"]] = result[["count", "answered", "eligible"]].fillna(0).astype(int)
    order = {q["code"]: i for i, q in enumerate(questions)}
    option_order = {(q["code"], o["code"]): i for q in questions for i, o in enumerate(q.get("options", []))}
    row_order = {(q["code"], r["code"]): i for q in questions for i, r in enumerate(q.get("rows", []))}
    result["_q"] = result["question"].map(order)
    result["_r"] = [row_order.get((q, r), -1) for q, r in zip(result["question"], result["row"], strict=True)]
    result["_o"] = [option_order.get((q, o), 999) for q, o in zip(result["question"], result["option"], strict=True)]
    result = result.sort_values(["_q", "_r", "row", "kind", "_o", "option"]).drop(columns=["_q", "_r", "_o"])
    return result[columns].reset_index(drop=True)


def number_summaries(answers: pd.DataFrame) -> pd.DataFrame:
    """Per numeric question, row, column and kind: count, sum, median, min and max."""
    columns = ["question", "row", "column", "kind", "count", "sum", "median", "min", "max"]
    numbers = answers[answers["cell_kind"].isin(("integer", "decimal")) & answers["number"].notna()]
    if numbers.empty:
        return pd.DataFrame(columns=columns)
    grouped = numbers.groupby(["question", "row", "column", "kind"])["number"]
    result = grouped.agg(count="count", sum="sum", median="median", min="min", max="max").reset_index()
    result["count"] = result["count"].astype(int)
    return result[columns]


def headline_counts(counts: pd.DataFrame, questions: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """For each scored question: how many responding States said yes and in process, of how many."""
    states = counts[(counts["kind"] == "state") & (counts["row"] == "")]
    result = []
    for question in questions:
        if not question.get("scored"):
            continue
        mine = states[states["question"] == question["code"]]
        by_option = dict(zip(mine["option"], mine["count"], strict=True))
        result.append(
            {
                "question": question["code"],
                "area": question["area"],
                "yes": int(by_option.get("yes", 0)),
                "in_process": int(by_option.get("in_process", 0)),
                "partially": int(by_option.get("partially", 0)),
                "no": int(by_option.get("no", 0)),
                "answered": int(mine["answered"].max()) if len(mine) else 0,
                "eligible": int(mine["eligible"].max()) if len(mine) else 0,
            }
        )
    return result


def scores(answers: pd.DataFrame, respondents: pd.DataFrame, questions: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """Per participating State and area: the share of the area's scored items implemented (see SCORE_VALUES)."""
    columns = ["organisation", "name", "area", "score", "items"]
    scored = {q["code"]: q["area"] for q in questions if q.get("scored")}
    mine = answers[
        (answers["kind"] == "state")
        & answers["question"].isin(scored)
        & (answers["row"] == "")
        & (answers["cell_kind"] == "choice")
    ]
    mine = plain(mine[mine["text"].isin(SCORE_VALUES)])
    if mine.empty:
        return pd.DataFrame(columns=columns)
    frame = pd.DataFrame(
        {
            "organisation": mine["organisation"],
            "area": mine["question"].map(scored),
            "value": mine["text"].map(SCORE_VALUES),
        }
    )
    result = frame.groupby(["organisation", "area"])["value"].agg(score="mean", items="count").reset_index()
    names = respondents.set_index("organisation")["name"]
    result["name"] = result["organisation"].map(names)
    result["score"] = result["score"].round(4)
    return result[columns].sort_values(["area", "organisation"]).reset_index(drop=True)


def area_medians(state_scores: pd.DataFrame) -> pd.DataFrame:
    if state_scores.empty:
        return pd.DataFrame(columns=["area", "median"])
    return state_scores.groupby("area")["score"].median().round(4).rename("median").reset_index()


def region_scores(state_scores: pd.DataFrame, regions: Mapping[str, Mapping[str, Any]]) -> pd.DataFrame:
    """Mean State score per region and area; a State counts in every region it belongs to."""
    columns = ["region", "name", "area", "score", "states"]
    rows = []
    for code, region in regions.items():
        members = state_scores[state_scores["organisation"].isin(region["states"])]
        for area, group in members.groupby("area"):
            rows.append(
                {
                    "region": code,
                    "name": region["name"],
                    "area": area,
                    "score": round(float(group["score"].mean()), 4),
                    "states": len(group),
                }
            )
    return pd.DataFrame(rows, columns=columns)


def state_vs_ngo(answers: pd.DataFrame, questions: Sequence[Mapping[str, Any]]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Where a State and at least one NGO working there answered the same single-choice cell: do they agree?

    Questions marked `about_respondent` in the definition (which State a response covers, the language of
    answering) are left out: they describe who answers, so a State and an NGO "disagreeing" there means nothing.

    Returns (per country and question: the State's answer, the NGOs' answers and the share of NGOs agreeing;
    per area: the number of State-NGO pairs and the share that agree).
    """
    area_of = {q["code"]: q["area"] for q in questions}
    # Questions about the respondent (which State, the language of answering) are not positions to agree on.
    profile = [q["code"] for q in questions if q.get("about_respondent")]
    single = (answers["cell_kind"] == "choice") & ~answers["question"].isin(profile)
    columns = ["country", "question", "row", "text"]
    state = answers.loc[single & (answers["kind"] == "state"), columns].rename(columns={"text": "state"})
    ngo = answers.loc[single & (answers["kind"] == "ngo"), columns].rename(columns={"text": "ngo"})
    del single
    pairs = state.merge(ngo, on=["country", "question", "row"])
    detail_columns = ["country", "question", "row", "area", "state", "ngo", "agree"]
    if pairs.empty:
        return pd.DataFrame(columns=detail_columns), pd.DataFrame(columns=["area", "pairs", "agreement"])
    pairs["same"] = pairs["state"] == pairs["ngo"]
    pairs["area"] = pairs["question"].astype("str").map(area_of)
    detail = (
        pairs.groupby(["country", "question", "row", "area", "state"])
        .agg(ngo=("ngo", lambda s: sorted(s)), agree=("same", "mean"))
        .reset_index()
    )
    detail["agree"] = detail["agree"].round(4)
    by_area = pairs.groupby("area")["same"].agg(pairs="count", agreement="mean").reset_index()
    by_area["agreement"] = by_area["agreement"].round(4)
    return detail[detail_columns], by_area[["area", "pairs", "agreement"]]


def largest_disagreements(detail: pd.DataFrame, per_country: int = 5) -> pd.DataFrame:
    if detail.empty:
        return detail
    ranked = detail[detail["agree"] < 1].sort_values(["country", "agree", "question"])
    return ranked.groupby("country").head(per_country).reset_index(drop=True)


def changes_since(
    current: pd.DataFrame,
    previous: pd.DataFrame,
    current_counts: pd.DataFrame,
    previous_counts: pd.DataFrame,
    codes: Iterable[str],
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """For questions in both rounds: the States' 'yes' totals then and now, and each State's changed answers.

    Each total row also names the States that answered the question (its single-choice cell) in both rounds
    (`both_states`, organisation codes in order), so that a reader can tell a change of answers from a change of
    who answered. `codes` should leave out questions about the respondent (see `state_vs_ngo`).
    """
    codes = list(codes)

    def totals(counts: pd.DataFrame) -> pd.DataFrame:
        states = counts[(counts["kind"] == "state") & (counts["row"] == "") & counts["question"].isin(codes)]
        yes = states[states["option"] == "yes"].set_index("question")["count"]
        answered = states.groupby("question")["answered"].max()
        return pd.DataFrame({"yes": yes, "answered": answered}).fillna(0).astype(int)

    now, then = totals(current_counts), totals(previous_counts)
    both = [c for c in codes if c in now.index and c in then.index]

    def single(frame: pd.DataFrame) -> pd.DataFrame:
        picked = frame[
            (frame["kind"] == "state")
            & (frame["cell_kind"] == "choice")
            & (frame["row"] == "")
            & frame["question"].isin(both)
        ]
        return plain(picked[["organisation", "question", "text"]])

    merged = single(previous).merge(
        single(current), on=["organisation", "question"], suffixes=("_previous", "_current")
    )
    answered_both = merged.sort_values("organisation").groupby("question")["organisation"].apply(list).to_dict()
    total_rows = [
        {
            "question": code,
            "previous_yes": _int(then.at[code, "yes"]),
            "current_yes": _int(now.at[code, "yes"]),
            "previous_answered": _int(then.at[code, "answered"]),
            "current_answered": _int(now.at[code, "answered"]),
            "both_states": [str(o) for o in answered_both.get(code, [])],
        }
        for code in both
    ]
    changed = merged[merged["text_previous"] != merged["text_current"]].rename(
        columns={"text_previous": "previous", "text_current": "current"}
    )
    return (
        pd.DataFrame(
            total_rows,
            columns=[
                "question",
                "previous_yes",
                "current_yes",
                "previous_answered",
                "current_answered",
                "both_states",
            ],
        ),
        changed.sort_values(["organisation", "question"]).reset_index(drop=True),
    )


def _int(value: Any) -> int:
    return int(value)


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return _records(frame)
