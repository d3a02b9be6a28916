"""Answer types: what every kind of question stores, how raw input is normalised, and which input is refused with a
message a respondent can act on."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from surveys import answer_types as at
from surveys.answer_types import (
    ANSWER_TYPES,
    CHOICE,
    CHOICES,
    DECIMAL,
    INTEGER,
    TEXT,
    YEAR,
    AnswerError,
    CellSpec,
    Choice,
    QuestionShape,
    clean_cell,
    to_text,
)

from .factories import QuestionFactory, SectionFactory, SurveyFactory


def _choices(*codes: str) -> tuple[Choice, ...]:
    return tuple(Choice(code, {"en": code.replace("_", " ").capitalize()}) for code in codes)


YNP = _choices("yes", "no", "in_process")
SCALE = _choices("effective", "partly_effective", "ineffective")
COVERAGE = _choices("goods", "services", "works", "none")
ROWS = _choices("contracts", "audits")
YEARS = (2012, 2013, 2014)

SHAPES: dict[str, dict[str, Any]] = {
    "single_select": {"choices": YNP},
    "multi_select": {"choices": COVERAGE, "exclusive": ("none",)},
    "matrix": {"choices": YNP, "rows": ROWS},
    "likert_matrix": {"choices": SCALE, "rows": ROWS},
    "integer": {"validation": {"min": 0, "max": 100000}},
    "decimal": {"validation": {"min": 0, "max": 500, "decimal_places": 2}},
    "integer_per_year": {"validation": {"max": 100000}},
    "integer_matrix": {
        "dimensions": (
            ("year", tuple(Choice(str(y), {}) for y in YEARS[:2])),
            ("sex", _choices("female", "male")),
            ("place", _choices("national", "foreign")),
        )
    },
    "year_range": {"validation": {"min": 1990, "max": 2030}},
    "short_text": {},
    "long_text": {"validation": {"max_length": 2000}},
    "date": {"validation": {"min": "2000-01-01", "max": "2030-12-31"}},
    "file": {},
    "composite": {
        "fields": (
            ("name", TEXT, ()),
            ("staff", INTEGER, ()),
            ("budget", DECIMAL, ()),
            ("since", YEAR, ()),
            ("kind", CHOICE, _choices("public", "private")),
        )
    },
    "yes_no_plus_integer": {"choices": _choices("yes", "no", "no_information"), "validation": {"min": 1, "max": 365}},
}


def shape(qtype: str, **overrides: Any) -> QuestionShape:
    return QuestionShape(code="PRV.SUP.01", type=qtype, **{"years": YEARS, **SHAPES[qtype], **overrides})


def clean(qtype: str, raw: dict[tuple[str, str], Any], **overrides: Any) -> dict[tuple[str, str], Any]:
    return ANSWER_TYPES[qtype].clean(shape(qtype, **overrides), raw)


# --- valid input is normalised to typed values ------------------------------------------------------------------

VALID: list[tuple[str, str, dict[tuple[str, str], Any], dict[tuple[str, str], Any]]] = [
    ("single_select", "option code, spaces trimmed", {("", ""): " in_process "}, {("", ""): "in_process"}),
    ("single_select", "empty is no answer", {("", ""): "  "}, {("", ""): None}),
    ("multi_select", "a;b text in option order", {("", ""): "services; goods"}, {("", ""): ["goods", "services"]}),
    ("multi_select", "a list, duplicates dropped", {("", ""): ["works", "goods", "works"]}, {("", ""): ["goods", "works"]}),
    ("multi_select", "an exclusive option alone", {("", ""): "none"}, {("", ""): ["none"]}),
    ("multi_select", "an empty list is no answer", {("", ""): []}, {("", ""): None}),
    (
        "matrix",
        "one option per row",
        {("contracts", ""): "yes", ("audits", ""): "no"},
        {("contracts", ""): "yes", ("audits", ""): "no"},
    ),
    ("likert_matrix", "one rating per row", {("audits", ""): "partly_effective"}, {("audits", ""): "partly_effective"}),
    ("integer", "digits with a space as thousands separator", {("", ""): "1 234"}, {("", ""): 1234}),
    ("integer", "a comma as thousands separator", {("", ""): "1,000"}, {("", ""): 1000}),
    ("integer", "a no-break space", {("", ""): "1\u00a0000"}, {("", ""): 1000}),
    ("integer", "a whole float from a spreadsheet", {("", ""): 12.0}, {("", ""): 12}),
    ("integer", "zero", {("", ""): "0"}, {("", ""): 0}),
    ("decimal", "a decimal comma", {("", ""): "12,5"}, {("", ""): Decimal("12.5")}),
    ("decimal", "a decimal point", {("", ""): "0.25"}, {("", ""): Decimal("0.25")}),
    ("decimal", "a whole number", {("", ""): 3}, {("", ""): Decimal(3)}),
    ("decimal", "a float from a spreadsheet", {("", ""): 2.75}, {("", ""): Decimal("2.75")}),
    (
        "integer_per_year",
        "one number per reference year",
        {("", "2012"): "10", ("", "2013"): 0, ("", "2014"): ""},
        {("", "2012"): 10, ("", "2013"): 0, ("", "2014"): None},
    ),
    (
        "integer_matrix",
        "a cell of the breakdown table",
        {("2013.female", "national"): "3", ("2012.male", "foreign"): 0},
        {("2013.female", "national"): 3, ("2012.male", "foreign"): 0},
    ),
    (
        "year_range",
        "start and end years",
        {("start", ""): "2012", ("end", ""): 2014},
        {("start", ""): 2012, ("end", ""): 2014},
    ),
    ("year_range", "the same year twice", {("start", ""): 2013, ("end", ""): 2013}, {("start", ""): 2013, ("end", ""): 2013}),
    ("short_text", "trimmed text", {("", ""): "  Ministry of the Interior  "}, {("", ""): "Ministry of the Interior"}),
    ("long_text", "paragraphs keep their line breaks", {("", ""): "One.\n\nTwo.\tThree."}, {("", ""): "One.\n\nTwo.\tThree."}),
    ("date", "YYYY-MM-DD", {("", ""): "2015-06-30"}, {("", ""): dt.date(2015, 6, 30)}),
    ("date", "DD.MM.YYYY", {("", ""): "30.06.2015"}, {("", ""): dt.date(2015, 6, 30)}),
    ("date", "a datetime from a spreadsheet", {("", ""): dt.datetime(2015, 6, 30, 0, 0)}, {("", ""): dt.date(2015, 6, 30)}),
    ("file", "no cells at all", {}, {}),
    (
        "composite",
        "each field by its kind",
        {("name", ""): " Hotline ", ("staff", ""): "1 200", ("budget", ""): "7,5", ("since", ""): "2011", ("kind", ""): "public"},
        {("name", ""): "Hotline", ("staff", ""): 1200, ("budget", ""): Decimal("7.5"), ("since", ""): 2011, ("kind", ""): "public"},
    ),
    (
        "yes_no_plus_integer",
        "yes with a number",
        {("", ""): "yes", ("number", ""): "30"},
        {("", ""): "yes", ("number", ""): 30},
    ),
    ("yes_no_plus_integer", "no without a number", {("", ""): "no", ("number", ""): ""}, {("", ""): "no", ("number", ""): None}),
]  # fmt: skip


@pytest.mark.parametrize(("qtype", "what", "raw", "expected"), VALID, ids=[f"{t}: {w}" for t, w, _r, _e in VALID])
def test_valid_input_is_normalised_to_the_typed_value(qtype: str, what: str, raw: dict, expected: dict) -> None:
    cleaned = clean(qtype, raw)

    assert cleaned == expected
    assert [type(v) for v in cleaned.values()] == [type(v) for v in expected.values()]


def test_every_answer_type_has_valid_examples() -> None:
    assert {qtype for qtype, *_rest in VALID} == set(ANSWER_TYPES)


# --- invalid input is refused with a readable message ------------------------------------------------------------

INVALID: list[tuple[str, str, dict[tuple[str, str], Any], str]] = [
    ("single_select", "an unknown option", {("", ""): "maybe"}, "“maybe” is not one of the options (yes, no, in_process)."),
    ("single_select", "true/false instead of an option", {("", ""): True}, "Expected a value, not true/false."),
    ("multi_select", "an unknown option among others", {("", ""): "goods;food"}, "“food” is not one of the options (goods, services, works, none)."),
    ("multi_select", "an exclusive option combined", {("", ""): ["goods", "none"]}, "“none” cannot be combined with other options."),
    ("matrix", "an unknown option in a row", {("audits", ""): "perhaps"}, "“perhaps” is not one of the options (yes, no, in_process)."),
    ("matrix", "an unknown row", {("bribes", ""): "yes"}, "PRV.SUP.01 has no cell row 'bribes'."),
    ("likert_matrix", "an option of another scale", {("audits", ""): "yes"}, "“yes” is not one of the options (effective, partly_effective, ineffective)."),
    ("integer", "above max", {("", ""): "100 001"}, "The value must be 100000 or less."),
    ("integer", "below min", {("", ""): -1}, "The value must be 0 or more."),
    ("integer", "a decimal number", {("", ""): "12.5"}, "Enter a whole number, for example 12 (digits only, no words or decimals)."),
    ("integer", "words", {("", ""): "about ten"}, "Enter a whole number, for example 12 (digits only, no words or decimals)."),
    ("integer", "a boolean", {("", ""): False}, "Enter a whole number, for example 12."),
    ("decimal", "too many decimal places", {("", ""): "1.234"}, "Use at most 2 digits after the decimal point."),
    ("decimal", "above max", {("", ""): "500,01"}, "The value must be 500 or less."),
    ("decimal", "not a number", {("", ""): "12,5,0"}, "Enter a number, for example 12.5."),
    ("integer_per_year", "a year outside the reference period", {("", "2015"): 3}, "PRV.SUP.01 has no cell column '2015'."),
    ("integer_per_year", "above max", {("", "2012"): 100001}, "The value must be 100000 or less."),
    ("integer_matrix", "a negative count", {("2012.male", "national"): -2}, "The value must be 0 or more."),
    ("integer_matrix", "an unknown row key", {("2014.male", "national"): 1}, "PRV.SUP.01 has no cell row '2014.male', column 'national'."),
    ("year_range", "start after end", {("start", ""): 2015, ("end", ""): 2012}, "The first year (2015) is after the last year (2012)."),
    ("year_range", "before min", {("start", ""): "1980"}, "The value must be 1990 or more."),
    ("short_text", "longer than 500 characters", {("", ""): "x" * 501}, "The text is 501 characters long; at most 500 are allowed."),
    ("short_text", "a NUL byte", {("", ""): "Ministry\x00"}, "The text contains an invisible control character; please delete it and type the text again."),
    ("long_text", "longer than its max_length", {("", ""): "y" * 2001}, "The text is 2001 characters long; at most 2000 are allowed."),
    ("long_text", "a control character", {("", ""): "bell\x07"}, "The text contains an invisible control character"),
    ("date", "an impossible date", {("", ""): "2015-02-30"}, "Enter a date as YYYY-MM-DD, for example 2015-06-30."),
    ("date", "after max", {("", ""): "2031-01-01"}, "The value must be 2030-12-31 or less."),
    ("file", "a value where documents are expected", {("", ""): "report.pdf"}, "PRV.SUP.01 has no cell (single value)."),
    ("composite", "an unknown option in a choice field", {("kind", ""): "mixed"}, "“mixed” is not one of the options (public, private)."),
    ("composite", "words in a number field", {("staff", ""): "many"}, "Enter a whole number"),
    ("yes_no_plus_integer", "a number given with no", {("", ""): "no", ("number", ""): 5}, "Give the number only when the answer is “yes”."),
    ("yes_no_plus_integer", "a number above max", {("", ""): "yes", ("number", ""): 400}, "The value must be 365 or less."),
]  # fmt: skip


@pytest.mark.parametrize(("qtype", "what", "raw", "message"), INVALID, ids=[f"{t}: {w}" for t, w, _r, _m in INVALID])
def test_invalid_input_is_refused_with_a_readable_message(qtype: str, what: str, raw: dict, message: str) -> None:
    with pytest.raises(AnswerError) as info:
        clean(qtype, raw)

    assert str(info.value).startswith(message)


def test_every_answer_type_has_refused_examples() -> None:
    assert {qtype for qtype, *_rest in INVALID} == set(ANSWER_TYPES)


def test_a_huge_number_is_refused_whatever_the_definition_allows() -> None:
    spec = CellSpec("", "", INTEGER)

    with pytest.raises(AnswerError, match=r"This number is too large\."):
        clean_cell(spec, 10**15)


# --- cells --------------------------------------------------------------------------------------------------------


def _cells(qtype: str, **overrides: Any) -> list[tuple[str, str, str]]:
    return [(c.row, c.column, c.kind) for c in ANSWER_TYPES[qtype].cells(shape(qtype, **overrides))]


def test_a_matrix_stores_one_choice_per_row() -> None:
    cells = ANSWER_TYPES["matrix"].cells(shape("matrix"))

    assert [(c.row, c.column, c.kind) for c in cells] == [("contracts", "", CHOICE), ("audits", "", CHOICE)]
    assert all(c.choice_codes() == ["yes", "no", "in_process"] for c in cells)


def test_integer_per_year_asks_one_number_for_each_year_of_the_reference_period() -> None:
    assert _cells("integer_per_year") == [("", "2012", INTEGER), ("", "2013", INTEGER), ("", "2014", INTEGER)]
    assert _cells("integer_per_year", years=(2017, 2018)) == [("", "2017", INTEGER), ("", "2018", INTEGER)]


def test_an_integer_matrix_joins_row_keys_with_dots_and_takes_its_columns_from_the_last_dimension() -> None:
    cells = ANSWER_TYPES["integer_matrix"].cells(shape("integer_matrix"))

    rows = ["2012.female", "2012.male", "2013.female", "2013.male"]
    assert [(c.row, c.column) for c in cells] == [(r, col) for r in rows for col in ("national", "foreign")]
    assert {c.kind for c in cells} == {INTEGER}
    assert all(c.validation["min"] == 0 for c in cells)  # counts are never negative unless the definition says so


def test_an_integer_matrix_with_two_dimensions_has_plain_row_codes() -> None:
    dimensions = (("sex", _choices("female", "male")), ("place", _choices("national", "foreign")))

    cells = ANSWER_TYPES["integer_matrix"].cells(shape("integer_matrix", dimensions=dimensions))

    assert [(c.row, c.column) for c in cells] == [
        ("female", "national"),
        ("female", "foreign"),
        ("male", "national"),
        ("male", "foreign"),
    ]


def test_a_composite_question_stores_one_cell_per_field_with_its_kind() -> None:
    assert _cells("composite") == [
        ("name", "", TEXT),
        ("staff", "", INTEGER),
        ("budget", "", DECIMAL),
        ("since", "", YEAR),
        ("kind", "", CHOICE),
    ]


def test_yes_no_plus_integer_stores_the_choice_and_the_number() -> None:
    assert _cells("yes_no_plus_integer") == [("", "", CHOICE), ("number", "", INTEGER)]


def test_single_value_types_store_one_cell_and_file_stores_none() -> None:
    assert _cells("single_select") == [("", "", CHOICE)]
    assert _cells("multi_select") == [("", "", CHOICES)]
    assert _cells("year_range") == [("start", "", YEAR), ("end", "", YEAR)]
    assert _cells("file") == []
    assert ANSWER_TYPES["short_text"].cells(shape("short_text"))[0].validation["max_length"] == at.DEFAULT_SHORT_TEXT
    assert ANSWER_TYPES["long_text"].cells(shape("long_text"))[0].validation["max_length"] == 2000


@pytest.mark.django_db
def test_a_stored_question_takes_its_years_and_breakdown_values_from_its_round() -> None:
    section = SectionFactory(area__survey=SurveyFactory(reference_start=2017, reference_end=2019))
    per_year = QuestionFactory(section=section, type="integer_per_year")
    table = QuestionFactory(
        section=section,
        type="integer_matrix",
        dimensions=[
            {"code": "year", "label": {}, "source": "reference_period", "values": []},
            {"code": "sex", "label": {}, "source": None, "values": [{"code": "female"}, {"code": "male"}]},
        ],
    )

    assert [c.key for c in per_year.cells()] == [("", "2017"), ("", "2018"), ("", "2019")]
    assert [c.key for c in table.cells()] == [(str(y), s) for y in (2017, 2018, 2019) for s in ("female", "male")]


@pytest.mark.django_db
def test_a_stored_choice_question_offers_its_option_set_in_order() -> None:
    question = QuestionFactory(with_options=True)

    assert [c.choice_codes() for c in question.cells()] == [["yes", "no"]]
    assert question.answer_type.clean(question.shape, {("", ""): "no"}) == {("", ""): "no"}


# --- complete answers ---------------------------------------------------------------------------------------------


def _complete(qtype: str, values: dict[tuple[str, str], Any], evidence_count: int = 0) -> bool:
    return ANSWER_TYPES[qtype].is_complete(shape(qtype), values, evidence_count=evidence_count)


def test_a_matrix_is_complete_only_when_every_row_is_answered() -> None:
    assert not _complete("matrix", {("contracts", ""): "yes"})
    assert not _complete("matrix", {("contracts", ""): "yes", ("audits", ""): None})
    assert _complete("matrix", {("contracts", ""): "yes", ("audits", ""): "no"})


def test_an_integer_matrix_is_complete_with_any_figure_even_zero() -> None:
    assert not _complete("integer_matrix", {})
    assert not _complete("integer_matrix", {("2012.male", "national"): None})
    assert _complete("integer_matrix", {("2012.male", "national"): 0})


def test_figures_per_year_are_complete_once_any_year_has_one_even_zero() -> None:
    """The questions say "Leave a year empty if there is no figure": one year answers the question."""
    assert not _complete("integer_per_year", {})
    assert not _complete("integer_per_year", {("", "2012"): None, ("", "2013"): None})
    assert _complete("integer_per_year", {("", "2013"): 12})
    assert _complete("integer_per_year", {("", "2012"): 0, ("", "2013"): None})


def test_a_file_question_is_complete_once_a_document_is_uploaded() -> None:
    assert not _complete("file", {}, evidence_count=0)
    assert _complete("file", {}, evidence_count=1)


def test_yes_no_plus_integer_needs_the_number_only_after_yes() -> None:
    assert not _complete("yes_no_plus_integer", {})
    assert not _complete("yes_no_plus_integer", {("", ""): "yes"})
    assert _complete("yes_no_plus_integer", {("", ""): "yes", ("number", ""): 14})
    assert _complete("yes_no_plus_integer", {("", ""): "no"})


def test_single_value_questions_are_complete_when_not_empty() -> None:
    assert not _complete("multi_select", {("", ""): []})
    assert _complete("multi_select", {("", ""): ["goods"]})
    assert not _complete("short_text", {("", ""): ""})
    assert not _complete("year_range", {("start", ""): 2012})
    assert _complete("year_range", {("start", ""): 2012, ("end", ""): 2014})


# --- canonical text round trips -----------------------------------------------------------------------------------


@st.composite
def _bounded_integers(draw: st.DrawFn) -> tuple[int, int, int]:
    limit = at.INTEGER_LIMIT - 1
    low, high = sorted((draw(st.integers(-limit, limit)), draw(st.integers(-limit, limit))))
    return low, high, draw(st.integers(low, high))


@settings(database=None, max_examples=200)
@given(_bounded_integers())
def test_any_whole_number_within_the_bounds_round_trips_through_its_text(case: tuple[int, int, int]) -> None:
    low, high, value = case
    spec = CellSpec("", "", INTEGER, validation={"min": low, "max": high})

    assert clean_cell(spec, to_text(INTEGER, value)) == value
    assert clean_cell(spec, value) == value


@settings(database=None, max_examples=200)
@given(st.decimals(min_value=-(10**6), max_value=10**6, places=2, allow_nan=False, allow_infinity=False))
def test_any_decimal_with_allowed_places_round_trips_through_its_text(value: Decimal) -> None:
    spec = CellSpec("", "", DECIMAL, validation={"decimal_places": 2})

    assert clean_cell(spec, to_text(DECIMAL, value)) == value


@settings(database=None, max_examples=200)
@given(
    st.text(alphabet=st.characters(exclude_categories=("Cc", "Cs"), exclude_characters="\x00"), max_size=500).map(
        str.strip
    )
)
def test_any_text_without_control_characters_round_trips_through_its_text(value: str) -> None:
    spec = CellSpec("", "", TEXT, validation={"max_length": 500})

    assert clean_cell(spec, to_text(TEXT, value)) == (value or None)


@settings(database=None, max_examples=100)
@given(st.lists(st.sampled_from([c.code for c in COVERAGE if c.code != "none"]), min_size=1))
def test_any_choice_of_options_round_trips_in_option_order(chosen: list[str]) -> None:
    spec = CellSpec("", "", CHOICES, COVERAGE, exclusive=("none",))

    cleaned = clean_cell(spec, chosen)

    assert cleaned == [c.code for c in COVERAGE if c.code in chosen]
    assert clean_cell(spec, to_text(CHOICES, cleaned)) == cleaned


@pytest.mark.parametrize(
    ("qtype", "key", "year"),
    [
        ("integer_per_year", ("", "2013"), 2013),
        ("integer_matrix", ("2012.female", "foreign"), 2012),
        ("integer_matrix", ("2013.male", "national"), 2013),
        ("integer_matrix", ("female", "foreign"), None),  # a row key of another shape
        ("integer", ("", ""), None),
        ("yes_no_plus_integer", ("number", ""), None),
    ],
)
def test_a_cell_says_which_reference_year_its_figure_is_for(qtype: str, key: tuple[str, str], year: int | None) -> None:
    assert at.get_type(qtype).cell_year(shape(qtype), key) == year


def test_a_breakdown_table_finds_its_year_dimension_wherever_it_is() -> None:
    years_last = shape(
        "integer_matrix",
        dimensions=(("sex", _choices("female", "male")), ("year", tuple(Choice(str(y), {}) for y in YEARS))),
    )
    assert at.get_type("integer_matrix").cell_year(years_last, ("male", "2014")) == 2014


@pytest.mark.parametrize("typed", ["2O18", "20 18 a", "2018.5"])
def test_a_mistyped_year_is_answered_with_a_year_for_example(typed: str) -> None:
    """A year field (PAR.NAT.03's first year) once said "Enter a whole number, for example 12"."""
    from surveys.answer_types import YEAR, AnswerError, CellSpec

    spec = CellSpec("start", "", YEAR, validation={"min": 2010})
    with pytest.raises(AnswerError, match=r"^Enter a year in four digits, for example 2010\.$"):
        spec.codec.clean(spec, typed)
    assert spec.codec.clean(spec, "2018") == 2018
