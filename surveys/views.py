from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from oscethb.access import is_office_staff

from .models import Survey
from .selectors import survey_list_visible, survey_questionnaire


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "surveys/home.html", {"surveys": survey_list_visible(user=request.user)})


def questionnaire(request: HttpRequest, slug: str) -> HttpResponse:
    """The whole questionnaire of a round, read-only and printable: every area, section, question and option."""
    try:
        survey = survey_questionnaire(slug=slug)
    except Survey.DoesNotExist as exc:
        raise Http404("No such round") from exc
    if survey.status == Survey.Status.DRAFT and not is_office_staff(request.user):
        raise Http404("No such round")
    return render(request, "surveys/questionnaire.html", {"survey": survey})
