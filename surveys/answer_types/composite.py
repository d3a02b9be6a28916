"""Several fields: each field of its own kind, named by the definition."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy

from ..i18n import pick
from .base import (
    REPORT_FIELDS,
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
from .cells import CHOICE, DATE, DECIMAL, INTEGER, TEXT, YEAR, YEAR_MAX, YEAR_MIN, CellSpec

# The XLSForm type of each kind of field; a year is a whole number between YEAR_MIN and YEAR_MAX.
XLS_TYPE_OF_KIND = {
    CHOICE: "select_one",
    INTEGER: "integer",
    DECIMAL: "decimal",
    TEXT: "text",
    YEAR: "integer",
    DATE: "date",
}
KIND_OF_XLS_TYPE = {"select_one": CHOICE, "integer": INTEGER, "decimal": DECIMAL, "text": TEXT, "date": DATE}

if TYPE_CHECKING:
    from ..models import Question


class Composite(AnswerType):
    code, label = "composite", gettext_lazy("Several fields")
    report_role = REPORT_FIELDS
    definition_keys = frozenset({"fields"})
    xlsform_bounds = False
    examples = single_examples

    def cells(self, q: QuestionShape) -> list[CellSpec]:
        return [CellSpec(code, "", kind, choices) for code, kind, choices in q.fields]

    def cell_parts(self, q: QuestionShape, key: Key) -> list[str]:
        if key[1] or not any(code == key[0] for code, _kind, _choices in q.fields):
            return super().cell_parts(q, key)
        return [pick(q.field_labels.get(key[0])) or key[0]]

    def widget_context(
        self, question: Question, cells: list[CellSpec], bound: Mapping[Key, Any], problem: Mapping[Key, Any]
    ) -> dict[str, Any]:
        return {}

    def read_definition(self, reader: DefinitionReader, data: Mapping[str, Any], path: str) -> tuple[dict, list[str]]:
        return {"fields": reader.fields(data.get("fields"), f"{path}.fields")}, []

    def export_definition(self, question: Question, writer: DefinitionWriter) -> dict[str, Any]:
        fields = []
        for f in question.fields:
            field_def: dict[str, Any] = {"code": f["code"], "label": writer.texts(f.get("label")), "kind": f["kind"]}
            if f["kind"] == CHOICE:
                field_def["options"] = f.get("source") or writer.choice_defs(f.get("options", []))
            fields.append(field_def)
        return {"fields": fields}

    def to_xlsform(self, question: Mapping[str, Any], out: XlsformWriter) -> list[XlsField]:
        result = []
        for f in question["fields"]:
            xls_type = XLS_TYPE_OF_KIND.get(f["kind"], "text")
            if f["kind"] == CHOICE:
                xls_type += " " + out.choices(f.get("options"), f"{question['code']}-{f['code']}")
            constraint = f". >= {YEAR_MIN} and . <= {YEAR_MAX}" if f["kind"] == YEAR else ""
            label = f.get("label") or out.same_text(f["code"])
            result.append(XlsField(xls_type, row=f["code"], label=label, constraint=constraint, kind=f["kind"]))
        return result

    def from_xlsform(self, cells: list[XlsCell], reader: XlsformReader) -> dict[str, Any]:
        fields = []
        for cell in cells:
            kind = cell.kind or KIND_OF_XLS_TYPE.get(cell.xls_type, TEXT)
            field: dict[str, Any] = {"code": cell.row, "label": dict(cell.label), "kind": kind}
            if kind == CHOICE:
                field["options"] = reader.options(cell)
            fields.append(field)
        return {"fields": fields}

    def show_if_choices(
        self, target: Mapping[str, Any], row: Any, codes: Callable[[Any], list[str]]
    ) -> list[str] | None:
        for field in target.get("fields", []):
            if field["code"] == row and field["kind"] == CHOICE:
                return codes(field.get("options"))
        return None
