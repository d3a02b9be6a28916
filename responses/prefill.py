"""Starting a response from the organisation's answers in the previous round.

Answers are matched by question code and cell (row, column); only questions that exist in both rounds with the same
answer type are copied, only values that are still valid in the new round, and only into cells that are still
empty. Copied answers are marked `needs_review` until the respondent confirms or changes them. They are saved by
`answers_save` (source "prefill"), so the one writer of answers (responses.answer_writer) stores them with their
history, and a cell answered meanwhile comes back as a conflict instead of being overwritten.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Organisation
from surveys import answer_types as at
from surveys.models import Question, Survey

from . import values
from .models import Answer, Response, Source
from .selectors import answers_of, survey_structure
from .services import WorkflowError, answers_save


@dataclass
class PrefillResult:
    copied: int = 0  # cells written
    skipped: int = 0  # values of the previous round that are no longer valid in this one
    previous: Response | None = None


def _questions(survey: Survey) -> list[Question]:
    return list(
        Question.objects.of_round(survey)
        .select_related("option_set")
        .prefetch_related("option_set__options")
        .order_by("position")
    )


def previous_answers_exist(*, survey: Survey, organisation: Organisation) -> bool:
    """Whether the organisation answered anything in the round before `survey` (one query): only then is there
    something to start from."""
    if survey.previous_id is None:
        return False
    return Answer.objects.filter(response__survey_id=survey.previous_id, response__organisation=organisation).exists()


def prefill_from_previous(*, response: Response, user: Any) -> PrefillResult:
    """Copy the organisation's previous-round answers into the empty cells of `response`; WorkflowError if it cannot."""
    survey = response.survey
    organisation = response.organisation
    previous_round = survey.previous
    if previous_round is None:
        raise WorkflowError(_("“%(round)s” has no previous round to copy answers from.") % {"round": survey.title_text})
    if response.is_locked_for_respondents:
        raise WorkflowError(_("This response has been submitted; its answers cannot be changed now."))
    previous = Response.objects.filter(survey=previous_round, organisation=organisation).first()
    if previous is None:
        raise WorkflowError(
            _("%(name)s has no response in the previous round (“%(round)s”) to copy answers from.")
            % {"name": organisation.display_name, "round": previous_round.title_text}
        )
    result = PrefillResult(previous=previous)
    kind = organisation.respondent_kind
    new_by_code = {q.code: q for q in _questions(survey)}
    old_answers = answers_of(previous)
    areas = survey_structure(survey, kind)  # for each save's show-if and progress, read once
    with transaction.atomic():
        new_answers = answers_of(response)
        for old_question in _questions(previous_round):
            new_question = new_by_code.get(old_question.code)
            old_cells = old_answers.get(old_question.pk)
            if (
                not old_cells
                or new_question is None
                or new_question.answer_type is not old_question.answer_type
                or not new_question.for_kind(kind)
            ):
                continue
            old_kinds = {spec.key: spec.kind for spec in old_question.cells()}
            new_specs = at.cell_index(new_question.cells())
            current = new_answers.get(new_question.pk, {})
            raw: dict[tuple[str, str], str] = {}
            base_versions: dict[tuple[str, str], int] = {}
            for key, old_answer in old_cells.items():
                spec = new_specs.get(key)
                if spec is None or key not in old_kinds:
                    continue  # the cell does not exist in this round (another year, a removed row)
                old_value = values.read(old_answer, old_kinds[key])
                if old_value is None:
                    continue
                stored = current.get(key)
                if stored is not None and values.read(stored, spec.kind) is not None:
                    continue  # already answered in this round: never overwritten
                text = at.to_text(old_kinds[key], old_value)
                try:
                    at.clean_cell(spec, text)
                except at.AnswerError:
                    result.skipped += 1
                    continue
                raw[key] = text
                # The version seen now: a cell someone answers meanwhile comes back as a conflict, not overwritten.
                base_versions[key] = stored.version if stored is not None else 0
            if not raw:
                continue
            outcome = answers_save(
                response=response,
                question=new_question,
                raw=raw,
                base_versions=base_versions,
                user=user,
                source=Source.PREFILL,
                needs_review=True,
                areas=areas,
            )
            if outcome.error:  # e.g. a copied number that does not fit the answer given in this round
                result.skipped += len(raw)
                continue
            result.copied += len(outcome.changed)
        if response.prefilled_from_id != previous.pk:
            response.prefilled_from = previous
            response.save(update_fields=["prefilled_from", "updated_at"])
    return result


def response_prefill_from_previous(*, response: Response, user: Any) -> int:
    """Copy the previous round's answers into the empty cells of `response`; the number of cells copied."""
    return prefill_from_previous(response=response, user=user).copied
