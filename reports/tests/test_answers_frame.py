"""The answers as the build reads them from the database (reports.selectors.answers_frame: the ORM on SQLite, COPY on
PostgreSQL), and the figures that depend on how they are typed: an empty round, a question nobody answered, numbers
with decimals and a breakdown table, with exact expected numbers."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from reports import services
from reports.aggregation import ANSWER_COLUMNS
from reports.selectors import answers_frame, question_list
from reports.tests.answer_frames import CATEGORICAL_COLUMNS
from reports.tests.test_report_build import import_csv, load_round

ANSWERS = """\
AT,PAR.NAT.08,,,1.25
DE,PAR.NAT.08,,,2.5
CZ,PAR.NAT.08,,,0.1
AT,PRT.DATA.01,2014.female.adult.sexual_exploitation,national,10
AT,PRT.DATA.01,2014.female.child.sexual_exploitation,foreign,5
DE,PRT.DATA.01,2013.male.adult.forced_labour_or_services,foreign,4
AT,PRV.SUP.01,,,yes
DE,PRV.SUP.01,,,no
CZ,PRV.SUP.01,,,yes
"""


def test_a_round_nobody_answered_gives_zero_counts_and_no_figures(db: None) -> None:
    survey = load_round("thb-2016")
    frame = answers_frame(survey, False, question_list(survey))
    assert list(frame.columns) == ANSWER_COLUMNS
    assert frame.empty
    data = services.report_compute(survey=survey, include_in_progress=False)
    assert data["choice_counts"]
    assert {(r["count"], r["answered"], r["eligible"]) for r in data["choice_counts"]} == {(0, 0, 0)}
    assert data["number_summaries"] == []
    assert data["breakdown_totals"] == []
    assert data["scores"] == []
    assert data["state_vs_ngo"] == []


def test_the_answers_are_read_as_sorted_categoricals(db: None, tmp_path: Path) -> None:
    survey = load_round("thb-2016")
    import_csv(tmp_path, "answers.csv", ANSWERS)
    frame = answers_frame(survey, False, question_list(survey))
    for column in CATEGORICAL_COLUMNS:
        assert isinstance(frame[column].dtype, pd.CategoricalDtype), column
        assert frame[column].cat.categories.is_monotonic_increasing, column
    assert frame["number"].dtype == "float64"
    budget = frame[frame["question"] == "PAR.NAT.08"].sort_values("organisation")
    assert list(zip(budget["organisation"], budget["cell_kind"], budget["number"], strict=True)) == [
        ("AT", "decimal", 1.25),
        ("CZ", "decimal", 0.1),
        ("DE", "decimal", 2.5),
    ]
    assert sorted(frame.loc[frame["question"] == "PRV.SUP.01", "text"]) == ["no", "yes", "yes"]


def test_decimals_a_breakdown_table_and_an_unanswered_question_are_counted_exactly(db: None, tmp_path: Path) -> None:
    survey = load_round("thb-2016")
    import_csv(tmp_path, "answers.csv", ANSWERS)
    data = services.report_compute(survey=survey, include_in_progress=False)
    (budget,) = [r for r in data["number_summaries"] if r["question"] == "PAR.NAT.08"]
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
    totals = {(r["dimension"], r["value"]): r for r in data["breakdown_totals"] if r["question"] == "PRT.DATA.01"}
    assert [(r["dimension"], r["value"]) for r in data["breakdown_totals"]] == [
        ("year", "2013"),
        ("year", "2014"),
        ("sex", "female"),
        ("sex", "male"),
        ("age", "adult"),
        ("age", "child"),
        ("form", "sexual_exploitation"),
        ("form", "forced_labour_or_services"),
        ("citizenship", "national"),
        ("citizenship", "foreign"),
    ]
    # Per State first, then over States: foreign is AT 5 and DE 4.
    assert totals[("citizenship", "foreign")] == {
        "question": "PRT.DATA.01",
        "kind": "state",
        "dimension": "citizenship",
        "value": "foreign",
        "respondents": 2,
        "sum": 9.0,
        "median": 4.5,
        "min": 4.0,
        "max": 5.0,
    }
    assert (totals[("year", "2014")]["respondents"], totals[("year", "2014")]["sum"]) == (1, 15.0)
    assert (totals[("sex", "female")]["respondents"], totals[("sex", "female")]["sum"]) == (1, 15.0)
    # PRO.ENF.04 was answered by nobody: every option is there with 0, of the three States counted.
    unanswered = [
        (r["option"], r["count"], r["answered"], r["eligible"])
        for r in data["choice_counts"]
        if (r["question"], r["kind"]) == ("PRO.ENF.04", "state")
    ]
    assert unanswered
    assert {(count, answered, eligible) for _option, count, answered, eligible in unanswered} == {(0, 0, 3)}
    (headline,) = [h for h in data["headlines"] if h["question"] == "PRV.SUP.01"]
    assert (headline["yes"], headline["no"], headline["answered"], headline["eligible"]) == (2, 1, 3, 3)
