"""A person's language: the one the site's e-mails speak to them in (`PersonSettings.language`).

It is set when the person logs in (the language of that request: the one they were reading the site in) and when
they choose another language in the top bar while logged in (`accounts.views.language.language_set`). Mails are
rendered inside `translation.override(person_language(user))` (responses/notifications.py, responses/reminders.py).
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


@receiver(user_logged_in, dispatch_uid="responses-remember-language-at-login")
def _remember_language_at_login(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    """The language the person was reading the site in when they logged in becomes theirs."""
    if request is not None:
        person_language_set(user=user, language=getattr(request, "LANGUAGE_CODE", "") or translation.get_language())
