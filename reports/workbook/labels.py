"""Texts of a report's questions, options, areas and regions in the workbook's language."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from surveys.i18n import pick

from ..state_names import respondent_option_labels


class Labels:
    """Texts of the report's questions, options and areas in one language (English where a text is missing)."""

    def __init__(self, report: Mapping[str, Any], language: str, regions: Mapping[str, Mapping[str, Any]]) -> None:
        self.language = language
        self.questions: dict[str, Mapping[str, Any]] = {q["code"]: q for q in report["questions"]}
        self.options = {
            q["code"]: {o["code"]: pick(o.get("label"), language) or o["code"] for o in q.get("options", [])}
            for q in report["questions"]
        }
        self.rows = {
            q["code"]: {r["code"]: pick(r.get("label"), language) or r["code"] for r in q.get("rows", [])}
            for q in report["questions"]
        }
        self.areas = {a["code"]: pick(a.get("title"), language) for a in report["areas"]}
        # Composite fields keep their options out of the report's question list: their codes get the label the same
        # code has elsewhere in the round (the fields use the round's option sets), else the code itself.
        self.any_option: dict[str, str] = {}
        for options in self.options.values():
            for code, label in options.items():
                self.any_option.setdefault(code, label)
        self.regions = {code: pick(r["names"], language) for code, r in regions.items()}
        # The options of the questions about the respondent (GEN.R.01 "which State") name the States in every
        # language: the directory keeps one name per organisation.
        self.respondent_options = {
            code: pick(label, language) or code for code, label in respondent_option_labels(report["questions"]).items()
        }

    def text(self, code: str) -> str:
        return pick(self.questions.get(code, {}).get("text"), self.language)

    def option(self, question: str, code: Any) -> str:
        if code is None:
            return ""
        code = str(code)
        return self.options.get(question, {}).get(code) or self.any_option.get(code, code)

    def row(self, question: str, code: str) -> str:
        return self.rows.get(question, {}).get(code, code)

    def state(self, code: str) -> str:
        """A State's name in the workbook's language when a question about the respondent lists it, else ""."""
        return self.respondent_options.get(code, "")
