"""Answer types: the one place that knows what each kind of question stores and how a value is checked.

Forms, the answer import, exports and the aggregation all go through this package, so a type is added in one place:

- `cells.py`: the kinds of cell (choice, choices, integer, decimal, text, date, year), `CellSpec`, `AnswerError`.
- `kinds.py`: one value codec per kind: clean, the Answer column it is stored in, read back, text, words, form field.
- `base.py`: `AnswerType`, the hooks every type answers (cells, clean, labels, widget, report role, spreadsheet,
  definition file, examples); `QuestionShape`.
- one module per family of types: `choice.py`, `matrix.py`, `numeric.py`, `text.py`, `composite.py`, `file.py`.
- `sheets.py`: how cells sit in the offline workbook (`SheetGrid`, `Slot`, `SheetRule`); the hooks are
  `AnswerType.sheet_grid` and the codecs' `sheet_parts`/`sheet_values`/`sheet_raw`/`sheet_rule`.
- `registry.py`: `ANSWER_TYPES`, `get_type`; `words.py`: `Words`, what people read for a stored value.

A question's answer is a set of *cells*, each addressed by (row, column) — both "" for a question with one value.
`clean_cell` turns raw input (a form string, a CSV field, an Excel cell, a JSON value) into the typed value or raises
`AnswerError` with a message written for the person who typed it. Templates of a type live under
`templates/answer_types/<type>/`. No code outside this package compares a question's type to a name: it asks the
type (`question.answer_type`).

Adding a type, in one place: write its class in the family module it belongs to (or a new one), stating every hook
of `AnswerType.ABSTRACT_HOOKS` and setting its attributes (`report_role`, `definition_keys`, …); register it in
`registry.py`; add `templates/answer_types/<code>/widget.html` and `questionnaire.html`. The checklist test
(`surveys/tests/test_answer_type_checklist.py`) then proves every hook, the templates and a value's round trip.
"""

from __future__ import annotations

from .base import (
    REPORT_DOCUMENTS,
    REPORT_FIELDS,
    REPORT_NUMBERS,
    REPORT_OPTIONS,
    REPORT_ROLES,
    REPORT_TABLE,
    REPORT_TEXT,
    AnswerType,
    DefinitionReader,
    DefinitionWriter,
    QuestionShape,
    XlsCell,
    XlsField,
    XlsformReader,
    XlsformWriter,
    describe_cell,
)
from .cells import (
    CELL_KINDS,
    CHOICE,
    CHOICES,
    DATE,
    DATE_MAX,
    DATE_MIN,
    DECIMAL,
    DECIMAL_MAX_DIGITS,
    DECIMAL_MAX_PLACES,
    DEFAULT_LONG_TEXT,
    DEFAULT_SHORT_TEXT,
    INTEGER,
    INTEGER_LIMIT,
    MULTI_SEPARATOR,
    ROW_KEY_SEPARATOR,
    TEXT,
    VALUE_FIELDS,
    YEAR,
    YEAR_MAX,
    YEAR_MIN,
    AnswerError,
    CellSpec,
    Choice,
    number_words,
)
from .choice import MultiSelect, SingleSelect, YesNoPlusInteger
from .composite import Composite
from .file import FileAnswer
from .kinds import CODECS, Codec, cell_index, clean_cell, from_text, read_value, store_value, to_text, value_words
from .matrix import LikertMatrix, Matrix
from .numeric import DecimalNumber, Integer, IntegerMatrix, IntegerPerYear
from .registry import ANSWER_TYPES, COMPOSITE_FIELD_KINDS, TYPE_CHOICES, get_type
from .sheets import MARK, MARKS, SheetGrid, SheetRule, Slot
from .text import DateAnswer, LongText, ShortText, YearRange
from .words import Words

__all__ = [
    "ANSWER_TYPES",
    "CELL_KINDS",
    "CHOICE",
    "CHOICES",
    "CODECS",
    "COMPOSITE_FIELD_KINDS",
    "DATE",
    "DATE_MAX",
    "DATE_MIN",
    "DECIMAL",
    "DECIMAL_MAX_DIGITS",
    "DECIMAL_MAX_PLACES",
    "DEFAULT_LONG_TEXT",
    "DEFAULT_SHORT_TEXT",
    "INTEGER",
    "INTEGER_LIMIT",
    "MARK",
    "MARKS",
    "MULTI_SEPARATOR",
    "REPORT_DOCUMENTS",
    "REPORT_FIELDS",
    "REPORT_NUMBERS",
    "REPORT_OPTIONS",
    "REPORT_ROLES",
    "REPORT_TABLE",
    "REPORT_TEXT",
    "ROW_KEY_SEPARATOR",
    "TEXT",
    "TYPE_CHOICES",
    "VALUE_FIELDS",
    "YEAR",
    "YEAR_MAX",
    "YEAR_MIN",
    "AnswerError",
    "AnswerType",
    "CellSpec",
    "Choice",
    "Codec",
    "Composite",
    "DateAnswer",
    "DecimalNumber",
    "DefinitionReader",
    "DefinitionWriter",
    "FileAnswer",
    "Integer",
    "IntegerMatrix",
    "IntegerPerYear",
    "LikertMatrix",
    "LongText",
    "Matrix",
    "MultiSelect",
    "QuestionShape",
    "SheetGrid",
    "SheetRule",
    "ShortText",
    "SingleSelect",
    "Slot",
    "Words",
    "XlsCell",
    "XlsField",
    "XlsformReader",
    "XlsformWriter",
    "YearRange",
    "YesNoPlusInteger",
    "cell_index",
    "clean_cell",
    "describe_cell",
    "from_text",
    "get_type",
    "number_words",
    "read_value",
    "store_value",
    "to_text",
    "value_words",
]
