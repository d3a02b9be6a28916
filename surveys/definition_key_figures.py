"""Reading a definition's `key_figures:`: the chains of figures a report relates (victims identified → assisted →
compensated; cases investigated → persons prosecuted → convicted).

Each chain has a code, a title in the six languages and at least two steps in order. A step names a question of the
round that gives a figure per reference year and is asked of States (the key figures count participating States
only): a whole number per year (`integer_per_year`) or a breakdown table with a year dimension (`integer_matrix`
with `values: reference_period`); a single number (`integer`, `decimal`), a table without years or an NGO-only
question would never give a figure, so the loader refuses it with its place. A step is either the question's code
alone, or a mapping `{question: code, label: {en: ..., ...}}` whose label names the step in report sentences
("identified victims"): English is required when a label is given, the other languages are optional like every text
of a definition (a sentence in a language the label lacks names the step by the question's short label or text in
that language: `reports.key_figure_sentences.step_name`). The canonical form is always the mapping, so that export
-> load -> export gives identical text.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from . import answer_types as at
from .definition_reader import QUESTION_RE, _Checker
from .models import REFERENCE_PERIOD, Audience

CHAIN_KEYS = {"code", "title", "steps"}
STEP_KEYS = {"question", "label"}
NUMBER_ROLES = (at.REPORT_NUMBERS, at.REPORT_TABLE)


def key_figures_def(
    c: _Checker, raw: Any, areas: list[dict[str, Any]], option_sets: dict[str, Any], years: tuple[int, ...]
) -> list[dict[str, Any]]:
    """The canonical key-figure chains; every problem is recorded with its place (`key_figures[0].steps[1]`).

    `years` are the round's reference years (none when its reference period is wrong, already reported: then a
    step is not checked for years)."""
    questions = {q["code"]: q for area in areas for section in area["sections"] for q in section["items"]}
    step = StepChecker(c, questions, option_sets, years)
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
        steps = [step.read(raw_step, f"{path}.steps[{s}]") for s, raw_step in enumerate(_steps(c, chain, path))]
        chains.append({"code": code, "title": c.texts(chain.get("title"), f"{path}.title"), "steps": steps})
    return chains


def _steps(c: _Checker, chain: dict[str, Any], path: str) -> list[Any]:
    steps = c.sequence(chain.get("steps"), f"{path}.steps")
    if len(steps) == 1:
        c.add(f"{path}.steps", _("a chain of key figures needs at least two steps"))
    return steps


class StepChecker:
    """Reads one step: its question must give a figure per reference year and be asked of States."""

    def __init__(
        self, c: _Checker, questions: dict[str, dict[str, Any]], option_sets: dict[str, Any], years: tuple[int, ...]
    ) -> None:
        self.c = c
        self.questions = questions
        self.option_sets = option_sets
        self.years = years

    def read(self, raw: Any, path: str) -> dict[str, Any]:
        c = self.c
        if isinstance(raw, str):
            raw = {"question": raw}
        data = c.mapping(raw, path)
        c.unknown_keys(data, STEP_KEYS, path)
        where = f"{path}.question" if "question" in data or not data else path
        code = c.code(data.get("question"), where, QUESTION_RE, "question code") if data else ""
        if code:
            problem = self.problem(code)
            if problem:
                c.add(where, problem)
        label = c.texts(data.get("label"), f"{path}.label", required=False)
        if label and "en" not in label:
            c.add(f"{path}.label", _("the English text (en) is required"))
        return {"question": code, "label": label}

    def problem(self, code: str) -> str:
        """Why question `code` cannot be a step ("" when it can)."""
        question = self.questions.get(code)
        if question is None:
            return _("unknown question %(code)s: no question of the round has this code") % {"code": repr(code)}
        type_code = question["type"]
        if type_code not in at.ANSWER_TYPES:
            return ""  # an unknown type, already reported on the question
        answer_type = at.get_type(type_code)
        words = {"code": repr(code), "type": type_code}
        if answer_type.report_role not in NUMBER_ROLES:
            return (
                _(
                    "question %(code)s is not a number question (its type is %(type)s): a step must be a number "
                    "asked per reference year (integer_per_year) or a breakdown table with a year dimension "
                    "(values: reference_period), asked of States"
                )
                % words
            )
        if self.years and not self.per_year(question):
            if answer_type.report_role == at.REPORT_TABLE:
                return (
                    _(
                        "question %(code)s is a breakdown table without a year dimension: a step must be a number "
                        "asked per reference year (integer_per_year) or a breakdown table with a year dimension "
                        "(values: reference_period), asked of States"
                    )
                    % words
                )
            return (
                _(
                    "question %(code)s gives one figure, not one per reference year (its type is %(type)s): a step "
                    "must be a number asked per reference year (integer_per_year) or a breakdown table with a year "
                    "dimension (values: reference_period), asked of States"
                )
                % words
            )
        if question["audience"] == Audience.NGO:
            return (
                _(
                    "question %(code)s is asked of NGOs only, but key figures count participating States: a step "
                    "must be a number asked per reference year or a breakdown table with a year dimension, asked of "
                    "States (audience state or both)"
                )
                % words
            )
        return ""

    def per_year(self, question: dict[str, Any]) -> bool:
        """Whether one of the question's cells is for a reference year (as the report will count it)."""
        answer_type = at.get_type(question["type"])
        shape = at.QuestionShape(
            code=question["code"],
            type=question["type"],
            dimensions=tuple(
                (d["code"], tuple(at.Choice(code, {}) for code in self.dimension_codes(d)))
                for d in question.get("dimensions") or []
            ),
            years=self.years,
        )
        return any(answer_type.cell_year(shape, spec.key) is not None for spec in answer_type.cells(shape))

    def dimension_codes(self, dimension: dict[str, Any]) -> list[str]:
        values = dimension.get("values")
        if values == REFERENCE_PERIOD:
            return [str(year) for year in self.years]
        if isinstance(values, str):
            values = self.option_sets.get(values, {}).get("options", [])
        return [v["code"] for v in values if isinstance(v, dict) and v.get("code")] if isinstance(values, list) else []
