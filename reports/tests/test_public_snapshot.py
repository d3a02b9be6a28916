"""What the public snapshot keeps of a stored report, on a small hand-made report (no database)."""

from __future__ import annotations

import importlib
from typing import Any

from reports.publication.page import public_page
from reports.publication.snapshot import MIN_NGO_ANSWERS, ngo_changes, public_snapshot, publishable_by_state

YES_NO = [{"code": "yes", "label": {"en": "Yes", "fr": "Oui"}}, {"code": "no", "label": {"en": "No", "fr": "Non"}}]


def question(code: str, audience: str = "both", **extra: Any) -> dict[str, Any]:
    return {
        "code": code,
        "area": "PRV",
        "section": "PRV.X",
        "type": "single_select",
        "audience": audience,
        "text": {"en": f"Text of {code}"},
        "headline": {},
        "options": YES_NO,
        "rows": [],
        **extra,
    }


def counts(code: str, kind: str, yes: int, no: int) -> list[dict[str, Any]]:
    answered = yes + no
    return [
        {"question": code, "row": "", "kind": kind, "option": o, "count": n, "answered": answered, "eligible": 9}
        for o, n in (("yes", yes), ("no", no))
    ]


REPORT: dict[str, Any] = {
    "survey": {"slug": "r", "title": {"en": "Round"}, "reference_years": [2014], "previous": None},
    "basis": {"statuses": ["submitted"], "provisional": False},
    "built_at": "2026-11-28T00:10:00+01:00",
    "areas": [{"code": "PRV", "title": {"en": "Prevention"}, "scored_questions": ["Q.1"]}],
    "questions": [
        question("Q.1", "state"),
        question("Q.2"),
        question("Q.M", "state", type="matrix", rows=[{"code": "r1", "label": {"en": "Row", "fr": "Ligne"}}]),
        question("Q.T", "state", type="short_text", options=[]),
    ],
    "response_rates": {
        "states": {"eligible": 57, "by_status": {"submitted": 3}, "counted": 3},
        "ngos": {"eligible": 9, "by_status": {"submitted": 4}, "counted": 4},
    },
    "choice_counts": [
        *counts("Q.1", "state", 2, 1),
        *counts("Q.2", "state", 1, 2),
        *counts("Q.2", "ngo", 3, 1),
        *counts("Q.1", "ngo", 1, 0),  # one NGO: never shown
        *[{**row, "row": "r1"} for row in counts("Q.M", "state", 2, 1)],
    ],
    "headlines": [
        {"question": "Q.1", "area": "PRV", "yes": 2, "answered": 3, "eligible": 3, "sentence": "English"},
        {"question": "Q.M", "area": "PRV", "yes": 1, "answered": 3, "eligible": 3, "sentence": "English"},
    ],
    "scores": [{"organisation": "AT", "name": "Austria", "area": "PRV", "score": 0.75, "items": 2}],
    "state_vs_ngo": [{"country": "AT", "question": "Q.2", "state": "yes", "ngo": ["no"], "agree": 0.0}],
    "state_changes": [{"organisation": "AT", "question": "Q.1", "previous": "no", "current": "yes"}],
}
ANSWERS = [("AT", "Austria", "Q.1", "yes"), ("DE", "Germany", "Q.2", "no"), ("FR", "France", "Q.1", ["no"])]


def test_the_snapshot_keeps_aggregates_and_drops_what_names_an_organisation() -> None:
    data = public_snapshot(REPORT, ANSWERS, ["Q.1"])
    assert set(data) >= {"survey", "basis", "areas", "questions", "choice_counts", "headlines", "state_answers"}
    for dropped in ("scores", "state_vs_ngo", "state_changes", "region_scores", "number_summaries"):
        assert dropped not in data
    assert data["response_rates"] == {"states": {"eligible": 57, "counted": 3}, "ngos": {"eligible": 9, "counted": 4}}
    assert all("sentence" not in h for h in data["headlines"])
    assert [q["code"] for q in data["questions"]] == [
        "Q.1",
        "Q.2",
        "Q.M",
    ]  # no text question; the matrix for its headline


def test_ngo_figures_answered_by_fewer_than_the_minimum_are_left_out() -> None:
    assert MIN_NGO_ANSWERS == 3
    data = public_snapshot(REPORT, [], [])
    ngo_rows = {(r["question"], r["option"]) for r in data["choice_counts"] if r["kind"] == "ngo"}
    assert ngo_rows == {("Q.2", "yes"), ("Q.2", "no")}
    assert data["ngo_withheld"] == ["Q.1"]


def test_state_answers_are_kept_only_for_the_questions_marked_public() -> None:
    data = public_snapshot(REPORT, ANSWERS, ["Q.1", "Q.T", "Q.M"])  # a text question and a matrix cannot be
    assert data["public_questions"] == ["Q.1"]
    assert data["state_answers"] == [
        {"question": "Q.1", "organisation": "AT", "name": "Austria", "names": {}, "options": ["yes"]},
        {"question": "Q.1", "organisation": "FR", "name": "France", "names": {}, "options": ["no"]},
    ]


def test_the_page_reads_labels_and_shares_in_the_readers_language() -> None:
    page = public_page(public_snapshot(REPORT, ANSWERS, ["Q.1"]), "fr")
    (area,) = page["areas"]
    assert [h["question"] for h in area["headlines"]] == ["Q.1", "Q.M"]
    by_code = {q["code"]: q for q in area["questions"]}
    assert set(by_code) == {"Q.1", "Q.2", "Q.M"}
    assert by_code["Q.1"]["ngo_withheld"]
    assert by_code["Q.1"]["kinds"] == ["state"]
    ((yes, _no),) = [group["lines"] for group in by_code["Q.2"]["groups"]]
    assert yes["label"] == "Oui"
    assert yes["cells"] == [
        {"kind": "state", "count": 1, "answered": 3, "share": 33},
        {"kind": "ngo", "count": 3, "answered": 4, "share": 75},
    ]
    (row,) = by_code["Q.M"]["groups"]
    assert (row["row"], row["label"]) == ("r1", "Ligne")
    assert [line["cells"][0]["count"] for line in row["lines"]] == [2, 1]
    assert by_code["Q.1"]["state_answers"] == [
        {"name": "Austria", "answer": "Oui"},
        {"name": "France", "answer": "Non"},
    ]
    assert by_code["Q.2"]["state_answers"] is None


STATES = question(
    "GEN.R.01",
    about_respondent=True,
    options=[
        {"code": "AT", "label": {"en": "Austria", "fr": "Autriche"}},
        {"code": "FR", "label": {"en": "France", "fr": "France"}},
    ],
)
WITH_RESPONDENT: dict[str, Any] = {
    **REPORT,
    "questions": [STATES, *REPORT["questions"], question("Q.S", "state", show_if={"question": "Q.1", "in": ["yes"]})],
    "choice_counts": [*REPORT["choice_counts"], *counts("GEN.R.01", "ngo", 3, 1), *counts("Q.S", "state", 1, 0)],
    "headlines": [*REPORT["headlines"], {"question": "GEN.R.01", "area": "PRV", "yes": 3, "answered": 4}],
}


def test_questions_about_the_respondent_are_left_out_entirely() -> None:
    data = public_snapshot(WITH_RESPONDENT, [("AT", "Austria", "GEN.R.01", "AT")], ["GEN.R.01"])
    assert "GEN.R.01" not in {q["code"] for q in data["questions"]}
    assert not [r for r in data["choice_counts"] if r["question"] == "GEN.R.01"]
    assert not [h for h in data["headlines"] if h["question"] == "GEN.R.01"]
    assert data["public_questions"] == []
    assert data["state_answers"] == []
    assert "GEN.R.01" not in {q["code"] for q in publishable_by_state(WITH_RESPONDENT["questions"])}


def test_a_question_with_a_show_if_rule_cannot_be_shown_by_state() -> None:
    assert [q["code"] for q in publishable_by_state(WITH_RESPONDENT["questions"])] == ["Q.1", "Q.2"]
    data = public_snapshot(WITH_RESPONDENT, [("AT", "Austria", "Q.S", "yes")], ["Q.S"])
    assert data["public_questions"] == []
    assert data["state_answers"] == []
    assert "Q.S" in {q["code"] for q in data["questions"]}  # its totals are still shown


def test_states_are_named_in_the_readers_language_from_the_rounds_list() -> None:
    answers = [*ANSWERS, ("MT", "Malta", "Q.1", "yes")]  # a State the list lacks keeps its directory name
    page = public_page(public_snapshot(WITH_RESPONDENT, answers, ["Q.1"]), "fr")
    by_code = {q["code"]: q for q in page["areas"][0]["questions"]}
    assert by_code["Q.1"]["state_answers"] == [
        {"name": "Autriche", "answer": "Oui"},
        {"name": "France", "answer": "Non"},
        {"name": "Malta", "answer": "Oui"},
    ]


def test_ngo_figures_that_moved_by_one_or_two_are_named() -> None:
    before = public_snapshot(REPORT, [], [])
    assert ngo_changes(before, before) == []
    one_more = {**REPORT, "choice_counts": [*REPORT["choice_counts"][:4], *counts("Q.2", "ngo", 4, 1)]}
    assert ngo_changes(before, public_snapshot(one_more, [], [])) == ["Q.2"]
    switched = {**REPORT, "choice_counts": [*REPORT["choice_counts"][:4], *counts("Q.2", "ngo", 2, 2)]}
    assert ngo_changes(before, public_snapshot(switched, [], [])) == ["Q.2"]
    many_more = {**REPORT, "choice_counts": [*REPORT["choice_counts"][:4], *counts("Q.2", "ngo", 6, 4)]}
    assert ngo_changes(before, public_snapshot(many_more, [], [])) == []
    states_moved = {**REPORT, "choice_counts": [*counts("Q.1", "state", 3, 1), *REPORT["choice_counts"][2:]]}
    assert ngo_changes(before, public_snapshot(states_moved, [], [])) == []


def test_publications_taken_before_lose_the_questions_about_the_respondent() -> None:
    """Migration 0007 of reports: what an older snapshot kept of GEN.R.01 goes; every other figure stays."""
    migration = importlib.import_module("reports.migrations.0007_publication_without_respondent_questions")
    old = public_snapshot(REPORT, ANSWERS, ["Q.1"])
    old["questions"].append(_question_row("GEN.R.01"))
    old["choice_counts"] += counts("GEN.R.01", "ngo", 1, 3)
    old["ngo_withheld"].append("GEN.R.01")
    stripped = migration.strip_questions(old, {"GEN.R.01", "GEN.R.04"})
    assert stripped == public_snapshot(REPORT, ANSWERS, ["Q.1"])
    assert migration.strip_questions(stripped, {"GEN.R.01"}) == stripped


def _question_row(code: str) -> dict[str, Any]:
    return {k: v for k, v in question(code).items() if k in ("code", "area", "section", "type", "audience", "text")}
