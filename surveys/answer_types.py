"""Answer types: the one place that knows what each kind of question stores and how a value is checked.

Forms, the answer import, exports and the aggregation all go through this module, so a type is added in one place.

A question's answer is a set of *cells*, each addressed by (row, column) — both "" for a question with one value.
A cell has a *kind* (choice, choices, integer, decimal, text, date, year) that says how a raw value is normalised.
`clean_cell` turns raw input (a form string, a CSV field, an Excel cell, a JSON value) into the typed value or
raises `AnswerError` with a message written for the person who typed it.

The words people read for a stored value live here too, each type naming its own cells (`AnswerType.cell_parts`)
and each kind wording its own values (`value_words`). Pages ask one object, `Words(shape)` (or `question.words`):
`words.cell(key)` → "2017, Female, Adults (18 and over), Domestic servitude, Foreign nationals", `words.value(key,
value)` → "In process (being prepared or adopted)", `words.text(key, canonical_text)` for what history and exports
store. It runs no query: load questions with their options once per page and ask as often as needed.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import formats, translation
from django.utils.translation import gettext as _

from .i18n import pick

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
    # Words only (see `Words`): the title of each breakdown dimension and composite field by code, {language: text}.
    dimension_labels: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    field_labels: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    number_label: Mapping[str, str] = field(default_factory=dict)


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

    def cell_parts(self, q: QuestionShape, key: tuple[str, str]) -> list[str]:
        """The words naming one cell (its row, column, field …) in the active language; [] for a single value.

        A cell the definition does not know (any more) is named by its codes, so that nothing stored is hidden."""
        return [part for part in key if part]


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

    def cell_parts(self, q: QuestionShape, key: tuple[str, str]) -> list[str]:
        row = next((r for r in q.rows if r.code == key[0]), None)
        return [pick(row.label) or row.code] if row is not None and not key[1] else super().cell_parts(q, key)


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

    def cell_parts(self, q: QuestionShape, key: tuple[str, str]) -> list[str]:
        return [key[1]] if not key[0] and key[1] else super().cell_parts(q, key)


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

    def cell_parts(self, q: QuestionShape, key: tuple[str, str]) -> list[str]:
        row, column = key
        parts = self.row_parts(q, row)
        if parts is None or not q.dimensions:
            return super().cell_parts(q, key)
        words = [self.value_label(values, code) for (_dim, values), code in zip(q.dimensions[:-1], parts, strict=True)]
        return [*words, self.value_label(q.dimensions[-1][1], column)] if column else words

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

    def cell_parts(self, q: QuestionShape, key: tuple[str, str]) -> list[str]:
        named = {("start", ""): _("First year"), ("end", ""): _("Last year")}
        return [named[key]] if key in named else super().cell_parts(q, key)

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

    def cell_parts(self, q: QuestionShape, key: tuple[str, str]) -> list[str]:
        if key[1] or not any(code == key[0] for code, _kind, _choices in q.fields):
            return super().cell_parts(q, key)
        return [pick(q.field_labels.get(key[0])) or key[0]]


class YesNoPlusInteger(AnswerType):
    """A choice and, when the first option (normally "yes") is chosen, a number such as a length in days."""

    code, label, has_choices, is_choice = "yes_no_plus_integer", "Choice with a number", True, True

    def cells(self, q: QuestionShape) -> list[CellSpec]:
        return [CellSpec("", "", CHOICE, q.choices), CellSpec("number", "", INTEGER, validation=q.validation)]

    def cell_parts(self, q: QuestionShape, key: tuple[str, str]) -> list[str]:
        if key == ("number", ""):
            return [pick(q.number_label) or _("Number")]
        return super().cell_parts(q, key)

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


# Every date answer lies in these years (web form, autosave and import all parse dates here): a date from year 1 is
# a typing slip, and Excel cannot show dates before 1900 (it writes #####).
DATE_MIN, DATE_MAX = dt.date(1900, 1, 1), dt.date(2100, 12, 31)


def _clean_date(raw: Any) -> dt.date:
    if isinstance(raw, dt.datetime):
        value = raw.date()
    elif isinstance(raw, dt.date):
        value = raw
    else:
        text = _as_text(raw)
        for pattern in ("%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y"):
            try:
                value = dt.datetime.strptime(text, pattern).date()
                break
            except ValueError:
                continue
        else:
            raise AnswerError(_("Enter a date as YYYY-MM-DD, for example 2015-06-30."))
    if not DATE_MIN <= value <= DATE_MAX:
        raise AnswerError(
            _("Enter a date between %(first)d and %(last)d.") % {"first": DATE_MIN.year, "last": DATE_MAX.year}
        )
    return value


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


# --- words: what people read for a stored value ----------------------------------------------------------------------


def number_words(value: Any) -> str:
    """A number as people write it in the active language: 12, 2.5 (or 2,5), never 12.0000."""
    if value is None or value == "":
        return ""
    number = Decimal(str(value))
    if number == number.to_integral_value():
        return formats.number_format(int(number))
    return formats.number_format(number.normalize())


def from_text(kind: str, text: str) -> Any:
    """The typed value of a canonical text (`to_text`); text that does not read as its kind is returned as it is."""
    if text == "":
        return None
    try:
        if kind == CHOICES:
            return [part for part in text.split(MULTI_SEPARATOR) if part]
        if kind in (INTEGER, YEAR):
            return int(text)
        if kind == DECIMAL:
            return Decimal(text)
        if kind == DATE:
            return dt.date.fromisoformat(text)
    except (ValueError, InvalidOperation):
        return text
    return text


def _option_word(choices: Sequence[Choice], code: str) -> str:
    found = next((c for c in choices if c.code == code), None)
    return (pick(found.label) or code) if found is not None else code


def value_words(kind: str, value: Any, choices: Sequence[Choice] = ()) -> list[str]:
    """A typed value of a cell of this kind in words: [] for no value, one entry per option chosen for CHOICES."""
    if value is None or value == "" or value == []:
        return []
    if kind == CHOICES:
        codes = value if isinstance(value, (list, tuple)) else [value]
        return [_option_word(choices, str(code)) for code in codes]
    if kind == CHOICE:
        return [_option_word(choices, str(value))]
    if kind in (INTEGER, DECIMAL) and isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return [number_words(value)]
    if kind == YEAR and isinstance(value, (int, Decimal)):
        return [str(int(value))]  # 2017, never 2,017
    if kind == DATE and isinstance(value, dt.date):
        return [formats.date_format(value, "DATE_FORMAT")]
    return [str(value)]


class Words:
    """The words for one question's cells and stored values, in the language active when asked.

    Built from a `QuestionShape` (no database); `Question.words` gives the one of a loaded question. Cheap to ask
    many times: cell specs are indexed once, cell names are remembered per language.

    - `cell(key)` / `cell_parts(key)`: the name of a cell, "" / [] for a question with one value.
    - `values(key, value)` / `value(key, value)`: a typed value as a list of labels / one text ("; " between options).
    - `text(key, text)` / `texts(key, text)`: the same for a canonical text as history and exports store it.
    - `option(code, key)`: one option's label.
    - `where_and_what(key, value)`: "cell: value", or the value alone for a single-value question.
    """

    SEPARATOR = "; "

    def __init__(self, q: QuestionShape) -> None:
        self.q = q
        self.type = get_type(q.type)
        self.specs = cell_index(self.type.cells(q))
        self._names: dict[tuple[str, tuple[str, str]], list[str]] = {}

    def spec(self, key: tuple[str, str]) -> CellSpec | None:
        return self.specs.get(key)

    def kind(self, key: tuple[str, str]) -> str:
        spec = self.specs.get(key)
        return spec.kind if spec is not None else TEXT

    def cell_parts(self, key: tuple[str, str]) -> list[str]:
        memo = (translation.get_language() or "", key)
        if memo not in self._names:
            self._names[memo] = self.type.cell_parts(self.q, key)
        return self._names[memo]

    def cell(self, key: tuple[str, str]) -> str:
        return ", ".join(self.cell_parts(key))

    def values(self, key: tuple[str, str], value: Any) -> list[str]:
        spec = self.specs.get(key)
        if spec is None:  # a cell the definition no longer has: its value as stored
            return value_words(CHOICES if isinstance(value, list) else TEXT, value)
        return value_words(spec.kind, value, spec.choices)

    def value(self, key: tuple[str, str], value: Any) -> str:
        return self.SEPARATOR.join(self.values(key, value))

    def texts(self, key: tuple[str, str], text: str) -> list[str]:
        return self.values(key, from_text(self.kind(key), text))

    def text(self, key: tuple[str, str], text: str) -> str:
        return self.SEPARATOR.join(self.texts(key, text))

    def option(self, code: str, key: tuple[str, str] = ("", "")) -> str:
        spec = self.specs.get(key)
        return _option_word(spec.choices if spec is not None else self.q.choices, code)

    def where_and_what(self, key: tuple[str, str], value: Any) -> str:
        what = self.value(key, value)
        where = self.cell(key)
        return _("%(where)s: %(what)s") % {"where": where, "what": what} if where and what else what
