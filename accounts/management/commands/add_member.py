"""python manage.py add_member EMAIL --org CODE --role ROLE [--password PW]: give a person a role in an organisation."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import Role
from accounts.people import PeopleError, member_add, organisation_by_code


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
        self.stdout.write(f"user {user.email}: {'created' if outcome.user_created else 'exists'}")
        if outcome.membership_created:
            what = "created"
        elif outcome.role_changed:
            what = "role changed"
        else:
            what = "unchanged"
        self.stdout.write(f"membership {organisation.code} ({outcome.membership.role}): {what}")
        if options["password"]:
            self.stdout.write(f"password of {user.email} set")
        if not user.has_usable_password():
            self.stdout.write(
                f"{user.email} has no password yet: they should use “Forgotten your password?” on the login page, "
                "or accept an invitation."
            )
