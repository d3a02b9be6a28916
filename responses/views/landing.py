"""The front doors: where a login lands (staff on the staff home, members on their questionnaires, others on the
home page), the respondent's own page with a card per organisation and round, and the Office's staff home."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse

from oscethb.access import staff_required

from ..access import AccessPolicy
from ..landing import round_cards, staff_rounds


def after_login(request: HttpRequest) -> HttpResponse:
    """LOGIN_REDIRECT_URL: the page each person starts from (a `?next=` given to the login page wins over this)."""
    policy = AccessPolicy.for_request(request)
    if policy.is_staff:
        return HttpResponseRedirect(reverse("responses:staff-home"))
    if policy.organisation_ids:
        return HttpResponseRedirect(reverse("responses:my-rounds"))
    return HttpResponseRedirect(reverse("surveys:home"))


@login_required
def my_rounds(request: HttpRequest) -> HttpResponse:
    """The respondent's page: each organisation with a card per open or recent round."""
    return render(request, "responses/my_rounds.html", {"groups": round_cards(user=request.user)})


@staff_required
def staff_home(request: HttpRequest) -> HttpResponse:
    """The Office's start page: every round with its status counts and the way to every page staff use for it."""
    return render(request, "responses/staff_home.html", {"rounds": staff_rounds()})
