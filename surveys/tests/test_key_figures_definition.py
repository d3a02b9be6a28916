"""`key_figures:` in a definition file: a bad chain is refused with a message naming its place and line; a good one
is stored on the round and exported back unchanged; `about_respondent` is a question flag read the same way."""

from __future__ import annotations

from typing import Any

import pytest

from surveys.models import Question, Survey
from surveys.services import survey_export_text

from .factories import definition_text, minimal_definition

NUMBER = {
    "code": "PRV.SUP.06",
    "type": "integer_per_year",
    "audience": "state",
    "text": {"en": "How many suppliers were excluded in each year?"},
}
ORIGIN = {
    "code": "origin",
    "values": [{"code": "national", "label": {"en": "National"}}, {"code": "foreign", "label": {"en": "Foreign"}}],
}
TABLE = {  # a breakdown with a year dimension: a figure per reference year
    "code": "PRV.SUP.07",
    "type": "integer_matrix",
    "audience": "both",
    "text": {"en": "How many suppliers were checked, by year and origin?"},
    "dimensions": [{"code": "year", "values": "reference_period"}, ORIGIN],
}
NO_YEARS = {  # a breakdown without years: never a figure of a reference year
    "code": "PRV.SUP.08",
    "type": "integer_matrix",
    "audience": "state",
    "text": {"en": "How many suppliers are there, by size and origin?"},
    "dimensions": [{"code": "size", "values": [{"code": "small", "label": {"en": "Small"}}]}, ORIGIN],
}
NGO_ONLY = {**NUMBER, "code": "PRV.SUP.09", "audience": "ngo", "text": {"en": "How many suppliers did you report?"}}


def with_key_figures(chains: Any) -> str:
    data = minimal_definition()
    data["areas"][0]["sections"][0]["items"] += [NUMBER, TABLE, NO_YEARS, NGO_ONLY]
    data["key_figures"] = chains
    return definition_text(data)


def chain(*steps: Any, code: str = "suppliers") -> dict[str, Any]:
    return {"code": code, "title": {"en": "Suppliers: checked, excluded"}, "steps": list(steps)}


ACCEPTED = (
    "a step must be a number asked per reference year (integer_per_year) or a breakdown table with a year dimension "
    "(values: reference_period), asked of States"
)
BAD = {
    "unknown_question": (
        [chain("PRV.SUP.07", "PRV.SUP.99")],
        "key_figures[0].steps[1].question",
        "unknown question 'PRV.SUP.99': no question of the round has this code",
        "PRV.SUP.99",
    ),
    "not_a_number_question": (
        [chain("PRV.SUP.01", "PRV.SUP.07")],
        "key_figures[0].steps[0].question",
        f"question 'PRV.SUP.01' is not a number question (its type is single_select): {ACCEPTED}",
        "- PRV.SUP.01",
    ),
    "a_single_number": (
        [chain("PRV.SUP.07", "PRV.SUP.02")],
        "key_figures[0].steps[1].question",
        f"question 'PRV.SUP.02' gives one figure, not one per reference year (its type is integer): {ACCEPTED}",
        "- PRV.SUP.02",
    ),
    "a_table_without_years": (
        [chain("PRV.SUP.08", "PRV.SUP.06")],
        "key_figures[0].steps[0].question",
        f"question 'PRV.SUP.08' is a breakdown table without a year dimension: {ACCEPTED}",
        "- PRV.SUP.08",
    ),
    "asked_of_ngos_only": (
        [chain("PRV.SUP.06", "PRV.SUP.09")],
        "key_figures[0].steps[1].question",
        "question 'PRV.SUP.09' is asked of NGOs only, but key figures count participating States: a step must be a "
        "number asked per reference year or a breakdown table with a year dimension, asked of States (audience state "
        "or both)",
        "- PRV.SUP.09",
    ),
    "a_label_without_english": (
        [chain({"question": "PRV.SUP.07", "label": {"fr": "fournisseurs contrôlés"}}, "PRV.SUP.06")],
        "key_figures[0].steps[0].label",
        "the English text (en) is required",
        "label:\n      fr: fournisseurs contrôlés",
    ),
    "one_step": (
        [chain("PRV.SUP.07")],
        "key_figures[0].steps",
        "a chain of key figures needs at least two steps",
        "steps:",
    ),
    "duplicate_code": (
        [chain("PRV.SUP.07", "PRV.SUP.06"), chain("PRV.SUP.06", "PRV.SUP.07")],
        "key_figures[1].code",
        "duplicate key-figure code 'suppliers'",
        None,
    ),
    "unknown_step_key": (
        [chain({"question": "PRV.SUP.07", "lable": {"en": "checked"}}, "PRV.SUP.06")],
        "key_figures[0].steps[0].lable",
        "unknown key 'lable' (allowed: label, question)",
        "lable:",
    ),
    "no_title": (
        [{"code": "suppliers", "steps": ["PRV.SUP.07", "PRV.SUP.06"]}],
        "key_figures[0].title",
        "expected a text or a mapping of language to text",
        None,
    ),
}


@pytest.mark.django_db
@pytest.mark.parametrize("case_id", list(BAD))
def test_a_bad_key_figure_chain_is_refused_naming_its_place(load_refused, case_id: str) -> None:
    chains, path, message, needle = BAD[case_id]
    text = with_key_figures(chains)

    refusal = load_refused(text)

    assert [p.path for p in refusal.problems] == [path], refusal.stderr
    assert refusal.problems[0].message.startswith(message), refusal.problems[0].message
    if needle is not None:
        assert refusal.problems[0].line == text[: text.index(needle)].count("\n") + 1  # the needle's first line
    assert not Survey.objects.filter(slug="thb-2099").exists()


@pytest.mark.django_db
def test_a_key_figure_chain_is_stored_and_exported_back_unchanged(load_text, run_command) -> None:
    labelled = {"question": "PRV.SUP.07", "label": {"en": "suppliers checked", "fr": "fournisseurs contrôlés"}}
    load_text(with_key_figures([chain(labelled, "PRV.SUP.06")]))

    survey = Survey.objects.get(slug="thb-2099")
    assert survey.key_figures == [
        {
            "code": "suppliers",
            "title": {"en": "Suppliers: checked, excluded"},
            "steps": [labelled, {"question": "PRV.SUP.06", "label": {}}],
        }
    ]
    exported = survey_export_text(survey=survey)
    assert "key_figures:\n- code: suppliers\n" in exported
    load_text(exported)
    assert survey_export_text(survey=Survey.objects.get(slug="thb-2099")) == exported


@pytest.mark.django_db
def test_about_respondent_is_stored_and_a_wrong_value_is_refused(load_text, load_refused) -> None:
    data = minimal_definition()
    data["areas"][0]["sections"][0]["items"][0]["about_respondent"] = True
    load_text(definition_text(data))
    assert Question.objects.get(code="PRV.SUP.01").about_respondent
    assert not Question.objects.get(code="PRV.SUP.02").about_respondent

    data["areas"][0]["sections"][0]["items"][0]["about_respondent"] = "sometimes"
    refusal = load_refused(definition_text(data))
    assert [p.path for p in refusal.problems] == ["areas[0].sections[0].items[0].about_respondent"]
    assert refusal.problems[0].message == "expected true or false, not 'sometimes'"
