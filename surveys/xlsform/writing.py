"""A round's canonical definition as an XLSForm workbook (survey, choices and settings sheets).

Areas and sections become groups named by their codes, with their descriptions as a note at their start; each
question asks its answer type for its fields (`AnswerType.to_xlsform`). A question of one field is that field: its
label is the question's text in each language, its hint the help, `required` and `relevant` (the show-if rule, see
`relevant.py`) and `constraint` (the validation bounds) are set on it. A question of several fields becomes a group
`CODE-cells` (appearance `table-list` for a matrix, `field-list` otherwise) that carries the text, help and
show-if. The `oscethb_type` and `oscethb_audience` columns keep what XLSForm has no word for (pyxform passes unknown
columns by), so that a form we wrote reads back into the same round. Option sets go to the choices sheet under their
code, a question's own options under the question's code; a breakdown table's dimensions under
`CODE-dimensions`.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any

from django.utils import translation
from django.utils.functional import Promise
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from .. import answer_types as at
from ..definition_reader import LANGUAGES
from ..models import REFERENCE_PERIOD
from . import CELLS_SUFFIX, field_name
from .constraints import to_constraint
from .languages import COLUMN_NAMES, column
from .relevant import to_relevant

TYPE_COLUMN = "oscethb_type"
AUDIENCE_COLUMN = "oscethb_audience"
REQUIRED_COLUMN = "oscethb_required"  # on the group of a question of several fields (XLSForm has no required group)
VALUES_COLUMN = "oscethb_values"
PERIOD_COLUMN = "oscethb_reference_period"
SURVEY_COLUMNS = [
    "type",
    "name",
    *(column("label", lang) for lang in LANGUAGES),
    *(column("hint", lang) for lang in LANGUAGES),
    "required",
    "relevant",
    "constraint",
    "appearance",
    TYPE_COLUMN,
    AUDIENCE_COLUMN,
    REQUIRED_COLUMN,
]
CHOICE_COLUMNS = ["list_name", "name", *(column("label", lang) for lang in LANGUAGES), VALUES_COLUMN]


def _texts(prefix: str, texts: Mapping[str, str] | None) -> dict[str, str]:
    return {column(prefix, lang): text for lang, text in (texts or {}).items() if lang in COLUMN_NAMES}


class _Writer:
    """The rows of the three sheets, and what an answer type may ask (`answer_types.XlsformWriter`)."""

    languages: tuple[str, ...] = LANGUAGES

    def __init__(self, definition: Mapping[str, Any]) -> None:
        self.definition = definition
        period = definition["survey"]["reference_period"]
        self.years = tuple(range(period["start"], period["end"] + 1)) if period["start"] and period["end"] else ()
        self.option_sets = definition["option_sets"]
        self.survey: list[dict[str, Any]] = []
        self.choice_rows: list[dict[str, Any]] = []
        self.written_lists: set[str] = set()
        self.questions = {q["code"]: q for a in definition["areas"] for s in a["sections"] for q in s["items"]}

    # --- what a type may ask

    def choices(self, options: Any, owner: str) -> str:
        """The list name of a question's options (an option set's code, or the owner's code for its own list)."""
        if isinstance(options, str):
            self._list(options, self.option_sets.get(options, {}).get("options", []))
            return options
        self._list(owner, options or [])
        return owner

    def option_codes(self, options: Any) -> list[str]:
        items = self.option_sets.get(options, {}).get("options", []) if isinstance(options, str) else options or []
        return [o["code"] for o in items]

    def constraint(self, question: Mapping[str, Any]) -> str:
        return to_constraint(question.get("validation") or {})

    def dimensions(self, question: Mapping[str, Any]) -> list[tuple[str, list[dict[str, Any]]]]:
        """Each dimension's values (option sets and the reference period resolved); the dimensions themselves are
        written to the choices sheet as list `CODE-dimensions`, the values of an inline one as `CODE-DIMENSION`."""
        code = question["code"]
        result = []
        for dim in question["dimensions"]:
            values = dim["values"]
            source = ""
            if values == REFERENCE_PERIOD:
                source = REFERENCE_PERIOD
                values = [{"code": str(y), "label": self.same_text(str(y))} for y in self.years]
            elif isinstance(values, str):
                source = self.choices(values, values)
                values = self.option_sets.get(values, {}).get("options", [])
            else:
                self.choices(values, f"{code}-{dim['code']}")
            self.choice_rows.append(
                {
                    "list_name": f"{code}-dimensions",
                    "name": dim["code"],
                    **_texts("label", dim.get("label") or self.same_text(dim["code"])),
                    VALUES_COLUMN: source,
                }
            )
            result.append((dim["code"], values))
        return result

    def same_text(self, text: str) -> dict[str, str]:
        return dict.fromkeys(LANGUAGES, text)

    def translated(self, message: str | Promise) -> dict[str, str]:
        texts = {}
        for lang in LANGUAGES:
            with translation.override(lang):
                texts[lang] = str(message)
        return texts

    # --- the sheets

    def _list(self, name: str, options: list[dict[str, Any]]) -> None:
        if name in self.written_lists:
            return
        self.written_lists.add(name)
        for option in options:
            self.choice_rows.append({"list_name": name, "name": option["code"], **_texts("label", option["label"])})

    def _note(self, name: str, texts: Mapping[str, str]) -> None:
        if texts:
            self.survey.append({"type": "note", "name": name, **_texts("label", texts)})

    def write(self) -> None:
        for name in self.option_sets:
            self.choices(name, name)
        for area in self.definition["areas"]:
            self.survey.append({"type": "begin group", "name": area["code"], **_texts("label", area["title"])})
            self._note(f"{area['code']}-about", area.get("description") or {})
            for section in area["sections"]:
                self.survey.append(
                    {"type": "begin group", "name": section["code"], **_texts("label", section["title"])}
                )
                self._note(f"{section['code']}-about", section.get("description") or {})
                for question in section["items"]:
                    self._question(question)
                self.survey.append({"type": "end group"})
            self.survey.append({"type": "end group"})

    def _relevant(self, question: Mapping[str, Any]) -> str:
        rule = question.get("show_if")
        if not rule:
            return ""
        target = self.questions.get(rule["question"], {})
        answer_type = at.ANSWER_TYPES.get(target.get("type", ""))
        several = bool(answer_type and answer_type.several_choices and not rule.get("row"))
        return to_relevant(rule, several)

    def _question(self, question: Mapping[str, Any]) -> None:
        answer_type = at.get_type(question["type"])
        fields = answer_type.to_xlsform(question, self)
        common = {TYPE_COLUMN: answer_type.code, AUDIENCE_COLUMN: question.get("audience", "")}
        required = "yes" if question.get("required") else ""
        if len(fields) == 1 and not fields[0].row and not fields[0].column:
            f = fields[0]
            self.survey.append(
                {
                    "type": f.xls_type,
                    "name": question["code"],
                    **_texts("label", question["text"]),
                    **_texts("hint", question.get("help")),
                    "required": required if f.required else "",
                    "relevant": self._relevant(question),
                    "constraint": f.constraint,
                    "appearance": f.appearance,
                    **common,
                }
            )
            return
        self.survey.append(
            {
                "type": "begin group",
                "name": question["code"] + CELLS_SUFFIX,
                **_texts("label", question["text"]),
                **_texts("hint", question.get("help")),
                "relevant": self._relevant(question),
                "appearance": answer_type.xlsform_appearance,
                REQUIRED_COLUMN: "yes" if question.get("required") else "no",
                **common,
            }
        )
        for f in fields:
            self.survey.append(
                {
                    "type": f.xls_type,
                    "name": field_name(question["code"], f.row, f.column),
                    **_texts("label", f.label),
                    "required": required if f.required else "",
                    "relevant": f.relevant,
                    "constraint": f.constraint,
                    "appearance": f.appearance,
                    TYPE_COLUMN: f.kind,
                }
            )
        self.survey.append({"type": "end group"})


def definition_to_xlsform(definition: Mapping[str, Any]) -> bytes:
    """The .xlsx bytes of the XLSForm of a canonical definition (`survey_export_definition`)."""
    writer = _Writer(definition)
    writer.write()
    survey = definition["survey"]
    period = survey["reference_period"]
    settings = {
        "form_title": survey["title"].get("en", survey["slug"]),
        "form_id": survey["slug"],
        "version": "1",
        "default_language": COLUMN_NAMES["en"],
        PERIOD_COLUMN: f"{period['start']}-{period['end']}" if period["start"] and period["end"] else "",
    }
    book = Workbook(write_only=True)
    sheets = (
        ("survey", SURVEY_COLUMNS, writer.survey),
        ("choices", CHOICE_COLUMNS, writer.choice_rows),
        ("settings", list(settings), [settings]),
    )
    for title, columns, rows in sheets:
        sheet = book.create_sheet(title)
        sheet.append(columns)
        for row in rows:
            sheet.append([_cell(sheet, row.get(name)) for name in columns])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _cell(sheet: Any, value: Any) -> Any:
    """A sheet cell, empty as None. A text is always a text: a label that starts with '=' must not become a formula
    (openpyxl would write it as one, and KoboToolbox would read its computed value)."""
    if value in ("", None):
        return None
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
    return cell
