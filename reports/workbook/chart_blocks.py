"""Blocks of the workbook that exist for their chart: a numeric question's totals per year, the change of an
area's "yes" shares since the previous round, and the Scores sheet's regions.

Each block writes a small table (the chart's data, readable and printable on its own) and its chart beside it
(`charts`), and keeps table and chart on one printed page (`Sheet.keep`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from django.utils.translation import gettext as _

from .base import WriterBase, share
from .charts import (
    TABLE_COLUMNS,
    anchor,
    bar_chart,
    chart_rows,
    chart_title,
    height_cm,
    label_lines,
    short_label,
)
from .styles import BOLD, NOTE, PERCENT, ROW_PT, Sheet

YEAR = re.compile(r"\d{4}")
YEAR_ROW = re.compile(r"(\d{4})(?:\.|$)")
NUMBER = "#,##0"
YEAR_CHART_CM = 7.0


class ChartBlocks(WriterBase):
    """Tables written for a chart, with the chart beside them."""

    def short(self, code: str) -> str:
        """A question's short label in the workbook's language (its text cut at a word when it has none)."""
        return short_label(self.labels.questions.get(code, {}), self.language)

    # --- a number per year: totals per year -------------------------------------------------------------------

    def _years(self, numbers: Sequence[Mapping[str, Any]]) -> tuple[list[str], list[str], dict[tuple[str, str], Any]]:
        """The years, the kinds that reported and their totals, for a question asked per year: one number per year
        (the year is the column) or a breakdown table whose rows start with the year ("2014.female.adult…": its
        cells count each case once, so the year's total is their sum)."""
        sums: dict[tuple[str, str], Any] = {}
        for row in numbers:
            if not row["row"] and YEAR.fullmatch(str(row["column"])):
                year = str(row["column"])
            elif match := YEAR_ROW.match(str(row["row"])):
                year = match.group(1)
            else:
                continue
            key = (year, row["kind"])
            sums[key] = sums.get(key, 0) + (row["sum"] or 0)
        years = sorted({year for year, _kind in sums})
        kinds = [kind for kind in ("state", "ngo", "partner") if any(k == kind for _year, k in sums)]
        return years, kinds, sums

    def number_height(self, numbers: Sequence[Mapping[str, Any]]) -> float:
        """Points the question's number summaries and its chart of years take."""
        if not numbers:
            return ROW_PT * 2  # a header and "No figures reported." (when the question has a number block)
        years, _kinds, _sums = self._years(numbers)
        height = ROW_PT * (1 + len(numbers))
        if len(years) > 1:
            height += ROW_PT * max(2 + len(years), chart_rows(YEAR_CHART_CM))
        return height

    def year_block(self, sheet: Sheet, question: Mapping[str, Any], numbers: Sequence[Mapping[str, Any]]) -> None:
        """Below a number block asked per year: the totals per year of each kind of respondent, as a column chart."""
        years, kinds, sums = self._years(numbers)
        if len(years) < 2:
            return
        code = question["code"]
        sheet.keep(ROW_PT * (1 + max(1 + len(years), chart_rows(YEAR_CHART_CM))))  # after a long breakdown
        sheet.append()
        start = sheet.row + 1
        totals = {"state": _("States' total"), "ngo": _("NGOs' total"), "partner": _("Partners' total")}
        header = sheet.header([_("Year"), *(totals[kind] for kind in kinds)], wrap=True)
        for year in years:
            sheet.append([year, *(sums.get((year, kind)) for kind in kinds)])
        chart = bar_chart(
            sheet.ws,
            title=chart_title(code, self.short(code)),
            header_row=header,
            last_row=sheet.row,
            value_columns=[2 + index for index in range(len(kinds))],
            horizontal=False,
            number_format=NUMBER,
            share=False,
        )
        chart.height = YEAR_CHART_CM
        sheet.ws.add_chart(chart, anchor(start))
        while sheet.row - start + 1 < chart_rows(chart.height):
            sheet.append()

    # --- change since the previous round ----------------------------------------------------------------------

    def change_block(self, sheet: Sheet, area: Mapping[str, Any]) -> None:
        """At the end of an area's sheet: the chart of the "Change since" sheet's questions of this area (the same
        rows, `compared_changes`): the share of responding States answering "yes" in the previous round and in this
        one, and where the full table is."""
        rows = self.compared_changes(area["code"])
        if not self.report.get("survey", {}).get("previous") or not rows:
            return
        heading = _(
            "Change since the previous round (%(previous)s): share of responding participating States that "
            "answered “yes”"
        ) % {"previous": self.previous_title}
        # Translators: under the chart of an area's change since the previous round; %(sheet)s is the name of the
        # workbook's sheet "Change since thb-2016" in this language.
        where = _(
            "The full table, with the counts, the change in percentage points and the States that answered in both "
            "rounds, is on the sheet “%(sheet)s”."
        ) % {"sheet": self.change_sheet_title}
        tall = chart_rows(height_cm(len(rows), 2, label_lines([self.short(row["question"]) for row in rows])))
        sheet.keep(
            ROW_PT * (2 + max(1 + len(rows), tall))
            + sheet.text_height(heading, TABLE_COLUMNS, bold=True)
            + sheet.text_height(where, TABLE_COLUMNS)
        )
        sheet.append()
        sheet.text_row([], heading, last_column=TABLE_COLUMNS, font=BOLD)
        sheet.text_row([], where, last_column=TABLE_COLUMNS, font=NOTE)
        start = sheet.row + 1
        header = sheet.header([_("Question"), _("Previous round"), _("This round")], wrap=True)
        for row in rows:
            label = f"{row['question']} {self.short(row['question'])}"
            sheet.append(
                [
                    sheet.cell(label, wrap=True),
                    sheet.cell(share(row["previous_yes"], row["previous_answered"]), number_format=PERCENT),
                    sheet.cell(share(row["current_yes"], row["current_answered"]), number_format=PERCENT),
                ],
                height=sheet.text_height(label, 1),
            )
        title = _("%(area)s: “yes” in the previous round and in this one") % {"area": area["code"]}
        labels = [f"{row['question']} {self.short(row['question'])}" for row in rows]
        chart = bar_chart(
            sheet.ws, title=title, header_row=header, last_row=sheet.row, value_columns=[2, 3], labels=labels
        )
        sheet.ws.add_chart(chart, anchor(start))
        while sheet.row - start + 1 < chart_rows(chart.height):
            sheet.append()

    # --- Scores: regions --------------------------------------------------------------------------------------

    def region_chart(self, sheet: Sheet, header: int, last_row: int, areas: int) -> None:
        """Beside the Scores sheet's region table: each region's mean score per area."""
        if last_row <= header or not areas:
            return
        chart = bar_chart(
            sheet.ws,
            title=_("Mean implementation score by region and area"),
            header_row=header,
            last_row=last_row,
            value_columns=[3 + index for index in range(areas)],
            legend_lines=areas,  # an area's title each
        )
        sheet.ws.add_chart(chart, anchor(header - 1, 2 + areas + 2))
        while sheet.row - header + 2 < chart_rows(chart.height):
            sheet.append()
