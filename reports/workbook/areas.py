"""One sheet per area: choice counts per kind with a bar chart each, number summaries with a chart of their years,
and the change of the area's "yes" shares since the previous round."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _

from surveys import answer_types as at

from .base import share
from .breakdowns import NumberBlocks
from .chart_blocks import ChartBlocks
from .charts import (
    CHART_WIDTHS,
    MAX_CATEGORIES,
    PRINT_COLUMNS,
    TABLE_COLUMNS,
    anchor,
    bar_chart,
    chart_rows,
    chart_title,
    height_cm,
    label_lines,
)
from .styles import (
    BOLD,
    KINDS,
    NOTE,
    OF_ELIGIBLE,
    PERCENT,
    ROW_PT,
    Sheet,
    sheet_name,
)

OPTION_WIDTH = 48  # column A: option labels longer than this are wrapped


class AreaSheets(NumberBlocks, ChartBlocks):
    """One sheet per area: each question's counts with a chart, number summaries (breakdowns grouped with totals) with
    their years' chart, and how the area's "yes" shares changed since the previous round."""

    def area_sheet(self, area: Mapping[str, Any], used: set[str]) -> None:
        title = self.labels.areas.get(area["code"], "")
        sheet = Sheet(
            self.workbook,
            sheet_name(area["code"], title, used),
            [OPTION_WIDTH, 11, 11, 11, 11, 11, 11, *CHART_WIDTHS],
            "A3",
        )
        sheet.paginated = True  # blocks kept on one page (Sheet.keep)
        sheet.title_rows(f"{area['code']} {title}", self.basis(), self.provisional)
        for question in self.report.get("questions", []):
            if question["area"] != area["code"]:
                continue
            code = question["code"]
            blocks = [self._options(question, row) for row in self._choice_rows(question)]
            numbers = self.numbers.get(code, [])
            if not blocks and not numbers and not _numeric(question):
                continue  # texts, dates, files: see the Raw data sheet
            several = at.get_type(question["type"]).several_choices
            several_note = _("Several options could be chosen: the shares add up to more than 100%.")
            heading = ROW_PT + sheet.text_height(f"{code} {self.labels.text(code)}", TABLE_COLUMNS, bold=True)
            heading += sheet.text_height(several_note, TABLE_COLUMNS) if several else 0
            tall = [self._block_height(code, *block) for block in blocks] + [self.number_height(numbers)]
            # A question stays on one page where it fits; else its heading stays with its first block.
            sheet.keep(heading + sum(tall) if heading + sum(tall) <= sheet.page_height() else heading + tall[0])
            sheet.append()
            sheet.text_row([], f"{code} {self.labels.text(code)}", last_column=TABLE_COLUMNS, font=BOLD)
            if several:
                sheet.text_row([], several_note, last_column=TABLE_COLUMNS, font=NOTE)
            for index, (row, options, by_kind) in enumerate(blocks):
                if index:
                    sheet.keep(tall[index])
                self._choice_block(sheet, question, row, options, by_kind)
            if numbers or _numeric(question):
                self.number_block(sheet, question, numbers)
                self.year_block(sheet, question, numbers)
        self.change_block(sheet, area)
        sheet.print_columns(PRINT_COLUMNS)

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

    def _options(self, question: Mapping[str, Any], row: str) -> tuple[str, list[str], Mapping[str, Any]]:
        """A block's row, its options in the definition's order (then any other counted) and its counts by kind."""
        by_kind = self.counts.get(question["code"], {}).get(row, {})
        composite = at.get_type(question["type"]).report_role == at.REPORT_FIELDS
        options = [] if composite else [o["code"] for o in question.get("options", [])]
        for kind_counts in by_kind.values():
            options += [o for o in kind_counts["options"] if o not in options]
        return row, options, by_kind

    def _block_height(self, code: str, row: str, options: list[str], by_kind: Mapping[str, Any]) -> float:
        """Points an option block takes: its table (row label, header, options, answered) or its chart if taller."""
        labels = [self.labels.option(code, option) for option in options]
        table = (1 if row else 0) + 2 + sum(max(1, -(-len(label) // int(OPTION_WIDTH))) for label in labels)
        if not _charted(options, by_kind):
            return ROW_PT * table
        title = chart_title(code, self.short(code), self.labels.row(code, row) if row else "")
        series = len([kind for kind in KINDS if kind in by_kind])
        return ROW_PT * max(table, chart_rows(height_cm(len(options), series, label_lines(labels), title)))

    def _choice_block(
        self, sheet: Sheet, question: Mapping[str, Any], row: str, options: list[str], by_kind: Mapping[str, Any]
    ) -> None:
        code = question["code"]
        start = sheet.row + 1
        if row:
            sheet.append([sheet.cell(self.labels.row(code, row), font=BOLD)])
        header = sheet.header([_("Option"), _("States n"), _("States %"), _("NGOs n"), _("NGOs %")], wrap=True)
        for option in options:
            label = self.labels.option(code, option)
            values: list[Any] = [sheet.cell(label, wrap=True) if len(label) > OPTION_WIDTH else label]
            for kind in KINDS:
                counts = by_kind.get(kind)
                if counts is None:
                    values += [None, None]
                    continue
                count = counts["options"].get(option, 0)
                values += [count, sheet.cell(share(count, counts["answered"]), number_format=PERCENT)]
            sheet.append(values, height=sheet.text_height(label, 1) if len(label) > OPTION_WIDTH else None)
        last_option = sheet.row
        answered: list[Any] = [_("Answered / eligible")]
        for kind in KINDS:
            counts = by_kind.get(kind)
            if counts is None:
                answered += [None, None]
            else:
                answered += [counts["answered"], sheet.cell(counts["eligible"], number_format=OF_ELIGIBLE)]
        sheet.append(answered)
        if _charted(options, by_kind):
            title = chart_title(code, self.short(code), self.labels.row(code, row) if row else "")
            columns = [column for column, kind in ((3, "state"), (5, "ngo")) if kind in by_kind]
            labels = [self.labels.option(code, option) for option in options]
            chart = bar_chart(
                sheet.ws, title=title, header_row=header, last_row=last_option, value_columns=columns, labels=labels
            )
            sheet.ws.add_chart(chart, anchor(start))
            while sheet.row - start + 1 < chart_rows(chart.height):
                sheet.append()


def _numeric(question: Mapping[str, Any]) -> bool:
    """Whether a question's figures get a number block (its type sums or tabulates numbers)."""
    return at.get_type(question["type"]).report_role in (at.REPORT_NUMBERS, at.REPORT_TABLE)


def _choice_rows_by_row(question: Mapping[str, Any]) -> bool:
    """Whether each row of the question is a choice of its own (a matrix)."""
    answer_type = at.get_type(question["type"])
    return answer_type.has_rows and answer_type.has_choices


def _charted(options: list[str], by_kind: Mapping[str, Any]) -> bool:
    """Whether an option block gets a chart: when it has counts and not too many options to read."""
    return bool(options) and bool(by_kind) and len(options) <= MAX_CATEGORIES
