"""Where a cell's typed value lives in an Answer row: the one mapping between a value and the typed columns.

An Answer keeps its value in one of four columns chosen by the cell's kind (surveys.answer_types): text and single
choices in `value_text`, several choices in `value_choices` (a JSON list), whole numbers, years and decimals in
`value_number`, dates in `value_date`; the other three are NULL. Each direction is one function per cell kind,
found in a table by kind: `columns` (value -> the four columns, as model fields), `copy_columns` (the same as
PostgreSQL COPY text) and `value` (the four stored columns -> the value). Every writer and reader of answers (the
web save, the import, the prefill, the demo, `responses.values`) asks these tables, so a new kind of cell, or a
codec that owns the mapping, is plugged in here only.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from surveys import answer_types as at

VALUE_FIELDS = ("value_text", "value_number", "value_date", "value_choices")
Columns = tuple[Any, Any, Any, Any]  # value_text, value_number, value_date, value_choices
NULL = "\\N"  # NULL in PostgreSQL's COPY text format
_EMPTY: Columns = (None, None, None, None)


def copy_text(value: str) -> str:
    """A text field in PostgreSQL's COPY text format."""
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        value = value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return value


# --- value -> columns, per kind ----------------------------------------------------------------------------------


def _text_columns(value: Any) -> Columns:
    return value, None, None, None


def _choices_columns(value: Any) -> Columns:
    return None, None, None, list(value)


def _number_columns(value: Any) -> Columns:
    return None, Decimal(value), None, None


def _date_columns(value: Any) -> Columns:
    return None, None, value, None


_COLUMNS: dict[str, Callable[[Any], Columns]] = {
    at.TEXT: _text_columns,
    at.CHOICE: _text_columns,
    at.CHOICES: _choices_columns,
    at.INTEGER: _number_columns,
    at.YEAR: _number_columns,
    at.DECIMAL: _number_columns,
    at.DATE: _date_columns,
}


def columns(kind: str, value: Any) -> Columns:
    """The typed columns (text, number, date, choices) of a cleaned value of this kind; all None for no value."""
    if value is None:
        return _EMPTY
    try:
        return _COLUMNS[kind](value)
    except KeyError:  # pragma: no cover - kinds are fixed in answer_types
        raise ValueError(f"unknown cell kind {kind!r}") from None


# --- value -> COPY text, per kind (the importer's fast path; same columns as `columns`) ----------------------------

_COPY: dict[str, Callable[[Any], str]] = {
    at.TEXT: lambda value: copy_text(value) + "\t\\N\t\\N\t\\N",
    at.CHOICE: lambda value: copy_text(value) + "\t\\N\t\\N\t\\N",
    at.CHOICES: lambda value: "\\N\t\\N\t\\N\t" + copy_text(json.dumps(list(value))),
    at.INTEGER: lambda value: "\\N\t" + str(value) + "\t\\N\t\\N",
    at.YEAR: lambda value: "\\N\t" + str(value) + "\t\\N\t\\N",
    at.DECIMAL: lambda value: "\\N\t" + str(value) + "\t\\N\t\\N",
    at.DATE: lambda value: "\\N\t\\N\t" + value.isoformat() + "\t\\N",
}


def copy_columns(kind: str, value: Any) -> str:
    r"""`columns()` as COPY text: four tab-separated fields, \N for NULL."""
    if value is None:
        return "\\N\t\\N\t\\N\t\\N"
    return _COPY[kind](value)


# --- columns -> value, per kind ----------------------------------------------------------------------------------


def _text_value(text: Any, number: Any, date: Any, choices: Any) -> Any:
    return text


def _choices_value(text: Any, number: Any, date: Any, choices: Any) -> Any:
    return list(choices or []) or None


def _integer_value(text: Any, number: Any, date: Any, choices: Any) -> Any:
    return None if number is None else int(number)


def _decimal_value(text: Any, number: Any, date: Any, choices: Any) -> Any:
    return None if number is None else Decimal(number).normalize()


def _date_value(text: Any, number: Any, date: Any, choices: Any) -> Any:
    return date


_VALUES: dict[str, Callable[[Any, Any, Any, Any], Any]] = {
    at.TEXT: _text_value,
    at.CHOICE: _text_value,
    at.CHOICES: _choices_value,
    at.INTEGER: _integer_value,
    at.YEAR: _integer_value,
    at.DECIMAL: _decimal_value,
    at.DATE: _date_value,
}


def value(kind: str, text: Any, number: Any, date: Any, choices: Any) -> Any:
    """The typed value kept in these stored columns for a cell of this kind (None when there is none)."""
    read = _VALUES.get(kind)
    return None if read is None else read(text, number, date, choices)
