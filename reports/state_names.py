"""The names of participating States in every language, from the round's own questionnaire.

The options of the questions about the respondent (GEN.R.01 "Which participating State does this response cover?")
are the States, each under its organisation code, with a label in every language; the directory keeps one (English)
name per organisation. The workbook and the public results page name States with these labels.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any


def respondent_option_labels(questions: Iterable[Mapping[str, Any]]) -> dict[str, Mapping[str, str]]:
    """{option code: {language: label}} of the options of the report's questions marked `about_respondent` (the
    first question listing a code wins)."""
    labels: dict[str, Mapping[str, str]] = {}
    for question in questions:
        if question.get("about_respondent"):
            for option in question.get("options") or []:
                labels.setdefault(option["code"], option.get("label") or {})
    return labels
