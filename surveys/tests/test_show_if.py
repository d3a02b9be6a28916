"""Show-if as one pure function: a question is shown when the answer it depends on chose one of the listed options."""

from __future__ import annotations

from typing import Any

import pytest

from surveys.show_if import NOT_ASKED, chosen_codes, depends_on, is_shown

RULE = {"question": "PRV.SUP.01", "in": ["yes", "in_process"]}


def lookup_of(answers: dict[tuple[str, str], Any]) -> Any:
    return lambda code, row: answers.get((code, row))


def test_a_question_without_a_rule_is_shown() -> None:
    assert is_shown(None, lookup_of({}))
    assert is_shown({}, lookup_of({}))


@pytest.mark.parametrize(
    ("answer", "shown"),
    [
        ("yes", True),
        ("in_process", True),
        ("no", False),
        (None, False),
        (["no", "yes"], True),
        (["no"], False),
        ([], False),
    ],
)
def test_a_question_is_shown_when_the_answer_it_depends_on_chose_a_listed_option(answer: Any, shown: bool) -> None:
    assert is_shown(RULE, lookup_of({("PRV.SUP.01", ""): answer})) is shown


def test_a_rule_on_a_row_looks_at_that_row_only() -> None:
    rule = {"question": "PAR.NAT.03", "row": "in_force", "in": ["yes"]}
    assert is_shown(rule, lookup_of({("PAR.NAT.03", "in_force"): "yes"}))
    assert not is_shown(rule, lookup_of({("PAR.NAT.03", "adopted"): "yes"}))
    assert depends_on(rule) == ("PAR.NAT.03", "in_force")


def test_the_rule_does_not_apply_when_the_question_it_depends_on_is_not_asked() -> None:
    assert is_shown(RULE, lambda code, row: NOT_ASKED)
    assert chosen_codes(NOT_ASKED) == set()
