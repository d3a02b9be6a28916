"""Drafts of the published chapter: the job row, and writing the .docx from the stored report into storage.

`draft_report_request` records a draft and queues `reports.draft_report` once the transaction commits; the task
calls `draft_report_execute`, which reads the round's stored report of the chosen basis (`report_stored`: no
counting of answers here) and writes it with `reports.document.write_draft`. `draft_report_write` does the same
for the command, straight into a file. A round without a stored report of that basis has no draft: the caller is
told to build the report first (`NoStoredReport`).
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import IO, Any

from django.core.files import File
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import Organisation
from oscethb.jobs import enqueue_on_commit
from surveys.i18n import language_codes, pick
from surveys.models import Survey

from .document import write_draft
from .jobs import Progress, job_execute, job_fail, job_finish, job_update
from .models import DraftReport
from .selectors import report_stored

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class NoStoredReport(Exception):
    """The round has no stored report of the chosen basis: build one first."""


def no_report_message(survey: Survey, include_in_progress: bool) -> str:
    if include_in_progress:
        return _(
            "The round %(slug)s has no provisional report yet: build one first (python manage.py build_reports "
            "--survey %(slug)s --include-in-progress, or “Build provisional report” on the round's dashboard)."
        ) % {"slug": survey.slug}
    return _(
        "The round %(slug)s has no report yet: build one first (python manage.py build_reports --survey %(slug)s, "
        "or “Build report” on the round's dashboard)."
    ) % {"slug": survey.slug}


def draft_filename(draft: DraftReport, at_time: dt.datetime | None = None) -> str:
    """thb-2016-draft-en-20261128-0102.docx (…-draft-provisional-… when in-progress answers are counted)."""
    stamp = timezone.localtime(at_time or timezone.now()).strftime("%Y%m%d-%H%M")
    basis = "-provisional" if draft.include_in_progress else ""
    return f"{draft.survey.slug}-draft{basis}-{draft.language}-{stamp}.docx"


def draft_report_write(
    target: str | Path | IO[bytes], *, survey: Survey, language: str, include_in_progress: bool
) -> dt.datetime:
    """Write the draft of the round's stored report to `target`; returns when that report was built. Three
    queries at most whatever the round's size: the report, the previous round's title (if any), the States' names."""
    if language not in language_codes():
        raise ValueError(f"unknown language {language!r} (languages: {', '.join(language_codes())})")
    report = report_stored(survey=survey, include_in_progress=include_in_progress)
    if report is None:
        raise NoStoredReport(no_report_message(survey, include_in_progress))
    data = {**report.data, "built_at": report.built_at.isoformat()}
    previous_slug = data.get("survey", {}).get("previous")
    previous = (
        Survey.objects.filter(slug=previous_slug).values_list("title", flat=True).first() if previous_slug else None
    )
    # Names as the directory keeps them (it has no dated former names: a renamed State shows its current name).
    names = dict(Organisation.objects.filter(kind=Organisation.Kind.STATE).order_by().values_list("code", "name"))
    write_draft(
        target,
        report=data,
        language=language,
        state_names=names,
        previous_title=pick(previous, language) if previous else previous_slug,
    )
    return report.built_at


def draft_report_create(*, survey: Survey, user: Any, language: str, include_in_progress: bool) -> DraftReport:
    """The job row only (queued). Callers queue the task themselves; `draft_report_request` does both."""
    if language not in language_codes():
        raise ValueError(f"unknown language {language!r} (languages: {', '.join(language_codes())})")
    return DraftReport.objects.create(
        survey=survey,
        language=language,
        include_in_progress=include_in_progress,
        requested_by=user if getattr(user, "is_authenticated", False) else None,
    )


def draft_report_request(*, survey: Survey, user: Any, language: str, include_in_progress: bool) -> DraftReport:
    """Record a draft and queue it once the surrounding transaction commits (a worker must find the row)."""
    draft = draft_report_create(survey=survey, user=user, language=language, include_in_progress=include_in_progress)
    enqueue_on_commit("reports.draft_report", draft.pk)
    return draft


def draft_report_execute(*, draft_id: int, last_try: bool = True) -> str:
    """Write one draft through the job lifecycle (reports/jobs.py). Returns its final status ("skipped" when it is
    finished already). A round without a stored report (gone since the draft was asked for) fails the job with
    the message saying what to do."""
    return job_execute(DraftReport, draft_id, _draft, noun="draft report", last_try=last_try)


def _draft(draft: DraftReport, progress: Progress) -> None:
    if draft.file:  # left by an attempt whose worker died after saving it
        draft.file.delete(save=False)
        job_update(DraftReport, draft.pk, file="")
    name = draft_filename(draft)
    progress(10, gettext_noop("writing the document"))  # stored in English, translated where it is shown
    with tempfile.TemporaryDirectory(prefix="oscethb-draft-") as folder:
        path = Path(folder) / name
        built_at = draft_report_write(
            path, survey=draft.survey, language=draft.language, include_in_progress=draft.include_in_progress
        )
        job_update(DraftReport, draft.pk, report_built_at=built_at)
        progress(90, gettext_noop("saving the document"))
        with path.open("rb") as handle:
            draft.file.save(name, File(handle, name=name), save=False)
    try:
        job_finish(DraftReport, draft.pk, file=draft.file.name)
    except Exception:
        draft.file.delete(save=False)  # the row does not point at it: do not leave it behind
        raise


def draft_report_fail(*, draft_id: int, error: str) -> None:
    job_fail(DraftReport, draft_id, error)
