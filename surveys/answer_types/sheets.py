"""How answer cells sit in an offline questionnaire workbook: the grid a type lays its cells out in, the workbook
cells ("slots") one answer cell takes, and the Excel data validation of each slot.

Plain data, no openpyxl: `responses.offline` writes and reads the workbook; the answer types say what goes where.

- A `SheetGrid` is what one question looks like on its sheet: column headings (none for a plain list) and rows,
  each a label and one slot per column (None where the grid has a hole). Types lay their cells out
  (`AnswerType.sheet_grid`): a matrix one row per matrix row, a breakdown table its rows by its columns, a figure
  per year one row of years; the default is one row per slot.
- A `Slot` is one workbook cell: the answer cell it belongs to (`key`) and, for a kind that spreads one answer
  cell over several workbook cells (several choices: one cell per option, marked or blank), the `part` (the
  option code), "" otherwise. The kind's codec turns a value into its slots' values and the slots back into the
  raw input of `clean_cell` (`Codec.sheet_values` / `Codec.sheet_raw`): the workbook is checked by the same rules
  as the web form.
- A `SheetRule` is a slot's data validation: a list of labels, a range of whole numbers, decimals or dates, or a
  text length.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Key = tuple[str, str]

LIST, WHOLE, DECIMAL_RULE, DATE_RULE, TEXT_LENGTH = "list", "whole", "decimal", "date", "textLength"
# What marks a chosen option in a "several choices" slot (the drop-down offers it; these are accepted when typed).
MARK = "✓"
MARKS = frozenset({MARK, "x", "X", "1", "✔", "☑", "√"})


@dataclass(frozen=True)
class Slot:
    key: Key
    part: str = ""


@dataclass(frozen=True)
class SheetRule:
    """Excel data validation of one slot: `type` one of LIST, WHOLE, DECIMAL_RULE, DATE_RULE, TEXT_LENGTH."""

    type: str
    low: Any = None
    high: Any = None
    options: tuple[str, ...] = ()  # LIST: the labels offered


@dataclass
class SheetGrid:
    columns: list[str] = field(default_factory=list)  # headings of the slot columns; [] for a one-column list
    rows: list[tuple[str, list[Slot | None]]] = field(default_factory=list)
