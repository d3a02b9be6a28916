"""The front doors: where a login lands (staff on the staff home, members on their questionnaires, others on the
home page), the respondent's own page with a card per organisation and round, and the Office's staff home."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse

from accounts.models import Membership

from ..landing import round_cards, staff_rounds


def after_login(request: HttpRequest) -> HttpResponse:
    """LOGIN_REDIRECT_URL: the page each person starts from (a `?next=` given to the login page wins over this)."""
    user: Any = request.user
    if user.is_authenticated and user.is_staff:
        return HttpResponseRedirect(reverse("staff-home"))
    if user.is_authenticated and Membership.objects.filter(user=user).exists():
        return HttpResponseRedirect(reverse("my-rounds"))
    return HttpResponseRedirect(reverse("home"))


@login_required
def my_rounds(request: HttpRequest) -> HttpResponse:
    """The respondent's page: each organisation with a card per open or recent round."""
    return render(request, "responses/my_rounds.html", {"groups": round_cards(user=request.user)})


@login_required
def staff_home(request: HttpRequest) -> HttpResponse:
    """The Office's start page: every round with its status counts and the way to every page staff use for it."""
    if not request.user.is_staff:
        raise Http404("No such page")
    return render(request, "responses/staff_home.html", {"rounds": staff_rounds()})


urlpatterns = [
    path("start/", after_login, name="after-login"),
    path("my/", my_rounds, name="my-rounds"),
    path("staff/", staff_home, name="staff-home"),
]
