"""Raw data of a round as a background job: the job row, and writing its file into storage.

`data_export_request` records an export (long or wide form, CSV or xlsx, States, NGOs or both, counted responses or
provisionally the ones in progress too, labels in one language) and queues `reports.export_data` once the transaction
commits; the task calls `data_export_execute`, which streams the rows of reports/raw_data/rows.py into a temporary
file (reports/raw_data/files.py) and saves it on the job row. The file's columns are docs/raw-data.md.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.core.files import File
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from oscethb.jobs import enqueue_on_commit
from surveys.i18n import language_codes
from surveys.models import Survey

from .jobs import Progress, job_execute, job_fail, job_finish, job_update
from .models import DataExport
from .raw_data import rows as raw
from .raw_data.files import write_csv, write_xlsx

PROGRESS_EVERY = 25  # organisations between two progress notes


def data_export_create(
    *,
    survey: Survey,
    user: Any,
    language: str,
    respondents: str = DataExport.Respondents.BOTH,
    layout: str = DataExport.Layout.LONG,
    file_format: str = DataExport.Format.CSV,
    include_in_progress: bool = False,
) -> DataExport:
    """The job row only (queued). `data_export_request` also queues the task."""
    if language not in language_codes():
        raise ValueError(f"unknown language {language!r} (languages: {', '.join(language_codes())})")
    for name, value, allowed in (
        ("respondents", respondents, DataExport.Respondents.values),
        ("layout", layout, DataExport.Layout.values),
        ("file_format", file_format, DataExport.Format.values),
    ):
        if value not in allowed:
            raise ValueError(f"unknown {name} {value!r} (one of: {', '.join(allowed)})")
    return DataExport.objects.create(
        survey=survey,
        language=language,
        respondents=respondents,
        layout=layout,
        file_format=file_format,
        include_in_progress=include_in_progress,
        requested_by=user if getattr(user, "is_authenticated", False) else None,
    )


def data_export_request(**options: Any) -> DataExport:
    """Record an export and queue it once the surrounding transaction commits (a worker must find the row)."""
    export = data_export_create(**options)
    enqueue_on_commit("reports.export_data", export.pk)
    return export


def data_export_execute(*, export_id: int, last_try: bool = True) -> str:
    """Write one export through the job lifecycle (reports/jobs.py). Returns its final status."""
    return job_execute(DataExport, export_id, _export, noun="data export", last_try=last_try)


def data_export_fail(*, export_id: int, error: str) -> None:
    job_fail(DataExport, export_id, error)


def data_export_filename(export: DataExport, at_time: dt.datetime | None = None) -> str:
    """thb-2016-answers-long-both-en-20261128-0102.csv (…-provisional-… when in-progress answers are included)."""
    stamp = timezone.localtime(at_time or timezone.now()).strftime("%Y%m%d-%H%M")
    basis = "-provisional" if export.include_in_progress else ""
    return (
        f"{export.survey.slug}-answers-{export.layout}-{export.respondents}{basis}-{export.language}-{stamp}"
        f".{export.file_format}"
    )


def _export(export: DataExport, progress: Progress) -> None:
    if export.file:  # left by an attempt whose worker died after saving it
        export.file.delete(save=False)
        job_update(DataExport, export.pk, file="")
    name = data_export_filename(export)
    with tempfile.TemporaryDirectory(prefix="oscethb-data-") as folder:
        path = Path(folder) / name
        with translation.override(export.language):
            data_export_write(
                path,
                survey=export.survey,
                respondents=export.respondents,
                layout=export.layout,
                file_format=export.file_format,
                include_in_progress=export.include_in_progress,
                progress=progress,
            )
        with path.open("rb") as handle:
            export.file.save(name, File(handle, name=name), save=False)
    try:
        job_finish(DataExport, export.pk, file=export.file.name)
    except Exception:
        export.file.delete(save=False)  # the row does not point at it: do not leave it behind
        raise


def data_export_write(
    path: Path,
    *,
    survey: Survey,
    respondents: str,
    layout: str,
    file_format: str,
    include_in_progress: bool,
    progress: Progress | None = None,
) -> int:
    """Write the raw data to `path` in the active language; returns the number of data rows."""
    kinds = raw.KINDS[respondents]
    catalogue = raw.Catalogue(survey, kinds)
    total = raw.response_count(survey, kinds, include_in_progress)
    answers = _noting_progress(raw.organisation_answers(survey, catalogue, kinds, include_in_progress), total, progress)
    if layout == DataExport.Layout.WIDE:
        columns = catalogue.columns()
        header = raw.wide_header(columns, catalogue)
        rows = raw.wide_rows(answers, columns)
    else:
        header = [list(raw.LONG_COLUMNS)]
        rows = raw.long_rows(answers, catalogue)
    if file_format == DataExport.Format.XLSX:
        return write_xlsx(path, header, rows, title=_("Answers"))
    return write_csv(path, header, rows)


def _noting_progress(
    answers: Iterator[raw.OrganisationAnswers], total: int, progress: Progress | None
) -> Iterator[raw.OrganisationAnswers]:
    done = 0
    for done, found in enumerate(answers, 1):
        yield found
        if progress is not None and done % PROGRESS_EVERY == 0:
            message = ngettext(
                "%(done)d of %(total)d organisation written", "%(done)d of %(total)d organisations written", total
            ) % {"done": done, "total": total}
            progress(5 + 90 * done // max(total, 1), message)
