"""The answer type: one class per type answers every question the rest of the code asks of it.

Modelled on formpack's `fields.py`: a type carries its cells, their cleaning and storage (through the codec of each
cell's kind, `kinds.py`), the words naming its cells, its form field and widget template, its report role, its
spreadsheet cells, how it is read from and written to a definition file, and example values for demo data. The rest
of the code asks `question.answer_type` (or `get_type(code)`) and never compares a type's name.

`AnswerType.ABSTRACT_HOOKS` are the hooks each type must state itself (the base raises); the checklist test
(`surveys/tests/test_answer_type_checklist.py`) proves every registered type does, and that its templates exist.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from django import forms
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from .cells import AnswerError, CellSpec, Choice
from .kinds import clean_cell, to_text
from .sheets import SheetGrid, Slot

StrOrPromise = str | Promise

if TYPE_CHECKING:
    from ..models import Question

Key = tuple[str, str]

# How reports count a type's answers (dashboards, workbook): each type names one role.
REPORT_OPTIONS = "options"  # counted per option chosen (per row for a matrix)
REPORT_NUMBERS = "numbers"  # summed or listed as figures
REPORT_TABLE = "table"  # a breakdown table, summed cell by cell
REPORT_TEXT = "text"  # listed as written
REPORT_FIELDS = "fields"  # each field by its own kind
REPORT_DOCUMENTS = "documents"  # not counted: evidence files
REPORT_ROLES = (REPORT_OPTIONS, REPORT_NUMBERS, REPORT_TABLE, REPORT_TEXT, REPORT_FIELDS, REPORT_DOCUMENTS)


@dataclass(frozen=True)
class QuestionShape:
    """What the answer types need to know of a question, independent of the database."""

    code: str
    type: str
    choices: tuple[Choice, ...] = ()
    rows: tuple[Choice, ...] = ()
    dimensions: tuple[tuple[str, tuple[Choice, ...]], ...] = ()
    fields: tuple[tuple[str, str, tuple[Choice, ...]], ...] = ()  # (code, kind, choices)
    validation: Mapping[str, Any] = field(default_factory=dict)
    exclusive: tuple[str, ...] = ()
    years: tuple[int, ...] = ()
    # Words only (see `Words`): the title of each breakdown dimension and composite field by code, {language: text}.
    dimension_labels: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    field_labels: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    number_label: Mapping[str, str] = field(default_factory=dict)


class DefinitionReader(Protocol):
    """What a type may ask while reading its keys of a question in a definition file (`surveys.definition_questions`).

    Each reader records a problem (with its place in the file) and returns a safe value when the input is wrong."""

    def add(self, path: str, message: str) -> None: ...
    def options(self, raw: Any, path: str) -> tuple[Any, list[str]]: ...
    def choice_list(self, raw: Any, path: str) -> list[dict[str, Any]]: ...
    def dimensions(self, raw: Any, path: str) -> list[dict[str, Any]]: ...
    def fields(self, raw: Any, path: str) -> list[dict[str, Any]]: ...
    def texts(self, value: Any, path: str, required: bool = True) -> dict[str, str]: ...
    def sequence(self, value: Any, path: str, required: bool = True) -> list[Any]: ...
    def code(self, value: Any, path: str, what: str = "code") -> str: ...
    def date(self, value: Any, path: str) -> str | None: ...


class DefinitionWriter(Protocol):
    """What a type may ask while writing its keys of a stored question back to a definition file."""

    def options(self, question: Question) -> Any: ...
    def texts(self, value: dict[str, str] | None) -> dict[str, str]: ...
    def choice_defs(self, items: list[dict[str, Any]]) -> list[dict[str, Any]]: ...


@dataclass(frozen=True)
class XlsField:
    """One field of an XLSForm that a type writes for one of its cells (`surveys.xlsform`): its XLSForm type, the
    cell it stands for (its name is `CODE`, `CODE-ROW` or `CODE-ROW-COLUMN`), label, and the rest of its row."""

    xls_type: str
    row: str = ""
    column: str = ""
    label: Mapping[str, str] = field(default_factory=dict)
    appearance: str = ""
    constraint: str = ""
    relevant: str = ""
    required: bool = True
    kind: str = ""  # a composite field's kind, written in the `oscethb_type` column


@dataclass(frozen=True)
class XlsCell:
    """One field of an XLSForm as the import reads it back (`surveys.xlsform.mapping`)."""

    row_number: int
    question: str  # the code of the question the field belongs to
    xls_type: str
    list_name: str
    row: str
    column: str
    label: Mapping[str, str]
    kind: str = ""
    source: Mapping[str, Any] = field(default_factory=dict)  # the sheet row, by column


class XlsformWriter(Protocol):
    """What a type may ask while it writes a question as XLSForm fields."""

    years: tuple[int, ...]  # the round's reference years
    languages: tuple[str, ...]

    def choices(self, options: Any, owner: str) -> str: ...
    def option_codes(self, options: Any) -> list[str]: ...
    def constraint(self, question: Mapping[str, Any]) -> str: ...
    def dimensions(self, question: Mapping[str, Any]) -> list[tuple[str, list[dict[str, Any]]]]: ...
    def same_text(self, text: str) -> dict[str, str]: ...
    def translated(self, message: StrOrPromise) -> dict[str, str]: ...


class XlsformReader(Protocol):
    """What a type may ask while it reads its own keys back from XLSForm fields."""

    def options(self, cell: XlsCell) -> Any: ...
    def dimensions(self, code: str, cells: list[XlsCell]) -> list[dict[str, Any]]: ...


class AnswerType:
    code: str = ""
    label: StrOrPromise = ""  # the type's name in the reader's language (gettext_lazy)
    has_choices = False
    has_rows = False
    # The single choice cell whose answer counts as "yes/no/in process" in reports.
    is_choice = False
    # Several options may be chosen in one cell: shares of respondents add up to more than 100%.
    several_choices = False
    # Evidence documents, not cells: the answering page uploads them and lists them.
    stores_files = False
    # Whether a question of this type is required when its definition does not say.
    default_required = True
    report_role: str = ""
    # The keys of a question in a definition file that only some types use, and this one does.
    definition_keys: frozenset[str] = frozenset()

    # The appearance of the XLSForm group that holds a question of several fields (`to_xlsform`).
    xlsform_appearance = "field-list"
    # Whether the constraint of the question's (first constrained) field holds the question's validation bounds; a
    # type whose fields carry fixed rules of their own (a year's range) says no.
    xlsform_bounds = True

    ABSTRACT_HOOKS = (
        "cells",
        "read_definition",
        "export_definition",
        "widget_context",
        "examples",
        "to_xlsform",
        "from_xlsform",
    )

    # --- cells, cleaning, completeness --------------------------------------------------------------------------------

    def cells(self, q: QuestionShape) -> list[CellSpec]:
        raise NotImplementedError

    def clean(self, q: QuestionShape, raw: Mapping[Key, Any]) -> dict[Key, Any]:
        """Normalise every given cell; unknown cells are an error. Empty values come back as None."""
        specs = {spec.key: spec for spec in self.cells(q)}
        cleaned: dict[Key, Any] = {}
        for key, value in raw.items():
            spec = specs.get(key)
            if spec is None:
                raise AnswerError(
                    _("%(question)s has no cell %(cell)s.") % {"question": q.code, "cell": describe_cell(key)}
                )
            cleaned[key] = clean_cell(spec, value)
        self.check_together(q, cleaned)
        return cleaned

    def check_together(self, q: QuestionShape, values: Mapping[Key, Any]) -> None:
        """Rules across cells (a range's start before its end); values are already cleaned."""

    def is_complete(self, q: QuestionShape, values: Mapping[Key, Any], evidence_count: int = 0) -> bool:
        """Whether a required question counts as answered."""
        return all(values.get(spec.key) not in (None, "", []) for spec in self.cells(q))

    def cell_year(self, q: QuestionShape, key: Key) -> int | None:
        """The reference year a cell's figure is for (key figures add up a State's cells per year); None when the
        type does not break its figures down by year."""
        return None

    def cell_parts(self, q: QuestionShape, key: Key) -> list[str]:
        """The words naming one cell (its row, column, field …) in the active language; [] for a single value.

        A cell the definition does not know (any more) is named by its codes, so that nothing stored is hidden."""
        return [part for part in key if part]

    # --- storage: the typed column of an Answer row, through the cell's codec -----------------------------------------

    def store(self, target: Any, spec: CellSpec, value: Any) -> None:
        spec.codec.store(target, value)

    def read(self, target: Any, spec: CellSpec) -> Any:
        return None if target is None else spec.codec.read(target)

    # --- spreadsheets: one cell of a workbook or CSV per answer cell --------------------------------------------------

    def to_spreadsheet(self, spec: CellSpec, value: Any) -> str:
        return to_text(spec.kind, value)

    def from_spreadsheet(self, spec: CellSpec, raw: Any) -> Any:
        return clean_cell(spec, raw)

    # --- the offline workbook (sheets.py): how the cells are laid out on the question's sheet ----------------------

    def sheet_grid(self, q: QuestionShape) -> SheetGrid:
        """One row per workbook cell, named by its cell's words (and its option, for a kind that spreads)."""
        grid = SheetGrid()
        for spec in self.cells(q):
            name = ", ".join(self.cell_parts(q, spec.key))
            for part, label in spec.codec.sheet_parts(spec):
                grid.rows.append((" · ".join(t for t in (name, label) if t), [Slot(spec.key, part)]))
        return grid

    # --- the answering page -------------------------------------------------------------------------------------------

    @property
    def template_dir(self) -> str:
        return f"answer_types/{self.code}/"

    @property
    def widget_template(self) -> str:
        return self.template_dir + "widget.html"

    @property
    def questionnaire_template(self) -> str:
        """The type's part of the printable questionnaire (what a printed answer looks like)."""
        return self.template_dir + "questionnaire.html"

    @property
    def templates(self) -> tuple[str, ...]:
        """Every template this type renders (the checklist test proves they exist)."""
        return (self.widget_template, self.questionnaire_template)

    def form_field(self, question: Question, spec: CellSpec, common: dict[str, Any]) -> forms.Field:
        return spec.codec.form_field(spec, common)

    def widget_context(
        self, question: Question, cells: list[CellSpec], bound: Mapping[Key, Any], problem: Mapping[Key, Any]
    ) -> dict[str, Any]:
        """What the widget template needs beyond the list of (spec, bound field, problem) of every cell."""
        raise NotImplementedError

    # --- definition files ---------------------------------------------------------------------------------------------

    def read_definition(self, reader: DefinitionReader, data: Mapping[str, Any], path: str) -> tuple[dict, list[str]]:
        """This type's own keys of a question in a definition file, in file order, and its option codes."""
        raise NotImplementedError

    def export_definition(self, question: Question, writer: DefinitionWriter) -> dict[str, Any]:
        """This type's own keys of a stored question, as `read_definition` reads them back."""
        raise NotImplementedError

    # --- XLSForm (KoboToolbox, ODK): surveys.xlsform ---------------------------------------------------------------

    def to_xlsform(self, question: Mapping[str, Any], out: XlsformWriter) -> list[XlsField]:
        """The XLSForm fields of a question (its canonical definition): one field named by the question's code takes
        the question's text, help and show-if; several become a group of fields named `CODE-ROW[-COLUMN]`."""
        raise NotImplementedError

    def from_xlsform(self, cells: list[XlsCell], reader: XlsformReader) -> dict[str, Any]:
        """This type's own definition keys, read back from the fields `to_xlsform` wrote (as `read_definition`
        expects them in a definition file)."""
        raise NotImplementedError

    def read_bound(self, reader: DefinitionReader, value: Any, path: str) -> Any:
        """A `validation.min`/`max` of the definition; None (with a problem recorded) when it is wrong."""
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            reader.add(path, _("expected a number, not %(value)s") % {"value": repr(value)})
            return None
        return value

    def show_if_choices(
        self, target: Mapping[str, Any], row: Any, codes: Callable[[Any], list[str]]
    ) -> list[str] | None:
        """The option codes a show-if rule may compare in `row` of a question of this type; None when it has none."""
        return None

    # --- examples: the checklist test and the demo data ---------------------------------------------------------------

    def examples(self, q: QuestionShape) -> dict[Key, Any]:
        """A raw value for every cell that, together, is a valid answer."""
        raise NotImplementedError

    def demo_cells(self, cells: list[CellSpec], rng: random.Random) -> list[CellSpec]:
        """The cells demo data fills (a breakdown table only some; documents none)."""
        return cells

    def demo_number(self, spec: CellSpec, rng: random.Random, size: int) -> int | None:
        """A whole number for a demo cell when this type has its own idea of one; None for the demo's default."""
        return None

    def demo_keeps(self, spec: CellSpec, answers: Mapping[Key, Any]) -> bool:
        """Whether demo data keeps a value for `spec`, given the question's answers so far."""
        return True


def describe_cell(key: Key) -> str:
    """A cell by its codes (for messages about a cell a definition may not have), in the active language."""
    row, column = key
    if row and column:
        return _("row '%(row)s', column '%(column)s'") % {"row": row, "column": column}
    if row:
        return _("row '%(row)s'") % {"row": row}
    if column:
        return _("column '%(column)s'") % {"column": column}
    return _("(single value)")


def single_examples(self: AnswerType, q: QuestionShape) -> dict[Key, Any]:
    """Each cell's codec example: the examples of a type whose cells are independent."""
    return {spec.key: spec.codec.example(spec) for spec in self.cells(q)}


def options_definition(reader: DefinitionReader, data: Mapping[str, Any], path: str) -> tuple[dict, list[str]]:
    options, codes = reader.options(data.get("options"), f"{path}.options")
    return {"options": options}, codes
