"""Answering a round: the organisation's round home, section pages with autosave, review, submit, evidence.

Views check access, save with one service call (responses.section_save) and render the page state that
responses.section_page assembles.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from oscethb.access import staff_required
from surveys.models import Survey
from surveys.structure import questions_by_code

from ..access import ResponseAccess, response_access
from ..autosave_html import autosave_html, written_by_code
from ..evidence import EvidenceError, evidence_delete
from ..forms_deadlines import DeadlineExtensionForm
from ..models import Evidence, Response, ResponseEvent
from ..notifications import organisation_is_mailed
from ..prefill import previous_answers_exist
from ..round_status import round_responses
from ..section_page import autosave_context, response_urls, section_of, section_page_context
from ..section_save import question_posted_save, section_posted_save
from ..selectors import history_rows, response_progress, survey_structure, unsaved_cells
from ..services import response_for_writing

# --- pages ------------------------------------------------------------------------------------------------------


@login_required
def response_home(request: HttpRequest, slug: str, org_code: str) -> HttpResponse:
    return response_home_page(request, response_access(request, slug, org_code))


def response_home_page(
    request: HttpRequest, access: ResponseAccess, *, extend_form: Any = None, status: int = 200
) -> HttpResponse:
    """The round home of one response; `extend_form`: the staff's deadline extension form as posted (with its
    errors), shown again open with the values typed (responses/views/deadlines.py)."""
    areas = survey_structure(access.survey, access.kind)
    progress = response_progress(access.response, areas)
    return render(
        request,
        "responses/response_home.html",
        {
            "access": access,
            "response": access.response,
            "progress": progress,
            "urls": response_urls(access),
            # Offered only when there is something to copy (one query, whatever the number of answers).
            "can_prefill": access.can_edit
            and previous_answers_exist(survey=access.survey, organisation=access.organisation),
            "extend_form": extend_form if extend_form is not None else DeadlineExtensionForm(),
            # The Office decision card's return form: said before returning when no one would be told.
            "told": not (access.may_review and access.response.is_counted)
            or organisation_is_mailed(access.organisation.pk),
        },
        status=status,
    )


@login_required
def section_page(request: HttpRequest, slug: str, org_code: str, section_code: str) -> HttpResponse:
    access = response_access(request, slug, org_code)
    page = section_of(access, section_code)
    if page is None:
        raise Http404("No such section")
    saved = None
    if request.method == "POST":
        if not access.can_edit:
            raise PermissionDenied
        response_for_writing(access.response)
        saved = section_posted_save(
            response=access.response,
            questions=page.questions,
            data=request.POST,
            files=request.FILES,
            user=request.user,
        )
        if saved.ok:
            messages.success(request, _("Your answers are saved."))
            target = page.next if "next" in request.POST and page.next is not None else page.section
            return HttpResponseRedirect(reverse("responses:response-section", args=[slug, org_code, target.code]))
    context = section_page_context(access, page, data=request.POST if saved is not None else None, saved=saved)
    # "Save and continue" with answers not saved stays here: the page says why it did not move on.
    context["stayed"] = saved is not None and "next" in request.POST and page.next is not None
    return render(request, "responses/section.html", context, status=422 if saved is not None else 200)


def login_required_or_401(view: Any) -> Any:
    """Like login_required, but an htmx request whose login expired gets 401 (the page then says so and keeps the
    answer to retry), not the login page pasted in as if it were a successful save."""
    redirecting = login_required(view)

    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated and request.headers.get("HX-Request"):
            return HttpResponse(_("Your login has expired."), status=401)
        return redirecting(request, *args, **kwargs)

    return wrapped


@login_required_or_401
@require_POST
def autosave(request: HttpRequest, slug: str, org_code: str, question_code: str) -> HttpResponse:
    """Save one question as the user types (htmx); answers with the save status and the refreshed page state."""
    access = response_access(request, slug, org_code, texts=False)  # it shows none of the round's texts
    # The round's structure for this respondent is needed anyway for the progress bar in the answer: take the
    # question from it (with its options and section) instead of loading it a second time.
    areas = survey_structure(access.survey, access.kind)
    question = questions_by_code(areas).get(question_code)
    if question is None:  # not in this round, or not asked of this kind of respondent
        raise Http404("No such question")
    if not access.can_edit:
        return render(request, "responses/partials/autosave.html", {"readonly": True, "question": question}, status=403)
    response_for_writing(access.response)
    outcome = question_posted_save(
        response=access.response,
        question=question,
        data=request.POST,
        files=request.FILES,
        user=request.user,
        areas=areas,
    )
    context = autosave_context(access, question, areas, outcome, request.POST)
    if written_by_code(context):  # a plain save: written as strings (responses/autosave_html.py)
        return HttpResponse(autosave_html(context))
    return render(request, "responses/partials/autosave.html", context)


@login_required
def review(request: HttpRequest, slug: str, org_code: str) -> HttpResponse:
    access = response_access(request, slug, org_code)
    progress = response_progress(access.response)
    unsaved = [] if access.had_kept_texts is False else unsaved_cells(access.response)  # none kept: nothing to read
    return render(
        request,
        "responses/review.html",
        {
            "access": access,
            "response": access.response,
            "progress": progress,
            "unsaved": unsaved,
            "urls": response_urls(access),
        },
    )


@login_required
def history(request: HttpRequest, slug: str, org_code: str) -> HttpResponse:
    """Every change to the response's answers, newest first (Office staff only)."""
    access = response_access(request, slug, org_code)
    if not access.may_review:
        raise Http404("No such page")
    events = ResponseEvent.objects.filter(response_id=access.response.pk).select_related("by").order_by("-id")
    return render(
        request,
        "responses/history.html",
        {
            "access": access,
            "response": access.response,
            "changes": history_rows(access.response),
            "events": events,
            "urls": response_urls(access),
        },
    )


@login_required
def evidence_download(request: HttpRequest, pk: int) -> HttpResponseBase:
    item = get_object_or_404(Evidence.objects.select_related("response__survey", "response__organisation"), pk=pk)
    response_access(request, item.response.survey.slug, item.response.organisation.code)  # 404 unless allowed
    return FileResponse(
        item.file.open("rb"), as_attachment=True, filename=item.original_name, content_type=item.content_type
    )


@login_required
@require_POST
def evidence_remove(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(
        Evidence.objects.select_related("response__survey", "response__organisation", "question__section"), pk=pk
    )
    access = response_access(request, item.response.survey.slug, item.response.organisation.code)
    if not access.can_edit:
        raise PermissionDenied
    try:
        evidence_delete(evidence=item, user=request.user)
    except EvidenceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The document is removed."))
    section = item.question.section.code
    return HttpResponseRedirect(
        reverse("responses:response-section", args=[access.survey.slug, access.organisation.code, section])
        + f"#q-{item.question.code}"
    )


@staff_required
def staff_responses(request: HttpRequest, slug: str) -> HttpResponse:
    """Every response of a round with its status (Office staff): the way into each organisation's answers."""
    survey = get_object_or_404(Survey, slug=slug)
    status = request.GET.get("status", "")
    status = status if status in Response.Status.values else ""
    # Every organisation the round asks, as the staff home and the status board count them: "Not started" includes
    # those that never opened the questionnaire.
    responses = round_responses(survey=survey, status=status)
    return render(
        request,
        "responses/staff_responses.html",
        {"survey": survey, "responses": responses, "statuses": Response.Status.choices, "status": status},
    )
