"""Writing answers and moving responses through their workflow. Nothing a user saw saved is ever lost."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from surveys import answer_types as at
from surveys.models import Question, Survey

from . import values
from .deadlines import current_time, response_deadline
from .models import Answer, AnswerChange, Organisation, Response, ResponseEvent, Source
from .selectors import response_progress

Key = tuple[str, str]


class WorkflowError(Exception):
    """A status change that is not possible now; the message says why."""


@dataclass
class Conflict:
    """Someone else changed a cell after the page was loaded: both values are shown and the user chooses."""

    key: Key
    their_value: str
    your_value: str
    changed_by: str
    changed_at: dt.datetime | None
    version: int


@dataclass
class SaveOutcome:
    versions: dict[Key, int] = field(default_factory=dict)  # every cell's current version after the save
    changed: list[Key] = field(default_factory=list)
    in_sync: list[Key] = field(default_factory=list)  # posted cells now equal to what is stored (changed or not)
    conflicts: list[Conflict] = field(default_factory=list)
    error: str = ""

    @property
    def ok(self) -> bool:
        return not self.error and not self.conflicts


def user_label(user: Any) -> str:
    if user is None:
        return _("someone")
    return user.get_full_name() or user.email or user.username


def enqueue_on_commit(task_name: str, *args: Any) -> None:
    """Run a Celery task by name once the current transaction commits (services never import task modules)."""
    from celery import current_app

    def enqueue() -> None:
        if task_name not in current_app.tasks:  # the web process has not imported the apps' task modules yet
            current_app.loader.import_default_modules()
        current_app.tasks[task_name].delay(*args)

    transaction.on_commit(enqueue)


def deadline_refusal(response: Response, now: dt.datetime | None = None, *, user: Any = None) -> str:
    """Why respondents may no longer change this response because its deadline passed ("" while they may).

    Asked by the services under the response's row lock, like "already submitted". The deadline binds respondents:
    the Office (staff, or a command or script run without a user) may still record late answers and returns."""
    if user is None or getattr(user, "is_staff", False):
        return ""
    deadline = response_deadline(survey=response.survey, organisation=response.organisation)
    if deadline.closes_on is None or not deadline.passed(now or current_time()):
        return ""
    return _("The deadline passed at the end of %(date)s: answers can no longer be changed or sent.") % {
        "date": formats.date_format(deadline.closes_on, "j F Y")
    }


def response_get_or_create(*, survey: Survey, organisation: Organisation) -> Response:
    response, _created = Response.objects.get_or_create(survey=survey, organisation=organisation)
    return response


def answers_save(
    *,
    response: Response,
    question: Question,
    raw: dict[Key, Any],
    base_versions: dict[Key, int] | None,
    user: Any,
    source: str = Source.WEB,
    needs_review: bool = False,
    now: dt.datetime | None = None,
) -> SaveOutcome:
    """Save the given cells of one question.

    `base_versions` are the versions the user's page showed (0: no answer yet). A cell whose stored version moved
    on since is not overwritten: it comes back as a Conflict with the other person's value, name and time. Cells
    whose value did not change are left alone. Every change is appended to the history.
    """
    outcome = SaveOutcome()
    if question.survey_id != response.survey_id or not question.for_kind(response.organisation.respondent_kind):
        outcome.error = _("This question is not part of your questionnaire.")
        return outcome
    specs = {spec.key: spec for spec in question.cells()}
    kinds = {key: spec.kind for key, spec in specs.items()}
    unknown = [key for key in raw if key not in kinds]
    if unknown:
        outcome.error = _("Unknown part of the question: %(cell)s.") % {"cell": at.describe_cell(unknown[0])}
        return outcome
    try:
        cleaned = {key: at.clean_cell(specs[key], value) for key, value in raw.items()}
    except at.AnswerError as exc:
        outcome.error = str(exc)
        return outcome

    with transaction.atomic():
        # One writer per response at a time: concurrent saves queue here instead of racing.
        locked = Response.objects.select_for_update().select_related("survey", "organisation").get(pk=response.pk)
        if source == Source.WEB and locked.is_locked_for_respondents:
            # Checked again under the lock: a submit or an acceptance may have landed since the page asked.
            outcome.error = _("This response has been submitted: the answer was not saved.")
            return outcome
        if source == Source.WEB and (refusal := deadline_refusal(locked, now, user=user)):
            outcome.error = refusal  # the page may have been opened before midnight
            return outcome
        existing = {
            (a.row, a.column): a
            for a in Answer.objects.filter(response=locked, question=question).select_related("updated_by")
        }
        merged = {key: values.read(answer, kinds[key]) for key, answer in existing.items()}
        merged.update(cleaned)
        try:
            question.answer_type.check_together(question.shape, merged)
        except at.AnswerError as exc:
            outcome.error = str(exc)
            return outcome
        now = timezone.now()
        changes = []
        for key, value in cleaned.items():
            kind = kinds[key]
            current = existing.get(key)
            current_text = values.as_text(current, kind)
            new_text = at.to_text(kind, value)
            current_version = current.version if current else 0
            if current_text == new_text:
                outcome.in_sync.append(key)
                if current is not None and current.needs_review and source == Source.WEB:
                    current.needs_review = False  # the respondent confirmed a prefilled answer
                    current.save(update_fields=["needs_review", "updated_at"])
                continue
            base = (base_versions or {}).get(key) if base_versions is not None else None
            if base_versions is not None and base is not None and base != current_version:
                outcome.conflicts.append(
                    Conflict(
                        key=key,
                        their_value=current_text,
                        your_value=new_text,
                        changed_by=user_label(current.updated_by) if current else "",
                        changed_at=current.updated_at if current else None,
                        version=current_version,
                    )
                )
                continue
            answer = current or Answer(response=locked, question=question, row=key[0], column=key[1], version=0)
            values.store(answer, kind, value)
            answer.version = current_version + 1
            answer.updated_by = user
            answer.source = source
            answer.needs_review = needs_review
            answer.save()
            existing[key] = answer
            outcome.changed.append(key)
            outcome.in_sync.append(key)
            changes.append(
                AnswerChange(
                    response=locked,
                    question=question,
                    row=key[0],
                    column=key[1],
                    old_value=current_text,
                    new_value=new_text,
                    version=answer.version,
                    changed_by=user,
                    source=source,
                )
            )
        AnswerChange.objects.bulk_create(changes)
        if changes:
            fields = ["last_activity_at", "updated_at"]
            locked.last_activity_at = now
            if locked.status == Response.Status.NOT_STARTED:
                locked.status = Response.Status.IN_PROGRESS
                fields.append("status")
            locked.save(update_fields=fields)
            response.status, response.last_activity_at = locked.status, locked.last_activity_at
    outcome.versions = {key: answer.version for key, answer in existing.items()}
    return outcome


def _transition(response: Response, to_status: str, user: Any, comment: str = "") -> ResponseEvent:
    event = ResponseEvent.objects.create(
        response=response, from_status=response.status, to_status=to_status, by=user, comment=comment
    )
    response.status = to_status
    return event


def response_submit(
    *, response: Response, user: Any, require_complete: bool = True, now: dt.datetime | None = None
) -> Response:
    """Submit (or resubmit after a return). Submitting twice records one submission.

    Respondents submit until the end of their deadline (staff recording a paper return may submit later). The
    coordinators get a receipt and the Office a note (responses/notifications.py), after the commit."""
    with transaction.atomic():
        locked = Response.objects.select_for_update().select_related("survey", "organisation").get(pk=response.pk)
        if locked.status in (Response.Status.SUBMITTED, Response.Status.RESUBMITTED, Response.Status.ACCEPTED):
            return locked  # a double click or a retried request: already done
        if locked.survey.status != Survey.Status.OPEN and not getattr(user, "is_staff", False):
            raise WorkflowError(_("This round is not open for answers."))
        if refusal := deadline_refusal(locked, now, user=user):
            raise WorkflowError(refusal)
        if require_complete:
            progress = response_progress(locked)
            if not progress.complete:
                raise WorkflowError(
                    _("%(n)d required answers are still missing; see the review page.") % {"n": len(progress.missing)}
                )
        target = Response.Status.RESUBMITTED if locked.status == Response.Status.RETURNED else Response.Status.SUBMITTED
        event = _transition(locked, target, user)
        locked.submitted_at = timezone.now()
        locked.submitted_by = user
        locked.last_activity_at = locked.submitted_at
        locked.save()
        enqueue_on_commit("responses.notify_submitted", event.pk)
    return locked


def response_return(*, response: Response, user: Any, comment: str) -> Response:
    if not getattr(user, "is_staff", False):
        raise PermissionDenied
    if not comment.strip():
        raise WorkflowError(_("Say what should change: the organisation sees this comment."))
    with transaction.atomic():
        locked = Response.objects.select_for_update().get(pk=response.pk)
        if locked.status not in (Response.Status.SUBMITTED, Response.Status.RESUBMITTED):
            raise WorkflowError(_("Only a submitted response can be returned."))
        event = _transition(locked, Response.Status.RETURNED, user, comment.strip())
        locked.staff_comment = comment.strip()
        locked.save()
        enqueue_on_commit("responses.notify_returned", event.pk)
    return locked


def response_accept(*, response: Response, user: Any) -> Response:
    if not getattr(user, "is_staff", False):
        raise PermissionDenied
    with transaction.atomic():
        locked = Response.objects.select_for_update().get(pk=response.pk)
        if locked.status == Response.Status.ACCEPTED:
            return locked
        if locked.status not in (Response.Status.SUBMITTED, Response.Status.RESUBMITTED):
            raise WorkflowError(_("Only a submitted response can be accepted."))
        event = _transition(locked, Response.Status.ACCEPTED, user)
        locked.accepted_at = timezone.now()
        locked.save()
        enqueue_on_commit("responses.notify_accepted", event.pk)
    return locked
