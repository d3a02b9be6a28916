"""The rows of an XLSForm (as pyxform reads them) -> the data of a definition file, and what could not be mapped.

The result is what a YAML definition file holds, so `check_definition_data` applies every check of the loader.
Groups: a form we wrote (top-level groups named by area codes holding groups named by section codes) keeps its
areas, sections and question codes; any other form becomes one area `XLS` whose sections are its top-level groups
(questions outside a group form sections of their own), inner groups flattened into their section, and questions
numbered `XLS.A.01` … in order. A group with an `oscethb_type` (one question of several fields, `writing.py`) is
read back by that answer type (`AnswerType.from_xlsform`); a `table-list` group of single choices from one list is
a matrix. A `note` becomes part of its section's description. Everything else (repeats, calculations, locations,
media, device metadata, choice filters, expressions we cannot read …) is listed in `Unmapped`, with its sheet and row,
instead of being dropped silently.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .. import answer_types as at
from ..definition_reader import AREA_RE, QUESTION_RE, SECTION_RE
from . import CELLS_SUFFIX, cell_of_name
from .constraints import is_strict_bound, parse_constraint
from .lists import ListsReader
from .reading import Node, Unmapped, normalised, option_code, tree
from .relevant import read_relevant
from .writing import AUDIENCE_COLUMN, PERIOD_COLUMN, REQUIRED_COLUMN, TYPE_COLUMN

GENERIC_AREA = "XLS"
# XLSForm types (and pyxform's aliases) of one field we have an answer type for.
FIELD_TYPES = {
    "select_one": "single_select",
    "select one": "single_select",
    "select_multiple": "multi_select",
    "select multiple": "multi_select",
    "integer": "integer",
    "int": "integer",
    "decimal": "decimal",
    "text": "short_text",
    "string": "short_text",
    "date": "date",
    "file": "file",
}
_KNOWN_COLUMNS = {"type", "name", "label", "hint", "required", "relevant", "constraint", "appearance"}
_OWN_COLUMNS = {TYPE_COLUMN, AUDIENCE_COLUMN, REQUIRED_COLUMN}


@dataclass
class Mapped:
    data: dict[str, Any]
    unmapped: list[Unmapped]
    places: dict[str, tuple[str, int]]  # definition path -> (sheet, row)
    renamed: list[tuple[int, str, str]]  # (row, XLSForm name, question code)


def _letters(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


class _Mapper(ListsReader):
    """The walk over the survey sheet's tree; the texts and lists a type may ask for come from `ListsReader`."""

    def __init__(self, book: Any, slug: str, years: tuple[int, int] | None) -> None:
        self.survey_rows: list[dict[str, Any]] = [normalised(r) for r in book.survey or []]
        self.settings: dict[str, Any] = normalised((book.settings or [{}])[0]) if book.settings else {}
        super().__init__(book.choices or [], self.settings, self.survey_rows)
        self.slug = slug
        self.years = years
        self.renamed: list[tuple[int, str, str]] = []
        # XLSForm name -> (question code, row, several choices, the question's data)
        self.names: dict[str, tuple[str, str, bool, dict[str, Any]]] = {}
        self.codes: set[str] = set()

    # --- the walk

    def _not_imported(self, node: Node, why: str) -> None:
        what = (
            f"{node.row.get('type')} {node.name!r}"  # the form's own words: its type column and its name
            if node.name
            else str(node.row.get("type"))
        )
        self.unmapped.append(Unmapped("survey", node.row_number, what, why))

    def run(self) -> dict[str, Any]:
        nodes = tree(self.survey_rows)
        native = bool(nodes) and all(
            n.kind == "group"
            and AREA_RE.match(n.name)
            and all((c.kind == "group" and SECTION_RE.match(c.name)) or c.kind == "note" for c in n.children)
            for n in nodes
        )
        areas = self._native_areas(nodes) if native else self._generic_areas(nodes)
        return {
            "survey": self._survey(),
            "option_sets": self.option_sets,
            "areas": areas,
        }

    def _survey(self) -> dict[str, Any]:
        title = str(self.settings.get("form_title") or self.settings.get("form_id") or self.slug)
        start = end = dt.date.today().year - 1
        written = str(self.settings.get(PERIOD_COLUMN) or "")
        if self.years:
            start, end = self.years
        elif re.fullmatch(r"\d{4}-\d{4}", written):
            start, end = (int(part) for part in written.split("-"))
        self.places["survey"] = ("settings", 2)
        return {
            "slug": self.slug,
            "title": {"en": title},
            "reference_period": {"start": start, "end": end},
            "respondent_kinds": ["state", "ngo"],
        }

    def _native_areas(self, nodes: list[Node]) -> list[dict[str, Any]]:
        areas = []
        for a_index, node in enumerate(nodes):
            self.places[f"areas[{a_index}]"] = ("survey", node.row_number)
            area: dict[str, Any] = {"code": node.name, "title": self.texts(node.row, "label"), "sections": []}
            # A round has no show-if on an area or a section: their `relevant` is carried to each of their questions
            # (hidden together, as the group was), as for a group of a form from elsewhere.
            area_relevant = str(node.row.get("relevant") or "")
            for child in node.children:
                if child.kind == "note":
                    area["description"] = self._join(area.get("description"), self.texts(child.row, "label"))
                    continue
                s_path = f"areas[{a_index}].sections[{len(area['sections'])}]"
                section_relevant = str(child.row.get("relevant") or "")
                if section_relevant and area_relevant:
                    self._not_imported(child, _("a group's condition inside another group's condition"))
                group = child if section_relevant or not area_relevant else node
                area["sections"].append(
                    self._section(child.name, child.row, child.children, s_path, child.row_number, group)
                )
            areas.append(area)
        return areas

    def _generic_areas(self, nodes: list[Node]) -> list[dict[str, Any]]:
        title = str(self.settings.get("form_title") or self.settings.get("form_id") or self.slug)
        area: dict[str, Any] = {"code": GENERIC_AREA, "title": {"en": title}, "sections": []}
        self.places["areas[0]"] = ("survey", nodes[0].row_number if nodes else 1)
        loose: list[Node] = []

        def close_loose() -> None:
            if loose:
                index = len(area["sections"])
                code = f"{GENERIC_AREA}.{_letters(index)}"
                path = f"areas[0].sections[{index}]"
                section = self._section(code, {"label": title}, list(loose), path, loose[0].row_number)
                if section["items"]:
                    area["sections"].append(section)
                loose.clear()

        for node in nodes:
            if node.kind == "group" and not self._is_question_group(node):
                close_loose()
                index = len(area["sections"])
                code = f"{GENERIC_AREA}.{_letters(index)}"
                path = f"areas[0].sections[{index}]"
                section = self._section(code, node.row, node.children, path, node.row_number, node)
                if section["items"]:
                    area["sections"].append(section)
                else:
                    self._not_imported(node, _("none of the group's questions could be imported"))
            else:
                loose.append(node)
        close_loose()
        return [area]

    @staticmethod
    def _join(first: dict[str, str] | None, more: dict[str, str]) -> dict[str, str]:
        result = dict(first or {})
        for lang, text in more.items():
            result[lang] = f"{result[lang]}\n\n{text}" if lang in result else text
        return result

    def _section(
        self,
        code: str,
        row: Mapping[str, Any],
        children: list[Node],
        path: str,
        row_number: int,
        group: Node | None = None,
    ) -> dict[str, Any]:
        self.places[path] = ("survey", row_number)
        section: dict[str, Any] = {"code": code, "title": self.texts(row, "label") or {"en": code}, "items": []}
        relevant = str(group.row.get("relevant") or "") if group is not None else ""
        self._collect(section, children, path, relevant, group)
        return section

    def _is_question_group(self, node: Node) -> bool:
        if node.row.get(TYPE_COLUMN) in at.ANSWER_TYPES:
            return True
        appearance = str(node.row.get("appearance") or "")
        lists = {str(c.kind).split()[-1] for c in node.children if c.kind.startswith("select_one ")}
        fields = [c for c in node.children if c.kind not in ("note",)]
        return (
            "table-list" in appearance
            and bool(fields)
            and all(c.kind.startswith("select_one ") for c in fields)
            and len(lists) == 1
        )

    def _collect(
        self, section: dict[str, Any], nodes: list[Node], path: str, relevant: str, group: Node | None
    ) -> None:
        for node in nodes:
            if node.kind == "repeat":
                count = sum(1 for _ in self._fields_in(node))
                self._not_imported(
                    node,
                    ngettext(
                        "a repeat asks its questions any number of times; a round asks each once (%(count)d field)",
                        "a repeat asks its questions any number of times; a round asks each once (%(count)d fields)",
                        count,
                    )
                    % {"count": count},
                )
            elif node.kind == "group" and self._is_question_group(node):
                self._question(section, node, node.children, path, relevant, group)
            elif node.kind == "group":
                inner = str(node.row.get("relevant") or "")
                if inner and relevant:
                    self._not_imported(node, _("a group's condition inside another group's condition"))
                self._collect(section, node.children, path, inner or relevant, node)
            elif node.kind == "note":
                section["description"] = self._join(section.get("description"), self.texts(node.row, "label"))
            elif self._field_type(node) is not None:
                self._question(section, node, [node], path, relevant, group)
            else:
                self._not_imported(node, self._why_not(node))

    def _fields_in(self, node: Node) -> list[Node]:
        result = []
        for child in node.children:
            result.extend(self._fields_in(child) if child.kind in ("group", "repeat") else [child])
        return result

    def _why_not(self, node: Node) -> str:
        base = node.kind.split()[0].lower()
        if base == "calculate":
            return _("a calculation has no counterpart in a round (answers are typed, not computed)")
        if base in ("start", "end", "today", "deviceid", "phonenumber", "username", "simserial", "subscriberid",
                    "audit", "email", "start-geopoint"):  # fmt: skip
            return _("device metadata is not collected by a round")
        return _("a round has no question type for %(type)s") % {"type": repr(node.kind)}

    def _field_type(self, node: Node) -> str | None:
        own = node.row.get(TYPE_COLUMN)
        if own in at.ANSWER_TYPES:
            return str(own)
        base = node.kind.split()[0] if not node.kind.lower().startswith("select ") else " ".join(node.kind.split()[:2])
        found = FIELD_TYPES.get(base.lower())
        if found == "short_text" and "multiline" in str(node.row.get("appearance") or ""):
            return "long_text"
        return found

    def _code(self, section: dict[str, Any], name: str, row_number: int) -> str:
        name = name.removesuffix(CELLS_SUFFIX)
        if QUESTION_RE.match(name) and name.startswith(section["code"] + ".") and name not in self.codes:
            code = name
        else:
            number = len(section["items"]) + 1
            code = f"{section['code']}.{number:02d}"
            while code in self.codes:
                number += 1
                code = f"{section['code']}.{number:02d}"
            self.renamed.append((row_number, name, code))
        self.codes.add(code)
        return code

    def _cells(self, code: str, node: Node, fields: list[Node], single: bool) -> list[at.XlsCell]:
        cells = []
        for f in fields:
            parts = f.kind.split()
            list_name = parts[1] if len(parts) > 1 and parts[0].lower().startswith("select") else ""
            if single:
                row, column = "", ""
            else:
                base, row, column = cell_of_name(f.name)
                if base != node.name.removesuffix(CELLS_SUFFIX):
                    row, column = option_code(f.name), ""
            cells.append(
                at.XlsCell(
                    row_number=f.row_number,
                    question=code,
                    xls_type=parts[0].lower() if parts else "",
                    list_name=list_name,
                    row=row,
                    column=column,
                    label=self.texts(f.row, "label") or {"en": f.name},
                    kind=str(f.row.get(TYPE_COLUMN) or ""),
                    source=f.row,
                )
            )
        return cells

    def _question(
        self,
        section: dict[str, Any],
        node: Node,
        fields: list[Node],
        path: str,
        relevant: str,
        group: Node | None,
    ) -> None:
        single = node.kind != "group"
        type_code = self._field_type(node) if single else str(node.row.get(TYPE_COLUMN) or "matrix")
        if type_code not in at.ANSWER_TYPES:
            type_code = "matrix"
        answer_type = at.get_type(type_code)
        code = self._code(section, node.name, node.row_number)
        q_path = f"{path}.items[{len(section['items'])}]"
        self.places[q_path] = ("survey", node.row_number)
        data_fields = [f for f in fields if f.kind != "note"]
        cells = self._cells(code, node, data_fields, single)
        question: dict[str, Any] = {
            "code": code,
            "type": type_code,
            "audience": str(node.row.get(AUDIENCE_COLUMN) or "both"),
            "required": (
                node.row[REQUIRED_COLUMN] == "yes"
                if node.row.get(REQUIRED_COLUMN) in ("yes", "no")
                else any(self._required(f) for f in data_fields)
            ),
            "text": self.texts(node.row, "label"),
            "help": self.texts(node.row, "hint") or None,
        }
        question.update(answer_type.from_xlsform(cells, self))
        if answer_type.xlsform_bounds:
            constrained = [node] if single else [f for f in data_fields if f.row.get("constraint")][:1]
            validation = self._validation(constrained[0]) if constrained else {}
            if validation:
                question["validation"] = validation
        own_relevant = str(node.row.get("relevant") or "")
        if own_relevant and relevant:
            self._not_imported(node, _("a condition inside a group's condition"))
        rule = self._show_if(node, own_relevant or relevant, group if not own_relevant else node)
        if rule:
            question["show_if"] = rule
        self._other_columns(node)
        if "or_other" in node.kind.split()[2:]:
            self._not_imported(node, _("or_other: the 'Other' option with a text of its own has no counterpart"))
        for f in data_fields if not single else []:
            self._other_columns(f, cell=True)
        several = answer_type.several_choices
        for cell in cells:
            self.names[cell.source.get("name", "")] = (code, cell.row, several, question)
        section["items"].append(question)

    def _required(self, node: Node) -> bool:
        value = str(node.row.get("required") or "").strip().lower()
        if value in ("yes", "true", "true()", "1"):
            return True
        if value not in ("", "no", "false", "false()", "0"):
            self._not_imported(
                node, _("required %(expression)s is an expression; the question is optional") % {"expression": value}
            )
        return False

    def _validation(self, node: Node) -> dict[str, Any]:
        constraint = str(node.row.get("constraint") or "").strip()
        if not constraint:
            return {}
        result, left = parse_constraint(constraint, node.kind.split()[0] if node.kind else "")
        strict = [part for part in left if is_strict_bound(part)]
        unread = [part for part in left if part not in strict]
        if strict:
            self._not_imported(
                node,
                _(
                    "the constraint %(expression)s: a round's bounds include their value, and on a field of "
                    "fractions no included value equals a strict bound (use >= or <=)"
                )
                % {"expression": " and ".join(strict)},
            )
        if unread:
            self._not_imported(
                node,
                _("the constraint %(expression)s cannot be read (only bounds like . >= 0 and string-length(.) <= 100)")
                % {"expression": " and ".join(unread)},
            )
        return result

    def _show_if(self, node: Node, expression: str, where: Node | None) -> dict[str, Any] | None:
        if not expression:
            return None
        parsed = read_relevant(expression)
        place = where or node
        if parsed is None:
            self._not_imported(
                place,
                _("the condition %(expression)s cannot be read (only ${q} = 'x' or selected(${q}, 'x') joined by or)")
                % {"expression": expression},
            )
            return None
        name, values, equals = parsed
        target = self.names.get(name)
        if target is None:
            self._not_imported(
                place,
                _("the condition refers to %(name)s, which is not an earlier question imported") % {"name": repr(name)},
            )
            return None
        code, row, several, question = target
        if several and not row and equals:
            self._not_imported(
                place,
                _(
                    "the condition %(expression)s: on a multiple choice, = means exactly that choice, which a show-if "
                    "rule cannot say (selected(${q}, 'x') is read: x among the choices)"
                )
                % {"expression": expression},
            )
            return None
        allowed = self._choices_of(question, row)
        if allowed is None:
            self._not_imported(
                place,
                _("the condition %(expression)s compares %(name)s, which has no options (only choices can be compared)")
                % {"expression": expression, "name": repr(name)},
            )
            return None
        others = [v for v in values if option_code(v) not in allowed or not v.strip()]
        if others:
            self._not_imported(
                place,
                _("the condition %(expression)s compares %(values)s, not an option of %(name)s")
                % {"expression": expression, "values": ", ".join(repr(v) for v in others), "name": repr(name)},
            )
            return None
        rule: dict[str, Any] = {"question": code, "in": [option_code(v) for v in values]}
        if row:
            rule["row"] = row
        return rule

    def _choices_of(self, question: dict[str, Any], row: str) -> list[str] | None:
        """The option codes a show-if rule may compare in `row` of a question mapped so far; None when it has none
        (the loader's own check, `definition_questions._show_if`, would refuse the whole form)."""

        def codes(ref: Any) -> list[str]:
            if isinstance(ref, str):
                return [o["code"] for o in self.option_sets.get(ref, {}).get("options", [])]
            return [o["code"] for o in ref or []]

        answer_type = at.ANSWER_TYPES.get(question["type"])
        return answer_type.show_if_choices(question, row or None, codes) if answer_type is not None else None

    def _other_columns(self, node: Node, cell: bool = False) -> None:
        for key, value in node.row.items():
            head = str(key).partition("::")[0]
            if value in (None, "") or head in _KNOWN_COLUMNS or key in _OWN_COLUMNS:
                continue
            self.unmapped.append(
                Unmapped(
                    "survey",
                    node.row_number,
                    _("column %(column)s (%(value)s)") % {"column": key, "value": value},
                    _("a round has no counterpart for this column"),
                )
            )


def map_xlsform(book: Any, *, slug: str, years: tuple[int, int] | None = None) -> Mapped:
    """The definition data of a pyxform-read XLSForm (`pyxform.xls2json_backends.DefinitionData`)."""
    mapper = _Mapper(book, slug, years)
    data = mapper.run()
    sheets = {"survey": 0, "choices": 1, "settings": 2}
    unmapped = sorted(dict.fromkeys(mapper.unmapped), key=lambda u: (sheets.get(u.sheet, 3), u.row))
    return Mapped(data, unmapped, mapper.places, mapper.renamed)
