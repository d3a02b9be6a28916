"""Background work of accounts: the "Forgotten your password?" mail, sent within its rate limits.

The task keeps its name `responses.send_password_reset` from before the move, so a message queued by the previous
release still finds it.
"""

from __future__ import annotations

from celery import shared_task


@shared_task(name="responses.send_password_reset")
def send_password_reset(*, email: str, ip: str, domain: str, use_https: bool, language: str) -> bool:
    """Send one "Forgotten your password?" mail, within the rate limits (accounts.password_reset)."""
    from .password_reset import password_reset_send

    return password_reset_send(email=email, ip=ip or None, domain=domain, use_https=use_https, language=language)
