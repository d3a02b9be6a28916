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

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils import formats
from django.utils.translation import gettext as _

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

    def excel(self, list_range: Callable[[tuple[str, ...]], str]) -> dict[str, Any]:
        """The keyword arguments of an Excel data validation (openpyxl's DataValidation) for this rule, with the
        message shown when a value is refused; `list_range` gives the cell range holding a list's labels."""
        if self.type == LIST:
            return {
                "type": LIST,
                "formula1": list_range(self.options),
                "error": _("Choose a value from the drop-down list, or leave the cell empty."),
            }
        if self.type == DATE_RULE:
            low, high = self.low, self.high
            return {
                "type": DATE_RULE,
                "operator": "between",
                "formula1": f"DATE({low.year},{low.month},{low.day})",
                "formula2": f"DATE({high.year},{high.month},{high.day})",
                "error": _("Enter a date between %(first)s and %(last)s.") % {"first": _date(low), "last": _date(high)},
            }
        if self.type == TEXT_LENGTH:
            return {
                "type": TEXT_LENGTH,
                "operator": "between",
                "formula1": str(self.low),
                "formula2": str(self.high),
                "error": _("The text may be at most %(limit)d characters long.") % {"limit": self.high},
            }
        from .cells import number_words  # cells imports nothing of this module; kept local to stay so

        return {
            "type": self.type,
            "operator": "between",
            "formula1": str(self.low),
            "formula2": str(self.high),
            "error": _("Enter a number from %(min)s to %(max)s.")
            % {"min": number_words(self.low), "max": number_words(self.high)},
        }


@dataclass
class SheetGrid:
    columns: list[str] = field(default_factory=list)  # headings of the slot columns; [] for a one-column list
    rows: list[tuple[str, list[Slot | None]]] = field(default_factory=list)


def _date(value: dt.date) -> str:
    return formats.date_format(value, "SHORT_DATE_FORMAT")
