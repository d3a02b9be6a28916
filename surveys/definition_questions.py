"""Reading one question of a definition file: its common keys here, its type's own keys by its answer type.

Each answer type reads its own keys (`AnswerType.read_definition`: options, rows, dimensions, fields …), its
validation bounds (`read_bound`) and says which of its options a show-if rule may compare (`show_if_choices`); this
module gives the types a `QuestionReader` over the file's problems and option sets, and checks what all questions share.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from . import answer_types as at
from .definition_commitments import read_references
from .definition_reader import QUESTION_RE, _Checker, choice_list, read_date
from .models import REFERENCE_PERIOD, Audience

QUESTION_KEYS = {
    "code", "type", "audience", "required", "scored", "text", "short", "help", "headline", "options", "exclusive",
    "rows", "dimensions", "fields", "validation", "number_label", "show_if", "commitments", "about_respondent",
}  # fmt: skip
SHORT_MAX = 60  # a short label fits a chart title on one line
_NUMBERS = at.AnswerType()  # an unknown type's bounds are read as numbers
VALIDATION_KEYS = {"min", "max", "min_length", "max_length", "decimal_places"}


TYPE_KEYS = ("options", "exclusive", "rows", "dimensions", "fields", "number_label")  # used by some types only


class QuestionReader:
    """What an answer type may ask while it reads its own keys (`answer_types.DefinitionReader`)."""

    def __init__(self, checker: _Checker, option_sets: dict[str, Any]) -> None:
        self.checker = checker
        self.option_sets = option_sets

    def add(self, path: str, message: str) -> None:
        self.checker.add(path, message)

    def options(self, raw: Any, path: str) -> tuple[Any, list[str]]:
        return _options_ref(self.checker, raw, path, self.option_sets)

    def choice_list(self, raw: Any, path: str) -> list[dict[str, Any]]:
        return choice_list(self.checker, raw, path)

    def dimensions(self, raw: Any, path: str) -> list[dict[str, Any]]:
        return _dimensions(self.checker, raw, path, self.option_sets)

    def fields(self, raw: Any, path: str) -> list[dict[str, Any]]:
        return _fields(self.checker, raw, path, self.option_sets)

    def texts(self, value: Any, path: str, required: bool = True) -> dict[str, str]:
        return self.checker.texts(value, path, required=required)

    def sequence(self, value: Any, path: str, required: bool = True) -> list[Any]:
        return self.checker.sequence(value, path, required=required)

    def code(self, value: Any, path: str, what: str = "code") -> str:
        return self.checker.code(value, path, what=what)

    def date(self, value: Any, path: str) -> str | None:
        return read_date(self.checker, value, path)


def question_def(
    c: _Checker, raw: Any, path: str, option_sets: dict[str, Any], earlier: dict[str, dict[str, Any]]
) -> dict[str, Any]:
    """The canonical form of one question; its type reads its own keys."""
    data = c.mapping(raw, path)
    c.unknown_keys(data, QUESTION_KEYS, path)
    code = c.code(data.get("code"), f"{path}.code", QUESTION_RE, "question code")
    type_code = data.get("type")
    answer_type = at.ANSWER_TYPES.get(type_code) if isinstance(type_code, str) else None
    if answer_type is None:
        c.add(
            f"{path}.type",
            _("unknown answer type %(type)s (use one of: %(types)s)")
            % {"type": repr(type_code), "types": ", ".join(at.ANSWER_TYPES)},
        )
    audience = data.get("audience", Audience.BOTH.value)
    if audience not in Audience.values:
        c.add(
            f"{path}.audience",
            _("unknown audience %(audience)s (use state, ngo or both)") % {"audience": repr(audience)},
        )
    default_required = answer_type.default_required if answer_type is not None else True
    q: dict[str, Any] = {
        "code": code,
        "type": answer_type.code if answer_type is not None else "",
        "audience": audience,
        "required": c.boolean(data.get("required"), f"{path}.required", default=default_required),
        "scored": c.boolean(data.get("scored"), f"{path}.scored", default=False),
        # Describes the respondent (which State, the language of answering), not what a State does: such answers
        # are never compared between a State and NGOs, nor between rounds.
        "about_respondent": c.boolean(data.get("about_respondent"), f"{path}.about_respondent", default=False),
        "text": c.texts(data.get("text"), f"{path}.text"),
        "short": _short(c, data.get("short"), f"{path}.short"),
        "help": c.texts(data.get("help"), f"{path}.help", required=False),
        "headline": c.texts(data.get("headline"), f"{path}.headline", required=False),
    }
    codes: list[str] = []
    if answer_type is not None:
        for key in TYPE_KEYS:
            if key in data and key not in answer_type.definition_keys:
                c.add(f"{path}.{key}", _("not used by type %(type)s") % {"type": repr(answer_type.code)})
        own, codes = answer_type.read_definition(QuestionReader(c, option_sets), data, path)
        q.update(own)
    q["validation"] = _validation(c, data.get("validation"), f"{path}.validation", answer_type, option_sets)
    if q["scored"] and not (answer_type is not None and answer_type.is_choice and "yes" in codes):
        c.add(f"{path}.scored", _("only a single-choice question with a 'yes' option can be scored"))
    q["show_if"] = _show_if(c, data.get("show_if"), f"{path}.show_if", earlier, option_sets)
    q["commitments"] = read_references(c, data.get("commitments"), f"{path}.commitments")
    return q


def _short(c: _Checker, raw: Any, path: str) -> dict[str, str]:
    """The optional short label (chart titles, tables): at most SHORT_MAX characters in every language."""
    texts = c.texts(raw, path, required=False)
    for language, text in texts.items():
        if len(text) > SHORT_MAX:
            c.add(
                f"{path}.{language}",
                _("at most %(max)d characters (this one has %(length)d)") % {"max": SHORT_MAX, "length": len(text)},
            )
    if texts and "en" not in texts:
        c.add(path, _("the English text (en) is required"))
    return texts


def _options_ref(c: _Checker, raw: Any, path: str, option_sets: dict[str, Any]) -> tuple[Any, list[str]]:
    """An option set code (kept as a reference) or an inline list of options."""
    if isinstance(raw, str):
        if raw not in option_sets:
            if option_sets:
                message = _("unknown option set %(code)s (defined: %(defined)s)") % {
                    "code": repr(raw),
                    "defined": ", ".join(option_sets),
                }
            else:
                message = _("unknown option set %(code)s") % {"code": repr(raw)}
            c.add(path, message)
            return raw, []
        return raw, [o["code"] for o in option_sets[raw]["options"]]
    if isinstance(raw, list):
        options = choice_list(c, raw, path)
        return options, [o["code"] for o in options]
    c.add(path, _("expected an option set code or a list of options") if raw is not None else _("is missing"))
    return None, []


def _dimensions(c: _Checker, raw: Any, path: str, option_sets: dict[str, Any]) -> list[dict[str, Any]]:
    result = []
    seen = set()
    items = c.sequence(raw, path)
    if items and len(items) < 2:
        c.add(path, _("a breakdown table needs at least two dimensions (rows and columns)"))
    for index, item in enumerate(items):
        d_path = f"{path}[{index}]"
        entry = c.mapping(item, d_path)
        c.unknown_keys(entry, {"code", "label", "values"}, d_path)
        code = c.code(entry.get("code"), f"{d_path}.code", what="dimension code")
        if code in seen:
            c.add(f"{d_path}.code", _("duplicate dimension %(code)s") % {"code": repr(code)})
        seen.add(code)
        values = entry.get("values")
        dimension: dict[str, Any] = {
            "code": code,
            "label": c.texts(entry.get("label"), f"{d_path}.label", required=False),
        }
        if values == REFERENCE_PERIOD or (isinstance(values, str) and values in option_sets):
            dimension["values"] = values
        elif isinstance(values, str):
            c.add(
                f"{d_path}.values", _("unknown option set %(code)s (or use reference_period)") % {"code": repr(values)}
            )
            dimension["values"] = values
        else:
            dimension["values"] = choice_list(c, values, f"{d_path}.values")
        for v_index, value in enumerate(dimension["values"] if isinstance(dimension["values"], list) else []):
            if at.ROW_KEY_SEPARATOR in value["code"]:
                c.add(f"{d_path}.values[{v_index}].code", _("must not contain a dot"))
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
            c.add(f"{f_path}.code", _("duplicate field %(code)s") % {"code": repr(code)})
        seen.add(code)
        kind = entry.get("kind")
        if kind not in at.COMPOSITE_FIELD_KINDS:
            c.add(
                f"{f_path}.kind",
                _("unknown field kind %(kind)s (use %(kinds)s)")
                % {"kind": repr(kind), "kinds": ", ".join(at.COMPOSITE_FIELD_KINDS)},
            )
        field: dict[str, Any] = {
            "code": code,
            "label": c.texts(entry.get("label"), f"{f_path}.label", required=False),
            "kind": kind,
        }
        if kind == at.CHOICE:
            field["options"], _codes = _options_ref(c, entry.get("options"), f"{f_path}.options", option_sets)
        elif "options" in entry:
            c.add(f"{f_path}.options", _("not used by a field of kind %(kind)s") % {"kind": kind})
        result.append(field)
    return result


def _validation(
    c: _Checker, raw: Any, path: str, answer_type: at.AnswerType | None, option_sets: dict[str, Any]
) -> dict[str, Any]:
    data = c.mapping(raw, path, required=False)
    c.unknown_keys(data, VALIDATION_KEYS, path)
    result: dict[str, Any] = {}
    for key in ("min", "max"):
        if key in data:
            # A date question's bounds are dates, every other type's numbers: the type reads them.
            reader = QuestionReader(c, option_sets)
            bound = (answer_type or _NUMBERS).read_bound(reader, data[key], f"{path}.{key}")
            if bound is not None and bound != "":
                result[key] = bound
    if "min" in result and "max" in result and result["min"] > result["max"]:
        c.add(path, _("min (%(min)s) is greater than max (%(max)s)") % {"min": result["min"], "max": result["max"]})
    for key in ("min_length", "max_length", "decimal_places"):
        if key in data:
            value = c.integer(data[key], f"{path}.{key}")
            if value is not None and value < 0:
                c.add(f"{path}.{key}", _("must not be negative"))
            elif value is not None:
                result[key] = value
    if result.get("decimal_places", 0) > at.DECIMAL_MAX_PLACES:
        c.add(f"{path}.decimal_places", _("at most %(places)d") % {"places": at.DECIMAL_MAX_PLACES})
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
        c.add(
            f"{path}.question",
            _("%(code)s is not a question defined earlier in this file") % {"code": repr(target_code)},
        )
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
        if row:
            message = _("%(code)s (%(type)s) has no options to compare in row %(row)s")
        else:
            message = _("%(code)s (%(type)s) has no options to compare")
        c.add(path, message % {"code": target_code, "type": target["type"], "row": repr(row)})
        return result
    for index, value in enumerate(wanted):
        if value and value not in allowed:
            if row:
                message = _("%(value)s is not an option of %(code)s row %(row)s")
            else:
                message = _("%(value)s is not an option of %(code)s")
            c.add(f"{path}.in[{index}]", message % {"value": repr(value), "code": target_code, "row": repr(row)})
    return result


def _choice_codes_of(target: dict[str, Any], row: Any, option_sets: dict[str, Any]) -> list[str] | None:
    def codes(ref: Any) -> list[str]:
        if isinstance(ref, str):
            return [o["code"] for o in option_sets.get(ref, {}).get("options", [])]
        return [o["code"] for o in ref or []]

    answer_type = at.ANSWER_TYPES.get(target["type"])
    return answer_type.show_if_choices(target, row, codes) if answer_type is not None else None
