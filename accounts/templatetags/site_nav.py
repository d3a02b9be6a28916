"""`{% site_nav %}`: the navigation bar at the top of every page, written once per language and kind of page.

The bar was a fifth of a page's own CPU (about 1 ms of every page; issue 14): eight reversed URLs, the language list
and a dozen translations, the same for everyone who sees the same bar. What makes two bars differ is few: the
language, whether someone is logged in, whether they are Office staff, whether they may hold API tokens, which of
the bar's links is the current page, and whether the page has a request (the language form). The tag renders
templates/partials/site_nav.html once per such key, with placeholders for the three values that are the request's
own: the CSRF token, the page's address (where the language form returns) and the person's name. Each request
then only puts its values, escaped as the template would escape them, in those places.

Nothing is ever invalidated: the key holds all the bar shows, and the templates and translations only change
with a new release (a new process). accounts/tests/test_site_nav.py compares the bar with a fresh render of the
template for each kind of person and page.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from django import template
from django.template.loader import get_template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

register = template.Library()

# The pages the bar marks as current (aria-current): any other page's bar is the same as every other's.
CURRENT = frozenset({"home", "staff-home", "my-rounds", "api-tokens", "twofactor-account", "login"})
# Placeholders: plain ASCII letters and dashes, which neither escaping nor a translation changes.
CSRF, NEXT, NAME = "oscethb-nav-csrf-9e1f", "oscethb-nav-next-9e1f", "oscethb-nav-name-9e1f"
PLACEHOLDERS = re.compile("|".join(re.escape(p) for p in (CSRF, NEXT, NAME)))


@lru_cache(maxsize=512)
def _bar(
    language: str | None, form: bool, csrf: bool, authenticated: bool, staff: bool, api_tokens: bool, current: str
) -> str:
    """The bar of one key with its placeholders (the active language is `language`: it is part of the key)."""
    context: dict[str, Any] = {
        "nav_form": form,
        "nav_authenticated": authenticated,
        "nav_staff": staff,
        "nav_api_tokens": api_tokens,
        "nav_current": current,
        "nav_next": NEXT,
        "nav_name": NAME,
    }
    if csrf:
        context["csrf_token"] = CSRF
    return str(get_template("partials/site_nav.html").render(context))


def site_nav_clear() -> None:
    """Forget the kept bars (tests that change a template or a translation in place)."""
    _bar.cache_clear()


@register.simple_tag(takes_context=True)
def site_nav(context: template.Context) -> SafeString:
    request = context.get("request")
    user = context.get("user")
    policy = context.get("policy")
    authenticated = bool(user is not None and user.is_authenticated)
    staff = bool(policy is not None and policy.is_staff)
    # Asked only where the bar shows the link: may_hold_api_tokens may read the person's memberships.
    api_tokens = bool(authenticated and not staff and policy is not None and policy.may_hold_api_tokens)
    match = getattr(request, "resolver_match", None) if request is not None else None
    url_name = getattr(match, "url_name", None) or ""
    token = context.get("csrf_token")
    token_text = str(token) if token is not None else ""
    csrf = bool(token_text) and token_text != "NOTPROVIDED"  # noqa: S105  # nosec B105 - as the {% csrf_token %} tag decides
    bar = _bar(
        get_language(),
        request is not None,
        csrf,
        authenticated,
        staff,
        api_tokens,
        url_name if url_name in CURRENT else "",
    )
    values = {
        CSRF: escape(token_text) if csrf else CSRF,
        NEXT: escape(request.get_full_path()) if request is not None else NEXT,
        # as `user.email|default:user.username`
        NAME: escape(user.email or user.username) if authenticated and user is not None else NAME,
    }
    # One pass: a value put in (an address that holds a placeholder's text, say) is never scanned again.
    bar = PLACEHOLDERS.sub(lambda found: values[found.group(0)], bar)
    return mark_safe(bar)  # noqa: S308 - the kept bar is the template's escaped output; the values are escaped here  # nosec B308 B703
