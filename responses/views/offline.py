"""The offline questionnaire workbook: download it, upload it filled, see what it changes, confirm.

Thin views: access (responses.access), one service call (responses.offline), a message, a redirect.
"""

from __future__ import annotations

import io
from pathlib import Path

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from ..access import ResponseAccess, response_access
from ..models import WorkbookUpload
from ..offline.identity import WorkbookRejected
from ..offline.review import plan_review
from ..offline.services import (
    KEEP_MINE,
    KEEP_THEIRS,
    workbook_upload_confirm,
    workbook_upload_create,
    workbook_upload_refusal,
)
from ..offline.writing import questionnaire_workbook
from ..section_page import response_urls

MAX_WORKBOOK_BYTES = 5 * 1024 * 1024  # a whole round downloads as about 45 KB
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class WorkbookUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Filled workbook (.xlsx)"),
        help_text=gettext_lazy("The workbook downloaded for offline work, with the answers typed in."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )

    def clean_file(self) -> UploadedFile:
        uploaded = self.cleaned_data["file"]
        if Path(uploaded.name).suffix.lower() != ".xlsx":
            raise forms.ValidationError(_("Upload the Excel workbook (.xlsx) downloaded for offline work."))
        if uploaded.size > MAX_WORKBOOK_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(mb)d MB: it cannot be the questionnaire's workbook.")
                % {"mb": MAX_WORKBOOK_BYTES // 2**20}
            )
        return uploaded


@login_required
def workbook_download(request: HttpRequest, slug: str, org_code: str) -> FileResponse:
    """The organisation's questionnaire with its current answers, in the reader's language (members and staff)."""
    access = response_access(request, slug, org_code)
    data = questionnaire_workbook(
        survey=access.survey, organisation=access.organisation, language=translation.get_language() or "en"
    )
    return FileResponse(
        io.BytesIO(data), as_attachment=True, filename=f"{slug}-{org_code}-offline.xlsx", content_type=XLSX
    )


def _uploader_access(request: HttpRequest, slug: str, org_code: str) -> ResponseAccess:
    access = response_access(request, slug, org_code)
    if not access.may_upload_workbook:
        raise PermissionDenied
    return access


@login_required
def workbook_upload(request: HttpRequest, slug: str, org_code: str) -> HttpResponse:
    access = _uploader_access(request, slug, org_code)
    refusal = workbook_upload_refusal(response=access.response, user=request.user)
    form = WorkbookUploadForm(request.POST or None, request.FILES or None)
    rejected = ""
    if request.method == "POST" and not refusal and form.is_valid():
        uploaded = form.cleaned_data["file"]
        try:
            upload = workbook_upload_create(
                response=access.response, user=request.user, source=uploaded, filename=uploaded.name
            )
        except WorkbookRejected as exc:
            rejected = str(exc)
        else:
            return HttpResponseRedirect(reverse("responses:workbook-preview", args=[slug, org_code, upload.pk]))
    return render(
        request,
        "responses/offline/upload.html",
        {
            "access": access,
            "response": access.response,
            "urls": response_urls(access),
            "form": form,
            "refusal": refusal,
            "rejected": rejected,
        },
        status=422 if rejected or form.errors else 200,
    )


@login_required
def workbook_preview(request: HttpRequest, slug: str, org_code: str, pk: int) -> HttpResponse:
    """What the uploaded workbook will change, what is invalid and what conflicts; POST confirms."""
    access = _uploader_access(request, slug, org_code)
    upload = WorkbookUpload.objects.filter(pk=pk, owner_id=request.user.pk, response_id=access.response.pk).first()
    if upload is None or access.response.pk is None:
        raise Http404("No such upload")
    upload.response = access.response
    status = 200
    if request.method == "POST" and upload.confirmed_at is None:
        choices = {}
        for key, value in request.POST.items():
            if key.startswith("conflict-") and key[9:].isdigit() and value in (KEEP_MINE, KEEP_THEIRS):
                choices[int(key[9:])] = value
        outcome = workbook_upload_confirm(
            upload=upload, user=request.user, token=request.POST.get("token", ""), choices=choices
        )
        if outcome.moved:
            messages.warning(
                request,
                _("Answers were saved online since you looked at this page: check the changes again, then confirm."),
            )
            status = 409
        elif outcome.error:
            messages.error(request, outcome.error)
            status = 422
        else:
            messages.success(
                request,
                ngettext(
                    "%(n)d answer from the workbook is saved.",
                    "%(n)d answers from the workbook are saved.",
                    outcome.written,
                )
                % {"n": outcome.written},
            )
            return HttpResponseRedirect(reverse("responses:response-home", args=[slug, org_code]))
    review = plan_review(response=access.response, plan=upload.plan)
    return render(
        request,
        "responses/offline/preview.html",
        {
            "access": access,
            "response": access.response,
            "urls": response_urls(access),
            "upload": upload,
            "review": review,
            "problems": upload.plan.get("problems", []),
            "refusal": workbook_upload_refusal(response=access.response, user=request.user),
            "KEEP_MINE": KEEP_MINE,
            "KEEP_THEIRS": KEEP_THEIRS,
        },
        status=status,
    )
