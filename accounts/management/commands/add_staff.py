"""python manage.py add_staff EMAIL [--password PW] [--superuser]: make a person Office staff."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.people import PeopleError, staff_add
from oscethb.commands import in_site_language

# (superuser, what happened) -> what the command says, each a whole sentence.
_STAFF_SAID = {
    (False, "created"): gettext_lazy("user %(email)s (staff): created"),
    (False, "updated"): gettext_lazy("user %(email)s (staff): updated"),
    (False, "unchanged"): gettext_lazy("user %(email)s (staff): unchanged"),
    (True, "created"): gettext_lazy("user %(email)s (staff and superuser): created"),
    (True, "updated"): gettext_lazy("user %(email)s (staff and superuser): updated"),
    (True, "unchanged"): gettext_lazy("user %(email)s (staff and superuser): unchanged"),
}


class Command(BaseCommand):
    help = (
        "Make a person (created if needed; they log in with the e-mail address) Office staff, and with --superuser "
        "also a superuser. Idempotent."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")
        parser.add_argument("--password", help="set this password (otherwise a new account has none yet)")
        parser.add_argument("--superuser", action="store_true", help="also give every permission")

    @in_site_language
    def handle(self, *args: Any, **options: Any) -> None:
        try:
            outcome, changed = staff_add(
                email=options["email"], password=options["password"], superuser=options["superuser"]
            )
        except PeopleError as exc:
            raise CommandError(str(exc)) from exc
        user = outcome.user
        state = "created" if outcome.created else ("updated" if changed else "unchanged")
        self.stdout.write(_STAFF_SAID[(user.is_superuser, state)] % {"email": user.email})
        if options["password"]:
            self.stdout.write(_("password of %(email)s set") % {"email": user.email})
        if not user.has_usable_password():
            self.stdout.write(
                _(
                    "%(email)s has no password yet: they should use “Forgotten your password?” on the login page, "
                    "or accept an invitation."
                )
                % {"email": user.email}
            )
