"""Steps that change a response's status, each asked before it is done, and the copy of all its answers.

- Submit (coordinators): GET shows what is being sent (answered / missing per section, and the cells whose typed
  text was not saved), POST with the confirm button submits. Accept (Office): GET asks, POST with the confirm button accepts. Return (Office): a comment is required.
  Reopen (Office): a submitted or accepted response goes back to the organisation, with a required reason.
- "All our answers": one page with every answer in words, printable, and the same as a PDF download.
Pages with answers are never cached (`Cache-Control: no-store`).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ..access import ResponseAccess, response_access
from ..answer_copy import response_copy, response_copy_filename, response_copy_pdf
from ..forms_workflow import ConfirmForm, ReopenForm, ReturnForm
from ..models import Response
from ..notifications import organisation_is_mailed
from ..section_page import response_urls
from ..selectors import response_progress, unsaved_cells
from ..services import (
    WorkflowError,
    response_accept,
    response_for_writing,
    response_reopen,
    response_return,
    response_submit,
)

SUBMITTED = Response.AWAITING_DECISION_STATUSES


def _no_store(response: HttpResponse) -> HttpResponse:
    add_never_cache_headers(response)
    patch_cache_control(response, no_store=True, private=True)
    return response


def _home(access: ResponseAccess) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("responses:response-home", args=[access.survey.slug, access.organisation.code]))


def _staff_access(request: HttpRequest, slug: str, org_code: str) -> ResponseAccess:
    access = response_access(request, slug, org_code)
    if not access.may_review:
        raise Http404("No such page")
    return access


def _page(
    request: HttpRequest, template: str, access: ResponseAccess, status: int = 200, **extra: object
) -> HttpResponse:
    context = {"access": access, "response": access.response, "urls": response_urls(access), **extra}
    return _no_store(render(request, template, context, status=status))


# --- submit -----------------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def submit(request: HttpRequest, slug: str, org_code: str) -> HttpResponse:
    """GET: what is being sent and a confirm button. POST with `confirm`: submit. Coordinators only."""
    access = response_access(request, slug, org_code)
    if not access.may_submit_for:
        raise PermissionDenied
    if access.response.is_counted:  # already submitted (or accepted)
        messages.info(request, _("This response is already submitted."))
        return _home(access)
    progress = response_progress(access.response)
    unsaved = unsaved_cells(access.response)
    form = ConfirmForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            response_submit(response=response_for_writing(access.response), user=request.user)
        except WorkflowError as exc:
            messages.error(request, str(exc))
            return HttpResponseRedirect(reverse("responses:response-submit", args=[slug, org_code]))
        messages.success(request, _("Thank you: the response is submitted. The Office will review it."))
        return _home(access)
    status = 400 if request.method == "POST" else 200
    return _page(
        request, "responses/submit_confirm.html", access, status, progress=progress, unsaved=unsaved, form=form
    )


# --- the Office's decisions ---------------------------------------------------------------------------------------


def _told(access: ResponseAccess) -> bool:
    return organisation_is_mailed(access.organisation.pk)


def _nobody_told(request: HttpRequest, access: ResponseAccess) -> None:
    if not _told(access):
        messages.warning(
            request,
            _(
                "%(organisation)s: no one was told by e-mail, as the organisation has no coordinator with an e-mail "
                "address on the platform. Tell the organisation yourself, or invite a coordinator from “People and "
                "invitations”."
            )
            % {"organisation": access.organisation.display_name},
        )


@login_required
@require_http_methods(["GET", "POST"])
def accept(request: HttpRequest, slug: str, org_code: str) -> HttpResponse:
    """GET: asks the Office to confirm. POST with `confirm`: accept and lock."""
    access = _staff_access(request, slug, org_code)
    form = ConfirmForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            response_accept(response=response_for_writing(access.response), user=request.user)
        except WorkflowError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("The response is accepted and locked."))
            _nobody_told(request, access)
        return _home(access)
    status = 400 if request.method == "POST" else 200
    progress = response_progress(access.response)
    return _page(
        request, "responses/accept_confirm.html", access, status, progress=progress, form=form, told=_told(access)
    )


@login_required
@require_http_methods(["GET", "POST"])
def return_for_changes(request: HttpRequest, slug: str, org_code: str) -> HttpResponse:
    """GET: the comment form. POST: return with the comment (required: the form says so next to the field)."""
    access = _staff_access(request, slug, org_code)
    form = ReturnForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            response_return(
                response=response_for_writing(access.response), user=request.user, comment=form.cleaned_data["comment"]
            )
        except WorkflowError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("The response is returned to the organisation with your comment."))
            _nobody_told(request, access)
        return _home(access)
    status = 400 if request.method == "POST" else 200
    return _page(request, "responses/return_form.html", access, status, form=form, told=_told(access))


@login_required
@require_http_methods(["GET", "POST"])
def reopen(request: HttpRequest, slug: str, org_code: str) -> HttpResponse:
    """GET: the reason form. POST: reopen a submitted or accepted response for the reason given."""
    access = _staff_access(request, slug, org_code)
    form = ReopenForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            response_reopen(
                response=response_for_writing(access.response), user=request.user, reason=form.cleaned_data["reason"]
            )
        except WorkflowError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("The response is reopened: the organisation can change its answers again."))
            _nobody_told(request, access)
        return _home(access)
    status = 400 if request.method == "POST" else 200
    return _page(request, "responses/reopen_form.html", access, status, form=form, told=_told(access))


# --- the copy of all answers ----------------------------------------------------------------------------------------


@login_required
def answers(request: HttpRequest, slug: str, org_code: str) -> HttpResponse:
    """Every answer of the response on one printable page (its members, viewers included, and the Office)."""
    access = response_access(request, slug, org_code)
    copy = response_copy(response=access.response)
    return _page(request, "responses/answer_copy.html", access, copy=copy)


@login_required
def answers_pdf(request: HttpRequest, slug: str, org_code: str) -> HttpResponse:
    """The same as a PDF, in the language of the page, downloaded as an attachment and never cached."""
    access = response_access(request, slug, org_code)
    pdf = response_copy_pdf(response=access.response, language=translation.get_language() or "en")
    result = HttpResponse(pdf, content_type="application/pdf")
    result["Content-Disposition"] = f'attachment; filename="{response_copy_filename(response=access.response)}"'
    return _no_store(result)
