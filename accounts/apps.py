"""The accounts app: people, memberships and roles, invitations, two-factor authentication, password reset and the
organisation directory. It builds on surveys only; responses and reports build on it."""

from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        # Receivers: a person's language is remembered at login.
        from .people import language  # noqa: F401
