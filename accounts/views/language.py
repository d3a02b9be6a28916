"""The top bar's language switch: Django's `set_language`, which also remembers a logged-in person's choice for the
e-mails the site sends them (accounts/people/language.py)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.i18n import set_language

from ..people.language import LANGUAGE_CHOSEN_BEFORE_LOGIN, person_language_set, supported_language


def language_set(request: HttpRequest) -> HttpResponse:
    response = set_language(request)
    user = request.user
    if request.method == "POST" and user.is_authenticated:
        person_language_set(user=user, language=request.POST.get("language", ""))
    elif request.method == "POST" and (chosen := supported_language(request.POST.get("language"))):
        # Chosen before logging in, in this visit: the login that follows makes it the person's (people.language).
        request.session[LANGUAGE_CHOSEN_BEFORE_LOGIN] = chosen
    return response
