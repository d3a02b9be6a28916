"""What an upload plan would do now: asked for the preview page and again, under the response's lock, at the confirm.

Each entry of the plan (a cell the workbook changed) is, against what is stored now:
- a *change* when the stored version is still the one downloaded (old -> new);
- *already equal* when someone saved the same value online since (nothing to do);
- a *conflict* when someone saved another value online since the download: who, when, which value; the person
  chooses per conflict (keep the online value, or take the workbook's).
`token` sums up the stored versions the review saw: the confirm writes only if they are still the same.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from surveys.models import Question
from surveys.selectors import questions_with_words

from .. import values
from ..models import Answer, Response
from ..services import user_label

Key = tuple[str, str]


@dataclass
class ReviewedCell:
    index: int  # the entry's place in the plan (the page's choice field for a conflict)
    question: Question
    key: Key
    ref: str
    new: str
    old: str  # what is stored now
    version: int  # the stored version now (0: no answer)
    by: str = ""
    at: dt.datetime | None = None

    @property
    def cell(self) -> str:
        return self.question.words.cell(self.key)

    @property
    def old_words(self) -> str:
        return self.question.words.text(self.key, self.old)

    @property
    def new_words(self) -> str:
        return self.question.words.text(self.key, self.new)

    @property
    def sheet(self) -> str:
        return self.ref.rsplit("!", 1)[0]

    @property
    def cell_ref(self) -> str:
        return self.ref.rsplit("!", 1)[1]


@dataclass
class Review:
    changes: list[ReviewedCell] = field(default_factory=list)
    conflicts: list[ReviewedCell] = field(default_factory=list)
    equal: int = 0
    token: str = ""

    @property
    def changes_heading(self) -> str:
        """ "3 questions will change (4 cells)": per question, and the cells when a question changes several."""
        questions = len({cell.question.code for cell in self.changes})
        cells = len(self.changes)
        if not cells:
            return _("No answer will change")
        if cells == questions:
            return ngettext("%(n)d question will change", "%(n)d questions will change", questions) % {"n": questions}
        return ngettext(
            "%(n)d question will change (%(cells)s)", "%(n)d questions will change (%(cells)s)", questions
        ) % {"n": questions, "cells": ngettext("%(n)d cell", "%(n)d cells", cells) % {"n": cells}}


def plan_review(*, response: Response, plan: dict[str, Any]) -> Review:
    entries = plan.get("entries", [])
    review = Review()
    questions = {
        q.code: q for q in questions_with_words(survey=response.survey, codes={e["question"] for e in entries}).values()
    }
    stored: dict[tuple[int, Key], Answer] = {}
    if response.pk and questions:
        answers = Answer.objects.filter(
            response_id=response.pk, question_id__in=[q.pk for q in questions.values()]
        ).select_related("updated_by")
        stored = {(a.question_id, (a.row, a.column)): a for a in answers}
    seen: list[Any] = []
    for index, entry in enumerate(entries):
        question = questions.get(entry["question"])
        if question is None:
            continue
        key = (entry["row"], entry["column"])
        answer = stored.get((question.pk, key))
        kind = question.words.kind(key)
        current_text = values.as_text(answer, kind)
        version = answer.version if answer is not None else 0
        seen.append([entry["question"], *key, version])
        cell = ReviewedCell(index, question, key, entry["ref"], entry["new"], current_text, version)
        if version == entry["base"]:
            review.changes.append(cell)
        elif current_text == entry["new"]:
            review.equal += 1
        else:
            cell.by = user_label(answer.updated_by) if answer is not None else ""
            cell.at = answer.updated_at if answer is not None else None
            review.conflicts.append(cell)
    review.token = hashlib.sha256(json.dumps(seen).encode()).hexdigest()[:24]
    return review
