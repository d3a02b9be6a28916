"""Excel summaries for Office staff: start one, follow its progress (htmx polling), download it. Both pages say
which stored report the workbook's counts come from (when it was built, how many responses changed since) and offer
to build a new one first. Raw data (the answers in long or wide form, CSV or xlsx; docs/raw-data.md): start one and
download it from the round's raw-data page, which lists them with their status.

Office staff only: anonymous visitors go to the login page, everyone else gets 404.
"""

from __future__ import annotations

from pathlib import Path

from django import forms
from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from oscethb.access import staff_required
from surveys.models import Survey

from .data_exports import data_export_request
from .exports import excel_export_request
from .models import DataExport, ExcelExport, JobStatus
from .selectors import report_built_at, report_freshness

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CONTENT_TYPES: dict[str, str] = {DataExport.Format.CSV: "text/csv; charset=utf-8", DataExport.Format.XLSX: XLSX}
RECENT = 20


class ExcelExportForm(forms.Form):
    language = forms.ChoiceField(
        label=_("Language of the labels and texts"),
        choices=settings.LANGUAGES,
        help_text=_("Question texts, titles and options appear in this language where the definition has them."),
    )
    include_in_progress = forms.BooleanField(
        required=False,
        label=_("Include answers still in progress (provisional)"),
        help_text=_("Otherwise only submitted, resubmitted and accepted responses are counted."),
    )


@staff_required
@require_http_methods(["GET", "POST"])
def excel_export_start(request: HttpRequest, slug: str) -> HttpResponse:
    """GET: the form and the round's recent exports. POST: start an export and go to its status page."""
    survey = get_object_or_404(Survey, slug=slug)
    language = (get_language() or "en").split("-")[0]
    form = ExcelExportForm(request.POST or None, initial={"language": language})
    if request.method == "POST" and form.is_valid():
        export = excel_export_request(
            survey=survey,
            user=request.user,
            language=form.cleaned_data["language"],
            include_in_progress=form.cleaned_data["include_in_progress"],
        )
        return redirect("reports:excel-export-status", pk=export.pk)
    exports = ExcelExport.objects.filter(survey=survey).select_related("requested_by")[:RECENT]
    # The workbook holds the counts of the stored report of its basis: say which, and whether it is behind.
    freshness = report_freshness(survey=survey)
    return render(
        request,
        "reports/exports/start.html",
        {"survey": survey, "form": form, "exports": exports, "bases": [freshness[False], freshness[True]]},
        status=400 if request.method == "POST" else 200,
    )


@staff_required
@require_GET
def excel_export_status(request: HttpRequest, pk: int) -> HttpResponse:
    """The export's progress; htmx polls it every 2 s (and gets only the status card) until it has finished."""
    export = get_object_or_404(ExcelExport.objects.select_related("survey", "requested_by"), pk=pk)
    context = {"export": export, "survey": export.survey, "filename": _filename(export)}
    if getattr(request, "htmx", False):
        return render(request, "reports/exports/partials/status.html", context)
    # The report whose counts the workbook holds: recorded once it is written; until then, the stored one it will use.
    built = export.report_built_at
    if built is None and not export.finished:
        built = report_built_at(survey=export.survey, include_in_progress=export.include_in_progress)
    if built is not None or not export.finished:
        context["basis"] = report_freshness(survey=export.survey, built={export.include_in_progress: built})[
            export.include_in_progress
        ]
    return render(request, "reports/exports/status.html", context)


@staff_required
@require_GET
def excel_export_download(request: HttpRequest, pk: int) -> FileResponse:
    export = get_object_or_404(ExcelExport, pk=pk)
    if export.status != JobStatus.DONE or not export.file:
        raise Http404("This export has no file (yet)")
    try:
        handle = export.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404("The file of this export is gone") from exc
    return FileResponse(handle, as_attachment=True, filename=_filename(export), content_type=XLSX)


def _filename(export: ExcelExport) -> str:
    return Path(export.file.name or "").name


class DataExportForm(forms.Form):
    layout = forms.ChoiceField(
        label=_("Form of the table"),
        choices=DataExport.Layout.choices,
        initial=DataExport.Layout.LONG,
        widget=forms.RadioSelect,
    )
    respondents = forms.ChoiceField(
        label=_("Respondents"),
        choices=DataExport.Respondents.choices,
        initial=DataExport.Respondents.BOTH,
        help_text=_("Partners for Co-operation that answered are listed with the participating States."),
    )
    file_format = forms.ChoiceField(
        label=_("File format"), choices=DataExport.Format.choices, initial=DataExport.Format.CSV
    )
    language = forms.ChoiceField(
        label=_("Language of the labels"),
        choices=settings.LANGUAGES,
        help_text=_("Codes stay the same in every language; labels come from the definition where it has them."),
    )
    include_in_progress = forms.BooleanField(
        required=False,
        label=_("Include answers still in progress (provisional)"),
        help_text=_("Otherwise only submitted, resubmitted and accepted responses are included."),
    )


@staff_required
@require_http_methods(["GET", "POST"])
def data_export_start(request: HttpRequest, slug: str) -> HttpResponse:
    """GET: the form and the round's recent raw-data files (htmx polls the list while one is being written).
    POST: start one and come back to the list."""
    survey = get_object_or_404(Survey, slug=slug)
    language = (get_language() or "en").split("-")[0]
    form = DataExportForm(request.POST or None, initial={"language": language})
    if request.method == "POST" and form.is_valid():
        data_export_request(survey=survey, user=request.user, **form.cleaned_data)
        return redirect("reports:data-export-start", slug=survey.slug)
    exports = DataExport.objects.filter(survey=survey).select_related("requested_by")[:RECENT]
    context = {"survey": survey, "form": form, "exports": exports, "running": any(not e.finished for e in exports)}
    if getattr(request, "htmx", False) and request.method == "GET":
        return render(request, "reports/exports/partials/data_exports.html", context)
    return render(request, "reports/exports/data.html", context, status=400 if request.method == "POST" else 200)


@staff_required
@require_GET
def data_export_download(request: HttpRequest, pk: int) -> FileResponse:
    export = get_object_or_404(DataExport, pk=pk)
    if export.status != JobStatus.DONE or not export.file:
        raise Http404("This export has no file (yet)")
    try:
        handle = export.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404("The file of this export is gone") from exc
    return FileResponse(
        handle,
        as_attachment=True,
        filename=export.filename,
        content_type=CONTENT_TYPES.get(export.file_format, "application/octet-stream"),
    )
