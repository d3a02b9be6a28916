"""python manage.py seed_demo: demo data for `make run` (idempotent: running it again changes nothing)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from surveys.models import Survey
from surveys.services import survey_set_status

DEMO_PASSWORD = "demo-oscethb-2026"  # noqa: S105 - printed for the demo; never used outside `make run`
DEMO_STAFF = "staff@demo.oscethb.org"
# What each shipped round looks like in the demo: the 2015/16 round is closed, the 2020/21 round is open.
DEMO_STATUS = {"thb-2016": Survey.Status.CLOSED, "thb-2021": Survey.Status.OPEN}


class Command(BaseCommand):
    help = "Seed demo users and round states for local use. Idempotent."

    def handle(self, *args: Any, **options: Any) -> None:
        for slug, status in DEMO_STATUS.items():
            survey = Survey.objects.filter(slug=slug).first()
            if survey is not None and survey.status != status:
                survey_set_status(survey=survey, status=status)
        user_model = get_user_model()
        staff, created = user_model.objects.get_or_create(
            username=DEMO_STAFF, defaults={"email": DEMO_STAFF, "is_staff": True, "is_superuser": True}
        )
        if created:
            staff.set_password(DEMO_PASSWORD)
            staff.save()
        self.stdout.write("")
        self.stdout.write("Demo data ready. Log in at http://127.0.0.1:8000/admin/ with")
        self.stdout.write(f"  Office staff: {DEMO_STAFF} / {DEMO_PASSWORD}")
