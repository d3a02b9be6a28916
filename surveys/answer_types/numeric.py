"""Numbers: a whole number, a number, whole numbers per year and breakdown tables of whole numbers."""

from __future__ import annotations

import itertools
import random
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext_lazy

from ..i18n import pick
from .base import (
    REPORT_NUMBERS,
    REPORT_TABLE,
    AnswerType,
    DefinitionReader,
    DefinitionWriter,
    Key,
    QuestionShape,
    XlsCell,
    XlsField,
    XlsformReader,
    XlsformWriter,
    single_examples,
)
from .cells import DECIMAL, INTEGER, ROW_KEY_SEPARATOR, CellSpec, Choice
from .sheets import SheetGrid, Slot

if TYPE_CHECKING:
    from ..models import Question


class _Plain(AnswerType):
    """A type with no keys of its own in a definition file and nothing more for its widget than its cells."""

    examples = single_examples
    xls_type = ""  # the XLSForm type of the one field of a plain type
    xls_appearance = ""

    def read_definition(self, reader: DefinitionReader, data: Mapping[str, Any], path: str) -> tuple[dict, list[str]]:
        return {}, []

    def to_xlsform(self, question: Mapping[str, Any], out: XlsformWriter) -> list[XlsField]:
        return [XlsField(self.xls_type, appearance=self.xls_appearance, constraint=out.constraint(question))]

    def from_xlsform(self, cells: list[XlsCell], reader: XlsformReader) -> dict[str, Any]:
        return {}

    def export_definition(self, question: Question, writer: DefinitionWriter) -> dict[str, Any]:
        return {}

    def widget_context(
        self, question: Question, cells: list[CellSpec], bound: Mapping[Key, Any], problem: Mapping[Key, Any]
    ) -> dict[str, Any]:
        return {}


class Integer(_Plain):
    code, label = "integer", gettext_lazy("Whole number")
    report_role = REPORT_NUMBERS
    xls_type = "integer"

    def cells(self, q: QuestionShape) -> list[CellSpec]:
        return [CellSpec("", "", INTEGER, validation=q.validation)]


class DecimalNumber(_Plain):
    code, label = "decimal", gettext_lazy("Number")
    report_role = REPORT_NUMBERS
    xls_type = "decimal"

    def cells(self, q: QuestionShape) -> list[CellSpec]:
        return [CellSpec("", "", DECIMAL, validation=q.validation)]


class IntegerPerYear(_Plain):
    code, label = "integer_per_year", gettext_lazy("Whole number per year")
    report_role = REPORT_NUMBERS

    def cells(self, q: QuestionShape) -> list[CellSpec]:
        return [CellSpec("", str(year), INTEGER, validation=q.validation) for year in q.years]

    def cell_parts(self, q: QuestionShape, key: Key) -> list[str]:
        return [key[1]] if not key[0] and key[1] else super().cell_parts(q, key)

    def cell_year(self, q: QuestionShape, key: Key) -> int | None:
        return int(key[1]) if not key[0] and key[1].isdigit() else None

    def is_complete(self, q: QuestionShape, values: Mapping[Key, Any], evidence_count: int = 0) -> bool:
        # Answered once any year has a figure: the questions ask to leave a year empty when there is no figure for it
        # (as a statistics table). A change of this rule bumps responses.selectors.PROGRESS_RULES.
        return any(v is not None for v in values.values())

    def sheet_grid(self, q: QuestionShape) -> SheetGrid:
        """One row, a column per year."""
        cells = self.cells(q)
        return SheetGrid([spec.column for spec in cells], [("", [Slot(spec.key) for spec in cells])])

    def to_xlsform(self, question: Mapping[str, Any], out: XlsformWriter) -> list[XlsField]:
        constraint = out.constraint(question)
        return [
            XlsField("integer", column=str(year), label=out.same_text(str(year)), constraint=constraint)
            for year in out.years
        ]

    def widget_context(
        self, question: Question, cells: list[CellSpec], bound: Mapping[Key, Any], problem: Mapping[Key, Any]
    ) -> dict[str, Any]:
        return {"years": [(spec.column, bound[spec.key], problem.get(spec.key)) for spec in cells]}


class IntegerMatrix(AnswerType):
    """A breakdown table: the last dimension gives the columns, the product of the others the rows."""

    code, label = "integer_matrix", gettext_lazy("Table of whole numbers")
    report_role = REPORT_TABLE
    definition_keys = frozenset({"dimensions"})
    examples = single_examples

    def cells(self, q: QuestionShape) -> list[CellSpec]:
        validation = {"min": 0, **q.validation}
        return [
            CellSpec(row, column, INTEGER, validation=validation)
            for row in self.row_keys(q)
            for column in self.column_keys(q)
        ]

    @staticmethod
    def row_keys(q: QuestionShape) -> list[str]:
        heads = [values for _code, values in q.dimensions[:-1]]
        return [ROW_KEY_SEPARATOR.join(c.code for c in combo) for combo in itertools.product(*heads)] if heads else [""]

    @staticmethod
    def column_keys(q: QuestionShape) -> list[str]:
        return [c.code for c in q.dimensions[-1][1]] if q.dimensions else []

    @staticmethod
    def value_label(values: Sequence[Choice], code: str) -> str:
        """One dimension value in words; a year (no label in the definition) is its own word."""
        found = next((v for v in values if v.code == code), None)
        return (pick(found.label) or found.code) if found is not None else code

    def row_parts(self, q: QuestionShape, row: str) -> list[str] | None:
        """The dimension value codes of a row key, one per dimension but the last; None when it does not fit."""
        heads = q.dimensions[:-1]
        if not heads:
            return [] if row == "" else None
        parts = row.split(ROW_KEY_SEPARATOR)
        return parts if len(parts) == len(heads) else None

    def cell_parts(self, q: QuestionShape, key: Key) -> list[str]:
        row, column = key
        parts = self.row_parts(q, row)
        if parts is None or not q.dimensions:
            return super().cell_parts(q, key)
        words = [self.value_label(values, code) for (_dim, values), code in zip(q.dimensions[:-1], parts, strict=True)]
        return [*words, self.value_label(q.dimensions[-1][1], column)] if column else words

    def cell_year(self, q: QuestionShape, key: Key) -> int | None:
        """The value of the table's year dimension (the first whose values are all reference years of the round)."""
        years = {str(year) for year in q.years}
        parts = self.row_parts(q, key[0])
        if parts is None or not years:
            return None
        for (_code, values), code in zip(q.dimensions, [*parts, key[1]], strict=False):
            if values and all(v.code in years for v in values):
                return int(code) if code in years else None
        return None

    def sheet_grid(self, q: QuestionShape) -> SheetGrid:
        """The table as on the web page: a row per combination of the first dimensions, a column per value of the
        last, each headed by its words."""
        if not q.dimensions:
            return SheetGrid()
        columns = self.column_keys(q)
        grid = SheetGrid([self.value_label(q.dimensions[-1][1], code) for code in columns])
        for row in self.row_keys(q):
            words = self.cell_parts(q, (row, ""))
            grid.rows.append((" · ".join(words), [Slot((row, column)) for column in columns]))
        return grid

    def is_complete(self, q: QuestionShape, values: Mapping[Key, Any], evidence_count: int = 0) -> bool:
        # A statistics table is answered once any figure is given: a blank cell means "not available".
        return any(v is not None for v in values.values())

    def form_field(self, question: Question, spec: CellSpec, common: dict[str, Any]) -> forms.Field:
        # The cell's labels name the input: the table's headers are too far apart to name it.
        attrs = {"aria-label": common["label"], "class": "form-control form-control-sm text-end"}
        return spec.codec.form_field(spec, common, attrs)

    def widget_context(
        self, question: Question, cells: list[CellSpec], bound: Mapping[Key, Any], problem: Mapping[Key, Any]
    ) -> dict[str, Any]:
        """The rows grouped by their first dimension (the year), each group closed by a subtotal row."""
        dimensions = question.dimension_values()
        columns = [(c.code, pick(c.label) or c.code) for c in dimensions[-1][1]]
        labels = {
            value.code: pick(value.label) or value.code
            for _dimension, dim_values in dimensions[:-1]
            for value in dim_values
        }
        groups: list[dict[str, Any]] = []
        for row_key in self.row_keys(question.shape):
            parts = row_key.split(ROW_KEY_SEPARATOR)
            group = labels.get(parts[0], parts[0]) if len(parts) > 1 else ""
            if not groups or groups[-1]["label"] != group:
                groups.append({"label": group, "rows": []})
            groups[-1]["rows"].append(
                {
                    "key": row_key,
                    "group": group,
                    "label": " · ".join(labels.get(p, p) for p in (parts[1:] if len(parts) > 1 else parts)),
                    "fields": [(bound[(row_key, code)], problem.get((row_key, code))) for code, _label in columns],
                }
            )
        validation = cells[0].validation if cells else {}
        return {
            "min": validation.get("min"),
            "max": validation.get("max"),
            "columns": columns,
            "groups": groups,
            "subtotals": len(groups) > 1,
            "column_dimension": pick(dimensions[-1][0].get("label")) or dimensions[-1][0]["code"],
        }

    def read_definition(self, reader: DefinitionReader, data: Mapping[str, Any], path: str) -> tuple[dict, list[str]]:
        return {"dimensions": reader.dimensions(data.get("dimensions"), f"{path}.dimensions")}, []

    def to_xlsform(self, question: Mapping[str, Any], out: XlsformWriter) -> list[XlsField]:
        """One field per cell, named `CODE-ROW-COLUMN` (ROW: the values of every dimension but the last, joined by
        dots); the dimensions themselves go to the choices sheet (`XlsformWriter.dimensions`)."""
        dimensions = out.dimensions(question)
        constraint = out.constraint({**question, "validation": {"min": 0, **question.get("validation", {})}})
        heads = [values for _code, values in dimensions[:-1]]
        fields = []
        for combo in itertools.product(*heads) if heads else [()]:
            row = ROW_KEY_SEPARATOR.join(v["code"] for v in combo)
            for column in dimensions[-1][1] if dimensions else []:
                parts = [*combo, column]
                label = {
                    lang: " · ".join(v["label"].get(lang) or v["label"].get("en") or v["code"] for v in parts)
                    for lang in out.languages
                }
                fields.append(
                    XlsField(
                        "integer", row=row, column=column["code"], label=label, constraint=constraint, required=False
                    )
                )
        return fields

    def from_xlsform(self, cells: list[XlsCell], reader: XlsformReader) -> dict[str, Any]:
        return {"dimensions": reader.dimensions(cells[0].question, cells)}

    def export_definition(self, question: Question, writer: DefinitionWriter) -> dict[str, Any]:
        return {
            "dimensions": [
                {
                    "code": dim["code"],
                    "label": writer.texts(dim.get("label")),
                    "values": dim.get("source") or writer.choice_defs(dim["values"]),
                }
                for dim in question.dimensions
            ]
        }

    def demo_cells(self, cells: list[CellSpec], rng: random.Random) -> list[CellSpec]:
        return [c for c in cells if rng.random() < 0.25]  # a table is answered in part, as real ones are

    def demo_number(self, spec: CellSpec, rng: random.Random, size: int) -> int | None:
        return min(int(spec.validation.get("max", 10**6)), rng.randint(0, size // 3))
