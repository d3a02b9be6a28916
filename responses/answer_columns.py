"""Where a cell's typed value lives in an Answer row, in the shapes the bulk writers need.

An Answer keeps its value in one of four columns chosen by the cell's kind: text and single choices in
`value_text`, several choices in `value_choices` (a JSON list), whole numbers, years and decimals in `value_number`,
dates in `value_date`; the other three are NULL. Which column, and how the value is kept and read back, is the cell
kind's codec (`surveys.answer_types.kinds`, `at.store_value` / `at.read_value`): the one home of that mapping. This
module only adapts the codecs to tuples and to PostgreSQL COPY text: `columns` (value -> the four columns),
`copy_columns` (the same as COPY text) and `value` (the four stored columns -> the value). Every writer and reader
of answers (the web save, the import, the prefill, the demo, `responses.values`) goes through the codecs, directly
or here, so a new kind of cell is added in its codec only.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from surveys import answer_types as at

VALUE_FIELDS = ("value_text", "value_number", "value_date", "value_choices")
Columns = tuple[Any, Any, Any, Any]  # value_text, value_number, value_date, value_choices
NULL = "\\N"  # NULL in PostgreSQL's COPY text format
_EMPTY: Columns = (None, None, None, None)


class StoredValue:
    """The four value columns of an Answer, without a model instance (what a codec stores into and reads from, and
    what progress reads in place of an Answer: building a million model instances costs more than the query)."""

    __slots__ = VALUE_FIELDS

    def __init__(self, text: Any = None, number: Any = None, date: Any = None, choices: Any = None) -> None:
        self.value_text, self.value_number, self.value_date, self.value_choices = text, number, date, choices


def copy_text(value: str) -> str:
    """A text field in PostgreSQL's COPY text format."""
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        value = value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return value


def columns(kind: str, value: Any) -> Columns:
    """The typed columns (text, number, date, choices) of a cleaned value of this kind; all None for no value."""
    if value is None:
        return _EMPTY
    row = StoredValue()
    at.store_value(row, kind, value)
    return row.value_text, row.value_number, row.value_date, row.value_choices


def _copy_field(column: Any) -> str:
    if column is None:
        return NULL
    if isinstance(column, str):
        return copy_text(column)
    if isinstance(column, list | tuple):
        return copy_text(json.dumps(list(column)))
    if isinstance(column, dt.date):
        return column.isoformat()
    return str(column)


def copy_columns(kind: str, value: Any) -> str:
    r"""`columns()` as COPY text: four tab-separated fields, \N for NULL."""
    return "\t".join(_copy_field(column) for column in columns(kind, value))


def value(kind: str, text: Any, number: Any, date: Any, choices: Any) -> Any:
    """The typed value kept in these stored columns for a cell of this kind (None when there is none)."""
    return at.read_value(StoredValue(text, number, date, choices), kind)
