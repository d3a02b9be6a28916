"""Reading and checking survey definition files (docs/survey-definitions.md), with no database access.

`parse_definition` checks a whole file and returns either a canonical definition (plain dicts and lists, exactly
what `export_survey` writes back) or every problem found, each with its place in the file
(`areas[2].sections[0].items[3].options: unknown option set 'YNX'`) and its line.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

import yaml

from . import answer_types as at
from .models import REFERENCE_PERIOD, Audience, RespondentKind

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
AREA_RE = re.compile(r"^[A-Z]{2,5}$")
SECTION_RE = re.compile(r"^[A-Z]{2,5}\.[A-Z]{1,6}$")
QUESTION_RE = re.compile(r"^[A-Z]{2,5}\.[A-Z]{1,6}\.\d{2,3}$")
CODE_RE = re.compile(r"^[A-Za-z0-9_]{1,60}$")
LANGUAGES = ("en", "fr", "de", "it", "ru", "es")
YAML_BOOL_WORDS = {"yes", "no", "on", "off", "true", "false", "y", "n"}


@dataclass(frozen=True)
class Problem:
    path: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.path}" + (f" (line {self.line})" if self.line else "")
        return f"{where}: {self.message}"


class DefinitionError(Exception):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def _line_map(text: str, duplicates: list[Problem] | None = None) -> dict[str, int]:
    """Path -> 1-based line of every node, so problems can point into the file; repeated keys go to `duplicates`."""
    lines: dict[str, int] = {}

    def walk(node: yaml.Node, path: str) -> None:
        lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            seen: set[str] = set()
            for key, value in node.value:
                child = f"{path}.{key.value}" if path else str(key.value)
                if key.value in seen and duplicates is not None:
                    duplicates.append(
                        Problem(
                            child,
                            f"the key {key.value!r} appears twice here; YAML would keep only the last",
                            key.start_mark.line + 1,
                        )
                    )
                seen.add(key.value)
                lines.setdefault(child, key.start_mark.line + 1)
                walk(value, child)
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                walk(item, f"{path}[{index}]")

    try:
        root = yaml.compose(text, Loader=_LOADER)
    except yaml.YAMLError:
        return lines
    if root is not None:
        walk(root, "")
    return lines


# libyaml's C parser when PyYAML has it (it does on PyPI wheels): ten times faster on large definitions.
_LOADER: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Checker:
    def __init__(self, lines: dict[str, int]):
        self.lines = lines
        self.problems: list[Problem] = []

    def add(self, path: str, message: str) -> None:
        line = self.lines.get(path)
        probe = path
        while line is None and probe:
            probe = re.sub(r"(\.[^.\[\]]+|\[\d+\])$", "", probe)
            line = self.lines.get(probe)
            if probe == re.sub(r"(\.[^.\[\]]+|\[\d+\])$", "", probe):
                break
        self.problems.append(Problem(path, message, line))

    # --- small typed readers; each returns a safe value and records a problem when the input is wrong

    def mapping(self, value: Any, path: str, required: bool = True) -> dict[str, Any]:
        if value is None and not required:
            return {}
        if not isinstance(value, dict):
            self.add(path, "expected a mapping (key: value lines)" if value is not None else "is missing")
            return {}
        return value

    def sequence(self, value: Any, path: str, required: bool = True) -> list[Any]:
        if value is None and not required:
            return []
        if not isinstance(value, list):
            self.add(path, "expected a list (lines starting with '- ')" if value is not None else "is missing")
            return []
        if required and not value:
            self.add(path, "must not be empty")
        return value

    def code(self, value: Any, path: str, pattern: re.Pattern[str] = CODE_RE, what: str = "code") -> str:
        if isinstance(value, bool):
            self.add(
                path,
                f'YAML read this {what} as {str(value).lower()}; write it in quotes, e.g. "yes" or "no"',
            )
            return ""
        if isinstance(value, (int, float)) and pattern is CODE_RE:
            self.add(path, f'YAML read this {what} as the number {value!r}; write it in quotes, e.g. "{value}"')
            return ""
        if not isinstance(value, str) or not pattern.match(value):
            self.add(path, f"invalid {what} {value!r} (expected {_describe(pattern)})")
            return ""
        return value

    def texts(self, value: Any, path: str, required: bool = True) -> dict[str, str]:
        if value is None and not required:
            return {}
        if isinstance(value, str) and value.strip():
            return {"en": value.strip()}
        if not isinstance(value, dict):
            self.add(path, "expected a text or a mapping of language to text, e.g. {en: ..., fr: ...}")
            return {}
        result: dict[str, str] = {}
        for lang, text in value.items():
            if lang not in LANGUAGES:
                self.add(f"{path}.{lang}", f"unknown language {lang!r} (use {', '.join(LANGUAGES)})")
            elif not isinstance(text, str) or not text.strip():
                self.add(f"{path}.{lang}", "expected a non-empty text")
            elif "\x00" in text:
                self.add(f"{path}.{lang}", "contains a NUL character")
            else:
                result[lang] = text.strip()
        if required and value and "en" not in value:
            self.add(path, "the English text (en) is required")
        elif required and not value:
            self.add(path, "must not be empty")
        return {lang: result[lang] for lang in LANGUAGES if lang in result}

    def boolean(self, value: Any, path: str, default: bool) -> bool:
        if value is None:
            return default
        if not isinstance(value, bool):
            self.add(path, f"expected true or false, not {value!r}")
            return default
        return value

    def integer(self, value: Any, path: str) -> int | None:
        if isinstance(value, bool) or not isinstance(value, int):
            self.add(path, f"expected a whole number, not {value!r}")
            return None
        return value

    def unknown_keys(self, data: dict[str, Any], allowed: set[str], path: str) -> None:
        for key in data:
            if key not in allowed:
                self.add(
                    f"{path}.{key}" if path else str(key),
                    f"unknown key {key!r} (allowed: {', '.join(sorted(allowed))})",
                )


def _describe(pattern: re.Pattern[str]) -> str:
    return {
        SLUG_RE.pattern: "lowercase letters, digits and hyphens, e.g. thb-2016",
        AREA_RE.pattern: "2-5 capital letters, e.g. PRV",
        SECTION_RE.pattern: "area code, a dot and capital letters, e.g. PRV.SUP",
        QUESTION_RE.pattern: "section code, a dot and two digits, e.g. PRV.SUP.01",
        CODE_RE.pattern: "letters, digits and underscores",
    }.get(pattern.pattern, pattern.pattern)


SURVEY_KEYS = {
    "slug",
    "title",
    "description",
    "reference_period",
    "opens_on",
    "closes_on",
    "respondent_kinds",
    "previous",
}
AREA_KEYS = {"code", "title", "description", "commitments", "sections"}
SECTION_KEYS = {"code", "title", "description", "items"}
QUESTION_KEYS = {
    "code", "type", "audience", "required", "scored", "text", "help", "headline", "options", "exclusive", "rows",
    "dimensions", "fields", "validation", "number_label", "show_if", "commitments",
}  # fmt: skip
VALIDATION_KEYS = {"min", "max", "min_length", "max_length", "decimal_places"}


def parse_definition(text: str) -> dict[str, Any]:
    """The canonical definition of a round; raises DefinitionError listing every problem."""
    try:
        data = yaml.load(text, Loader=_LOADER)  # noqa: S506 - a safe loader (C or Python)  # nosec B506
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise DefinitionError([Problem("(file)", f"not valid YAML: {getattr(exc, 'problem', exc)}", line)]) from exc
    duplicates: list[Problem] = []
    checker = _Checker(_line_map(text, duplicates))
    checker.problems.extend(duplicates)
    if not isinstance(data, dict):
        raise DefinitionError([Problem("(file)", "expected a mapping with survey, option_sets and areas")])
    checker.unknown_keys(data, {"survey", "commitments", "option_sets", "areas"}, "")
    result: dict[str, Any] = {
        "survey": _survey(checker, data.get("survey")),
        "commitments": _commitments(checker, data.get("commitments")),
        "option_sets": _option_sets(checker, data.get("option_sets")),
    }
    result["areas"] = _areas(checker, data.get("areas"), result["option_sets"], result["survey"])
    if checker.problems:
        raise DefinitionError(checker.problems)
    return result


def _date(checker: _Checker, value: Any, path: str) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.date):
        return value.isoformat()
    try:
        return dt.date.fromisoformat(str(value)).isoformat()
    except ValueError:
        checker.add(path, f"expected a date as YYYY-MM-DD, not {value!r}")
        return None


def _survey(c: _Checker, raw: Any) -> dict[str, Any]:
    data = c.mapping(raw, "survey")
    c.unknown_keys(data, SURVEY_KEYS, "survey")
    period = c.mapping(data.get("reference_period"), "survey.reference_period")
    start = c.integer(period.get("start"), "survey.reference_period.start") if period else None
    end = c.integer(period.get("end"), "survey.reference_period.end") if period else None
    if start is not None and end is not None:
        if start > end:
            c.add("survey.reference_period", f"start ({start}) must not be after end ({end})")
        elif not (start >= at.YEAR_MIN and end <= at.YEAR_MAX):
            c.add("survey.reference_period", f"years must be between {at.YEAR_MIN} and {at.YEAR_MAX}")
        elif end - start > 20:
            c.add("survey.reference_period", "a reference period of more than 20 years is not supported")
    kinds = c.sequence(data.get("respondent_kinds"), "survey.respondent_kinds")
    for index, kind in enumerate(kinds):
        if kind not in RespondentKind.values:
            c.add(f"survey.respondent_kinds[{index}]", f"unknown respondent kind {kind!r} (use state or ngo)")
    previous = data.get("previous")
    if previous is not None:
        previous = c.code(previous, "survey.previous", SLUG_RE, "round slug")
    survey: dict[str, Any] = {
        "slug": c.code(data.get("slug"), "survey.slug", SLUG_RE, "slug"),
        "title": c.texts(data.get("title"), "survey.title"),
        "description": c.texts(data.get("description"), "survey.description", required=False),
        "reference_period": {"start": start, "end": end},
        "opens_on": _date(c, data.get("opens_on"), "survey.opens_on"),
        "closes_on": _date(c, data.get("closes_on"), "survey.closes_on"),
        "respondent_kinds": [k for k in RespondentKind.values if k in kinds],
        "previous": previous or None,
    }
    if survey["opens_on"] and survey["closes_on"] and survey["opens_on"] > survey["closes_on"]:
        c.add("survey.closes_on", "the round closes before it opens")
    return survey


def _commitments(c: _Checker, raw: Any) -> dict[str, Any]:
    data = c.mapping(raw, "commitments", required=False)
    result = {}
    for key, value in data.items():
        entry = c.mapping(value, f"commitments.{key}")
        c.unknown_keys(entry, {"title"}, f"commitments.{key}")
        result[str(key)] = {"title": c.texts(entry.get("title"), f"commitments.{key}.title")}
    return result


def _choice_list(c: _Checker, raw: Any, path: str) -> list[dict[str, Any]]:
    items = c.sequence(raw, path)
    result, seen = [], set()
    for index, item in enumerate(items):
        item_path = f"{path}[{index}]"
        entry = c.mapping(item, item_path)
        c.unknown_keys(entry, {"code", "label"}, item_path)
        code = c.code(entry.get("code"), f"{item_path}.code")
        if code and code in seen:
            c.add(f"{item_path}.code", f"duplicate code {code!r}")
        seen.add(code)
        result.append({"code": code, "label": c.texts(entry.get("label"), f"{item_path}.label")})
    return result


def _option_sets(c: _Checker, raw: Any) -> dict[str, Any]:
    data = c.mapping(raw, "option_sets", required=False)
    result = {}
    for key, value in data.items():
        path = f"option_sets.{key}"
        code = c.code(key, path, what="option set code")
        entry = c.mapping(value, path)
        c.unknown_keys(entry, {"options"}, path)
        result[code] = {"options": _choice_list(c, entry.get("options"), f"{path}.options")}
    return result


def _areas(c: _Checker, raw: Any, option_sets: dict[str, Any], survey: dict[str, Any]) -> list[dict[str, Any]]:
    areas = c.sequence(raw, "areas")
    seen_areas: set[str] = set()
    seen_sections: set[str] = set()
    questions: dict[str, dict[str, Any]] = {}  # code -> canonical question, in file order
    result = []
    for a_index, raw_area in enumerate(areas):
        a_path = f"areas[{a_index}]"
        area = c.mapping(raw_area, a_path)
        c.unknown_keys(area, AREA_KEYS, a_path)
        a_code = c.code(area.get("code"), f"{a_path}.code", AREA_RE, "area code")
        if a_code and a_code in seen_areas:
            c.add(f"{a_path}.code", f"duplicate area code {a_code!r}")
        seen_areas.add(a_code)
        sections = []
        for s_index, raw_section in enumerate(c.sequence(area.get("sections"), f"{a_path}.sections")):
            s_path = f"{a_path}.sections[{s_index}]"
            section = c.mapping(raw_section, s_path)
            c.unknown_keys(section, SECTION_KEYS, s_path)
            s_code = c.code(section.get("code"), f"{s_path}.code", SECTION_RE, "section code")
            if s_code and a_code and not s_code.startswith(a_code + "."):
                c.add(f"{s_path}.code", f"section code {s_code!r} must start with its area code {a_code}.")
            if s_code and s_code in seen_sections:
                c.add(f"{s_path}.code", f"duplicate section code {s_code!r}")
            seen_sections.add(s_code)
            items = []
            for q_index, raw_q in enumerate(c.sequence(section.get("items"), f"{s_path}.items")):
                q_path = f"{s_path}.items[{q_index}]"
                question = _question(c, raw_q, q_path, option_sets, questions)
                if question["code"] and s_code and not question["code"].startswith(s_code + "."):
                    c.add(
                        f"{q_path}.code",
                        f"question code {question['code']!r} must start with its section code {s_code}.",
                    )
                if question["code"] in questions:
                    c.add(f"{q_path}.code", f"duplicate question code {question['code']!r}")
                elif question["code"]:
                    questions[question["code"]] = question
                items.append(question)
            sections.append(
                {
                    "code": s_code,
                    "title": c.texts(section.get("title"), f"{s_path}.title"),
                    "description": c.texts(section.get("description"), f"{s_path}.description", required=False),
                    "items": items,
                }
            )
        result.append(
            {
                "code": a_code,
                "title": c.texts(area.get("title"), f"{a_path}.title"),
                "description": c.texts(area.get("description"), f"{a_path}.description", required=False),
                "commitments": _string_list(c, area.get("commitments"), f"{a_path}.commitments"),
                "sections": sections,
            }
        )
    _check_audiences(c, result, survey)
    return result


def _check_audiences(c: _Checker, areas: list[dict[str, Any]], survey: dict[str, Any]) -> None:
    kinds = set(survey["respondent_kinds"])
    for a_index, area in enumerate(areas):
        for s_index, section in enumerate(area["sections"]):
            for q_index, question in enumerate(section["items"]):
                audience = question["audience"]
                wanted = {"state", "ngo"} if audience == Audience.BOTH else {audience}
                if kinds and not wanted & kinds:
                    c.add(
                        f"areas[{a_index}].sections[{s_index}].items[{q_index}].audience",
                        f"audience {audience!r} is not among the round's respondent_kinds {sorted(kinds)}",
                    )


def _string_list(c: _Checker, raw: Any, path: str) -> list[str]:
    items = c.sequence(raw, path, required=False)
    result = []
    for index, item in enumerate(items):
        if not isinstance(item, str) or not item.strip():
            c.add(f"{path}[{index}]", "expected a text")
        else:
            result.append(item.strip())
    return result


def _question(
    c: _Checker, raw: Any, path: str, option_sets: dict[str, Any], earlier: dict[str, dict[str, Any]]
) -> dict[str, Any]:
    data = c.mapping(raw, path)
    c.unknown_keys(data, QUESTION_KEYS, path)
    code = c.code(data.get("code"), f"{path}.code", QUESTION_RE, "question code")
    qtype = data.get("type")
    if qtype not in at.ANSWER_TYPES:
        c.add(f"{path}.type", f"unknown answer type {qtype!r} (use one of: {', '.join(at.ANSWER_TYPES)})")
        qtype = None
    audience = data.get("audience", Audience.BOTH.value)
    if audience not in Audience.values:
        c.add(f"{path}.audience", f"unknown audience {audience!r} (use state, ngo or both)")
    q: dict[str, Any] = {
        "code": code,
        "type": qtype or "",
        "audience": audience,
        "required": c.boolean(data.get("required"), f"{path}.required", default=qtype != "file"),
        "scored": c.boolean(data.get("scored"), f"{path}.scored", default=False),
        "text": c.texts(data.get("text"), f"{path}.text"),
        "help": c.texts(data.get("help"), f"{path}.help", required=False),
        "headline": c.texts(data.get("headline"), f"{path}.headline", required=False),
    }
    answer_type = at.ANSWER_TYPES.get(qtype or "")
    allowed_extra = _EXTRA_KEYS.get(qtype or "", set())
    for key in ("options", "exclusive", "rows", "dimensions", "fields", "number_label"):
        if key in data and key not in allowed_extra and answer_type is not None:
            c.add(f"{path}.{key}", f"not used by type {qtype!r}")
    codes: list[str] = []
    if answer_type is not None and answer_type.has_choices:
        q["options"], codes = _options_ref(c, data.get("options"), f"{path}.options", option_sets)
    if qtype == "multi_select":
        q["exclusive"] = []
        for index, value in enumerate(c.sequence(data.get("exclusive"), f"{path}.exclusive", required=False)):
            value = c.code(value, f"{path}.exclusive[{index}]", what="option code")
            if value and codes and value not in codes:
                c.add(f"{path}.exclusive[{index}]", f"{value!r} is not one of this question's options")
            q["exclusive"].append(value)
    if answer_type is not None and answer_type.has_rows:
        q["rows"] = _choice_list(c, data.get("rows"), f"{path}.rows")
    if qtype == "integer_matrix":
        q["dimensions"] = _dimensions(c, data.get("dimensions"), f"{path}.dimensions", option_sets)
    if qtype == "composite":
        q["fields"] = _fields(c, data.get("fields"), f"{path}.fields", option_sets)
    if qtype == "yes_no_plus_integer":
        q["number_label"] = c.texts(data.get("number_label"), f"{path}.number_label", required=False)
    q["validation"] = _validation(c, data.get("validation"), f"{path}.validation", qtype)
    if q["scored"] and not (answer_type is not None and answer_type.is_choice and "yes" in codes):
        c.add(f"{path}.scored", "only a single-choice question with a 'yes' option can be scored")
    q["show_if"] = _show_if(c, data.get("show_if"), f"{path}.show_if", earlier, option_sets)
    q["commitments"] = _string_list(c, data.get("commitments"), f"{path}.commitments")
    return q


_EXTRA_KEYS: dict[str, set[str]] = {
    "single_select": {"options"},
    "multi_select": {"options", "exclusive"},
    "matrix": {"options", "rows"},
    "likert_matrix": {"options", "rows"},
    "integer_matrix": {"dimensions"},
    "composite": {"fields"},
    "yes_no_plus_integer": {"options", "number_label"},
}


def _options_ref(c: _Checker, raw: Any, path: str, option_sets: dict[str, Any]) -> tuple[Any, list[str]]:
    """An option set code (kept as a reference) or an inline list of options."""
    if isinstance(raw, str):
        if raw not in option_sets:
            c.add(
                path, f"unknown option set {raw!r}" + (f" (defined: {', '.join(option_sets)})" if option_sets else "")
            )
            return raw, []
        return raw, [o["code"] for o in option_sets[raw]["options"]]
    if isinstance(raw, list):
        options = _choice_list(c, raw, path)
        return options, [o["code"] for o in options]
    c.add(path, "expected an option set code or a list of options" if raw is not None else "is missing")
    return None, []


def _dimensions(c: _Checker, raw: Any, path: str, option_sets: dict[str, Any]) -> list[dict[str, Any]]:
    result = []
    seen = set()
    items = c.sequence(raw, path)
    if items and len(items) < 2:
        c.add(path, "a breakdown table needs at least two dimensions (rows and columns)")
    for index, item in enumerate(items):
        d_path = f"{path}[{index}]"
        entry = c.mapping(item, d_path)
        c.unknown_keys(entry, {"code", "label", "values"}, d_path)
        code = c.code(entry.get("code"), f"{d_path}.code", what="dimension code")
        if code in seen:
            c.add(f"{d_path}.code", f"duplicate dimension {code!r}")
        seen.add(code)
        values = entry.get("values")
        dimension: dict[str, Any] = {
            "code": code,
            "label": c.texts(entry.get("label"), f"{d_path}.label", required=False),
        }
        if values == REFERENCE_PERIOD or (isinstance(values, str) and values in option_sets):
            dimension["values"] = values
        elif isinstance(values, str):
            c.add(f"{d_path}.values", f"unknown option set {values!r} (or use reference_period)")
            dimension["values"] = values
        else:
            dimension["values"] = _choice_list(c, values, f"{d_path}.values")
        for v_index, value in enumerate(dimension["values"] if isinstance(dimension["values"], list) else []):
            if at.ROW_KEY_SEPARATOR in value["code"]:
                c.add(f"{d_path}.values[{v_index}].code", "must not contain a dot")
        result.append(dimension)
    return result


def _fields(c: _Checker, raw: Any, path: str, option_sets: dict[str, Any]) -> list[dict[str, Any]]:
    result, seen = [], set()
    for index, item in enumerate(c.sequence(raw, path)):
        f_path = f"{path}[{index}]"
        entry = c.mapping(item, f_path)
        c.unknown_keys(entry, {"code", "label", "kind", "options"}, f_path)
        code = c.code(entry.get("code"), f"{f_path}.code", what="field code")
        if code in seen:
            c.add(f"{f_path}.code", f"duplicate field {code!r}")
        seen.add(code)
        kind = entry.get("kind")
        if kind not in at.COMPOSITE_FIELD_KINDS:
            c.add(f"{f_path}.kind", f"unknown field kind {kind!r} (use {', '.join(at.COMPOSITE_FIELD_KINDS)})")
        field: dict[str, Any] = {
            "code": code,
            "label": c.texts(entry.get("label"), f"{f_path}.label", required=False),
            "kind": kind,
        }
        if kind == at.CHOICE:
            field["options"], _codes = _options_ref(c, entry.get("options"), f"{f_path}.options", option_sets)
        elif "options" in entry:
            c.add(f"{f_path}.options", f"not used by a {kind} field")
        result.append(field)
    return result


def _validation(c: _Checker, raw: Any, path: str, qtype: str | None) -> dict[str, Any]:
    data = c.mapping(raw, path, required=False)
    c.unknown_keys(data, VALIDATION_KEYS, path)
    result: dict[str, Any] = {}
    for key in ("min", "max"):
        if key in data:
            value = data[key]
            if qtype == "date":
                parsed = _date(c, value, f"{path}.{key}")
                if parsed:
                    result[key] = parsed
            elif isinstance(value, bool) or not isinstance(value, (int, float)):
                c.add(f"{path}.{key}", f"expected a number, not {value!r}")
            else:
                result[key] = value
    if "min" in result and "max" in result and result["min"] > result["max"]:
        c.add(path, f"min ({result['min']}) is greater than max ({result['max']})")
    for key in ("min_length", "max_length", "decimal_places"):
        if key in data:
            value = c.integer(data[key], f"{path}.{key}")
            if value is not None and value < 0:
                c.add(f"{path}.{key}", "must not be negative")
            elif value is not None:
                result[key] = value
    if result.get("decimal_places", 0) > at.DECIMAL_MAX_PLACES:
        c.add(f"{path}.decimal_places", f"at most {at.DECIMAL_MAX_PLACES}")
    return result


def _show_if(
    c: _Checker, raw: Any, path: str, earlier: dict[str, dict[str, Any]], option_sets: dict[str, Any]
) -> dict[str, Any] | None:
    if raw is None:
        return None
    data = c.mapping(raw, path)
    c.unknown_keys(data, {"question", "row", "in"}, path)
    target_code = data.get("question")
    target = earlier.get(target_code) if isinstance(target_code, str) else None
    if target is None:
        c.add(f"{path}.question", f"{target_code!r} is not a question defined earlier in this file")
    wanted = c.sequence(data.get("in"), f"{path}.in")
    wanted = [c.code(v, f"{path}.in[{i}]", what="option code") for i, v in enumerate(wanted)]
    row = data.get("row")
    result: dict[str, Any] = {"question": target_code, "in": wanted}
    if row is not None:
        result["row"] = row
    if target is None:
        return result
    allowed = _choice_codes_of(target, row, option_sets)
    if allowed is None:
        c.add(path, f"{target_code} ({target['type']}) has no options to compare" + (f" in row {row!r}" if row else ""))
        return result
    for index, value in enumerate(wanted):
        if value and value not in allowed:
            c.add(
                f"{path}.in[{index}]", f"{value!r} is not an option of {target_code}" + (f" row {row!r}" if row else "")
            )
    return result


def _choice_codes_of(target: dict[str, Any], row: Any, option_sets: dict[str, Any]) -> list[str] | None:
    def codes(ref: Any) -> list[str]:
        if isinstance(ref, str):
            return [o["code"] for o in option_sets.get(ref, {}).get("options", [])]
        return [o["code"] for o in ref or []]

    qtype = target["type"]
    if qtype in ("single_select", "multi_select", "yes_no_plus_integer") and row is None:
        return codes(target.get("options"))
    if qtype in ("matrix", "likert_matrix") and row in {r["code"] for r in target.get("rows", [])}:
        return codes(target.get("options"))
    if qtype == "composite":
        for field in target.get("fields", []):
            if field["code"] == row and field["kind"] == at.CHOICE:
                return codes(field.get("options"))
    return None


def dump_definition(definition: dict[str, Any]) -> str:
    """The YAML text of a canonical definition: stable, so export -> load -> export gives identical text."""
    return yaml.safe_dump(_prune(definition), sort_keys=False, allow_unicode=True, width=110, default_flow_style=False)


def _prune(value: Any) -> Any:
    """Drop empty optional keys so exported files stay as short as hand-written ones."""
    if isinstance(value, dict):
        keep = {"previous", "required", "in"}
        return {k: _prune(v) for k, v in value.items() if k in keep or not _is_blank(v)}
    if isinstance(value, list):
        return [_prune(v) for v in value]
    return value


def _is_blank(value: Any) -> bool:
    return value is None or value is False or (isinstance(value, (dict, list, str)) and len(value) == 0)
