"""The Codebook sheet: every question of the round with its codes and words, one row per cell and option, so that
an analyst can join the Raw data sheet (question, row, column, value) to the words people read.

Columns: question code, area, section, answer type, audience, question text, short label (the headline phrase of a
scored question), then the cell (`row` and `column` exactly as in Raw data, and the cell's words), the option
(`option` as Raw data's value holds it, and its label) and the unit of a number cell (its number label). A question
with one value and no options has one row with empty cell columns.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from surveys import answer_types as at
from surveys.i18n import pick
from surveys.models import Audience

from .breakdowns import NumberBlocks
from .styles import CODEBOOK, TABLE_HEADER_ROW, Sheet

NUMBER_KINDS = (at.INTEGER, at.DECIMAL)
COLUMNS = 13


class CodebookSheet(NumberBlocks):
    def codebook_sheet(self) -> None:
        sheet = Sheet(
            self.workbook,
            self.sheet_title(CODEBOOK),
            [14, 7, 11, 20, 20, 60, 30, 30, 14, 40, 22, 40, 24],
            freeze="B4",
        )
        sheet.title_rows(
            _("Every question with its codes and words: one row per cell and option, to read the Raw data sheet"),
            self.basis(),
            self.provisional,
        )
        sheet.header(
            [
                _("Question"),
                _("Area"),
                _("Section"),
                _("Answer type"),
                _("Audience"),
                _("Question text"),
                _("Short label"),
                # The Raw data sheet's column names, kept as they are there.
                "row",
                "column",
                _("Cell"),
                _("Option"),
                _("Option label"),
                _("Unit"),
            ]
        )
        for question in self.report.get("questions", []):
            for line in self._lines(question):
                sheet.append(line)
        sheet.auto_filter(TABLE_HEADER_ROW, sheet.row, COLUMNS)

    def _lines(self, question: dict[str, Any]) -> list[list[Any]]:
        answer_type = at.get_type(question["type"])
        try:
            audience = str(Audience(str(question.get("audience", ""))).label)
        except ValueError:
            audience = str(question.get("audience", ""))
        common = [
            question["code"],
            question.get("area", ""),
            question.get("section", ""),
            str(answer_type.label),
            audience,
            self.labels.text(question["code"]),
            pick(question.get("headline")),
        ]
        shape = self.shape(question)
        unit = pick(shape.number_label)
        lines = []
        for spec in answer_type.cells(shape) or [at.CellSpec("", "", at.TEXT)]:
            where = [spec.row or None, spec.column or None, ", ".join(answer_type.cell_parts(shape, spec.key)) or None]
            cell_unit = (unit or None) if spec.kind in NUMBER_KINDS else None
            if spec.choices:
                for choice in spec.choices:
                    lines.append([*common, *where, choice.code, pick(choice.label) or choice.code, cell_unit])
            else:
                lines.append([*common, *where, None, None, cell_unit])
        return lines
