"""Matrices: one choice per row, from one set of options (a rating scale is a matrix too)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy

from ..i18n import pick
from .base import (
    REPORT_OPTIONS,
    AnswerType,
    DefinitionReader,
    DefinitionWriter,
    Key,
    QuestionShape,
    XlsCell,
    XlsField,
    XlsformReader,
    XlsformWriter,
    options_definition,
    single_examples,
)
from .cells import CHOICE, CellSpec

if TYPE_CHECKING:
    from ..models import Question


class Matrix(AnswerType):
    code, label, has_choices, has_rows = "matrix", gettext_lazy("Matrix (one choice per row)"), True, True
    report_role = REPORT_OPTIONS
    definition_keys = frozenset({"options", "rows"})
    examples = single_examples
    xlsform_appearance = "table-list"
    xlsform_bounds = False
    xlsform_row_appearance = ""

    def cells(self, q: QuestionShape) -> list[CellSpec]:
        return [CellSpec(row.code, "", CHOICE, q.choices) for row in q.rows]

    def cell_parts(self, q: QuestionShape, key: Key) -> list[str]:
        row = next((r for r in q.rows if r.code == key[0]), None)
        return [pick(row.label) or row.code] if row is not None and not key[1] else super().cell_parts(q, key)

    @property
    def templates(self) -> tuple[str, ...]:
        return (*super().templates, "answer_types/matrix/_choice_rows.html")

    def widget_context(
        self, question: Question, cells: list[CellSpec], bound: Mapping[Key, Any], problem: Mapping[Key, Any]
    ) -> dict[str, Any]:
        return {
            "options": [(o.code, o.label_text) for o in question.options_list()],
            "rows": [
                (row["code"], pick(row.get("label")) or row["code"], bound[(row["code"], "")]) for row in question.rows
            ],
        }

    def read_definition(self, reader: DefinitionReader, data: Mapping[str, Any], path: str) -> tuple[dict, list[str]]:
        result, codes = options_definition(reader, data, path)
        result["rows"] = reader.choice_list(data.get("rows"), f"{path}.rows")
        return result, codes

    def export_definition(self, question: Question, writer: DefinitionWriter) -> dict[str, Any]:
        return {"options": writer.options(question), "rows": writer.choice_defs(question.rows)}

    def to_xlsform(self, question: Mapping[str, Any], out: XlsformWriter) -> list[XlsField]:
        list_name = out.choices(question["options"], question["code"])
        return [
            XlsField(f"select_one {list_name}", row=r["code"], label=r["label"], appearance=self.xlsform_row_appearance)
            for r in question["rows"]
        ]

    def from_xlsform(self, cells: list[XlsCell], reader: XlsformReader) -> dict[str, Any]:
        return {"options": reader.options(cells[0]), "rows": [{"code": c.row, "label": dict(c.label)} for c in cells]}

    def show_if_choices(
        self, target: Mapping[str, Any], row: Any, codes: Callable[[Any], list[str]]
    ) -> list[str] | None:
        return codes(target.get("options")) if row in {r["code"] for r in target.get("rows", [])} else None


class LikertMatrix(Matrix):
    code, label = "likert_matrix", gettext_lazy("Rating scale per row")
    xlsform_row_appearance = "likert"
