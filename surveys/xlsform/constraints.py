"""Validation bounds as XLSForm `constraint` expressions, and the constraints we can read back as bounds.

Written: `. >= 0 and . <= 100`, a date's `. >= date('2020-01-01')`, a text's `string-length(.) <= 500`; read back
the same parts joined by `and` (outside parentheses), `>`/`<` on whole numbers as the next whole number, and an
exclusive option's `not(selected(., 'none') and count-selected(.) > 1)` (its type reads it, `MultiSelect`). Any
other part is returned unread, for the import to report.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ..answer_types.choice import EXCLUSIVE_RE
from .relevant import split_top

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


def parse_constraint(constraint: str) -> tuple[dict[str, Any], list[str]]:
    """(validation bounds, the parts that are not bounds) of a `constraint`."""
    result: dict[str, Any] = {}
    left = []
    for part in split_top(constraint, "and"):
        bound, length = _BOUND.match(part), _LENGTH.match(part)
        if EXCLUSIVE_RE.fullmatch(part):
            continue
        if bound:
            operator, number, day = bound.groups()
            value: Any = day or (float(number) if "." in number else int(number))
            if operator in (">", "<") and isinstance(value, int):
                value += 1 if operator == ">" else -1
            result["min" if operator.startswith(">") else "max"] = value
        elif length:
            result["min_length" if length.group(1) == ">=" else "max_length"] = int(length.group(2))
        else:
            left.append(part)
    return result, left
