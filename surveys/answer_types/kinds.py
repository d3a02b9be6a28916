"""Value codecs: one per kind of cell (choice, choices, integer, decimal, text, date, year).

A codec owns everything about one kind of value: how raw input (a form string, a CSV field, an Excel cell, a JSON
value) is cleaned (`clean`, raising `AnswerError` with a message for the person who typed it), which typed column of
an Answer row keeps it (`column`, `store`, `read`), its canonical text for history and exports (`to_text`,
`from_text`), its words for people (`words`), its form field (`form_field`) and an example value (`example`). Types
(see `base.AnswerType`) are made of cells, and each cell asks the codec of its kind; nothing else branches on a kind.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.utils import formats
from django.utils.translation import gettext as _

from ..i18n import pick
from .cells import (
    CHOICE,
    CHOICES,
    DATE,
    DATE_MAX,
    DATE_MIN,
    DECIMAL,
    DEFAULT_SHORT_TEXT,
    INTEGER,
    MULTI_SEPARATOR,
    TEXT,
    VALUE_FIELDS,
    YEAR,
    YEAR_MAX,
    YEAR_MIN,
    AnswerError,
    CellSpec,
    Choice,
    _as_text,
    _bounds,
    _check_text,
    _clean_date,
    _clean_decimal,
    _clean_integer,
    _is_empty,
    _split_choices,
    number_words,
    option_word,
)
from .sheets import DATE_RULE, DECIMAL_RULE, LIST, MARK, MARKS, TEXT_LENGTH, WHOLE, SheetRule

# --- the codecs -------------------------------------------------------------------------------------------------------


class Codec:
    """How one kind of cell value is cleaned, stored, read back, written as text and worded."""

    kind: str = ""
    column: str = "value_text"  # the Answer column that keeps this kind

    def clean(self, spec: CellSpec, raw: Any) -> Any:
        raise NotImplementedError

    def store(self, target: Any, value: Any) -> None:
        """Put a cleaned value into this kind's column of `target` (an Answer), clearing the other columns."""
        for name in VALUE_FIELDS:
            setattr(target, name, None)
        if value is not None:
            setattr(target, self.column, value)

    def read(self, target: Any) -> Any:
        """The typed value kept in `target`'s column (None when there is none)."""
        return getattr(target, self.column)

    def to_text(self, value: Any) -> str:
        return "" if value is None else str(value)

    def parse_text(self, text: str) -> Any:
        return text

    def from_text(self, text: str) -> Any:
        """The typed value of a canonical text; text that does not read as this kind is returned as it is."""
        if text == "":
            return None
        try:
            return self.parse_text(text)
        except (ValueError, InvalidOperation):
            return text

    def words(self, value: Any, choices: Sequence[Choice]) -> list[str]:
        return [str(value)]

    def example(self, spec: CellSpec) -> Any:
        """A raw value this kind accepts for `spec`, for the checklist test and demo data."""
        raise NotImplementedError

    def form_field(self, spec: CellSpec, common: dict[str, Any], attrs: Mapping[str, Any] = {}) -> forms.Field:
        """The form field of a cell of this kind; `attrs` adds to (or replaces) its input's attributes."""
        raise NotImplementedError

    # --- the offline workbook (see sheets.py): the workbook cells ("parts") one answer cell takes ------------------

    def sheet_parts(self, spec: CellSpec) -> list[tuple[str, str]]:
        """(part code, label) of each workbook cell of one answer cell: one cell, no label, unless a kind spreads."""
        return [("", "")]

    def sheet_values(self, spec: CellSpec, value: Any) -> dict[str, Any]:
        """What each part shows for a typed value (None: blank)."""
        return {"": None if value is None else self.sheet_value(spec, value)}

    def sheet_value(self, spec: CellSpec, value: Any) -> Any:
        return self.to_text(value)

    def sheet_raw(self, spec: CellSpec, parts: Mapping[str, Any]) -> Any:
        """The raw input `clean_cell` checks, from what the parts hold; AnswerError names a part that is wrong."""
        return parts.get("")

    def sheet_rule(self, spec: CellSpec) -> SheetRule | None:
        """The Excel data validation of this kind's parts (None: none)."""
        return None


def _options(spec: CellSpec) -> list[tuple[str, str]]:
    return [(c.code, pick(c.label) or c.code) for c in spec.choices]


class ChoiceCodec(Codec):
    kind = CHOICE

    def clean(self, spec: CellSpec, raw: Any) -> Any:
        code = _as_text(raw)
        if code not in spec.choice_codes():
            raise AnswerError(
                _("“%(value)s” is not one of the options (%(options)s).")
                % {"value": code[:60], "options": ", ".join(spec.choice_codes())}
            )
        return code

    def words(self, value: Any, choices: Sequence[Choice]) -> list[str]:
        return [option_word(choices, str(value))]

    def example(self, spec: CellSpec) -> Any:
        return spec.choices[0].code

    def sheet_value(self, spec: CellSpec, value: Any) -> Any:
        return option_word(spec.choices, str(value))

    def sheet_raw(self, spec: CellSpec, parts: Mapping[str, Any]) -> Any:
        raw = parts.get("")
        if isinstance(raw, str):
            # A label of the drop-down in any language (the workbook's language need not be the uploader's), or a
            # code as the web form posts it.
            by_label = {
                text.strip().casefold(): choice.code
                for choice in spec.choices
                for text in (*choice.label.values(), choice.code)
                if text
            }
            if raw.strip() and raw.strip().casefold() not in by_label:
                # The workbook shows labels: name the labels (the import of codes names the codes, in `clean`).
                raise AnswerError(
                    _("“%(value)s” is not one of the options (%(options)s).")
                    % {"value": raw.strip()[:60], "options": ", ".join(label for _code, label in _options(spec))}
                )
            return by_label.get(raw.strip().casefold(), raw)
        return raw

    def sheet_rule(self, spec: CellSpec) -> SheetRule | None:
        return SheetRule(LIST, options=tuple(label for _code, label in _options(spec)))

    def form_field(self, spec: CellSpec, common: dict[str, Any], attrs: Mapping[str, Any] = {}) -> forms.Field:
        return forms.ChoiceField(
            choices=_options(spec), widget=forms.RadioSelect(attrs={"class": "form-check-input", **attrs}), **common
        )


class ChoicesCodec(Codec):
    kind = CHOICES
    column = "value_choices"

    def clean(self, spec: CellSpec, raw: Any) -> Any:
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

    def store(self, target: Any, value: Any) -> None:
        super().store(target, None if value is None else list(value))

    def read(self, target: Any) -> Any:
        return list(target.value_choices or []) or None

    def to_text(self, value: Any) -> str:
        return "" if value is None else MULTI_SEPARATOR.join(value)

    def parse_text(self, text: str) -> Any:
        return [part for part in text.split(MULTI_SEPARATOR) if part]

    def words(self, value: Any, choices: Sequence[Choice]) -> list[str]:
        codes = value if isinstance(value, (list, tuple)) else [value]
        return [option_word(choices, str(code)) for code in codes]

    def example(self, spec: CellSpec) -> Any:
        plain = [c for c in spec.choice_codes() if c not in spec.exclusive]
        return plain[:2]

    def sheet_parts(self, spec: CellSpec) -> list[tuple[str, str]]:
        return _options(spec)  # one cell per option, marked when chosen

    def sheet_values(self, spec: CellSpec, value: Any) -> dict[str, Any]:
        chosen = set(value or [])
        return {code: MARK if code in chosen else None for code in spec.choice_codes()}

    def sheet_raw(self, spec: CellSpec, parts: Mapping[str, Any]) -> Any:
        chosen = []
        for code, raw in parts.items():
            if _is_empty(raw):
                continue
            if str(raw).strip() not in MARKS:
                raise AnswerError(
                    _("Mark a chosen option with %(mark)s (or x), or leave the cell empty; “%(value)s” is neither.")
                    % {"mark": MARK, "value": str(raw)[:60]}
                )
            chosen.append(code)
        return chosen

    def sheet_rule(self, spec: CellSpec) -> SheetRule | None:
        return SheetRule(LIST, options=(MARK, "x"))

    def form_field(self, spec: CellSpec, common: dict[str, Any], attrs: Mapping[str, Any] = {}) -> forms.Field:
        return forms.MultipleChoiceField(
            choices=_options(spec),
            widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input", **attrs}),
            **common,
        )


class IntegerCodec(Codec):
    kind = INTEGER
    column = "value_number"

    def clean(self, spec: CellSpec, raw: Any) -> Any:
        value = _clean_integer(raw)
        _bounds(value, spec.validation)
        return value

    def store(self, target: Any, value: Any) -> None:
        super().store(target, None if value is None else Decimal(value))

    def read(self, target: Any) -> Any:
        return None if target.value_number is None else int(target.value_number)

    def parse_text(self, text: str) -> Any:
        return int(text)

    def words(self, value: Any, choices: Sequence[Choice]) -> list[str]:
        if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
            return [number_words(value)]
        return [str(value)]

    def example(self, spec: CellSpec) -> Any:
        low, high = spec.validation.get("min"), spec.validation.get("max")
        return int(low if low is not None else (high if high is not None and high < 12 else 12))

    def sheet_value(self, spec: CellSpec, value: Any) -> Any:
        return int(value)

    def sheet_rule(self, spec: CellSpec) -> SheetRule | None:
        return SheetRule(WHOLE, spec.validation.get("min", -(10**15) + 1), spec.validation.get("max", 10**15 - 1))

    def form_field(self, spec: CellSpec, common: dict[str, Any], attrs: Mapping[str, Any] = {}) -> forms.Field:
        base = {"inputmode": "numeric", "class": "form-control text-end", "autocomplete": "off"}
        return forms.CharField(widget=forms.TextInput(attrs={**base, **attrs}), **common)


class YearCodec(IntegerCodec):
    kind = YEAR

    def clean(self, spec: CellSpec, raw: Any) -> Any:
        try:
            value = _clean_integer(raw)
        except AnswerError:  # a year's example is a year, not "12" ("2O18" typed with a letter O, say)
            raise AnswerError(
                _("Enter a year in four digits, for example %(year)d.") % {"year": self.example(spec)}
            ) from None
        _bounds(value, {"min": YEAR_MIN, "max": YEAR_MAX, **spec.validation})
        return value

    def words(self, value: Any, choices: Sequence[Choice]) -> list[str]:
        if isinstance(value, (int, Decimal)):
            return [str(int(value))]  # 2017, never 2,017
        return [str(value)]

    def example(self, spec: CellSpec) -> Any:
        return int(spec.validation.get("min", 2015))

    def sheet_rule(self, spec: CellSpec) -> SheetRule | None:
        return SheetRule(WHOLE, spec.validation.get("min", YEAR_MIN), spec.validation.get("max", YEAR_MAX))


class DecimalCodec(Codec):
    kind = DECIMAL
    column = "value_number"

    def clean(self, spec: CellSpec, raw: Any) -> Any:
        value = _clean_decimal(raw, spec.validation)
        _bounds(value, {k: Decimal(str(v)) for k, v in spec.validation.items() if k in ("min", "max")})
        return value

    def store(self, target: Any, value: Any) -> None:
        super().store(target, None if value is None else Decimal(value))

    def read(self, target: Any) -> Any:
        return None if target.value_number is None else target.value_number.normalize()

    def to_text(self, value: Any) -> str:
        if value is None:
            return ""
        return format(value.normalize(), "f")  # 1.50 and 1.5 are one answer: re-saving it is no change

    def parse_text(self, text: str) -> Any:
        return Decimal(text)

    words = IntegerCodec.words

    def example(self, spec: CellSpec) -> Any:
        low = spec.validation.get("min")
        return Decimal(str(low)) if low is not None else Decimal("2.5")

    def sheet_value(self, spec: CellSpec, value: Any) -> Any:
        return value.normalize()

    def sheet_rule(self, spec: CellSpec) -> SheetRule | None:
        return SheetRule(
            DECIMAL_RULE, spec.validation.get("min", -(10**15) + 1), spec.validation.get("max", 10**15 - 1)
        )

    def form_field(self, spec: CellSpec, common: dict[str, Any], attrs: Mapping[str, Any] = {}) -> forms.Field:
        base = {"inputmode": "decimal", "class": "form-control text-end", "autocomplete": "off"}
        return forms.CharField(widget=forms.TextInput(attrs={**base, **attrs}), **common)


class TextCodec(Codec):
    kind = TEXT

    def clean(self, spec: CellSpec, raw: Any) -> Any:
        validation = spec.validation
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

    def example(self, spec: CellSpec) -> Any:
        return "Example answer".ljust(int(spec.validation.get("min_length", 0)), ".")

    def sheet_rule(self, spec: CellSpec) -> SheetRule | None:
        return SheetRule(
            TEXT_LENGTH,
            int(spec.validation.get("min_length", 0)),
            int(spec.validation.get("max_length", DEFAULT_SHORT_TEXT)),
        )

    def form_field(self, spec: CellSpec, common: dict[str, Any], attrs: Mapping[str, Any] = {}) -> forms.Field:
        # A long text is a text area: the type asks for one by giving it rows.
        widget: forms.Widget = (
            forms.Textarea(attrs=dict(attrs)) if "rows" in attrs else forms.TextInput(attrs=dict(attrs))
        )
        # No maxlength: the browser would cut a longer paste silently (the newcomer walk lost the end of a contact's
        # details that way). The save refuses it with a message naming both lengths and keeps what was typed.
        return forms.CharField(widget=widget, **common)


class DateCodec(Codec):
    kind = DATE
    column = "value_date"

    def clean(self, spec: CellSpec, raw: Any) -> Any:
        value = _clean_date(raw)
        _bounds(
            value,
            {k: dt.date.fromisoformat(str(v)) for k, v in spec.validation.items() if k in ("min", "max")},
            fmt=lambda d: d.isoformat(),
        )
        return value

    def to_text(self, value: Any) -> str:
        return "" if value is None else value.isoformat()

    def parse_text(self, text: str) -> Any:
        return dt.date.fromisoformat(text)

    def words(self, value: Any, choices: Sequence[Choice]) -> list[str]:
        if isinstance(value, dt.date):
            return [formats.date_format(value, "DATE_FORMAT")]
        return [str(value)]

    def example(self, spec: CellSpec) -> Any:
        low = spec.validation.get("min")
        return dt.date.fromisoformat(str(low)) if low else dt.date(2015, 6, 30)

    def sheet_value(self, spec: CellSpec, value: Any) -> Any:
        return value

    def sheet_rule(self, spec: CellSpec) -> SheetRule | None:
        low, high = spec.validation.get("min"), spec.validation.get("max")
        return SheetRule(
            DATE_RULE,
            dt.date.fromisoformat(str(low)) if low else DATE_MIN,
            dt.date.fromisoformat(str(high)) if high else DATE_MAX,
        )

    def form_field(self, spec: CellSpec, common: dict[str, Any], attrs: Mapping[str, Any] = {}) -> forms.Field:
        return forms.CharField(widget=forms.DateInput(attrs={"type": "date", **attrs}), **common)


CODECS: dict[str, Codec] = {
    codec.kind: codec
    for codec in (
        ChoiceCodec(),
        ChoicesCodec(),
        IntegerCodec(),
        DecimalCodec(),
        TextCodec(),
        DateCodec(),
        YearCodec(),
    )
}


def clean_cell(spec: CellSpec, raw: Any) -> Any:
    """The typed value of one cell, None when it is empty; AnswerError when it cannot be stored."""
    if _is_empty(raw):
        return None
    codec = CODECS.get(spec.kind)
    if codec is None:  # pragma: no cover - kinds are checked when loading
        raise AnswerError(f"unknown cell kind {spec.kind!r}")
    return codec.clean(spec, raw)


def to_text(kind: str, value: Any) -> str:
    """The canonical text of a typed value: what exports write and imports read back."""
    codec = CODECS.get(kind)
    if value is None:
        return ""
    return codec.to_text(value) if codec is not None else str(value)


def from_text(kind: str, text: str) -> Any:
    """The typed value of a canonical text (`to_text`); text that does not read as its kind is returned as it is."""
    codec = CODECS.get(kind)
    if codec is None:
        return None if text == "" else text
    return codec.from_text(text)


def value_words(kind: str, value: Any, choices: Sequence[Choice] = ()) -> list[str]:
    """A typed value of a cell of this kind in words: [] for no value, one entry per option chosen for CHOICES."""
    if value is None or value == "" or value == []:
        return []
    codec = CODECS.get(kind)
    return codec.words(value, choices) if codec is not None else [str(value)]


def store_value(target: Any, kind: str, value: Any) -> None:
    """Put a cleaned value into the Answer column for its kind, clearing the others."""
    codec = CODECS.get(kind)
    if codec is None:  # pragma: no cover - kinds are fixed here
        raise ValueError(f"unknown cell kind {kind!r}")
    codec.store(target, value)


def read_value(target: Any, kind: str) -> Any:
    """The typed value of a stored answer (None when there is none)."""
    if target is None:
        return None
    codec = CODECS.get(kind)
    return codec.read(target) if codec is not None else None


def cell_index(cells: Sequence[CellSpec]) -> dict[tuple[str, str], CellSpec]:
    return {spec.key: spec for spec in cells}
