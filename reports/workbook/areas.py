"""One sheet per area: choice counts per kind with bar charts for scored questions, and number summaries."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _
from openpyxl.chart import BarChart, Reference

from surveys import answer_types as at

from .base import share
from .breakdowns import NumberBlocks
from .styles import (
    BOLD,
    CHART_ROWS,
    KINDS,
    NOTE,
    OF_ELIGIBLE,
    PERCENT,
    SCORE,
    Sheet,
    sheet_name,
)


class AreaSheets(NumberBlocks):
    """One sheet per area: each question's counts (with a chart for the scored ones) and number summaries."""

    def area_sheet(self, area: Mapping[str, Any], used: set[str]) -> None:
        title = self.labels.areas.get(area["code"], "")
        sheet = Sheet(self.workbook, sheet_name(area["code"], title, used), [48, 11, 11, 11, 11, 11, 11], "A3")
        sheet.title_rows(f"{area['code']} {title}", self.basis(), self.provisional)
        scored = set(area.get("scored_questions", []))
        for question in self.report.get("questions", []):
            if question["area"] != area["code"]:
                continue
            code = question["code"]
            choice_rows = self._choice_rows(question)
            numbers = self.numbers.get(code, [])
            if not choice_rows and not numbers and not _numeric(question):
                continue  # texts, dates, files: see the Raw data sheet
            sheet.append()
            sheet.append([sheet.cell(f"{code} {self.labels.text(code)}", font=BOLD)])
            if at.get_type(question["type"]).several_choices:
                sheet.append(
                    [sheet.cell(_("Several options could be chosen: the shares add up to more than 100%."), font=NOTE)]
                )
            for row in choice_rows:
                self._choice_block(sheet, question, row, chart=code in scored and row == "")
            if numbers or _numeric(question):
                self.number_block(sheet, question, numbers)

    def _choice_rows(self, question: Mapping[str, Any]) -> list[str]:
        """The rows that get an option table: a matrix's rows; "" for one choice; a composite's choice fields."""
        present = list(self.counts.get(question["code"], {}))
        if _choice_rows_by_row(question):
            rows = [r["code"] for r in question.get("rows", [])]
        elif question.get("options"):
            rows = [""]
        else:  # composite fields have their own options; only those with counts are choice fields
            rows = [r["code"] for r in question.get("rows", []) if r["code"] in present]
        return rows + [r for r in present if r not in rows]

    def _choice_block(self, sheet: Sheet, question: Mapping[str, Any], row: str, chart: bool) -> None:
        code = question["code"]
        by_kind = self.counts.get(code, {}).get(row, {})
        start = sheet.row + 1
        if row:
            sheet.append([sheet.cell(self.labels.row(code, row), font=BOLD)])
        composite = at.get_type(question["type"]).report_role == at.REPORT_FIELDS
        options = [] if composite else [o["code"] for o in question.get("options", [])]
        for kind_counts in by_kind.values():
            options += [o for o in kind_counts["options"] if o not in options]
        header = sheet.header([_("Option"), _("States n"), _("States %"), _("NGOs n"), _("NGOs %")])
        for option in options:
            values: list[Any] = [self.labels.option(code, option)]
            for kind in KINDS:
                counts = by_kind.get(kind)
                if counts is None:
                    values += [None, None]
                    continue
                count = counts["options"].get(option, 0)
                values += [count, sheet.cell(share(count, counts["answered"]), number_format=PERCENT)]
            sheet.append(values)
        last_option = sheet.row
        answered: list[Any] = [_("Answered / eligible")]
        for kind in KINDS:
            counts = by_kind.get(kind)
            if counts is None:
                answered += [None, None]
            else:
                answered += [counts["answered"], sheet.cell(counts["eligible"], number_format=OF_ELIGIBLE)]
        sheet.append(answered)
        if chart and options:
            self._chart(sheet, question, row, header, last_option, start, by_kind)
            while sheet.row - start + 1 < CHART_ROWS:
                sheet.append()

    def _chart(
        self,
        sheet: Sheet,
        question: Mapping[str, Any],
        row: str,
        header: int,
        last_option: int,
        start: int,
        by_kind: Mapping[str, Any],
    ) -> None:
        chart = BarChart()
        chart.type = "bar"
        chart.style = 10
        chart.title = question["code"] + (f" {self.labels.row(question['code'], row)}" if row else "")
        chart.y_axis.title = _("Share of those who answered")
        chart.y_axis.number_format = SCORE
        chart.y_axis.scaling.min = 0
        chart.y_axis.scaling.max = 1
        chart.x_axis.scaling.orientation = "maxMin"  # options top to bottom, as in the table
        chart.x_axis.delete = False
        chart.y_axis.delete = False
        for column, kind in ((3, "state"), (5, "ngo")):
            if kind in by_kind:
                chart.add_data(
                    Reference(sheet.ws, min_col=column, min_row=header, max_row=last_option), titles_from_data=True
                )
        chart.set_categories(Reference(sheet.ws, min_col=1, min_row=header + 1, max_row=last_option))
        chart.height = 0.5 * CHART_ROWS
        chart.width = 16
        sheet.ws.add_chart(chart, f"H{start}")


def _numeric(question: Mapping[str, Any]) -> bool:
    """Whether a question's figures get a number block (its type sums or tabulates numbers)."""
    return at.get_type(question["type"]).report_role in (at.REPORT_NUMBERS, at.REPORT_TABLE)


def _choice_rows_by_row(question: Mapping[str, Any]) -> bool:
    """Whether each row of the question is a choice of its own (a matrix)."""
    answer_type = at.get_type(question["type"])
    return answer_type.has_rows and answer_type.has_choices
