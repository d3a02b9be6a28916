"""How a typed cell value (see surveys.answer_types) is kept in an Answer row's typed columns, and read back."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from surveys import answer_types as at

from .models import Answer

VALUE_FIELDS = ("value_text", "value_number", "value_date", "value_choices")


def store(answer: Answer, kind: str, value: Any) -> None:
    """Put a cleaned value into the column for its kind, clearing the others."""
    for name in VALUE_FIELDS:
        setattr(answer, name, None)
    if value is None:
        return
    if kind in (at.CHOICE, at.TEXT):
        answer.value_text = value
    elif kind == at.CHOICES:
        answer.value_choices = list(value)
    elif kind in (at.INTEGER, at.YEAR, at.DECIMAL):
        answer.value_number = Decimal(value)
    elif kind == at.DATE:
        answer.value_date = value
    else:  # pragma: no cover - kinds are fixed in answer_types
        raise ValueError(f"unknown cell kind {kind!r}")


def read(answer: Answer | None, kind: str) -> Any:
    """The typed value of a stored answer (None when there is none)."""
    if answer is None:
        return None
    if kind in (at.CHOICE, at.TEXT):
        return answer.value_text
    if kind == at.CHOICES:
        return list(answer.value_choices or []) or None
    if kind in (at.INTEGER, at.YEAR):
        return None if answer.value_number is None else int(answer.value_number)
    if kind == at.DECIMAL:
        return None if answer.value_number is None else answer.value_number.normalize()
    if kind == at.DATE:
        return answer.value_date
    return None


def as_text(answer: Answer | None, kind: str) -> str:
    """The canonical text of a stored answer: what history records and exports write."""
    return at.to_text(kind, read(answer, kind))
