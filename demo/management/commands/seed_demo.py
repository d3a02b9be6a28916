"""python manage.py seed_demo: demo data for `make run` (idempotent: running it again changes nothing).

It lives in the demo app, apart from production code: it seeds every layer (people, answers, built reports), and
only demo may depend on all the others."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import Organisation, Role
from demo.seed import DEMO_DOMAIN, DEMO_PASSWORD, demo_round_keep_open, seed_answers, seed_people
from oscethb.commands import in_site_language
from reports.models import Report
from reports.services import report_run_request
from surveys.models import Survey
from surveys.services import survey_set_status

DEMO_STAFF = f"staff@{DEMO_DOMAIN}"
# What each shipped round looks like in the demo. The 2015/16 round is closed (its closing date passed long ago;
# the other States' answers are all accepted, as the 2021 round's comparisons need); the 2020/21 round is open with a
# closing date in the future (OPEN_ROUND_DAYS from today), so that the demo coordinators can answer and submit it,
# and its answers are at every stage of the workflow.
DEMO_ROUNDS = {"thb-2016": (Survey.Status.CLOSED, True), "thb-2021": (Survey.Status.OPEN, False)}
OPEN_ROUND = "thb-2021"
OPEN_ROUND_DAYS = 45  # the open round's closing date is moved to this many days ahead when fewer than 14 are left


class Command(BaseCommand):
    help = "Seed demo organisations, users and answers for local use. Idempotent; never run it in production."

    @in_site_language
    def handle(self, *args: Any, **options: Any) -> None:
        user_model = get_user_model()
        staff, created = user_model.objects.get_or_create(
            username=DEMO_STAFF, defaults={"email": DEMO_STAFF, "is_staff": True, "is_superuser": True}
        )
        if created:
            staff.set_password(DEMO_PASSWORD)
            staff.save()
        users = seed_people()
        for slug, (status, finished) in DEMO_ROUNDS.items():
            survey = Survey.objects.filter(slug=slug).first()
            if survey is None:
                self.stderr.write(
                    _(
                        "Round %(round)s is not loaded, so it has no demo data. Load its definition first (make run "
                        "does): python manage.py load_survey surveys/definitions/%(round)s.yaml"
                    )
                    % {"round": slug}
                )
                continue
            if survey.status != status:
                survey_set_status(survey=survey, status=status)
            created_responses = seed_answers(survey, finished=finished)
            if slug == OPEN_ROUND:
                closes_on = demo_round_keep_open(survey=survey, days=OPEN_ROUND_DAYS)
                self.stdout.write(
                    _("%(round)s: open, answering until the end of %(date)s")
                    % {"round": slug, "date": date_format(closes_on, "DATE_FORMAT")}
                )
            if created_responses:
                self.stdout.write(
                    ngettext(
                        "%(round)s: %(count)d demo response", "%(round)s: %(count)d demo responses", created_responses
                    )
                    % {"round": slug, "count": created_responses}
                )
            if created_responses or not Report.objects.filter(survey=survey).exists():
                # Dashboards read built reports; build them (in-process without a broker, else on a worker).
                for provisional in (False, True):
                    report_run_request(survey=survey, include_in_progress=provisional, trigger="demo")
        self.stdout.write("")
        self.stdout.write(
            _("Demo data ready. Log in at %(url)s (password for all: %(password)s)")
            % {"url": f"{settings.SITE_URL.rstrip('/')}{reverse('login')}", "password": DEMO_PASSWORD}
        )
        self.stdout.write(f"  {_('Office staff'):<44} {DEMO_STAFF}")
        self.stdout.write(
            "  "
            + _(
                "(Office staff set up two-factor authentication at the first login: an authenticator app, or "
                "`oathtool --totp -b KEY` with the key the page shows.)"
            )
        )
        # People read the organisation's name, as the site shows it, not its code ("AT").
        names = {o.code: o.display_name for o in Organisation.objects.filter(code__in={d.organisation for d in users})}
        for demo in users:
            who = _("%(role)s of %(organisation)s") % {
                "role": Role(demo.role).label,
                "organisation": names.get(demo.organisation, demo.organisation),
            }
            self.stdout.write(f"  {who:<44} {demo.email}")
