"""The texts that static/js/*.js shows (gettext in the browser): Django's JavaScript catalogue of one language.

The language is the one the page names in the address (`/jsi18n/?language=ru`, written by templates/base.html), so
a page in one language never gets the scripts' texts of another, whatever the cookie or the browser says (the
invitation page speaks the invitation's language without a cookie). Unknown or missing: the active language.

The catalogues change only with a deployment, so each language's script is built once per process and sent with a
day of browser caching; the address differs per language, so switching language fetches the other one.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory
from django.utils import translation
from django.views.decorators.cache import cache_control
from django.views.i18n import JavaScriptCatalog

# The packages add nothing of their own (the texts are in LOCALE_PATHS); naming them keeps the admin's and other
# apps' JavaScript texts out.
PACKAGES = ["responses", "reports"]


@receiver(setting_changed)
def _forget_on_new_catalogues(*, setting: str, **_: Any) -> None:
    """Tests that change where the catalogues are, or the languages, get scripts built from the new ones."""
    if setting in ("LOCALE_PATHS", "LANGUAGES", "LANGUAGE_CODE", "INSTALLED_APPS"):
        catalogue_script.cache_clear()


@cache
def catalogue_script(language: str) -> bytes:
    """The catalogue of one language as JavaScript, built once per process."""
    with translation.override(language):
        response = JavaScriptCatalog.as_view(packages=PACKAGES)(RequestFactory().get("/jsi18n/"))
    if not isinstance(response, HttpResponse):  # the view renders a whole script, never a stream
        raise TypeError(f"JavaScriptCatalog answered {type(response).__name__}")
    return bytes(response.content)


@cache_control(max_age=60 * 60 * 24, public=True)
def javascript_catalogue(request: HttpRequest) -> HttpResponse:
    asked = request.GET.get("language", "")
    language = asked if asked in dict(settings.LANGUAGES) else translation.get_language() or settings.LANGUAGE_CODE
    return HttpResponse(catalogue_script(language), content_type="text/javascript; charset=utf-8")
