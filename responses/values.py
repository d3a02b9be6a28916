"""How a typed cell value (see surveys.answer_types) is kept in an Answer row's typed columns, and read back."""

from __future__ import annotations

from typing import Any

from surveys import answer_types as at

from .models import Answer

VALUE_FIELDS = at.VALUE_FIELDS


def store(answer: Answer, kind: str, value: Any) -> None:
    """Put a cleaned value into the column for its kind, clearing the others (the kind's codec knows which)."""
    at.store_value(answer, kind, value)


def read(answer: Answer | None, kind: str) -> Any:
    """The typed value of a stored answer (None when there is none)."""
    return at.read_value(answer, kind)


def as_text(answer: Answer | None, kind: str) -> str:
    """The canonical text of a stored answer: what history records and exports write."""
    return at.to_text(kind, read(answer, kind))
