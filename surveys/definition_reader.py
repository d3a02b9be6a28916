"""The reader of definition files (docs/survey-definitions.md): where each problem is, and small typed readers.

`_Checker` records every problem with its place in the file (`areas[2].sections[0].items[3].options: ...`) and its
line, and each of its readers returns a safe value when the input is wrong, so that one pass finds every problem.
`surveys.definitions` reads the round, its areas and sections; `surveys.definition_questions` reads a question.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

import yaml
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
AREA_RE = re.compile(r"^[A-Z]{2,5}$")
SECTION_RE = re.compile(r"^[A-Z]{2,5}\.[A-Z]{1,6}$")
QUESTION_RE = re.compile(r"^[A-Z]{2,5}\.[A-Z]{1,6}\.\d{2,3}$")
CODE_RE = re.compile(r"^[A-Za-z0-9_]{1,60}$")
COMMITMENT_RE = re.compile(r"^(?=.{1,60}$)[A-Z][A-Z0-9]*(?:\.[A-Z0-9]+){0,9}$")
LANGUAGES = ("en", "fr", "de", "it", "ru", "es")
YAML_BOOL_WORDS = {"yes", "no", "on", "off", "true", "false", "y", "n"}


@dataclass(frozen=True)
class Problem:
    path: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        # The place stays as written in the file (a path of keys), the words around it are the reader's.
        if self.line:
            return _("%(path)s (line %(line)d): %(message)s") % {
                "path": self.path,
                "line": self.line,
                "message": self.message,
            }
        return _("%(path)s: %(message)s") % {"path": self.path, "message": self.message}


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
                            _("the key %(key)s appears twice here; YAML would keep only the last")
                            % {"key": repr(key.value)},
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
            self.add(path, _("expected a mapping (key: value lines)") if value is not None else _("is missing"))
            return {}
        return value

    def sequence(self, value: Any, path: str, required: bool = True) -> list[Any]:
        if value is None and not required:
            return []
        if not isinstance(value, list):
            self.add(path, _("expected a list (lines starting with '- ')") if value is not None else _("is missing"))
            return []
        if required and not value:
            self.add(path, _("must not be empty"))
        return value

    def code(self, value: Any, path: str, pattern: re.Pattern[str] = CODE_RE, what: str = "code") -> str:
        messages = _CODE_MESSAGES.get(what, _CODE_MESSAGES["code"])
        if isinstance(value, bool):
            self.add(path, str(messages[0]) % {"value": str(value).lower()})
            return ""
        if isinstance(value, (int, float)) and pattern is CODE_RE:
            self.add(path, str(messages[1]) % {"value": repr(value), "quoted": f'"{value}"'})
            return ""
        if not isinstance(value, str) or not pattern.match(value):
            self.add(path, str(messages[2]) % {"value": repr(value), "expected": _describe(pattern)})
            return ""
        return value

    def texts(self, value: Any, path: str, required: bool = True) -> dict[str, str]:
        if value is None and not required:
            return {}
        if isinstance(value, str) and value.strip():
            return {"en": value.strip()}
        if not isinstance(value, dict):
            self.add(path, _("expected a text or a mapping of language to text, e.g. {en: ..., fr: ...}"))
            return {}
        result: dict[str, str] = {}
        for lang, text in value.items():
            if lang not in LANGUAGES:
                self.add(
                    f"{path}.{lang}",
                    _("unknown language %(language)s (use %(languages)s)")
                    % {"language": repr(lang), "languages": ", ".join(LANGUAGES)},
                )
            elif not isinstance(text, str) or not text.strip():
                self.add(f"{path}.{lang}", _("expected a non-empty text"))
            elif "\x00" in text:
                self.add(f"{path}.{lang}", _("contains a NUL character"))
            else:
                result[lang] = text.strip()
        if required and value and "en" not in value:
            self.add(path, _("the English text (en) is required"))
        elif required and not value:
            self.add(path, _("must not be empty"))
        return {lang: result[lang] for lang in LANGUAGES if lang in result}

    def boolean(self, value: Any, path: str, default: bool) -> bool:
        if value is None:
            return default
        if not isinstance(value, bool):
            self.add(path, _("expected true or false, not %(value)s") % {"value": repr(value)})
            return default
        return value

    def integer(self, value: Any, path: str) -> int | None:
        if isinstance(value, bool) or not isinstance(value, int):
            self.add(path, _("expected a whole number, not %(value)s") % {"value": repr(value)})
            return None
        return value

    def unknown_keys(self, data: dict[str, Any], allowed: set[str], path: str) -> None:
        for key in data:
            if key not in allowed:
                self.add(
                    f"{path}.{key}" if path else str(key),
                    _("unknown key %(key)s (allowed: %(allowed)s)")
                    % {"key": repr(key), "allowed": ", ".join(sorted(allowed))},
                )


def _describe(pattern: re.Pattern[str]) -> str:
    return str(
        {
            SLUG_RE.pattern: gettext_lazy("lowercase letters, digits and hyphens, e.g. thb-2016"),
            AREA_RE.pattern: gettext_lazy("2-5 capital letters, e.g. PRV"),
            SECTION_RE.pattern: gettext_lazy("area code, a dot and capital letters, e.g. PRV.SUP"),
            QUESTION_RE.pattern: gettext_lazy("section code, a dot and two digits, e.g. PRV.SUP.01"),
            CODE_RE.pattern: gettext_lazy("letters, digits and underscores"),
            COMMITMENT_RE.pattern: gettext_lazy("capital letters and digits in parts joined by dots, e.g. AP2003.IV"),
        }.get(pattern.pattern, pattern.pattern)
    )


# The three problems of a code as whole sentences, for each kind of code (a kind put into one sentence as a
# translated word would not agree with it in every language): read as true/false, read as a number (only codes of
# CODE_RE can be), not of the expected form. %(value)s is the value as YAML read it.
_CODE_MESSAGES: dict[str, tuple[Any, Any, Any]] = {
    "code": (
        gettext_lazy('YAML read this code as %(value)s; write it in quotes, e.g. "yes" or "no"'),
        gettext_lazy("YAML read this code as the number %(value)s; write it in quotes, e.g. %(quoted)s"),
        gettext_lazy("invalid code %(value)s (expected %(expected)s)"),
    ),
    "option code": (
        gettext_lazy('YAML read this option code as %(value)s; write it in quotes, e.g. "yes" or "no"'),
        gettext_lazy("YAML read this option code as the number %(value)s; write it in quotes, e.g. %(quoted)s"),
        gettext_lazy("invalid option code %(value)s (expected %(expected)s)"),
    ),
    "option set code": (
        gettext_lazy('YAML read this option set code as %(value)s; write it in quotes, e.g. "yes" or "no"'),
        gettext_lazy("YAML read this option set code as the number %(value)s; write it in quotes, e.g. %(quoted)s"),
        gettext_lazy("invalid option set code %(value)s (expected %(expected)s)"),
    ),
    "dimension code": (
        gettext_lazy('YAML read this dimension code as %(value)s; write it in quotes, e.g. "yes" or "no"'),
        gettext_lazy("YAML read this dimension code as the number %(value)s; write it in quotes, e.g. %(quoted)s"),
        gettext_lazy("invalid dimension code %(value)s (expected %(expected)s)"),
    ),
    "field code": (
        gettext_lazy('YAML read this field code as %(value)s; write it in quotes, e.g. "yes" or "no"'),
        gettext_lazy("YAML read this field code as the number %(value)s; write it in quotes, e.g. %(quoted)s"),
        gettext_lazy("invalid field code %(value)s (expected %(expected)s)"),
    ),
    # The codes below have their own pattern: a number is reported as not of the expected form.
    "question code": (
        gettext_lazy('YAML read this question code as %(value)s; write it in quotes, e.g. "yes" or "no"'),
        None,
        gettext_lazy("invalid question code %(value)s (expected %(expected)s)"),
    ),
    "area code": (
        gettext_lazy('YAML read this area code as %(value)s; write it in quotes, e.g. "yes" or "no"'),
        None,
        gettext_lazy("invalid area code %(value)s (expected %(expected)s)"),
    ),
    "section code": (
        gettext_lazy('YAML read this section code as %(value)s; write it in quotes, e.g. "yes" or "no"'),
        None,
        gettext_lazy("invalid section code %(value)s (expected %(expected)s)"),
    ),
    "commitment code": (
        gettext_lazy('YAML read this commitment code as %(value)s; write it in quotes, e.g. "yes" or "no"'),
        None,
        gettext_lazy("invalid commitment code %(value)s (expected %(expected)s)"),
    ),
    "slug": (
        gettext_lazy('YAML read this slug as %(value)s; write it in quotes, e.g. "yes" or "no"'),
        None,
        gettext_lazy("invalid slug %(value)s (expected %(expected)s)"),
    ),
    "round slug": (
        gettext_lazy('YAML read this round slug as %(value)s; write it in quotes, e.g. "yes" or "no"'),
        None,
        gettext_lazy("invalid round slug %(value)s (expected %(expected)s)"),
    ),
}


def read_date(checker: _Checker, value: Any, path: str) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.date):
        return value.isoformat()
    try:
        return dt.date.fromisoformat(str(value)).isoformat()
    except ValueError:
        checker.add(path, _("expected a date as YYYY-MM-DD, not %(value)s") % {"value": repr(value)})
        return None


def choice_list(c: _Checker, raw: Any, path: str) -> list[dict[str, Any]]:
    items = c.sequence(raw, path)
    result, seen = [], set()
    for index, item in enumerate(items):
        item_path = f"{path}[{index}]"
        entry = c.mapping(item, item_path)
        c.unknown_keys(entry, {"code", "label"}, item_path)
        code = c.code(entry.get("code"), f"{item_path}.code")
        if code and code in seen:
            c.add(f"{item_path}.code", _("duplicate code %(code)s") % {"code": repr(code)})
        seen.add(code)
        result.append({"code": code, "label": c.texts(entry.get("label"), f"{item_path}.label")})
    return result
