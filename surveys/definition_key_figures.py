"""Reading a definition's `key_figures:`: the chains of figures a report relates (victims identified → assisted →
compensated; cases investigated → persons prosecuted → convicted).

Each chain has a code, a title in the six languages and at least two steps in order. A step names a number question
of the round (a whole number per year, a breakdown table with a year dimension, a number): either its code alone, or
a mapping `{question: code, label: {en: ..., ...}}` whose label names the step in report sentences ("identified
victims"). The canonical form is always the mapping, so that export -> load -> export gives identical text.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from . import answer_types as at
from .definition_reader import QUESTION_RE, _Checker

CHAIN_KEYS = {"code", "title", "steps"}
STEP_KEYS = {"question", "label"}
NUMBER_ROLES = (at.REPORT_NUMBERS, at.REPORT_TABLE)


def key_figures_def(c: _Checker, raw: Any, areas: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The canonical key-figure chains; every problem is recorded with its place (`key_figures[0].steps[1]`)."""
    types = {q["code"]: q["type"] for area in areas for section in area["sections"] for q in section["items"]}
    chains = []
    seen: set[str] = set()
    for index, raw_chain in enumerate(c.sequence(raw, "key_figures", required=False)):
        path = f"key_figures[{index}]"
        chain = c.mapping(raw_chain, path)
        c.unknown_keys(chain, CHAIN_KEYS, path)
        code = c.code(chain.get("code"), f"{path}.code")
        if code and code in seen:
            c.add(f"{path}.code", _("duplicate key-figure code %(code)s") % {"code": repr(code)})
        seen.add(code)
        steps = [_step(c, raw_step, f"{path}.steps[{s}]", types) for s, raw_step in enumerate(_steps(c, chain, path))]
        chains.append({"code": code, "title": c.texts(chain.get("title"), f"{path}.title"), "steps": steps})
    return chains


def _steps(c: _Checker, chain: dict[str, Any], path: str) -> list[Any]:
    steps = c.sequence(chain.get("steps"), f"{path}.steps")
    if len(steps) == 1:
        c.add(f"{path}.steps", _("a chain of key figures needs at least two steps"))
    return steps


def _step(c: _Checker, raw: Any, path: str, types: dict[str, str]) -> dict[str, Any]:
    if isinstance(raw, str):
        raw = {"question": raw}
    data = c.mapping(raw, path)
    c.unknown_keys(data, STEP_KEYS, path)
    where = f"{path}.question" if "question" in data or not data else path
    code = c.code(data.get("question"), where, QUESTION_RE, "question code") if data else ""
    if code:
        type_code = types.get(code)
        if type_code is None:
            c.add(where, _("unknown question %(code)s: no question of the round has this code") % {"code": repr(code)})
        elif type_code in at.ANSWER_TYPES and at.get_type(type_code).report_role not in NUMBER_ROLES:
            c.add(
                where,
                _("question %(code)s is not a number question (its type is %(type)s)")
                % {"code": repr(code), "type": type_code},
            )
    return {"question": code, "label": c.texts(data.get("label"), f"{path}.label", required=False)}
