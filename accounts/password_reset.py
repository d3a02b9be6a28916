""" "Forgotten your password?": the reset mail is sent by a Celery task, at most so many per address and per IP.

The request only queues `responses.send_password_reset` (a registered and an unknown address take the same time to
answer: nothing about the account is looked up in the request). The task records the request, and sends Django's
reset mail unless the limits are reached: PASSWORD_RESET_PER_ADDRESS mails to one address, or
PASSWORD_RESET_PER_IP requests from one IP address, within the last hour. Over a limit nothing is sent and a warning
is logged; the page the person sees is the same either way. Records older than a day are deleted.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import PasswordResetForm
from django.utils import timezone, translation

from oscethb.jobs import enqueue

from .models import PasswordResetRequest
from .people.language import person_language_chosen

logger = logging.getLogger(__name__)


class ResetMailForm(PasswordResetForm):
    """Django's reset form as the mailer of the task, also for active accounts that have no usable password yet
    (created by add_member without --password): "Forgotten your password?" is how such a person sets their first
    password."""

    def send_now(self, *, domain_override: str, use_https: bool) -> None:
        """Django's own sending: one mail to every active account with this address."""
        super().save(domain_override=domain_override, use_https=use_https)

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        *args: Any,
        **kwargs: Any,
    ) -> None:
        """Each account's mail in the language the person chose; the language of the request for one who never did."""
        chosen = person_language_chosen(context["user"])
        with translation.override(chosen or translation.get_language()):
            super().send_mail(subject_template_name, email_template_name, context, *args, **kwargs)

    def get_users(self, email: str) -> Iterator[Any]:
        user_model = get_user_model()
        wanted = email.casefold()
        for user in user_model._default_manager.filter(email__iexact=email, is_active=True):
            if (user.email or "").casefold() == wanted:
                yield user


WINDOW = timedelta(hours=1)
KEEP = timedelta(days=1)


def address_key(email: str) -> str:
    """A keyed hash of the address as the login reads it (case-insensitive): the records hold no address."""
    return hmac.new(settings.SECRET_KEY.encode(), email.strip().casefold().encode(), hashlib.sha256).hexdigest()


def password_reset_request(*, email: str, ip: str | None, domain: str, use_https: bool, language: str) -> None:
    """Queue the reset mail (the view's only work)."""
    # Now, not on commit: the request writes nothing (the task records it), so there is no transaction to wait for.
    enqueue(
        "responses.send_password_reset", email=email, ip=ip or "", domain=domain, use_https=use_https, language=language
    )


def password_reset_send(*, email: str, ip: str | None, domain: str, use_https: bool, language: str) -> bool:
    """Record the request and send the reset mail unless a limit is reached. True when a mail went out."""
    now = timezone.now()
    PasswordResetRequest.objects.filter(created_at__lt=now - KEEP).delete()
    key = address_key(email)
    recent = PasswordResetRequest.objects.filter(created_at__gte=now - WINDOW)
    to_address = recent.filter(address=key, sent=True).count()
    from_ip = recent.filter(ip=ip).count() if ip else 0
    form = ResetMailForm({"email": email})
    if not form.is_valid():
        return False
    limited = to_address >= settings.PASSWORD_RESET_PER_ADDRESS or from_ip >= settings.PASSWORD_RESET_PER_IP
    has_account = next(iter(form.get_users(form.cleaned_data["email"])), None) is not None
    record = PasswordResetRequest.objects.create(address=key, ip=ip or None, sent=False)
    if limited:
        logger.warning(
            "password reset not sent: limit reached (%d mails to this address, %d requests from %s in the last hour)",
            to_address,
            from_ip,
            ip or "an unknown IP address",
        )
        return False
    if not has_account:
        return False
    with translation.override(language):
        form.send_now(domain_override=domain, use_https=use_https)
    PasswordResetRequest.objects.filter(pk=record.pk).update(sent=True)
    return True
