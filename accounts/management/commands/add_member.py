"""python manage.py add_member EMAIL --org CODE --role ROLE [--password PW]: give a person a role in an organisation."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from accounts.models import Role
from accounts.people import PeopleError, member_add, organisation_by_code
from oscethb.commands import in_site_language


class Command(BaseCommand):
    help = (
        "Make a person (created if needed; they log in with the e-mail address) a member of an organisation with a "
        "role. Idempotent: running it again changes nothing, or only the role."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")
        parser.add_argument("--org", required=True, help="organisation code, e.g. AT or la-strada-ua")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--password", help="set this password (otherwise a new account has none yet)")

    @in_site_language
    def handle(self, *args: Any, **options: Any) -> None:
        try:
            organisation = organisation_by_code(options["org"])
            outcome = member_add(
                email=options["email"],
                organisation=organisation,
                role=options["role"],
                password=options["password"],
            )
        except PeopleError as exc:
            raise CommandError(str(exc)) from exc
        user = outcome.user
        if outcome.user_created:
            self.stdout.write(_("user %(email)s: created") % {"email": user.email})
        else:
            self.stdout.write(_("user %(email)s: exists") % {"email": user.email})
        if outcome.membership_created:
            said = _("membership %(organisation)s (%(role)s): created")
        elif outcome.role_changed:
            said = _("membership %(organisation)s (%(role)s): role changed")
        else:
            said = _("membership %(organisation)s (%(role)s): unchanged")
        self.stdout.write(said % {"organisation": organisation.code, "role": outcome.membership.role})
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
