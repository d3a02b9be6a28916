"""Staff dashboards of a round: the status board and report builds, and the stored report by area, question and
country, and its findings by commitment. Office staff only; everyone else gets 404, anonymous visitors the login page.

Pages read the stored report (`reports.dashboard`); `?basis=provisional` reads the one built with in-progress
answers. Query counts do not grow with the number of organisations or questions.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from accounts.models import Organisation
from accounts.selectors import organisation_display_names
from oscethb.access import staff_required
from responses.models import Response
from surveys.models import Survey
from surveys.selectors import questions_with_words, survey_or_404

from . import dashboard
from .models import JobStatus, ReportRun
from .services import report_run_request

PROVISIONAL = "provisional"


def _provisional(request: HttpRequest) -> bool:
    return request.GET.get("basis") == PROVISIONAL


def _basis_links(request: HttpRequest) -> tuple[str, str]:
    """This page on the final and on the provisional basis, keeping the board's filters (status, region)."""
    kept = QueryDict(mutable=True)
    for name in ("status", "region"):
        if request.GET.get(name):
            kept[name] = request.GET[name]
    final = kept.urlencode()
    kept["basis"] = PROVISIONAL
    return (f"{request.path}?{final}" if final else request.path), f"{request.path}?{kept.urlencode()}"


def _context(request: HttpRequest, survey: Survey, provisional: bool, **extra: Any) -> dict[str, Any]:
    final_url, provisional_url = _basis_links(request)
    return {
        "survey": survey,
        "provisional": provisional,
        "basis_qs": f"?basis={PROVISIONAL}" if provisional else "",
        "basis_value": PROVISIONAL if provisional else "",
        "basis_final_url": final_url,
        "basis_provisional_url": provisional_url,
        **extra,
    }


def _report(survey: Survey, provisional: bool) -> dashboard.ReportDoc | None:
    return dashboard.report_doc(survey, provisional)


@require_GET
@staff_required
def round_overview(request: HttpRequest, slug: str) -> HttpResponse:
    survey = survey_or_404(slug)
    provisional = _provisional(request)
    status = request.GET.get("status", "")
    status = status if status in dashboard.STATUSES else ""
    region_choices = dashboard.region_choices()
    region = request.GET.get("region", "")
    region = region if region in dict(region_choices) else ""
    board = dashboard.status_board(survey, status=status, region=region)
    doc = _report(survey, provisional)
    return render(
        request,
        "reports/round.html",
        _context(
            request,
            survey,
            provisional,
            board=board,
            status=status,
            region=region,
            statuses=[(s, dashboard.status_label(s)) for s in dashboard.STATUSES],
            regions=region_choices,
            doc=doc,
            areas=doc.area_links(survey.slug) if doc else [],
            run=dashboard.latest_run(survey, provisional),
        ),
    )


@require_POST
@staff_required
def report_build(request: HttpRequest, slug: str) -> HttpResponse:
    survey = get_object_or_404(Survey, slug=slug)
    run = report_run_request(
        survey=survey, user=request.user, include_in_progress=request.POST.get("basis") == PROVISIONAL
    )
    return HttpResponseRedirect(reverse("reports:report-run", args=[run.pk]))


@require_GET
@staff_required
def report_run(request: HttpRequest, pk: int) -> HttpResponse:
    run = get_object_or_404(ReportRun.objects.select_related("survey", "requested_by"), pk=pk)
    area = dashboard.first_area_code(run.survey) if run.status == JobStatus.DONE else None
    context = _context(request, run.survey, run.include_in_progress, run=run, area_code=area)
    if getattr(request, "htmx", False):
        return render(request, "reports/partials/run_status.html", context)
    return render(request, "reports/run.html", context)


@require_GET
@staff_required
def area_dashboard(request: HttpRequest, slug: str, area_code: str) -> HttpResponse:
    survey = get_object_or_404(Survey, slug=slug)
    provisional = _provisional(request)
    doc = _report(survey, provisional)
    page = None
    if doc is not None:
        if area_code not in doc.areas:
            raise Http404("No such area in this report")
        page = dashboard.area_page(doc, area_code, names=organisation_display_names())
    return render(
        request, "reports/area.html", _context(request, survey, provisional, doc=doc, page=page, area_code=area_code)
    )


@require_GET
@staff_required
def commitments_dashboard(request: HttpRequest, slug: str) -> HttpResponse:
    """Findings grouped by the round's commitments, as the Office reports them to the Permanent Council."""
    survey = get_object_or_404(Survey, slug=slug)
    provisional = _provisional(request)
    doc = _report(survey, provisional)
    page = dashboard.commitments_page(doc) if doc is not None else None
    return render(request, "reports/commitments.html", _context(request, survey, provisional, doc=doc, page=page))


@require_GET
@staff_required
def question_dashboard(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    survey = get_object_or_404(Survey, slug=slug)
    provisional = _provisional(request)
    doc = _report(survey, provisional)
    page = None
    if doc is not None:
        question = dashboard.question_model(survey, code) if code in doc.questions else None
        if question is None:
            raise Http404("No such question in this report")
        answers = dashboard.answers_for_question(survey, code, doc.counted_statuses)
        page = dashboard.question_page(doc, question, answers, survey)
    return render(
        request, "reports/question.html", _context(request, survey, provisional, doc=doc, page=page, code=code)
    )


@require_GET
@staff_required
def country_dashboard(request: HttpRequest, slug: str, iso: str) -> HttpResponse:
    survey = get_object_or_404(Survey, slug=slug)
    state = get_object_or_404(Organisation, kind=Organisation.Kind.STATE, code=iso.upper())
    provisional = _provisional(request)
    doc = _report(survey, provisional)
    response = Response.objects.filter(survey=survey, organisation=state).only("status", "last_activity_at").first()
    status = response.status if response else Response.Status.NOT_STARTED.value
    page = None
    if doc is not None:
        answers = dashboard.country_answers(survey, state, doc.counted_statuses)
        questions = questions_with_words(survey=survey, codes={a[3] for a in answers})
        page = dashboard.country_page(doc, state, answers, questions)
    return render(
        request,
        "reports/country.html",
        _context(
            request,
            survey,
            provisional,
            doc=doc,
            page=page,
            state=state,
            status=status,
            status_label=dashboard.status_label(status),
            counted=doc is not None and status in doc.counted_statuses,
            regions=dashboard.regions_of(state.code),
        ),
    )
