"""Texts, dates and year ranges: answers listed as written rather than counted."""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .base import REPORT_TEXT, DefinitionReader, Key, QuestionShape, XlsField, XlsformWriter
from .cells import DATE, DEFAULT_LONG_TEXT, DEFAULT_SHORT_TEXT, TEXT, YEAR, YEAR_MAX, YEAR_MIN, AnswerError, CellSpec
from .numeric import _Plain

if TYPE_CHECKING:
    from ..models import Question


class ShortText(_Plain):
    code, label = "short_text", gettext_lazy("Short text")
    report_role = REPORT_TEXT
    default_length = DEFAULT_SHORT_TEXT
    xls_type = "text"

    def cells(self, q: QuestionShape) -> list[CellSpec]:
        return [CellSpec("", "", TEXT, validation={"max_length": self.default_length, **q.validation})]


class LongText(ShortText):
    code, label = "long_text", gettext_lazy("Long text")
    default_length = DEFAULT_LONG_TEXT
    xls_appearance = "multiline"

    def form_field(self, question: Question, spec: CellSpec, common: dict[str, Any]) -> forms.Field:
        return spec.codec.form_field(spec, common, {"rows": 5})

    def demo_cells(self, cells: list[CellSpec], rng: random.Random) -> list[CellSpec]:
        return [] if rng.random() < 0.6 else cells  # most organisations leave a long text empty


class DateAnswer(_Plain):
    code, label = "date", gettext_lazy("Date")
    report_role = REPORT_TEXT
    xls_type = "date"

    def cells(self, q: QuestionShape) -> list[CellSpec]:
        return [CellSpec("", "", DATE, validation=q.validation)]

    def read_bound(self, reader: DefinitionReader, value: Any, path: str) -> Any:
        return reader.date(value, path)


class YearRange(_Plain):
    code, label = "year_range", gettext_lazy("From year to year")
    xlsform_bounds = False
    report_role = REPORT_TEXT

    def cells(self, q: QuestionShape) -> list[CellSpec]:
        return [
            CellSpec("start", "", YEAR, validation=q.validation),
            CellSpec("end", "", YEAR, validation=q.validation),
        ]

    def cell_parts(self, q: QuestionShape, key: Key) -> list[str]:
        named = {("start", ""): _("First year"), ("end", ""): _("Last year")}
        return [named[key]] if key in named else super().cell_parts(q, key)

    def to_xlsform(self, question: Mapping[str, Any], out: XlsformWriter) -> list[XlsField]:
        years = f". >= {YEAR_MIN} and . <= {YEAR_MAX}"
        return [
            XlsField("integer", row="start", label=out.translated(gettext_lazy("First year")), constraint=years),
            XlsField("integer", row="end", label=out.translated(gettext_lazy("Last year")), constraint=years),
        ]

    def check_together(self, q: QuestionShape, values: Mapping[Key, Any]) -> None:
        start, end = values.get(("start", "")), values.get(("end", ""))
        if start is not None and end is not None and start > end:
            raise AnswerError(
                _("The first year (%(start)s) is after the last year (%(end)s).") % {"start": start, "end": end}
            )
