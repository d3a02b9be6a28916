"""python manage.py add_staff EMAIL [--password PW] [--superuser]: make a person Office staff."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.people import PeopleError, staff_add


class Command(BaseCommand):
    help = (
        "Make a person (created if needed; they log in with the e-mail address) Office staff, and with --superuser "
        "also a superuser. Idempotent."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")
        parser.add_argument("--password", help="set this password (otherwise a new account has none yet)")
        parser.add_argument("--superuser", action="store_true", help="also give every permission")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            outcome, changed = staff_add(
                email=options["email"], password=options["password"], superuser=options["superuser"]
            )
        except PeopleError as exc:
            raise CommandError(str(exc)) from exc
        user = outcome.user
        kind = "staff and superuser" if user.is_superuser else "staff"
        state = "created" if outcome.created else ("updated" if changed else "unchanged")
        self.stdout.write(f"user {user.email} ({kind}): {state}")
        if options["password"]:
            self.stdout.write(f"password of {user.email} set")
        if not user.has_usable_password():
            self.stdout.write(
                f"{user.email} has no password yet: they should use “Forgotten your password?” on the login page, "
                "or accept an invitation."
            )
