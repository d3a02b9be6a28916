"""The area sheets' change blocks and the "Change since <previous round>" sheet agree: the same questions (those with
a "yes" option answered by States in both rounds, never one about the respondent) and the same shares; the block
says where the full table is. A hand-made report, written by `write_summary` and read back with openpyxl."""

from __future__ import annotations

import io
from typing import Any

import openpyxl
import pytest
from openpyxl.workbook.workbook import Workbook

from reports import workbook as excel

YES_NO = [{"code": "yes", "label": {"en": "Yes"}}, {"code": "no", "label": {"en": "No"}}]


def question(code: str, options: list[dict[str, Any]], **more: Any) -> dict[str, Any]:
    return {
        "code": code,
        "area": code[:3],
        "type": "single_select",
        "text": {"en": f"Text of {code}"},
        "options": options,
        **more,
    }


def change(code: str, previous: tuple[int, int], current: tuple[int, int]) -> dict[str, Any]:
    return {
        "question": code,
        "previous_yes": previous[0],
        "previous_answered": previous[1],
        "current_yes": current[0],
        "current_answered": current[1],
        "both_states": ["AT"],
    }


REPORT = {
    "survey": {"slug": "thb-2021", "previous": "thb-2016"},
    "basis": {"statuses": ["submitted"]},
    "areas": [{"code": "PRV", "title": {"en": "Prevention"}}, {"code": "PRO", "title": {"en": "Prosecution"}}],
    "questions": [
        question("GEN.R.04", [{"code": "yes", "label": {"en": "Yes"}}], about_respondent=True),
        question("PRV.SUP.01", YES_NO),
        question("PRV.SUP.02", YES_NO),  # nobody answered it in the previous round: no share to compare
        question("PRV.AWR.01", [{"code": "youth", "label": {"en": "Youth"}}], type="multi_select"),  # no "yes"
        question("PRO.LEG.01", YES_NO),
    ],
    "changes": [
        change("GEN.R.04", (1, 2), (2, 2)),  # an older report that still holds a question about the respondent
        change("PRV.SUP.01", (1, 2), (2, 3)),
        change("PRV.SUP.02", (0, 0), (1, 2)),
        change("PRV.AWR.01", (0, 2), (0, 2)),
        change("PRO.LEG.01", (2, 4), (1, 4)),
    ],
}


@pytest.fixture(scope="module")
def book() -> Workbook:
    stream = io.BytesIO()
    excel.write_summary(stream, report_data=REPORT, raw_rows=iter(()), language="en", regions={})
    return openpyxl.load_workbook(io.BytesIO(stream.getvalue()))


def rows_of(book: Workbook, prefix: str) -> list[list[Any]]:
    name = next(n for n in book.sheetnames if n.startswith(prefix))
    return [list(row) for row in book[name].iter_rows(values_only=True)]


def block(book: Workbook, area: str) -> dict[str, tuple[Any, Any]]:
    """{question: (previous share, current share)} of an area sheet's change block, with the note above it."""
    rows = rows_of(book, f"{area} ")
    header = next(i for i, r in enumerate(rows) if r[:3] == ["Question", "Previous round", "This round"])
    assert rows[header - 1][0] == (
        "The full table, with the counts, the change in percentage points and the States that answered in both "
        "rounds, is on the sheet “Change since thb-2016”."
    )
    return {str(r[0]).split(" ")[0]: (r[1], r[2]) for r in rows[header + 1 :] if r[0] and r[1] is not None}


def test_each_area_block_charts_the_change_sheets_rows_of_that_area(book: Workbook) -> None:
    rows = rows_of(book, "Change since thb-2016")
    sheet = {r[0]: (r[4], r[7]) for r in rows[3:] if r[0] and r[0] != "State" and r[4] is not None}

    assert set(sheet) == {"PRV.SUP.01", "PRO.LEG.01"}  # no "yes" option, no previous answers, about the respondent
    assert block(book, "PRV") == {"PRV.SUP.01": sheet["PRV.SUP.01"]}
    assert block(book, "PRO") == {"PRO.LEG.01": sheet["PRO.LEG.01"]}
    assert sheet["PRV.SUP.01"] == (pytest.approx(0.5), pytest.approx(2 / 3))
