"""Key figures, breakdown totals and the questions about the respondent, on small hand-made frames with exact
expected numbers (reports/key_figures.py, reports/breakdowns.py, reports/aggregation.py)."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest
from django.utils import translation

from reports import aggregation as agg
from reports.key_figure_sentences import chain_sentence, step_name
from reports.tests.answer_frames import as_read

KIND = {"AT": "state", "DE": "state", "FR": "state", "IL": "partner", "ngo-at": "ngo"}
CHAINS = [
    {
        "code": "victims",
        "title": {"en": "Victims"},
        "steps": [
            {"question": "PRT.DATA.01", "label": {"en": "identified victims"}},
            {"question": "PRT.DATA.02", "label": {}},
            {"question": "PRT.DATA.03", "label": {}},
        ],
    }
]
# Which year each cell is for: the table's rows start with the year; the per-year questions' columns are years.
TABLE_CELLS = {
    f"{year}.{sex}|{citizenship}": year
    for year in (2013, 2014)
    for sex in ("female", "male")
    for citizenship in ("national", "foreign")
}
PER_YEAR = {f"|{year}": year for year in (2013, 2014)}
CELL_YEARS = {"PRT.DATA.01": TABLE_CELLS, "PRT.DATA.02": PER_YEAR, "PRT.DATA.03": PER_YEAR}


def number(org: str, question: str, value: float, row: str = "", column: str = "") -> tuple[Any, ...]:
    country = "AT" if org == "ngo-at" else org
    return (org, KIND[org], country, question, row, column, "integer", None, value, None)


def choice(org: str, question: str, value: str) -> tuple[Any, ...]:
    country = "AT" if org == "ngo-at" else org
    return (org, KIND[org], country, question, "", "", "choice", value, None, None)


def frame(rows: list[tuple[Any, ...]]) -> pd.DataFrame:
    """The rows as the build reads them (codes and texts categorical)."""
    result = pd.DataFrame.from_records(rows, columns=agg.ANSWER_COLUMNS)
    result["number"] = result["number"].astype("float64")
    return as_read(result)


ANSWERS = frame(
    [
        # 2014: AT identified 10 + 5 + 1, assisted 12, compensated 3; DE identified 4, assisted 2; FR assisted 7 only.
        number("AT", "PRT.DATA.01", 10, "2014.female", "national"),
        number("AT", "PRT.DATA.01", 5, "2014.female", "foreign"),
        number("AT", "PRT.DATA.01", 1, "2014.male", "foreign"),
        number("AT", "PRT.DATA.02", 12, column="2014"),
        number("AT", "PRT.DATA.03", 3, column="2014"),
        number("DE", "PRT.DATA.01", 4, "2014.male", "foreign"),
        number("DE", "PRT.DATA.02", 2, column="2014"),
        number("FR", "PRT.DATA.02", 7, column="2014"),
        # NGOs and Partners do not count towards the States' figures.
        number("ngo-at", "PRT.DATA.02", 500, column="2014"),
        number("IL", "PRT.DATA.02", 900, column="2014"),
        # 2013: only DE identified victims, and said 0 were compensated; nobody gave the assisted figure.
        number("DE", "PRT.DATA.01", 6, "2013.female", "national"),
        number("DE", "PRT.DATA.03", 0, column="2013"),
        # A cell the definition gives no year to is not counted.
        number("AT", "PRT.DATA.02", 99, column="total"),
    ]
)


def test_key_figures_give_states_totals_medians_and_shares_over_states_reporting_both() -> None:
    [chain] = agg.key_figures(ANSWERS, CHAINS, CELL_YEARS, [2013, 2014])
    assert chain["code"] == "victims"
    assert chain["steps"][0] == {"question": "PRT.DATA.01", "label": {"en": "identified victims"}}
    by_year = {entry["year"]: entry["steps"] for entry in chain["years"]}
    identified, assisted, compensated = by_year[2014]
    assert identified == {"question": "PRT.DATA.01", "states": 2, "total": 20, "median": 10}
    # AT and DE reported both: (12 + 2) / (16 + 4); France's 7 is in the total, not in the share.
    assert assisted == {
        "question": "PRT.DATA.02",
        "states": 3,
        "total": 21,
        "median": 7,
        "both": 2,
        "ratio": pytest.approx(14 / 20),
    }
    assert compensated == {"question": "PRT.DATA.03", "states": 1, "total": 3, "median": 3, "both": 1, "ratio": 0.25}


def test_a_step_nobody_gave_has_no_share_and_the_next_step_none_either() -> None:
    [chain] = agg.key_figures(ANSWERS, CHAINS, CELL_YEARS, [2013, 2014])
    identified, assisted, compensated = next(e["steps"] for e in chain["years"] if e["year"] == 2013)
    assert identified == {"question": "PRT.DATA.01", "states": 1, "total": 6, "median": 6}
    assert assisted == {"question": "PRT.DATA.02", "states": 0, "total": None, "median": None, "both": 0, "ratio": None}
    # DE's 0 is a figure given: it counts as reporting; with no previous step to set it against, no share.
    assert compensated == {"question": "PRT.DATA.03", "states": 1, "total": 0, "median": 0, "both": 0, "ratio": None}


def test_key_figures_of_a_round_without_answers_or_chains() -> None:
    empty = agg.empty_answers()
    [chain] = agg.key_figures(empty, CHAINS, CELL_YEARS, [2014])
    assert [s["states"] for s in chain["years"][0]["steps"]] == [0, 0, 0]
    assert agg.key_figures(ANSWERS, [], CELL_YEARS, [2014]) == []


TABLE = {
    "code": "PRT.DATA.01",
    "area": "PRT",
    "type": "integer_matrix",
    "audience": "state",
    "options": [],
    "rows": [],
    "dimensions": [
        {"code": "year", "label": {}, "values": [{"code": "2013", "label": {}}, {"code": "2014", "label": {}}]},
        {"code": "sex", "label": {}, "values": [{"code": "female", "label": {}}, {"code": "male", "label": {}}]},
        {
            "code": "citizenship",
            "label": {},
            "values": [{"code": "national", "label": {}}, {"code": "foreign", "label": {}}],
        },
    ],
}


def test_breakdown_totals_add_up_each_respondents_cells_per_dimension_value_in_definition_order() -> None:
    totals = agg.records(agg.breakdown_totals(ANSWERS, [TABLE]))
    assert [(r["dimension"], r["value"]) for r in totals] == [
        ("year", "2013"),
        ("year", "2014"),
        ("sex", "female"),
        ("sex", "male"),
        ("citizenship", "national"),
        ("citizenship", "foreign"),
    ]
    by_value = {(r["dimension"], r["value"]): r for r in totals}
    # 2014: AT 16, DE 4.
    assert by_value[("year", "2014")] == {
        "question": "PRT.DATA.01",
        "kind": "state",
        "dimension": "year",
        "value": "2014",
        "respondents": 2,
        "sum": 20.0,
        "median": 10.0,
        "min": 4.0,
        "max": 16.0,
    }
    # Female over both years: AT 15 (2014), DE 6 (2013).
    assert (by_value[("sex", "female")]["respondents"], by_value[("sex", "female")]["sum"]) == (2, 21.0)
    # Foreign, the column dimension: AT 5 + 1, DE 4.
    assert by_value[("citizenship", "foreign")]["sum"] == 10.0
    assert by_value[("citizenship", "foreign")]["median"] == 5.0


def test_breakdown_totals_leave_cells_of_an_older_table_shape_to_the_raw_data() -> None:
    odd = frame([number("AT", "PRT.DATA.01", 3, "2014", "national")])  # a row key with one part, not two
    assert agg.breakdown_totals(odd, [TABLE]).empty
    mixed = frame([*odd.itertuples(index=False), number("DE", "PRT.DATA.01", 4, "2014.male", "foreign")])
    totals = agg.records(agg.breakdown_totals(mixed, [TABLE]))
    assert {(r["dimension"], r["value"], r["sum"]) for r in totals} == {
        ("year", "2014", 4.0),
        ("sex", "male", 4.0),
        ("citizenship", "foreign", 4.0),
    }


PROFILE = [
    {"code": "GEN.R.04", "area": "GEN", "type": "single_select", "audience": "both", "about_respondent": True},
    {"code": "PRV.SUP.02", "area": "PRV", "type": "single_select", "audience": "both"},
]


def test_questions_about_the_respondent_are_not_compared_between_a_state_and_ngos() -> None:
    answers = frame(
        [
            choice("AT", "GEN.R.04", "de"),
            choice("ngo-at", "GEN.R.04", "en"),  # a different language of answering is no disagreement
            choice("AT", "PRV.SUP.02", "no"),
            choice("ngo-at", "PRV.SUP.02", "yes"),
        ]
    )
    detail, by_area = agg.state_vs_ngo(answers, PROFILE)
    assert list(detail["question"]) == ["PRV.SUP.02"]
    assert agg.records(by_area) == [{"area": "PRV", "pairs": 1, "agreement": 0.0}]


LABELLED = {
    "code": "victims",
    "steps": [
        {"question": "PRT.DATA.01", "label": {"en": "identified victims"}},
        {"question": "PRT.DATA.02", "label": {"en": "victims assisted", "fr": "victimes assistées"}},
        {"question": "PRT.DATA.03", "label": {}},
    ],
}
QUESTIONS = {
    "PRT.DATA.01": {
        "short": {"en": "Victims identified", "fr": "Victimes identifiées"},
        "text": {"en": "How many victims were identified?", "ru": "Сколько жертв было выявлено?"},
    }
}


@pytest.mark.parametrize(
    ("language", "first"),
    [
        ("fr", "Victimes identifiées"),  # no French label: the question's short label in French
        ("ru", "Сколько жертв было выявлено?"),  # no Russian label nor short label: the question's text in Russian
        ("de", "identified victims"),  # nothing in German: the English label
        ("en", "identified victims"),
    ],
)
def test_a_step_is_named_in_the_sentence_language_where_its_label_lacks_it(language: str, first: str) -> None:
    with translation.override(language):
        assert step_name(LABELLED, 0, QUESTIONS) == first
        assert step_name(LABELLED, 1, QUESTIONS) == ("victimes assistées" if language == "fr" else "victims assisted")
        assert step_name(LABELLED, 2, QUESTIONS) == "PRT.DATA.03"  # no label: the question code names the step


def test_a_french_key_figure_sentence_holds_no_english_label() -> None:
    figures = {"year": 2014, "steps": [{"states": 2, "total": 30}, {"states": 1, "total": 5, "both": 1, "ratio": 0.2}]}
    chain = {"code": "victims", "steps": LABELLED["steps"][:2]}
    with translation.override("fr"):
        sentence = chain_sentence(chain, figures, QUESTIONS)
    assert "Victimes identifiées" in sentence
    assert "victimes assistées" in sentence
    assert "identified" not in sentence
