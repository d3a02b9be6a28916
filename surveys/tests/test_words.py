"""The words people read for stored values: every answer type names its cells and words its values in the active
language (`answer_types.Words`), from a small synthetic definition, with no database."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import translation

from surveys import answer_types as at
from surveys.answer_types import CHOICE, DECIMAL, INTEGER, TEXT, YEAR, Choice, QuestionShape, Words

YNP = (
    Choice("yes", {"en": "Yes", "fr": "Oui"}),
    Choice("no", {"en": "No", "fr": "Non"}),
    Choice("in_process", {"en": "In process", "fr": "En cours"}),
)
COVERAGE = (
    Choice("goods", {"en": "Goods"}),
    Choice("services", {"en": "Services", "fr": "Services publics"}),
    Choice("none", {"en": "None of these"}),
)
ROWS = (Choice("contracts", {"en": "Public contracts", "fr": "Marchés publics"}), Choice("audits", {"en": "Audits"}))
FORMS = (
    Choice("sexual_exploitation", {"en": "Sexual exploitation"}),
    Choice("domestic_servitude", {"en": "Domestic servitude"}),
)
DIMENSIONS = (
    ("year", (Choice("2017", {}), Choice("2018", {}))),
    ("sex", (Choice("female", {"en": "Female", "fr": "Femmes"}), Choice("male", {"en": "Male"}))),
    ("age", (Choice("adult", {"en": "Adults (18 and over)"}), Choice("child", {"en": "Children (under 18)"}))),
    ("form", FORMS),
    ("citizenship", (Choice("national", {"en": "Nationals"}), Choice("foreign", {"en": "Foreign nationals"}))),
)


def words(qtype: str, **shape: Any) -> Words:
    return Words(QuestionShape(code="PRV.SUP.01", type=qtype, years=(2017, 2018), **shape))


@pytest.fixture(autouse=True)
def english() -> Any:
    with translation.override("en"):
        yield


def test_a_single_choice_reads_as_its_option_label_in_the_active_language() -> None:
    w = words("single_select", choices=YNP)
    assert w.value(("", ""), "in_process") == "In process"
    assert w.text(("", ""), "in_process") == "In process"
    assert w.cell(("", "")) == ""
    assert w.where_and_what(("", ""), "yes") == "Yes"
    with translation.override("fr"):
        assert w.value(("", ""), "in_process") == "En cours"
    with translation.override("ru"):  # no Russian label: English, never the code
        assert w.value(("", ""), "no") == "No"


def test_an_option_the_definition_no_longer_has_is_shown_by_its_code() -> None:
    assert words("single_select", choices=YNP).value(("", ""), "maybe") == "maybe"


def test_a_multiple_choice_reads_as_a_list_of_labels() -> None:
    w = words("multi_select", choices=COVERAGE)
    assert w.values(("", ""), ["goods", "services"]) == ["Goods", "Services"]
    assert w.texts(("", ""), "goods;services") == ["Goods", "Services"]
    assert w.text(("", ""), "goods;services") == "Goods; Services"
    assert w.text(("", ""), "") == ""


@pytest.mark.parametrize("qtype", ["matrix", "likert_matrix"])
def test_a_matrix_cell_is_named_by_its_row_and_reads_as_the_option(qtype: str) -> None:
    w = words(qtype, choices=YNP, rows=ROWS)
    assert w.cell(("contracts", "")) == "Public contracts"
    assert w.where_and_what(("contracts", ""), "yes") == "Public contracts: Yes"
    with translation.override("fr"):
        # French typography: a no-break space before the colon (the catalogue's "%(where)s : %(what)s").
        assert w.where_and_what(("contracts", ""), "in_process") == "Marchés publics\xa0: En cours"


def test_numbers_are_formatted_as_people_write_them() -> None:
    assert words("integer").text(("", ""), "1234") == "1234"
    assert words("integer").value(("", ""), 12) == "12"
    assert words("decimal").text(("", ""), "2.50") == "2.5"
    assert words("decimal").value(("", ""), Decimal("7.0000")) == "7"
    with translation.override("fr"):
        assert words("decimal").value(("", ""), Decimal("2.5")) == "2,5"


def test_a_figure_per_year_is_named_by_its_year() -> None:
    w = words("integer_per_year")
    assert w.cell(("", "2017")) == "2017"
    assert w.where_and_what(("", "2018"), 30) == "2018: 30"


def test_a_breakdown_cell_is_named_by_every_dimension_value_label() -> None:
    w = words("integer_matrix", dimensions=DIMENSIONS)
    key = ("2017.female.adult.domestic_servitude", "foreign")
    assert w.cell(key) == "2017, Female, Adults (18 and over), Domestic servitude, Foreign nationals"
    assert w.cell_parts(key)[0] == "2017"
    assert w.text(key, "12") == "12"
    with translation.override("fr"):
        assert w.cell_parts(key)[1] == "Femmes"


def test_a_breakdown_cell_that_does_not_fit_the_dimensions_keeps_its_codes() -> None:
    assert words("integer_matrix", dimensions=DIMENSIONS).cell(("2017.female", "foreign")) == "2017.female, foreign"


def test_a_year_range_names_its_first_and_last_year_and_years_have_no_separator() -> None:
    w = words("year_range")
    assert w.cell(("start", "")) == "First year"
    assert w.cell(("end", "")) == "Last year"
    assert w.where_and_what(("start", ""), 2017) == "First year: 2017"
    assert w.text(("end", ""), "2019") == "2019"


def test_texts_dates_and_files_read_as_they_are() -> None:
    assert words("short_text").text(("", ""), "Ministry of the Interior") == "Ministry of the Interior"
    assert words("long_text").value(("", ""), "One.\nTwo.") == "One.\nTwo."
    assert (
        words("date").value(("", ""), dt.date(2015, 6, 30)) == "30 June 2015"
    )  # the site's English DATE_FORMAT (oscethb/formats/en)
    assert words("date").text(("", ""), "2015-06-30") == "30 June 2015"
    assert words("file").cell(("", "")) == ""


def test_a_composite_field_is_named_by_its_label_and_read_by_its_kind() -> None:
    w = words(
        "composite",
        fields=(("in_force", CHOICE, YNP), ("start_year", YEAR, ()), ("staff", INTEGER, ()), ("name", TEXT, ())),
        field_labels={"in_force": {"en": "Is a plan in force?"}, "start_year": {"en": "First year the plan covers"}},
    )
    assert w.where_and_what(("in_force", ""), "in_process") == "Is a plan in force?: In process"
    assert w.text(("start_year", ""), "2017") == "2017"
    assert w.cell(("staff", "")) == "staff"  # no label in the definition: the field code
    assert w.kind(("name", "")) == TEXT


def test_a_choice_with_a_number_names_the_number_by_its_label() -> None:
    w = words("yes_no_plus_integer", choices=YNP, number_label={"en": "Length of the period in days"})
    assert w.value(("", ""), "yes") == "Yes"
    assert w.where_and_what(("number", ""), 30) == "Length of the period in days: 30"
    assert words("yes_no_plus_integer", choices=YNP).cell(("number", "")) == "Number"


def test_every_answer_type_names_each_of_its_cells_without_codes_where_the_definition_has_words() -> None:
    shapes: dict[str, dict[str, Any]] = {
        "single_select": {"choices": YNP},
        "multi_select": {"choices": COVERAGE},
        "matrix": {"choices": YNP, "rows": ROWS},
        "likert_matrix": {"choices": YNP, "rows": ROWS},
        "integer_matrix": {"dimensions": DIMENSIONS},
        "composite": {"fields": (("budget", DECIMAL, ()),), "field_labels": {"budget": {"en": "Budget"}}},
        "yes_no_plus_integer": {"choices": YNP},
    }
    for code, answer_type in at.ANSWER_TYPES.items():
        w = words(code, **shapes.get(code, {}))
        for spec in answer_type.cells(w.q):
            name = w.cell(spec.key)
            assert "." not in name, (code, spec.key, name)
            assert "_" not in name, (code, spec.key, name)
