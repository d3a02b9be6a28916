"""XLSForm in and out (KoboToolbox, ODK): a round as an XLSForm, and an XLSForm as a draft round.

- `languages.py`: our six languages as XLSForm language columns (`label::English (en)`, `hint::Français (fr)` …).
- `relevant.py`: show-if rules as XLSForm `relevant` expressions and back.
- `writing.py`: a round's canonical definition -> an .xlsx XLSForm (survey, choices and settings sheets); each answer
  type writes its own fields (`AnswerType.to_xlsform`).
- `constraints.py`: validation bounds as `constraint` expressions and back.
- `reading.py`: the sheets as pyxform reads them, in one spelling of headers and types, the survey rows as a tree;
  `Unmapped`, a feature with no counterpart, with its sheet and row.
- `lists.py`: texts in our languages and the choices sheet (option sets, a question's options, table dimensions).
- `mapping.py`: the tree -> the data of a definition file, which `load_survey`'s checks read; each type reads its own
  fields back (`AnswerType.from_xlsform`); everything else is listed as `Unmapped`.
- `answers.py`: a KoboToolbox/ODK export of answers (one row per submission) -> rows of the answer import.
- `services.py`: the two services the commands call (`xlsform_export`, `xlsform_import`); pyxform reads and checks
  every form that comes in.

Field names (the contract with answers that come back from KoboToolbox/ODK): a question with one value is a field
named by its code (`PRV.SUP.01`); a question with several cells is a group named `CODE-cells` holding one field per
cell named `CODE-ROW` or `CODE-ROW-COLUMN` (`PRO.LEG.04-sexual_exploitation`, `PRO.DATA.01--2014` for a figure per year,
`PRT.DATA.01-2014.female.adult.sexual_exploitation-national` for a breakdown table: row values joined by dots, then the column). Codes
never contain a hyphen, so a field's name splits back into question, row and column at its hyphens
(`cell_of_name`). Areas and sections are groups named by their codes.
"""

from __future__ import annotations

NAME_SEPARATOR = "-"
CELLS_SUFFIX = "-cells"


def field_name(code: str, row: str = "", column: str = "") -> str:
    """The XLSForm name of one cell of a question."""
    if column:
        return NAME_SEPARATOR.join((code, row, column))
    if row:
        return NAME_SEPARATOR.join((code, row))
    return code


def cell_of_name(name: str) -> tuple[str, str, str]:
    """(question code, row, column) of a field name (an ODK/Kobo column header; a group path before it is dropped)."""
    name = name.rsplit("/", 1)[-1]
    parts = name.split(NAME_SEPARATOR, 2)
    parts += [""] * (3 - len(parts))
    return parts[0], parts[1], parts[2]
