"""Login lockout (django-axes) wiring: who is trying (e-mail address, client IP behind the proxy) and the page a
locked-out person sees. Settings and policy: oscethb/settings.py and README.md, "Security"."""

from __future__ import annotations

import ipaddress
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone


def _valid_ip(value: str | None) -> str | None:
    try:
        return str(ipaddress.ip_address((value or "").strip()))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: REMOTE_ADDR, or behind TRUSTED_PROXY_COUNT proxies the X-Forwarded-For entry that the
    outermost of our proxies appended. Entries further left come from the client and could be anything, so they are
    never used; with fewer entries than proxies (a request that bypassed the proxy) REMOTE_ADDR is used."""
    remote = _valid_ip(request.META.get("REMOTE_ADDR"))
    count = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0))
    if count <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(forwarded) < count:
        return remote
    return _valid_ip(forwarded[-count]) or remote


def login_username(request: HttpRequest, credentials: dict[str, Any] | None) -> str | None:
    """The address tried, as the login form sent it, in the case-insensitive form the login itself uses."""
    value = (credentials or {}).get("username")
    if value is None and request is not None and request.method == "POST":
        value = request.POST.get("username")
    if value is None:
        return None
    text = str(value).strip()
    # The key is the address of the account the login would reach, found as the login finds it (email__iexact: on
    # PostgreSQL UPPER() folds "ſ" and "ı" to S and I, which Python's lower() keeps), so look-alike spellings of
    # one address share one count of failures.
    from django.contrib.auth import get_user_model

    stored = get_user_model().objects.filter(email__iexact=text).order_by("id").values_list("email", flat=True).first()
    return (stored or text).lower()


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict[str, Any] | None = None
) -> HttpResponse:
    """429 with a page that says what happened, when to try again, and that resetting the password still works."""
    from axes.models import AccessAttempt

    username = login_username(request, credentials)
    ip = getattr(request, "axes_ip_address", None) or client_ip(request)
    last = (
        AccessAttempt.objects.filter(username=username, ip_address=ip)
        .order_by("-attempt_time")
        .values_list("attempt_time", flat=True)
        .first()
    )
    retry_at = (last or timezone.now()) + settings.AXES_COOLOFF_TIME
    minutes = max(1, int((retry_at - timezone.now()).total_seconds() + 59) // 60)
    body = render_to_string(
        "registration/lockout.html",
        {"retry_at": retry_at, "minutes": minutes, "failure_limit": settings.AXES_FAILURE_LIMIT},
        request=request,
    )
    response = HttpResponse(body, status=429)
    response["Retry-After"] = str(max(1, int((retry_at - timezone.now()).total_seconds())))
    return response
