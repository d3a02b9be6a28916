"""Validation bounds as XLSForm `constraint` expressions, and the constraints we can read back as bounds.

Written: `. >= 0 and . <= 100`, a date's `. >= date('2020-01-01')`, a text's `string-length(.) <= 500`; read back
the same parts joined by `and` (outside parentheses; parentheses around a part or the whole are dropped), `>`/`<` on
an integer field as the next whole number and on a date as the next day (a strict bound on a decimal has no inclusive
equal and is returned unread), and an exclusive option's `not(selected(., 'none') and count-selected(.) > 1)` (its
type reads it, `MultiSelect`). Any other part is returned unread, for the import to report.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from typing import Any

from ..answer_types.choice import EXCLUSIVE_RE
from .relevant import split_top, strip_parentheses

WHOLE_NUMBER_TYPES = {"integer", "int"}

_BOUND = re.compile(r"^\.\s*(>=|<=|>|<)\s*(-?\d+(?:\.\d+)?|date\('(\d{4}-\d{2}-\d{2})'\))$")
_LENGTH = re.compile(r"^string-length\(\.\)\s*(>=|<=)\s*(\d+)$")


def to_constraint(validation: Mapping[str, Any]) -> str:
    rules = []
    for key, operator in (("min", ">="), ("max", "<=")):
        if key in validation:
            value = validation[key]
            rules.append(f". {operator} date('{value}')" if isinstance(value, str) else f". {operator} {value}")
    for key, operator in (("min_length", ">="), ("max_length", "<=")):
        if key in validation:
            rules.append(f"string-length(.) {operator} {validation[key]}")
    return " and ".join(rules)


def _strict(operator: str, value: Any, field_type: str) -> Any:
    """The inclusive bound equal to a strict one (`. > 2` on whole numbers is `. >= 3`); None when there is none."""
    above = operator == ">"
    if isinstance(value, str):  # a date: the next or previous day
        try:
            day = dt.date.fromisoformat(value) + dt.timedelta(days=1 if above else -1)
        except (ValueError, OverflowError):
            return None
        return day.isoformat()
    if field_type in WHOLE_NUMBER_TYPES:
        return math.floor(value) + 1 if above else math.ceil(value) - 1
    return None


def parse_constraint(constraint: str, field_type: str = "") -> tuple[dict[str, Any], list[str]]:
    """(validation bounds, the parts that are not bounds) of a `constraint`; `field_type`: the XLSForm type of the
    field it constrains (a strict bound is read only where an inclusive one says the same: whole numbers, dates)."""
    result: dict[str, Any] = {}
    left = []
    for raw in split_top(strip_parentheses(constraint), "and"):
        part = strip_parentheses(raw)
        bound, length = _BOUND.match(part), _LENGTH.match(part)
        if EXCLUSIVE_RE.fullmatch(part):
            continue
        if bound:
            operator, number, day = bound.groups()
            value: Any = day or (float(number) if "." in number else int(number))
            if operator in (">", "<"):
                value = _strict(operator, value, field_type.lower())
                if value is None:
                    left.append(part)
                    continue
            result["min" if operator.startswith(">") else "max"] = value
        elif length:
            result["min_length" if length.group(1) == ">=" else "max_length"] = int(length.group(2))
        else:
            left.append(part)
    return result, left


def is_strict_bound(part: str) -> bool:
    """Whether a part `parse_constraint` left is a strict bound (on a field whose values are not whole numbers)."""
    bound = _BOUND.match(part)
    return bound is not None and bound.group(1) in (">", "<")
