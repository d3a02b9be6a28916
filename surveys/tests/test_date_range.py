"""Dates outside 1900–2100 are refused with a message wherever a date answer is read: the web form and autosave
(both through responses.services.answers_save) and the import all parse dates in surveys.answer_types."""

from __future__ import annotations

import datetime as dt
import io

import pytest

from accounts.models import Organisation
from responses.imports import ImportRejected, answers_import
from responses.models import Answer
from responses.services import answers_save, response_get_or_create
from surveys.answer_types import DATE, AnswerError, CellSpec, clean_cell
from surveys.models import Question, Survey

MESSAGE = "Enter a date between 1900 and 2100."
DATE_QUESTION = "TYP.ONE.12"  # the date question of the small round (tests/data/small.yaml)
OUTSIDE = [
    "0001-01-01",
    "1899-12-31",
    "2101-01-01",
    "31.12.1899",
    "01/01/9999",
    dt.date(1, 1, 1),
    dt.datetime(2101, 1, 1),
]
INSIDE = [
    ("1900-01-01", dt.date(1900, 1, 1)),
    ("2100-12-31", dt.date(2100, 12, 31)),
    ("30.06.2015", dt.date(2015, 6, 30)),
]


@pytest.mark.parametrize("raw", OUTSIDE, ids=str)
def test_a_date_outside_1900_to_2100_is_refused_with_the_range(raw: object) -> None:
    with pytest.raises(AnswerError, match=MESSAGE):
        clean_cell(CellSpec("", "", DATE), raw)


@pytest.mark.parametrize(("raw", "expected"), INSIDE)
def test_dates_from_1900_to_2100_are_kept(raw: str, expected: dt.date) -> None:
    assert clean_cell(CellSpec("", "", DATE), raw) == expected


def test_saving_a_date_from_year_1_is_refused_with_the_range_and_nothing_is_stored(small_round: Survey) -> None:
    question = Question.objects.of_round(small_round).get(code=DATE_QUESTION)
    response = response_get_or_create(survey=small_round, organisation=Organisation.objects.get(code="AT"))
    outcome = answers_save(
        response=response, question=question, raw={("", ""): "0001-01-01"}, base_versions=None, user=None
    )
    assert not outcome.ok
    assert outcome.cell_errors == {("", ""): MESSAGE}  # the cell is named, with the range
    assert not Answer.objects.filter(response=response, question=question).exclude(value_date=None).exists()


def test_importing_a_date_from_year_1_names_the_row_and_the_range(small_round: Survey) -> None:
    content = f"organisation,question,row,column,value\nAT,{DATE_QUESTION},,,0001-01-01\n"
    with pytest.raises(ImportRejected) as info:
        answers_import(survey=small_round, source=io.BytesIO(content.encode()), filename="a.csv", user=None)
    assert info.value.problems == [f"row 2: {DATE_QUESTION}: {MESSAGE}"]
