"""The answers file of xlsform_answers (surveys, the lowest layer, which may not import reports) guards formulas
with the same characters as the project's exports."""

from __future__ import annotations

from reports.workbook.styles import FORMULA_STARTS
from surveys.xlsform.answers import FORMULA_STARTS as XLSFORM_FORMULA_STARTS
from surveys.xlsform.answers import formula_safe


def test_xlsform_answers_guard_the_same_formula_starts_as_the_exports() -> None:
    assert set(XLSFORM_FORMULA_STARTS) == set(FORMULA_STARTS)
    assert formula_safe("=1+1") == "'=1+1"
    assert formula_safe("-2+3") == "'-2+3"
    assert formula_safe("-5") == "-5"
