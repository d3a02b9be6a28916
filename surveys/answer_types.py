"""Answer types: the one place that knows what each kind of question stores and how a value is checked.

Forms, the answer import, exports and the aggregation all go through this module, so a type is added in one place.

A question's answer is a set of *cells*, each addressed by (row, column) — both "" for a question with one value.
A cell has a *kind* (choice, choices, integer, decimal, text, date, year) that says how a raw value is normalised.
`clean_cell` turns raw input (a form string, a CSV field, an Excel cell, a JSON value) into the typed value or
raises `AnswerError` with a message written for the person who typed it.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

# Kinds of cell value.
CHOICE = "choice"
CHOICES = "choices"
INTEGER = "integer"
DECIMAL = "decimal"
TEXT = "text"
DATE = "date"
YEAR = "year"
CELL_KINDS = (CHOICE, CHOICES, INTEGER, DECIMAL, TEXT, DATE, YEAR)

# Absolute bounds, whatever a definition says: they keep every value inside what the database column holds.
INTEGER_LIMIT = 10**15
DECIMAL_MAX_DIGITS = 20
DECIMAL_MAX_PLACES = 4
DEFAULT_SHORT_TEXT = 500
DEFAULT_LONG_TEXT = 20_000
YEAR_MIN, YEAR_MAX = 1900, 2100
MULTI_SEPARATOR = ";"
ROW_KEY_SEPARATOR = "."

_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class AnswerError(ValueError):
    """A value a respondent gave that cannot be stored; the message says why in plain words."""


@dataclass(frozen=True)
class Choice:
    code: str
    label: Mapping[str, str]


@dataclass(frozen=True)
class CellSpec:
    """One stored value of a question: where it goes (row, column) and how it is checked."""

    row: str
    column: str
    kind: str
    choices: tuple[Choice, ...] = ()
    validation: Mapping[str, Any] = field(default_factory=dict)
    exclusive: tuple[str, ...] = ()

    @property
    def key(self) -> tuple[str, str]:
        return (self.row, self.column)

    def choice_codes(self) -> list[str]:
        return [c.code for c in self.choices]


@dataclass(frozen=True)
class QuestionShape:
    """What the answer types need to know of a question, independent of the database."""

    code: str
    type: str
    choices: tuple[Choice, ...] = ()
    rows: tuple[Choice, ...] = ()
    dimensions: tuple[tuple[str, tuple[Choice, ...]], ...] = ()
    fields: tuple[tuple[str, str, tuple[Choice, ...]], ...] = ()  # (code, kind, choices)
    validation: Mapping[str, Any] = field(default_factory=dict)
    exclusive: tuple[str, ...] = ()
    years: tuple[int, ...] = ()


class AnswerType:
    code: str = ""
    label: str = ""
    has_choices = False
    has_rows = False
    # The single choice cell whose answer counts as "yes/no/in process" in reports.
    is_choice = False

    def cells(self, q: QuestionShape) -> list[CellSpec]:
        raise NotImplementedError

    def clean(self, q: QuestionShape, raw: Mapping[tuple[str, str], Any]) -> dict[tuple[str, str], Any]:
        """Normalise every given cell; unknown cells are an error. Empty values come back as None."""
        specs = {spec.key: spec for spec in self.cells(q)}
        cleaned: dict[tuple[str, str], Any] = {}
        for key, value in raw.items():
            spec = specs.get(key)
            if spec is None:
                raise AnswerError(
                    _("%(question)s has no cell %(cell)s.") % {"question": q.code, "cell": describe_cell(key)}
                )
            cleaned[key] = clean_cell(spec, value)
        self.check_together(q, cleaned)
        return cleaned

    def check_together(self, q: QuestionShape, values: Mapping[tuple[str, str], Any]) -> None:
        """Rules across cells (a range's start before its end); values are already cleaned."""

    def is_complete(self, q: QuestionShape, values: Mapping[tuple[str, str], Any], evidence_count: int = 0) -> bool:
        """Whether a required question counts as answered."""
        return all(values.get(spec.key) not in (None, "", []) for spec in self.cells(q))


class SingleSelect(AnswerType):
    code, label, has_choices, is_choice = "single_select", "Single choice", True, True

    def cells(self, q: QuestionShape) -> list[CellSpec]:
        return [CellSpec("", "", CHOICE, q.choices)]


class MultiSelect(AnswerType):
    code, label, has_choices = "multi_select", "Multiple choice", True

    def cells(self, q: QuestionShape) -> list[CellSpec]:
        return [CellSpec("", "", CHOICES, q.choices, exclusive=q.exclusive)]


class Matrix(AnswerType):
    code, label, has_choices, has_rows = "matrix", "Matrix (one choice per row)", True, True

    def cells(self, q: QuestionShape) -> list[CellSpec]:
        return [CellSpec(row.code, "", CHOICE, q.choices) for row in q.rows]


class LikertMatrix(Matrix):
    code, label = "likert_matrix", "Rating scale per row"


class Integer(AnswerType):
    code, label = "integer", "Whole number"

    def cells(self, q: QuestionShape) -> list[CellSpec]:
        return [CellSpec("", "", INTEGER, validation=q.validation)]


class DecimalNumber(AnswerType):
    code, label = "decimal", "Number"

    def cells(self, q: QuestionShape) -> list[CellSpec]:
        return [CellSpec("", "", DECIMAL, validation=q.validation)]


class IntegerPerYear(AnswerType):
    code, label = "integer_per_year", "Whole number per year"

    def cells(self, q: QuestionShape) -> list[CellSpec]:
        return [CellSpec("", str(year), INTEGER, validation=q.validation) for year in q.years]


class IntegerMatrix(AnswerType):
    """A breakdown table: the last dimension gives the columns, the product of the others the rows."""

    code, label = "integer_matrix", "Table of whole numbers"

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

    def is_complete(self, q: QuestionShape, values: Mapping[tuple[str, str], Any], evidence_count: int = 0) -> bool:
        # A statistics table is answered once any figure is given: a blank cell means "not available".
        return any(v is not None for v in values.values())


class YearRange(AnswerType):
    code, label = "year_range", "From year to year"

    def cells(self, q: QuestionShape) -> list[CellSpec]:
        return [
            CellSpec("start", "", YEAR, validation=q.validation),
            CellSpec("end", "", YEAR, validation=q.validation),
        ]

    def check_together(self, q: QuestionShape, values: Mapping[tuple[str, str], Any]) -> None:
        start, end = values.get(("start", "")), values.get(("end", ""))
        if start is not None and end is not None and start > end:
            raise AnswerError(
                _("The first year (%(start)s) is after the last year (%(end)s).") % {"start": start, "end": end}
            )


class ShortText(AnswerType):
    code, label = "short_text", "Short text"
    default_length = DEFAULT_SHORT_TEXT

    def cells(self, q: QuestionShape) -> list[CellSpec]:
        return [CellSpec("", "", TEXT, validation={"max_length": self.default_length, **q.validation})]


class LongText(ShortText):
    code, label = "long_text", "Long text"
    default_length = DEFAULT_LONG_TEXT


class DateAnswer(AnswerType):
    code, label = "date", "Date"

    def cells(self, q: QuestionShape) -> list[CellSpec]:
        return [CellSpec("", "", DATE, validation=q.validation)]


class FileAnswer(AnswerType):
    """Evidence documents; they are stored as files, not as cells."""

    code, label = "file", "Uploaded documents"

    def cells(self, q: QuestionShape) -> list[CellSpec]:
        return []

    def is_complete(self, q: QuestionShape, values: Mapping[tuple[str, str], Any], evidence_count: int = 0) -> bool:
        return evidence_count > 0


class Composite(AnswerType):
    code, label = "composite", "Several fields"

    def cells(self, q: QuestionShape) -> list[CellSpec]:
        return [CellSpec(code, "", kind, choices) for code, kind, choices in q.fields]


class YesNoPlusInteger(AnswerType):
    """A choice and, when the first option (normally "yes") is chosen, a number such as a length in days."""

    code, label, has_choices, is_choice = "yes_no_plus_integer", "Choice with a number", True, True

    def cells(self, q: QuestionShape) -> list[CellSpec]:
        return [CellSpec("", "", CHOICE, q.choices), CellSpec("number", "", INTEGER, validation=q.validation)]

    def check_together(self, q: QuestionShape, values: Mapping[tuple[str, str], Any]) -> None:
        choice, number = values.get(("", "")), values.get(("number", ""))
        if number is not None and q.choices and choice not in (None, q.choices[0].code):
            raise AnswerError(_("Give the number only when the answer is “%(first)s”.") % {"first": q.choices[0].code})

    def is_complete(self, q: QuestionShape, values: Mapping[tuple[str, str], Any], evidence_count: int = 0) -> bool:
        choice = values.get(("", ""))
        if choice in (None, ""):
            return False
        return not (q.choices and choice == q.choices[0].code and values.get(("number", "")) is None)


ANSWER_TYPES: dict[str, AnswerType] = {
    t.code: t
    for t in (
        SingleSelect(),
        MultiSelect(),
        Matrix(),
        LikertMatrix(),
        Integer(),
        DecimalNumber(),
        IntegerPerYear(),
        IntegerMatrix(),
        YearRange(),
        ShortText(),
        LongText(),
        DateAnswer(),
        FileAnswer(),
        Composite(),
        YesNoPlusInteger(),
    )
}
TYPE_CHOICES = [(code, t.label) for code, t in ANSWER_TYPES.items()]
COMPOSITE_FIELD_KINDS = (CHOICE, INTEGER, DECIMAL, TEXT, YEAR, DATE)


def get_type(code: str) -> AnswerType:
    return ANSWER_TYPES[code]


def describe_cell(key: tuple[str, str]) -> str:
    row, column = key
    parts = [f"row '{row}'" if row else "", f"column '{column}'" if column else ""]
    return ", ".join(p for p in parts if p) or "(single value)"


def _is_empty(raw: Any) -> bool:
    if raw is None:
        return True
    if isinstance(raw, str):
        return raw.strip() == ""
    if isinstance(raw, (list, tuple)):
        return len(raw) == 0
    return False


def _check_text(raw: str) -> str:
    if "\x00" in raw or _CONTROL_CHARS.search(raw):
        raise AnswerError(
            _("The text contains an invisible control character; please delete it and type the text again.")
        )
    return raw


def _as_text(raw: Any) -> str:
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    if isinstance(raw, bool):
        raise AnswerError(_("Expected a value, not true/false."))
    return _check_text(str(raw)).strip()


def _bounds(value: Any, validation: Mapping[str, Any], fmt: Any = str) -> None:
    low, high = validation.get("min"), validation.get("max")
    if low is not None and value < low:
        raise AnswerError(_("The value must be %(min)s or more.") % {"min": fmt(low)})
    if high is not None and value > high:
        raise AnswerError(_("The value must be %(max)s or less.") % {"max": fmt(high)})


def _clean_integer(raw: Any) -> int:
    if isinstance(raw, bool):
        raise AnswerError(_("Enter a whole number, for example 12."))
    if isinstance(raw, int):
        value = raw
    elif isinstance(raw, float) and raw.is_integer():
        value = int(raw)
    else:
        text = _as_text(raw).replace("\u00a0", "").replace(" ", "")
        # Thousands separators that people type: 1,234 / 1.234 / 1'234 — only in groups of three.
        if re.fullmatch(r"[+-]?\d{1,3}([,.']\d{3})+", text):
            text = re.sub(r"[,.']", "", text)
        if not re.fullmatch(r"[+-]?\d{1,19}", text):
            raise AnswerError(_("Enter a whole number, for example 12 (digits only, no words or decimals)."))
        value = int(text)
    if abs(value) >= INTEGER_LIMIT:
        raise AnswerError(_("This number is too large."))
    return value


def _clean_decimal(raw: Any, validation: Mapping[str, Any]) -> Decimal:
    if isinstance(raw, bool):
        raise AnswerError(_("Enter a number, for example 12.5."))
    if isinstance(raw, (int, Decimal)):
        value = Decimal(raw)
    elif isinstance(raw, float):
        value = Decimal(repr(raw))
    else:
        text = _as_text(raw).replace("\u00a0", "").replace(" ", "")
        if text.count(",") == 1 and "." not in text:
            text = text.replace(",", ".")  # a decimal comma, as most of the OSCE region writes it
        if not re.fullmatch(r"[+-]?(\d{1,20}(\.\d*)?|\.\d+)", text):
            raise AnswerError(_("Enter a number, for example 12.5."))
        try:
            value = Decimal(text)
        except InvalidOperation as exc:  # pragma: no cover - the pattern above admits only valid decimals
            raise AnswerError(_("Enter a number, for example 12.5.")) from exc
    if value.is_zero():
        value = abs(value)  # "-0" is 0: the database keeps no sign on zero, and the history must say what it keeps
    if not value.is_finite() or abs(value) >= Decimal(10) ** (DECIMAL_MAX_DIGITS - DECIMAL_MAX_PLACES):
        raise AnswerError(_("This number is too large."))
    places = int(validation.get("decimal_places", DECIMAL_MAX_PLACES))
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and -exponent > places:
        raise AnswerError(_("Use at most %(places)d digits after the decimal point.") % {"places": places})
    return value


def _clean_date(raw: Any) -> dt.date:
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    text = _as_text(raw)
    for pattern in ("%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise AnswerError(_("Enter a date as YYYY-MM-DD, for example 2015-06-30."))


def _split_choices(raw: Any) -> list[str]:
    if isinstance(raw, str):
        return [part.strip() for part in raw.split(MULTI_SEPARATOR) if part.strip()]
    if isinstance(raw, Iterable):
        return [_as_text(part) for part in raw if not _is_empty(part)]
    return [_as_text(raw)]


def clean_cell(spec: CellSpec, raw: Any) -> Any:
    """The typed value of one cell, None when it is empty; AnswerError when it cannot be stored."""
    if _is_empty(raw):
        return None
    kind, validation = spec.kind, spec.validation
    if kind == CHOICE:
        code = _as_text(raw)
        if code not in spec.choice_codes():
            raise AnswerError(
                _("“%(value)s” is not one of the options (%(options)s).")
                % {"value": code[:60], "options": ", ".join(spec.choice_codes())}
            )
        return code
    if kind == CHOICES:
        codes = _split_choices(raw)
        allowed = spec.choice_codes()
        unknown = [c for c in codes if c not in allowed]
        if unknown:
            raise AnswerError(
                _("“%(value)s” is not one of the options (%(options)s).")
                % {"value": unknown[0][:60], "options": ", ".join(allowed)}
            )
        chosen = set(codes)
        for code in spec.exclusive:
            if code in chosen and len(chosen) > 1:
                raise AnswerError(_("“%(option)s” cannot be combined with other options.") % {"option": code})
        return [c for c in allowed if c in chosen]  # definition order, no duplicates
    if kind == INTEGER:
        value = _clean_integer(raw)
        _bounds(value, validation)
        return value
    if kind == YEAR:
        value = _clean_integer(raw)
        _bounds(value, {"min": YEAR_MIN, "max": YEAR_MAX, **validation})
        return value
    if kind == DECIMAL:
        decimal_value = _clean_decimal(raw, validation)
        _bounds(decimal_value, {k: Decimal(str(v)) for k, v in validation.items() if k in ("min", "max")})
        return decimal_value
    if kind == TEXT:
        text = _as_text(raw) if not isinstance(raw, str) else _check_text(raw).strip()
        limit = int(validation.get("max_length", DEFAULT_SHORT_TEXT))
        if len(text) > limit:
            raise AnswerError(
                _("The text is %(length)d characters long; at most %(limit)d are allowed.")
                % {"length": len(text), "limit": limit}
            )
        if len(text) < int(validation.get("min_length", 0)):
            raise AnswerError(_("Please write at least %(min)d characters.") % {"min": validation["min_length"]})
        return text
    if kind == DATE:
        date_value = _clean_date(raw)
        _bounds(
            date_value,
            {k: dt.date.fromisoformat(str(v)) for k, v in validation.items() if k in ("min", "max")},
            fmt=lambda d: d.isoformat(),
        )
        return date_value
    raise AnswerError(f"unknown cell kind {kind!r}")  # pragma: no cover - kinds are checked when loading


def to_text(kind: str, value: Any) -> str:
    """The canonical text of a typed value: what exports write and imports read back."""
    if value is None:
        return ""
    if kind == CHOICES:
        return MULTI_SEPARATOR.join(value)
    if kind == DATE:
        return value.isoformat()
    if kind == DECIMAL:
        return format(value.normalize(), "f")  # 1.50 and 1.5 are one answer: re-saving it is no change
    return str(value)


def cell_index(cells: Sequence[CellSpec]) -> dict[tuple[str, str], CellSpec]:
    return {spec.key: spec for spec in cells}
