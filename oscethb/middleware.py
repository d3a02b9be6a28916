"""Answer 503 (not 500) when the database is unreachable, so pages can say "not saved, retrying" and try again."""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.middleware.locale import LocaleMiddleware
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from django.views import defaults

logger = logging.getLogger(__name__)


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, (OperationalError, InterfaceError)):
            return None
        logger.warning("database unavailable during %s %s: %s", request.method, request.path, exception)
        return database_unavailable()


def database_unavailable() -> HttpResponse:
    body = render_to_string("503.html", request=None)
    response = HttpResponse(body, status=503)
    response["Retry-After"] = "5"
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: 503 as well when the database is unreachable outside a view (process_exception sees only the
    view's exceptions): a real outage first fails where the session and the user are loaded, in middleware."""
    if isinstance(sys.exc_info()[1], (OperationalError, InterfaceError)):
        return database_unavailable()
    return defaults.server_error(request)


class RejectNulMiddleware:
    """A NUL byte in a URL or a query parameter is never legitimate, and PostgreSQL refuses it in a query: answer
    400 with the reason instead of failing with a 500 deep inside a lookup."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.path or any(
            "\x00" in key or any("\x00" in v for v in request.GET.getlist(key)) for key in request.GET
        ):
            # Before LocaleMiddleware: in the site's default language, whatever this thread served last.
            with translation.override(settings.LANGUAGE_CODE):
                text = _("The address contains a NUL character.")
            return HttpResponse(text, status=400, content_type="text/plain")
        return self.get_response(request)


class ContentSecurityPolicyMiddleware:
    """Scripts, styles, fonts, images and connections only from this site; no inline scripts, no framing.

    Every script is a file under static/ (chart data travels in `json_script` blocks, which are not executed), so
    a script injected into a page cannot run. Inline style attributes stay allowed: progress bars use them.
    """

    POLICY = "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data:",
            "font-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.POLICY)
        return response


LOGIN_STARTED_KEY = "oscethb_login_started"


def session_lifetime_start(sender: object, request: HttpRequest | None = None, **kwargs: object) -> None:
    """user_logged_in: the absolute lifetime of a login counts from the login itself (apps.AdminConfig connects it)."""
    session = getattr(request, "session", None)
    if session is not None:
        session[LOGIN_STARTED_KEY] = session[SessionLifetimeMiddleware.PUSHED_KEY] = int(time.time())


def session_refresh_seconds() -> int:
    """How often a login's session is written to push its idle timeout on: SESSION_REFRESH_SECONDS, and never more
    than half the idle timeout (a longer interval would end the logins of people who are active)."""
    return max(0, min(settings.SESSION_REFRESH_SECONDS, settings.SESSION_COOKIE_AGE // 2))


class SessionLifetimeMiddleware:
    """A login lasts at most SESSION_ABSOLUTE_SECONDS from the moment of logging in, however active, and ends after
    SESSION_COOKIE_AGE without a request (the idle timeout). A session without a start (logged in before the start
    was recorded) counts from now.

    The idle timeout is pushed on by writing the session, which sets a new expiry in the database and the cookie.
    Writing it on every request (SESSION_SAVE_EVERY_REQUEST) cost an UPDATE and a signature per autosave, so it is
    written when the last push is SESSION_REFRESH_SECONDS old or older: the idle timeout then holds to within that
    interval (a login idle for SESSION_COOKIE_AGE minus at most SESSION_REFRESH_SECONDS may already have ended)."""

    KEY = LOGIN_STARTED_KEY
    PUSHED_KEY = "oscethb_idle_pushed"

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from django.contrib.auth import logout

        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            session = request.session
            now = int(time.time())
            started = session.setdefault(self.KEY, now)
            if now - int(started) > settings.SESSION_ABSOLUTE_SECONDS:
                logout(request)
            elif now - int(session.get(self.PUSHED_KEY, 0)) >= session_refresh_seconds():
                session[self.PUSHED_KEY] = now  # modified: saved with a new expiry at the end of the request
        return self.get_response(request)


# Pages, downloads and autosave answers that carry a person's answers or documents: never kept by a browser's cache
# (a shared computer's back button, disk cache) or a proxy. Every URL whose name starts with one of these prefixes
# (so a new answer page named "response-…" is covered when it is added), and these names.
NO_STORE_PREFIXES = ("response-", "evidence-")
NO_STORE_NAMES = frozenset(
    {
        "excel-export-download",
        "dashboard-question",
        "dashboard-country",
        "dashboard-round",  # the status board names coordinators by e-mail
        "staff-responses",
        "staff-home",
        "my-rounds",
        "people-invitations",  # members and invitations by e-mail address
        "staff-import-responses",  # quotes rows of an uploaded file
        # The API (api/): an organisation's answers and statuses, a round's report, a new token's key.
        "answers",
        "responses",
        "round-report",
        "api-tokens",
    }
)


def no_store_url_name(name: str | None) -> bool:
    name = name.rpartition(":")[2] if name else name
    return bool(name) and (str(name).startswith(NO_STORE_PREFIXES) or name in NO_STORE_NAMES)


class NoStoreMiddleware:
    """Cache-Control: no-store (and Django's other never-cache headers) on the answer pages, the answer and evidence
    downloads and the exports, chosen by URL name (no_store_url_name), whatever the view answers."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from django.utils.cache import add_never_cache_headers

        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        if match is not None and no_store_url_name(match.url_name):
            add_never_cache_headers(response)
        return response


class SiteNotFoundPageMiddleware:
    """With DEBUG=1 (the demo `make run` serves) Django answers a refused or unknown address with its debug page,
    which lists every URL pattern of the project; people trying the demo must see what production shows: the site's
    own 404 page (templates/404.html). Without DEBUG Django already does; errors (500) keep the debug page in
    development, where a developer needs it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # An address no URL pattern matches never reaches a view: its 404 is built before any process_exception.
        if settings.DEBUG and response.status_code == 404 and request.resolver_match is None:
            return defaults.page_not_found(request, Http404())
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if settings.DEBUG and isinstance(exception, Http404):
            return defaults.page_not_found(request, exception)
        return None


class LoginLanguageMiddleware(LocaleMiddleware):
    """Django's LocaleMiddleware, and on the response to a login the language cookie set to the person's language
    (left on the request by accounts/people/language.py at `user_logged_in`), so that the next page is in it.
    Every other response passes as with LocaleMiddleware: the person's language is not looked up per request."""

    def process_response(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        language = getattr(request, "person_language_at_login", None)
        if language:
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                language,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                path=settings.LANGUAGE_COOKIE_PATH,
                domain=settings.LANGUAGE_COOKIE_DOMAIN,
                secure=settings.LANGUAGE_COOKIE_SECURE,
                httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            )
            response = super().process_response(request, response)
            response.headers["Content-Language"] = language  # the person's, not the request's
            return response
        return super().process_response(request, response)
