"""Staff import of answer files (paper returns, bulk data), and prefilling a response from the previous round."""

from __future__ import annotations

from pathlib import Path

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.uploadedfile import UploadedFile
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from accounts.models import Organisation
from oscethb.access import staff_required
from surveys.models import Survey

from ..access import AccessPolicy
from ..imports import MAX_FILE_BYTES, ImportRejected, answers_import
from ..models import Response
from ..prefill import prefill_from_previous
from ..services import WorkflowError, response_get_or_create

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
SHOWN_PROBLEMS = 500


class AnswerImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Answer file"),
        help_text=gettext_lazy(
            "A CSV file (UTF-8) or an Excel .xlsx workbook with the columns organisation, question, row, column and "
            "value."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )
    submit = forms.BooleanField(
        required=False,
        label=gettext_lazy("Record the imported responses as submitted"),
        help_text=gettext_lazy(
            "For paper returns: each organisation in the file is recorded as having submitted, even with answers "
            "missing (you will see a warning for each)."
        ),
    )

    def clean_file(self) -> UploadedFile:
        uploaded = self.cleaned_data["file"]
        if Path(uploaded.name).suffix.lower() not in (".csv", ".xlsx"):
            raise forms.ValidationError(_("Upload a .csv or an .xlsx file."))
        if uploaded.size > min(MAX_UPLOAD_BYTES, MAX_FILE_BYTES):
            raise forms.ValidationError(
                _("The file is larger than %(mb)d MB; split it into smaller files.") % {"mb": MAX_UPLOAD_BYTES // 2**20}
            )
        return uploaded


@staff_required
def staff_import_responses(request: HttpRequest, slug: str) -> HttpResponse:
    """Staff upload an answer file for a round; every problem is listed and nothing is written, or all of it is."""
    survey = get_object_or_404(Survey, slug=slug)
    form = AnswerImportForm(request.POST or None, request.FILES or None)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        uploaded = form.cleaned_data["file"]
        try:
            result = answers_import(
                survey=survey,
                source=uploaded,
                filename=uploaded.name,
                user=request.user,
                submit=form.cleaned_data["submit"],
            )
        except ImportRejected as exc:
            problems = exc.problems
            messages.error(
                request,
                ngettext(
                    "Nothing was imported: the file has %(n)d problem, listed below. Correct it and upload the file "
                    "again.",
                    "Nothing was imported: the file has %(n)d problems, listed below. Correct them and upload the file "
                    "again.",
                    len(problems),
                )
                % {"n": len(problems)},
            )
        else:
            messages.success(
                request,
                _("Imported into %(slug)s: %(figures)s.") % {"slug": survey.slug, "figures": result.figures},
            )
            for warning in result.warnings:
                messages.warning(request, warning)
            return redirect("responses:staff-import-responses", slug=survey.slug)
    return render(
        request,
        "responses/imports/upload.html",
        {
            "survey": survey,
            "form": form,
            "problems": problems[:SHOWN_PROBLEMS],
            "more_problems": max(0, len(problems) - SHOWN_PROBLEMS),
        },
    )


@login_required
@require_POST
def response_prefill(request: HttpRequest, slug: str, org_code: str) -> HttpResponse:
    """Copy the organisation's answers from the previous round into the empty cells of its response."""
    survey = Survey.objects.filter(slug=slug).select_related("previous").first()
    organisation = Organisation.objects.filter(code=org_code).first()
    if survey is None or organisation is None:
        raise Http404("No such response")
    existing = Response.objects.filter(survey=survey, organisation=organisation).first()
    if not AccessPolicy.for_request(request).may_prefill(survey, organisation, existing):
        raise Http404("No such response")
    response = existing or response_get_or_create(survey=survey, organisation=organisation)
    response.survey, response.organisation = survey, organisation
    try:
        result = prefill_from_previous(response=response, user=request.user)
    except WorkflowError as exc:
        messages.error(request, str(exc))
    else:
        text = ngettext(
            "%(n)d answer copied from “%(round)s”. It is marked for review: check it.",
            "%(n)d answers copied from “%(round)s”. They are marked for review: check each one.",
            result.copied,
        ) % {"n": result.copied, "round": survey.previous.title_text if survey.previous else ""}
        if result.skipped:
            text += " " + ngettext(
                "%(n)d earlier answer is not valid in this round and was left out.",
                "%(n)d earlier answers are not valid in this round and were left out.",
                result.skipped,
            ) % {"n": result.skipped}
        messages.success(request, text)
    return redirect(reverse("responses:response-home", args=[survey.slug, organisation.code]))
