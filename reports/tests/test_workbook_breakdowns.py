"""The area sheets' figures on a hand-made report: each question's shape is built once for the whole workbook and
the breakdown totals are grouped by question in one pass, however many figures and tables there are, and each
breakdown table still shows its own totals."""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Iterator
from typing import Any

import openpyxl
import pytest
from django.utils import translation

from reports.workbook import breakdowns
from reports.workbook.areas import AreaSheets

YEARS = ("2013", "2014")


class CountingList(list):  # type: ignore[type-arg]
    """A list that counts how often it is read through."""

    passes = 0

    def __iter__(self) -> Iterator[Any]:
        self.passes += 1
        return super().__iter__()


def table(code: str) -> dict[str, Any]:
    return {
        "code": code,
        "area": "PRT",
        "type": "integer_matrix",
        "text": {"en": f"Victims ({code})"},
        "options": [],
        "rows": [],
        "dimensions": [
            {"code": "year", "label": {"en": "Year"}, "values": [{"code": y, "label": {}} for y in YEARS]},
            {
                "code": "sex",
                "label": {"en": "Sex"},
                "values": [{"code": "female", "label": {"en": "Female"}}, {"code": "male", "label": {"en": "Male"}}],
            },
        ],
    }


def figure(question: str, row: str, column: str, value: int) -> dict[str, Any]:
    return {
        "question": question,
        "kind": "state",
        "row": row,
        "column": column,
        "count": 1,
        "sum": value,
        "median": value,
        "min": value,
        "max": value,
    }


def total(question: str, dimension: str, value: str, amount: int) -> dict[str, Any]:
    return {
        "question": question,
        "kind": "state",
        "dimension": dimension,
        "value": value,
        "respondents": 1,
        "sum": amount,
        "median": amount,
        "min": amount,
        "max": amount,
    }


PER_YEAR = {"code": "PRT.DATA.02", "area": "PRT", "type": "integer_per_year", "text": {"en": "Victims assisted"}}
FIGURES = {
    "PRT.DATA.01": {("2013", "female"): 10, ("2014", "female"): 11, ("2014", "male"): 4},
    "PRT.DATA.05": {("2013", "male"): 7, ("2014", "female"): 2},
}


def report() -> dict[str, Any]:
    numbers = [
        figure(code, row, column, value) for code, cells in FIGURES.items() for (row, column), value in cells.items()
    ]
    numbers += [figure("PRT.DATA.02", "", year, 5) for year in YEARS]
    totals = [
        total(code, "sex", sex, sum(v for (_row, column), v in cells.items() if column == sex))
        for code, cells in FIGURES.items()
        for sex in ("female", "male")
    ]
    return {
        "survey": {"reference_years": [2013, 2014]},
        "areas": [{"code": "PRT", "title": {"en": "Protection"}}],
        "questions": [table("PRT.DATA.01"), PER_YEAR, table("PRT.DATA.05")],
        "number_summaries": numbers,
        "breakdown_totals": CountingList(totals),
    }


def test_shapes_are_built_once_per_question_and_totals_grouped_in_one_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    built: Counter[str] = Counter()
    real = breakdowns.question_shape

    def counting(question: Any, years: Any) -> Any:
        built[question["code"]] += 1
        return real(question, years)

    monkeypatch.setattr(breakdowns, "question_shape", counting)
    data = report()
    writer = AreaSheets(data, "en", lambda _percent, _message: None, {})
    with translation.override("en"):
        writer.area_sheet(data["areas"][0], set())
    stream = io.BytesIO()
    writer.workbook.save(stream)

    assert built == {"PRT.DATA.01": 1, "PRT.DATA.02": 1, "PRT.DATA.05": 1}
    assert data["breakdown_totals"].passes == 1
    rows = [list(r) for r in openpyxl.load_workbook(stream).worksheets[0].iter_rows(values_only=True)]
    # Each table's "Sex" totals are its own: PRT.DATA.01 female 21, male 4; PRT.DATA.05 female 2, male 7.
    sex_rows = [r[:4] for r in rows if r[0] in ("Female", "Male") and r[1] == "States"]
    assert sex_rows == [
        ["Female", "States", 1, 21],
        ["Male", "States", 1, 4],
        ["Female", "States", 1, 2],
        ["Male", "States", 1, 7],
    ]
