"""Show-if rules as XLSForm `relevant` expressions, and the expressions we can read back.

A rule `{question: Q, row: R, in: [a, b]}` is written `${Q-R} = 'a' or ${Q-R} = 'b'` for a single choice and
`selected(${Q}, 'a') or selected(${Q}, 'b')` for several choices. Reading accepts either form for each option, in
any mix, joined by `or`, around one field, with optional parentheses and either quote, and tells whether `=` was used:
on a multiple choice `${Q} = 'a'` means "exactly a", which a rule (`a` among the choices) cannot say. Anything else (`and`, two
fields, `!=`, functions) has no counterpart in our show-if rules and is reported, not guessed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, NamedTuple

from . import field_name

_EQUALS = re.compile(r"""^\$\{([^}\s]+)\}\s*=\s*(['"])([^'"]*)\2$""")
_SELECTED = re.compile(r"""^selected\(\s*\$\{([^}\s]+)\}\s*,\s*(['"])([^'"]*)\2\s*\)$""")


def split_top(expression: str, word: str) -> list[str]:
    """The parts of an expression joined by `word` (and, or) outside parentheses and quotes."""
    parts, depth, quote, start = [], 0, "", 0
    pattern = re.compile(rf"\s+{word}\s+")
    index = 0
    while index < len(expression):
        char = expression[index]
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif depth == 0 and char.isspace():
            match = pattern.match(expression, index)
            if match:
                parts.append(expression[start:index])
                start = index = match.end()
                continue
        index += 1
    parts.append(expression[start:])
    return [part.strip() for part in parts]


def to_relevant(show_if: Mapping[str, Any] | None, several: bool) -> str:
    """The `relevant` expression of a show-if rule; `several` when the cell it looks at holds several choices."""
    if not show_if:
        return ""
    name = field_name(show_if["question"], show_if.get("row") or "")
    if several:
        return " or ".join(f"selected(${{{name}}}, '{code}')" for code in show_if["in"])
    return " or ".join(f"${{{name}}} = '{code}'" for code in show_if["in"])


def strip_parentheses(expression: str) -> str:
    expression = expression.strip()
    while expression.startswith("(") and expression.endswith(")") and _balanced(expression[1:-1]):
        expression = expression[1:-1].strip()
    return expression


def _balanced(text: str) -> bool:
    depth = 0
    for char in text:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


class Relevant(NamedTuple):
    name: str  # the field compared
    values: list[str]  # the values compared, each once, in order
    equals: bool  # some part is `${q} = 'x'` (on a multiple choice it means "exactly x", not "x among the choices")


def read_relevant(expression: str) -> Relevant | None:
    """The field, values and kinds of comparison of a `relevant` we can read; None when it is anything else."""
    names: set[str] = set()
    values: list[str] = []
    equals = False
    for part in split_top(strip_parentheses(expression), "or"):
        part = strip_parentheses(part)
        equal = _EQUALS.match(part)
        match = equal or _SELECTED.match(part)
        if match is None:
            return None
        equals = equals or equal is not None
        names.add(match.group(1))
        if match.group(3) not in values:
            values.append(match.group(3))
    if len(names) != 1 or not values:
        return None
    return Relevant(names.pop(), values, equals)


def parse_relevant(expression: str) -> tuple[str, list[str]] | None:
    """(field name, [option codes]) of a `relevant` we can read; None when it is anything else."""
    read = read_relevant(expression)
    return (read.name, read.values) if read is not None else None
