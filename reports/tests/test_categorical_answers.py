"""The build reads codes and texts as categoricals (reports.selectors.answers_frame); every figure of the report must
be exactly what the same answers as plain strings give, in the same order. The world here is made to trip the ways a
categorical differs from a string: categories in another order than the values' first appearance, question codes
that sort apart from their areas, a one-to-one `.map`, two rounds with different categories, decimals, a breakdown
table, a question nobody answered, a show-if rule hiding answers, and no answers at all."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from reports import aggregation as agg
from reports.tests import test_aggregation as world
from reports.tests import test_key_figures as figures
from reports.tests.answer_frames import CATEGORICAL_COLUMNS, as_read

YNP = world.YNP
QUESTIONS = [
    *world.QUESTIONS,
    # Codes that sort apart from their areas (AAA.* is in area ZZZ, ZZZ.* in AAA), both scored.
    world.q("AAA.X.01", "ZZZ", "single_select", "state", scored=True, options=YNP),
    world.q("ZZZ.X.01", "AAA", "single_select", "both", scored=True, options=YNP),
    # Nobody answers it.
    world.q("PRV.NONE.01", "PRV", "single_select", "both", options=YNP),
    # Shown only where PRO.LEG.01 is yes: Austria's answer (not applicable there) is hidden.
    world.q(
        "PRO.LEG.03", "PRO", "single_select", "state", options=YNP, show_if={"question": "PRO.LEG.01", "in": ["yes"]}
    ),
    world.q("PAR.NAT.08", "PAR", "decimal", "state"),
    figures.TABLE,
]
ANSWERS = [
    # Later codes first, so that the order of first appearance is not the sorted one.
    world.choice("GE", "ZZZ.X.01", "yes"),
    world.choice("AT", "ZZZ.X.01", "no"),
    world.choice("ngo-at-1", "ZZZ.X.01", "no"),
    world.choice("ngo-at-2", "ZZZ.X.01", "yes"),
    world.choice("DE", "AAA.X.01", "in_process"),
    world.choice("AT", "AAA.X.01", "yes"),
    world.choice("AT", "PRO.LEG.03", "yes"),
    world.choice("DE", "PRO.LEG.03", "no"),
    world.number("AT", "PAR.NAT.08", 1.25, cell_kind="decimal"),
    world.number("DE", "PAR.NAT.08", 2.5, cell_kind="decimal"),
    world.number("GE", "PAR.NAT.08", 0.1, cell_kind="decimal"),
    *world.ANSWERS,
    *[
        (*row[:6], "integer", None, row[8], None)
        for row in figures.ANSWERS.itertuples(index=False)
        if row[0] in world.KIND
    ],
]
PREVIOUS = [  # the previous round: other organisations and other texts, so other categories
    world.choice("DE", "PRV.SUP.01", "no"),
    world.choice("AT", "PRV.SUP.01", "yes"),
    world.choice("GE", "PRT.ID.01", "in_process"),
    world.choice("AT", "PRO.LEG.01", "no_information"),
]
REGIONS = {
    "west": {"name": "West", "states": ["DE", "AT"]},
    "east": {"name": "East", "states": ["GE", "AT"]},
}


def plain_frame(rows: list[tuple[Any, ...]]) -> pd.DataFrame:
    frame = pd.DataFrame.from_records(rows, columns=agg.ANSWER_COLUMNS)
    frame["number"] = frame["number"].astype("float64")
    return frame


def report(answers: pd.DataFrame, previous: pd.DataFrame) -> dict[str, Any]:
    """Every aggregate of report_compute on these frames, JSON-ready and in order."""
    respondents = world.respondents_frame(world.RESPONDENTS)
    answers = agg.drop_hidden(answers, QUESTIONS)
    counts = agg.choice_counts(answers, respondents, QUESTIONS)
    previous_counts = agg.choice_counts(previous, respondents, QUESTIONS)
    state_scores = agg.scores(answers, respondents, QUESTIONS)
    detail, by_area = agg.state_vs_ngo(answers, QUESTIONS)
    codes = [q["code"] for q in QUESTIONS]
    changes, state_changes = agg.changes_since(answers, previous, counts, previous_counts, codes)
    return {
        "kept": sorted(map(tuple, answers[["organisation", "question", "row", "column"]].astype(str).to_numpy())),
        "choice_counts": agg.records(counts),
        "number_summaries": agg.records(agg.number_summaries(answers)),
        "breakdown_totals": agg.records(agg.breakdown_totals(answers, QUESTIONS)),
        "headlines": agg.headline_counts(counts, QUESTIONS),
        "scores": agg.records(state_scores),
        "region_scores": agg.records(agg.region_scores(state_scores, REGIONS)),
        "area_medians": agg.records(agg.area_medians(state_scores)),
        "state_vs_ngo": agg.records(detail),
        "largest_disagreements": agg.records(agg.largest_disagreements(detail)),
        "agreement_by_area": agg.records(by_area),
        "changes": agg.records(changes),
        "state_changes": agg.records(state_changes),
        "key_figures": agg.key_figures(answers, figures.CHAINS, figures.CELL_YEARS, [2013, 2014]),
    }


def test_categorical_answers_give_exactly_the_report_of_plain_strings() -> None:
    plain = report(plain_frame(ANSWERS), plain_frame(PREVIOUS))
    categorical = report(as_read(plain_frame(ANSWERS)), as_read(plain_frame(PREVIOUS)))
    for part, expected in plain.items():
        assert categorical[part] == expected, part
    # The world is what it claims to be: each trap is in the report.
    assert ("AT", "PRO.LEG.03", "", "") not in plain["kept"]
    assert ("DE", "PRO.LEG.03", "", "") in plain["kept"]
    assert [r["area"] for r in plain["scores"] if r["organisation"] == "AT"] == ["AAA", "PRT", "PRV", "ZZZ"]
    assert {(r["option"], r["count"]) for r in plain["choice_counts"] if r["question"] == "PRV.NONE.01"} == {
        (o["code"], 0) for o in YNP
    }
    budget = next(r for r in plain["number_summaries"] if r["question"] == "PAR.NAT.08")
    assert budget == {
        "question": "PAR.NAT.08",
        "row": "",
        "column": "",
        "kind": "state",
        "count": 3,
        "sum": pytest.approx(3.85),
        "median": 1.25,
        "min": 0.1,
        "max": 2.5,
    }
    assert plain["breakdown_totals"]
    assert plain["state_changes"]


def test_no_answers_give_the_same_empty_report_as_categoricals() -> None:
    empty = agg.empty_answers()
    categorical = empty.astype(dict.fromkeys(CATEGORICAL_COLUMNS, "category"))
    assert report(categorical, categorical) == report(empty, empty)


# Every text is yes or no and every question in its own area: a `.map` of texts to scores or of questions to areas is
# one-to-one, where pandas keeps a categorical (in the order of the categories mapped, not sorted).
YES_NO = [
    world.choice("AT", "ZZZ.X.01", "no"),
    world.choice("ngo-at-1", "ZZZ.X.01", "yes"),
    world.choice("AT", "PRV.ROOT.01", "yes"),
    world.choice("ngo-at-1", "PRV.ROOT.01", "yes"),
    world.choice("DE", "AAA.X.01", "no"),
    world.choice("AT", "AAA.X.01", "yes"),
]


def test_one_to_one_maps_of_categoricals_give_the_report_of_plain_strings() -> None:
    plain = report(plain_frame(YES_NO), plain_frame(PREVIOUS))
    categorical = report(as_read(plain_frame(YES_NO)), as_read(plain_frame(PREVIOUS)))
    for part, expected in plain.items():
        assert categorical[part] == expected, part
    assert [r["area"] for r in plain["agreement_by_area"]] == ["AAA", "PRV"]
    assert [(r["organisation"], r["area"], r["score"]) for r in plain["scores"]] == [
        ("AT", "AAA", 0.0),
        ("AT", "PRV", 1.0),
        ("AT", "ZZZ", 1.0),
        ("DE", "ZZZ", 0.0),
    ]
