"""The top bar's language switch: Django's `set_language`, which also remembers a logged-in person's choice for the
e-mails the site sends them (accounts/people/language.py)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.i18n import set_language

from ..people.language import person_language_set


def language_set(request: HttpRequest) -> HttpResponse:
    response = set_language(request)
    user = request.user
    if request.method == "POST" and user.is_authenticated:
        person_language_set(user=user, language=request.POST.get("language", ""))
    return response
