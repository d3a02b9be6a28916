"""python manage.py reset_2fa EMAIL: remove a person's authenticator app and backup codes (a lost device)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.twofactor import two_factor_reset
from oscethb.access import is_office_staff
from oscethb.commands import in_site_language


class Command(BaseCommand):
    help = (
        "Reset a person's two-factor authentication: remove their authenticator app and backup codes. Office staff "
        "set up a new app at their next login; for anyone else two-factor authentication is then off. Check who is "
        "asking (for example by phone) before running it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")

    @in_site_language
    def handle(self, *args: Any, **options: Any) -> None:
        email = options["email"].strip()
        users = list(get_user_model().objects.filter(email__iexact=email).order_by("pk"))
        if not users:
            raise CommandError(_("no account with the e-mail address %(email)s") % {"email": email})
        for user in users:
            removed = two_factor_reset(user)
            if is_office_staff(user):
                said = ngettext(
                    "%(email)s: %(count)d device removed; they set up a new authenticator app at their next login",
                    "%(email)s: %(count)d devices removed; they set up a new authenticator app at their next login",
                    removed,
                )
            else:
                said = ngettext(
                    "%(email)s: %(count)d device removed; two-factor authentication is off until they set it up again",
                    "%(email)s: %(count)d devices removed; two-factor authentication is off until they set it up again",
                    removed,
                )
            self.stdout.write(said % {"email": user.email, "count": removed})
