"""Excel summaries of a round: the job row, the streamed raw answers, and writing the workbook into storage.

`excel_export_request` records an export and queues `reports.export_excel` once the transaction commits;
the task calls `excel_export_execute`, which reads the stored report (or computes one when the round has none
yet; either way the job row records when those counts were built, `report_built_at`), streams every answer cell of the counted responses into `reports.workbook.write_summary` and saves the file
on the job row. Nothing here holds a round's answers in memory at once.
"""

from __future__ import annotations

import datetime as dt
import logging
import tempfile
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.files import File
from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext_noop

from accounts.models import Organisation
from oscethb.jobs import enqueue_on_commit
from responses.models import Answer
from surveys import answer_types as at
from surveys.i18n import language_codes, pick
from surveys.models import Survey

from .jobs import Progress, job_execute, job_fail, job_finish, job_progress_update, job_update
from .models import ExcelExport
from .selectors import counted_statuses, question_list, regions, report_stored
from .services import report_compute
from .workbook import write_summary

logger = logging.getLogger(__name__)
CHUNK = 5_000
RawRow = tuple[str, str, str, str, str, str, Any, str, dt.datetime | None]


def raw_rows(survey: Survey, include_in_progress: bool) -> Iterator[RawRow]:
    """Every answer cell of the round's counted responses, one tuple per cell, streamed in one query.

    (organisation name, kind, country code, question, row, column, value, response status, last changed).
    Rows come grouped by organisation (States first, then Partners, then NGOs; each by code) and, within one, in
    questionnaire order. The value is typed by the cell's kind: text for choices and texts, an int or a float for
    numbers, a date for dates, and the chosen option codes joined with ";" for multiple choices.
    """
    kinds = {(q["code"], *key.split("|", 1)): kind for q in question_list(survey) for key, kind in q["cells"].items()}
    kind_order = Case(
        When(response__organisation__kind="state", then=Value(0)),
        When(response__organisation__kind="partner", then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    query = (
        _answers(survey, include_in_progress)
        .order_by(
            kind_order,
            "response__organisation__code",
            "question__section__area__position",
            "question__section__position",
            "question__position",
            "row",
            "column",
        )
        .values_list(
            "response__organisation__name",
            "response__organisation__code",
            "response__organisation__kind",
            "response__organisation__country__code",
            "question__code",
            "row",
            "column",
            "value_text",
            "value_number",
            "value_date",
            "value_choices",
            "response__status",
            "updated_at",
        )
    )
    for (
        name,
        code,
        kind,
        country,
        question,
        row,
        column,
        text,
        number,
        date,
        choices,
        status,
        changed,
    ) in query.iterator(chunk_size=CHUNK):
        value = _value(kinds.get((question, row, column)), text, number, date, choices)
        yield (name, kind, country or code, question, row, column, value, status, changed)


def _answers(survey: Survey, include_in_progress: bool) -> QuerySet[Answer]:
    """The answer cells of the counted responses; a cleared cell keeps its row with no value and is no answer."""
    return Answer.objects.filter(
        response__survey=survey, response__status__in=counted_statuses(include_in_progress)
    ).exclude(value_text__isnull=True, value_number__isnull=True, value_date__isnull=True, value_choices__isnull=True)


def _value(kind: str | None, text: str | None, number: Decimal | None, date: dt.date | None, choices: Any) -> Any:
    if kind is None:  # a cell the definition no longer has: whichever column holds the value
        kind = (
            at.CHOICES
            if choices is not None
            else at.DATE
            if date is not None
            else at.DECIMAL
            if number is not None
            else at.TEXT
        )
    if kind == at.CHOICES:
        return at.MULTI_SEPARATOR.join(choices or []) or None
    if kind == at.DATE:
        return date
    if kind in (at.INTEGER, at.YEAR, at.DECIMAL):
        if number is None:
            return None
        return int(number) if number == number.to_integral_value() else float(number)
    return text


def export_filename(export: ExcelExport, at_time: dt.datetime | None = None) -> str:
    """thb-2016-summary-en-20261128-0102.xlsx (…-summary-provisional-… when in-progress answers are counted)."""
    stamp = timezone.localtime(at_time or timezone.now()).strftime("%Y%m%d-%H%M")
    basis = "-provisional" if export.include_in_progress else ""
    return f"{export.survey.slug}-summary{basis}-{export.language}-{stamp}.xlsx"


def excel_export_create(*, survey: Survey, user: Any, language: str, include_in_progress: bool) -> ExcelExport:
    """The job row only (queued). Callers queue the task themselves; `excel_export_request` does both."""
    if language not in language_codes():
        raise ValueError(f"unknown language {language!r} (languages: {', '.join(language_codes())})")
    return ExcelExport.objects.create(
        survey=survey,
        language=language,
        include_in_progress=include_in_progress,
        requested_by=user if getattr(user, "is_authenticated", False) else None,
    )


def excel_export_request(*, survey: Survey, user: Any, language: str, include_in_progress: bool) -> ExcelExport:
    """Record an export and queue it once the surrounding transaction commits (a worker must find the row)."""
    export = excel_export_create(survey=survey, user=user, language=language, include_in_progress=include_in_progress)
    enqueue_on_commit("reports.export_excel", export.pk)
    return export


def excel_export_execute(*, export_id: int, last_try: bool = True) -> str:
    """Write one export through the job lifecycle (reports/jobs.py). Returns its final status ("skipped" when it is
    finished already)."""
    return job_execute(ExcelExport, export_id, _export, noun="export", last_try=last_try)


def _export(export: ExcelExport, _progress: Progress) -> None:
    if export.file:  # left by an attempt whose worker died after saving it
        export.file.delete(save=False)
        job_update(ExcelExport, export.pk, file="")
    _write(export)
    try:
        job_finish(ExcelExport, export.pk, file=export.file.name)
    except Exception:
        export.file.delete(save=False)  # the row does not point at it: do not leave it behind
        raise


def _write(export: ExcelExport) -> None:
    """Write the workbook to a temporary file, then into storage (`export.file`, not yet saved on the row)."""

    def progress_between(low: int, high: int) -> Progress:
        def progress(percent: int, message: str) -> None:
            done = low + (high - low) * max(0, min(percent, 100)) // 100
            job_progress_update(ExcelExport, export.pk, done, message)

        return progress

    survey = export.survey
    report = report_stored(survey=survey, include_in_progress=export.include_in_progress)
    if report is not None:
        built_at = report.built_at
        data = {**report.data, "built_at": built_at.isoformat()}
        writing = progress_between(5, 99)
    else:
        job_update(ExcelExport, export.pk, progress=2, message=gettext_noop("no stored report: building one"))
        data = report_compute(
            survey=survey, include_in_progress=export.include_in_progress, progress=progress_between(2, 30)
        )
        built_at = timezone.now()
        data["built_at"] = built_at.isoformat()
        writing = progress_between(30, 99)
    # Which counts the workbook holds, for its page ("counts from the report built on …").
    job_update(ExcelExport, export.pk, report_built_at=built_at)
    count = _answers(survey, export.include_in_progress).count()
    state_names, previous_title = _names(data, export.language)
    name = export_filename(export)
    with tempfile.TemporaryDirectory(prefix="oscethb-excel-") as folder:
        path = Path(folder) / name
        write_summary(
            path,
            report_data=data,
            raw_rows=raw_rows(survey, export.include_in_progress),
            language=export.language,
            regions=regions(),
            progress=writing,
            raw_count=count,
            state_names=state_names,
            previous_title=previous_title,
        )
        with path.open("rb") as handle:
            export.file.save(name, File(handle, name=name), save=False)


def _names(data: dict[str, Any], language: str) -> tuple[dict[str, str], str | None]:
    """The States' names by code as the directory keeps them, and the previous round's title in `language` (two
    queries, whatever the round's size), for the sheets where the report holds codes."""
    kinds = [Organisation.Kind.STATE, Organisation.Kind.PARTNER]
    names = dict(Organisation.objects.filter(kind__in=kinds).order_by().values_list("code", "name"))
    previous_slug = data.get("survey", {}).get("previous")
    title = Survey.objects.filter(slug=previous_slug).values_list("title", flat=True).first() if previous_slug else None
    return names, (pick(title, language) if title else previous_slug)


def excel_export_fail(*, export_id: int, error: str) -> None:
    job_fail(ExcelExport, export_id, error)
