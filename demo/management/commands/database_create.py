"""python manage.py database_create: create the PostgreSQL database DATABASE_URL names if it is missing (`make run`
runs it before `migrate`); nothing on SQLite."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from demo.database import database_create_if_missing
from oscethb.commands import in_site_language


class Command(BaseCommand):
    help = "Create the PostgreSQL database DATABASE_URL names if it does not exist (for make run). Nothing on SQLite."

    @in_site_language
    def handle(self, *args: Any, **options: Any) -> None:
        database = settings.DATABASES["default"]
        if database_create_if_missing(database):
            self.stdout.write(
                _("Created the PostgreSQL database %(name)s: DATABASE_URL names it and it did not exist.")
                % {"name": database["NAME"]}
            )
