"""Writing an answer file: checking and writing share one pass and one transaction (the module docstring of
responses.imports says how); the rows themselves are written by responses.answer_writer, as every path writes them.

`_Writer` decides what each checked cell does, as `answers_save` (the web form) would: a cell whose canonical value
equals the stored one is left alone ("unchanged"), a new cell is inserted at version 1, any other cell gets version
+ 1. Each organisation's response is created when missing and locked (SELECT … FOR UPDATE) while it is written; a
response with changes is marked in progress with its last activity.
"""

from __future__ import annotations

from pathlib import Path
from typing import IO, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organisation
from accounts.tables import TableError, open_table
from surveys import answer_types as at
from surveys.models import Survey

from ..access import AccessPolicy
from ..answer_columns import value as stored_value
from ..answer_writer import AnswerWriter, ChangedCell, NewCell
from ..models import Answer, Response, Source
from ..progress import progress_store_all
from ..selectors import missing_stored, responses_progress, survey_structure
from ..services import WorkflowError, responses_submit_received
from .checking import Cell, _check_together, _Checker
from .planning import ImportPlan, ImportResult
from .reading import BATCH, ImportRejected, table_options
from .wording import _missing_warning


def _new(response: int, cell: Cell) -> NewCell:
    spec = cell[2]
    return NewCell(response, cell[1].pk, spec.key[0], spec.key[1], spec.kind, cell[4], cell[5])


class _Writer:
    """Writes checked cells in batches inside the caller's transaction, as answers_save would one by one."""

    def __init__(self, survey: Survey, user: Any) -> None:
        self.survey, self.user = survey, user
        self.user_id = getattr(user, "pk", None)
        self.now = timezone.now()
        self.writer = AnswerWriter(user_id=self.user_id, source=Source.IMPORT, now=self.now, copy=True)
        self.responses: dict[int, int] = {}  # organisation pk -> response pk
        self.answered: dict[int, set[int]] = {}  # response pk -> questions with stored answers before the import
        self.changed: set[int] = set()  # responses with a change
        self.progress: dict[int, dict[str, Any]] = {}  # response pk -> the progress stored for it (`--submit`)
        self.buffer: list[Cell] = []
        self.written = self.unchanged = 0

    def add(self, cell: Cell) -> None:
        self.buffer.append(cell)
        if len(self.buffer) >= BATCH:
            self.flush()

    def flush(self) -> None:
        cells, self.buffer = self.buffer, []
        if not cells:
            return
        self._resolve({cell[0].pk for cell in cells} - self.responses.keys())
        responses, answered = self.responses, self.answered
        new: list[NewCell] = []
        stored: list[tuple[int, Cell]] = []
        for cell in cells:
            response = responses[cell[0].pk]
            if cell[1].pk in answered[response]:
                stored.append((response, cell))
            elif cell[5] == "":
                self.unchanged += 1  # no answer, and none given: nothing to write (as answers_save)
            else:
                new.append(_new(response, cell))
        updates: list[ChangedCell] = []
        if stored:
            self._compare(stored, new, updates)
        self.changed.update(cell.response_id for cell in new)
        self.changed.update(cell.response_id for cell in updates)
        self.writer.write(new, updates)
        self.written += len(new) + len(updates)

    def _resolve(self, organisations: set[int]) -> None:
        """Get or create the responses of these organisations, locked, and which questions they have answers to."""
        if not organisations:
            return
        survey = self.survey

        def locked(pks: set[int]) -> dict[int, int]:
            rows = Response.objects.select_for_update().filter(survey=survey, organisation_id__in=pks)
            return dict(rows.values_list("organisation_id", "pk"))

        found = locked(organisations)
        missing = organisations - found.keys()
        if missing:
            Response.objects.bulk_create(
                [Response(survey=survey, organisation_id=pk) for pk in sorted(missing)], ignore_conflicts=True
            )
            found.update(locked(missing))
        self.responses.update(found)
        for pk in found.values():
            self.answered[pk] = set()
        existing = found.keys() - missing
        if existing:
            pairs = (
                Answer.objects.filter(response_id__in=[found[o] for o in existing])
                .values_list("response_id", "question_id")
                .distinct()
            )
            for response, question in pairs:
                self.answered[response].add(question)

    def _compare(
        self,
        stored: list[tuple[int, Cell]],
        new: list[NewCell],
        updates: list[ChangedCell],
    ) -> None:
        current: dict[tuple[int, int, str, str], tuple[Any, ...]] = {}
        rows = Answer.objects.filter(
            response_id__in={response for response, _cell in stored},
            question_id__in={cell[1].pk for _response, cell in stored},
        ).values_list(
            "response_id",
            "question_id",
            "row",
            "column",
            "pk",
            "version",
            "value_text",
            "value_number",
            "value_date",
            "value_choices",
        )
        for row in rows.iterator(chunk_size=5000):
            current[row[:4]] = row[4:]
        for response, cell in stored:
            spec = cell[2]
            found = current.get((response, cell[1].pk, spec.key[0], spec.key[1]))
            old = at.to_text(spec.kind, stored_value(spec.kind, *found[2:])) if found else ""
            if old == cell[5]:
                self.unchanged += 1
            elif found is None:
                new.append(_new(response, cell))
            else:
                key = spec.key
                updates.append(
                    ChangedCell(
                        found[0], found[1] + 1, response, cell[1].pk, key[0], key[1], spec.kind, cell[4], cell[5], old
                    )
                )

    def finish(self) -> None:
        """Mark the responses with changes as in progress, with their last activity (as answers_save does)."""
        self.flush()
        self.writer.finish()  # the staged cells into the answers and their history, in set-based statements
        if self.changed:
            changed = Response.objects.filter(pk__in=self.changed)
            changed.filter(status=Response.Status.NOT_STARTED).update(status=Response.Status.IN_PROGRESS)
            changed.update(last_activity_at=self.now, updated_at=self.now)
            progress_store_all(changed, kept=self.progress)  # under the row locks _resolve took


def _submit(*, writer: _Writer, organisations: list[Organisation], user: Any, result: ImportResult) -> None:
    """Record each organisation's response as submitted, as received, warning about missing required answers."""
    survey = writer.survey
    # The progress the import has just stored with each response it changed (no query), the stored one of the others
    # (one query); the structure walked once per kind; any whose stored progress is out of date computed in full.
    response_of = {o.pk: writer.responses[o.pk] for o in organisations}
    progress: dict[int, dict[str, Any] | None] = {pk: writer.progress.get(pk) for pk in response_of.values()}
    if unread := [pk for pk, p in progress.items() if p is None]:
        progress.update(Response.objects.filter(pk__in=unread).values_list("pk", "progress"))
    missing: dict[int, list[Any]] = {}
    for kind in {o.respondent_kind for o in organisations}:
        of_kind = {response_of[o.pk] for o in organisations if o.respondent_kind == kind}
        areas = survey_structure(survey, kind)
        missing.update(missing_stored({pk: progress[pk] for pk in of_kind}, areas, survey.structure_version))
    if stale := [pk for pk in progress if pk not in missing]:
        responses = list(Response.objects.filter(pk__in=stale).select_related("organisation"))
        for response in responses:
            response.survey = survey
        computed = responses_progress(responses, structures={survey.pk: survey_structure(survey)})
        missing.update({pk: [q for _s, q in p.missing] for pk, p in computed.items()})
    for organisation in organisations:
        if codes := [q.code for q in missing[response_of[organisation.pk]]]:
            result.warnings.append(_missing_warning(organisation, codes))
    try:
        submitted = responses_submit_received(survey=survey, organisation_ids=list(response_of), user=user)
    except WorkflowError as exc:
        raise ImportRejected([str(exc)]) from exc
    result.submitted += len(submitted)


def _check_submit(survey: Survey, user: Any, submit: bool) -> None:
    if submit and survey.status != Survey.Status.OPEN and not AccessPolicy.for_user(user).is_staff:
        raise ImportRejected(
            [
                _("Round %(slug)s is not open: only a staff user can record responses as submitted.")
                % {"slug": survey.slug}
            ]
        )


def answers_import_write(*, plan: ImportPlan, user: Any, submit: bool = False) -> ImportResult:
    """Write a checked plan in one transaction; with `submit`, record each response as submitted as received."""
    survey = plan.survey
    _check_submit(survey, user, submit)
    result = ImportResult(survey=survey, organisations=len(plan.organisations))
    with transaction.atomic():
        writer = _Writer(survey, user)
        writer._resolve({o.pk for o in plan.organisations})
        problems = _check_together(survey, plan.groups)  # the answers may have changed since the check
        if problems:
            raise ImportRejected([_("row %(row)d: %(reason)s") % {"row": n, "reason": r} for n, r in problems])
        for group in plan.groups:
            for cell in group.cells:
                writer.add(cell)
        writer.finish()
        result.written, result.unchanged = writer.written, writer.unchanged
        if submit:
            _submit(writer=writer, organisations=plan.organisations, user=user, result=result)
    return result


def answers_import(
    *, survey: Survey, source: str | Path | IO[bytes], filename: str, user: Any, submit: bool = False
) -> ImportResult:
    """Read, check and write an answer file in one pass: the one call the command and the upload page make.

    ImportRejected lists every problem; then nothing was written (the transaction is rolled back).
    """
    _check_submit(survey, user, submit)
    try:
        with open_table(source, filename, table_options()) as reader, transaction.atomic():
            checker = _Checker(survey, reader.header)
            writer: _Writer | None = _Writer(survey, user)
            for number, record in reader:
                cell = checker.row(number, record)
                if cell is not None and writer is not None:
                    if checker.problems or reader.problems:
                        writer = None  # the file will be refused: check the rest, write nothing more
                    else:
                        writer.add(cell)
            problems = checker.finish(reader.row_problems)
            if problems or writer is None:
                raise ImportRejected(problems)
            writer._resolve(set(checker.organisations) - writer.responses.keys())
            for cell in checker.held_cells():
                writer.add(cell)
            writer.finish()
            organisations = list(checker.organisations.values())
            result = ImportResult(
                survey=survey, organisations=len(organisations), written=writer.written, unchanged=writer.unchanged
            )
            if submit:
                _submit(writer=writer, organisations=organisations, user=user, result=result)
    except TableError as exc:
        raise ImportRejected(exc.problems) from exc
    return result
