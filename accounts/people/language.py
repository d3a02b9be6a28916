"""A person's language: the one the site's e-mails speak to them in (`PersonSettings.language`).

A person chooses it by switching language in the top bar while logged in (`accounts.views.language.language_set`)
or by accepting an invitation in a language (`accounts.views.people.accept`). Someone who has never chosen gets the
language of their first login request (the browser's Accept-Language, or the top bar's cookie) stored.

At every login the stored language wins over the browser's (and over a language cookie left from an earlier visit),
except a language the person switched to in the top bar in this visit before logging in: that is their latest
choice and becomes the stored one. `_language_at_login` leaves the language on the request, and
`LoginLanguageMiddleware` (oscethb/middleware.py) writes it into the language cookie of that one response, so the
next page, on any browser, is in the person's language. Nothing is looked up on the other requests: the cookie
carries the language from then on.

Mails are rendered inside `translation.override(person_language(user))` (responses/notifications.py,
responses/reminders.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils import translation

from ..models import PersonSettings


def supported_language(code: str | None) -> str | None:
    """The site language for a code such as "de" or "de-at", or None when the site does not speak it."""
    if not code:
        return None
    try:
        found = translation.get_supported_language_variant(code)
    except LookupError:
        return None
    return found if found in dict(settings.LANGUAGES) else None


def person_language_set(*, user: Any, language: str) -> str | None:
    """Remember the person's language (an unsupported code changes nothing); returns what is stored."""
    chosen = supported_language(language)
    if chosen is None or user is None or not getattr(user, "pk", None):
        return None
    PersonSettings.objects.update_or_create(user=user, defaults={"language": chosen})
    return chosen


def person_languages(user_ids: Iterable[int]) -> dict[int, str]:
    """user id -> language for each of these people (the site's default for those who never chose). One query."""
    ids = list(user_ids)
    stored = dict(PersonSettings.objects.filter(user_id__in=ids).values_list("user_id", "language"))
    return {pk: stored.get(pk) or settings.LANGUAGE_CODE for pk in ids}


def person_language(user: Any) -> str:
    return person_languages([user.pk])[user.pk]


# The attribute of the login request that carries the person's language to the login response's cookie.
LOGIN_LANGUAGE_ATTRIBUTE = "person_language_at_login"
# The session key of a language switched in the top bar before logging in, in the same visit (accounts.views.language).
LANGUAGE_CHOSEN_BEFORE_LOGIN = "language_chosen_before_login"


def person_language_chosen(user: Any) -> str | None:
    """The language the person has chosen (stored and still a site language), or None when they never chose."""
    stored = PersonSettings.objects.filter(user_id=user.pk).values_list("language", flat=True).first()
    return supported_language(stored)


@receiver(user_logged_in, dispatch_uid="responses-remember-language-at-login")
def _language_at_login(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    """A language switched in the top bar just before logging in (this visit) becomes the person's; otherwise a person
    who has chosen a language gets it, and one who has not gets the language of this request stored."""
    if request is None:
        return
    session = getattr(request, "session", None)
    just_chosen = session.pop(LANGUAGE_CHOSEN_BEFORE_LOGIN, None) if session is not None else None
    language = (
        (just_chosen and person_language_set(user=user, language=just_chosen))
        or person_language_chosen(user)
        or person_language_set(user=user, language=getattr(request, "LANGUAGE_CODE", "") or translation.get_language())
    )
    if language is None:
        return
    # Not translation.activate(): the login's answer is a redirect, and an activation here would outlive the request
    # on this thread (a test client's force_login has no middleware to undo it). The cookie set on the answer
    # carries the language to the next page.
    request.LANGUAGE_CODE = language
    setattr(request, LOGIN_LANGUAGE_ATTRIBUTE, language)
