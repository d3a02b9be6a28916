"""Drafts of the published chapter for Office staff: start one, follow its progress (htmx polling), download the
.docx. The start page says which stored reports there are (a draft is written from one; none, no draft) and offers
to build a new one first.

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

from .drafts import DOCX, draft_report_request, no_report_message
from .models import DraftReport, JobStatus
from .selectors import report_freshness

RECENT = 20


class DraftReportForm(forms.Form):
    language = forms.ChoiceField(
        label=_("Language of the document"),
        choices=settings.LANGUAGES,
        help_text=_("Titles, question texts, options and sentences appear in this language."),
    )
    include_in_progress = forms.BooleanField(
        required=False,
        label=_("Use the provisional report (answers still in progress counted)"),
        help_text=_("The document then says on its first page that its figures are provisional."),
    )


@staff_required
@require_http_methods(["GET", "POST"])
def draft_report_start(request: HttpRequest, slug: str) -> HttpResponse:
    """GET: the form, the stored reports and the round's recent drafts. POST: start a draft, go to its page."""
    survey = get_object_or_404(Survey, slug=slug)
    language = (get_language() or "en").split("-")[0]
    form = DraftReportForm(request.POST or None, initial={"language": language})
    freshness = report_freshness(survey=survey)
    if request.method == "POST" and form.is_valid():
        provisional = form.cleaned_data["include_in_progress"]
        if freshness[provisional].built_at is None:
            form.add_error("include_in_progress" if provisional else None, no_report_message(survey, provisional))
        else:
            draft = draft_report_request(
                survey=survey,
                user=request.user,
                language=form.cleaned_data["language"],
                include_in_progress=provisional,
            )
            return redirect("reports:draft-report-status", pk=draft.pk)
    drafts = DraftReport.objects.filter(survey=survey).select_related("requested_by")[:RECENT]
    return render(
        request,
        "reports/drafts/start.html",
        {"survey": survey, "form": form, "drafts": drafts, "bases": [freshness[False], freshness[True]]},
        status=400 if request.method == "POST" else 200,
    )


@staff_required
@require_GET
def draft_report_status(request: HttpRequest, pk: int) -> HttpResponse:
    """The draft's progress; htmx polls it every 2 s (and gets only the status card) until it has finished."""
    draft = get_object_or_404(DraftReport.objects.select_related("survey", "requested_by"), pk=pk)
    context = {"draft": draft, "survey": draft.survey, "filename": _filename(draft)}
    if getattr(request, "htmx", False):
        return render(request, "reports/drafts/partials/status.html", context)
    return render(request, "reports/drafts/status.html", context)


@staff_required
@require_GET
def draft_report_download(request: HttpRequest, pk: int) -> FileResponse:
    draft = get_object_or_404(DraftReport, pk=pk)
    if draft.status != JobStatus.DONE or not draft.file:
        raise Http404("This draft has no file (yet)")
    try:
        handle = draft.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404("The file of this draft is gone") from exc
    return FileResponse(handle, as_attachment=True, filename=_filename(draft), content_type=DOCX)


def _filename(draft: DraftReport) -> str:
    return Path(draft.file.name or "").name
