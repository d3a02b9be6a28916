"""Single and multiple choice, and a choice with a number: types whose answer is counted per option."""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _
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
from .cells import CHOICE, CHOICES, INTEGER, AnswerError, CellSpec

if TYPE_CHECKING:
    from ..models import Question


# An option that excludes the others ("none of these"), as an XLSForm constraint of a select_multiple.
EXCLUSIVE_RULE = "not(selected(., '{code}') and count-selected(.) > 1)"
EXCLUSIVE_RE = re.compile(r"not\(selected\(\.,\s*'([A-Za-z0-9_]+)'\)\s+and\s+count-selected\(\.\)\s*>\s*1\)")


class _Choosing(AnswerType):
    """A type with one set of options, compared by show-if rules in its single value."""

    xls_select = "select_one"

    has_choices = True
    report_role = REPORT_OPTIONS
    definition_keys = frozenset({"options"})
    examples = single_examples

    def read_definition(self, reader: DefinitionReader, data: Mapping[str, Any], path: str) -> tuple[dict, list[str]]:
        return options_definition(reader, data, path)

    def export_definition(self, question: Question, writer: DefinitionWriter) -> dict[str, Any]:
        return {"options": writer.options(question)}

    def to_xlsform(self, question: Mapping[str, Any], out: XlsformWriter) -> list[XlsField]:
        list_name = out.choices(question["options"], question["code"])
        return [XlsField(f"{self.xls_select} {list_name}", constraint=out.constraint(question))]

    def from_xlsform(self, cells: list[XlsCell], reader: XlsformReader) -> dict[str, Any]:
        return {"options": reader.options(cells[0])}

    def show_if_choices(
        self, target: Mapping[str, Any], row: Any, codes: Callable[[Any], list[str]]
    ) -> list[str] | None:
        return codes(target.get("options")) if row is None else None

    def widget_context(
        self, question: Question, cells: list[CellSpec], bound: Mapping[Key, Any], problem: Mapping[Key, Any]
    ) -> dict[str, Any]:
        return {}


class SingleSelect(_Choosing):
    code, label, is_choice = "single_select", gettext_lazy("Single choice"), True

    def cells(self, q: QuestionShape) -> list[CellSpec]:
        return [CellSpec("", "", CHOICE, q.choices)]


class MultiSelect(_Choosing):
    code, label = "multi_select", gettext_lazy("Multiple choice")
    several_choices = True
    xls_select = "select_multiple"
    definition_keys = frozenset({"options", "exclusive"})

    def cells(self, q: QuestionShape) -> list[CellSpec]:
        return [CellSpec("", "", CHOICES, q.choices, exclusive=q.exclusive)]

    def read_definition(self, reader: DefinitionReader, data: Mapping[str, Any], path: str) -> tuple[dict, list[str]]:
        result, codes = options_definition(reader, data, path)
        result["exclusive"] = []
        for index, value in enumerate(reader.sequence(data.get("exclusive"), f"{path}.exclusive", required=False)):
            value = reader.code(value, f"{path}.exclusive[{index}]", what="option code")
            if value and codes and value not in codes:
                reader.add(
                    f"{path}.exclusive[{index}]",
                    _("%(value)s is not one of this question's options") % {"value": repr(value)},
                )
            result["exclusive"].append(value)
        return result, codes

    def export_definition(self, question: Question, writer: DefinitionWriter) -> dict[str, Any]:
        return {"options": writer.options(question), "exclusive": list(question.exclusive)}

    def to_xlsform(self, question: Mapping[str, Any], out: XlsformWriter) -> list[XlsField]:
        list_name = out.choices(question["options"], question["code"])
        rules = [out.constraint(question)] + [EXCLUSIVE_RULE.format(code=c) for c in question.get("exclusive", [])]
        return [XlsField(f"select_multiple {list_name}", constraint=" and ".join(r for r in rules if r))]

    def from_xlsform(self, cells: list[XlsCell], reader: XlsformReader) -> dict[str, Any]:
        constraint = str(cells[0].source.get("constraint") or "")
        return {"options": reader.options(cells[0]), "exclusive": EXCLUSIVE_RE.findall(constraint)}


class YesNoPlusInteger(_Choosing):
    """A choice and, when the first option (normally "yes") is chosen, a number such as a length in days."""

    code, label, is_choice = "yes_no_plus_integer", gettext_lazy("Choice with a number"), True
    definition_keys = frozenset({"options", "number_label"})

    def cells(self, q: QuestionShape) -> list[CellSpec]:
        return [CellSpec("", "", CHOICE, q.choices), CellSpec("number", "", INTEGER, validation=q.validation)]

    def cell_parts(self, q: QuestionShape, key: Key) -> list[str]:
        if key == ("number", ""):
            return [pick(q.number_label) or _("Number")]
        return super().cell_parts(q, key)

    def check_together(self, q: QuestionShape, values: Mapping[Key, Any]) -> None:
        choice, number = values.get(("", "")), values.get(("number", ""))
        if number is not None and q.choices and choice not in (None, q.choices[0].code):
            raise AnswerError(_("Give the number only when the answer is “%(first)s”.") % {"first": q.choices[0].code})

    def is_complete(self, q: QuestionShape, values: Mapping[Key, Any], evidence_count: int = 0) -> bool:
        choice = values.get(("", ""))
        if choice in (None, ""):
            return False
        return not (q.choices and choice == q.choices[0].code and values.get(("number", "")) is None)

    def read_definition(self, reader: DefinitionReader, data: Mapping[str, Any], path: str) -> tuple[dict, list[str]]:
        result, codes = options_definition(reader, data, path)
        result["number_label"] = reader.texts(data.get("number_label"), f"{path}.number_label", required=False)
        return result, codes

    def export_definition(self, question: Question, writer: DefinitionWriter) -> dict[str, Any]:
        return {"options": writer.options(question), "number_label": writer.texts(question.number_label)}

    def to_xlsform(self, question: Mapping[str, Any], out: XlsformWriter) -> list[XlsField]:
        list_name = out.choices(question["options"], question["code"])
        first = next(iter(out.option_codes(question["options"])), "yes")
        return [
            XlsField(f"select_one {list_name}", label=question["text"]),
            XlsField(
                "integer",
                row="number",
                label=question.get("number_label") or question["text"],
                relevant=f"${{{question['code']}}} = '{first}'",
                constraint=out.constraint(question),
            ),
        ]

    def from_xlsform(self, cells: list[XlsCell], reader: XlsformReader) -> dict[str, Any]:
        number = next((c for c in cells if c.row == "number"), None)
        return {"options": reader.options(cells[0]), "number_label": dict(number.label) if number else {}}

    def widget_context(
        self, question: Question, cells: list[CellSpec], bound: Mapping[Key, Any], problem: Mapping[Key, Any]
    ) -> dict[str, Any]:
        return {
            "choice": bound[("", "")],
            "number": bound[("number", "")],
            "number_problem": problem.get(("number", "")),
        }

    def demo_number(self, spec: CellSpec, rng: random.Random, size: int) -> int | None:
        return rng.choice([30, 45, 60, 90])

    def demo_keeps(self, spec: CellSpec, answers: Mapping[Key, Any]) -> bool:
        # The number is given only with the first option, as `check_together` asks.
        return spec.row != "number" or answers.get(("", "")) == (spec.choices[0].code if spec.choices else "yes")
