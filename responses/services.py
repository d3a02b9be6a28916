"""Writing answers and moving responses through their workflow. Nothing a user saw saved is ever lost."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import Organisation
from oscethb.jobs import enqueue_on_commit
from oscethb.prepared import PreparedQuery, fields_save, fields_update
from surveys import answer_types as at
from surveys.models import Area, Question, Survey
from surveys.show_if import depends_on
from surveys.structure import questions_by_code, show_if_dependents

from . import values
from .access import AccessPolicy
from .answer_columns import columns
from .answer_writer import AnswerWriter, ChangedCell, NewCell
from .deadlines import current_time, response_deadline, response_deadlines
from .models import Answer, PendingCell, Response, ResponseEvent, Source
from .progress import progress_after_save, progress_store
from .selectors import (
    AnswerMap,
    UnsavedCell,
    is_visible,
    progress_is_current,
    response_progress,
    survey_structure,
    unsaved_cells,
)

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
    # In words, for the person choosing (the values above are canonical texts, kept for the page's hidden state).
    cell: str = ""  # the cell's name ("2017, Female, …"); "" for a question with one value
    their_words: str = ""
    your_words: str = ""


@dataclass
class SaveOutcome:
    versions: dict[Key, int] = field(default_factory=dict)  # every cell's current version after the save
    changed: list[Key] = field(default_factory=list)
    in_sync: list[Key] = field(default_factory=list)  # posted cells now equal to what is stored (changed or not)
    conflicts: list[Conflict] = field(default_factory=list)
    error: str = ""  # the question as a whole was not saved (a rule across cells, a locked response)
    # The respondent's own answers hide this question (surveys.show_if): what was posted is kept, not counted.
    hidden: bool = False
    cell_errors: dict[Key, str] = field(default_factory=dict)  # cells not saved, each with its own message
    # After a save that reached the answers: the question's stored cells and kept mistyped texts as they now are, so
    # the page shown after an autosave needs no second read (None: not known, read them).
    answers: dict[Key, Answer] | None = None
    pending: dict[Key, PendingCell] | None = None

    @property
    def ok(self) -> bool:
        return not self.error and not self.conflicts and not self.cell_errors


def user_label(user: Any) -> str:
    if user is None:
        return _("someone")
    return user.get_full_name() or user.email or user.username


def deadline_refusal(response: Response, now: dt.datetime | None = None, *, user: Any = None) -> str:
    """Why respondents may no longer change this response because its deadline passed ("" while they may).

    Asked by the services under the response's row lock, like "already submitted". The deadline binds respondents:
    the Office (staff, or a command or script run without a user) may still record late answers and returns."""
    if user is None or AccessPolicy.for_user(user).is_staff:
        return ""
    deadline = response_deadline(survey=response.survey, organisation=response.organisation)
    if deadline.closes_on is None or not deadline.passed(now or current_time()):
        return ""
    return _("The deadline passed at the end of %(date)s: answers can no longer be changed or sent.") % {
        "date": formats.date_format(deadline.closes_on, "DATE_FORMAT")
    }


def response_get_or_create(*, survey: Survey, organisation: Organisation) -> Response:
    response, created = Response.objects.get_or_create(survey=survey, organisation=organisation)
    if created:  # no answers yet: its progress is kept from the start (responses/progress.py)
        response.organisation = organisation
        progress_store([response])
    return response


def response_for_writing(response: Response) -> Response:
    """The row of `response`, created by the first write to it: the pages show an unsaved Response until then,
    because an access check never writes (responses/access.py). Fills `response` in place and returns it."""
    if response.pk is None:
        row = response_get_or_create(survey=response.survey, organisation=response.organisation)
        for column in Response._meta.concrete_fields:
            setattr(response, column.attname, getattr(row, column.attname))
        response._state.adding, response._state.db = False, row._state.db
    return response


# The save's lock: the response's row alone (`of`: without it PostgreSQL also locks the joined round's row, and every
# save in the round would queue behind every other). Compiled once per process (oscethb/prepared.py), inside the
# save's transaction, which holds the lock.
# The round's row is share-locked as well (FOR KEY SHARE: saves never wait for each other, nor for an ordinary
# update of the round): loading a definition locks it FOR UPDATE, so a save and a load never overlap, and a save
# that waited for a load reads the round's new structure version (and is refused, below).
# It reads, as they are now, only what the save decides by or writes: the response's status (sent?), kept progress
# and last activity, the round's structure version and closing date. The response's other columns, its organisation
# and the round's texts are the request's (no model instance is made here: a third of the save's CPU).
LOCK_FIELDS = ("status", "progress", "last_activity_at")
RESPONSE_LOCK = PreparedQuery(
    lambda response_id: (
        Response.objects.select_for_update(of=("self",))
        .filter(pk=response_id)
        .values_list(*LOCK_FIELDS, "survey__structure_version", "survey__closes_on")
    ),
    edit_sql=lambda sql, vendor: f'{sql} FOR KEY SHARE OF "surveys_survey"' if vendor == "postgresql" else sql,
    response_id=int,
)


def response_lock(response: Response) -> int:
    """In the save's transaction: lock `response`'s row (RESPONSE_LOCK) and refresh in place what the
    save decides by (its status, kept progress and last activity, its round's closing date); returns the round's
    structure version as it is now, for the caller to compare with the one its request read."""
    rows = RESPONSE_LOCK.rows(response_id=response.pk)
    if not rows:
        raise Response.DoesNotExist(f"no response {response.pk}")
    *current, structure_version, closes_on = rows[0]
    for name, value in zip(LOCK_FIELDS, current, strict=True):
        setattr(response, name, value)
    response.survey.closes_on = closes_on  # the deadline is checked under the lock, as it is now
    return int(structure_version)


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
    areas: list[Area] | None = None,
) -> SaveOutcome:
    """Save the given cells of one question.

    `areas`: the round's structure for the response's kind of respondent, when the caller has it (a page's save);
    read here otherwise. The show-if rule and the progress are decided from it and from one read, under the lock, of
    the answers they need.

    `base_versions` are the versions the user's page showed (0: no answer yet). A cell whose stored version moved
    on since is not overwritten: it comes back as a Conflict with the other person's value, name and time. Cells
    whose value did not change are left alone. Every change is appended to the history.

    Each cell is checked on its own: a cell whose value cannot be stored is left out with its message in
    `cell_errors` (its text kept as a PendingCell, shown again on the page), and the question's other cells are
    saved. Only a rule across cells (a range's start after its end) refuses the whole question (`error`).

    An answer to a question that the response's own answers hide (show-if) is kept like any other, and
    `outcome.hidden` says so: it is not counted (progress does not ask for it, reports leave it out), and changing
    the answer it depends on back brings it back (surveys.show_if states the rule and this decision).
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
    # Each cell is checked on its own: a mistyped cell is reported with its message, its neighbours are saved.
    cleaned: dict[Key, Any] = {}
    for key, value in raw.items():
        try:
            cleaned[key] = at.clean_cell(specs[key], value)
        except at.AnswerError as exc:
            outcome.cell_errors[key] = str(exc)

    with transaction.atomic():
        # One writer per response at a time: concurrent saves queue here instead of racing (RESPONSE_LOCK).
        if areas is None:  # read once per process and structure version (surveys/structure.py)
            areas = survey_structure(response.survey, response.organisation.respondent_kind)
        # The question's answers and those its show-if rule reads are read with the lock (PostgreSQL) ...
        by_code = questions_by_code(areas)
        # ... and those of the questions whose rule reads this one (their progress changes with it).
        target = by_code.get((depends_on(question.show_if) or ("",))[0])
        ids = {question.pk} | ({target.pk} if target is not None else set())
        ids |= {q.pk for q in show_if_dependents(areas, question.code)}
        known: AnswerMap = {pk: {} for pk in ids}
        # The caller's response, refreshed under its row lock. (SQLite's IMMEDIATE transactions hold the database
        # from BEGIN: its reads see every committed save.)
        locked, structure_version = response, response_lock(response)
        if connection.vendor == "postgresql":
            # In a statement after the lock's: one that waited for the lock sees the other tables as they were when
            # it began (READ COMMITTED), so it would miss the answer of the save it waited for.
            locked.has_pending = answers_read_after_lock(locked, question, known)  # type: ignore[attr-defined]
        else:
            locked.has_pending = PendingCell.objects.filter(response=locked, question=question).exists()  # type: ignore[attr-defined]
            answers = Answer.objects.filter(response=locked, question_id__in=known).select_related("updated_by")
            for answer in answers:
                known[answer.question_id][(answer.row, answer.column)] = answer
        if structure_version != response.survey.structure_version:
            # The Office changed what the round asks (a definition loaded, a question edited) since this request read
            # it: the answer was checked against the old questionnaire.
            outcome.error = _(
                "The Office changed the questionnaire a moment ago: the answer was not saved. Reload the page and "
                "enter it again."
            )
            return outcome
        respondent_source = source in (Source.WEB, Source.PREFILL, Source.WORKBOOK)  # what a respondent sets off
        if respondent_source and locked.is_locked_for_respondents:
            # Checked again under the lock: a submit or an acceptance may have landed since the page asked.
            outcome.error = _("This response has been submitted: the answer was not saved.")
            return outcome
        if respondent_source and (refusal := deadline_refusal(locked, now, user=user)):
            outcome.error = refusal  # the page may have been opened before midnight
            return outcome
        existing = known[question.pk]
        outcome.hidden = bool(question.show_if) and not is_visible(question, by_code, known)
        merged = {key: values.read(answer, kinds[key]) for key, answer in existing.items()}
        merged.update(cleaned)
        try:
            question.answer_type.check_together(question.shape, merged)
        except at.AnswerError as exc:
            outcome.error = str(exc)
            _pending_cells_store(
                response=locked, question=question, raw=raw, outcome=outcome, settled=[], user=user, known=None
            )
            return outcome
        now = timezone.now()
        versions = {key: answer.version for key, answer in existing.items()}
        new: list[NewCell] = []
        updated: list[ChangedCell] = []
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
                        cell=question.words.cell(key),
                        their_words=question.words.text(key, current_text),
                        your_words=question.words.text(key, new_text),
                    )
                )
                continue
            if current is None:
                new.append(NewCell(locked.pk, question.pk, key[0], key[1], kind, value, new_text))
            else:
                updated.append(
                    ChangedCell(
                        current.pk,
                        current_version + 1,
                        locked.pk,
                        question.pk,
                        key[0],
                        key[1],
                        kind,
                        value,
                        new_text,
                        current_text,
                    )
                )
            versions[key] = current_version + 1
            outcome.changed.append(key)
            outcome.in_sync.append(key)
        writer = AnswerWriter(user_id=getattr(user, "pk", None), source=source, now=now, needs_review=needs_review)
        changes = new or updated
        # Kept progress for another structure or rule is computed again from the stored answers: they are written
        # first. Otherwise the progress comes from the answers this save knows, and the response's row is written
        # in the same statement as the answer (one cell: an autosave).
        written = not changes or not progress_is_current(locked.progress or {}, locked.survey.structure_version)
        if written:
            writer.write(new, updated)
        settled = [key for key in raw if key not in outcome.cell_errors]
        outcome.pending = _pending_cells_store(
            response=locked,
            question=question,
            raw=raw,
            outcome=outcome,
            settled=settled,
            user=user,
            known=None if getattr(locked, "has_pending", True) else {},
        )
        outcome.answers = _answers_after(existing, new, updated, user=user, source=source, review=needs_review, now=now)
        if changes:
            fields = ["last_activity_at", "updated_at", "progress"]
            locked.last_activity_at = now
            if locked.status == Response.Status.NOT_STARTED:
                locked.status = Response.Status.IN_PROGRESS
                fields.append("status")
            progress_after_save(
                response=locked,
                question=question,
                survey=locked.survey,
                known={**known, question.pk: outcome.answers},
                areas=areas,
            )
            # save(update_fields=fields), its UPDATE written once (oscethb/prepared.py), sent with the answer's
            if written or not writer.write(new, updated, also=fields_update(locked, fields)):
                fields_save(locked, fields)
    outcome.versions = versions
    return outcome


def answers_read_after_lock(response: Response, question: Question, known: AnswerMap) -> bool:
    """PostgreSQL, under the response's row lock: the stored answers (with who changed them) of the questions `known`
    holds (filled in place), and whether `question` has kept mistyped texts (returned), in one statement."""
    ids = list(known)
    sql, answer_columns, user_columns = _answers_after_lock_sql(len(ids))
    with connection.cursor() as cursor:
        cursor.execute(sql, [question.pk, *ids, response.pk])
        rows = cursor.fetchall()
    user_model, n_a = get_user_model(), len(answer_columns[0])

    def made(model: Any, columns: tuple[list[str], list[Any]], values: tuple[Any, ...]) -> Any:
        names, converters = columns
        converted = [v if c is None else c(v, None, connection) for c, v in zip(converters, values, strict=True)]
        return model.from_db(connection.alias, names, converted)

    for row in rows:
        if row[0] is None:  # no answer: the LEFT JOIN's empty side
            continue
        answer: Answer = made(Answer, answer_columns, row[:n_a])
        answer.updated_by = made(user_model, user_columns, row[n_a:-1]) if answer.updated_by_id else None
        known[answer.question_id][(answer.row, answer.column)] = answer
    return bool(rows and rows[0][-1])


@lru_cache(maxsize=32)
def _answers_after_lock_sql(n_ids: int) -> tuple[str, tuple[list[str], list[Any]], tuple[list[str], list[Any]]]:
    """`answers_read_after_lock`'s statement for `n_ids` questions, made once per process, with the names and the
    converters (`from_db_value`, or None) of the answer's and the person's columns, in the order it selects them."""
    quote = connection.ops.quote_name
    parts: list[tuple[Any, str]] = [(Answer, "a"), (get_user_model(), "u")]
    fields = {alias: list(model._meta.concrete_fields) for model, alias in parts}
    select = ", ".join(f"{alias}.{quote(f.column)}" for _model, alias in parts for f in fields[alias])
    # Names from the models' metadata; every value is a parameter.
    sql = (
        f"SELECT {select}, EXISTS (SELECT 1 FROM {quote(PendingCell._meta.db_table)} p "  # noqa: S608  # nosec B608
        "WHERE p.response_id = r.id AND p.question_id = %s) "
        f"FROM {quote(Response._meta.db_table)} r "
        f"LEFT JOIN {quote(Answer._meta.db_table)} a ON a.response_id = r.id "
        f"AND a.question_id IN ({', '.join(['%s'] * n_ids)}) "
        f"LEFT JOIN {quote(get_user_model()._meta.db_table)} u ON u.id = a.updated_by_id "
        "WHERE r.id = %s"
    )

    def columns(alias: str) -> tuple[list[str], list[Any]]:
        return [f.attname for f in fields[alias]], [getattr(f, "from_db_value", None) for f in fields[alias]]

    return sql, columns("a"), columns("u")


def pending_text(raw: Any) -> str:
    """What is kept of a mistyped value to show it again: its text, without NUL (no database stores it)."""
    if isinstance(raw, (list, tuple)):
        raw = at.MULTI_SEPARATOR.join(str(part) for part in raw)
    return str(raw).replace("\x00", "\ufffd")[: PendingCell.MAX_LENGTH]


def unsaved_refusal(unsaved: list[UnsavedCell]) -> str:
    """Why a response with mistyped cells (`selectors.unsaved_cells`) is not submitted, naming the first of them."""
    first = unsaved[0]
    return ngettext(
        "%(n)d cell holds text that was not saved: “%(text)s” in %(where)s. %(message)s Correct or clear it, "
        "then submit.",
        "%(n)d cells hold text that was not saved, the first “%(text)s” in %(where)s. %(message)s Correct or clear "
        "them, then submit.",
        len(unsaved),
    ) % {"n": len(unsaved), "text": first.shown_text, "where": first.where, "message": first.problem.message}


def _pending_cells_store(
    *,
    response: Response,
    question: Question,
    raw: dict[Key, Any],
    outcome: SaveOutcome,
    settled: list[Key],
    user: Any,
    known: dict[Key, PendingCell] | None,
) -> dict[Key, PendingCell]:
    """Keep the text of the cells that could not be stored; forget it for the `settled` cells (given a valid value).
    Returns the question's kept texts as they now are; `known`: those stored before, when the caller knows them
    (an empty dict: none), else they are read.

    Only typed cells are kept (a choice that is not an option comes from a tampered page, never from typing).
    """
    kinds = {spec.key: spec.kind for spec in question.cells()}
    if known is None:
        known = {(row.row, row.column): row for row in PendingCell.objects.filter(response=response, question=question)}
    kept = dict(known)
    stale = [kept.pop(key).pk for key in settled if key in kept]
    if stale:
        PendingCell.objects.filter(pk__in=stale).delete()
    for key in outcome.cell_errors:
        if kinds[key] in (at.CHOICE, at.CHOICES):
            continue
        kept[key], _created = PendingCell.objects.update_or_create(
            response=response,
            question=question,
            row=key[0],
            column=key[1],
            defaults={"text": pending_text(raw[key]), "updated_by": user},
        )
    return kept


def _answers_after(
    existing: dict[Key, Answer],
    new: list[NewCell],
    updated: list[ChangedCell],
    *,
    user: Any,
    source: str,
    review: bool,
    now: dt.datetime,
) -> dict[Key, Answer]:
    """The question's answers as `AnswerWriter.write` left them, without reading them back (unsaved instances for the
    new cells: what the page shows of an answer needs no primary key)."""
    after = dict(existing)
    by = user if getattr(user, "pk", None) is not None else None
    cells: list[NewCell | ChangedCell] = [*new, *updated]
    for cell in cells:
        key = (cell.row, cell.column)
        answer = after.get(key) or Answer(
            response_id=cell.response_id, question_id=cell.question_id, row=cell.row, column=cell.column, created_at=now
        )
        answer.value_text, answer.value_number, answer.value_date, answer.value_choices = columns(cell.kind, cell.value)
        answer.version = cell.version if isinstance(cell, ChangedCell) else 1
        answer.updated_by, answer.source, answer.needs_review, answer.updated_at = by, source, review, now
        after[key] = answer
    return after


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
        locked = (
            Response.objects.select_for_update(of=("self",))
            .select_related("survey", "organisation")
            .get(pk=response.pk)
        )
        if locked.is_counted:
            return locked  # a double click or a retried request: already done
        if locked.survey.status != Survey.Status.OPEN and not AccessPolicy.for_user(user).is_staff:
            raise WorkflowError(_("This round is not open for answers."))
        if refusal := deadline_refusal(locked, now, user=user):
            raise WorkflowError(refusal)
        if require_complete:
            progress = response_progress(locked)
            if not progress.complete:
                raise WorkflowError(
                    _("%(n)d required answers are still missing; see the review page.") % {"n": len(progress.missing)}
                )
            # Checked under the same lock as the answers: a cell mistyped since the page asked is seen here.
            if unsaved := unsaved_cells(locked):
                raise WorkflowError(unsaved_refusal(unsaved))
        target = Response.Status.RESUBMITTED if locked.status == Response.Status.RETURNED else Response.Status.SUBMITTED
        event = _transition(locked, target, user)
        locked.submitted_at = timezone.now()
        locked.submitted_by = user
        locked.last_activity_at = locked.submitted_at
        locked.save()
        enqueue_on_commit("responses.notify_submitted", event.pk)
    return locked


def responses_submit_received(*, survey: Survey, organisation_ids: list[int], user: Any) -> list[Response]:
    """Record many responses as submitted, as received (an import of paper returns with `--submit`): what
    `response_submit(require_complete=False)` does for one, in a fixed number of queries for all of them.

    The responses are locked together; those already sent are left alone (submitting twice records one submission);
    one event each, one update of them all, and after the commit one message that queues each receipt and Office
    note as for a single submission. Returns the responses it submitted."""
    policy = AccessPolicy.for_user(user)
    with transaction.atomic():
        locked = list(
            Response.objects.select_for_update()
            .filter(survey=survey, organisation_id__in=organisation_ids)
            .only("pk", "status", "organisation_id")
            .order_by("pk")
        )
        waiting = [r for r in locked if not r.is_counted]
        if not waiting:
            return []
        if survey.status != Survey.Status.OPEN and not policy.is_staff:
            raise WorkflowError(_("This round is not open for answers."))
        if user is not None and not policy.is_staff:
            now = current_time()
            deadlines = response_deadlines(survey=survey, organisation_ids=[r.organisation_id for r in waiting])
            for response in waiting:
                deadline = deadlines[response.organisation_id]
                if deadline.closes_on is not None and deadline.passed(now):
                    raise WorkflowError(
                        _("%(organisation)s: the deadline passed at the end of %(date)s.")
                        % {
                            "organisation": Organisation.objects.get(pk=response.organisation_id).display_name,
                            "date": formats.date_format(deadline.closes_on, "DATE_FORMAT"),
                        }
                    )
        at = timezone.now()
        events = []
        by_target: dict[str, list[int]] = {}
        for response in waiting:
            target = (
                Response.Status.RESUBMITTED
                if response.status == Response.Status.RETURNED
                else Response.Status.SUBMITTED
            )
            events.append(ResponseEvent(response=response, from_status=response.status, to_status=target, by=user))
            by_target.setdefault(target, []).append(response.pk)
            response.status = target
            response.submitted_at = response.last_activity_at = response.updated_at = at
            response.submitted_by = user
        ResponseEvent.objects.bulk_create(events)
        for status, ids in by_target.items():  # one UPDATE per new status: bulk_update would write a CASE per row
            Response.objects.filter(pk__in=ids).update(
                status=status, submitted_at=at, submitted_by=user, last_activity_at=at, updated_at=at
            )
        enqueue_on_commit("responses.notify_submitted_each", [event.pk for event in events])
    return waiting


def response_return(*, response: Response, user: Any, comment: str) -> Response:
    if not AccessPolicy.for_user(user).may_review:
        raise PermissionDenied
    if not comment.strip():
        raise WorkflowError(_("Say what should change: the organisation sees this comment."))
    with transaction.atomic():
        locked = Response.objects.select_for_update().get(pk=response.pk)
        if locked.status not in Response.AWAITING_DECISION_STATUSES:
            raise WorkflowError(_("Only a submitted response can be returned."))
        event = _transition(locked, Response.Status.RETURNED, user, comment.strip())
        locked.staff_comment = comment.strip()
        locked.save()
        enqueue_on_commit("responses.notify_returned", event.pk)
    return locked


def response_accept(*, response: Response, user: Any) -> Response:
    if not AccessPolicy.for_user(user).may_review:
        raise PermissionDenied
    with transaction.atomic():
        locked = Response.objects.select_for_update().get(pk=response.pk)
        if locked.status == Response.Status.ACCEPTED:
            return locked
        if locked.status not in Response.AWAITING_DECISION_STATUSES:
            raise WorkflowError(_("Only a submitted response can be accepted."))
        event = _transition(locked, Response.Status.ACCEPTED, user)
        locked.accepted_at = timezone.now()
        locked.save()
        enqueue_on_commit("responses.notify_accepted", event.pk)
    return locked


def response_reopen(*, response: Response, user: Any, reason: str) -> Response:
    """Give a submitted or accepted response back to its organisation to change, for the reason given (staff).

    The response goes to "returned for changes": the organisation edits again, sees the reason as the Office's
    comment, and its next submission is recorded as a resubmission. The event keeps the status it was reopened from
    and the reason.
    """
    if not AccessPolicy.for_user(user).may_review:
        raise PermissionDenied
    if not reason.strip():
        raise WorkflowError(_("Give the reason for reopening: the organisation sees it."))
    with transaction.atomic():
        locked = (
            Response.objects.select_for_update(of=("self",))
            .select_related("survey", "organisation")
            .get(pk=response.pk)
        )
        if not locked.is_counted:  # submitted, resubmitted or accepted
            raise WorkflowError(_("Only a submitted or accepted response can be reopened."))
        if response_deadline(survey=locked.survey, organisation=locked.organisation).passed():
            # Reopened after its deadline, the organisation could not change anything: a dead end for everyone.
            raise WorkflowError(
                _(
                    "The deadline of %(organisation)s has passed, so it could not change its answers: give it a "
                    "later deadline first, then reopen the response."
                )
                % {"organisation": locked.organisation.display_name}
            )
        event = _transition(locked, Response.Status.RETURNED, user, reason.strip())
        locked.staff_comment = reason.strip()
        locked.accepted_at = None
        locked.save()
        # The coordinators are told as for a return: the reason is the Office's comment.
        enqueue_on_commit("responses.notify_returned", event.pk)
    return locked
