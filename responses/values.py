"""How a typed cell value (see surveys.answer_types) is kept in an Answer row's typed columns, and read back."""

from __future__ import annotations

from typing import Any

from surveys import answer_types as at

from . import answer_columns
from .answer_columns import VALUE_FIELDS
from .models import Answer


def store(answer: Answer, kind: str, value: Any) -> None:
    """Put a cleaned value into the column for its kind, clearing the others (responses.answer_columns)."""
    for name, column in zip(VALUE_FIELDS, answer_columns.columns(kind, value), strict=True):
        setattr(answer, name, column)


def read(answer: Answer | None, kind: str) -> Any:
    """The typed value of a stored answer (None when there is none)."""
    if answer is None:
        return None
    return answer_columns.value(kind, answer.value_text, answer.value_number, answer.value_date, answer.value_choices)


def as_text(answer: Answer | None, kind: str) -> str:
    """The canonical text of a stored answer: what history records and exports write."""
    return at.to_text(kind, read(answer, kind))
