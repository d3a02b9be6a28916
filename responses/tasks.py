"""Celery tasks of the responses app: thin adapters that take plain values and call one service."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="responses.send_password_reset")
def send_password_reset(*, email: str, ip: str, domain: str, use_https: bool, language: str) -> bool:
    """Send one "Forgotten your password?" mail, within the rate limits (responses.password_reset)."""
    from .password_reset import password_reset_send

    return password_reset_send(email=email, ip=ip or None, domain=domain, use_https=use_https, language=language)
