"""Uploading a filled offline workbook: store its plan, then write it when its uploader confirms.

`workbook_upload_refusal` says why a response cannot be changed by an upload now ("" when it can): a submitted
response, a round that is not open (for Office staff too: they may record late returns past a deadline, not change a
draft or closed round), a deadline that passed (respondents only). `workbook_upload_create` reads the
file (reading.py) and keeps the plan in a WorkbookUpload for its uploader; older uploads are removed then.
`workbook_upload_confirm` writes nothing while the plan has an invalid cell (all or nothing, like the command and
every import here: the person corrects the cells and uploads again); otherwise it writes every change and every conflict the person settled "take the workbook's value" in
ONE transaction, each question through `answers_save` (same checks, versions and history as the web form, source
"workbook"), after reviewing the plan again under the response's lock: if anything moved since the preview (the
`token` differs), nothing is written and the preview is shown again.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import IO, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from surveys.models import Survey
from surveys.selectors import questions_with_words

from ..models import Response, Source, WorkbookUpload
from ..selectors import survey_structure
from ..services import answers_save, deadline_refusal, response_for_writing
from .reading import workbook_read
from .review import plan_review

KEEP_MINE, KEEP_THEIRS = "mine", "theirs"


def workbook_upload_refusal(*, response: Response, user: Any) -> str:
    if response.is_locked_for_respondents:
        return _(
            "This response has been submitted, so an uploaded workbook cannot change it. If answers must change, "
            "ask the Office to return the response to you."
        )
    if response.survey.status != Survey.Status.OPEN:  # staff too, as AccessPolicy.may_edit: only an open round
        return _("This round is not open (it is a draft or closed), so an uploaded workbook cannot change its answers.")
    return deadline_refusal(response, user=user)


def workbook_upload_create(*, response: Response, user: Any, source: IO[bytes], filename: str) -> WorkbookUpload:
    """Read the workbook and keep its plan for `user`; WorkbookRejected (nothing kept) when it cannot be read."""
    plan = workbook_read(response=response, source=source, filename=filename)
    response_for_writing(response)
    WorkbookUpload.objects.filter(
        created_at__lt=timezone.now() - dt.timedelta(hours=WorkbookUpload.KEEP_HOURS)
    ).delete()
    return WorkbookUpload.objects.create(owner=user, response=response, filename=filename[:200], plan=plan.as_json())


@dataclass
class ConfirmOutcome:
    written: int = 0
    moved: bool = False  # something changed online since the preview: nothing written, review again
    error: str = ""


class _Undo(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def workbook_upload_confirm(
    *, upload: WorkbookUpload, user: Any, token: str, choices: dict[int, str], now: dt.datetime | None = None
) -> ConfirmOutcome:
    """Write the upload's changes, and its conflicts as chosen (`choices`: entry index -> KEEP_MINE/KEEP_THEIRS),
    all at once; nothing when the review moved since `token`, a conflict has no choice, or any question refuses."""
    outcome = ConfirmOutcome()
    response = upload.response
    try:
        with transaction.atomic():
            locked = (
                Response.objects.select_for_update(of=("self",))
                .select_related("survey", "organisation")
                .get(pk=response.pk)
            )
            if upload.confirmed_at is not None or (
                WorkbookUpload.objects.select_for_update().get(pk=upload.pk).confirmed_at is not None
            ):
                raise _Undo(_("This upload was already saved."))
            if refusal := workbook_upload_refusal(response=locked, user=user):
                raise _Undo(refusal)
            if problems := upload.plan.get("problems"):
                raise _Undo(
                    ngettext(
                        "The workbook has %(n)d cell that is not valid: correct it and upload the workbook again. "
                        "Nothing was saved.",
                        "The workbook has %(n)d cells that are not valid: correct them and upload the workbook again. "
                        "Nothing was saved.",
                        len(problems),
                    )
                    % {"n": len(problems)}
                )
            review = plan_review(response=locked, plan=upload.plan)
            if review.token != token:
                outcome.moved = True
                return outcome
            missing = [c for c in review.conflicts if choices.get(c.index) not in (KEEP_MINE, KEEP_THEIRS)]
            if missing:
                raise _Undo(_("Choose which value to keep for every conflict, then confirm again."))
            chosen = review.changes + [c for c in review.conflicts if choices[c.index] == KEEP_MINE]
            by_question: dict[str, list[Any]] = defaultdict(list)
            for cell in chosen:
                by_question[cell.question.code].append(cell)
            questions = questions_with_words(survey=locked.survey, codes=by_question)
            areas = survey_structure(locked.survey, locked.organisation.respondent_kind)  # read once for every save
            for code, cells in by_question.items():
                saved = answers_save(
                    response=locked,
                    question=questions[code],
                    raw={c.key: c.new for c in cells},
                    base_versions={c.key: c.version for c in cells},
                    user=user,
                    source=Source.WORKBOOK,
                    now=now,
                    areas=areas,
                )
                if saved.conflicts:
                    raise _Undo("moved")
                if not saved.ok:
                    problem = saved.error or next(iter(saved.cell_errors.values()), "")
                    raise _Undo(
                        _("%(question)s was not saved: %(problem)s Nothing was saved.")
                        % {"question": code, "problem": problem}
                    )
                outcome.written += len(saved.changed)
            WorkbookUpload.objects.filter(pk=upload.pk).update(confirmed_at=timezone.now())
            upload.confirmed_at = timezone.now()
    except _Undo as undo:
        if undo.message == "moved":
            outcome.moved = True
        else:
            outcome.error = undo.message
    return outcome
