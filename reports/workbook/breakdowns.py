"""The number blocks of the area sheets: each figure labelled with the definition's words (years, fields, dimension
values, the number label), never a bare code; and breakdown tables (PRT.DATA.01) grouped with totals.

A breakdown table gets, per kind of respondent, one small table per dimension (its values in the definition's order,
each a total over the other dimensions: `breakdown_totals` in the report data), then the full cross-table: one row
per combination of the row dimensions, in the questionnaire's order, one column per value of the last dimension and
a row total (sums of the figures given).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cached_property
from typing import Any

from django.utils.translation import gettext as _

from surveys import answer_types as at
from surveys.i18n import pick

from .base import WriterBase
from .styles import BOLD, NOTE, Sheet

KIND_ORDER = {kind: index for index, kind in enumerate(("state", "partner", "ngo"))}


def question_shape(question: Mapping[str, Any], years: Sequence[int]) -> at.QuestionShape:
    """The answer types' view of a question as the report stores it (docs/report-data.md), for naming its cells."""
    answer_type = at.get_type(question["type"])
    rows = tuple(at.Choice(r["code"], r.get("label") or {}) for r in question.get("rows", []))
    return at.QuestionShape(
        code=question["code"],
        type=question["type"],
        choices=tuple(at.Choice(o["code"], o.get("label") or {}) for o in question.get("options", [])),
        rows=rows if answer_type.has_rows else (),
        dimensions=tuple(
            (d["code"], tuple(at.Choice(v["code"], v.get("label") or {}) for v in d.get("values", [])))
            for d in question.get("dimensions", [])
        ),
        fields=_fields(question, rows) if answer_type.report_role == at.REPORT_FIELDS else (),
        years=tuple(years),
        dimension_labels={d["code"]: d.get("label") or {} for d in question.get("dimensions", [])},
        field_labels={r.code: r.label for r in rows},
        number_label=question.get("number_label") or {},
    )


def _fields(question: Mapping[str, Any], rows: tuple[at.Choice, ...]) -> tuple[tuple[str, str, tuple], ...]:
    """A composite's fields with their kinds and options (reports built before they were stored: codes only)."""
    stored = {f["code"]: f for f in question.get("fields", [])}
    result = []
    for row in rows:
        field = stored.get(row.code, {})
        options = tuple(at.Choice(o["code"], o.get("label") or {}) for o in field.get("options", []))
        result.append((row.code, field.get("kind", ""), options))
    return tuple(result)


class NumberBlocks(WriterBase):
    """A question's figures on its area sheet."""

    @cached_property
    def _shapes(self) -> dict[str, at.QuestionShape]:
        return {}

    @cached_property
    def _totals(self) -> dict[str, list[Mapping[str, Any]]]:
        """The report's `breakdown_totals` grouped by question, in one pass over them."""
        grouped: dict[str, list[Mapping[str, Any]]] = {}
        for row in self.report.get("breakdown_totals", []):
            grouped.setdefault(row["question"], []).append(row)
        return grouped

    def shape(self, question: Mapping[str, Any]) -> at.QuestionShape:
        """The question's shape, built once per question for the whole workbook (its figures, its Codebook rows)."""
        code = question["code"]
        if code not in self._shapes:
            self._shapes[code] = question_shape(question, self.report.get("survey", {}).get("reference_years", []))
        return self._shapes[code]

    def figure_label(self, question: Mapping[str, Any], row: str, column: str) -> str:
        """The words of one figure: "2012", "Length of the period in days", the question's own text for a single
        number (a figure is never called "number" or "Value")."""
        shape = self.shape(question)
        parts = at.get_type(question["type"]).cell_parts(shape, (row, column))
        return ", ".join(parts) if parts else (pick(shape.number_label) or self.labels.text(question["code"]))

    def number_block(self, sheet: Sheet, question: Mapping[str, Any], numbers: list[Mapping[str, Any]]) -> None:
        if at.get_type(question["type"]).report_role == at.REPORT_TABLE and question.get("dimensions"):
            self._breakdown(sheet, question, numbers)
            return
        sheet.header([_("Figure"), _("Respondents"), _("Count"), _("Sum"), _("Median"), _("Min"), _("Max")])
        if not numbers:
            sheet.append([sheet.cell(_("No figures reported."), font=NOTE)])
            return
        shape = self.shape(question)
        order = {spec.key: index for index, spec in enumerate(at.get_type(question["type"]).cells(shape))}
        for row in sorted(
            numbers,
            key=lambda r: (
                order.get((r["row"], r["column"]), 10**6),
                r["row"],
                r["column"],
                KIND_ORDER.get(r["kind"], 9),
            ),
        ):
            sheet.append(
                [
                    self.figure_label(question, row["row"], row["column"]),
                    self.kind_label(row["kind"]),
                    row["count"],
                    row["sum"],
                    row["median"],
                    row["min"],
                    row["max"],
                ]
            )

    # --- breakdown tables ------------------------------------------------------------------------------------

    def _breakdown(self, sheet: Sheet, question: Mapping[str, Any], numbers: list[Mapping[str, Any]]) -> None:
        code = question["code"]
        if not numbers:
            sheet.header([_("Figure"), _("Respondents"), _("Count"), _("Sum"), _("Median"), _("Min"), _("Max")])
            sheet.append([sheet.cell(_("No figures reported."), font=NOTE)])
            return
        totals = self._totals.get(code, [])
        kinds = sorted({r["kind"] for r in numbers}, key=lambda k: KIND_ORDER.get(k, 9))
        dimensions = question["dimensions"]
        for kind in kinds:
            sheet.append([sheet.cell(self.kind_label(kind), font=BOLD)])
            for dimension in dimensions:
                label = pick(dimension.get("label")) or dimension["code"]
                sheet.header([label, _("Respondents"), _("Count"), _("Sum"), _("Median"), _("Min"), _("Max")])
                mine = {r["value"]: r for r in totals if r["kind"] == kind and r["dimension"] == dimension["code"]}
                for value in dimension.get("values", []):
                    found = mine.get(value["code"])
                    name = pick(value.get("label")) or value["code"]
                    if found is None:
                        sheet.append([name, self.kind_label(kind), 0])
                        continue
                    sheet.append(
                        [
                            name,
                            self.kind_label(kind),
                            found["respondents"],
                            found["sum"],
                            found["median"],
                            found["min"],
                            found["max"],
                        ]
                    )
                sheet.append()
            self._cross_table(sheet, question, [r for r in numbers if r["kind"] == kind])

    def _cross_table(self, sheet: Sheet, question: Mapping[str, Any], numbers: list[Mapping[str, Any]]) -> None:
        """Sums per cell: the row dimensions' values in columns of their own, the last dimension across."""
        dimensions = question["dimensions"]
        heads, last = dimensions[:-1], dimensions[-1]
        sheet.append([sheet.cell(_("Full table (sums of the figures given), in the questionnaire's order"), font=BOLD)])
        sheet.header(
            [
                *[pick(d.get("label")) or d["code"] for d in heads],
                *[pick(v.get("label")) or v["code"] for v in last.get("values", [])],
                _("Total"),
            ]
        )
        sums = {(r["row"], r["column"]): r["sum"] for r in numbers}
        names = [{v["code"]: pick(v.get("label")) or v["code"] for v in d.get("values", [])} for d in heads]
        for row in at.IntegerMatrix.row_keys(self.shape(question)):
            parts = row.split(at.ROW_KEY_SEPARATOR) if heads else []
            values = [sums.get((row, v["code"])) for v in last.get("values", [])]
            given = [v for v in values if v is not None]
            sheet.append(
                [
                    *[names[i].get(part, part) for i, part in enumerate(parts)],
                    *values,
                    sum(given) if given else None,
                ]
            )
