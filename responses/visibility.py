"""Show-if over a response's stored answers, for the save path: is this question hidden for this respondent now?

The rule itself is surveys.show_if.is_shown (one home); this module only finds the answer it looks at. What the save
does with an answer to a hidden question is decided there and in responses.services.answers_save: it is kept, not
counted, and the outcome says so (`SaveOutcome.hidden`).
"""

from __future__ import annotations

from typing import Any

from surveys.models import Question
from surveys.show_if import NOT_ASKED, is_shown

from .models import Answer, Response


def question_hidden(*, response: Response, question: Question) -> bool:
    """Whether the response's stored answers hide `question` (two small queries, only for a question with a rule)."""
    rule = question.show_if
    if not rule:
        return False
    kind = response.organisation.respondent_kind

    def lookup(code: str, row: str) -> Any:
        target = Question.objects.filter(survey_id=response.survey_id, code=code).only("pk", "audience").first()
        if target is None or not target.for_kind(kind):
            return NOT_ASKED
        stored = (
            Answer.objects.filter(response=response, question=target, row=row, column="")
            .values_list("value_choices", "value_text")
            .first()
        )
        return None if stored is None else (stored[0] or stored[1])

    return not is_shown(rule, lookup)
