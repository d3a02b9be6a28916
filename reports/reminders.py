"""Deadline reminders: e-mail to the coordinators of participating States that have not submitted an open round.

Schedule (the daily task `reports.send_reminders` calls `reminders_send(today=...)`): for every open round with a
closing date, on the days when `closes_on - today` equals one of `settings.REMINDER_DAYS` (default 14, 7 and 2),
the coordinators of every participating State whose response is not submitted, resubmitted or accepted (no
response at all counts as not started) get one plain-text e-mail in English: the round, the deadline, the days left
and the link to the State's round home.

Catch-up: a run finds the reminder whose day came most recently (the smallest configured count that is at least the
days left). If that reminder was not sent yet (the scheduler was down on its day), it goes out now, saying how many
days are really left; reminders whose day has passed and that a later one replaced are never sent. A reminder is
recorded as a `Reminder` row (response, days_before, recipients) and never sent twice for the same (response,
days_before): the row is written in the same transaction as the e-mail goes out, a check skips what was sent, and
the database's conditional unique constraint stops a second scheduler racing the first. A State gets at most one
reminder a day (a reminder sent by hand that day included). States without a coordinator are skipped and logged.

Staff send one by hand with `reminder_send_manual` (recorded with days_before -1; any number of them).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from responses.models import Membership, Organisation, Response, Role
from responses.services import response_get_or_create
from surveys.i18n import pick
from surveys.models import Survey

from .models import Reminder

logger = logging.getLogger(__name__)

MANUAL = -1  # days_before of a reminder sent by hand
DEFAULT_SITE_URL = "http://127.0.0.1:8000"
# Responses that need no reminder: the State has sent its answers.
DONE_STATUSES = (Response.Status.SUBMITTED, Response.Status.RESUBMITTED, Response.Status.ACCEPTED)


class ReminderError(Exception):
    """A reminder that cannot be sent by hand; the message says why."""


@dataclass(frozen=True)
class DueReminder:
    """A reminder to send: to whom, for which round and State, and which configured day count it stands for."""

    survey: Survey
    organisation: Organisation
    response: Response | None  # None: the State has not opened the round yet (created when the reminder is sent)
    days_before: int  # the configured day count (settings.REMINDER_DAYS) this reminder is for
    days_left: int  # days from today to the closing date (smaller than days_before when catching up)
    recipients: tuple[str, ...]

    @property
    def status(self) -> str:
        return self.response.status if self.response is not None else Response.Status.NOT_STARTED


def site_url() -> str:
    """The absolute address of the site, for links in e-mail (setting SITE_URL)."""
    return str(getattr(settings, "SITE_URL", DEFAULT_SITE_URL) or DEFAULT_SITE_URL).rstrip("/")


def round_home_url(survey: Survey, organisation: Organisation) -> str:
    return site_url() + reverse("response-home", args=[survey.slug, organisation.code])


def reminder_days() -> list[int]:
    """The configured day counts, smallest first (negative ones would clash with reminders sent by hand)."""
    return sorted({int(d) for d in settings.REMINDER_DAYS if int(d) >= 0})


def reminder_stage(days_left: int, days: Iterable[int]) -> int | None:
    """The configured day count whose day came most recently, or None before the first one.

    On schedule that is `days_left` itself; after missed days it is the next larger count (the reminder that should
    have gone out last). Larger counts are replaced by it: a missed 14-day reminder is not sent when 7 days are
    reached.
    """
    if days_left < 0:
        return None
    due = [d for d in days if d >= days_left]
    return min(due) if due else None


def coordinator_emails(organisation_ids: Iterable[int] | None = None) -> dict[int, tuple[str, ...]]:
    """organisation id -> the e-mail addresses of its active coordinators (sorted, without duplicates)."""
    memberships = Membership.objects.filter(role=Role.COORDINATOR, user__is_active=True).exclude(user__email="")
    if organisation_ids is not None:
        memberships = memberships.filter(organisation_id__in=list(organisation_ids))
    found: dict[int, set[str]] = defaultdict(set)
    for organisation_id, email in memberships.values_list("organisation_id", "user__email"):
        found[organisation_id].add(email.strip())
    return {pk: tuple(sorted(emails, key=str.lower)) for pk, emails in found.items()}


def reminders_due(*, today: dt.date) -> list[DueReminder]:
    """The reminders that `reminders_send` would send today (nothing is written)."""
    days = reminder_days()
    surveys = list(
        Survey.objects.filter(status=Survey.Status.OPEN, closes_on__isnull=False, for_states=True).order_by("slug")
    )
    if not days or not surveys:
        return []
    states = list(Organisation.objects.filter(kind=Organisation.Kind.STATE).order_by("name"))
    coordinators = coordinator_emails(s.pk for s in states)
    due: list[DueReminder] = []
    for survey in surveys:
        if survey.closes_on is None:  # filtered out above; for the type checker
            continue
        days_left = (survey.closes_on - today).days
        stage = reminder_stage(days_left, days)
        if stage is None:
            continue
        responses = {
            r.organisation_id: r
            for r in Response.objects.filter(survey=survey, organisation__kind=Organisation.Kind.STATE)
        }
        already_sent, sent_today = set(), set()
        for response_id, days_before, sent_at in Reminder.objects.filter(response__survey=survey).values_list(
            "response_id", "days_before", "sent_at"
        ):
            if days_before == stage:
                already_sent.add(response_id)
            if timezone.localdate(sent_at) == today:
                sent_today.add(response_id)
        without_coordinator = []
        for state in states:
            response = responses.get(state.pk)
            if response is not None and (
                response.status in DONE_STATUSES or response.pk in already_sent or response.pk in sent_today
            ):
                continue
            recipients = coordinators.get(state.pk)
            if not recipients:
                without_coordinator.append(f"{state.name} ({state.code})")
                continue
            due.append(DueReminder(survey, state, response, stage, days_left, recipients))
        if without_coordinator:
            logger.warning(
                "%s: no %d-day reminder for %d State(s) without a coordinator: %s",
                survey.slug,
                stage,
                len(without_coordinator),
                ", ".join(without_coordinator),
            )
    return due


def reminders_send(*, today: dt.date) -> list[Reminder]:
    """Send the reminders due today (see the module's docstring); returns the Reminder rows written."""
    sent = []
    for item in reminders_due(today=today):
        try:
            with transaction.atomic():
                response = response_get_or_create(survey=item.survey, organisation=item.organisation)
                if Reminder.objects.filter(response=response, days_before=item.days_before).exists():
                    continue  # another run sent it meanwhile
                reminder = Reminder.objects.create(
                    response=response, days_before=item.days_before, recipients=list(item.recipients)
                )
                reminder_message(
                    survey=item.survey,
                    organisation=item.organisation,
                    status=response.status,
                    days_left=item.days_left,
                    recipients=item.recipients,
                ).send()
        except IntegrityError:
            continue  # a scheduler running at the same moment recorded (and sent) it first
        except Exception:
            # The row is rolled back with the failed e-mail, so the next run tries again; the others still go out.
            logger.exception(
                "%s: the %d-day reminder to %s could not be sent", item.survey.slug, item.days_before, item.organisation
            )
            continue
        logger.info(
            "%s: %d-day reminder sent to %s (%s)",
            item.survey.slug,
            item.days_before,
            item.organisation.code,
            ", ".join(item.recipients),
        )
        sent.append(reminder)
    return sent


def reminder_send_manual(
    *, survey: Survey, organisation: Organisation, user: Any, today: dt.date | None = None
) -> Reminder:
    """A reminder sent by hand by Office staff (days_before -1). Raises ReminderError when it makes no sense."""
    if not getattr(user, "is_staff", False):
        raise ReminderError("Only Office staff send reminders.")
    if survey.status != Survey.Status.OPEN:
        raise ReminderError(f"Round {survey.slug} is not open: no reminder sent.")
    if organisation.kind == Organisation.Kind.NGO and not survey.for_ngos:
        raise ReminderError(f"Round {survey.slug} does not ask NGOs: no reminder sent.")
    if organisation.kind != Organisation.Kind.NGO and not survey.for_states:
        raise ReminderError(f"Round {survey.slug} does not ask States: no reminder sent.")
    recipients = coordinator_emails([organisation.pk]).get(organisation.pk)
    if not recipients:
        raise ReminderError(f"{organisation.name} has no coordinator to remind: no reminder sent.")
    today = today or timezone.localdate()
    with transaction.atomic():
        response = response_get_or_create(survey=survey, organisation=organisation)
        if response.status in DONE_STATUSES:
            raise ReminderError(
                f"{organisation.name} has already sent its answers ({response.get_status_display()}): no reminder sent."
            )
        reminder = Reminder.objects.create(
            response=response, days_before=MANUAL, sent_by=user, recipients=list(recipients)
        )
        days_left = (survey.closes_on - today).days if survey.closes_on else None
        reminder_message(
            survey=survey, organisation=organisation, status=response.status, days_left=days_left, recipients=recipients
        ).send()
    logger.info("%s: reminder sent by hand to %s by %s", survey.slug, organisation.code, user)
    return reminder


def reminder_message(
    *,
    survey: Survey,
    organisation: Organisation,
    status: str,
    days_left: int | None,
    recipients: Iterable[str],
) -> EmailMessage:
    """The plain-text reminder, in English: the round, the deadline, the days left and the link to the round home."""
    with translation.override("en"):
        context = {
            "organisation": organisation.name,
            "round_title": pick(survey.title, "en") or survey.slug,
            "slug": survey.slug,
            "closes_on": survey.closes_on,
            "days_left": days_left,
            "status": str(Response.Status(status).label),
            "url": round_home_url(survey, organisation),
        }
        subject = render_to_string("reports/reminders/reminder_subject.txt", context)
        body = render_to_string("reports/reminders/reminder_email.txt", context)
    return EmailMessage(" ".join(subject.split()), body, settings.DEFAULT_FROM_EMAIL, list(recipients))
