"""Show-if: whether a question is shown, given the answer it depends on. The one rule; every Python place asks it.

A question's `show_if` rule is `{"question": CODE, "in": [option codes], "row": ROW (optional)}`: the question is
shown when the cell (ROW, "") of question CODE has one of the listed options chosen (a single choice, or any of
several choices). A question without a rule is always shown. When CODE is not asked of the respondent (another
kind of organisation), the rule does not apply and the question is shown. Pure: no database, no I/O.

Who asks it: the section page and the review's progress (responses.selectors.is_visible), the save path
(responses.services.answers_save, which keeps an answer to a hidden question but says so, see below), the demo
seeding; the report's pandas form (reports.aggregation.drop_hidden) is the same rule vectorised and is tested
against `is_shown` on the same cases (reports/tests/test_show_if_agrees.py). The page's script applies it in the
browser.

An answer to a question hidden by the respondent's own answers is **kept, not counted**: saving it stores it and
its history like any answer (so changing the answer it depends on back brings it back, and nothing a person typed
is lost), the save's outcome says the question is hidden, progress does not ask for it, and reports leave it out.
This is what REDCap does with data in a field hidden by branching logic until someone erases it, and what
LimeSurvey does for answers made irrelevant during a session (they are not used).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Final


class _NotAsked:
    def __repr__(self) -> str:
        return "NOT_ASKED"


NOT_ASKED: Final = _NotAsked()  # what a lookup answers for a question the respondent is not asked

# lookup(question code, row) -> the chosen option code (str), the chosen codes (list), None when unanswered, or
# NOT_ASKED when that question is not asked of this respondent.
Lookup = Callable[[str, str], Any]


def chosen_codes(value: Any) -> set[str]:
    """The option codes an answer chose: a single choice, several choices, or none."""
    if value is None or value is NOT_ASKED:
        return set()
    if isinstance(value, (list, tuple, set, frozenset)):
        return {str(code) for code in value}
    return {value}


def is_shown(rule: Mapping[str, Any] | None, lookup: Lookup) -> bool:
    """Whether a question with this show-if rule is shown, given the answers `lookup` finds."""
    if not rule:
        return True
    chosen = lookup(rule["question"], rule.get("row", ""))
    if chosen is NOT_ASKED:
        return True
    return bool(chosen_codes(chosen) & set(rule["in"]))


def depends_on(rule: Mapping[str, Any] | None) -> tuple[str, str] | None:
    """The question code and row a rule looks at (None without a rule)."""
    if not rule:
        return None
    return rule["question"], rule.get("row", "")
