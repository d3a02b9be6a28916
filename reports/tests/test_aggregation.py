"""The report maths (reports/aggregation.py) on small hand-made frames, with exact expected numbers.

The frames have the documented columns (module docstring of reports.aggregation); the questions are dicts as
`reports.selectors.question_list` makes them. The world:

- participating States AT (submitted), DE (accepted), GE (resubmitted) are counted; FR (in progress), RS (returned)
  and MD (not started) are not, so they have no answers in the frame (answers_frame reads counted responses only);
- NGOs ngo-at-1 (submitted) and ngo-at-2 (accepted) work in Austria and are counted; ngo-de (in progress) is not,
  so Germany and Georgia have no State-NGO pairs;
- the Partner for Co-operation IL (submitted) is counted, as its own kind.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest
from django.utils import translation

from reports import aggregation as agg
from reports.headlines import sentence
from reports.tests.answer_frames import as_read

YNP = [{"code": c, "label": {"en": c}} for c in ("yes", "no", "in_process", "not_applicable", "no_information")]
YNPART = [{"code": c, "label": {"en": c}} for c in ("yes", "partially", "no", "no_information")]
FORMS = [{"code": c, "label": {"en": c}} for c in ("sexual", "labour", "begging")]


def q(code: str, area: str, qtype: str, audience: str, *, scored: bool = False, **extra: Any) -> dict[str, Any]:
    return {
        "code": code,
        "area": area,
        "section": code.rsplit(".", 1)[0],
        "type": qtype,
        "audience": audience,
        "scored": scored,
        "text": {"en": f"Question {code}"},
        "headline": extra.pop("headline", {}),
        "options": extra.pop("options", []),
        "rows": extra.pop("rows", []),
        **extra,
    }


QUESTIONS = [
    q("PRO.LEG.01", "PRO", "single_select", "state", scored=True, options=YNP),
    q("PRO.LEG.02", "PRO", "multi_select", "state", options=FORMS),
    q(
        "PRO.LEG.04",
        "PRO",
        "matrix",
        "state",
        options=YNP,
        rows=[{"code": "sexual", "label": {}}, {"code": "labour", "label": {}}],
    ),
    q("PRO.DATA.01", "PRO", "integer_per_year", "state"),
    q("PRO.ENF.06", "PRO", "integer", "state"),
    q("GEN.R.03", "GEN", "year_range", "both"),
    q(
        "PRV.SUP.01",
        "PRV",
        "single_select",
        "state",
        scored=True,
        options=YNP,
        headline={"en": "a public procurement policy", "fr": "une politique d’achats publics"},
    ),
    q("PRV.ROOT.01", "PRV", "single_select", "both", scored=True, options=YNPART),
    q("PRV.DEM.01", "PRV", "single_select", "both", scored=True, options=YNPART),
    q("PRT.ID.01", "PRT", "single_select", "both", scored=True, options=YNP),
    q("NGO.P.03", "NGO", "single_select", "ngo", options=YNPART),
]


def respondent(code: str, kind: str, status: str, country: str | None = None) -> dict[str, Any]:
    counted = status in ("submitted", "resubmitted", "accepted")
    return {
        "organisation": code,
        "name": f"Name of {code}",
        "kind": kind,
        "country": country or code,
        "status": status,
        "counted": counted,
    }


def respondents_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=agg.RESPONDENT_COLUMNS)


RESPONDENTS = [
    respondent("AT", "state", "submitted"),
    respondent("DE", "state", "accepted"),
    respondent("FR", "state", "in_progress"),
    respondent("GE", "state", "resubmitted"),
    respondent("MD", "state", "not_started"),
    respondent("RS", "state", "returned"),
    respondent("ngo-at-1", "ngo", "submitted", "AT"),
    respondent("ngo-at-2", "ngo", "accepted", "AT"),
    respondent("ngo-de", "ngo", "in_progress", "DE"),
    respondent("IL", "partner", "submitted"),
]

KIND = {r["organisation"]: (r["kind"], r["country"]) for r in RESPONDENTS}


def choice(org: str, question: str, value: str, row: str = "") -> tuple[Any, ...]:
    kind, country = KIND[org]
    return (org, kind, country, question, row, "", "choice", value, None, None)


def choices(org: str, question: str, values: list[str]) -> tuple[Any, ...]:
    kind, country = KIND[org]
    return (org, kind, country, question, "", "", "choices", None, None, values)


def number(org: str, question: str, value: float, column: str = "", row: str = "", cell_kind: str = "integer"):
    kind, country = KIND[org]
    return (org, kind, country, question, row, column, cell_kind, None, value, None)


def answers_frame(rows: list[tuple[Any, ...]]) -> pd.DataFrame:
    """The rows as the build reads them: codes and texts categorical (tests/test_categorical_answers.py shows that
    plain strings give the same results)."""
    if not rows:
        return agg.empty_answers()
    frame = pd.DataFrame.from_records(rows, columns=agg.ANSWER_COLUMNS)
    frame["number"] = frame["number"].astype("float64")
    return as_read(frame)


ANSWERS = [
    # Austria
    choice("AT", "PRO.LEG.01", "not_applicable"),
    choices("AT", "PRO.LEG.02", ["sexual", "labour"]),
    choice("AT", "PRO.LEG.04", "yes", row="sexual"),
    choice("AT", "PRO.LEG.04", "in_process", row="labour"),
    number("AT", "PRO.DATA.01", 10, column="2012"),
    number("AT", "PRO.DATA.01", 20, column="2013"),
    number("AT", "GEN.R.03", 2010, row="start", cell_kind="year"),
    choice("AT", "PRV.SUP.01", "yes"),
    choice("AT", "PRV.ROOT.01", "partially"),
    # PRV.DEM.01 unanswered by Austria
    choice("AT", "PRT.ID.01", "yes"),
    # Germany
    choice("DE", "PRO.LEG.01", "yes"),
    choices("DE", "PRO.LEG.02", ["labour"]),
    choice("DE", "PRO.LEG.04", "no", row="sexual"),
    number("DE", "PRO.DATA.01", 30, column="2012"),
    number("DE", "PRO.DATA.01", 5, column="2013"),
    number("DE", "PRO.ENF.06", 7),
    choice("DE", "PRV.SUP.01", "in_process"),
    choice("DE", "PRV.ROOT.01", "no_information"),
    choice("DE", "PRV.DEM.01", "yes"),
    choice("DE", "PRT.ID.01", "no"),
    # Georgia
    choice("GE", "PRO.LEG.01", "no"),
    number("GE", "PRO.DATA.01", 50, column="2012"),
    choice("GE", "PRV.SUP.01", "no"),
    choice("GE", "PRV.ROOT.01", "yes"),
    # NGOs in Austria
    choice("ngo-at-1", "PRV.ROOT.01", "yes"),
    choice("ngo-at-1", "PRT.ID.01", "yes"),
    choice("ngo-at-1", "NGO.P.03", "yes"),
    choice("ngo-at-2", "PRV.ROOT.01", "partially"),
    choice("ngo-at-2", "NGO.P.03", "no"),
    # The Partner for Co-operation
    choice("IL", "PRV.SUP.01", "yes"),
]


@pytest.fixture
def answers() -> pd.DataFrame:
    return answers_frame(ANSWERS)


@pytest.fixture
def respondents() -> pd.DataFrame:
    return respondents_frame(RESPONDENTS)


def rows_of(frame: pd.DataFrame, **where: Any) -> list[dict[str, Any]]:
    picked = frame
    for column, value in where.items():
        picked = picked[picked[column] == value]
    return agg.records(picked)


def grid(frame: pd.DataFrame, question: str, kind: str, row: str = "") -> dict[str, tuple[int, int, int]]:
    """option -> (count, answered, eligible) for one question, kind and row."""
    return {
        r["option"]: (r["count"], r["answered"], r["eligible"])
        for r in rows_of(frame, question=question, kind=kind, row=row)
    }


# --- response rates ------------------------------------------------------------------------------------------


def test_response_rates_by_status_and_counted(respondents: pd.DataFrame) -> None:
    assert agg.response_rates(respondents) == {
        "states": {
            "eligible": 6,
            "by_status": {
                "not_started": 1,
                "in_progress": 1,
                "submitted": 1,
                "returned": 1,
                "resubmitted": 1,
                "accepted": 1,
            },
            "counted": 3,
        },
        "ngos": {
            "eligible": 3,
            "by_status": {
                "not_started": 0,
                "in_progress": 1,
                "submitted": 1,
                "returned": 0,
                "resubmitted": 0,
                "accepted": 1,
            },
            "counted": 2,
        },
    }


# --- choice counts -------------------------------------------------------------------------------------------


def test_choice_counts_single_choice_with_zero_rows_answered_and_eligible(answers, respondents) -> None:
    counts = agg.choice_counts(answers, respondents, QUESTIONS)
    assert list(counts.columns) == ["question", "row", "kind", "option", "count", "answered", "eligible"]
    # 3 counted States: AT yes, DE in process, GE no; options nobody chose are there with 0.
    assert grid(counts, "PRV.SUP.01", "state") == {
        "yes": (1, 3, 3),
        "no": (1, 3, 3),
        "in_process": (1, 3, 3),
        "not_applicable": (0, 3, 3),
        "no_information": (0, 3, 3),
    }
    # Only DE answered PRV.DEM.01: answered 1 of 3 eligible.
    assert grid(counts, "PRV.DEM.01", "state") == {
        "yes": (1, 1, 3),
        "partially": (0, 1, 3),
        "no": (0, 1, 3),
        "no_information": (0, 1, 3),
    }
    # Options in the option set's order.
    assert [r["option"] for r in rows_of(counts, question="PRV.SUP.01", kind="state")] == [
        "yes",
        "no",
        "in_process",
        "not_applicable",
        "no_information",
    ]


def test_choice_counts_multiple_choice_counts_each_option_chosen(answers, respondents) -> None:
    counts = agg.choice_counts(answers, respondents, QUESTIONS)
    # AT chose sexual and labour, DE labour: 3 choices by 2 States of 3.
    assert grid(counts, "PRO.LEG.02", "state") == {
        "sexual": (1, 2, 3),
        "labour": (2, 2, 3),
        "begging": (0, 2, 3),
    }


def test_choice_counts_matrix_rows_are_counted_separately(answers, respondents) -> None:
    counts = agg.choice_counts(answers, respondents, QUESTIONS)
    assert grid(counts, "PRO.LEG.04", "state", row="sexual") == {
        "yes": (1, 2, 3),
        "no": (1, 2, 3),
        "in_process": (0, 2, 3),
        "not_applicable": (0, 2, 3),
        "no_information": (0, 2, 3),
    }
    assert grid(counts, "PRO.LEG.04", "state", row="labour") == {
        "yes": (0, 1, 3),
        "no": (0, 1, 3),
        "in_process": (1, 1, 3),
        "not_applicable": (0, 1, 3),
        "no_information": (0, 1, 3),
    }
    assert not rows_of(counts, question="PRO.LEG.04", row="")


def test_choice_counts_kinds_asked_and_partners_as_their_own_kind(answers, respondents) -> None:
    counts = agg.choice_counts(answers, respondents, QUESTIONS)
    kinds = counts.groupby("question")["kind"].unique().map(sorted).to_dict()
    # State questions: States and Partners; both: every kind; NGO questions: NGOs only.
    assert kinds["PRV.SUP.01"] == ["partner", "state"]
    assert kinds["PRV.ROOT.01"] == ["ngo", "partner", "state"]
    assert kinds["NGO.P.03"] == ["ngo"]
    # The Partner's answer is not among the States'.
    assert grid(counts, "PRV.SUP.01", "partner") == {
        "yes": (1, 1, 1),
        "no": (0, 1, 1),
        "in_process": (0, 1, 1),
        "not_applicable": (0, 1, 1),
        "no_information": (0, 1, 1),
    }
    assert grid(counts, "PRV.ROOT.01", "ngo") == {
        "yes": (1, 2, 2),
        "partially": (1, 2, 2),
        "no": (0, 2, 2),
        "no_information": (0, 2, 2),
    }
    assert grid(counts, "PRV.ROOT.01", "partner") == {
        "yes": (0, 0, 1),
        "partially": (0, 0, 1),
        "no": (0, 0, 1),
        "no_information": (0, 0, 1),
    }
    assert grid(counts, "NGO.P.03", "ngo") == {
        "yes": (1, 2, 2),
        "partially": (0, 2, 2),
        "no": (1, 2, 2),
        "no_information": (0, 2, 2),
    }
    # Questions without options (numbers, years) have no choice counts.
    assert set(counts["question"]) == {q["code"] for q in QUESTIONS if q["options"]}


def test_eligible_counts_per_question_and_kind(respondents) -> None:
    eligible = agg.eligible_counts(respondents, [QUESTIONS[0], QUESTIONS[-1]])
    assert agg.records(eligible) == [
        {"question": "PRO.LEG.01", "kind": "state", "eligible": 3},
        {"question": "PRO.LEG.01", "kind": "partner", "eligible": 1},
        {"question": "NGO.P.03", "kind": "ngo", "eligible": 2},
    ]


# --- numbers -------------------------------------------------------------------------------------------------


def test_number_summaries_per_year_column(answers) -> None:
    summaries = agg.number_summaries(answers)
    assert list(summaries.columns) == ["question", "row", "column", "kind", "count", "sum", "median", "min", "max"]
    assert agg.records(summaries) == [
        {
            "question": "PRO.DATA.01",
            "row": "",
            "column": "2012",
            "kind": "state",
            "count": 3,
            "sum": 90.0,
            "median": 30.0,
            "min": 10.0,
            "max": 50.0,
        },
        {
            "question": "PRO.DATA.01",
            "row": "",
            "column": "2013",
            "kind": "state",
            "count": 2,
            "sum": 25.0,
            "median": 12.5,
            "min": 5.0,
            "max": 20.0,
        },
        {
            "question": "PRO.ENF.06",
            "row": "",
            "column": "",
            "kind": "state",
            "count": 1,
            "sum": 7.0,
            "median": 7.0,
            "min": 7.0,
            "max": 7.0,
        },
    ]  # the year of GEN.R.03 (a year, not a quantity) is not summed


def test_number_summaries_separate_kinds_and_decimals() -> None:
    frame = answers_frame(
        [
            number("AT", "PAR.NAT.08", 1.25, cell_kind="decimal"),
            number("DE", "PAR.NAT.08", 2.75, cell_kind="decimal"),
            number("ngo-at-1", "PAR.NAT.08", 4.0, cell_kind="decimal"),
        ]
    )
    result = {(r["kind"], r["count"], r["sum"], r["median"]) for r in agg.records(agg.number_summaries(frame))}
    assert result == {("state", 2, 4.0, 2.0), ("ngo", 1, 4.0, 4.0)}


# --- headlines -----------------------------------------------------------------------------------------------


def test_headline_counts_yes_in_process_and_partially_separately(answers, respondents) -> None:
    counts = agg.choice_counts(answers, respondents, QUESTIONS)
    headlines = {h["question"]: h for h in agg.headline_counts(counts, QUESTIONS)}
    # Only scored questions, in questionnaire order.
    assert list(headlines) == ["PRO.LEG.01", "PRV.SUP.01", "PRV.ROOT.01", "PRV.DEM.01", "PRT.ID.01"]
    assert headlines["PRV.SUP.01"] == {
        "question": "PRV.SUP.01",
        "area": "PRV",
        "yes": 1,  # the Partner's yes is not a State's
        "in_process": 1,
        "partially": 0,
        "no": 1,
        "answered": 3,
        "eligible": 3,
    }
    assert headlines["PRV.ROOT.01"] == {
        "question": "PRV.ROOT.01",
        "area": "PRV",
        "yes": 1,  # the NGOs' answers are not the States'
        "in_process": 0,
        "partially": 1,
        "no": 0,
        "answered": 3,
        "eligible": 3,
    }
    assert headlines["PRV.DEM.01"]["yes"] == 1
    assert headlines["PRV.DEM.01"]["answered"] == 1
    assert headlines["PRV.DEM.01"]["eligible"] == 3
    assert headlines["PRO.LEG.01"]["answered"] == 3  # "not applicable" is an answer


# --- implementation scores -----------------------------------------------------------------------------------


def test_scores_per_state_and_area(answers, respondents) -> None:
    scores = agg.scores(answers, respondents, QUESTIONS)
    assert list(scores.columns) == ["organisation", "name", "area", "score", "items"]
    assert agg.records(scores) == [
        # PRO.LEG.01: AT not applicable (left out, so AT has no PRO score), DE yes, GE no.
        {"organisation": "DE", "name": "Name of DE", "area": "PRO", "score": 1.0, "items": 1},
        {"organisation": "GE", "name": "Name of GE", "area": "PRO", "score": 0.0, "items": 1},
        {"organisation": "AT", "name": "Name of AT", "area": "PRT", "score": 1.0, "items": 1},
        {"organisation": "DE", "name": "Name of DE", "area": "PRT", "score": 0.0, "items": 1},
        # AT: yes 1 + partially 0.5, PRV.DEM.01 unanswered (left out): 1.5 / 2.
        {"organisation": "AT", "name": "Name of AT", "area": "PRV", "score": 0.75, "items": 2},
        # DE: in process 0.5 + no information 0 + yes 1: 1.5 / 3.
        {"organisation": "DE", "name": "Name of DE", "area": "PRV", "score": 0.5, "items": 3},
        # GE: no 0 + yes 1: 1 / 2.
        {"organisation": "GE", "name": "Name of GE", "area": "PRV", "score": 0.5, "items": 2},
    ]


@pytest.mark.parametrize(
    ("values", "score", "items"),
    [
        (["yes", "in_process", "partially", "no", "no_information"], 0.4, 5),
        (["yes", "not_applicable"], 1.0, 1),
        (["in_process", "in_process", "no"], 0.3333, 3),
        (["no_information"], 0.0, 1),
    ],
)
def test_score_values(values: list[str], score: float, items: int) -> None:
    questions = [
        q(f"PRV.X.{i:02d}", "PRV", "single_select", "state", scored=True, options=YNP + YNPART)
        for i in range(len(values))
    ]
    frame = answers_frame([choice("AT", f"PRV.X.{i:02d}", v) for i, v in enumerate(values)])
    result = agg.records(agg.scores(frame, respondents_frame(RESPONDENTS), questions))
    assert result == [{"organisation": "AT", "name": "Name of AT", "area": "PRV", "score": score, "items": items}]


def test_only_not_applicable_and_unscored_answers_give_no_score(respondents) -> None:
    frame = answers_frame(
        [
            choice("AT", "PRO.LEG.01", "not_applicable"),
            choice("AT", "NGO.P.03", "yes"),  # not scored
            choice("AT", "PRO.LEG.04", "yes", row="sexual"),  # a matrix row is not a scored item
            choice("IL", "PRV.SUP.01", "yes"),  # Partners are not scored
            choice("ngo-at-1", "PRV.ROOT.01", "yes"),  # nor are NGOs
        ]
    )
    assert agg.scores(frame, respondents, QUESTIONS).empty


def test_area_medians(answers, respondents) -> None:
    medians = agg.area_medians(agg.scores(answers, respondents, QUESTIONS))
    assert agg.records(medians) == [
        {"area": "PRO", "median": 0.5},  # DE 1.0, GE 0.0
        {"area": "PRT", "median": 0.5},  # AT 1.0, DE 0.0
        {"area": "PRV", "median": 0.5},  # AT 0.75, DE 0.5, GE 0.5
    ]


def test_region_scores_count_a_state_in_every_region_it_belongs_to(answers, respondents) -> None:
    regions = {
        "alpine_caucasus": {"name": "Alps and Caucasus", "states": ["AT", "GE"]},
        "central": {"name": "Central Europe", "states": ["AT", "DE"]},
        "steppe": {"name": "Steppe", "states": ["KZ"]},  # nobody answered: no row
    }
    result = agg.region_scores(agg.scores(answers, respondents, QUESTIONS), regions)
    assert agg.records(result) == [
        {"region": "alpine_caucasus", "name": "Alps and Caucasus", "area": "PRO", "score": 0.0, "states": 1},
        {"region": "alpine_caucasus", "name": "Alps and Caucasus", "area": "PRT", "score": 1.0, "states": 1},
        {"region": "alpine_caucasus", "name": "Alps and Caucasus", "area": "PRV", "score": 0.625, "states": 2},
        {"region": "central", "name": "Central Europe", "area": "PRO", "score": 1.0, "states": 1},
        {"region": "central", "name": "Central Europe", "area": "PRT", "score": 0.5, "states": 2},
        {"region": "central", "name": "Central Europe", "area": "PRV", "score": 0.625, "states": 2},
    ]


# --- States and NGOs -----------------------------------------------------------------------------------------


def test_state_vs_ngo_agreement_per_country_question_and_area(answers) -> None:
    detail, by_area = agg.state_vs_ngo(answers, QUESTIONS)
    # Only Austria has counted NGOs; Germany's NGO did not submit and Georgia has none: no pairs for them.
    assert agg.records(detail) == [
        {
            "country": "AT",
            "question": "PRT.ID.01",
            "row": "",
            "area": "PRT",
            "state": "yes",
            "ngo": ["yes"],
            "agree": 1.0,
        },
        {
            "country": "AT",
            "question": "PRV.ROOT.01",
            "row": "",
            "area": "PRV",
            "state": "partially",
            "ngo": ["partially", "yes"],
            "agree": 0.5,
        },
    ]
    assert agg.records(by_area) == [
        {"area": "PRT", "pairs": 1, "agreement": 1.0},
        {"area": "PRV", "pairs": 2, "agreement": 0.5},
    ]


def test_state_vs_ngo_a_country_without_ngos_gives_no_pair() -> None:
    frame = answers_frame([choice("DE", "PRT.ID.01", "yes"), choice("GE", "PRT.ID.01", "no")])
    detail, by_area = agg.state_vs_ngo(frame, QUESTIONS)
    assert detail.empty
    assert by_area.empty
    assert list(detail.columns) == ["country", "question", "row", "area", "state", "ngo", "agree"]
    assert list(by_area.columns) == ["area", "pairs", "agreement"]


def test_largest_disagreements(answers) -> None:
    detail, _by_area = agg.state_vs_ngo(answers, QUESTIONS)
    assert [(r["country"], r["question"], r["agree"]) for r in agg.records(agg.largest_disagreements(detail))] == [
        ("AT", "PRV.ROOT.01", 0.5)  # full agreement is not a disagreement
    ]


def test_largest_disagreements_lowest_agreement_first_and_at_most_n_per_country() -> None:
    detail = pd.DataFrame(
        [
            {"country": c, "question": qn, "row": "", "area": "PRV", "state": "yes", "ngo": ["no"], "agree": a}
            for c, qn, a in [
                ("AT", "Q1", 0.5),
                ("AT", "Q2", 0.0),
                ("AT", "Q3", 0.25),
                ("AT", "Q4", 1.0),
                ("AT", "Q5", 0.0),
                ("DE", "Q1", 0.75),
            ]
        ]
    )
    result = agg.largest_disagreements(detail, per_country=3)
    assert [(r["country"], r["question"], r["agree"]) for r in agg.records(result)] == [
        ("AT", "Q2", 0.0),
        ("AT", "Q5", 0.0),
        ("AT", "Q3", 0.25),
        ("DE", "Q1", 0.75),
    ]


# --- changes since the previous round ------------------------------------------------------------------------


def test_changes_since_totals_and_state_changes(answers, respondents) -> None:
    previous_questions = [
        q("PRV.SUP.01", "PRV", "single_select", "state", scored=True, options=YNP),
        q("PRV.ROOT.01", "PRV", "single_select", "both", scored=True, options=YNPART),
        q("PRV.OLD.01", "PRV", "single_select", "state", scored=True, options=YNP),  # dropped since
    ]
    previous = answers_frame(
        [
            choice("AT", "PRV.SUP.01", "no"),  # no -> yes
            choice("DE", "PRV.SUP.01", "in_process"),  # unchanged
            choice("MD", "PRV.SUP.01", "yes"),  # did not answer this time: no change listed
            choice("AT", "PRV.ROOT.01", "partially"),  # unchanged
            choice("GE", "PRV.ROOT.01", "no"),  # no -> yes
            choice("AT", "PRV.OLD.01", "yes"),
            choice("ngo-at-1", "PRV.ROOT.01", "no"),  # an NGO's answer is not a State's
        ]
    )
    previous_respondents = respondents_frame(
        [respondent(c, "state", "accepted") for c in ("AT", "DE", "GE", "MD")]
        + [respondent("ngo-at-1", "ngo", "accepted", "AT")]
    )
    previous_counts = agg.choice_counts(previous, previous_respondents, previous_questions)
    counts = agg.choice_counts(answers, respondents, QUESTIONS)
    shared = [x["code"] for x in QUESTIONS if x["code"] in {p["code"] for p in previous_questions}]
    totals, state_changes = agg.changes_since(answers, previous, counts, previous_counts, shared)
    assert agg.records(totals) == [
        {
            "question": "PRV.SUP.01",
            "previous_yes": 1,
            "current_yes": 1,
            "previous_answered": 3,
            "current_answered": 3,
            "both_states": ["AT", "DE"],  # MD answered only then
        },
        {
            "question": "PRV.ROOT.01",
            "previous_yes": 0,
            "current_yes": 1,
            "previous_answered": 2,
            "current_answered": 3,
            "both_states": ["AT", "GE"],  # an NGO is never one of them
        },
    ]
    assert agg.records(state_changes) == [
        {"organisation": "AT", "question": "PRV.SUP.01", "previous": "no", "current": "yes"},
        {"organisation": "GE", "question": "PRV.ROOT.01", "previous": "no", "current": "yes"},
    ]


# --- edge cases ----------------------------------------------------------------------------------------------


def test_no_answers_at_all_gives_empty_results_with_the_right_columns() -> None:
    answers = agg.empty_answers()
    respondents = respondents_frame([])
    assert list(answers.columns) == agg.ANSWER_COLUMNS
    assert agg.response_rates(respondents)["states"] == {
        "eligible": 0,
        "by_status": dict.fromkeys(agg.RESPONSE_STATUSES, 0),
        "counted": 0,
    }
    counts = agg.choice_counts(answers, respondents, QUESTIONS)
    assert list(counts.columns) == ["question", "row", "kind", "option", "count", "answered", "eligible"]
    assert counts[["count", "answered", "eligible"]].to_numpy().sum() == 0  # the full grid, all zero
    headlines = agg.headline_counts(counts, QUESTIONS)
    assert [h["question"] for h in headlines] == ["PRO.LEG.01", "PRV.SUP.01", "PRV.ROOT.01", "PRV.DEM.01", "PRT.ID.01"]
    assert all(h["yes"] == h["answered"] == h["eligible"] == 0 for h in headlines)
    numbers = agg.number_summaries(answers)
    assert numbers.empty
    assert list(numbers.columns) == ["question", "row", "column", "kind", "count", "sum", "median", "min", "max"]
    scores = agg.scores(answers, respondents, QUESTIONS)
    assert scores.empty
    assert list(scores.columns) == ["organisation", "name", "area", "score", "items"]
    medians = agg.area_medians(scores)
    assert medians.empty
    assert list(medians.columns) == ["area", "median"]
    regions = agg.region_scores(scores, {"r": {"name": "R", "states": ["AT"]}})
    assert regions.empty
    assert list(regions.columns) == ["region", "name", "area", "score", "states"]
    detail, by_area = agg.state_vs_ngo(answers, QUESTIONS)
    assert detail.empty
    assert by_area.empty
    disagreements = agg.largest_disagreements(detail)
    assert disagreements.empty
    assert list(disagreements.columns) == ["country", "question", "row", "area", "state", "ngo", "agree"]
    totals, state_changes = agg.changes_since(answers, answers, counts, counts, ["PRV.SUP.01"])
    assert list(totals.columns) == [
        "question",
        "previous_yes",
        "current_yes",
        "previous_answered",
        "current_answered",
        "both_states",
    ]
    assert agg.records(totals) == [
        {
            "question": "PRV.SUP.01",
            "previous_yes": 0,
            "current_yes": 0,
            "previous_answered": 0,
            "current_answered": 0,
            "both_states": [],
        }
    ]
    assert state_changes.empty
    assert list(state_changes.columns) == ["organisation", "question", "previous", "current"]
    for frame in (counts, numbers, scores, medians, regions, detail, by_area, totals, state_changes):
        agg.records(frame)  # JSON-ready, no exception


def test_no_answers_but_respondents_gives_zero_counts_of_the_eligible(respondents) -> None:
    counts = agg.choice_counts(agg.empty_answers(), respondents, QUESTIONS)
    assert grid(counts, "PRV.SUP.01", "state")["yes"] == (0, 0, 3)
    assert counts["count"].sum() == 0
    assert agg.scores(agg.empty_answers(), respondents, QUESTIONS).empty


def test_only_ngos_answered() -> None:
    respondents = respondents_frame(
        [
            respondent("AT", "state", "in_progress"),
            respondent("ngo-at-1", "ngo", "submitted", "AT"),
            respondent("ngo-at-2", "ngo", "submitted", "AT"),
        ]
    )
    answers = answers_frame(
        [
            choice("ngo-at-1", "PRV.ROOT.01", "yes"),
            choice("ngo-at-2", "PRV.ROOT.01", "no"),
            choice("ngo-at-1", "NGO.P.03", "partially"),
            number("ngo-at-1", "PRO.DATA.01", 4, column="2012"),
        ]
    )
    counts = agg.choice_counts(answers, respondents, QUESTIONS)
    assert grid(counts, "PRV.ROOT.01", "ngo") == {
        "yes": (1, 2, 2),
        "partially": (0, 2, 2),
        "no": (1, 2, 2),
        "no_information": (0, 2, 2),
    }
    assert grid(counts, "PRV.ROOT.01", "state")["yes"] == (0, 0, 0)
    assert grid(counts, "NGO.P.03", "ngo")["partially"] == (1, 1, 2)
    assert all(h["yes"] == h["answered"] == h["eligible"] == 0 for h in agg.headline_counts(counts, QUESTIONS))
    assert agg.scores(answers, respondents, QUESTIONS).empty
    detail, by_area = agg.state_vs_ngo(answers, QUESTIONS)
    assert detail.empty
    assert by_area.empty
    assert agg.records(agg.number_summaries(answers)) == [
        {
            "question": "PRO.DATA.01",
            "row": "",
            "column": "2012",
            "kind": "ngo",
            "count": 1,
            "sum": 4.0,
            "median": 4.0,
            "min": 4.0,
            "max": 4.0,
        }
    ]
    assert agg.response_rates(respondents)["ngos"]["counted"] == 2
    assert agg.response_rates(respondents)["states"]["counted"] == 0


def test_a_question_not_in_a_respondents_audience_gets_no_row_for_that_kind(respondents) -> None:
    # Only NGOs answered: the State-only question has no NGO rows, the NGO-only one no State or Partner rows.
    answers = answers_frame([choice("ngo-at-1", "NGO.P.03", "yes"), choice("AT", "PRV.SUP.01", "yes")])
    counts = agg.choice_counts(answers, respondents, QUESTIONS)
    assert set(counts[counts["question"] == "PRV.SUP.01"]["kind"]) == {"state", "partner"}
    assert set(counts[counts["question"] == "NGO.P.03"]["kind"]) == {"ngo"}
    assert set(agg.eligible_counts(respondents, QUESTIONS).query("question == 'NGO.P.03'")["kind"]) == {"ngo"}


def test_records_are_json_ready() -> None:
    frame = pd.DataFrame({"a": pd.Series([1, 2], dtype="int64"), "b": [1.5, float("nan")], "c": ["x", None]})
    result = agg.records(frame)
    assert result == [{"a": 1, "b": 1.5, "c": "x"}, {"a": 2, "b": None, "c": None}]
    assert type(result[0]["a"]) is int
    assert type(result[0]["b"]) is float


# --- headline sentences --------------------------------------------------------------------------------------

HEADLINE_QUESTION = {
    "code": "PRV.SUP.01",
    "headline": {
        "en": "a public procurement policy",
        "fr": "une politique d’achats publics",
        "ru": "политику государственных закупок",
    },
}


def headline_row(yes: int, eligible: int, in_process: int = 0, partially: int = 0) -> dict[str, int]:
    return {"yes": yes, "eligible": eligible, "in_process": in_process, "partially": partially}


def test_sentence_in_english() -> None:
    assert (
        sentence(headline_row(15, 52, in_process=11), HEADLINE_QUESTION, "en")
        == "15 of 52 responding participating States reported a public procurement policy; 11 more reported it in process."
    )


def test_sentence_singular_and_plural() -> None:
    """The plural form follows the States that said yes (the verb's subject in French, German, Italian, Russian and
    Spanish); English reads the same for one and for several."""
    assert (
        sentence(headline_row(1, 40), HEADLINE_QUESTION, "en")
        == "1 of 40 responding participating States reported a public procurement policy."
    )
    assert (
        sentence(headline_row(0, 2, in_process=1), HEADLINE_QUESTION, "en")
        == "0 of 2 responding participating States reported a public procurement policy; 1 more reported it in process."
    )


def test_sentence_with_partially_and_without_in_process() -> None:
    assert (
        sentence(headline_row(4, 10, partially=3), HEADLINE_QUESTION, "en")
        == "4 of 10 responding participating States reported a public procurement policy; 3 more reported it in part."
    )
    assert (
        sentence(headline_row(4, 10, in_process=2, partially=3), HEADLINE_QUESTION, "en")
        == "4 of 10 responding participating States reported a public procurement policy; 2 more reported it in "
        "process; 3 more reported it in part."
    )


def test_sentence_without_a_headline_names_the_question() -> None:
    assert (
        sentence(headline_row(2, 3), {"code": "PRV.SUP.01", "headline": {}}, "en")
        == "2 of 3 responding participating States answered “yes” to PRV.SUP.01."
    )


@pytest.mark.parametrize(
    ("language", "what"),
    [("fr", "une politique d’achats publics"), ("ru", "политику государственных закупок")],
)
def test_sentence_in_french_and_russian_uses_the_questions_headline(language: str, what: str) -> None:
    """The language's whole sentence from the catalogue, with the question's headline phrase in that language."""
    english = (
        "%(yes)d of %(total)d responding participating States reported %(what)s; %(in_process)d more reported it "
        "in process."
    )
    with translation.override(language):
        pattern = translation.ngettext(english, english, 15)
    assert pattern != english
    shown = sentence(headline_row(15, 52, in_process=11), HEADLINE_QUESTION, language)
    assert shown == pattern % {"yes": 15, "total": 52, "what": what, "in_process": 11}
    assert "responding participating States" not in shown


def test_a_headline_missing_in_the_language_names_the_question_instead_of_mixing_languages() -> None:
    question = {"code": "X.Y.01", "headline": {"en": "an English-only headline"}}
    assert sentence(headline_row(3, 5), question, "en") == (
        "3 of 5 responding participating States reported an English-only headline."
    )
    french = sentence(headline_row(3, 5), question, "fr")
    assert "English-only" not in french
    assert "X.Y.01" in french
    with translation.override("fr"):
        english = "%(yes)d of %(total)d responding participating States answered “yes” to %(code)s."
        assert french == translation.ngettext(english, english, 3) % {"yes": 3, "total": 5, "code": "X.Y.01"}


def test_answers_hidden_by_their_show_if_rule_are_not_counted() -> None:
    from reports.aggregation import ANSWER_COLUMNS, drop_hidden

    questions = [
        {"code": "PRO.ENF.01", "audience": "state"},
        {"code": "PRO.ENF.06", "audience": "state", "show_if": {"question": "PRO.ENF.01", "in": ["yes", "in_process"]}},
        {"code": "NGO.P.01", "audience": "ngo"},
        {"code": "NGO.P.04", "audience": "ngo", "show_if": {"question": "NGO.P.01", "in": ["shelter"]}},
        {"code": "PRV.SUP.01", "audience": "state"},
        {"code": "PRV.SUP.03", "audience": "both", "show_if": {"question": "PRV.SUP.01", "in": ["yes"]}},
    ]
    rows = [
        ("AT", "state", "AT", "PRO.ENF.01", "", "", "choice", "yes", None, None),
        ("AT", "state", "AT", "PRO.ENF.06", "", "", "integer", None, 12.0, None),
        ("DE", "state", "DE", "PRO.ENF.01", "", "", "choice", "no", None, None),
        ("DE", "state", "DE", "PRO.ENF.06", "", "", "integer", None, 40.0, None),  # hidden: DE answered "no" later
        ("ngo-a", "ngo", "AT", "NGO.P.01", "", "", "choices", None, None, ["shelter", "advocacy"]),
        ("ngo-a", "ngo", "AT", "NGO.P.04", "", "2014", "integer", None, 3.0, None),
        ("ngo-b", "ngo", "AT", "NGO.P.01", "", "", "choices", None, None, ["research"]),
        ("ngo-b", "ngo", "AT", "NGO.P.04", "", "2014", "integer", None, 9.0, None),  # hidden
        ("ngo-b", "ngo", "AT", "PRV.SUP.03", "", "", "text", "our view", None, None),  # rule not for NGOs: kept
    ]
    answers = pd.DataFrame(rows, columns=ANSWER_COLUMNS)
    kept = drop_hidden(answers, questions)
    assert sorted(zip(kept["organisation"], kept["question"], strict=True)) == sorted(
        [
            ("AT", "PRO.ENF.01"),
            ("AT", "PRO.ENF.06"),
            ("DE", "PRO.ENF.01"),
            ("ngo-a", "NGO.P.01"),
            ("ngo-a", "NGO.P.04"),
            ("ngo-b", "NGO.P.01"),
            ("ngo-b", "PRV.SUP.03"),
        ]
    )
