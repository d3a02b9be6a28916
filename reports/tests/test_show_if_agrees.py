"""The report's pandas form of show-if (`drop_hidden`) agrees with the one rule, surveys.show_if.is_shown."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from reports.aggregation import ANSWER_COLUMNS, KIND_ASKED, drop_hidden
from surveys.show_if import NOT_ASKED, is_shown

# (rule, audience of the question it depends on, respondent kind, that question's answer: (row, text, choices))
CASES: list[tuple[dict[str, Any], str, str, tuple[str, str | None, list[str] | None] | None]] = [
    ({"question": "T", "in": ["yes", "in_process"]}, "both", "state", ("", "yes", None)),
    ({"question": "T", "in": ["yes", "in_process"]}, "both", "state", ("", "in_process", None)),
    ({"question": "T", "in": ["yes", "in_process"]}, "both", "state", ("", "no", None)),
    ({"question": "T", "in": ["yes"]}, "both", "ngo", None),
    ({"question": "T", "in": ["shelter"]}, "ngo", "ngo", ("", None, ["shelter", "advocacy"])),
    ({"question": "T", "in": ["shelter"]}, "ngo", "ngo", ("", None, ["research"])),
    ({"question": "T", "in": ["shelter"]}, "ngo", "ngo", ("", None, [])),
    ({"question": "T", "in": ["yes"]}, "state", "ngo", None),  # not asked of NGOs: the rule does not apply
    ({"question": "T", "in": ["yes"]}, "state", "ngo", ("", "no", None)),
    ({"question": "T", "in": ["yes"]}, "state", "partner", ("", "no", None)),
    ({"question": "T", "in": ["yes"]}, "state", "partner", None),
    ({"question": "T", "row": "in_force", "in": ["yes"]}, "both", "state", ("in_force", "yes", None)),
    ({"question": "T", "row": "in_force", "in": ["yes"]}, "both", "state", ("adopted", "yes", None)),
    ({"question": "T", "row": "in_force", "in": ["yes"]}, "both", "state", ("in_force", "no", None)),
]


@pytest.mark.parametrize(("rule", "audience", "kind", "answer"), CASES)
def test_drop_hidden_keeps_an_answer_exactly_when_is_shown_says_its_question_is_shown(
    rule: dict[str, Any], audience: str, kind: str, answer: tuple[str, str | None, list[str] | None] | None
) -> None:
    questions = [{"code": "T", "audience": audience}, {"code": "D", "audience": "both", "show_if": rule}]
    rows = [("org", kind, "AT", "D", "", "", "integer", None, 1.0, None)]
    if answer is not None:
        row, text, choices = answer
        rows.append(
            ("org", kind, "AT", "T", row, "", "choices" if choices is not None else "choice", text, None, choices)
        )

    def lookup(code: str, row: str) -> Any:
        if audience not in KIND_ASKED[kind]:
            return NOT_ASKED
        if answer is None or answer[0] != row:
            return None
        return answer[2] or answer[1]

    kept = drop_hidden(pd.DataFrame(rows, columns=ANSWER_COLUMNS), questions)

    assert ("D" in set(kept["question"])) is is_shown(rule, lookup)
