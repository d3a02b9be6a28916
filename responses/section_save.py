"""Saving what a section page or an autosave posted: one service call per request, whatever the question types.

A question's posted cells go to `answers_save` (conflicts, per-cell errors and history are decided there); a
document question's uploads go to `evidence_upload`. The views only check access first and show the outcome.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.http import QueryDict
from django.utils.datastructures import MultiValueDict

from surveys.models import Area, Question

from .evidence import EvidenceError, evidence_upload
from .forms import FILE_PREFIX, posted_cells
from .models import Response
from .services import SaveOutcome, answers_save

Key = tuple[str, str]


@dataclass
class SectionSave:
    """What a section's POST did: the questions not (fully) saved, and the cells each question now has in sync."""

    problems: dict[int, SaveOutcome] = field(default_factory=dict)
    changed: dict[int, set[Key]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems


def question_posted_save(
    *,
    response: Response,
    question: Question,
    data: QueryDict,
    files: MultiValueDict,
    user: Any,
    areas: list[Area] | None = None,
) -> SaveOutcome:
    """Save what was posted for one question: its uploads (a document question) or its changed cells; `areas`: the
    round's structure as the request read it (answers_save)."""
    outcome = SaveOutcome()
    if question.answer_type.stores_files:
        for upload in files.getlist(FILE_PREFIX + question.code):
            try:
                evidence_upload(response=response, question=question, upload=upload, user=user)
            except EvidenceError as exc:
                outcome.error = str(exc)
        return outcome
    raw, versions, _originals = posted_cells(question, data)
    if not raw:
        return outcome
    return answers_save(response=response, question=question, raw=raw, base_versions=versions, user=user, areas=areas)


def section_posted_save(
    *, response: Response, questions: list[Question], data: QueryDict, files: MultiValueDict, user: Any
) -> SectionSave:
    """Save every question of a section page as posted, in the page's order (a show-if rule looks back)."""
    result = SectionSave()
    for question in questions:
        outcome = question_posted_save(response=response, question=question, data=data, files=files, user=user)
        result.changed[question.pk] = set(outcome.in_sync)
        if not outcome.ok:
            result.problems[question.pk] = outcome
    return result
