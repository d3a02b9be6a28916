"""The sheets of an XLSForm as pyxform reads them: headers in one spelling, types in one spelling, rows as a tree.

pyxform's reader (`get_xlsform`) gives each sheet as a list of {header: value} rows, blank rows kept, so the survey
sheet's row N is item N - 2. Forms written by hand spell headers and types in several ways that pyxform accepts
(`list name`, `label:English`, `select one from yes_no`, `begin_group`, `begin loop over …`); `normalised` and
`kind` give one spelling, and `tree` nests the rows into groups and repeats.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

_CODE_CHARS = re.compile(r"[^A-Za-z0-9_]")


@dataclass(frozen=True)
class Unmapped:
    """A feature of the form with no counterpart in a round: where it is, what it is, why it is not imported."""

    sheet: str
    row: int
    what: str
    why: str

    def __str__(self) -> str:
        return _("%(sheet)s sheet, row %(row)d: %(what)s — not imported: %(why)s") % {
            "sheet": self.sheet,
            "row": self.row,
            "what": self.what,
            "why": self.why,
        }


@dataclass
class Node:
    row_number: int
    row: dict[str, Any]
    kind: str  # "group", "repeat" or a field's XLSForm type
    children: list[Node] = field(default_factory=list)

    @property
    def name(self) -> str:
        return str(self.row.get("name") or "")


def option_code(name: Any) -> str:
    """An XLSForm choice name as an option code (letters, digits and underscores)."""
    return _CODE_CHARS.sub("_", str(name).strip())[:60]


_SELECT_ONE = re.compile(r"^select[ _]one(?:[ _]from)?\s+(\S+)(.*)$", re.IGNORECASE)
_SELECT_MANY = re.compile(r"^select[ _](?:multiple|all[ _]that[ _]apply)(?:[ _]from)?\s+(\S+)(.*)$", re.IGNORECASE)


def header(key: Any) -> str:
    """A column header as pyxform understands it: `list name` is `list_name`; `label:English` is `label::English`."""
    key = str(key).strip()
    head, sep, language = key.partition("::")
    if not sep:
        head, sep, language = key.partition(":")
    head = head.strip().lower().replace(" ", "_")
    return f"{head}::{language.strip()}" if sep and language.strip() else head


def normalised(row: Mapping[str, Any]) -> dict[str, Any]:
    return {header(key): value for key, value in row.items()}


def kind(row: Mapping[str, Any]) -> str:
    text = " ".join(str(row.get("type") or "").split())
    lowered = text.lower().replace("_", " ")
    if lowered in ("begin group", "end group", "begin repeat", "end repeat"):
        return lowered
    if lowered.startswith(("begin loop", "end loop")):  # a loop over a list's choices repeats its questions
        return lowered.split()[0] + " repeat"
    one, many = _SELECT_ONE.match(text), _SELECT_MANY.match(text)
    if one and not text.lower().startswith(("select_one_from_file", "select_one_external")):
        return f"select_one {one.group(1)}{one.group(2)}"
    if many and not text.lower().startswith("select_multiple_from_file"):
        return f"select_multiple {many.group(1)}{many.group(2)}"
    return text


def tree(rows: list[dict[str, Any]]) -> list[Node]:
    root = Node(0, {}, "group")
    stack = [root]
    for index, row in enumerate(rows):
        kind_ = kind(row)
        if not kind_:
            continue
        node = Node(index + 2, row, kind_)
        if kind_ in ("begin group", "begin repeat"):
            node.kind = kind_.split()[1]
            stack[-1].children.append(node)
            stack.append(node)
        elif kind_ in ("end group", "end repeat"):
            if len(stack) > 1:
                stack.pop()
        else:
            stack[-1].children.append(node)
    return root.children
